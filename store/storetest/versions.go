package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// getUser returns the stored user id and fails the test if there is none.
func getUser(t tb, s store.Store, id string) *store.User {
	t.Helper()
	u, err := s.User(t.Context(), id)
	require.NoError(t, err, "User %q", id)
	require.NotNil(t, u, "User %q", id)
	return u
}

// cloneUser returns a copy of u that shares no slice with it.
func cloneUser(u *store.User) *store.User {
	c := *u
	c.Permissions, c.AllowedIPs = slices.Clone(u.Permissions), slices.Clone(u.AllowedIPs)
	return &c
}

// stale requires err to be ErrStale (an ErrConflict, never ErrNotFound).
func stale(t tb, err error, msgAndArgs ...any) {
	t.Helper()
	require.ErrorIs(t, err, store.ErrStale, msgAndArgs...)
	require.ErrorIs(t, err, store.ErrConflict, msgAndArgs...)
	require.NotErrorIs(t, err, store.ErrNotFound, msgAndArgs...)
}

// userVersions checks User.Version (optimistic concurrency) and
// User.Generation (stored as given) on every write to a user.
func (x suite) userVersions(t tb) {
	t.Helper()
	x.runRows(t, "Version", []row{
		{"CreateSetsOne", func(t tb, s store.Store) {
			for i, given := range []int64{0, 1, 42, -5} {
				u := user(fmt.Sprintf("u%d", i))
				u.Version = given
				require.NoError(t, s.CreateUser(t.Context(), u), "version given %d", given)
				assert.Equal(t, int64(1), u.Version, "CreateUser sets the record's version to 1 (given %d)", given)
				assert.Equal(t, int64(1), getUser(t, s, u.ID).Version, "the stored version is 1 (given %d)", given)
			}
		}},

		{"UpdateIncrements", func(t tb, s store.Store) {
			u := mustUser(t, s, "u1")
			for i := range int64(3) {
				u.Role = fmt.Sprintf("role-%d", i)
				u.UpdatedAt = at(time.Duration(i+2) * time.Second)
				require.NoError(t, s.UpdateUser(t.Context(), u), "update %d", i)
				assert.Equal(t, 2+i, u.Version, "the record passed in carries the new version")
				equalUser(t, u, getUser(t, s, "u1"), "update %d stored with the new version", i)
			}
		}},

		{"StaleRefusedChangesNothing", func(t tb, s store.Store) {
			ctx := t.Context()
			u := mustUser(t, s, "u1")
			old := cloneUser(u) // a read taken before the next write
			u.Role = "admin"
			require.NoError(t, s.UpdateUser(ctx, u))

			old.Username, old.Email = "Stale", "stale@example.com"
			old.Role, old.Disabled, old.Generation = "stale", true, 99
			old.Permissions, old.PasswordHash = []string{"stale"}, "stale-hash"
			stale(t, s.UpdateUser(ctx, old), "an update from a stale read")
			assert.Equal(t, int64(1), old.Version, "a refused update leaves the record's version as it was")
			equalUser(t, u, getUser(t, s, "u1"), "nothing changed")
			_, err := s.UserByUsername(ctx, "stale")
			notFound(t, err, "the stale update's username was not taken")
			_, err = s.UserByEmail(ctx, "stale@example.com")
			notFound(t, err, "the stale update's email was not taken")
			got, err := s.UserByUsername(ctx, u.Username)
			require.NoError(t, err, "the current username still finds the user")
			assert.Equal(t, "u1", got.ID)

			fresh := mustUser(t, s, "u2")
			fresh.Username = "Stale"
			require.NoError(t, s.UpdateUser(ctx, fresh), "the username the stale update named is free")
		}},

		{"VersionAheadRefused", func(t tb, s store.Store) {
			u := mustUser(t, s, "u1")
			want := cloneUser(u)
			for _, v := range []int64{2, 1 << 40, 0, -1} {
				u.Version, u.Role = v, "changed"
				stale(t, s.UpdateUser(t.Context(), u), "version %d", v)
				equalUser(t, want, getUser(t, s, "u1"), "version %d: nothing changed", v)
			}
		}},

		{"MissingIsNotFoundNotStale", func(t tb, s store.Store) {
			ctx := t.Context()
			for _, v := range []int64{0, 1, 7} {
				u := user("nobody")
				u.Version = v
				err := s.UpdateUser(ctx, u)
				notFound(t, err, "version %d", v)
				require.NotErrorIs(t, err, store.ErrStale, "version %d", v)
			}
			u := mustUser(t, s, "u1")
			require.NoError(t, s.DeleteUser(ctx, "u1"))
			err := s.UpdateUser(ctx, u)
			notFound(t, err, "an update of a deleted user, at its last version")
			require.NotErrorIs(t, err, store.ErrStale)
			_, err = s.User(ctx, "u1")
			notFound(t, err, "the update did not bring the user back")
		}},

		{"SwapMakesEarlierReadStale", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			read := getUser(t, s, "u1")
			require.NoError(t, s.SwapPasswordHash(ctx, "u1", read.PasswordHash, "rehashed", at(time.Hour)))
			swapped := getUser(t, s, "u1")
			assert.Equal(t, read.Version+1, swapped.Version, "a swap increments the version")
			assert.Equal(t, read.Generation, swapped.Generation, "a swap keeps the generation")

			read.Role = "admin"
			stale(t, s.UpdateUser(ctx, read), "an update read before the swap would put the old hash back")
			equalUser(t, swapped, getUser(t, s, "u1"), "nothing changed")

			again := getUser(t, s, "u1")
			again.Role = "admin"
			require.NoError(t, s.UpdateUser(ctx, again), "the update reapplied to a fresh read")
			got := getUser(t, s, "u1")
			assert.Equal(t, "rehashed", got.PasswordHash, "the swapped hash survives")
			assert.Equal(t, swapped.Version+1, got.Version)
		}},

		{"FailedSwapIsNoWrite", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			read := getUser(t, s, "u1")
			require.ErrorIs(t, s.SwapPasswordHash(ctx, "u1", "not-the-hash", "new", at(time.Hour)), store.ErrConflict)
			equalUser(t, read, getUser(t, s, "u1"), "a failed swap changes nothing, the version included")
			read.Role = "admin"
			require.NoError(t, s.UpdateUser(ctx, read), "a read taken before a failed swap is current")
			assert.Equal(t, int64(2), read.Version)
		}},

		{"SetLastLoginIsNoWrite", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			read := getUser(t, s, "u1")
			require.NoError(t, s.SetLastLogin(ctx, "u1", at(time.Hour)))
			got := getUser(t, s, "u1")
			assert.Equal(t, read.Version, got.Version, "a sign-in does not change the version")
			assert.Equal(t, read.Generation, got.Generation, "nor the generation")

			read.Role = "admin"
			require.NoError(t, s.UpdateUser(ctx, read), "a read taken before a sign-in is current")
			assert.Equal(t, int64(2), read.Version)
			got = getUser(t, s, "u1")
			assert.Equal(t, at(time.Hour), got.LastLoginAt, "the update kept the sign-in time its read did not have")
			assert.Equal(t, "admin", got.Role)
		}},

		{"UpdateKeepsLastLoginAndCreated", func(t tb, s store.Store) {
			ctx := t.Context()
			u := user("u1")
			u.LastLoginAt = at(2 * time.Minute)
			require.NoError(t, s.CreateUser(ctx, u))
			want := cloneUser(u)
			for _, tc := range []struct {
				name               string
				lastLogin, created time.Time
			}{
				{"zero times", time.Time{}, time.Time{}},
				{"earlier times", at(-time.Hour), at(-time.Hour)},
				{"later times", at(time.Hour), at(time.Hour)},
			} {
				u.LastLoginAt, u.CreatedAt = tc.lastLogin, tc.created
				u.Role = tc.name
				require.NoError(t, s.UpdateUser(ctx, u), tc.name)
				want.Role, want.Version = tc.name, u.Version
				equalUser(t, want, getUser(t, s, "u1"), "%s: CreatedAt and LastLoginAt kept", tc.name)
			}
		}},

		{"GenerationStoredAsGiven", func(t tb, s store.Store) {
			ctx := t.Context()
			u := user("u1")
			u.Generation = 0
			require.NoError(t, s.CreateUser(ctx, u))
			assert.Equal(t, int64(0), getUser(t, s, "u1").Generation, "created with 0")
			for _, g := range []int64{7, 1 << 62, 2, 0} {
				u.Generation = g
				require.NoError(t, s.UpdateUser(ctx, u), "generation %d", g)
				got := getUser(t, s, "u1")
				assert.Equal(t, g, got.Generation, "stored as given, lower included")
			}
			u.Generation = 5
			require.NoError(t, s.UpdateUser(ctx, u))
			require.NoError(t, s.SwapPasswordHash(ctx, "u1", u.PasswordHash, "rehashed", at(time.Hour)))
			require.NoError(t, s.SetLastLogin(ctx, "u1", at(time.Hour)))
			assert.Equal(t, int64(5), getUser(t, s, "u1").Generation, "a swap and a sign-in keep the generation")

			want := getUser(t, s, "u1")
			bad := cloneUser(want)
			bad.Generation = -1
			require.ErrorIs(t, s.UpdateUser(ctx, bad), store.ErrInvalid, "a negative generation")
			equalUser(t, want, getUser(t, s, "u1"), "nothing changed")
			neg := user("u2")
			neg.Generation = -1
			require.ErrorIs(t, s.CreateUser(ctx, neg), store.ErrInvalid, "a negative generation")
			_, err := s.User(ctx, "u2")
			notFound(t, err)
		}},

		{"RefusedUpdateKeepsVersion", func(t tb, s store.Store) {
			ctx := t.Context()
			other := mustUser(t, s, "u1")
			u := mustUser(t, s, "u2")
			want := cloneUser(u)
			for _, tc := range []struct {
				name string
				edit func(u *store.User)
				err  error
			}{
				{"username taken", func(u *store.User) { u.Username = other.Username }, store.ErrUsernameTaken},
				{"email taken", func(u *store.User) { u.Email = other.Email }, store.ErrEmailTaken},
				{"invalid", func(u *store.User) { u.Role = "a\x00b" }, store.ErrInvalid},
			} {
				c := cloneUser(u)
				tc.edit(c)
				require.ErrorIs(t, s.UpdateUser(ctx, c), tc.err, tc.name)
				assert.Equal(t, want.Version, c.Version, "%s: the record's version is unchanged", tc.name)
				equalUser(t, want, getUser(t, s, "u2"), "%s: the stored version is unchanged", tc.name)
			}
			u.Role = "admin"
			require.NoError(t, s.UpdateUser(ctx, u), "refused updates did not make the read stale")
			assert.Equal(t, want.Version+1, u.Version)
		}},

		{"VersionPerUser", func(t tb, s store.Store) {
			ctx := t.Context()
			u1, u2 := mustUser(t, s, "u1"), mustUser(t, s, "u2")
			for range 3 {
				require.NoError(t, s.UpdateUser(ctx, u1))
			}
			require.NoError(t, s.SwapPasswordHash(ctx, "u1", u1.PasswordHash, "rehashed", at(time.Hour)))
			equalUser(t, u2, getUser(t, s, "u2"), "writes to u1 leave u2's version")
			u2.Role = "admin"
			require.NoError(t, s.UpdateUser(ctx, u2))
			assert.Equal(t, int64(2), u2.Version)
		}},

		{"EveryReadCarriesVersion", func(t tb, s store.Store) {
			ctx := t.Context()
			u := mustUser(t, s, "u1")
			u.Generation = 11
			require.NoError(t, s.UpdateUser(ctx, u))
			require.NoError(t, s.SwapPasswordHash(ctx, "u1", u.PasswordHash, "rehashed", at(time.Hour)))
			want := getUser(t, s, "u1")
			require.Equal(t, int64(3), want.Version)
			require.Equal(t, int64(11), want.Generation)
			byName, err := s.UserByUsername(ctx, u.Username)
			require.NoError(t, err)
			equalUser(t, want, byName, "UserByUsername")
			byEmail, err := s.UserByEmail(ctx, u.Email)
			require.NoError(t, err)
			equalUser(t, want, byEmail, "UserByEmail")
			page, _, err := s.ListUsers(ctx, 10, "")
			require.NoError(t, err)
			require.Len(t, page, 1)
			equalUser(t, want, &page[0], "ListUsers")
			tok := mustToken(t, s, "t1", "u1")
			_, owner, err := s.APITokenWithOwner(ctx, tok.Digest)
			require.NoError(t, err)
			equalUser(t, want, owner, "APITokenWithOwner")
			d := dump(t, s)
			require.Len(t, d.Users, 1)
			equalUser(t, want, &d.Users[0], "Dump")
		}},
	})
}
