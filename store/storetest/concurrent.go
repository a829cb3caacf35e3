package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// racers is how many goroutines race in each concurrency case.
const racers = 50

// race runs f in racers goroutines released at once, goroutine i on a when
// i is even and on b when it is odd, and returns each goroutine's error.
func race(a, b store.Store, f func(i int, s store.Store) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			<-start
			errs[i] = f(i, s)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// winners counts the nil errors and checks that every other error is want.
func winners(t tb, errs []error, want error) int {
	t.Helper()
	n := 0
	for i, err := range errs {
		if err == nil {
			n++
			continue
		}
		assert.ErrorIs(t, err, want, "goroutine %d", i)
	}
	return n
}

// concurrent runs the atomicity cases; newPair returns two handles on one
// fresh database (or the same store twice).
func concurrent(t tb, newPair func(t tb) (store.Store, store.Store)) {
	run := func(name string, f func(t tb, a, b store.Store)) {
		t.Run(name, func(t tb) {
			t.Parallel()
			a, b := newPair(t)
			f(t, a, b)
		})
	}

	run("ConsumeRecoveryCode", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		require.NoError(t, a.ReplaceRecoveryCodes(ctx, "u1", []string{"same", "other"}))
		errs := race(a, b, func(_ int, s store.Store) error { return s.ConsumeRecoveryCode(ctx, "u1", "same") })
		assert.Equal(t, 1, winners(t, errs, store.ErrNotFound), "exactly one consumer wins")
		assert.Equal(t, []string{"other"}, codes(t, b, "u1"))
	})

	run("AdvanceTOTPStep", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		mustActive(t, a, "u1")
		errs := race(a, b, func(_ int, s store.Store) error { return s.AdvanceTOTPStep(ctx, "u1", 101) })
		assert.Equal(t, 1, winners(t, errs, store.ErrConflict), "exactly one advance to the same step wins")
		c, err := b.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, int64(101), c.LastStep)
	})

	// Goroutines advance to different steps: the last step ends up the
	// greatest, whatever the interleaving.
	run("AdvanceTOTPStepRising", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		mustActive(t, a, "u1")
		errs := race(a, b, func(i int, s store.Store) error { return s.AdvanceTOTPStep(ctx, "u1", 101+int64(i)) })
		assert.GreaterOrEqual(t, winners(t, errs, store.ErrConflict), 1)
		require.NoError(t, errs[racers-1], "the greatest step always wins")
		c, err := b.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, int64(100+racers), c.LastStep)
	})

	// Activation races replacements of the pending enrollment: whatever the
	// order, every enrollment a successful PutPendingTOTP stored is either
	// the one activated or still pending; none is lost between the steps
	// of an activation.
	run("ActivateTOTPVersusPutPending", func(t tb, a, b store.Store) {
		ctx := t.Context()
		for round := range 20 {
			user := fmt.Sprintf("u%d", round)
			mustUser(t, a, user)
			first := cred(user)
			first.Secret = []byte("first-secret")
			require.NoError(t, a.PutPendingTOTP(ctx, first))
			second := cred(user)
			second.Secret = []byte("second-secret")
			var activateErr, putErr error
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Go(func() { <-start; activateErr = a.ActivateTOTP(ctx, user, first.Secret, 100, nil, at(time.Minute)) })
			wg.Go(func() { <-start; putErr = b.PutPendingTOTP(ctx, second) })
			close(start)
			wg.Wait()
			require.NoError(t, putErr)
			// Either the activation came first (the first enrollment is active
			// and the replacement pending) or the replacement did (the checked
			// enrollment is gone: nothing is activated, the replacement waits).
			pending, err := b.PendingTOTP(ctx, user)
			require.NoError(t, err, "round %d: the replacement is pending either way", round)
			assert.Equal(t, "second-secret", string(pending.Secret), "round %d", round)
			active, err := b.ActiveTOTP(ctx, user)
			if activateErr == nil {
				require.NoError(t, err, "round %d", round)
				assert.Equal(t, "first-secret", string(active.Secret), "round %d", round)
			} else {
				require.ErrorIs(t, activateErr, store.ErrNotFound, "round %d", round)
				notFound(t, err, "round %d: nothing was activated", round)
			}
		}
	})

	run("FailRequestAttempt", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustRequest(t, a, "r1", "")
		counts := make([]int, racers)
		errs := race(a, b, func(i int, s store.Store) error {
			var err error
			counts[i], err = s.FailRequestAttempt(ctx, "r1", 5)
			return err
		})
		var got []int
		for i, err := range errs {
			if err == nil {
				got = append(got, counts[i])
			} else {
				assert.ErrorIs(t, err, store.ErrNotFound, "goroutine %d", i)
			}
		}
		slices.Sort(got)
		assert.Equal(t, []int{1, 2, 3, 4, 5}, got, "each count once, none past the maximum")
		_, err := b.Request(ctx, "r1")
		notFound(t, err, "deleted at the maximum")
	})

	run("Hit", func(t tb, a, b store.Store) {
		ctx := t.Context()
		counts := make([]int64, racers)
		errs := race(a, b, func(i int, s store.Store) error {
			c, err := s.Hit(ctx, "k", 1, time.Hour, t0)
			counts[i] = c.Count
			return err
		})
		for i, err := range errs {
			require.NoError(t, err, "goroutine %d", i)
		}
		slices.Sort(counts)
		want := make([]int64, racers)
		for i := range want {
			want[i] = int64(i + 1)
		}
		assert.Equal(t, want, counts, "every hit sees its own new count")
		c, err := b.Counter(ctx, "k", t0)
		require.NoError(t, err)
		assert.Equal(t, int64(racers), c.Count, "no increment lost")
	})

	run("DeleteRequest", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustRequest(t, a, "r1", "")
		errs := race(a, b, func(_ int, s store.Store) error { return s.DeleteRequest(ctx, "r1") })
		assert.Equal(t, 1, winners(t, errs, store.ErrNotFound), "exactly one delete wins")
	})

	run("APITokenCap", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		errs := race(a, b, func(i int, s store.Store) error {
			return s.CreateAPIToken(ctx, token(fmt.Sprintf("t%02d", i), "u1"), 3)
		})
		assert.Equal(t, 3, winners(t, errs, store.ErrLimitReached), "exactly the cap")
		assert.Len(t, tokenIDs(t, b, "u1"), 3)
	})

	run("CreateUserSameUsername", func(t tb, a, b store.Store) {
		ctx := t.Context()
		errs := race(a, b, func(i int, s store.Store) error {
			u := user(fmt.Sprintf("u%02d", i))
			u.Username = "Same"
			if i%2 == 1 {
				u.Username = "SAME"
			}
			return s.CreateUser(ctx, u)
		})
		assert.Equal(t, 1, winners(t, errs, store.ErrUsernameTaken), "exactly one user gets the name")
		assert.Len(t, userIDs(t, b), 1)
	})

	run("CreateUserSameEmail", func(t tb, a, b store.Store) {
		ctx := t.Context()
		errs := race(a, b, func(i int, s store.Store) error {
			u := user(fmt.Sprintf("u%02d", i))
			u.Email = "same@example.com"
			if i%2 == 1 {
				u.Email = "SAME@example.com"
			}
			return s.CreateUser(ctx, u)
		})
		assert.Equal(t, 1, winners(t, errs, store.ErrEmailTaken), "exactly one user gets the email")
		assert.Len(t, userIDs(t, b), 1)
	})

	run("SwapPasswordHash", func(t tb, a, b store.Store) {
		ctx := t.Context()
		u := mustUser(t, a, "u1")
		errs := race(a, b, func(i int, s store.Store) error {
			return s.SwapPasswordHash(ctx, "u1", u.PasswordHash, fmt.Sprintf("new-%02d", i), at(time.Hour))
		})
		assert.Equal(t, 1, winners(t, errs, store.ErrConflict), "exactly one swap wins")
		got, err := b.User(ctx, "u1")
		require.NoError(t, err)
		i := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		if i >= 0 {
			assert.Equal(t, fmt.Sprintf("new-%02d", i), got.PasswordHash, "the winner's hash is stored")
		}
	})

	run("ActivateTOTP", func(t tb, a, b store.Store) {
		ctx := t.Context()
		mustUser(t, a, "u1")
		require.NoError(t, a.PutPendingTOTP(ctx, cred("u1")))
		errs := race(a, b, func(i int, s store.Store) error {
			return s.ActivateTOTP(ctx, "u1", cred("u1").Secret, int64(i), []string{fmt.Sprintf("code-%02d", i)}, t0)
		})
		n := 0
		for i, err := range errs {
			if err == nil {
				n++
				continue
			}
			assert.True(t, isAny(err, store.ErrConflict, store.ErrNotFound), "goroutine %d: %v", i, err)
		}
		require.Equal(t, 1, n, "exactly one activation wins")
		i := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		c, err := b.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, int64(i), c.LastStep, "the winner's step")
		assert.Equal(t, []string{fmt.Sprintf("code-%02d", i)}, codes(t, b, "u1"), "the winner's codes, and only those")
	})

	// Readers never see the keyring between the delete and the insert of a
	// reset.
	run("ResetSigningKeys", func(t tb, a, b store.Store) {
		ctx := t.Context()
		require.NoError(t, a.ResetSigningKeys(ctx, key("k0", t0)))
		var mu sync.Mutex
		var seen []int
		errs := race(a, b, func(i int, s store.Store) error {
			if i%4 < 2 {
				return s.ResetSigningKeys(ctx, key(fmt.Sprintf("k%02d", i), at(time.Duration(i)*time.Second)))
			}
			list, err := s.SigningKeys(ctx)
			mu.Lock()
			seen = append(seen, len(list))
			mu.Unlock()
			return err
		})
		for i, err := range errs {
			require.NoError(t, err, "goroutine %d", i)
		}
		for _, n := range seen {
			assert.Equal(t, 1, n, "a reader saw %d keys", n)
		}
		list, err := b.SigningKeys(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})

	// Concurrent failures on different requests and hits on different keys
	// do not interfere.
	run("Independent", func(t tb, a, b store.Store) {
		ctx := t.Context()
		for i := range racers {
			mustRequest(t, a, fmt.Sprintf("r%02d", i), "")
		}
		errs := race(a, b, func(i int, s store.Store) error {
			n, err := s.FailRequestAttempt(ctx, fmt.Sprintf("r%02d", i), 3)
			if err == nil && n != 1 {
				return fmt.Errorf("count %d, want 1", n)
			}
			if err != nil {
				return err
			}
			c, err := s.Hit(ctx, fmt.Sprintf("k%02d", i), 2, time.Hour, t0)
			if err == nil && c.Count != 2 {
				return fmt.Errorf("count %d, want 2", c.Count)
			}
			return err
		})
		for i, err := range errs {
			require.NoError(t, err, "goroutine %d", i)
		}
		assert.Len(t, counterKeys(t, b, "k", t0), racers)
	})

	concurrentUsers(run)
	concurrentSessions(run)
	concurrentPasskeys(run)
}

func isAny(err error, targets ...error) bool {
	return slices.ContainsFunc(targets, func(target error) bool { return errors.Is(err, target) })
}
