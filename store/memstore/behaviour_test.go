package memstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

// Counters whose window ended are dropped as new keys arrive, so a stream
// of one-off keys (client addresses) does not grow memory without bound.
func TestDeadCountersAreSwept(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	ctx := t.Context()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.Ban(ctx, "banned", t0.Add(24*time.Hour)))
	peak := 0
	for i := range 20000 {
		now := t0.Add(time.Duration(i) * time.Second)
		_, err := s.Hit(ctx, fmt.Sprintf("ip:%d", i), 1, 10*time.Second, now)
		require.NoError(t, err)
		peak = max(peak, s.NumCounters())
	}
	assert.LessOrEqual(t, peak, 2*1024+10, "dead counters are swept")
	now := t0.Add(20000 * time.Second)
	got, err := s.Counter(ctx, "banned", now)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(24*time.Hour), got.BannedUntil, "a live ban is never swept")
	got, err = s.Counter(ctx, "ip:19999", now.Add(-time.Second))
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Count, "a live window is never swept")
}

// DeleteDeadCounters frees every dead counter at once, whatever the size of
// the map, and keeps the live ones.
func TestDeleteDeadCountersFrees(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	ctx := t.Context()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		_, err := s.Hit(ctx, fmt.Sprintf("ip:%d", i), 1, time.Minute, t0)
		require.NoError(t, err)
	}
	_, err := s.Hit(ctx, "live", 1, time.Hour, t0)
	require.NoError(t, err)
	require.NoError(t, s.Ban(ctx, "banned", t0.Add(time.Hour)))
	require.Equal(t, 102, s.NumCounters())
	require.NoError(t, s.DeleteDeadCounters(ctx, t0.Add(time.Minute)))
	assert.Equal(t, 2, s.NumCounters(), "only the live window and the live ban remain")
}

func TestErrClosed(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice")
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateUser", func() error { return s.CreateUser(t.Context(), &store.User{ID: "u", Username: "u"}) }},
		{"ListUsers", func() error { _, _, err := s.ListUsers(t.Context(), 10, ""); return err }},
		{"Restore", func() error { return s.Restore(t.Context(), &store.Dump{}) }},
		{"Hit", func() error { _, err := s.Hit(t.Context(), "k", 1, time.Minute, time.Now()); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), memstore.ErrClosed)
		})
	}
}

// Two stores share nothing.
func TestStoresAreIndependent(t *testing.T) {
	t.Parallel()
	a, b := memstore.New(), memstore.New()
	require.NoError(t, a.CreateUser(t.Context(), &store.User{ID: "u", Username: "u"}))
	_, err := b.User(t.Context(), "u")
	require.ErrorIs(t, err, store.ErrNotFound)
}
