package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// poolRecorder records the pool's reports.
type poolRecorder struct {
	NopObserver
	mu      sync.Mutex
	states  [][2]int
	refused int
	waits   int
}

func (r *poolRecorder) HashPool(running, queued int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, [2]int{running, queued})
}

func (r *poolRecorder) HashPoolRefused() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refused++
}

func (r *poolRecorder) HashWait(time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits++
}

func (r *poolRecorder) last() [2]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.states) == 0 {
		return [2]int{}
	}
	return r.states[len(r.states)-1]
}

// TestPoolReports fills a pool of one slot and one queue place, checks the
// occupancy reported at each step, a refusal, and the idle state at the end.
func TestPoolReports(t *testing.T) {
	t.Parallel()
	rec := &poolRecorder{}
	p := newPool(128<<20, 1, 1)
	p.obs = rec
	hold := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		assert.NoError(t, p.do(context.Background(), 1, func() { close(started); <-hold }))
	})
	<-started
	assert.Equal(t, [2]int{1, 0}, rec.last())
	wg.Go(func() { assert.NoError(t, p.do(context.Background(), 1, func() {})) })
	require.Eventually(t, func() bool { return rec.last() == [2]int{1, 1} }, 10*time.Second, time.Millisecond)

	var rl *RateLimitError
	require.ErrorAs(t, p.do(context.Background(), 1, func() { t.Error("ran over the queue") }), &rl)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The queue is full, so a cancelled caller is refused too, not queued.
	require.ErrorAs(t, p.do(ctx, 1, func() {}), &rl)

	close(hold)
	wg.Wait()
	assert.Equal(t, [2]int{0, 0}, rec.last())
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, 2, rec.refused)
	assert.Equal(t, 2, rec.waits)
	for _, s := range rec.states {
		assert.GreaterOrEqual(t, s[0], 0)
		assert.LessOrEqual(t, s[0], 1)
		assert.GreaterOrEqual(t, s[1], 0)
		assert.LessOrEqual(t, s[1], 1)
	}
}

// TestPoolCancelledWhileWaiting checks that a caller that gives up in the
// queue leaves it.
func TestPoolCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	rec := &poolRecorder{}
	p := newPool(128<<20, 1, 1)
	p.obs = rec
	hold := make(chan struct{})
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.do(context.Background(), 1, func() { close(started); <-hold })
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.do(ctx, 1, func() {}), context.DeadlineExceeded)
	assert.Equal(t, [2]int{1, 0}, rec.last())
	close(hold)
	<-done
	assert.Equal(t, [2]int{0, 0}, rec.last())
}
