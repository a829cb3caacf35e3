package storetest

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// createUsers checks CreateUsers: each user of a batch is created whole or
// not at all as by CreateUser, refusals are per user, and later users
// conflict with earlier ones of the same batch.
func (x suite) createUsers(t tb) {
	x.run(t, "CreateUsers", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "old")
		invalid := user("bad")
		invalid.Username = "bad\x00name"
		clashOld := user("c1")
		clashOld.Username = "USER-OLD"
		dupInBatch := user("c2")
		dupInBatch.Email = "user-a@example.com" // a's email
		crossBatch := user("c3")
		crossBatch.Username = "user-b@example.com" // b's email, as a username
		sameID := user("a")
		sameID.Username, sameID.Email = "another", "another@example.com"
		batch := []*store.User{user("a"), invalid, clashOld, user("b"), dupInBatch, crossBatch, sameID, user("c")}
		for _, u := range batch {
			u.Version = 42 // ignored
		}
		errs, err := s.CreateUsers(ctx, batch)
		require.NoError(t, err)
		require.Len(t, errs, len(batch))
		want := []error{nil, store.ErrInvalid, store.ErrUsernameTaken, nil, store.ErrEmailTaken, store.ErrUsernameTaken, store.ErrConflict, nil}
		for i, w := range want {
			if w == nil {
				assert.NoError(t, errs[i], "user %d", i)
				assert.Equal(t, int64(1), batch[i].Version, "user %d gets version 1", i)
				continue
			}
			assert.ErrorIs(t, errs[i], w, "user %d", i)
		}
		assert.ElementsMatch(t, []string{"old", "a", "b", "c"}, userIDs(t, s), "exactly the accepted users exist")
		got, err := s.UserByEmail(ctx, "user-a@example.com")
		require.NoError(t, err)
		assert.Equal(t, "a", got.ID)
		_, err = s.UserByUsername(ctx, "user-b@example.com")
		notFound(t, err, "a refused user left no identifier")
		_, err = s.UserByUsername(ctx, "another")
		notFound(t, err, "nor did the one with a taken ID")

		errs, err = s.CreateUsers(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, errs)
	})
}
