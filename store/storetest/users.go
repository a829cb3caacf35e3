package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func (x suite) users(t tb) {
	x.run(t, "CreateAndLookUp", func(t tb, s store.Store) {
		ctx := t.Context()
		u := user("u1")
		u.LastLoginAt = at(2 * time.Minute)
		require.NoError(t, s.CreateUser(ctx, u))

		got, err := s.User(ctx, "u1")
		require.NoError(t, err)
		equalUser(t, u, got, "User")
		got, err = s.UserByUsername(ctx, "USER-U1")
		require.NoError(t, err)
		equalUser(t, u, got, "UserByUsername with other case")
		assert.Equal(t, "User-u1", got.Username, "the stored username keeps its case")
		got, err = s.UserByEmail(ctx, "user-u1@EXAMPLE.COM")
		require.NoError(t, err)
		equalUser(t, u, got, "UserByEmail with other case")
		assert.Equal(t, "User-u1@Example.com", got.Email, "the stored email keeps its case")
	})

	x.run(t, "NotFound", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		noEmail := user("u2")
		noEmail.Email = ""
		require.NoError(t, s.CreateUser(ctx, noEmail))

		_, err := s.User(ctx, "missing")
		notFound(t, err, "User")
		_, err = s.User(ctx, "U1")
		notFound(t, err, "User: IDs are compared exactly")
		_, err = s.UserByUsername(ctx, "missing")
		notFound(t, err, "UserByUsername")
		_, err = s.UserByUsername(ctx, "User-u")
		notFound(t, err, "UserByUsername of a prefix")
		_, err = s.UserByEmail(ctx, "missing@example.com")
		notFound(t, err, "UserByEmail")
		_, err = s.UserByEmail(ctx, "")
		notFound(t, err, "UserByEmail of the empty email, although a user has none")

		missing := user("missing")
		notFound(t, s.UpdateUser(ctx, missing), "UpdateUser")
		notFound(t, s.SwapPasswordHash(ctx, "missing", "", "new", t0), "SwapPasswordHash")
		notFound(t, s.SetLastLogin(ctx, "missing", t0), "SetLastLogin")
		notFound(t, s.DeleteUser(ctx, "missing"), "DeleteUser")
		assert.ElementsMatch(t, []string{"u1", "u2"}, userIDs(t, s), "no call created a user")
	})

	x.run(t, "Conflict", func(t tb, s store.Store) {
		ctx := t.Context()
		base := user("u1")
		base.Username = "Élodie"
		base.Email = "Kim@Example.COM"
		require.NoError(t, s.CreateUser(ctx, base))
		kelvin := user("u2")
		kelvin.Username = "kelvin"
		kelvin.Email = "k@example.com"
		require.NoError(t, s.CreateUser(ctx, kelvin))

		tests := []struct {
			name     string
			edit     func(u *store.User)
			want     error
			notWants []error
		}{
			{"same ID", func(u *store.User) { u.ID = "u1" }, store.ErrConflict,
				[]error{store.ErrUsernameTaken, store.ErrEmailTaken}},
			{"username other case", func(u *store.User) { u.Username = "ÉLODIE" }, store.ErrUsernameTaken, nil},
			{"username lower case", func(u *store.User) { u.Username = "élodie" }, store.ErrUsernameTaken, nil},
			// strings.ToLower maps the Kelvin sign U+212A to an ASCII k.
			{"username Kelvin sign", func(u *store.User) { u.Username = "\u212Aelvin" }, store.ErrUsernameTaken, nil},
			{"email other case", func(u *store.User) { u.Email = "kim@example.com" }, store.ErrEmailTaken, nil},
			{"email upper case", func(u *store.User) { u.Email = "KIM@EXAMPLE.COM" }, store.ErrEmailTaken, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				u := user("new")
				tc.edit(u)
				err := s.CreateUser(ctx, u)
				require.ErrorIs(t, err, tc.want)
				require.ErrorIs(t, err, store.ErrConflict, "every uniqueness error is an ErrConflict")
				for _, nw := range tc.notWants {
					require.NotErrorIs(t, err, nw)
				}
				if u.ID != "u1" {
					_, err = s.User(ctx, u.ID)
					notFound(t, err, "the refused user was not stored")
				}
				got, err := s.User(ctx, "u1")
				require.NoError(t, err)
				equalUser(t, base, got, "the existing user is unchanged")
			})
		}
		assert.ElementsMatch(t, []string{"u1", "u2"}, userIDs(t, s))
	})

	x.run(t, "EmptyEmailNeverConflicts", func(t tb, s store.Store) {
		ctx := t.Context()
		for _, id := range []string{"a", "b", "c"} {
			u := user(id)
			u.Email = ""
			require.NoError(t, s.CreateUser(ctx, u), "user %s without email", id)
		}
		u := user("a")
		u.Email = ""
		u.Role = "admin"
		require.NoError(t, s.UpdateUser(ctx, u), "update keeping an empty email")
		_, err := s.UserByEmail(ctx, "")
		notFound(t, err)
	})

	x.run(t, "Update", func(t tb, s store.Store) {
		ctx := t.Context()
		old := mustUser(t, s, "u1")
		mustUser(t, s, "u2")

		u := &store.User{
			ID:            "u1",
			Username:      "Renamed",
			Email:         "renamed@example.com",
			EmailVerified: false,
			Role:          "admin",
			Permissions:   []string{"admin"},
			Disabled:      true,
			PasswordHash:  "new-hash",
			Generation:    9,
			Version:       old.Version,
			CreatedAt:     at(-time.Hour), // ignored
			UpdatedAt:     at(time.Hour),
			LastLoginAt:   at(30 * time.Minute), // ignored
		}
		require.NoError(t, s.UpdateUser(ctx, u))
		assert.Equal(t, old.Version+1, u.Version, "UpdateUser sets the new version in the record")
		want := *u
		want.CreatedAt, want.LastLoginAt = old.CreatedAt, old.LastLoginAt
		got, err := s.User(ctx, "u1")
		require.NoError(t, err)
		equalUser(t, &want, got, "every field but ID and CreatedAt replaced")

		got, err = s.UserByUsername(ctx, "renamed")
		require.NoError(t, err)
		assert.Equal(t, "u1", got.ID)
		got, err = s.UserByEmail(ctx, "RENAMED@example.com")
		require.NoError(t, err)
		assert.Equal(t, "u1", got.ID)
		_, err = s.UserByUsername(ctx, old.Username)
		notFound(t, err, "the old username no longer finds the user")
		_, err = s.UserByEmail(ctx, old.Email)
		notFound(t, err, "the old email no longer finds the user")

		// The old username and email are free again.
		reuse := user("u3")
		reuse.Username, reuse.Email = old.Username, old.Email
		require.NoError(t, s.CreateUser(ctx, reuse))

		// A user may change the case of its own username and email.
		u.Username, u.Email = "RENAMED", "Renamed@Example.com"
		require.NoError(t, s.UpdateUser(ctx, u))
		got, err = s.UserByUsername(ctx, "renamed")
		require.NoError(t, err)
		assert.Equal(t, "RENAMED", got.Username)
		assert.Equal(t, "Renamed@Example.com", got.Email)

		// Clearing the email frees it.
		u.Email = ""
		require.NoError(t, s.UpdateUser(ctx, u))
		_, err = s.UserByEmail(ctx, "renamed@example.com")
		notFound(t, err)
		other := user("u4")
		other.Email = "renamed@example.com"
		require.NoError(t, s.CreateUser(ctx, other))
	})

	x.run(t, "UpdateRefusedChangesNothing", func(t tb, s store.Store) {
		ctx := t.Context()
		u1 := mustUser(t, s, "u1")
		u2 := mustUser(t, s, "u2")
		tests := []struct {
			name string
			edit func(u *store.User)
			want error
		}{
			{"username taken", func(u *store.User) { u.Username = "USER-U1" }, store.ErrUsernameTaken},
			{"email taken", func(u *store.User) { u.Email = "user-u1@example.com" }, store.ErrEmailTaken},
			{"invalid username", func(u *store.User) { u.Username = "bad\x00name" }, store.ErrInvalid},
			{"empty username", func(u *store.User) { u.Username = "" }, store.ErrInvalid},
			{"not found", func(u *store.User) { u.ID, u.Username, u.Email = "u9", "nobody", "" }, store.ErrNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				u := user("u2")
				u.Role = "changed"
				u.PasswordHash = "changed"
				u.UpdatedAt = at(time.Hour)
				tc.edit(u)
				require.ErrorIs(t, s.UpdateUser(ctx, u), tc.want)
				for _, want := range []*store.User{u1, u2} {
					got, err := s.User(ctx, want.ID)
					require.NoError(t, err)
					equalUser(t, want, got, "nothing changed")
				}
				got, err := s.UserByUsername(ctx, u2.Username)
				require.NoError(t, err, "the old username still finds the user")
				assert.Equal(t, "u2", got.ID)
				got, err = s.UserByEmail(ctx, u2.Email)
				require.NoError(t, err, "the old email still finds the user")
				assert.Equal(t, "u2", got.ID)
			})
		}
		assert.ElementsMatch(t, []string{"u1", "u2"}, userIDs(t, s))
	})

	x.run(t, "SwapPasswordHash", func(t tb, s store.Store) {
		ctx := t.Context()
		u := mustUser(t, s, "u1")
		require.NoError(t, s.SwapPasswordHash(ctx, "u1", u.PasswordHash, "rehashed", at(time.Hour)))
		want := *u
		want.PasswordHash, want.UpdatedAt = "rehashed", at(time.Hour)
		want.Version++ // a swap is a write; the generation stays
		got, err := s.User(ctx, "u1")
		require.NoError(t, err)
		equalUser(t, &want, got, "hash and UpdatedAt swapped")

		err = s.SwapPasswordHash(ctx, "u1", u.PasswordHash, "stale", at(2*time.Hour))
		require.ErrorIs(t, err, store.ErrConflict, "the old hash no longer matches")
		got, err = s.User(ctx, "u1")
		require.NoError(t, err)
		equalUser(t, &want, got, "a failed swap changes nothing")

		err = s.SwapPasswordHash(ctx, "u1", "REHASHED", "x", at(2*time.Hour))
		require.ErrorIs(t, err, store.ErrConflict, "hashes are compared exactly")
	})

	x.run(t, "SetLastLogin", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		require.NoError(t, s.SetLastLogin(ctx, "u1", at(time.Hour)))
		got, err := s.User(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, at(time.Hour), got.LastLoginAt)
	})

	x.run(t, "DeleteCascades", func(t tb, s store.Store) {
		ctx := t.Context()
		for _, id := range []string{"gone", "kept"} {
			mustUser(t, s, id)
			mustToken(t, s, id+"-t1", id)
			mustToken(t, s, id+"-t2", id)
			mustActive(t, s, id, id+"-code1", id+"-code2")
			require.NoError(t, s.PutPendingTOTP(ctx, cred(id)))
			mustRequest(t, s, id+"-r1", id)
			r := request(id+"-r2", id)
			r.Kind = store.KindEmailVerification
			require.NoError(t, s.CreateRequest(ctx, r))
		}
		mustRequest(t, s, "decoy", "")
		gone := user("gone")

		require.NoError(t, s.DeleteUser(ctx, "gone"))
		notFound(t, s.DeleteUser(ctx, "gone"), "second delete")

		_, err := s.User(ctx, "gone")
		notFound(t, err, "User")
		_, err = s.UserByUsername(ctx, gone.Username)
		notFound(t, err, "UserByUsername")
		_, err = s.UserByEmail(ctx, gone.Email)
		notFound(t, err, "UserByEmail")
		_, err = s.APITokenByDigest(ctx, "digest-gone-t1")
		notFound(t, err, "APITokenByDigest")
		notFound(t, s.TouchAPIToken(ctx, "gone-t2", at(time.Hour)), "TouchAPIToken")
		_, err = s.ActiveTOTP(ctx, "gone")
		notFound(t, err, "ActiveTOTP")
		_, err = s.PendingTOTP(ctx, "gone")
		notFound(t, err, "PendingTOTP")
		notFound(t, s.ConsumeRecoveryCode(ctx, "gone", "gone-code1"), "ConsumeRecoveryCode")
		_, err = s.Request(ctx, "gone-r1")
		notFound(t, err, "Request")
		_, err = s.Request(ctx, "gone-r2")
		notFound(t, err, "Request")

		// A new user with the same ID, username and email inherits nothing.
		mustUser(t, s, "gone")
		assert.Empty(t, tokenIDs(t, s, "gone"), "tokens")
		assert.Empty(t, codes(t, s, "gone"), "recovery codes")
		_, err = s.ActiveTOTP(ctx, "gone")
		notFound(t, err, "ActiveTOTP")
		_, err = s.PendingTOTP(ctx, "gone")
		notFound(t, err, "PendingTOTP")
		_, err = s.APITokenByDigest(ctx, "digest-gone-t1")
		notFound(t, err, "APITokenByDigest")
		mustToken(t, s, "gone-t1", "gone") // the token ID and digest are free

		// The other user keeps everything.
		assert.ElementsMatch(t, []string{"kept-t1", "kept-t2"}, tokenIDs(t, s, "kept"))
		assert.Equal(t, []string{"kept-code1", "kept-code2"}, codes(t, s, "kept"))
		_, err = s.ActiveTOTP(ctx, "kept")
		require.NoError(t, err)
		_, err = s.PendingTOTP(ctx, "kept")
		require.NoError(t, err)
		for _, id := range []string{"kept-r1", "kept-r2", "decoy"} {
			_, err = s.Request(ctx, id)
			require.NoError(t, err, "request %s", id)
		}
	})
}
