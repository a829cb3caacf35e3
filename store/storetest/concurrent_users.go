package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// userTrials is how many times each user-record race is run; every trial
// races two goroutines, one on each handle, on a user of its own.
const userTrials = 100

// maxRMW bounds the attempts of one read-modify-write; a correct store
// lets every attempt but those that lost to a concurrent write succeed.
const maxRMW = 1000

// modify reads user id from s, applies edit and writes it back, reading
// again and reapplying edit for as long as the write is refused as stale:
// the loop a caller of UpdateUser runs.
func modify(ctx context.Context, s store.Store, id string, edit func(u *store.User)) (stales int, err error) {
	for range maxRMW {
		u, err := s.User(ctx, id)
		if err != nil {
			return stales, err
		}
		edit(u)
		runtime.Gosched() // let the other writer in between the read and the write
		err = s.UpdateUser(ctx, u)
		if !errors.Is(err, store.ErrStale) {
			return stales, err
		}
		stales++
	}
	return stales, fmt.Errorf("still stale after %d attempts", maxRMW)
}

// batch is how many trials run at once, each on users of its own: the SQL
// backends spend most of a trial waiting for commits, which overlap.
const batch = 4

// inBatches runs trial(0) to trial(n-1), batch at a time, and returns
// their outcomes in order.
func inBatches[O any](n int, trial func(i int) O) []O {
	out := make([]O, n)
	for first := 0; first < n; first += batch {
		var wg sync.WaitGroup
		for i := first; i < min(first+batch, n); i++ {
			wg.Go(func() { out[i] = trial(i) })
		}
		wg.Wait()
	}
	return out
}

// pair runs fa and fb in two goroutines released at once and returns their
// errors.
func pair(fa, fb func() error) (errA, errB error) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { <-start; errA = fa() })
	wg.Go(func() { <-start; errB = fb() })
	close(start)
	wg.Wait()
	return errA, errB
}

// seedUsers writes users into the empty store s with one Restore (one
// transaction on the SQL backends, where a commit per user would take most
// of a case's time) and returns them as stored, by ID.
func seedUsers(t tb, s store.Store, users []*store.User) map[string]*store.User {
	t.Helper()
	d := &store.Dump{}
	for _, u := range users {
		d.Users = append(d.Users, *u)
	}
	require.NoError(t, s.Restore(t.Context(), d), "Restore of the users")
	out := map[string]*store.User{}
	for _, u := range dump(t, s).Users {
		out[u.ID] = cloneUser(&u)
	}
	require.Len(t, out, len(users), "seeded users")
	return out
}

// concurrentUsers runs the races on user records: an administrator's
// change racing the user's own updates is never lost, and concurrent
// writes never give one identifier to two accounts. Each case runs
// userTrials trials, taking the rows of its table in turn.
func concurrentUsers(run func(name string, f func(t tb, a, b store.Store))) {
	// Goroutine A (handle a), an administrator, makes one change that must
	// end the user's credentials, with the generation increased in the same
	// write; goroutine B (handle b), the user, changes its email three times
	// and signs in after the first change. Whatever the interleaving, the
	// end state holds A's change exactly once, B's last email and the
	// sign-in.
	const userEdits = 3
	adminChanges := []struct {
		name   string
		change func(u *store.User)
		check  func(t tb, u *store.User, msgAndArgs ...any)
		rehash bool // B also re-hashes the old password on sign-in, first
	}{
		{"disable",
			func(u *store.User) { u.Disabled = true },
			func(t tb, u *store.User, msgAndArgs ...any) { assert.True(t, u.Disabled, msgAndArgs...) }, false},
		{"demote permissions",
			func(u *store.User) { u.Permissions = []string{"read"} },
			func(t tb, u *store.User, msgAndArgs ...any) {
				assert.Equal(t, []string{"read"}, u.Permissions, msgAndArgs...)
			}, false},
		{"change allowed IPs",
			func(u *store.User) { u.AllowedIPs = []string{"198.51.100.7"} },
			func(t tb, u *store.User, msgAndArgs ...any) {
				assert.Equal(t, []string{"198.51.100.7"}, u.AllowedIPs, msgAndArgs...)
			}, false},
		// The swap either comes first (and A's write, read after it,
		// replaces its hash) or finds the hash changed.
		{"set password hash",
			func(u *store.User) { u.PasswordHash = "admin-set-hash" },
			func(t tb, u *store.User, msgAndArgs ...any) {
				assert.Equal(t, "admin-set-hash", u.PasswordHash, msgAndArgs...)
			}, true},
	}
	run("AdminChangeNeverLost", func(t tb, a, b store.Store) {
		ctx := t.Context()
		id := func(trial int) string { return fmt.Sprintf("u%03d", trial) }
		email := func(trial, k int) string { return fmt.Sprintf("%s-%d@example.com", id(trial), k) }
		var users []*store.User
		for trial := range userTrials {
			users = append(users, user(id(trial)))
		}
		seeded := seedUsers(t, a, users)
		type outcome struct {
			errA, errB error
			stales     int
			swapped    bool
		}
		outcomes := inBatches(userTrials, func(trial int) (o outcome) {
			c := adminChanges[trial%len(adminChanges)]
			var staleA, staleB int
			o.errA, o.errB = pair(func() error {
				var err error
				staleA, err = modify(ctx, a, id(trial), func(u *store.User) {
					c.change(u)
					u.Generation++
				})
				return err
			}, func() error {
				if c.rehash {
					err := b.SwapPasswordHash(ctx, id(trial), seeded[id(trial)].PasswordHash, "rehashed", at(time.Hour))
					if err != nil && !errors.Is(err, store.ErrConflict) {
						return err
					}
					o.swapped = err == nil
				}
				for k := range userEdits {
					n, err := modify(ctx, b, id(trial), func(u *store.User) { u.Email = email(trial, k) })
					staleB += n
					if err != nil {
						return err
					}
					if k == 0 {
						if err := b.SetLastLogin(ctx, id(trial), at(time.Minute)); err != nil {
							return err
						}
					}
				}
				return nil
			})
			o.stales = staleA + staleB
			return o
		})
		raced := map[string]int{}
		for trial, o := range outcomes {
			c := adminChanges[trial%len(adminChanges)]
			require.NoError(t, o.errA, "trial %d (%s): the administrator's change", trial, c.name)
			require.NoError(t, o.errB, "trial %d (%s): the user's changes", trial, c.name)
			if o.stales > 0 {
				raced[c.name]++
			}
			start, got := seeded[id(trial)], getUser(t, b, id(trial))
			c.check(t, got, "trial %d (%s): the administrator's change is kept", trial, c.name)
			assert.Equal(t, start.Generation+1, got.Generation, "trial %d (%s): the generation increased exactly once", trial, c.name)
			assert.Equal(t, email(trial, userEdits-1), got.Email, "trial %d (%s): the user's last email", trial, c.name)
			assert.Equal(t, at(time.Minute), got.LastLoginAt, "trial %d (%s): the sign-in", trial, c.name)
			assert.Equal(t, start.Role, got.Role, "trial %d (%s): what neither changed is kept", trial, c.name)
			writes := int64(1 + userEdits)
			if o.swapped {
				writes++
			}
			assert.Equal(t, start.Version+writes, got.Version, "trial %d (%s): one version per write that succeeded", trial, c.name)
			if t.Failed() {
				return
			}
		}
		t.Logf("trials with a write refused as stale, by change: %v", raced)
	})

	// X takes an identifier as its username while Y takes the same one
	// (in another case) as its email, each by creating its account or by
	// updating an existing one, X on handle a and Y on handle b. Exactly
	// one wins, and the lookups by username and by email reach one user.
	type identRace struct {
		name             string
		updateX, updateY bool // the account exists and is updated, or is created
	}
	identRaces := []identRace{
		{"create username versus create email", false, false},
		{"create username versus update email", false, true},
		{"update username versus update email", true, true},
	}
	run("OneIdentifierOneAccount", func(t tb, a, b store.Store) {
		ctx := t.Context()
		race := func(trial int) identRace { return identRaces[trial%len(identRaces)] }
		xid := func(trial int) string { return fmt.Sprintf("x%03d", trial) }
		yid := func(trial int) string { return fmt.Sprintf("y%03d", trial) }
		ident := func(trial int) string { return fmt.Sprintf("Same-%03d@Example.COM", trial) }
		// The accounts that exist before the race, with identifiers of
		// their own.
		var existing []*store.User
		for trial := range userTrials {
			if race(trial).updateX {
				existing = append(existing, namedUser(xid(trial), xid(trial), ""))
			}
			if race(trial).updateY {
				existing = append(existing, namedUser(yid(trial), yid(trial), yid(trial)+"@example.org"))
			}
		}
		seeded := seedUsers(t, a, existing)
		type outcome struct{ errX, errY error }
		outcomes := inBatches(userTrials, func(trial int) (o outcome) {
			r := race(trial)
			x := namedUser(xid(trial), ident(trial), "")
			y := namedUser(yid(trial), yid(trial), strings.ToLower(ident(trial)))
			o.errX, o.errY = pair(func() error {
				if r.updateX {
					x.Version = seeded[x.ID].Version
					return a.UpdateUser(ctx, x)
				}
				return a.CreateUser(ctx, x)
			}, func() error {
				if r.updateY {
					y.Version = seeded[y.ID].Version
					return b.UpdateUser(ctx, y)
				}
				return b.CreateUser(ctx, y)
			})
			return o
		})
		wins := map[string]int{}
		for trial, o := range outcomes {
			r := race(trial)
			require.True(t, (o.errX == nil) != (o.errY == nil),
				"trial %d (%s): exactly one of the two gets the identifier (X: %v, Y: %v)", trial, r.name, o.errX, o.errY)
			winner, byUsername, byEmail := xid(trial), xid(trial), ""
			loser, loserExisted := yid(trial), r.updateY
			if o.errX != nil {
				require.ErrorIs(t, o.errX, store.ErrUsernameTaken, "trial %d (%s): X's username is Y's email", trial, r.name)
				winner, byUsername, byEmail = yid(trial), "", yid(trial)
				loser, loserExisted = xid(trial), r.updateX
			} else {
				require.ErrorIs(t, o.errY, store.ErrEmailTaken, "trial %d (%s): Y's email is X's username", trial, r.name)
			}
			wins[r.name+": "+winner[:1]]++
			reaches(t, b, ident(trial), byUsername, byEmail)
			// The loser is as it was: absent, or with its old identifiers.
			if loserExisted {
				reaches(t, a, loser, loser, "")
			} else {
				_, err := a.User(ctx, loser)
				notFound(t, err, "trial %d (%s): the loser was not created", trial, r.name)
			}
		}
		distinctIdentifiers(t, b, "after every trial")
		t.Logf("winners: %v", wins)
	})
}
