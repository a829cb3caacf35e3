package storetest

import (
	"context"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// call is one use of a store method.
type call struct {
	name string
	f    func(ctx context.Context, s store.Store) error
}

// seed stores what the calls below act on, so that each would succeed (or
// at least reach the data) with a live context on an open store.
func seed(t tb, s store.Store) {
	t.Helper()
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustUser(t, s, "u2")
	mustToken(t, s, "t1", "u1")
	mustActive(t, s, "u1", "c1", "c2")
	require.NoError(t, s.PutPendingTOTP(ctx, cred("u2")))
	mustRequest(t, s, "r1", "u1")
	mustSession(t, s, "s1", "u1")
	mustPasskey(t, s, "p1", "u1")
	require.NoError(t, s.SetPasskeyHandle(ctx, "u1", []byte("handle-u1")))
	require.NoError(t, s.AddSigningKey(ctx, key("k1", t0)))
	require.NoError(t, s.RevokeToken(ctx, "j1", at(time.Hour)))
	_, err := s.Hit(ctx, "c", 1, time.Hour, t0)
	require.NoError(t, err)
}

// calls lists every method of store.Store but Close, in an order in which
// each succeeds on a seeded store after the ones before it.
func calls() []call {
	u1 := user("u1")
	return []call{
		{"CreateUser", func(ctx context.Context, s store.Store) error { return s.CreateUser(ctx, user("new")) }},
		{"CreateUsers", func(ctx context.Context, s store.Store) error {
			errs, err := s.CreateUsers(ctx, []*store.User{user("batch")})
			if err != nil {
				return err
			}
			return errs[0]
		}},
		{"User", func(ctx context.Context, s store.Store) error { _, err := s.User(ctx, "u1"); return err }},
		{"UserByUsername", func(ctx context.Context, s store.Store) error {
			_, err := s.UserByUsername(ctx, u1.Username)
			return err
		}},
		{"UserByEmail", func(ctx context.Context, s store.Store) error { _, err := s.UserByEmail(ctx, u1.Email); return err }},
		{"UpdateUser", func(ctx context.Context, s store.Store) error {
			u := user("u1")
			u.Role = "changed"
			return s.UpdateUser(ctx, u)
		}},
		{"SwapPasswordHash", func(ctx context.Context, s store.Store) error {
			return s.SwapPasswordHash(ctx, "u1", u1.PasswordHash, "changed", at(time.Hour))
		}},
		{"SetLastLogin", func(ctx context.Context, s store.Store) error { return s.SetLastLogin(ctx, "u1", at(time.Hour)) }},
		{"ListUsers", func(ctx context.Context, s store.Store) error { _, _, err := s.ListUsers(ctx, 10, ""); return err }},
		{"CreateAPIToken", func(ctx context.Context, s store.Store) error { return s.CreateAPIToken(ctx, token("t2", "u1"), 0) }},
		{"APITokenByDigest", func(ctx context.Context, s store.Store) error {
			_, err := s.APITokenByDigest(ctx, "digest-t1")
			return err
		}},
		{"APITokenWithOwner", func(ctx context.Context, s store.Store) error {
			_, _, err := s.APITokenWithOwner(ctx, "digest-t1")
			return err
		}},
		{"ListAPITokens", func(ctx context.Context, s store.Store) error { _, err := s.ListAPITokens(ctx, "u1"); return err }},
		{"TouchAPIToken", func(ctx context.Context, s store.Store) error { return s.TouchAPIToken(ctx, "t1", at(time.Hour)) }},
		{"DeleteAPIToken", func(ctx context.Context, s store.Store) error { return s.DeleteAPIToken(ctx, "u1", "t1") }},
		{"CreateSession", func(ctx context.Context, s store.Store) error {
			return s.CreateSession(ctx, session("s2", "u1"), refresh("s2", 1), 3)
		}},
		{"Session", func(ctx context.Context, s store.Store) error { _, err := s.Session(ctx, "s1"); return err }},
		{"SessionWithOwner", func(ctx context.Context, s store.Store) error {
			_, _, err := s.SessionWithOwner(ctx, "s1")
			return err
		}},
		{"ListSessions", func(ctx context.Context, s store.Store) error { _, err := s.ListSessions(ctx, "u1"); return err }},
		{"RotateRefreshToken", func(ctx context.Context, s store.Store) error {
			_, _, _, err := s.RotateRefreshToken(ctx, refresh("s1", 1), refresh("s1", 2), at(time.Minute), time.Minute)
			return err
		}},
		{"DeleteSession", func(ctx context.Context, s store.Store) error { return s.DeleteSession(ctx, "u1", "s2") }},
		{"DeleteUserSessions", func(ctx context.Context, s store.Store) error {
			_, err := s.DeleteUserSessions(ctx, "u1")
			return err
		}},
		{"DeleteExpiredSessions", func(ctx context.Context, s store.Store) error {
			return s.DeleteExpiredSessions(ctx, at(48*time.Hour))
		}},
		{"CreatePasskey", func(ctx context.Context, s store.Store) error { return s.CreatePasskey(ctx, passkey("p2", "u1"), 5) }},
		{"Passkey", func(ctx context.Context, s store.Store) error { _, err := s.Passkey(ctx, "u1", "p1"); return err }},
		{"PasskeyByCredentialID", func(ctx context.Context, s store.Store) error {
			_, _, err := s.PasskeyByCredentialID(ctx, passkey("p1", "u1").CredentialID)
			return err
		}},
		{"ListPasskeys", func(ctx context.Context, s store.Store) error { _, err := s.ListPasskeys(ctx, "u1"); return err }},
		{"RenamePasskey", func(ctx context.Context, s store.Store) error { return s.RenamePasskey(ctx, "u1", "p1", "renamed") }},
		{"RecordPasskeyUse", func(ctx context.Context, s store.Store) error {
			return s.RecordPasskeyUse(ctx, "p1", 5, 6, false, at(time.Hour))
		}},
		{"DeletePasskey", func(ctx context.Context, s store.Store) error { return s.DeletePasskey(ctx, "u1", "p2") }},
		{"PasskeyHandle", func(ctx context.Context, s store.Store) error { _, err := s.PasskeyHandle(ctx, "u1"); return err }},
		{"UserByPasskeyHandle", func(ctx context.Context, s store.Store) error {
			_, err := s.UserByPasskeyHandle(ctx, []byte("handle-u1"))
			return err
		}},
		{"SetPasskeyHandle", func(ctx context.Context, s store.Store) error {
			return s.SetPasskeyHandle(ctx, "u2", []byte("handle-u2"))
		}},
		{"RecoveryCodeDigests", func(ctx context.Context, s store.Store) error { _, err := s.RecoveryCodeDigests(ctx, "u1"); return err }},
		{"ConsumeRecoveryCode", func(ctx context.Context, s store.Store) error { return s.ConsumeRecoveryCode(ctx, "u1", "c1") }},
		{"ReplaceRecoveryCodes", func(ctx context.Context, s store.Store) error {
			return s.ReplaceRecoveryCodes(ctx, "u1", []string{"z"})
		}},
		{"PutPendingTOTP", func(ctx context.Context, s store.Store) error { return s.PutPendingTOTP(ctx, cred("u1")) }},
		{"PendingTOTP", func(ctx context.Context, s store.Store) error { _, err := s.PendingTOTP(ctx, "u2"); return err }},
		{"ActivateTOTP", func(ctx context.Context, s store.Store) error {
			return s.ActivateTOTP(ctx, "u2", cred("u2").Secret, 1, []string{"x"}, t0)
		}},
		{"ActiveTOTP", func(ctx context.Context, s store.Store) error { _, err := s.ActiveTOTP(ctx, "u1"); return err }},
		{"AdvanceTOTPStep", func(ctx context.Context, s store.Store) error { return s.AdvanceTOTPStep(ctx, "u1", 101) }},
		{"DeleteTOTP", func(ctx context.Context, s store.Store) error { return s.DeleteTOTP(ctx, "u1") }},
		{"DeleteUser", func(ctx context.Context, s store.Store) error { return s.DeleteUser(ctx, "u2") }},
		{"CreateRequest", func(ctx context.Context, s store.Store) error { return s.CreateRequest(ctx, request("r2", "")) }},
		{"Request", func(ctx context.Context, s store.Store) error { _, err := s.Request(ctx, "r1"); return err }},
		{"FailRequestAttempt", func(ctx context.Context, s store.Store) error {
			_, err := s.FailRequestAttempt(ctx, "r1", 5)
			return err
		}},
		{"MarkRequestVerified", func(ctx context.Context, s store.Store) error {
			return s.MarkRequestVerified(ctx, "r1", store.VerifiedEmail)
		}},
		{"DeleteRequest", func(ctx context.Context, s store.Store) error { return s.DeleteRequest(ctx, "r1") }},
		{"DeleteExpiredRequests", func(ctx context.Context, s store.Store) error { return s.DeleteExpiredRequests(ctx, at(48*time.Hour)) }},
		{"AddSigningKey", func(ctx context.Context, s store.Store) error { return s.AddSigningKey(ctx, key("k2", t0)) }},
		{"SigningKeys", func(ctx context.Context, s store.Store) error { _, err := s.SigningKeys(ctx); return err }},
		{"DeleteSigningKey", func(ctx context.Context, s store.Store) error { return s.DeleteSigningKey(ctx, "k1") }},
		{"ResetSigningKeys", func(ctx context.Context, s store.Store) error { return s.ResetSigningKeys(ctx, key("k3", t0)) }},
		{"RevokeToken", func(ctx context.Context, s store.Store) error { return s.RevokeToken(ctx, "j2", at(time.Hour)) }},
		{"IsRevoked", func(ctx context.Context, s store.Store) error { _, err := s.IsRevoked(ctx, "j1"); return err }},
		{"DeleteExpiredRevocations", func(ctx context.Context, s store.Store) error {
			return s.DeleteExpiredRevocations(ctx, at(48*time.Hour))
		}},
		{"Hit", func(ctx context.Context, s store.Store) error {
			_, err := s.Hit(ctx, "c", 1, time.Hour, t0)
			return err
		}},
		{"Counter", func(ctx context.Context, s store.Store) error { _, err := s.Counter(ctx, "c", t0); return err }},
		{"Ban", func(ctx context.Context, s store.Store) error { return s.Ban(ctx, "c", at(time.Hour)) }},
		{"ListCounters", func(ctx context.Context, s store.Store) error { _, err := s.ListCounters(ctx, "", t0); return err }},
		{"DeleteCounter", func(ctx context.Context, s store.Store) error { return s.DeleteCounter(ctx, "c") }},
		{"DeleteDeadCounters", func(ctx context.Context, s store.Store) error { return s.DeleteDeadCounters(ctx, t0) }},
		{"Dump", func(ctx context.Context, s store.Store) error { _, err := s.Dump(ctx); return err }},
		{"Restore", func(ctx context.Context, s store.Store) error { return s.Restore(ctx, &store.Dump{}) }},
	}
}

// shortLived returns the state a Dump leaves out, for comparison.
func shortLived(t tb, s store.Store) []any {
	t.Helper()
	ctx := t.Context()
	r, err := s.Request(ctx, "r1")
	require.NoError(t, err)
	revoked, err := s.IsRevoked(ctx, "j1")
	require.NoError(t, err)
	counters, err := s.ListCounters(ctx, "", t0)
	require.NoError(t, err)
	return []any{normRequest(*r, false), revoked, counters}
}

func (x suite) context(t tb) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel2()

	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"Cancelled", cancelled, context.Canceled},
		{"DeadlineExceeded", expired, context.DeadlineExceeded},
	} {
		x.run(t, tc.name, func(t tb, s store.Store) {
			seed(t, s)
			before, beforeShort := dump(t, s), shortLived(t, s)
			for _, c := range calls() {
				var err error
				require.NotPanics(t, func() { err = c.f(tc.ctx, s) }, c.name)
				assert.ErrorIs(t, err, tc.want, c.name)
			}
			assert.Equal(t, before, dump(t, s), "no call changed anything")
			assert.Equal(t, beforeShort, shortLived(t, s), "no call changed anything")
		})
	}
}

// closed checks that a closed store returns errors from every method and
// never panics.
func (x suite) closed(t tb) {
	t.Run("Closed", func(t tb) {
		t.Parallel()
		s := x.newStore(t)
		require.NotNil(t, s)
		seed(t, s)
		require.NoError(t, s.Close())
		for _, c := range calls() {
			var err error
			require.NotPanics(t, func() { err = c.f(t.Context(), s) }, c.name)
			assert.Error(t, err, "%s after Close", c.name)
		}
		assert.NotPanics(t, func() { _ = s.Close() }, "a second Close")
	})
	// The calls succeed on an open store, so the errors above come from Close
	// and from the context.
	x.run(t, "Open", func(t tb, s store.Store) {
		seed(t, s)
		for _, c := range calls() {
			assert.NoError(t, c.f(t.Context(), s), c.name)
		}
	})
}
