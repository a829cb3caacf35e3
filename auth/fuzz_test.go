package auth_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

// knownCode reports whether err is one of the service's sentinels (never a
// bare internal error from a hostile input).
func knownCode(err error) bool {
	var e *auth.Error
	return errors.As(err, &e) && e != auth.ErrInternal
}

// FuzzAuthenticate feeds arbitrary bearer credentials to Authenticate: no
// panic, and nothing but a valid token is accepted.
func FuzzAuthenticate(f *testing.F) {
	e := newEnv(f)
	e.user("fuzz")
	tok := e.login("fuzz")
	f.Add(tok)
	f.Add(tok[:len(tok)-1])
	f.Add("lt_0000000000000000000000000000000000000000000000000")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("")
	f.Fuzz(func(t *testing.T, cred string) {
		p, err := e.svc.Authenticate(ctx, ipA, cred)
		if err != nil {
			require.True(t, knownCode(err), "%v", err)
			require.Nil(t, p)
			return
		}
		require.Equal(t, tok, cred, "only the issued token authenticates")
	})
}

// FuzzLoginInput feeds arbitrary identifiers, passwords and challenge
// tokens to the sign-in steps: no panic, only sentinel errors.
func FuzzLoginInput(f *testing.F) {
	e := newEnv(f, noLimits)
	e.user("fuzz")
	f.Add("fuzz", goodPassword, "123456")
	f.Add("fuzz@example.com", "x", "")
	f.Add("\xff\x00", "", "AAAA")
	f.Fuzz(func(t *testing.T, id, pw, other string) {
		res, err := e.svc.LoginPassword(ctx, ipA, id, pw)
		if err != nil {
			require.True(t, knownCode(err), "%v", err)
		} else {
			require.NotNil(t, res.Token)
		}
		_, err = e.svc.LoginTOTP(ctx, ipA, other, pw)
		require.True(t, knownCode(err), "%v", err)
		_, err = e.svc.LoginRecoveryCode(ctx, ipA, other, pw)
		require.True(t, knownCode(err), "%v", err)
		_, err = e.svc.GetPasswordReset(ctx, other)
		require.True(t, knownCode(err), "%v", err)
	})
}

// FuzzCreateUser feeds arbitrary user fields to CreateUser: no panic, a
// sentinel error or a user whose fields round-trip.
func FuzzCreateUser(f *testing.F) {
	e := newEnv(f)
	f.Add("alice", "alice@example.com", "10.0.0.0/8", "view_users", "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/")
	f.Add("a:b", "not-mail", "::1", "", "$2y$99$")
	f.Add("x@y.z", "\"q\"@x.y", "1.2.3.4/33", "*", "")
	f.Fuzz(func(t *testing.T, username, email, ip, perm, encoded string) {
		in := auth.CreateUserInput{Username: username, Email: email, AllowedIPs: []string{ip}, Permissions: []string{perm}}
		if encoded != "" {
			in.PasswordHash = encoded
		} else {
			in.Password = goodPassword
		}
		u, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), in)
		if err != nil {
			require.True(t, knownCode(err), "%v", err)
			return
		}
		require.Equal(t, username, u.Username)
		require.Equal(t, email, u.Email)
		got, err := e.svc.GetUser(ctx, auth.System(), u.ID)
		require.NoError(t, err)
		require.Equal(t, u.AllowedIPs, got.AllowedIPs)
		require.NoError(t, e.svc.DeleteUser(ctx, auth.System(), u.ID))
	})
}

// FuzzRestore feeds arbitrary bytes to Restore: no panic, a refused input
// changes nothing, and an accepted one dumps back to the same bytes.
func FuzzRestore(f *testing.F) {
	src := newEnv(f)
	src.user("fuzz")
	dump, err := src.svc.Dump(ctx, auth.System())
	require.NoError(f, err)
	f.Add(dump)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"users":[],"api_tokens":[],"totp":[],"pending_totp":[],"recovery_codes":[],"signing_keys":[{"id":"k","sealed":"AA==","created_at":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`[]`))
	dst := newEnv(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		before, err := dst.svc.Dump(ctx, auth.System())
		require.NoError(t, err)
		err = dst.svc.Restore(ctx, auth.System(), data)
		after, derr := dst.svc.Dump(ctx, auth.System())
		require.NoError(t, derr)
		if err != nil {
			require.ErrorIs(t, err, auth.ErrInvalidRequest)
			require.Equal(t, string(before), string(after))
			return
		}
		again, err := dst.svc.Dump(ctx, auth.System())
		require.NoError(t, err)
		require.Equal(t, string(after), string(again))
	})
}
