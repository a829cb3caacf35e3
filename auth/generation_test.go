package auth_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

// startReset opens a password reset for the user's email the way an
// anonymous caller does and verifies its emailed code.
func (e *env) startReset(email string) string {
	e.t.Helper()
	pr, err := e.svc.StartPasswordReset(ctx, ipB, nil, email)
	require.NoError(e.t, err)
	code := e.notes.get("reset:" + email)
	require.NotEmpty(e.t, code, "the code was sent")
	require.NoError(e.t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, code))
	return pr.ID
}

// TestResetRequestDiesWithAccountState: a reset request opened before a
// password change, an email change, a disable, a reduction of access or a
// deletion can never complete afterwards, even once the change is undone.
func TestResetRequestDiesWithAccountState(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, e *env, id string)
		want   error
	}{
		{"password changed", func(t *testing.T, e *env, id string) {
			require.NoError(t, e.svc.ChangePassword(ctx, ipA, auth.System(), id, nil, "another good password"))
		}, auth.ErrNotFound},
		{"password reset by another request", func(t *testing.T, e *env, id string) {
			other := e.startReset("rita@example.com")
			require.NoError(t, e.svc.ResetPassword(ctx, ipA, other, "another good password"))
		}, auth.ErrNotFound},
		{"email changed", func(t *testing.T, e *env, id string) {
			addr := "elsewhere@example.com"
			_, err := e.svc.UpdateUser(ctx, auth.System(), id, auth.UpdateUserInput{Email: &addr})
			require.NoError(t, err)
		}, auth.ErrNotFound},
		{"disabled", func(t *testing.T, e *env, id string) {
			yes := true
			_, err := e.svc.UpdateUser(ctx, auth.System(), id, auth.UpdateUserInput{Disabled: &yes})
			require.NoError(t, err)
		}, auth.ErrNotFound},
		{"disabled and enabled again", func(t *testing.T, e *env, id string) {
			for _, v := range []bool{true, false} {
				_, err := e.svc.UpdateUser(ctx, auth.System(), id, auth.UpdateUserInput{Disabled: &v})
				require.NoError(t, err)
			}
		}, auth.ErrNotFound},
		{"permissions reduced", func(t *testing.T, e *env, id string) {
			none := []string{}
			_, err := e.svc.UpdateUser(ctx, auth.System(), id, auth.UpdateUserInput{Permissions: &none})
			require.NoError(t, err)
		}, auth.ErrNotFound},
		{"allowed IPs narrowed", func(t *testing.T, e *env, id string) {
			ips := []string{"192.0.2.0/24"}
			_, err := e.svc.UpdateUser(ctx, auth.System(), id, auth.UpdateUserInput{AllowedIPs: &ips})
			require.NoError(t, err)
		}, auth.ErrNotFound},
		{"deleted", func(t *testing.T, e *env, id string) {
			require.NoError(t, e.svc.DeleteUser(ctx, auth.System(), id))
		}, auth.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.user("rita", auth.PermViewUsers)
			id := e.startReset("rita@example.com")
			tc.change(t, e, u.ID)
			err := e.svc.ResetPassword(ctx, ipB, id, "the attacker's password")
			require.ErrorIs(t, err, tc.want)
			_, err = e.svc.LoginPassword(ctx, ipA, "rita", "the attacker's password")
			assert.ErrorIs(t, err, auth.ErrInvalidCredentials, "the reset's password never signs in")
		})
	}

	t.Run("unchanged account completes", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		u := e.user("rita", auth.PermViewUsers)
		id := e.startReset("rita@example.com")
		more := []string{auth.PermViewUsers, auth.PermEditUsers}
		_, err := e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Permissions: &more})
		require.NoError(t, err, "a wider grant is no reduction")
		require.NoError(t, e.svc.ResetPassword(ctx, ipB, id, "a brand new password"))
		_, err = e.svc.LoginPassword(ctx, ipA, "rita", "a brand new password")
		require.NoError(t, err)
	})
}

// TestDisabledAccountNeverResets: a reset for a disabled account behaves as
// for an unknown address (no code is sent; the request never completes),
// and stays dead when the account is enabled again.
func TestDisabledAccountNeverResets(t *testing.T) {
	e := newEnv(t)
	u := e.user("dora")
	yes := true
	_, err := e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Disabled: &yes})
	require.NoError(t, err)
	pr, err := e.svc.StartPasswordReset(ctx, ipB, nil, "dora@example.com")
	require.NoError(t, err, "the same answer as for any address")
	assert.Empty(t, e.notes.get("reset:dora@example.com"), "no code sent to a disabled account")
	admin, err := e.svc.StartPasswordReset(ctx, ipB, auth.System(), "dora@example.com")
	require.NoError(t, err)
	require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, admin.ID, admin.Code), auth.ErrIncorrectCode,
		"even the code handed to an administrator never completes")
	no := false
	_, err = e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Disabled: &no})
	require.NoError(t, err)
	require.ErrorIs(t, e.svc.ResetPassword(ctx, ipB, pr.ID, "a brand new password"), auth.ErrEmailNotVerified)
}

// TestChallengeDiesWithGeneration: a second-factor challenge issued before
// a password change cannot complete after it.
func TestChallengeDiesWithGeneration(t *testing.T) {
	e := newEnv(t)
	e.user("tom")
	p := e.principal("tom")
	key, _ := e.enableTOTP(p)
	res, err := e.svc.LoginPassword(ctx, ipA, "tom", goodPassword)
	require.NoError(t, err)
	require.True(t, res.SecondFactorRequired)
	require.NoError(t, e.svc.ChangePassword(ctx, ipA, auth.System(), p.UserID, nil, "another good password"))
	_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
	require.ErrorIs(t, err, auth.ErrUnauthorized)
}

// TestLostUpdates: a user's own change made from a read taken before an
// administrator's change never puts the old values back (the store's
// compare-and-swap makes the service apply the user's change to the fresh
// record).
func TestLostUpdates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e = newEnvOn(t, e.st, raisedLimits)
		u := e.user("lou", auth.PermViewUsers)
		self := e.principal("lou")
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range 20 {
				addr := "lou" + string(rune('a'+i)) + "@example.com"
				v, err := e.svc.ChangeEmail(ctx, ipA, self, u.ID, addr, nil)
				if !assert.NoError(t, err) {
					return
				}
				_, err = e.svc.VerifyEmail(ctx, ipA, self, u.ID, v.ID, e.notes.get("verify:"+addr))
				assert.NoError(t, err)
			}
		}()
		yes := true
		none := []string{}
		ips := []string{"198.51.100.0/24"}
		_, err := e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Disabled: &yes, Permissions: &none, AllowedIPs: &ips})
		require.NoError(t, err)
		<-done
		got, err := e.svc.GetUser(ctx, auth.System(), u.ID)
		require.NoError(t, err)
		assert.True(t, got.Disabled, "the disable holds")
		assert.Empty(t, got.Permissions, "the demotion holds")
		assert.Equal(t, ips, got.AllowedIPs, "the allowed IPs hold")
		assert.Equal(t, "lout@example.com", got.Email, "and so does the user's last change")
	})
}
