package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// passkeyRounds is how many times the signature-counter race is run, each
// round racing racers goroutines from the count the round before left.
const passkeyRounds = 10

// concurrentPasskeys runs the races on passkeys: an assertion's signature
// count is recorded once, the per-user cap holds, a credential ID and a
// user handle reach one user, and a user gets one handle.
func concurrentPasskeys(run func(name string, f func(t tb, a, b store.Store))) {
	// Two assertions verified against the same stored count cannot both be
	// recorded: exactly one compare-and-swap succeeds per round.
	run("RecordPasskeyUse", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		mustPasskey(t, a, "p1", "u1") // count 5
		count := uint32(5)
		for round := range passkeyRounds {
			errs := race(a, b, func(i int, s store.Store) error {
				return s.RecordPasskeyUse(ctx, "p1", count, count+1+uint32(i), i%2 == 0, at(time.Duration(i)*time.Second))
			})
			require.Equal(t, 1, winners(t, errs, store.ErrConflict), "round %d: exactly one use recorded", round)
			w := slices.IndexFunc(errs, func(err error) bool { return err == nil })
			got := getPasskey(t, b, "u1", "p1")
			assert.Equal(t, count+1+uint32(w), got.SignCount, "round %d: the winner's count", round)
			assert.Equal(t, w%2 == 0, got.BackupState, "round %d: the winner's backup state", round)
			assert.Equal(t, at(time.Duration(w)*time.Second), got.LastUsedAt, "round %d: the winner's time", round)
			count = got.SignCount
		}
	})

	run("PasskeyCap", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		errs := race(a, b, func(i int, s store.Store) error {
			return s.CreatePasskey(ctx, passkey(fmt.Sprintf("p%02d", i), "u1"), 3)
		})
		assert.Equal(t, 3, winners(t, errs, store.ErrLimitReached), "exactly the cap")
		assert.Len(t, passkeyIDs(t, b, "u1"), 3)
	})

	run("CreatePasskeySameCredential", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		mustUser(t, a, "u2")
		errs := race(a, b, func(i int, s store.Store) error {
			c := passkey(fmt.Sprintf("p%02d", i), []string{"u1", "u2"}[i%2])
			c.CredentialID = []byte("same")
			return s.CreatePasskey(ctx, c, 0)
		})
		assert.Equal(t, 1, winners(t, errs, store.ErrConflict), "exactly one user gets the credential")
		assert.Len(t, append(passkeyIDs(t, b, "u1"), passkeyIDs(t, b, "u2")...), 1)
	})

	run("SetPasskeyHandle", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		errs := race(a, b, func(i int, s store.Store) error {
			return s.SetPasskeyHandle(ctx, "u1", fmt.Appendf(nil, "handle-%02d", i))
		})
		require.Equal(t, 1, winners(t, errs, store.ErrConflict), "the handle is set once")
		w := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		h, err := b.PasskeyHandle(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, fmt.Appendf(nil, "handle-%02d", w), h, "the winner's handle")
		assert.Len(t, dump(t, b).PasskeyHandles, 1)
	})

	run("PasskeyHandleTaken", func(t tb, a, b store.Store) {
		ctx := t.Context()
		var users []*store.User
		for i := range racers {
			users = append(users, user(fmt.Sprintf("u%02d", i)))
		}
		seedUsers(t, a, users)
		errs := race(a, b, func(i int, s store.Store) error {
			return s.SetPasskeyHandle(ctx, fmt.Sprintf("u%02d", i), []byte("same"))
		})
		require.Equal(t, 1, winners(t, errs, store.ErrConflict), "exactly one user gets the handle")
		w := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		u, err := b.UserByPasskeyHandle(ctx, []byte("same"))
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("u%02d", w), u.ID)
		assert.Len(t, dump(t, b).PasskeyHandles, 1)
	})
}
