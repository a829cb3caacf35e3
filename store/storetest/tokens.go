package storetest

import (
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func (x suite) apiTokens(t tb) {
	x.run(t, "CreateAndLookUp", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		// Created out of order: ListAPITokens is oldest first.
		t2 := token("t2", "u1")
		t2.CreatedAt = at(2 * time.Minute)
		t1 := token("t1", "u1")
		t1.CreatedAt = at(time.Minute)
		t1.LastUsedAt = at(90 * time.Second)
		t3 := token("t3", "u1")
		t3.CreatedAt = at(3 * time.Minute)
		t3.ExpiresAt = time.Time{} // never
		t3.Permissions = nil
		for _, tok := range []*store.APIToken{t2, t3, t1} {
			require.NoError(t, s.CreateAPIToken(ctx, tok, 0))
		}
		other := mustToken(t, s, "o1", "u2")

		for _, want := range []*store.APIToken{t1, t2, t3, other} {
			got, err := s.APITokenByDigest(ctx, want.Digest)
			require.NoError(t, err, "APITokenByDigest %s", want.ID)
			equalToken(t, want, got)
		}
		list, err := s.ListAPITokens(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 3)
		for i, want := range []*store.APIToken{t1, t2, t3} {
			equalToken(t, want, &list[i], "ListAPITokens[%d], oldest first", i)
		}
		assert.Equal(t, []string{"o1"}, tokenIDs(t, s, "u2"))
		assert.Empty(t, tokenIDs(t, s, "nobody"), "a missing user has no tokens")
	})

	x.run(t, "DigestLookupIsExact", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		tok := token("t1", "u1")
		tok.Digest = "abcdef0123"
		require.NoError(t, s.CreateAPIToken(ctx, tok, 0))
		for _, d := range []string{"ABCDEF0123", "abcdef012", "abcdef01234", "abcdef0123 ", "", "%", "abcdef012_"} {
			_, err := s.APITokenByDigest(ctx, d)
			notFound(t, err, "digest %q", d)
		}
		_, err := s.APITokenByDigest(ctx, "abcdef0123")
		require.NoError(t, err)
	})

	x.run(t, "WithOwner", func(t tb, s store.Store) {
		ctx := t.Context()
		u1 := mustUser(t, s, "u1")
		u2 := user("u2")
		u2.Permissions = []string{"read"}
		u2.AllowedIPs = []string{"192.0.2.0/24"}
		u2.Disabled = true
		u2.Generation = 7
		require.NoError(t, s.CreateUser(ctx, u2))
		t1 := mustToken(t, s, "t1", "u1")
		t2 := mustToken(t, s, "t2", "u2")
		for _, c := range []struct {
			tok   *store.APIToken
			owner *store.User
		}{{t1, u1}, {t2, u2}} {
			gotT, gotU, err := s.APITokenWithOwner(ctx, c.tok.Digest)
			require.NoError(t, err, "APITokenWithOwner %s", c.tok.ID)
			equalToken(t, c.tok, gotT, "the token, as APITokenByDigest returns it")
			equalUser(t, c.owner, gotU, "its owner, as User returns it")
		}
		for _, d := range []string{"", "missing", strings.ToUpper(t1.Digest), t1.Digest + " "} {
			gotT, gotU, err := s.APITokenWithOwner(ctx, d)
			notFound(t, err, "digest %q", d)
			assert.Nil(t, gotT)
			assert.Nil(t, gotU)
		}
		require.NoError(t, s.DeleteAPIToken(ctx, "u1", "t1"))
		_, _, err := s.APITokenWithOwner(ctx, t1.Digest)
		notFound(t, err, "deleted token")
		require.NoError(t, s.DeleteUser(ctx, "u2"))
		_, _, err = s.APITokenWithOwner(ctx, t2.Digest)
		notFound(t, err, "deleted owner")
	})

	x.run(t, "CreateRefused", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		first := mustToken(t, s, "t1", "u1")
		tests := []struct {
			name string
			tok  func() *store.APIToken
			want error
		}{
			{"unknown owner", func() *store.APIToken { return token("t9", "nobody") }, store.ErrNotFound},
			{"same ID", func() *store.APIToken {
				k := token("t1", "u1")
				k.Digest = "other"
				return k
			}, store.ErrConflict},
			{"same ID other owner", func() *store.APIToken {
				k := token("t1", "u2")
				k.Digest = "other"
				return k
			}, store.ErrConflict},
			{"same digest", func() *store.APIToken {
				k := token("t9", "u1")
				k.Digest = first.Digest
				return k
			}, store.ErrConflict},
			{"same digest other owner", func() *store.APIToken {
				k := token("t9", "u2")
				k.Digest = first.Digest
				return k
			}, store.ErrConflict},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				require.ErrorIs(t, s.CreateAPIToken(ctx, tc.tok(), 0), tc.want)
				assert.Equal(t, []string{"t1"}, tokenIDs(t, s, "u1"))
				assert.Empty(t, tokenIDs(t, s, "u2"))
				got, err := s.APITokenByDigest(ctx, first.Digest)
				require.NoError(t, err)
				equalToken(t, first, got, "the existing token is unchanged")
			})
		}
	})

	x.run(t, "Cap", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		for _, id := range []string{"a", "b", "c"} {
			require.NoError(t, s.CreateAPIToken(ctx, token(id, "u1"), 3), "token %s under the cap", id)
		}
		require.ErrorIs(t, s.CreateAPIToken(ctx, token("d", "u1"), 3), store.ErrLimitReached)
		require.ErrorIs(t, s.CreateAPIToken(ctx, token("d", "u1"), 1), store.ErrLimitReached, "a lower cap")
		_, err := s.APITokenByDigest(ctx, "digest-d")
		notFound(t, err, "the refused token was not stored")
		require.NoError(t, s.CreateAPIToken(ctx, token("e", "u2"), 3), "the cap is per owner")

		require.NoError(t, s.DeleteAPIToken(ctx, "u1", "b"))
		require.NoError(t, s.CreateAPIToken(ctx, token("d", "u1"), 3), "room after a delete")
		require.ErrorIs(t, s.CreateAPIToken(ctx, token("f", "u1"), 3), store.ErrLimitReached)

		for _, id := range []string{"f", "g", "h"} {
			require.NoError(t, s.CreateAPIToken(ctx, token(id, "u1"), 0), "cap 0 means no cap")
		}
		require.NoError(t, s.CreateAPIToken(ctx, token("i", "u1"), -1), "a negative cap means no cap")
		assert.ElementsMatch(t, []string{"a", "c", "d", "f", "g", "h", "i"}, tokenIDs(t, s, "u1"))
	})

	x.run(t, "Delete", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		tok := mustToken(t, s, "t1", "u1")
		mustToken(t, s, "t2", "u1")

		notFound(t, s.DeleteAPIToken(ctx, "u2", "t1"), "another user's token")
		got, err := s.APITokenByDigest(ctx, tok.Digest)
		require.NoError(t, err, "still there")
		equalToken(t, tok, got)
		notFound(t, s.DeleteAPIToken(ctx, "u1", "missing"))

		require.NoError(t, s.DeleteAPIToken(ctx, "u1", "t1"))
		_, err = s.APITokenByDigest(ctx, tok.Digest)
		notFound(t, err, "deleted")
		notFound(t, s.DeleteAPIToken(ctx, "u1", "t1"), "second delete")
		assert.Equal(t, []string{"t2"}, tokenIDs(t, s, "u1"))
		mustToken(t, s, "t1", "u1") // ID and digest are free again
	})

	x.run(t, "TouchOnlyMovesForward", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		tok := mustToken(t, s, "t1", "u1")
		lastUsed := func() time.Time {
			t.Helper()
			got, err := s.APITokenByDigest(ctx, tok.Digest)
			require.NoError(t, err)
			return got.LastUsedAt
		}
		require.True(t, lastUsed().IsZero(), "never used")
		steps := []struct {
			name string
			at   time.Time
			want time.Time
		}{
			{"first use", at(time.Hour), at(time.Hour)},
			{"later", at(2 * time.Hour), at(2 * time.Hour)},
			{"earlier is ignored", at(90 * time.Minute), at(2 * time.Hour)},
			{"same", at(2 * time.Hour), at(2 * time.Hour)},
			{"zero is ignored", time.Time{}, at(2 * time.Hour)},
			{"a microsecond later", at(2*time.Hour + time.Microsecond), at(2*time.Hour + time.Microsecond)},
		}
		for _, st := range steps {
			require.NoError(t, s.TouchAPIToken(ctx, "t1", st.at), st.name)
			assert.Equal(t, st.want, lastUsed(), st.name)
		}
		notFound(t, s.TouchAPIToken(ctx, "missing", at(time.Hour)))
	})
}
