package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

// hangingStore blocks counter reads until their context ends while hang
// is set.
type hangingStore struct {
	failingStore
	hang chan struct{} // closed: reads answer again
}

func (h *hangingStore) Counter(ctx context.Context, key string, now time.Time) (store.Counter, error) {
	select {
	case <-h.hang:
		return h.failingStore.Counter(ctx, key, now)
	case <-ctx.Done():
		return store.Counter{}, ctx.Err()
	}
}

func TestReady(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(fs *hangingStore)
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"store answers", func(*hangingStore) {}, nil, nil},
		{"store fails", func(fs *hangingStore) { fs.fail.Store(true) }, nil, errBroken},
		{"store hangs", func(fs *hangingStore) { fs.hang = make(chan struct{}) }, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			open := make(chan struct{})
			close(open)
			fs := &hangingStore{failingStore: failingStore{Store: memstore.New()}, hang: open}
			t.Cleanup(func() { _ = fs.Close() })
			e := newEnvOn(t, fs)
			tc.prepare(fs)
			rctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				rctx, cancel = tc.ctx()
			}
			defer cancel()
			err := e.svc.Ready(rctx)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, auth.ErrUnavailable)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, "UNAVAILABLE", auth.CodeOf(err))
		})
	}
}

// TestReadyTimeout checks that Ready gives up after ReadyTimeout by itself.
func TestReadyTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for ReadyTimeout")
	}
	t.Parallel()
	fs := &hangingStore{failingStore: failingStore{Store: memstore.New()}, hang: make(chan struct{})}
	t.Cleanup(func() { _ = fs.Close() })
	close(fs.hang) // auth.New reads keys, not counters; close late anyway
	e := newEnvOn(t, fs)
	fs.hang = make(chan struct{})
	err := e.svc.Ready(context.Background())
	require.ErrorIs(t, err, auth.ErrUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
