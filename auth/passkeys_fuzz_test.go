package auth_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

// FuzzPasskeyCeremony feeds LoginPasskey and FinishPasskeyRegistration
// arbitrary ceremony IDs and credentials: no panic, only the documented
// refusals, and no ceremony is ever completed by a forged or altered ID.
// The seeds are a real login ID, its tampered variants and garbage.
func FuzzPasskeyCeremony(f *testing.F) {
	e := newEnv(f, withPasskeys, noLimits)
	e.user("fuzz")
	p := e.principal("fuzz")
	a := authenticator()
	e.register(p, a, "key")
	begin, err := e.svc.BeginPasskeyLogin(ctx, ipA, "", "")
	require.NoError(f, err)
	cred, err := a.Login(begin.Options)
	require.NoError(f, err)
	reg, err := e.svc.BeginPasskeyRegistration(ctx, ipA, p, p.UserID, nil)
	require.NoError(f, err)

	id := begin.LoginID
	f.Add(id, cred)
	f.Add(id[:len(id)-1]+"A", cred)
	f.Add(reg.RegistrationID, cred)
	f.Add("pk_", []byte("{}"))
	f.Add("pk_AAAA.AAAA", []byte("null"))
	f.Add("..", []byte(`{"id":"","rawId":"","type":"public-key","response":{}}`))
	f.Add("", []byte{})

	allowed := []error{auth.ErrInvalidCredentials, auth.ErrInvalidRequest, auth.ErrUnauthorized, auth.ErrForbidden}
	f.Fuzz(func(t *testing.T, ceremonyID string, credential []byte) {
		if ceremonyID == begin.LoginID {
			return // the one real ID: completing it is not a forgery
		}
		res, err := e.svc.LoginPasskey(ctx, ipA, ceremonyID, credential)
		require.Nil(t, res)
		require.True(t, isOneOf(err, allowed), "LoginPasskey: %v", err)
		if ceremonyID == reg.RegistrationID {
			return // a real registration ID: finishing it with junk uses it up, as documented
		}
		pk, err := e.svc.FinishPasskeyRegistration(ctx, ipA, p, p.UserID, ceremonyID, credential, "x")
		require.Nil(t, pk)
		require.True(t, isOneOf(err, allowed), "FinishPasskeyRegistration: %v", err)
	})
}

func isOneOf(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
