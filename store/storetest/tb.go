package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/latchkit/latch/store"
)

// tb is the part of *testing.T the suite uses. Run and RunShared pass a
// *testing.T (through testingT); Check passes a checkT, which needs no
// testing package at all.
type tb interface {
	Helper()
	Name() string
	Context() context.Context
	Run(name string, f func(t tb)) bool
	Parallel()
	Cleanup(f func())
	Error(args ...any)
	Errorf(format string, args ...any)
	Fail()
	FailNow()
	Failed() bool
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Skip(args ...any)
}

// testingT adapts *testing.T to tb.
type testingT struct{ *testing.T }

func (t testingT) Run(name string, f func(t tb)) bool {
	return t.T.Run(name, func(t *testing.T) { f(testingT{t}) })
}

// Check runs the cases of Run against fresh, empty stores made by
// newStore (one per case), without the testing package: for a host that
// checks its own store.Store implementation from a program or another
// test framework, as fstest.TestFS and slogtest.TestHandler allow for
// theirs. Cases run one after another. It returns nil when every case
// passes, else an error naming each failed case and what failed. Stores
// are closed when their case ends.
func Check(ctx context.Context, newStore func() (store.Store, error)) error {
	return check(ctx, func(t tb) {
		runAll(t, func(t tb) store.Store {
			s, err := newStore()
			if err != nil {
				t.Fatalf("newStore: %v", err)
			}
			return s
		})
	})
}

// CheckShared is Check for the cases of RunShared: newPair returns two
// handles on one fresh, empty database.
func CheckShared(ctx context.Context, newPair func() (store.Store, store.Store, error)) error {
	return check(ctx, func(t tb) {
		runShared(t, func(t tb) (store.Store, store.Store) {
			a, b, err := newPair()
			if err != nil {
				t.Fatalf("newPair: %v", err)
			}
			return a, b
		})
	})
}

// check runs f under a checkT and returns its failures.
func check(ctx context.Context, f func(t tb)) error {
	root := newCheckT(ctx, "storetest")
	root.Run("suite", f)
	root.finish()
	if len(root.rec.failures) == 0 {
		return nil
	}
	return fmt.Errorf("storetest: %d cases failed: %w", len(root.rec.failures), errors.Join(root.rec.failures...))
}

// record collects the failures of a Check.
type record struct {
	mu       sync.Mutex
	failures []error
}

// checkT is a tb without the testing package: each Run runs its function
// in a goroutine of its own (so that FailNow can end it) and waits for it.
type checkT struct {
	ctx      context.Context
	cancel   context.CancelFunc
	name     string
	rec      *record
	mu       sync.Mutex
	failed   bool
	msgs     []string
	cleanups []func()
}

func newCheckT(parent context.Context, name string) *checkT {
	ctx, cancel := context.WithCancel(parent)
	return &checkT{ctx: ctx, cancel: cancel, name: name, rec: &record{}}
}

func (t *checkT) Helper()                  {}
func (t *checkT) Parallel()                {}
func (t *checkT) Name() string             { return t.name }
func (t *checkT) Context() context.Context { return t.ctx }
func (t *checkT) Logf(string, ...any)      {}

func (t *checkT) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

func (t *checkT) Errorf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
	t.msgs = append(t.msgs, strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (t *checkT) Error(args ...any) { t.Errorf("%s", fmt.Sprint(args...)) }
func (t *checkT) Fail()             { t.Errorf("failed") }

func (t *checkT) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// FailNow ends the case's goroutine, as testing.T's does.
func (t *checkT) FailNow() {
	t.Fail()
	runtime.Goexit()
}

func (t *checkT) Fatal(args ...any) {
	t.Error(args...)
	runtime.Goexit()
}

func (t *checkT) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	runtime.Goexit()
}

// Skip ends the case without failing it.
func (t *checkT) Skip(...any) { runtime.Goexit() }

func (t *checkT) Run(name string, f func(t tb)) bool {
	child := &checkT{name: t.name + "/" + name, rec: t.rec}
	child.ctx, child.cancel = context.WithCancel(t.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer child.finish()
		f(child)
	}()
	<-done
	if child.Failed() {
		t.mu.Lock()
		t.failed = true
		t.mu.Unlock()
	}
	return !child.Failed()
}

// finish runs the cleanups, last first, and records the case's failures.
func (t *checkT) finish() {
	t.mu.Lock()
	cleanups := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("cleanup panicked: %v", r)
				}
			}()
			cleanups[i]()
		}()
	}
	t.cancel()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.msgs) > 0 {
		t.rec.mu.Lock()
		t.rec.failures = append(t.rec.failures, fmt.Errorf("%s: %s", t.name, strings.Join(t.msgs, "; ")))
		t.rec.mu.Unlock()
	}
}
