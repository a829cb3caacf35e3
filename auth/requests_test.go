package auth_test

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store"
)

func TestEmailVerification(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("rita")
		e.user("editor", auth.PermEditUsers)
		e.user("other")
		p, editor := e.principal("rita"), e.principal("editor")

		// Self: the code goes to the notifier, not to the caller.
		ev, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, "rita@example.com", ev.Email)
		assert.Empty(t, ev.Code)
		assert.Equal(t, t0.Add(auth.DefaultCodeTTL), ev.ExpiresAt)
		code := e.notes.get("verify:rita@example.com")
		require.Len(t, code, 8)

		got, err := e.svc.GetEmailVerification(ctx, p, u.ID, ev.ID)
		require.NoError(t, err)
		assert.Equal(t, ev.ID, got.ID)
		assert.Empty(t, got.Code)

		_, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, "00000000")
		require.ErrorIs(t, err, auth.ErrIncorrectCode)
		vu, err := e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, code)
		require.NoError(t, err)
		assert.True(t, vu.EmailVerified)
		_, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, code)
		require.ErrorIs(t, err, auth.ErrNotFound, "single use")

		// A new address, started by an editor who sees the code.
		newEmail := "rita.new@example.com"
		ev, err = e.svc.StartEmailVerification(ctx, ipA, editor, u.ID, &newEmail)
		require.NoError(t, err)
		require.Len(t, ev.Code, 8)
		assert.Empty(t, e.notes.get("verify:"+newEmail))
		vu, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, ev.Code)
		require.NoError(t, err)
		assert.Equal(t, newEmail, vu.Email)
		assert.True(t, vu.EmailVerified)

		// Whether an address is in use is told only at verification, so a
		// signed-in user cannot probe which addresses exist.
		taken := "other@example.com"
		tv, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, &taken)
		require.NoError(t, err)
		_, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, tv.ID, e.notes.get("verify:"+taken))
		require.ErrorIs(t, err, auth.ErrEmailAlreadyUsed)
		bad := "nope"
		_, err = e.svc.StartEmailVerification(ctx, ipA, p, u.ID, &bad)
		require.ErrorIs(t, err, auth.ErrInvalidEmail)
		_, err = e.svc.StartEmailVerification(ctx, ipA, e.principal("other"), u.ID, nil)
		require.ErrorIs(t, err, auth.ErrForbidden)

		// The address was taken between start and verify: the right code is
		// refused and the request stays, usable once the address is free.
		later := "rita.later@example.com"
		ev, err = e.svc.StartEmailVerification(ctx, ipA, editor, u.ID, &later)
		require.NoError(t, err)
		taker, err := e.svc.CreateUser(ctx, ipA, auth.System(), auth.CreateUserInput{Username: "taker", Email: later, Password: goodPassword})
		require.NoError(t, err)
		_, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, ev.Code)
		require.ErrorIs(t, err, auth.ErrEmailAlreadyUsed)
		_, err = e.svc.GetEmailVerification(ctx, p, u.ID, ev.ID)
		require.NoError(t, err, "a refused verification changes nothing")
		require.NoError(t, e.svc.DeleteUser(ctx, auth.System(), taker.ID))
		vu, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, ev.Code)
		require.NoError(t, err)
		assert.Equal(t, later, vu.Email)

		// Delete.
		ev, err = e.svc.StartEmailVerification(ctx, ipA, p, u.ID, nil)
		require.NoError(t, err)
		require.NoError(t, e.svc.DeleteEmailVerification(ctx, p, u.ID, ev.ID))
		_, err = e.svc.GetEmailVerification(ctx, p, u.ID, ev.ID)
		require.ErrorIs(t, err, auth.ErrNotFound)
	})
}

// TestFiveWrongCodes: the fifth wrong code deletes the request; then even
// the right code gets NOT_FOUND.
func TestFiveWrongCodes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("sam")
		p := e.principal("sam")
		ev, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, nil)
		require.NoError(t, err)
		code := e.notes.get("verify:sam@example.com")
		for i := range 5 {
			_, err := e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, "12345678")
			require.ErrorIs(t, err, auth.ErrIncorrectCode, "attempt %d", i+1)
		}
		_, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, code)
		require.ErrorIs(t, err, auth.ErrNotFound)

		pr, err := e.svc.StartPasswordReset(ctx, ipB, nil, "sam@example.com")
		require.NoError(t, err)
		code = e.notes.get("reset:sam@example.com")
		for i := range 5 {
			require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, "12345678"), auth.ErrIncorrectCode, "attempt %d", i+1)
		}
		require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, code), auth.ErrNotFound)
		_, err = e.svc.GetPasswordReset(ctx, pr.ID)
		require.ErrorIs(t, err, auth.ErrNotFound)
	})
}

func TestRequestExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"just before", auth.DefaultCodeTTL - time.Microsecond, true},
		{"at expiry", auth.DefaultCodeTTL, false},
		{"long after", 24 * time.Hour, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.user("tess")
			p := e.principal("tess")
			ev, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, nil)
			require.NoError(t, err)
			pr, err := e.svc.StartPasswordReset(ctx, ipA, nil, "tess@example.com")
			require.NoError(t, err)
			e.clock.Advance(tc.after)
			_, verr := e.svc.VerifyEmail(ctx, ipA, p, u.ID, ev.ID, e.notes.get("verify:tess@example.com"))
			rerr := e.svc.VerifyPasswordResetEmail(ctx, ipA, pr.ID, e.notes.get("reset:tess@example.com"))
			if tc.ok {
				require.NoError(t, verr)
				require.NoError(t, rerr)
			} else {
				require.ErrorIs(t, verr, auth.ErrNotFound)
				require.ErrorIs(t, rerr, auth.ErrNotFound)
			}
		})
	}
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("uma")
		old := e.login("uma")

		// Unknown email: the same shape, never completes, nothing sent.
		decoy, err := e.svc.StartPasswordReset(ctx, ipA, nil, "nobody@example.com")
		require.NoError(t, err)
		assert.NotEmpty(t, decoy.ID)
		assert.Empty(t, decoy.Code)
		assert.Empty(t, e.notes.get("reset:nobody@example.com"))
		got, err := e.svc.GetPasswordReset(ctx, decoy.ID)
		require.NoError(t, err)
		assert.False(t, got.EmailVerified)
		require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipA, decoy.ID, "12345678"), auth.ErrIncorrectCode)
		require.ErrorIs(t, e.svc.ResetPassword(ctx, ipA, decoy.ID, "brand new password"), auth.ErrEmailNotVerified)

		pr, err := e.svc.StartPasswordReset(ctx, ipA, nil, "UMA@example.com")
		require.NoError(t, err)
		assert.Empty(t, pr.Code)
		code := e.notes.get("reset:uma@example.com")
		require.Len(t, code, 8)
		require.ErrorIs(t, e.svc.ResetPassword(ctx, ipA, pr.ID, "brand new password"), auth.ErrEmailNotVerified)
		require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipA, pr.ID, code))
		got, err = e.svc.GetPasswordReset(ctx, pr.ID)
		require.NoError(t, err)
		assert.True(t, got.EmailVerified)
		assert.False(t, got.SecondFactorVerified)
		require.ErrorIs(t, e.svc.ResetPassword(ctx, ipA, pr.ID, "short"), auth.ErrInvalidPassword)
		e.clock.Advance(time.Millisecond)
		require.NoError(t, e.svc.ResetPassword(ctx, ipA, pr.ID, "brand new password"))
		require.ErrorIs(t, e.svc.ResetPassword(ctx, ipA, pr.ID, "another new password"), auth.ErrNotFound, "single use")

		_, err = e.svc.Authenticate(ctx, ipA, old)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "older access tokens stop working")
		res, err := e.svc.LoginPassword(ctx, ipA, "uma", "brand new password")
		require.NoError(t, err)
		assert.True(t, res.User.EmailVerified, "the reset proved the address")
		_ = u

		// An editor gets the code in the response.
		e.user("editor", auth.PermEditUsers)
		pr, err = e.svc.StartPasswordReset(ctx, ipA, e.principal("editor"), "uma@example.com")
		require.NoError(t, err)
		require.Len(t, pr.Code, 8)
		require.NoError(t, e.svc.DeletePasswordReset(ctx, pr.ID))
		require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipA, pr.ID, pr.Code), auth.ErrNotFound)

		_, err = e.svc.StartPasswordReset(ctx, ipA, nil, "not an email")
		require.ErrorIs(t, err, auth.ErrInvalidEmail)
	})
}

func TestPasswordResetWithTOTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("vera")
	key, recovery := e.enableTOTP(e.principal("vera"))

	start := func() string {
		pr, err := e.svc.StartPasswordReset(ctx, ipA, nil, "vera@example.com")
		require.NoError(t, err)
		return pr.ID
	}
	id := start()
	require.ErrorIs(t, e.svc.VerifyPasswordResetTOTP(ctx, ipA, id, e.code(key)), auth.ErrEmailNotVerified, "email first")
	require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipA, id, e.notes.get("reset:vera@example.com")))
	require.ErrorIs(t, e.svc.ResetPassword(ctx, ipA, id, "vera's new password"), auth.ErrSecondFactorNotVerified)
	require.ErrorIs(t, e.svc.VerifyPasswordResetTOTP(ctx, ipA, id, "000000"), auth.ErrIncorrectCode)
	code := e.code(key)
	require.NoError(t, e.svc.VerifyPasswordResetTOTP(ctx, ipA, id, code))
	require.NoError(t, e.svc.ResetPassword(ctx, ipA, id, "vera's new password"))

	// The TOTP code was consumed by the reset: a sign-in cannot replay it.
	e.clock.Advance(time.Millisecond)
	res, err := e.svc.LoginPassword(ctx, ipA, "vera", "vera's new password")
	require.NoError(t, err)
	require.True(t, res.SecondFactorRequired)
	_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, code)
	require.ErrorIs(t, err, auth.ErrIncorrectCode)

	// Lost authenticator: a recovery code removes TOTP during the reset.
	id = start()
	require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipA, id, e.notes.get("reset:vera@example.com")))
	require.ErrorIs(t, e.svc.ResetPasswordReset2FA(ctx, ipA, id, "2222-3333-4444"), auth.ErrIncorrectCode)
	require.NoError(t, e.svc.ResetPasswordReset2FA(ctx, ipA, id, recovery[3]))
	got, err := e.svc.GetPasswordReset(ctx, id)
	require.NoError(t, err)
	assert.True(t, got.SecondFactorVerified)
	require.NoError(t, e.svc.ResetPassword(ctx, ipA, id, "third password here"))
	res, err = e.svc.LoginPassword(ctx, ipA, "vera", "third password here")
	require.NoError(t, err)
	assert.False(t, res.SecondFactorRequired, "TOTP was removed")
}

func TestTOTPManagement(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("walt")
		e.user("editor", auth.PermEditUsers, auth.PermViewUsers)
		p, editor := e.principal("walt"), e.principal("editor")

		st, err := e.svc.TOTPStatus(ctx, p, u.ID)
		require.NoError(t, err)
		assert.False(t, st.Enabled)
		_, err = e.svc.ActivateTOTP(ctx, ipA, p, u.ID, "123456")
		require.ErrorIs(t, err, auth.ErrTOTPNotRegistered, "nothing pending")
		_, err = e.svc.EnrollTOTP(ctx, editor, u.ID)
		require.ErrorIs(t, err, auth.ErrForbidden, "enrollment is self only")

		en, err := e.svc.EnrollTOTP(ctx, p, u.ID)
		require.NoError(t, err)
		assert.Contains(t, en.OTPAuthURI, "otpauth://totp/Latch:walt?secret="+en.Secret)
		assert.Equal(t, []byte("\x89PNG"), en.QRPNG[:4])
		_, err = e.svc.ActivateTOTP(ctx, ipA, p, u.ID, "000000")
		require.ErrorIs(t, err, auth.ErrIncorrectCode)

		key, codes := e.enableTOTP(p) // a second enrollment replaces the first
		require.Len(t, codes, 10)
		st, err = e.svc.TOTPStatus(ctx, editor, u.ID)
		require.NoError(t, err)
		assert.True(t, st.Enabled)
		assert.Equal(t, "SHA1", st.Algorithm)
		assert.Equal(t, 6, st.Digits)
		assert.Equal(t, 30, st.Period)
		_, err = e.svc.EnrollTOTP(ctx, p, u.ID)
		require.ErrorIs(t, err, auth.ErrTOTPAlreadyRegistered)

		// Verify with replay protection.
		c := e.code(key)
		require.NoError(t, e.svc.VerifyTOTP(ctx, ipA, p, u.ID, c))
		require.ErrorIs(t, e.svc.VerifyTOTP(ctx, ipA, p, u.ID, c), auth.ErrIncorrectCode, "replay")
		e.clock.Advance(30 * time.Second)
		require.NoError(t, e.svc.VerifyTOTP(ctx, ipA, p, u.ID, e.code(key)[:3]+" "+e.code(key)[3:]), "spaces are ignored")

		// Recovery codes.
		n, err := e.svc.RecoveryCodesRemaining(ctx, p, u.ID)
		require.NoError(t, err)
		assert.Equal(t, 10, n)
		// A new set takes a current code: a session alone cannot mint a
		// second factor.
		_, err = e.svc.RegenerateRecoveryCodes(ctx, ipA, p, u.ID, "")
		require.ErrorIs(t, err, auth.ErrIncorrectCode)
		_, err = e.svc.RegenerateRecoveryCodes(ctx, ipA, p, u.ID, e.code(key))
		require.ErrorIs(t, err, auth.ErrIncorrectCode, "the code of this step was used above")
		n, err = e.svc.RecoveryCodesRemaining(ctx, p, u.ID)
		require.NoError(t, err)
		assert.Equal(t, 10, n, "a refused call changes nothing")
		require.NoError(t, e.svc.Reset2FA(ctx, ipA, p, u.ID, codes[1]), "the old set still works")
		key, codes = e.enableTOTP(p)
		fresh, err := e.svc.RegenerateRecoveryCodes(ctx, ipA, p, u.ID, e.code(key))
		require.NoError(t, err)
		require.Len(t, fresh, 10)
		require.ErrorIs(t, e.svc.Reset2FA(ctx, ipA, p, u.ID, codes[0]), auth.ErrIncorrectCode, "the old set is dead")
		require.NoError(t, e.svc.Reset2FA(ctx, ipA, p, u.ID, fresh[0]))
		st, err = e.svc.TOTPStatus(ctx, p, u.ID)
		require.NoError(t, err)
		assert.False(t, st.Enabled)
		_, err = e.svc.RecoveryCodesRemaining(ctx, p, u.ID)
		require.ErrorIs(t, err, auth.ErrTOTPNotRegistered)

		// Delete: self with a code, or an editor.
		key, _ = e.enableTOTP(p)
		require.ErrorIs(t, e.svc.DeleteTOTP(ctx, ipA, p, u.ID, nil, nil), auth.ErrForbidden)
		wrong := "000000"
		require.ErrorIs(t, e.svc.DeleteTOTP(ctx, ipA, p, u.ID, &wrong, nil), auth.ErrIncorrectCode)
		good := e.code(key)
		require.NoError(t, e.svc.DeleteTOTP(ctx, ipA, p, u.ID, &good, nil))
		require.ErrorIs(t, e.svc.DeleteTOTP(ctx, ipA, editor, u.ID, nil, nil), auth.ErrTOTPNotRegistered)
		e.enableTOTP(p)
		require.NoError(t, e.svc.DeleteTOTP(ctx, ipA, editor, u.ID, nil, nil))
	})
}

// TestSweep: expired requests and revocations are deleted from the store,
// by Sweep and by the service itself every ten minutes.
func TestSweep(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("sid")
	p := e.principal("sid")
	ev, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, nil) // sweeps (first time)
	require.NoError(t, err)
	require.NoError(t, e.svc.Logout(ctx, p))
	e.clock.Advance(auth.DefaultCodeTTL)
	_, err = e.st.Request(ctx, ev.ID)
	require.NoError(t, err, "expired but not yet swept")
	require.NoError(t, e.svc.Sweep(ctx))
	_, err = e.st.Request(ctx, ev.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	revoked, err := e.st.IsRevoked(ctx, p.TokenID)
	require.NoError(t, err)
	assert.False(t, revoked, "the revocation outlived its token and was swept")

	ev, err = e.svc.StartEmailVerification(ctx, ipA, e.principal("sid"), u.ID, nil)
	require.NoError(t, err)
	e.clock.Advance(auth.DefaultCodeTTL)
	_, err = e.svc.StartPasswordReset(ctx, ipA, nil, "sid@example.com") // 30 min after the first sweep
	require.NoError(t, err)
	_, err = e.st.Request(ctx, ev.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "swept by the service itself")
}

// sweepRecorder records the times DeleteDeadCounters is called with.
type sweepRecorder struct {
	store.Store
	mu    sync.Mutex
	calls []time.Time
}

func (s *sweepRecorder) DeleteDeadCounters(ctx contextT, now time.Time) error {
	s.mu.Lock()
	s.calls = append(s.calls, now)
	s.mu.Unlock()
	return s.Store.DeleteDeadCounters(ctx, now)
}

// TestSweepCounters: rate-limit counters left by failed sign-ins from many
// client IPs are deleted once their windows end, by the service itself (at
// most every ten minutes), so storage does not grow with every address an
// attacker uses. How each backend deletes them is the store's contract.
func TestSweepCounters(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			rec := &sweepRecorder{Store: b.open(t)}
			e := newEnvOn(t, rec)
			first := e.clock.Now()
			for i := range 20 {
				ip := netip.AddrFrom4([4]byte{198, 51, 100, byte(i)})
				_, err := e.svc.LoginPassword(ctx, auth.Client{IP: ip}, fmt.Sprintf("ghost-%d", i), "wrong password")
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			}
			live, err := rec.ListCounters(ctx, "", e.clock.Now())
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(live), 40, "a counter per client IP and per identifier")
			assert.Equal(t, []time.Time{first}, rec.calls, "one sweep in the first ten minutes")

			e.clock.Advance(time.Hour) // every window (at most 30 minutes) has ended
			_, err = e.svc.LoginPassword(ctx, auth.Client{IP: netip.MustParseAddr("203.0.113.9")}, "ghost", "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			assert.Equal(t, []time.Time{first, e.clock.Now()}, rec.calls, "swept again after ten minutes")
		})
	}
}

// slowFailStore delays counting wrong codes, so that parallel attempts are
// all compared before the first is counted unless the service reserves
// each check beforehand.
type slowFailStore struct {
	store.Store
}

func (s slowFailStore) FailRequestAttempt(ctx contextT, id string, max int) (int, error) {
	time.Sleep(20 * time.Millisecond)
	return s.Store.FailRequestAttempt(ctx, id, max)
}

// TestParallelWrongCodes: a burst of parallel wrong codes from many client
// IPs compares at most five codes against one email-verification or
// password-reset request (known address or not); the others get NOT_FOUND.
func TestParallelWrongCodes(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvOn(t, slowFailStore{b.open(t)}, func(c *auth.Config) { c.Limits.Defender.Disabled = true })
			u := e.user("pia")
			p := e.principal("pia")
			ev, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, nil)
			require.NoError(t, err)
			known, err := e.svc.StartPasswordReset(ctx, ipA, nil, "pia@example.com")
			require.NoError(t, err)
			decoy, err := e.svc.StartPasswordReset(ctx, ipA, nil, "nobody@example.com")
			require.NoError(t, err)
			for _, tc := range []struct {
				name string
				try  func(c auth.Client) error
			}{
				{"email verification", func(c auth.Client) error {
					_, err := e.svc.VerifyEmail(ctx, c, p, u.ID, ev.ID, "12345678")
					return err
				}},
				{"password reset", func(c auth.Client) error {
					return e.svc.VerifyPasswordResetEmail(ctx, c, known.ID, "12345678")
				}},
				{"password reset, unknown email", func(c auth.Client) error {
					return e.svc.VerifyPasswordResetEmail(ctx, c, decoy.ID, "12345678")
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var wg sync.WaitGroup
					var mu sync.Mutex
					counts := map[string]int{}
					for i := range 20 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							err := tc.try(auth.Client{IP: netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)})})
							mu.Lock()
							counts[auth.CodeOf(err)]++
							mu.Unlock()
						}()
					}
					wg.Wait()
					assert.Equal(t, map[string]int{"INCORRECT_CODE": 5, "NOT_FOUND": 15}, counts)
				})
			}
			// The right code of a request that lived through 4 wrong ones
			// still works, and gives its check back.
			pr, err := e.svc.StartPasswordReset(ctx, ipB, nil, "pia@example.com")
			require.NoError(t, err)
			code := e.notes.get("reset:pia@example.com")
			for range 4 {
				require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, "12345678"), auth.ErrIncorrectCode)
			}
			require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, code))
			require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, code), "verifying again is harmless")
			require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, "12345678"), auth.ErrIncorrectCode)
			require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, code), auth.ErrNotFound, "the fifth wrong code deleted it")
		})
	}
}
