package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// feedWait bounds the wait for one change in RunChanges; a failure bound,
// not the promise (feeds deliver within milliseconds; the auth tests
// measure it).
const feedWait = 10 * time.Second

// RunChanges checks a [store.ChangeFeed]: newPair returns two handles on
// one fresh, empty database (the same handle twice for an in-process
// store). Each change that may affect authentication, made through the
// first handle, is delivered to a subscriber on the second, which also
// gets a ChangeSync at least every store.ChangeSyncInterval; closing the
// second handle closes the channel. The test is skipped when the store
// has no feed.
func RunChanges(t *testing.T, newPair func(t *testing.T) (store.Store, store.Store)) {
	t.Helper()
	runChanges(testingT{t}, func(t tb) (store.Store, store.Store) { return newPair(t.(testingT).T) })
}

// runChanges is RunChanges for any tb.
func runChanges(t tb, newPair func(t tb) (store.Store, store.Store)) {
	t.Helper()
	ctx := context.Background()
	a, b := newPair(t)
	feed, ok := b.(store.ChangeFeed)
	if !ok {
		t.Skip("the store has no change feed")
	}
	ch, err := feed.Changes(ctx)
	require.NoError(t, err, "Changes")

	// A sync comes first, then one at least every interval.
	first := next(t, ch, func(c store.Change) bool { return c.Kind == store.ChangeSync })
	second := next(t, ch, func(c store.Change) bool { return c.Kind == store.ChangeSync && c.At.After(first.At) })
	assert.False(t, second.At.Before(first.At), "syncs move forward")

	u := mustUser(t, a, "u1")
	mustUser(t, a, "u2")
	tok := mustToken(t, a, "t1", "u1")
	for _, id := range []string{"s1", "s2", "s3"} {
		require.NoError(t, a.CreateSession(ctx, session(id, "u1"), refresh(id, 1), 0))
	}
	require.NoError(t, a.AddSigningKey(ctx, key("k1", t0)))

	rows := []struct {
		name string
		do   func(t tb)
		want store.Change
	}{
		{"UpdateUser", func(t tb) {
			u.Disabled = true
			require.NoError(t, a.UpdateUser(ctx, u))
		}, store.Change{Kind: store.ChangeUser, Key: "u1"}},
		{"SwapPasswordHash", func(t tb) {
			require.NoError(t, a.SwapPasswordHash(ctx, "u1", u.PasswordHash, u.PasswordHash+"x", at(time.Minute)))
		}, store.Change{Kind: store.ChangeUser, Key: "u1"}},
		{"DeleteAPIToken", func(t tb) {
			require.NoError(t, a.DeleteAPIToken(ctx, "u1", tok.ID))
		}, store.Change{Kind: store.ChangeAPIToken, Key: tok.Digest}},
		{"RotateRefreshToken", func(t tb) {
			_, _, rot, err := a.RotateRefreshToken(ctx, refresh("s1", 1), refresh("s1", 2), at(time.Minute), 0)
			require.NoError(t, err)
			require.Equal(t, store.Rotated, rot)
		}, store.Change{Kind: store.ChangeSession, Key: "s1"}},
		{"DeleteSession", func(t tb) {
			require.NoError(t, a.DeleteSession(ctx, "u1", "s2"))
		}, store.Change{Kind: store.ChangeSession, Key: "s2"}},
		{"DeleteUserSessions", func(t tb) {
			_, err := a.DeleteUserSessions(ctx, "u1")
			require.NoError(t, err)
		}, store.Change{Kind: store.ChangeSession, Key: "s3"}},
		{"RevokeToken", func(t tb) {
			require.NoError(t, a.RevokeToken(ctx, "jti-1", at(time.Hour)))
		}, store.Change{Kind: store.ChangeRevocation, Key: "jti-1"}},
		{"AddSigningKey", func(t tb) {
			require.NoError(t, a.AddSigningKey(ctx, key("k2", at(time.Second))))
		}, store.Change{Kind: store.ChangeKeys}},
		{"DeleteSigningKey", func(t tb) {
			require.NoError(t, a.DeleteSigningKey(ctx, "k1"))
		}, store.Change{Kind: store.ChangeKeys}},
		{"ResetSigningKeys", func(t tb) {
			require.NoError(t, a.ResetSigningKeys(ctx, key("k3", at(2*time.Second))))
		}, store.Change{Kind: store.ChangeKeys}},
		{"Restore", func(t tb) {
			d, err := a.Dump(ctx)
			require.NoError(t, err)
			require.NoError(t, a.Restore(ctx, d))
		}, store.Change{Kind: store.ChangeReset}},
		{"DeleteUser", func(t tb) {
			require.NoError(t, a.DeleteUser(ctx, "u2"))
		}, store.Change{Kind: store.ChangeUser, Key: "u2"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t tb) {
			start := time.Now()
			r.do(t)
			next(t, ch, func(c store.Change) bool { return c.Kind == r.want.Kind && c.Key == r.want.Key })
			t.Logf("%s seen after %v", r.want.Kind, time.Since(start))
		})
	}

	t.Run("Close", func(t tb) {
		require.NoError(t, b.Close())
		deadline := time.After(feedWait)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("the channel was not closed with the store")
			}
		}
	})
}

// next returns the first change on ch that match accepts, failing t when
// none comes within feedWait or the channel closes.
func next(t tb, ch <-chan store.Change, match func(store.Change) bool) store.Change {
	t.Helper()
	deadline := time.After(feedWait)
	for {
		select {
		case c, ok := <-ch:
			require.True(t, ok, "the feed closed")
			if match(c) {
				return c
			}
		case <-deadline:
			t.Fatalf("no matching change within %v", feedWait)
		}
	}
}
