package auth

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolBounds(t *testing.T) {
	t.Parallel()
	p := newPool(1, 1)
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan error, 2)
	go func() { done <- p.do(context.Background(), func() { close(started); <-release }) }()
	<-started
	// One waits in the queue...
	waiting := make(chan struct{})
	go func() {
		done <- p.do(context.Background(), func() { close(waiting) })
	}()
	require.Eventually(t, func() bool { return len(p.admit) == 2 }, time.Second, time.Millisecond)
	// ...and the next is refused at once.
	ran := false
	err := p.do(context.Background(), func() { ran = true })
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.ErrorIs(t, err, ErrTooManyRequests)
	assert.Equal(t, time.Second, rl.RetryAfter)
	assert.False(t, ran)
	close(release)
	require.NoError(t, <-done)
	require.NoError(t, <-done)
	<-waiting
	assert.Empty(t, p.admit)
	assert.Empty(t, p.run)
}

func TestPoolContext(t *testing.T) {
	t.Parallel()
	p := newPool(1, 4)
	release := make(chan struct{})
	started := make(chan struct{})
	go func() { _ = p.do(context.Background(), func() { close(started); <-release }) }()
	<-started
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := p.do(cctx, func() { ran = true })
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, ran)
	close(release)
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
