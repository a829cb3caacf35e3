package auth

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// pool bounds password hashing by memory. Each hash states its memory cost
// (hash.Hasher.MemoryCost: an argon2id hash holds its whole memory
// parameter while it runs). A hash starts when the hashes running and it
// fit in budget bytes and fewer than maxRun run; a hash costing more than
// the whole budget starts only when nothing else runs, and runs alone.
// At most queue callers wait, in arrival order: the first waiter starts
// before any later one, so a stream of cheap hashes cannot starve an
// expensive one. A caller beyond the queue is refused at once, so a flood
// of sign-ins costs neither memory nor unbounded latency.
type pool struct {
	budget int64
	maxRun int
	queue  int

	// obs, when set, is told the occupancy after every change, under mu,
	// so that the last report is always current.
	obs Observer

	mu      sync.Mutex
	running int
	used    int64     // the memory costs of the running hashes
	waiters []*waiter // FIFO
}

// waiter is a caller waiting for its turn; ready is closed when it is
// admitted (its cost is then counted in used).
type waiter struct {
	cost  int64
	ready chan struct{}
}

func newPool(budget int64, maxRun, queue int) *pool {
	return &pool{budget: budget, maxRun: maxRun, queue: queue}
}

// poolRetry is the retry time given when the queue is full: about the time
// a full queue takes to drain at tens of milliseconds per hash.
const poolRetry = time.Second

// do runs f, a hash costing cost bytes of memory, when the pool admits it.
// It returns a *RateLimitError if the queue is full and ctx's error if ctx
// ends while waiting; f has not run then.
func (p *pool) do(ctx context.Context, cost int64, f func()) error {
	var start time.Time
	if p.obs != nil {
		start = time.Now()
	}
	p.mu.Lock()
	var w *waiter
	switch {
	case len(p.waiters) == 0 && p.fits(cost):
		p.start(cost)
	case len(p.waiters) >= p.queue:
		p.mu.Unlock()
		if p.obs != nil {
			p.obs.HashPoolRefused()
		}
		return retryAfter(poolRetry)
	default:
		w = &waiter{cost: cost, ready: make(chan struct{})}
		p.waiters = append(p.waiters, w)
	}
	p.report()
	p.mu.Unlock()

	if w != nil {
		select {
		case <-w.ready:
		case <-ctx.Done():
			if !p.leave(w) {
				// Admitted meanwhile: give the turn back.
				p.done(cost)
			}
			return ctx.Err()
		}
	}
	if p.obs != nil {
		p.obs.HashWait(time.Since(start))
	}
	defer p.done(cost)
	f()
	return nil
}

// fits reports whether a hash of cost may start now. mu is held.
func (p *pool) fits(cost int64) bool {
	if p.running == 0 {
		return true // alone, whatever its cost
	}
	return p.running < p.maxRun && p.used+cost <= p.budget
}

// start counts a hash as running. mu is held.
func (p *pool) start(cost int64) {
	p.running++
	p.used += cost
}

// admit starts the waiters at the head of the queue while they fit. mu is
// held.
func (p *pool) admit() {
	n := 0
	for _, w := range p.waiters {
		if !p.fits(w.cost) {
			break
		}
		p.start(w.cost)
		close(w.ready)
		n++
	}
	if n > 0 {
		clear(p.waiters[:n])
		p.waiters = p.waiters[n:]
	}
}

// done ends a running hash of cost and starts those waiting that now fit.
func (p *pool) done(cost int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running--
	p.used -= cost
	p.admit()
	p.report()
}

// leave removes w, whose caller gave up, from the queue, and reports
// whether it was still there (false: it was admitted meanwhile). Its
// leaving may let those behind it start.
func (p *pool) leave(w *waiter) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			p.admit()
			p.report()
			return true
		}
	}
	return false
}

// report tells the Observer the occupancy. mu is held.
func (p *pool) report() {
	if p.obs != nil {
		p.obs.HashPool(p.running, len(p.waiters))
	}
}

// maxHashMemoryBudget is the default hashing memory budget when no memory
// limit is set, and the most it is by default.
const maxHashMemoryBudget = 64 << 20

// DefaultHashMemoryBudget is the default of Limits.HashMemoryBudget: 64 MiB,
// or a quarter of the Go memory limit (GOMEMLIMIT, debug.SetMemoryLimit) if
// one is set and that is less. 64 MiB runs three argon2id hashes of the
// default policy (19 MiB each) at once. The budget counts the memory the
// running hashes hold; a sign-in flood raises the process's RSS by about
// three times that, because the garbage collector (GOGC=100) lets the
// memory of finished hashes pile up to about the live heap again before it
// frees it. Measured with 200 concurrent sign-ins at GOMAXPROCS=16 (on a
// loaded 2-core machine; BenchmarkSignInPeakRSS): peak RSS 230-306 MiB with
// this budget, 364-573 MiB with 128 MiB, 840-1180 MiB with fifteen hashes
// at once and no budget. Under a memory limit the collector frees sooner,
// and a quarter of the limit leaves the rest of it to the host's own work.
func DefaultHashMemoryBudget() int64 {
	budget := int64(maxHashMemoryBudget)
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		budget = min(budget, limit/4)
	}
	return budget
}

// DefaultHashConcurrency is the default of Limits.HashConcurrency:
// GOMAXPROCS, since a hash keeps one processor busy and more at once only
// queue for processors while holding their memory.
func DefaultHashConcurrency() int { return runtime.GOMAXPROCS(0) }

// fillPoolDefaults checks and fills the hashing pool's limits.
func fillPoolDefaults(l *Limits) error {
	if l.HashMemoryBudget < 0 || l.HashConcurrency < 0 || l.HashQueue < 0 {
		return fmt.Errorf("%w: negative hashing pool setting", ErrInvalidConfig)
	}
	if l.HashMemoryBudget == 0 {
		l.HashMemoryBudget = DefaultHashMemoryBudget()
	}
	if l.HashConcurrency == 0 {
		l.HashConcurrency = DefaultHashConcurrency()
	}
	if l.HashQueue == 0 {
		l.HashQueue = DefaultHashQueue
	}
	return nil
}
