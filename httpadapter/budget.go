package httpadapter

import (
	"context"
	"sync/atomic"
	"time"
)

// budgetContext is its parent under a deadline (Config.RequestTimeout)
// whose timer starts only when something waits for it: the first call to
// Done. A request answered from the service's cache never waits on its
// context, so it never pays for a timer or for registering a child with
// the server's request context; one that reaches the store gets the same
// deadline as context.WithDeadline would have given it at the start.
//
// Deadline reports the deadline from the start, and Err reports
// DeadlineExceeded once it has passed, whether or not the timer runs.
type budgetContext struct {
	context.Context // the request's context
	deadline        time.Time
	timer           atomic.Pointer[budgetTimer]
}

// budgetTimer is the context.WithDeadline that backs a budgetContext once
// something waits on it.
type budgetTimer struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// stoppedBudget marks a budgetContext whose request is over before any
// timer started: it is done, canceled.
var stoppedBudget = &budgetTimer{}

// closedDone is the Done channel of a stopped budgetContext.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func newBudgetContext(parent context.Context, budget time.Duration) *budgetContext {
	c := &budgetContext{Context: parent, deadline: time.Now().Add(budget)}
	if d, ok := parent.Deadline(); ok && d.Before(c.deadline) {
		c.deadline = d
	}
	return c
}

func (c *budgetContext) Deadline() (time.Time, bool) { return c.deadline, true }

// start returns the running timer, starting it on first use.
func (c *budgetContext) start() *budgetTimer {
	if t := c.timer.Load(); t != nil {
		return t
	}
	ctx, cancel := context.WithDeadline(c.Context, c.deadline)
	t := &budgetTimer{ctx: ctx, cancel: cancel}
	if !c.timer.CompareAndSwap(nil, t) {
		cancel() // another goroutine started (or stopped) it first
		return c.timer.Load()
	}
	return t
}

func (c *budgetContext) Done() <-chan struct{} {
	t := c.start()
	if t == stoppedBudget {
		return closedDone
	}
	return t.ctx.Done()
}

func (c *budgetContext) Err() error {
	switch t := c.timer.Load(); {
	case t == stoppedBudget:
		return context.Canceled
	case t != nil:
		return t.ctx.Err()
	}
	if c.Context.Err() == nil && time.Now().Before(c.deadline) {
		return nil
	}
	// Done from now on: start the timer (it is done at once) so that every
	// later call reports the same error, as the Context contract asks.
	if t := c.start(); t != stoppedBudget {
		return t.ctx.Err()
	}
	return context.Canceled
}

// Value answers from the running timer's context once there is one, so
// that contexts derived from c find its cancellation (as they would a
// context.WithDeadline's) instead of watching it from a goroutine.
func (c *budgetContext) Value(key any) any {
	if t := c.timer.Load(); t != nil && t != stoppedBudget {
		return t.ctx.Value(key)
	}
	return c.Context.Value(key)
}

// stop ends the budget: it cancels a running timer, and marks one that
// never started as done.
func (c *budgetContext) stop() {
	if !c.timer.CompareAndSwap(nil, stoppedBudget) {
		if t := c.timer.Load(); t != stoppedBudget {
			t.cancel()
		}
	}
}

func (c *budgetContext) String() string { return "httpadapter.budgetContext" }
