package auth_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/internal/softauthn"
	"github.com/latchkit/latch/passkey"
	"github.com/latchkit/latch/store"
)

const rpOrigin = "https://login.example.com"

// withPasskeys turns passkeys on for rpOrigin, RP ID example.com.
func withPasskeys(c *auth.Config) {
	c.Passkeys = auth.PasskeyConfig{RPOrigins: []string{rpOrigin}, RPID: "example.com"}
}

// authenticator is a software authenticator that counts, verifies the
// user and can be synced.
func authenticator() *softauthn.Authenticator {
	return &softauthn.Authenticator{Origin: rpOrigin, UserVerified: true, BackupEligible: true, BackupState: true, CounterStep: 1}
}

// register adds a passkey of a to the principal's user.
func (e *env) register(p *auth.Principal, a *softauthn.Authenticator, name string) *auth.Passkey {
	e.t.Helper()
	reg, err := e.svc.BeginPasskeyRegistration(ctx, ipA, p, p.UserID, nil)
	require.NoError(e.t, err)
	cred, err := a.Register(reg.Options)
	require.NoError(e.t, err)
	pk, err := e.svc.FinishPasskeyRegistration(ctx, ipA, p, p.UserID, reg.RegistrationID, cred, name)
	require.NoError(e.t, err)
	return pk
}

// passkeyLogin runs a passkey sign-in with a's first matching credential.
func (e *env) passkeyLogin(a *softauthn.Authenticator, identifier, challenge string) (*auth.LoginResult, error) {
	e.t.Helper()
	begin, err := e.svc.BeginPasskeyLogin(ctx, ipA, identifier, challenge)
	require.NoError(e.t, err)
	cred, err := a.Login(begin.Options)
	require.NoError(e.t, err)
	return e.svc.LoginPasskey(ctx, ipA, begin.LoginID, cred)
}

func TestPasskeyCeremonies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ann := e.user("ann")
		p := e.principal("ann")
		a := authenticator()

		reg, err := e.svc.BeginPasskeyRegistration(ctx, ipA, p, ann.ID, nil)
		require.NoError(t, err)
		var opts struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
			AuthenticatorSelection struct {
				ResidentKey      string `json:"residentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
			ExcludeCredentials []json.RawMessage `json:"excludeCredentials"`
		}
		require.NoError(t, json.Unmarshal(reg.Options, &opts))
		handle, err := b64url(opts.User.ID)
		require.NoError(t, err)
		assert.Len(t, handle, 32, "a random handle")
		assert.NotContains(t, string(handle), ann.ID)
		assert.Equal(t, "preferred", opts.AuthenticatorSelection.ResidentKey)
		assert.Equal(t, "preferred", opts.AuthenticatorSelection.UserVerification)
		assert.Empty(t, opts.ExcludeCredentials)
		cred, err := a.Register(reg.Options)
		require.NoError(t, err)
		pk, err := e.svc.FinishPasskeyRegistration(ctx, ipA, p, ann.ID, reg.RegistrationID, cred, "")
		require.NoError(t, err)
		assert.Equal(t, auth.DefaultPasskeyName, pk.Name)
		assert.True(t, pk.BackupEligible)
		assert.True(t, pk.BackupState)
		assert.Nil(t, pk.LastUsedAt)

		// The second registration keeps the handle and excludes the first.
		e.clock.Advance(time.Second)
		reg2, err := e.svc.BeginPasskeyRegistration(ctx, ipA, p, ann.ID, nil)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(reg2.Options, &opts))
		h2, err := b64url(opts.User.ID)
		require.NoError(t, err)
		assert.Equal(t, handle, h2)
		assert.Len(t, opts.ExcludeCredentials, 1)
		_, err = a.Register(reg2.Options)
		require.ErrorIs(t, err, softauthn.ErrRefused, "the authenticator holds an excluded credential")
		other := authenticator()
		other.BackupEligible, other.BackupState = false, false
		cred2, err := other.Register(reg2.Options)
		require.NoError(t, err)
		pk2, err := e.svc.FinishPasskeyRegistration(ctx, ipA, p, ann.ID, reg2.RegistrationID, cred2, "laptop")
		require.NoError(t, err)
		assert.False(t, pk2.BackupEligible)

		t.Run("discoverable", func(t *testing.T) {
			res, err := e.passkeyLogin(a, "", "")
			require.NoError(t, err)
			require.NotNil(t, res.Token)
			assert.NotEmpty(t, res.Token.RefreshToken)
			assert.NotEmpty(t, res.Token.SessionID)
			assert.Equal(t, ann.ID, res.User.ID)
			got, err := e.svc.Authenticate(ctx, ipA, res.Token.AccessToken)
			require.NoError(t, err)
			assert.Equal(t, ann.ID, got.UserID)
		})
		t.Run("identifier", func(t *testing.T) {
			for _, id := range []string{"ann", "ann@example.com"} {
				res, err := e.passkeyLogin(other, id, "")
				require.NoError(t, err, id)
				assert.Equal(t, ann.ID, res.User.ID)
			}
		})
		t.Run("unknown identifier gets discoverable options", func(t *testing.T) {
			begin, err := e.svc.BeginPasskeyLogin(ctx, ipA, "nobody", "")
			require.NoError(t, err)
			assert.NotContains(t, string(begin.Options), "allowCredentials")
		})
		t.Run("list, rename, last use", func(t *testing.T) {
			list, err := e.svc.ListPasskeys(ctx, p, ann.ID)
			require.NoError(t, err)
			require.Len(t, list, 2)
			assert.Equal(t, pk.ID, list[0].ID)
			require.NotNil(t, list[0].LastUsedAt)
			renamed, err := e.svc.RenamePasskey(ctx, p, ann.ID, pk.ID, "phone")
			require.NoError(t, err)
			assert.Equal(t, "phone", renamed.Name)
			_, err = e.svc.RenamePasskey(ctx, p, ann.ID, pk.ID, "")
			require.ErrorIs(t, err, auth.ErrInvalidRequest)
			_, err = e.svc.RenamePasskey(ctx, p, ann.ID, "nope", "x")
			require.ErrorIs(t, err, auth.ErrNotFound)
		})
		t.Run("delete", func(t *testing.T) {
			require.NoError(t, e.svc.DeletePasskey(ctx, ipA, p, ann.ID, pk2.ID, nil))
			require.ErrorIs(t, e.svc.DeletePasskey(ctx, ipA, p, ann.ID, pk2.ID, nil), auth.ErrNotFound)
			_, err := e.passkeyLogin(other, "", "")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials, "a deleted passkey")
		})
	}, withPasskeys)
}

func TestPasskeySecondFactor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		bob := e.user("bob")
		p := e.principal("bob")
		a := authenticator()
		e.register(p, a, "key")

		res, err := e.svc.LoginPassword(ctx, ipA, "bob", goodPassword)
		require.NoError(t, err)
		require.True(t, res.SecondFactorRequired, "a user with a passkey is asked for a second factor")
		assert.Equal(t, []string{"passkey"}, res.Methods)

		a.UserVerified = false // preferred, not required, after a password
		got, err := e.passkeyLogin(a, "", res.ChallengeToken)
		require.NoError(t, err)
		require.NotNil(t, got.Token)
		assert.Equal(t, bob.ID, got.User.ID)
		_, err = e.svc.BeginPasskeyLogin(ctx, ipA, "", res.ChallengeToken)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "the challenge is used up")

		_, err = e.svc.TokenBasic(ctx, ipA, "bob", goodPassword, "")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials, "Basic cannot carry a passkey")

		e.clock.Advance(time.Second)
		e.enableTOTP(e.principal2FA(a, "bob"))
		res, err = e.svc.LoginPassword(ctx, ipA, "bob", goodPassword)
		require.NoError(t, err)
		assert.Equal(t, []string{"totp", "passkey", "recovery_code"}, res.Methods)

		_, err = e.svc.BeginPasskeyLogin(ctx, ipA, "bob", res.ChallengeToken)
		require.ErrorIs(t, err, auth.ErrInvalidRequest, "an identifier and a challenge")
	}, withPasskeys)
}

// principal2FA signs a user with a passkey in (password, then passkey).
func (e *env) principal2FA(a *softauthn.Authenticator, name string) *auth.Principal {
	e.t.Helper()
	res, err := e.svc.LoginPassword(ctx, ipA, name, goodPassword)
	require.NoError(e.t, err)
	got, err := e.passkeyLogin(a, "", res.ChallengeToken)
	require.NoError(e.t, err)
	p, err := e.svc.Authenticate(ctx, ipA, got.Token.AccessToken)
	require.NoError(e.t, err)
	return p
}

func TestPasskeyRefusals(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, withPasskeys, func(c *auth.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
		c.Limits.Defender.Disabled = true
	})
	ann := e.user("ann")
	e.user("bob")
	pa, pb := e.principal("ann"), e.principal("bob")
	a, b := authenticator(), authenticator()
	e.register(pa, a, "ann's")
	e.register(pb, b, "bob's")
	annCred := func() []byte {
		list, err := e.st.ListPasskeys(ctx, ann.ID)
		require.NoError(t, err)
		return list[0].CredentialID
	}()

	begin := func(identifier string) *auth.PasskeyLogin {
		l, err := e.svc.BeginPasskeyLogin(ctx, ipA, identifier, "")
		require.NoError(t, err)
		return l
	}
	tests := []struct {
		name string
		run  func(t *testing.T) error
	}{
		{"wrong origin", func(t *testing.T) error {
			l := begin("")
			a.Origin = "https://evil.example.net"
			defer func() { a.Origin = rpOrigin }()
			cred, err := a.Login(l.Options)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, cred)
			return err
		}},
		{"wrong RP ID", func(t *testing.T) error {
			l := begin("")
			a.RPID = "evil.example.net"
			defer func() { a.RPID = "" }()
			cred, err := a.Login(l.Options)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, cred)
			return err
		}},
		{"replayed assertion, new ceremony", func(t *testing.T) error {
			l := begin("")
			cred, err := a.Login(l.Options)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, cred)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, begin("").LoginID, cred)
			return err
		}},
		{"login_id used twice", func(t *testing.T) error {
			l := begin("")
			bad, err := a.Login(l.Options)
			require.NoError(t, err)
			bad[len(bad)/2] ^= 1
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, bad)
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			good, err := a.Login(l.Options)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, good)
			return err
		}},
		{"credential of another user", func(t *testing.T) error {
			l := begin("bob")
			cred, err := a.LoginWith(l.Options, annCred)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, cred)
			return err
		}},
		{"no user verification when passwordless", func(t *testing.T) error {
			l := begin("ann")
			a.UserVerified = false
			defer func() { a.UserVerified = true }()
			cred, err := a.LoginWith(l.Options, annCred)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, cred)
			return err
		}},
		{"counter went backwards", func(t *testing.T) error {
			l := begin("")
			require.True(t, a.SetSignCount(annCred, 0))
			cred, err := a.Login(l.Options)
			require.NoError(t, err)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, cred)
			return err
		}},
		{"expired ceremony", func(t *testing.T) error {
			a.SetSignCount(annCred, 1000)
			l := begin("")
			cred, err := a.Login(l.Options)
			require.NoError(t, err)
			e.clock.Advance(passkey.Timeout + time.Second)
			_, err = e.svc.LoginPasskey(ctx, ipA, l.LoginID, cred)
			return err
		}},
		{"garbage login_id", func(t *testing.T) error {
			_, err := e.svc.LoginPasskey(ctx, ipA, "pk_x.AAAA", []byte(`{}`))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.run(t), auth.ErrInvalidCredentials)
		})
	}
	assert.Contains(t, logs.String(), `"msg":"auth.passkey_clone_detected"`)
	assert.Contains(t, logs.String(), `"msg":"auth.passkey_refused"`)

	t.Run("stored counter kept after a clone", func(t *testing.T) {
		list, err := e.st.ListPasskeys(ctx, ann.ID)
		require.NoError(t, err)
		assert.Greater(t, list[0].SignCount, uint32(1))
	})
}

func TestPasskeyRegistrationRules(t *testing.T) {
	e := newEnv(t, withPasskeys, func(c *auth.Config) { c.Passkeys.MaxPerUser = 2 })
	ann := e.user("ann")
	admin := e.user("root", auth.PermAll)
	pa := e.principal("ann")
	a := authenticator()

	t.Run("another user's registration", func(t *testing.T) {
		_, err := e.svc.BeginPasskeyRegistration(ctx, ipA, e.principal("root"), ann.ID, nil)
		require.ErrorIs(t, err, auth.ErrForbidden)
		reg, err := e.svc.BeginPasskeyRegistration(ctx, ipA, pa, ann.ID, nil)
		require.NoError(t, err)
		cred, err := a.Register(reg.Options)
		require.NoError(t, err)
		a.Forget()
		other := e.principal("ann") // another session of the same user
		_, err = e.svc.FinishPasskeyRegistration(ctx, ipA, other, ann.ID, reg.RegistrationID, cred, "")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		_, err = e.svc.FinishPasskeyRegistration(ctx, ipA, pa, ann.ID, reg.RegistrationID, cred, "")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials, "used once")
	})
	t.Run("wrong origin", func(t *testing.T) {
		reg, err := e.svc.BeginPasskeyRegistration(ctx, ipA, pa, ann.ID, nil)
		require.NoError(t, err)
		a.Origin = "https://evil.example.net"
		cred, err := a.Register(reg.Options)
		a.Origin = rpOrigin
		a.Forget()
		require.NoError(t, err)
		_, err = e.svc.FinishPasskeyRegistration(ctx, ipA, pa, ann.ID, reg.RegistrationID, cred, "")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	})
	t.Run("a password change ends the ceremony", func(t *testing.T) {
		reg, err := e.svc.BeginPasskeyRegistration(ctx, ipA, pa, ann.ID, nil)
		require.NoError(t, err)
		cred, err := a.Register(reg.Options)
		require.NoError(t, err)
		a.Forget()
		pw := goodPassword
		require.NoError(t, e.svc.ChangePassword(ctx, ipA, e.principal("root"), ann.ID, nil, pw+"!"))
		_ = pw
		pa = nil
		res, err := e.svc.LoginPassword(ctx, ipA, "ann", goodPassword+"!")
		require.NoError(t, err)
		pa, err = e.svc.Authenticate(ctx, ipA, res.Token.AccessToken)
		require.NoError(t, err)
		_, err = e.svc.FinishPasskeyRegistration(ctx, ipA, pa, ann.ID, reg.RegistrationID, cred, "")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	})
	t.Run("recent sign-in", func(t *testing.T) {
		e.clock.Advance(auth.RecentAuthWindow + time.Second)
		_, err := e.svc.BeginPasskeyRegistration(ctx, ipA, pa, ann.ID, nil)
		require.ErrorIs(t, err, auth.ErrReauthenticationRequired)
		wrong := "nope"
		_, err = e.svc.BeginPasskeyRegistration(ctx, ipA, pa, ann.ID, &wrong)
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		pw := goodPassword + "!"
		reg, err := e.svc.BeginPasskeyRegistration(ctx, ipA, pa, ann.ID, &pw)
		require.NoError(t, err)
		cred, err := a.Register(reg.Options)
		require.NoError(t, err)
		pk, err := e.svc.FinishPasskeyRegistration(ctx, ipA, pa, ann.ID, reg.RegistrationID, cred, "key")
		require.NoError(t, err)
		require.ErrorIs(t, e.svc.DeletePasskey(ctx, ipA, pa, ann.ID, pk.ID, nil), auth.ErrReauthenticationRequired)
		// An administrator with edit_users is not asked.
		require.NoError(t, e.svc.DeletePasskey(ctx, ipA, e.principalPW("root"), ann.ID, pk.ID, nil))
		_ = admin
	})
	t.Run("cap", func(t *testing.T) {
		p := e.principalPW("ann")
		e.register(p, authenticator(), "one")
		e.register(p, authenticator(), "two")
		_, err := e.svc.BeginPasskeyRegistration(ctx, ipA, p, ann.ID, nil)
		require.ErrorIs(t, err, auth.ErrInvalidRequest)
	})
	t.Run("passkeys off", func(t *testing.T) {
		off := newEnv(t)
		_, err := off.svc.BeginPasskeyLogin(ctx, ipA, "", "")
		require.ErrorIs(t, err, auth.ErrInvalidRequest)
	})
}

// principalPW signs in with the password only (the user has no TOTP;
// with a passkey the challenge is answered with none: use for users
// without passkeys, or for administrators).
func (e *env) principalPW(name string) *auth.Principal {
	e.t.Helper()
	pw := goodPassword
	if name == "ann" {
		pw += "!"
	}
	res, err := e.svc.LoginPassword(ctx, ipA, name, pw)
	require.NoError(e.t, err)
	require.NotNil(e.t, res.Token)
	p, err := e.svc.Authenticate(ctx, ipA, res.Token.AccessToken)
	require.NoError(e.t, err)
	return p
}

func TestPasskeyFailuresCountTowardLimits(t *testing.T) {
	e := newEnv(t, withPasskeys, func(c *auth.Config) {
		c.Limits.Defender.Threshold = 4
		c.Limits.Defender.ScoreFailure = 2
	})
	e.user("ann")
	e.register(e.principal("ann"), authenticator(), "k")
	for range 2 {
		_, err := e.svc.LoginPasskey(ctx, ipA, "pk_x.AAAA", []byte(`{}`))
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	_, err := e.svc.BeginPasskeyLogin(ctx, ipA, "", "")
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl, "the client is banned")
}

func TestPasskeyBackup(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ann := e.user("ann")
		a := authenticator()
		e.register(e.principal("ann"), a, "k")
		root := auth.System()
		dump, err := e.svc.Dump(ctx, root)
		require.NoError(t, err)
		var doc struct {
			Version        int               `json:"version"`
			Passkeys       []json.RawMessage `json:"passkeys"`
			PasskeyHandles []json.RawMessage `json:"passkey_handles"`
		}
		require.NoError(t, json.Unmarshal(dump, &doc))
		assert.Equal(t, 3, doc.Version)
		assert.Len(t, doc.Passkeys, 1)
		assert.Len(t, doc.PasskeyHandles, 1)

		require.NoError(t, e.svc.DeleteUser(ctx, root, ann.ID))
		_, err = e.st.UserByPasskeyHandle(ctx, mustHandle(t, e, dump))
		require.ErrorIs(t, err, store.ErrNotFound, "deleting the user deletes its handle")
		require.NoError(t, e.svc.Restore(ctx, root, dump))
		res, err := e.passkeyLogin(a, "", "")
		require.NoError(t, err, "the restored passkey signs in")
		assert.Equal(t, ann.ID, res.User.ID)
		again, err := e.svc.Dump(ctx, root)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(again, &doc))
		assert.Len(t, doc.Passkeys, 1)

		t.Run("older versions hold no passkeys", func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(dump, &m))
			m["version"] = 2
			v2, err := json.Marshal(m)
			require.NoError(t, err)
			require.ErrorIs(t, e.svc.Restore(ctx, root, v2), auth.ErrInvalidRequest)
			delete(m, "passkeys")
			delete(m, "passkey_handles")
			v2, err = json.Marshal(m)
			require.NoError(t, err)
			require.NoError(t, e.svc.Restore(ctx, root, v2))
		})
	}, withPasskeys)
}

func mustHandle(t *testing.T, _ *env, dump []byte) []byte {
	var doc struct {
		PasskeyHandles []struct {
			Handle []byte `json:"handle"`
		} `json:"passkey_handles"`
	}
	require.NoError(t, json.Unmarshal(dump, &doc))
	require.Len(t, doc.PasskeyHandles, 1)
	return doc.PasskeyHandles[0].Handle
}
