package auth

import (
	"context"
	"sync"
	"time"
)

// pool bounds password hashing: at most run hashes at once and at most
// queue callers waiting for a slot. A caller beyond that is refused at once,
// so a flood of sign-ins costs neither memory (each argon2id hash holds its
// whole memory parameter) nor unbounded latency.
type pool struct {
	admit chan struct{} // running + waiting
	run   chan struct{} // running

	// obs, when set, is told the occupancy after every change; mu
	// serializes those reports so that the last one is always current.
	obs              Observer
	mu               sync.Mutex
	running, waiting int
}

func newPool(concurrency, queue int) *pool {
	return &pool{
		admit: make(chan struct{}, concurrency+queue),
		run:   make(chan struct{}, concurrency),
	}
}

// poolRetry is the retry time given when the queue is full: about the time
// a full queue takes to drain at tens of milliseconds per hash.
const poolRetry = time.Second

// do runs f in a slot. It returns a *RateLimitError if the queue is full
// and ctx's error if ctx ends while waiting; f has not run then.
func (p *pool) do(ctx context.Context, f func()) error {
	select {
	case p.admit <- struct{}{}:
	default:
		if p.obs != nil {
			p.obs.HashPoolRefused()
		}
		return retryAfter(poolRetry)
	}
	defer func() { <-p.admit }()
	p.report(0, 1)
	var start time.Time
	if p.obs != nil {
		start = time.Now()
	}
	select {
	case p.run <- struct{}{}:
	case <-ctx.Done():
		p.report(0, -1)
		return ctx.Err()
	}
	if p.obs != nil {
		p.obs.HashWait(time.Since(start))
	}
	p.report(1, -1)
	defer func() {
		p.report(-1, 0)
		<-p.run
	}()
	f()
	return nil
}

// report changes the occupancy counts and reports them to the Observer.
func (p *pool) report(running, waiting int) {
	if p.obs == nil {
		return
	}
	p.mu.Lock()
	p.running += running
	p.waiting += waiting
	p.obs.HashPool(p.running, p.waiting)
	p.mu.Unlock()
}
