package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func (x suite) signingKeys(t tb) {
	x.run(t, "Order", func(t tb, s store.Store) {
		ctx := t.Context()
		list, err := s.SigningKeys(ctx)
		require.NoError(t, err)
		assert.Empty(t, list, "an empty store has no keys")

		b := key("b", at(2*time.Hour))
		c := key("c", at(time.Hour))
		a := key("a", at(time.Hour))
		z := key("z", at(-time.Hour))
		for _, k := range []*store.SigningKey{b, c, a, z} {
			require.NoError(t, s.AddSigningKey(ctx, k))
		}
		list, err = s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{z, a, c, b}, list, "oldest first, ties by ID")
	})

	x.run(t, "ConflictAndDelete", func(t tb, s store.Store) {
		ctx := t.Context()
		a := key("a", t0)
		require.NoError(t, s.AddSigningKey(ctx, a))
		other := key("a", at(time.Hour))
		other.Sealed = []byte("other")
		require.ErrorIs(t, s.AddSigningKey(ctx, other), store.ErrConflict)
		list, err := s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{a}, list, "the first key is unchanged")

		notFound(t, s.DeleteSigningKey(ctx, "missing"))
		notFound(t, s.DeleteSigningKey(ctx, "A"), "IDs are compared exactly")
		require.NoError(t, s.DeleteSigningKey(ctx, "a"))
		notFound(t, s.DeleteSigningKey(ctx, "a"), "second delete")
		list, err = s.SigningKeys(ctx)
		require.NoError(t, err)
		assert.Empty(t, list)
	})

	x.run(t, "Reset", func(t tb, s store.Store) {
		ctx := t.Context()
		for _, id := range []string{"a", "b", "c"} {
			require.NoError(t, s.AddSigningKey(ctx, key(id, t0)))
		}
		n := key("n", at(time.Hour))
		require.NoError(t, s.ResetSigningKeys(ctx, n))
		list, err := s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{n}, list, "only the new key remains")

		b := key("b", at(2*time.Hour))
		require.NoError(t, s.ResetSigningKeys(ctx, b), "reusing an old ID")
		again := key("b", at(3*time.Hour))
		again.Sealed = []byte("again")
		require.NoError(t, s.ResetSigningKeys(ctx, again), "reusing the current ID")
		list, err = s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{again}, list)

		bad := key("x", t0)
		bad.Sealed = nil
		require.ErrorIs(t, s.ResetSigningKeys(ctx, bad), store.ErrInvalid)
		list, err = s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{again}, list, "a refused reset deletes nothing")
	})
}

func (x suite) revocations(t tb) {
	x.run(t, "RevokeAndExpire", func(t tb, s store.Store) {
		ctx := t.Context()
		revoked := func(jti string) bool {
			t.Helper()
			ok, err := s.IsRevoked(ctx, jti)
			require.NoError(t, err, "IsRevoked %q", jti)
			return ok
		}
		require.False(t, revoked("j1"), "nothing revoked yet")
		now := at(time.Hour)
		for jti, exp := range map[string]time.Time{
			"past":  at(-time.Hour),
			"now":   now,
			"after": now.Add(time.Microsecond),
			"later": at(2 * time.Hour),
		} {
			require.NoError(t, s.RevokeToken(ctx, jti, exp))
			require.NoError(t, s.RevokeToken(ctx, jti, exp), "revoking twice is not an error")
		}
		for _, jti := range []string{"past", "now", "after", "later"} {
			require.True(t, revoked(jti), "%s is revoked until it is forgotten", jti)
		}
		require.False(t, revoked("PAST"), "jti are compared exactly")

		require.NoError(t, s.DeleteExpiredRevocations(ctx, now))
		assert.False(t, revoked("past"))
		assert.False(t, revoked("now"), "expired at now")
		assert.True(t, revoked("after"))
		assert.True(t, revoked("later"))
	})

	// A second revocation must not shorten the first: the token stays
	// revoked until the later of the two expiries.
	x.run(t, "RevokeAgainKeepsLaterExpiry", func(t tb, s store.Store) {
		ctx := t.Context()
		require.NoError(t, s.RevokeToken(ctx, "longer-first", at(2*time.Hour)))
		require.NoError(t, s.RevokeToken(ctx, "longer-first", at(time.Hour)))
		require.NoError(t, s.RevokeToken(ctx, "shorter-first", at(time.Hour)))
		require.NoError(t, s.RevokeToken(ctx, "shorter-first", at(2*time.Hour)))
		require.NoError(t, s.DeleteExpiredRevocations(ctx, at(90*time.Minute)))
		for _, jti := range []string{"longer-first", "shorter-first"} {
			ok, err := s.IsRevoked(ctx, jti)
			require.NoError(t, err)
			assert.True(t, ok, "%s is revoked until the later expiry", jti)
		}
		require.NoError(t, s.DeleteExpiredRevocations(ctx, at(2*time.Hour)))
		for _, jti := range []string{"longer-first", "shorter-first"} {
			ok, err := s.IsRevoked(ctx, jti)
			require.NoError(t, err)
			assert.False(t, ok, "%s forgotten after the later expiry", jti)
		}
	})
}
