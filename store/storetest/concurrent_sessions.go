package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// rotationTrials is how many times each of the two rotation races is run
// (100 trials together); every trial races racers goroutines, half on each
// handle, on a session of its own.
const rotationTrials = 50

// sessionCapTrials is how many times the per-user session cap is raced by
// a pair of creations, one on each handle, on a user of its own.
const sessionCapTrials = 100

// rotationRace is what one trial of a rotation race saw: each goroutine's
// outcome, error and (for a Rotated one) the session's new RefreshSeq.
type rotationRace struct {
	id    string
	setup error
	rots  []store.Rotation
	errs  []error
	seqs  []int64
}

// winner returns the index of the goroutine that got Rotated, or -1 unless
// exactly one did.
func (r rotationRace) winner() int {
	w := -1
	for g, rot := range r.rots {
		if r.errs[g] == nil && rot == store.Rotated {
			if w >= 0 {
				return -1
			}
			w = g
		}
	}
	return w
}

func nextDigest(id string, g int) string { return fmt.Sprintf("next-%s-%02d", id, g) }

// raceRotations runs rotationTrials trials, batch at a time: each creates
// session id (on a) and races racers rotations of its first refresh token,
// goroutine g rotating at now(g) with grace.
func raceRotations(t tb, a, b store.Store, now func(g int) time.Time, grace time.Duration) []rotationRace {
	t.Helper()
	ctx := t.Context()
	mustUser(t, a, "u1")
	return inBatches(rotationTrials, func(i int) rotationRace {
		r := rotationRace{id: fmt.Sprintf("s%03d", i)}
		if r.setup = a.CreateSession(ctx, session(r.id, "u1"), refresh(r.id, 1), 0); r.setup != nil {
			return r
		}
		r.rots, r.seqs = make([]store.Rotation, racers), make([]int64, racers)
		r.errs = race(a, b, func(g int, s store.Store) error {
			sess, _, rot, err := s.RotateRefreshToken(ctx, refresh(r.id, 1), nextDigest(r.id, g), now(g), grace)
			r.rots[g] = rot
			if err == nil {
				r.seqs[g] = sess.RefreshSeq
			}
			return err
		})
		return r
	})
}

// concurrentSessions runs the races on sessions: one rotation per refresh
// token whatever the number of concurrent presentations, reuse that ends
// the session for good, and the per-user cap.
func concurrentSessions(run func(name string, f func(t tb, a, b store.Store))) {
	// A client sends its refresh token many times at once (retries, tabs):
	// exactly one presentation rotates it, the others are within the grace
	// period of that rotation, and the session ends with exactly one live
	// token, the winner's.
	run("RotateRefreshToken", func(t tb, a, b store.Store) {
		trials := raceRotations(t, a, b, func(int) time.Time { return at(time.Minute) }, time.Minute)
		winners := map[string]int{}
		for _, r := range trials {
			require.NoError(t, r.setup, "trial %s", r.id)
			for g, err := range r.errs {
				require.NoError(t, err, "trial %s, goroutine %d", r.id, g)
				assert.Contains(t, []store.Rotation{store.Rotated, store.RotationGrace}, r.rots[g], "trial %s, goroutine %d", r.id, g)
			}
			w := r.winner()
			require.GreaterOrEqual(t, w, 0, "trial %s: exactly one rotation, got %v", r.id, r.rots)
			assert.Equal(t, int64(2), r.seqs[w], "trial %s", r.id)
			winners[r.id] = w
		}
		d := dump(t, b)
		require.Len(t, d.Sessions, rotationTrials)
		for _, sess := range d.Sessions {
			assert.Equal(t, int64(2), sess.RefreshSeq, "session %s rotated once", sess.ID)
		}
		live := map[string][]string{}
		count := map[string]int{}
		for _, tok := range d.RefreshTokens {
			count[tok.SessionID]++
			if tok.SpentAt.IsZero() {
				live[tok.SessionID] = append(live[tok.SessionID], tok.Digest)
			}
		}
		for id, w := range winners {
			assert.Equal(t, []string{nextDigest(id, w)}, live[id], "session %s: exactly one live token, the winner's", id)
			assert.Equal(t, 2, count[id], "session %s: the spent token and the winner's, no other", id)
		}
	})

	// Every presentation but the first comes later than the rotation, by a
	// clock that moves a millisecond per goroutine, with no grace: those
	// after the winner are reuse and end the session; those before it are
	// within the grace of 0; once the session ended, the rest find nothing.
	// Still exactly one rotation, and a session that a reuse ended keeps no
	// token.
	run("RotateRefreshTokenReuse", func(t tb, a, b store.Store) {
		now := func(g int) time.Time { return at(time.Minute + time.Duration(g)*time.Millisecond) }
		trials := raceRotations(t, a, b, now, 0)
		ended := map[string]bool{}
		for _, r := range trials {
			require.NoError(t, r.setup, "trial %s", r.id)
			w := r.winner()
			require.GreaterOrEqual(t, w, 0, "trial %s: exactly one rotation, got %v / %v", r.id, r.rots, r.errs)
			for g, err := range r.errs {
				switch {
				case g == w:
				case err != nil:
					require.ErrorIs(t, err, store.ErrNotFound, "trial %s, goroutine %d", r.id, g)
					ended[r.id] = true
				case r.rots[g] == store.RotationGrace:
					assert.Less(t, g, w, "trial %s: goroutine %d is within a grace of 0 only at or before the rotation", r.id, g)
				case r.rots[g] == store.RotationReused:
					assert.Greater(t, g, w, "trial %s: goroutine %d came after the rotation", r.id, g)
					ended[r.id] = true
				default:
					assert.Fail(t, "unexpected outcome", "trial %s, goroutine %d: %v", r.id, g, r.rots[g])
				}
			}
		}
		d := dump(t, b)
		sessions := map[string]store.Session{}
		for _, sess := range d.Sessions {
			sessions[sess.ID] = sess
		}
		live := map[string]int{}
		for _, tok := range d.RefreshTokens {
			if tok.SpentAt.IsZero() {
				live[tok.SessionID]++
			}
		}
		for _, r := range trials {
			sess, ok := sessions[r.id]
			if ended[r.id] {
				assert.False(t, ok, "trial %s: a reuse ended the session", r.id)
				assert.Zero(t, live[r.id], "trial %s: no token survives", r.id)
				continue
			}
			require.True(t, ok, "trial %s: no reuse, the session stays", r.id)
			assert.Equal(t, int64(2), sess.RefreshSeq, "trial %s", r.id)
			assert.Equal(t, 1, live[r.id], "trial %s: exactly one live token", r.id)
		}
	})

	// A rotation racing "log out everywhere" (DeleteUserSessions): in
	// either order nothing of the session survives.
	run("RotateVersusDeleteUserSessions", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		const trials = rotationTrials / 2
		type outcome struct {
			setup, rotate, del error
			rot                store.Rotation
		}
		outs := inBatches(trials, func(i int) outcome {
			id := fmt.Sprintf("s%03d", i)
			var o outcome
			if o.setup = a.CreateSession(ctx, session(id, "u1"), refresh(id, 1), 0); o.setup != nil {
				return o
			}
			o.rotate, o.del = pair(func() error {
				var err error
				_, _, o.rot, err = a.RotateRefreshToken(ctx, refresh(id, 1), refresh(id, 2), at(time.Minute), time.Minute)
				return err
			}, func() error {
				_, err := b.DeleteUserSessions(ctx, "u1")
				return err
			})
			return o
		})
		for i, o := range outs {
			require.NoError(t, o.setup, "trial %d", i)
			require.NoError(t, o.del, "trial %d", i)
			if o.rotate != nil {
				require.ErrorIs(t, o.rotate, store.ErrNotFound, "trial %d", i)
			} else {
				assert.Equal(t, store.Rotated, o.rot, "trial %d", i)
			}
		}
		// Trials ran in batches: a batch's deletes may also have ended the
		// sessions of the next trials before they rotated; either way none
		// is left.
		d := dump(t, b)
		assert.Empty(t, d.Sessions)
		assert.Empty(t, d.RefreshTokens, "no token outlives its session")
	})

	run("SessionCap", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		mustUser(t, a, "u2")
		mustSession(t, a, "other", "u2")
		// Each racer also counts the sessions right after its creation: a
		// backend that ends the oldest sessions and creates the new one in
		// separate steps passes the cap while racers overlap, and the last
		// racer to finish would hide that from a count at the end alone.
		seen := make([]int, racers)
		errs := race(a, b, func(i int, s store.Store) error {
			id := fmt.Sprintf("s%02d", i)
			sess := session(id, "u1")
			sess.CreatedAt = at(time.Duration(i) * time.Second)
			if err := s.CreateSession(ctx, sess, refresh(id, 1), 3); err != nil {
				return err
			}
			list, err := s.ListSessions(ctx, "u1")
			seen[i] = len(list)
			return err
		})
		for i, err := range errs {
			require.NoError(t, err, "goroutine %d: a capped creation ends older sessions, it is never refused", i)
			assert.LessOrEqual(t, seen[i], 3, "goroutine %d saw more sessions than the cap right after its creation", i)
		}
		ids := sessionIDs(t, b, "u1")
		assert.Len(t, ids, 3, "exactly the cap: %v", ids)
		d := dump(t, b)
		var owners []string
		for _, tok := range d.RefreshTokens {
			owners = append(owners, tok.SessionID)
		}
		assert.Equal(t, sortedCopy(append(slices.Clone(ids), "other")), sortedCopy(owners),
			"one token per remaining session, none of an ended one")
		assert.Equal(t, []string{"other"}, sessionIDs(t, b, "u2"), "another user's sessions are untouched")
	})

	// The cap raced as a user's last two sign-ins would, one on each
	// handle, sessionCapTrials times: the user has two sessions and two
	// creations under a cap of three race; whatever their order, the first
	// ends nothing and the second ends the oldest session, so exactly the
	// second old session and both new ones remain.
	run("SessionCapPairs", func(t tb, a, b store.Store) {
		ctx := t.Context()
		id := func(trial int, name string) string { return fmt.Sprintf("t%03d-%s", trial, name) }
		var users []*store.User
		for trial := range sessionCapTrials {
			users = append(users, user(id(trial, "u")))
		}
		seedUsers(t, a, users)
		create := func(s store.Store, trial int, name string, age time.Duration, max int) (int, error) {
			sess := session(id(trial, name), id(trial, "u"))
			sess.CreatedAt = at(age)
			if err := s.CreateSession(ctx, sess, refresh(sess.ID, 1), max); err != nil {
				return 0, err
			}
			list, err := s.ListSessions(ctx, sess.UserID)
			return len(list), err
		}
		type outcome struct {
			setup, errA, errB error
			seenA, seenB      int
		}
		outcomes := inBatches(sessionCapTrials, func(trial int) (o outcome) {
			if _, o.setup = create(a, trial, "old1", time.Second, 0); o.setup != nil {
				return o
			}
			if _, o.setup = create(a, trial, "old2", 2*time.Second, 0); o.setup != nil {
				return o
			}
			o.errA, o.errB = pair(func() (err error) {
				o.seenA, err = create(a, trial, "newA", 3*time.Second, 3)
				return err
			}, func() (err error) {
				o.seenB, err = create(b, trial, "newB", 4*time.Second, 3)
				return err
			})
			return o
		})
		for trial, o := range outcomes {
			require.NoError(t, o.setup, "trial %d", trial)
			require.NoError(t, o.errA, "trial %d: a capped creation is never refused", trial)
			require.NoError(t, o.errB, "trial %d: a capped creation is never refused", trial)
			assert.LessOrEqual(t, o.seenA, 3, "trial %d: more sessions than the cap right after a creation", trial)
			assert.LessOrEqual(t, o.seenB, 3, "trial %d: more sessions than the cap right after a creation", trial)
			assert.Equal(t, []string{id(trial, "old2"), id(trial, "newA"), id(trial, "newB")}, sessionIDs(t, b, id(trial, "u")),
				"trial %d: the oldest session ends, exactly once", trial)
		}
		var owners []string
		for _, tok := range dump(t, b).RefreshTokens {
			owners = append(owners, tok.SessionID)
		}
		assert.Len(t, owners, 3*sessionCapTrials, "one token per remaining session, none of an ended one")
	})
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
