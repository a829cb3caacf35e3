package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// requestGenerations checks that a request keeps the generation it was
// opened under, whatever happens to it and to its user.
func (x suite) requestGenerations(t tb) {
	t.Helper()
	x.run(t, "Generation", func(t tb, s store.Store) {
		ctx := t.Context()
		u := mustUser(t, s, "u1")
		var reqs []*store.Request
		for _, tc := range []struct {
			id, user   string
			generation int64
		}{
			{"zero", "u1", 0},
			{"some", "u1", 7},
			{"large", "u1", 1 << 62},
			{"decoy", "", 5},
		} {
			r := request(tc.id, tc.user)
			r.Generation = tc.generation
			require.NoError(t, s.CreateRequest(ctx, r), tc.id)
			reqs = append(reqs, r)
		}
		check := func(msg string) {
			t.Helper()
			for _, want := range reqs {
				got, err := s.Request(ctx, want.ID)
				require.NoError(t, err, "%s: %s", msg, want.ID)
				equalRequest(t, want, got, "%s: %s", msg, want.ID)
			}
		}
		check("as created")

		u.Generation = 99
		require.NoError(t, s.UpdateUser(ctx, u))
		require.NoError(t, s.SwapPasswordHash(ctx, "u1", u.PasswordHash, "rehashed", at(time.Hour)))
		check("the user's generation moved on; the requests keep theirs")

		n, err := s.FailRequestAttempt(ctx, "some", 5)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		reqs[1].Attempts = 1
		require.NoError(t, s.MarkRequestVerified(ctx, "large", store.VerifiedEmail))
		require.NoError(t, s.MarkRequestVerified(ctx, "large", store.VerifiedSecondFactor))
		reqs[2].EmailVerified, reqs[2].SecondFactorVerified = true, true
		check("a failed attempt and a verification keep the generation")

		neg := request("negative", "u1")
		neg.Generation = -1
		require.ErrorIs(t, s.CreateRequest(ctx, neg), store.ErrInvalid, "a negative generation")
		_, err = s.Request(ctx, "negative")
		notFound(t, err, "the refused request was not stored")
	})
}

// restoreNeverRollsBack checks the rules of store.Backup that keep
// protection in place across a restore: generations and versions move
// past both sides, and a TOTP step accepted since the dump stays accepted.
func (x suite) restoreNeverRollsBack(t tb) {
	t.Helper()
	// dumpOf returns the store's dump as Restore takes it.
	dumpOf := func(t tb, s store.Store) *store.Dump {
		t.Helper()
		d, err := s.Dump(t.Context())
		require.NoError(t, err, "Dump")
		return d
	}
	restore := func(t tb, s store.Store, d *store.Dump) {
		t.Helper()
		require.NoError(t, s.Restore(t.Context(), d), "Restore")
	}
	counters := func(t tb, s store.Store, id string) (generation, version int64) {
		t.Helper()
		u := getUser(t, s, id)
		return u.Generation, u.Version
	}
	step := func(t tb, s store.Store, id string) int64 {
		t.Helper()
		c, err := s.ActiveTOTP(t.Context(), id)
		require.NoError(t, err, "ActiveTOTP %q", id)
		return c.LastStep
	}
	// activeWith gives id an active credential with this sealed secret and
	// last step, replacing any it had.
	activeWith := func(t tb, s store.Store, id, secret string, last int64) {
		t.Helper()
		ctx := t.Context()
		if err := s.DeleteTOTP(ctx, id); err != nil {
			require.ErrorIs(t, err, store.ErrNotFound)
		}
		c := cred(id)
		c.Secret = []byte(secret)
		require.NoError(t, s.PutPendingTOTP(ctx, c))
		require.NoError(t, s.ActivateTOTP(ctx, id, c.Secret, last, nil, t0))
	}

	x.runRows(t, "RestoreNeverRollsBack", []row{
		{"StoreAhead", func(t tb, s store.Store) {
			ctx := t.Context()
			u := mustUser(t, s, "u1") // generation 3, version 1
			d := dumpOf(t, s)
			u.Generation, u.Role = 10, "changed"
			require.NoError(t, s.UpdateUser(ctx, u))
			require.NoError(t, s.UpdateUser(ctx, u))
			require.NoError(t, s.SwapPasswordHash(ctx, "u1", u.PasswordHash, "rehashed", at(time.Hour)))
			read := getUser(t, s, "u1") // generation 10, version 4
			require.Equal(t, int64(4), read.Version)

			restore(t, s, d)
			g, v := counters(t, s, "u1")
			assert.Equal(t, int64(11), g, "generation: one more than the store's 10, not the dump's 3")
			assert.Equal(t, int64(5), v, "version: one more than the store's 4, not the dump's 1")
			got := getUser(t, s, "u1")
			assert.Equal(t, "member", got.Role, "every other field is the dump's")
			assert.Equal(t, d.Users[0].PasswordHash, got.PasswordHash, "every other field is the dump's")

			read.Role = "after"
			stale(t, s.UpdateUser(ctx, read), "an update read before the restore")
			assert.Equal(t, "member", getUser(t, s, "u1").Role, "nothing changed")
		}},

		{"DumpAhead", func(t tb, s store.Store) {
			mustUser(t, s, "u1") // generation 3, version 1
			u := user("u1")
			u.Generation, u.Version = 20, 30
			restore(t, s, &store.Dump{Users: []store.User{*u}})
			g, v := counters(t, s, "u1")
			assert.Equal(t, int64(21), g, "generation: one more than the dump's")
			assert.Equal(t, int64(31), v, "version: one more than the dump's")
		}},

		{"EachCounterOnItsOwn", func(t tb, s store.Store) {
			ctx := t.Context()
			u := mustUser(t, s, "u1")
			u.Generation = 40 // the store's generation ahead, its version behind
			require.NoError(t, s.UpdateUser(ctx, u))
			d := user("u1")
			d.Generation, d.Version = 2, 9
			restore(t, s, &store.Dump{Users: []store.User{*d}})
			g, v := counters(t, s, "u1")
			assert.Equal(t, int64(41), g, "generation from the store")
			assert.Equal(t, int64(10), v, "version from the dump")
		}},

		{"OnlyInDump", func(t tb, s store.Store) {
			ctx := t.Context()
			gone := mustUser(t, s, "gone")
			d := &store.Dump{Users: []store.User{*user("new")}}
			d.Users[0].Generation, d.Users[0].Version = 6, 4
			restore(t, s, d)
			g, v := counters(t, s, "new")
			assert.Equal(t, int64(7), g, "a user the store lacks: the dump's generation plus one")
			assert.Equal(t, int64(5), v, "a user the store lacks: the dump's version plus one")

			_, err := s.User(ctx, "gone")
			notFound(t, err, "a user the dump lacks is gone")
			reaches(t, s, gone.Username, "", "")
			notFound(t, s.UpdateUser(ctx, gone), "an update of the user the restore removed")
			require.NoError(t, s.CreateUser(ctx, user("gone")), "its ID and identifiers are free")
			g, v = counters(t, s, "gone")
			assert.Equal(t, int64(3), g, "a new user of the same ID starts afresh")
			assert.Equal(t, int64(1), v)
		}},

		{"SameIDOtherIdentifiers", func(t tb, s store.Store) {
			ctx := t.Context()
			u := namedUser("u1", "old-name", "old@example.com")
			u.Generation = 50
			require.NoError(t, s.CreateUser(ctx, u))
			restore(t, s, &store.Dump{Users: []store.User{*user("u1")}})
			g, _ := counters(t, s, "u1")
			assert.Equal(t, int64(51), g, "the user ID decides, not the identifiers")
			reaches(t, s, "old-name", "", "")
			reaches(t, s, "old@example.com", "", "")
			reaches(t, s, "user-u1", "u1", "")
		}},

		{"RestoredTwice", func(t tb, s store.Store) {
			mustUser(t, s, "u1")
			d := dumpOf(t, s)
			restore(t, s, d)
			restore(t, s, d)
			g, v := counters(t, s, "u1")
			assert.Equal(t, int64(5), g, "each restore ends the credentials of the one before")
			assert.Equal(t, int64(3), v)
		}},

		{"TOTPStoreAhead", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			mustActive(t, s, "u1") // step 100
			d := dumpOf(t, s)
			require.NoError(t, s.AdvanceTOTPStep(ctx, "u1", 150))
			restore(t, s, d)
			assert.Equal(t, int64(150), step(t, s, "u1"), "the step accepted since the dump is kept")
			require.ErrorIs(t, s.AdvanceTOTPStep(ctx, "u1", 150), store.ErrConflict, "a code accepted since the dump is not accepted again")
			require.NoError(t, s.AdvanceTOTPStep(ctx, "u1", 151))
		}},

		{"TOTPDumpAhead", func(t tb, s store.Store) {
			mustUser(t, s, "u1")
			mustActive(t, s, "u1") // step 100
			d := dumpOf(t, s)
			d.TOTP[0].LastStep = 200
			restore(t, s, d)
			assert.Equal(t, int64(200), step(t, s, "u1"), "the greater of the two")
		}},

		{"TOTPOtherSecret", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			activeWith(t, s, "u1", "secret-a", 100)
			d := dumpOf(t, s)
			activeWith(t, s, "u1", "secret-b", 500) // re-enrolled since the dump
			restore(t, s, d)
			c, err := s.ActiveTOTP(ctx, "u1")
			require.NoError(t, err)
			assert.Equal(t, "secret-a", string(c.Secret), "the dump's credential")
			assert.Equal(t, int64(100), c.LastStep, "another secret's steps say nothing of this one's")
		}},

		{"TOTPSameSecretOtherUser", func(t tb, s store.Store) {
			mustUser(t, s, "u1")
			mustUser(t, s, "u2")
			activeWith(t, s, "u1", "shared", 900)
			activeWith(t, s, "u2", "shared", 100)
			d := dumpOf(t, s)
			require.NoError(t, s.DeleteTOTP(t.Context(), "u2"))
			restore(t, s, d)
			assert.Equal(t, int64(900), step(t, s, "u1"))
			assert.Equal(t, int64(100), step(t, s, "u2"), "another user's credential with the same secret counts for nothing")
		}},

		{"TOTPOnlyInStore", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			d := dumpOf(t, s)
			mustActive(t, s, "u1")
			restore(t, s, d)
			_, err := s.ActiveTOTP(ctx, "u1")
			notFound(t, err, "the dump had no active credential")
		}},

		{"SignCountStoreAhead", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			mustPasskey(t, s, "p1", "u1") // count 5
			d := dumpOf(t, s)
			require.NoError(t, s.RecordPasskeyUse(ctx, "p1", 5, 9, false, at(time.Hour)))
			restore(t, s, d)
			got := getPasskey(t, s, "u1", "p1")
			assert.Equal(t, uint32(9), got.SignCount, "the count recorded since the dump is kept")
			assert.True(t, got.BackupState, "every other field is the dump's")
			require.ErrorIs(t, s.RecordPasskeyUse(ctx, "p1", 5, 6, true, at(2*time.Hour)), store.ErrConflict,
				"an assertion checked against the dump's count is refused")
		}},

		{"SignCountDumpAhead", func(t tb, s store.Store) {
			mustUser(t, s, "u1")
			mustPasskey(t, s, "p1", "u1") // count 5
			d := dumpOf(t, s)
			d.Passkeys[0].SignCount = 40
			restore(t, s, d)
			assert.Equal(t, uint32(40), getPasskey(t, s, "u1", "p1").SignCount, "the greater of the two")
		}},

		{"SignCountOtherUser", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			mustUser(t, s, "u2")
			mustPasskey(t, s, "p1", "u1")
			d := dumpOf(t, s)
			require.NoError(t, s.DeletePasskey(ctx, "u1", "p1"))
			moved := passkey("p9", "u2")
			moved.CredentialID, moved.SignCount = passkey("p1", "").CredentialID, 500
			require.NoError(t, s.CreatePasskey(ctx, moved, 0))
			restore(t, s, d)
			assert.Equal(t, uint32(5), getPasskey(t, s, "u1", "p1").SignCount,
				"another user's passkey with the same credential ID counts for nothing")
		}},

		{"RevocationsKept", func(t tb, s store.Store) {
			ctx := t.Context()
			mustUser(t, s, "u1")
			d := dumpOf(t, s)
			require.NoError(t, s.RevokeToken(ctx, "jti-after", at(time.Hour)))
			restore(t, s, d)
			ok, err := s.IsRevoked(ctx, "jti-after")
			require.NoError(t, err)
			assert.True(t, ok, "a revocation made since the dump is kept")
		}},
	})
}
