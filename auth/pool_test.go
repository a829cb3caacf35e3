package auth

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/store/memstore"
)

const mib = 1 << 20

// poolState is the pool's occupancy: running, their memory, waiting.
type poolState struct {
	running int
	used    int64
	waiting int
}

func (p *pool) state() poolState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return poolState{p.running, p.used, len(p.waiters)}
}

// job is a hash in a test pool that holds its turn until released.
type job struct {
	cost     int64
	started  chan struct{}
	release  chan struct{}
	finished chan error
}

// launch calls p.do for a job of cost and waits until the pool counts it
// (running or waiting), so that jobs arrive in the order launched.
func launch(t *testing.T, p *pool, ctx context.Context, cost int64) *job {
	t.Helper()
	j := &job{cost: cost, started: make(chan struct{}), release: make(chan struct{}), finished: make(chan error, 1)}
	before := p.state()
	go func() {
		j.finished <- p.do(ctx, cost, func() { close(j.started); <-j.release })
	}()
	require.Eventually(t, func() bool {
		s := p.state()
		return s.running+s.waiting == before.running+before.waiting+1
	}, 10*time.Second, time.Millisecond, "the job arrives")
	return j
}

// isClosed reports whether ch is closed, without waiting.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// waitClosed waits for ch to be closed; the bound only keeps a broken
// pool from hanging the test.
func waitClosed(t *testing.T, ch chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never happened", what)
	}
}

// finish releases j and checks that it ran without error.
func (j *job) finish(t *testing.T) {
	t.Helper()
	waitClosed(t, j.started, "the job's start")
	close(j.release)
	require.NoError(t, <-j.finished)
}

// TestPoolAdmission launches jobs in order into a pool and checks how many
// run at once and what they hold, then that every job runs once released.
func TestPoolAdmission(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		budget int64
		maxRun int
		costs  []int64
		want   poolState
	}{
		{"budget admits three of 40 MiB in 128 MiB", 128 * mib, 8, []int64{40 * mib, 40 * mib, 40 * mib, 40 * mib, 40 * mib}, poolState{3, 120 * mib, 2}},
		{"a hash that fills the budget exactly runs", 128 * mib, 8, []int64{64 * mib, 64 * mib, 1}, poolState{2, 128 * mib, 1}},
		{"the concurrency cap admits two of 19 MiB", 1 << 30, 2, []int64{19 * mib, 19 * mib, 19 * mib}, poolState{2, 38 * mib, 1}},
		{"cheap hashes run up to the cap", 128 * mib, 4, []int64{64 << 10, 64 << 10, 64 << 10, 64 << 10, 64 << 10, 64 << 10}, poolState{4, 256 << 10, 2}},
		{"default policy in the default budget on many processors", 64 * mib, 64, []int64{19 * mib, 19 * mib, 19 * mib, 19 * mib, 19 * mib}, poolState{3, 57 * mib, 2}},
		{"an oversize hash runs alone when it comes first", 128 * mib, 8, []int64{200 * mib, 1 * mib}, poolState{1, 200 * mib, 1}},
		{"an oversize hash waits for those running, and those behind it wait too", 128 * mib, 8, []int64{19 * mib, 200 * mib, 1 * mib}, poolState{1, 19 * mib, 2}},
		{"mixed costs fill the budget in arrival order", 100 * mib, 8, []int64{50 * mib, 30 * mib, 30 * mib, 10 * mib}, poolState{2, 80 * mib, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPool(tc.budget, tc.maxRun, len(tc.costs))
			jobs := make([]*job, len(tc.costs))
			for i, c := range tc.costs {
				jobs[i] = launch(t, p, context.Background(), c)
			}
			assert.Equal(t, tc.want, p.state())
			for i, j := range jobs {
				waitClosed(t, j.started, "a job's start")
				assert.LessOrEqual(t, p.state().running, tc.maxRun)
				if j.cost > tc.budget {
					assert.Equal(t, poolState{1, j.cost, len(jobs) - i - 1}, p.state(), "the oversize hash runs alone")
				} else {
					assert.LessOrEqual(t, p.state().used, tc.budget)
				}
				j.finish(t)
			}
			assert.Equal(t, poolState{}, p.state())
		})
	}
}

// TestPoolOversizeRunsAlone: a hash over the budget waits for every
// running hash to end, and nothing starts beside it.
func TestPoolOversizeRunsAlone(t *testing.T) {
	t.Parallel()
	p := newPool(128*mib, 8, 8)
	a := launch(t, p, context.Background(), 19*mib)
	b := launch(t, p, context.Background(), 19*mib)
	big := launch(t, p, context.Background(), 300*mib)
	small := launch(t, p, context.Background(), 1*mib)
	assert.Equal(t, poolState{2, 38 * mib, 2}, p.state())
	a.finish(t)
	assert.False(t, isClosed(big.started), "one hash still runs")
	assert.False(t, isClosed(small.started), "the small one waits behind the big one")
	b.finish(t)
	waitClosed(t, big.started, "the oversize hash's start")
	assert.Equal(t, poolState{1, 300 * mib, 1}, p.state(), "alone")
	assert.False(t, isClosed(small.started))
	big.finish(t)
	small.finish(t)
	assert.Equal(t, poolState{}, p.state())
}

// TestPoolNoStarvation: an expensive hash waiting is served before cheap
// hashes that arrive after it, though they would fit beside those running.
func TestPoolNoStarvation(t *testing.T) {
	t.Parallel()
	// Two hashes of 19 MiB fit in the budget at once; the expensive one
	// needs 38 MiB.
	p := newPool(40*mib, 8, 64)
	bg := context.Background()
	a := launch(t, p, bg, 19*mib)
	b := launch(t, p, bg, 19*mib)
	big := launch(t, p, bg, 38*mib)
	a.finish(t)
	// A stream of cheap hashes arrives: each would fit beside b, but
	// they queue behind the expensive one.
	var later []*job
	for range 20 {
		later = append(later, launch(t, p, bg, 1))
	}
	assert.Equal(t, poolState{1, 19 * mib, 21}, p.state())
	for _, j := range later {
		assert.False(t, isClosed(j.started), "a later cheap hash ran before the expensive one")
	}
	b.finish(t)
	waitClosed(t, big.started, "the expensive hash's start")
	// Those behind it that fit beside it start with it, in order, up to
	// the concurrency cap.
	assert.Equal(t, poolState{8, 38*mib + 7, 13}, p.state())
	big.finish(t)
	for _, j := range later {
		j.finish(t)
	}
	assert.Equal(t, poolState{}, p.state())
}

// TestPoolQueueFull: a caller beyond the queue is refused at once with a
// *RateLimitError, and its hash never runs.
func TestPoolQueueFull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		budget int64
		maxRun int
		queue  int
		costs  []int64 // fill the pool and the queue
	}{
		{"one slot and one queue place", 128 * mib, 1, 1, []int64{19 * mib, 19 * mib}},
		{"the budget is full", 40 * mib, 8, 2, []int64{19 * mib, 19 * mib, 19 * mib, 1}},
		{"an oversize hash runs", 40 * mib, 8, 1, []int64{100 * mib, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPool(tc.budget, tc.maxRun, tc.queue)
			var jobs []*job
			for _, c := range tc.costs {
				jobs = append(jobs, launch(t, p, context.Background(), c))
			}
			require.Equal(t, tc.queue, p.state().waiting)
			for _, cost := range []int64{1, 19 * mib, 1 << 40} {
				err := p.do(context.Background(), cost, func() { t.Error("ran over the queue") })
				var rl *RateLimitError
				require.ErrorAs(t, err, &rl)
				assert.ErrorIs(t, err, ErrTooManyRequests)
				assert.Equal(t, poolRetry, rl.RetryAfter)
			}
			for _, j := range jobs {
				j.finish(t)
			}
			assert.Equal(t, poolState{}, p.state())
		})
	}
}

// TestPoolContext: a caller whose context ends while it waits leaves the
// queue with the context's error, its hash not run, and those behind it
// move up.
func TestPoolContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		// byItself: the context ends without cancel (or already has).
		byItself bool
		want     error
	}{
		{"cancelled before it arrives", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, true, context.Canceled},
		{"deadline while waiting", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 10*time.Millisecond)
		}, true, context.DeadlineExceeded},
		{"cancelled at the head of the queue", func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, false, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPool(40*mib, 8, 4)
			running := launch(t, p, context.Background(), 19*mib)
			ctx, cancel := tc.ctx()
			defer cancel()
			// The expensive caller waits for room.
			done := make(chan error, 1)
			go func() { done <- p.do(ctx, 38*mib, func() { t.Error("ran after its context ended") }) }()
			var behind *job
			if tc.byItself {
				require.ErrorIs(t, <-done, tc.want)
				behind = launch(t, p, context.Background(), 19*mib)
			} else {
				require.Eventually(t, func() bool { return p.state().waiting == 1 }, 10*time.Second, time.Millisecond)
				// A cheap caller behind it would fit now, but keeps its
				// place in line until the expensive one gives up.
				behind = launch(t, p, context.Background(), 19*mib)
				assert.Equal(t, poolState{1, 19 * mib, 2}, p.state())
				cancel()
				require.ErrorIs(t, <-done, tc.want)
			}
			waitClosed(t, behind.started, "the start of the caller behind")
			assert.Equal(t, poolState{2, 38 * mib, 0}, p.state())
			running.finish(t)
			behind.finish(t)
			assert.Equal(t, poolState{}, p.state())
		})
	}
}

// TestPoolStress runs many callers of random costs, some giving up, and
// checks the bounds inside every hash and an idle pool at the end. Run it
// with -race.
func TestPoolStress(t *testing.T) {
	t.Parallel()
	const budget, maxRun = 100 * mib, 3
	p := newPool(budget, maxRun, 64)
	rec := &poolRecorder{}
	p.obs = rec
	var (
		mu        sync.Mutex
		running   int
		used      int64
		ran, gave int
		refused   int
	)
	var wg sync.WaitGroup
	for i := range 400 {
		cost := []int64{1, 19 * mib, 40 * mib, 150 * mib}[i%4]
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(5000))*time.Microsecond)
			defer cancel()
			err := p.do(ctx, cost, func() {
				mu.Lock()
				running++
				used += cost
				if cost > budget {
					assert.Equal(t, 1, running, "an oversize hash runs alone")
				} else {
					assert.LessOrEqual(t, used, int64(budget))
				}
				assert.LessOrEqual(t, running, maxRun)
				mu.Unlock()
				time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
				mu.Lock()
				running--
				used -= cost
				ran++
				mu.Unlock()
			})
			mu.Lock()
			defer mu.Unlock()
			var rl *RateLimitError
			switch {
			case err == nil:
			case errors.As(err, &rl):
				refused++
			default:
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				gave++
			}
		})
	}
	wg.Wait()
	t.Logf("ran %d, gave up %d, refused %d", ran, gave, refused)
	assert.Equal(t, 400, ran+gave+refused)
	assert.Equal(t, poolState{}, p.state())
	assert.Equal(t, [2]int{0, 0}, rec.last())
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, refused, rec.refused)
	assert.Equal(t, ran, rec.waits)
}

func TestDefaultHashMemoryBudget(t *testing.T) {
	// Not parallel: it sets the process's memory limit.
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	tests := []struct {
		name  string
		limit int64
		want  int64
	}{
		{"no memory limit", 1<<63 - 1, 64 * mib},
		{"a quarter of a 128 MiB limit", 128 * mib, 32 * mib},
		{"64 MiB under a 4 GiB limit", 4 << 30, 64 * mib},
		{"a quarter of a 256 MiB limit is 64 MiB", 256 * mib, 64 * mib},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(tc.limit)
			assert.Equal(t, tc.want, DefaultHashMemoryBudget())
		})
	}
}

// TestPoolConfig checks the pool a Service builds from its Limits.
func TestPoolConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		limits Limits
		want   [3]int64 // budget, maxRun, queue
	}{
		{"defaults", Limits{}, [3]int64{DefaultHashMemoryBudget(), int64(DefaultHashConcurrency()), DefaultHashQueue}},
		{"given", Limits{HashMemoryBudget: 512 * mib, HashConcurrency: 3, HashQueue: 10}, [3]int64{512 * mib, 3, 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := poolService(t, tc.limits)
			assert.Equal(t, tc.want, [3]int64{s.pool.budget, int64(s.pool.maxRun), int64(s.pool.queue)})
			assert.Equal(t, int64(64<<10), s.hashCost, "the test policy's argon2id of 64 KiB")
		})
	}
}

// poolService is a Service with limits and a cheap argon2id policy (64 KiB).
func poolService(t testing.TB, limits Limits) *Service {
	t.Helper()
	h, err := hash.New(hash.Config{InsecureAllowWeakParameters: true, Argon2: hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1}})
	require.NoError(t, err)
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	s, err := New(t.Context(), st, Config{SealingKey: []byte("0123456789abcdef0123456789abcdef"), Hasher: h, Limits: limits})
	require.NoError(t, err)
	return s
}

func TestPoolConfigInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		limits Limits
	}{
		{"negative memory budget", Limits{HashMemoryBudget: -1}},
		{"negative concurrency", Limits{HashConcurrency: -1}},
		{"negative queue", Limits{HashQueue: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(t.Context(), memstore.New(), Config{SealingKey: []byte("0123456789abcdef0123456789abcdef"), Limits: tc.limits})
			require.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}
func TestRetryAfterRoundsUp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want time.Duration }{
		{0, time.Second},
		{-time.Hour, time.Second},
		{time.Millisecond, time.Second},
		{1500 * time.Millisecond, 2 * time.Second},
		{30 * time.Minute, 30 * time.Minute},
	} {
		t.Run(tc.in.String(), func(t *testing.T) {
			assert.Equal(t, tc.want, retryAfter(tc.in).RetryAfter)
		})
	}
}
