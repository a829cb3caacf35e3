package sqlstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
)

// TestOutOfRangeTimes checks the one limit of this backend that the
// conformance suite cannot know: times that do not fit in int64 Unix
// microseconds are ErrInvalid, never stored as another instant.
func TestOutOfRangeTimes(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		require.NoError(t, s.CreateUser(ctx, &store.User{ID: "u1", Username: "a"}))
		far := time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
		long := time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC)
		tests := []struct {
			name string
			call func() error
		}{
			{"CreateUser far future", func() error {
				return s.CreateUser(ctx, &store.User{ID: "u2", Username: "b", CreatedAt: far})
			}},
			{"CreateUser long past", func() error {
				return s.CreateUser(ctx, &store.User{ID: "u2", Username: "b", UpdatedAt: long})
			}},
			{"SetLastLogin far future", func() error { return s.SetLastLogin(ctx, "u1", far) }},
			{"CreateAPIToken far expiry", func() error {
				return s.CreateAPIToken(ctx, &store.APIToken{ID: "t1", UserID: "u1", Digest: "d", ExpiresAt: far}, 0)
			}},
			{"Ban far future", func() error { return s.Ban(ctx, "k", far) }},
			{"RevokeToken far future", func() error { return s.RevokeToken(ctx, "j1", far) }},
			{"CreateSession far expiry", func() error {
				return s.CreateSession(ctx, &store.Session{ID: "s1", UserID: "u1", IdleTimeout: time.Hour, ExpiresAt: far,
					RefreshSeq: 1}, "r1", 0)
			}},
			{"CreateSession long past auth time", func() error {
				return s.CreateSession(ctx, &store.Session{ID: "s1", UserID: "u1", IdleTimeout: time.Hour,
					ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), AuthTime: long, RefreshSeq: 1}, "r1", 0)
			}},
			{"CreatePasskey far last use", func() error {
				return s.CreatePasskey(ctx, &store.PasskeyCredential{ID: "p1", UserID: "u1", CredentialID: []byte("c"),
					PublicKey: []byte("k"), LastUsedAt: far}, 0)
			}},
			{"RecordPasskeyUse long past", func() error { return s.RecordPasskeyUse(ctx, "p0", 0, 1, false, long) }},
		}
		require.NoError(t, s.CreatePasskey(ctx, &store.PasskeyCredential{ID: "p0", UserID: "u1", CredentialID: []byte("c0"),
			PublicKey: []byte("k")}, 0))
		for _, tc := range tests {
			require.ErrorIs(t, tc.call(), store.ErrInvalid, tc.name)
		}
		d, err := s.Dump(ctx)
		require.NoError(t, err)
		require.Len(t, d.Users, 1, "nothing written")
		require.Empty(t, d.APITokens, "nothing written")
		require.Empty(t, d.Sessions, "nothing written")
		require.Len(t, d.Passkeys, 1, "nothing written")
		require.Zero(t, d.Passkeys[0].SignCount, "nothing written")
		require.True(t, d.Passkeys[0].LastUsedAt.IsZero(), "nothing written")
		u, err := s.User(ctx, "u1")
		require.NoError(t, err)
		require.True(t, u.LastLoginAt.IsZero(), "nothing written")
		c, err := s.Counter(ctx, "k", time.Now())
		require.NoError(t, err)
		require.Equal(t, store.Counter{Key: "k"}, c)
		revoked, err := s.IsRevoked(ctx, "j1")
		require.NoError(t, err)
		require.False(t, revoked)
	})
}
