package auth_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

func TestAuthenticateCertificate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ivy := e.user("ivy", "view_reports")
	disabled := e.user("jack")
	fenced := e.user("kate")
	p := e.principal("ivy")
	withTOTP := e.principal(func() string { e.user("liam"); return "liam" }())
	e.enableTOTP(withTOTP)
	yes := true
	_, err := e.svc.UpdateUser(ctx, auth.System(), disabled.ID, auth.UpdateUserInput{Disabled: &yes})
	require.NoError(t, err)
	only := []string{"198.51.100.0/24"}
	_, err = e.svc.UpdateUser(ctx, auth.System(), fenced.ID, auth.UpdateUserInput{AllowedIPs: &only})
	require.NoError(t, err)

	tests := []struct {
		name     string
		username string
		wantErr  error
	}{
		{"user", "ivy", nil},
		{"user, other letter case", "IVY", nil},
		{"unknown user", "nobody", auth.ErrUnauthorized},
		{"empty name", "", auth.ErrUnauthorized},
		{"invalid UTF-8", "iv\xffy", auth.ErrUnauthorized},
		{"over-long name", string(make([]byte, 1000)), auth.ErrUnauthorized},
		{"disabled user", "jack", auth.ErrAccountDisabled},
		{"client IP not allowed", "kate", auth.ErrIPNotAllowed},
		{"user with TOTP", "liam", auth.ErrUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := e.svc.AuthenticateCertificate(ctx, ipA, tc.username)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ivy.ID, got.UserID)
			assert.Equal(t, auth.KindCertificate, got.Kind)
			assert.True(t, got.Can("view_reports"))
			assert.Empty(t, got.TokenID)
			assert.True(t, got.ExpiresAt.IsZero())
		})
	}

	t.Run("not a session", func(t *testing.T) {
		t.Parallel()
		cp, err := e.svc.AuthenticateCertificate(ctx, ipA, "ivy")
		require.NoError(t, err)
		require.ErrorIs(t, e.svc.Logout(ctx, cp), auth.ErrInvalidRequest)
		current := goodPassword
		err = e.svc.ChangePassword(ctx, ipA, cp, p.UserID, &current, "another good password")
		require.ErrorIs(t, err, auth.ErrForbidden)
	})
}
