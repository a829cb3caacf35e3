package auth

import (
	"context"
	"time"
)

// pool bounds password hashing: at most run hashes at once and at most
// queue callers waiting for a slot. A caller beyond that is refused at once,
// so a flood of sign-ins costs neither memory (each argon2id hash holds its
// whole memory parameter) nor unbounded latency.
type pool struct {
	admit chan struct{} // running + waiting
	run   chan struct{} // running
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
		return retryAfter(poolRetry)
	}
	defer func() { <-p.admit }()
	select {
	case p.run <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.run }()
	f()
	return nil
}
