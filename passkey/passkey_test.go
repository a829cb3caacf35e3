package passkey_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/softauthn"
	"github.com/latchkit/latch/passkey"
)

const (
	rpID   = "example.com"
	origin = "https://login.example.com"
)

var b64 = base64.RawURLEncoding

func newRP(t *testing.T) *passkey.RP {
	t.Helper()
	rp, err := passkey.New(passkey.Config{RPID: rpID, RPDisplayName: "Example", RPOrigins: []string{"https://example.com", origin}})
	require.NoError(t, err)
	return rp
}

func newUser(name string) passkey.User {
	return passkey.User{Handle: passkey.NewUserHandle(), Name: name, DisplayName: strings.ToUpper(name)}
}

func newAuthenticator(alg softauthn.Alg, format softauthn.Format) *softauthn.Authenticator {
	return &softauthn.Authenticator{Alg: alg, Format: format, Origin: origin, UserVerified: true, CounterStep: 1}
}

// register adds a passkey on a to user and returns it.
func register(t *testing.T, rp *passkey.RP, a *softauthn.Authenticator, user passkey.User, exclude ...passkey.Credential) passkey.Credential {
	t.Helper()
	options, state, err := rp.BeginRegistration(user, exclude)
	require.NoError(t, err)
	resp, err := a.Register(options)
	require.NoError(t, err)
	cred, err := rp.FinishRegistration(user, state, resp)
	require.NoError(t, err)
	return cred
}

// answer returns the assertion a gives for options.
func answer(t *testing.T, a *softauthn.Authenticator, options []byte) *passkey.Assertion {
	t.Helper()
	resp, err := a.Login(options)
	require.NoError(t, err)
	as, err := passkey.ParseAssertion(resp)
	require.NoError(t, err)
	return as
}

func TestConfig(t *testing.T) {
	t.Parallel()
	valid := []struct {
		name          string
		cfg           passkey.Config
		rpID, display string
	}{
		{"localhost default", passkey.Config{RPOrigins: []string{passkey.DefaultOrigin}}, "localhost", "localhost"},
		{"RP ID from the first origin", passkey.Config{RPOrigins: []string{"https://example.com", "https://example.com:8443"}}, "example.com", "example.com"},
		{"subdomain origins", passkey.Config{RPID: "example.com", RPDisplayName: "Example Ltd", RPOrigins: []string{"https://a.example.com", "https://b.c.example.com"}}, "example.com", "Example Ltd"},
		{"localhost subdomain over http", passkey.Config{RPOrigins: []string{"http://app.localhost:3000"}}, "app.localhost", "app.localhost"},
		{"unicode display name", passkey.Config{RPDisplayName: "Zürich Bank", RPOrigins: []string{"https://bank.example"}}, "bank.example", "Zürich Bank"},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rp, err := passkey.New(tc.cfg)
			require.NoError(t, err)
			got := rp.Config()
			assert.Equal(t, tc.rpID, got.RPID)
			assert.Equal(t, tc.display, got.RPDisplayName)
			assert.Equal(t, tc.cfg.RPOrigins, got.RPOrigins)
		})
	}

	invalid := []struct {
		name string
		cfg  passkey.Config
		msg  string
	}{
		{"no origin", passkey.Config{RPID: "example.com"}, "no origin"},
		{"IPv4 origin", passkey.Config{RPOrigins: []string{"http://127.0.0.1:8080"}}, "IP address"},
		{"IPv6 origin", passkey.Config{RPOrigins: []string{"https://[::1]:8080"}}, "IP address"},
		{"IP RP ID", passkey.Config{RPID: "10.0.0.1", RPOrigins: []string{"https://example.com"}}, "IP address"},
		{"http off localhost", passkey.Config{RPOrigins: []string{"http://example.com"}}, "http is allowed only for localhost"},
		{"other scheme", passkey.Config{RPOrigins: []string{"ftp://example.com"}}, "scheme"},
		{"path", passkey.Config{RPOrigins: []string{"https://example.com/"}}, "without a path"},
		{"query", passkey.Config{RPOrigins: []string{"https://example.com?x=1"}}, "without a path"},
		{"user info", passkey.Config{RPOrigins: []string{"https://u@example.com"}}, "without a path"},
		{"default port", passkey.Config{RPOrigins: []string{"https://example.com:443"}}, "default port"},
		{"bad port", passkey.Config{RPOrigins: []string{"https://example.com:70000"}}, "bad port"},
		{"uppercase host", passkey.Config{RPOrigins: []string{"https://Example.com"}}, "lowercase"},
		{"no host", passkey.Config{RPOrigins: []string{"https://"}}, "no host"},
		{"not a URL", passkey.Config{RPOrigins: []string{"https://exa mple.com"}}, "not a URL"},
		{"origin outside RP ID", passkey.Config{RPID: "example.com", RPOrigins: []string{"https://example.org"}}, "neither the RP ID"},
		{"suffix that is no parent", passkey.Config{RPID: "example.com", RPOrigins: []string{"https://badexample.com"}}, "neither the RP ID"},
		{"RP ID with scheme", passkey.Config{RPID: "https://example.com", RPOrigins: []string{"https://example.com"}}, "not a domain"},
		{"uppercase RP ID", passkey.Config{RPID: "Example.com", RPOrigins: []string{"https://example.com"}}, "lowercase"},
		{"control character in display name", passkey.Config{RPDisplayName: "a\nb", RPOrigins: []string{"https://example.com"}}, "control character"},
		{"long display name", passkey.Config{RPDisplayName: strings.Repeat("x", passkey.MaxDisplayNameSize+1), RPOrigins: []string{"https://example.com"}}, "longer than"},
		{"too many origins", passkey.Config{RPOrigins: func() []string {
			o := make([]string, passkey.MaxOrigins+1)
			for i := range o {
				o[i] = "https://example.com"
			}
			return o
		}()}, "origins, at most"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rp, err := passkey.New(tc.cfg)
			require.ErrorIs(t, err, passkey.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Nil(t, rp)
		})
	}
}

func TestRegistrationOptions(t *testing.T) {
	t.Parallel()
	rp := newRP(t)
	user := newUser("alice")
	a := newAuthenticator(softauthn.ES256, softauthn.None)
	existing := register(t, rp, a, user)

	options, state, err := rp.BeginRegistration(user, []passkey.Credential{existing})
	require.NoError(t, err)
	require.NotEmpty(t, state)

	var o struct {
		RP        map[string]any `json:"rp"`
		User      map[string]any `json:"user"`
		Challenge string         `json:"challenge"`
		Params    []struct {
			Type string `json:"type"`
			Alg  int    `json:"alg"`
		} `json:"pubKeyCredParams"`
		Timeout   int `json:"timeout"`
		Exclude   []map[string]any
		Selection map[string]any `json:"authenticatorSelection"`
		Att       string         `json:"attestation"`
		PublicKey any            `json:"publicKey"`
	}
	require.NoError(t, json.Unmarshal(options, &o))
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(options, &raw))
	require.NoError(t, json.Unmarshal(raw["excludeCredentials"], &o.Exclude))

	assert.Nil(t, o.PublicKey, "the options are the inner publicKey object")
	assert.Equal(t, map[string]any{"id": rpID, "name": "Example"}, o.RP)
	assert.Equal(t, map[string]any{"id": b64.EncodeToString(user.Handle), "name": "alice", "displayName": "ALICE"}, o.User)
	challenge, err := b64.DecodeString(o.Challenge)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(challenge), 16)
	algs := []int{}
	for _, p := range o.Params {
		assert.Equal(t, "public-key", p.Type)
		algs = append(algs, p.Alg)
	}
	assert.Subset(t, algs, []int{-7, -8})
	assert.Equal(t, int(passkey.Timeout/time.Millisecond), o.Timeout)
	require.Len(t, o.Exclude, 1)
	assert.Equal(t, b64.EncodeToString(existing.ID), o.Exclude[0]["id"])
	assert.Equal(t, "public-key", o.Exclude[0]["type"])
	assert.Equal(t, []any{"internal"}, o.Exclude[0]["transports"])
	assert.Equal(t, "preferred", o.Selection["residentKey"])
	assert.Equal(t, "preferred", o.Selection["userVerification"])
	assert.Equal(t, "none", o.Att)

	// The authenticator that holds the excluded credential declines, as
	// browsers do (InvalidStateError).
	_, err = a.Register(options)
	require.ErrorIs(t, err, softauthn.ErrRefused)
}

func TestRegistration(t *testing.T) {
	t.Parallel()
	for _, alg := range []struct {
		name string
		alg  softauthn.Alg
	}{{"ES256", softauthn.ES256}, {"EdDSA", softauthn.EdDSA}} {
		for _, format := range []struct {
			format          softauthn.Format
			attestationType string
		}{{softauthn.None, "none"}, {softauthn.Packed, "basic_surrogate"}} {
			t.Run(alg.name+"/"+string(format.format), func(t *testing.T) {
				t.Parallel()
				rp := newRP(t)
				user := newUser("alice")
				a := newAuthenticator(alg.alg, format.format)
				a.AAGUID = []byte("0123456789abcdef")
				a.BackupEligible, a.BackupState = true, true
				a.Transports = []string{"internal", "hybrid", "carrier-pigeon", "hybrid"}

				cred := register(t, rp, a, user)
				assert.Len(t, cred.ID, 32)
				assert.NotEmpty(t, cred.PublicKey)
				assert.Equal(t, uint32(1), cred.SignCount)
				assert.Equal(t, []byte("0123456789abcdef"), cred.AAGUID)
				assert.Equal(t, []string{"internal", "hybrid"}, cred.Transports, "unknown and repeated transports are dropped")
				assert.True(t, cred.BackupEligible)
				assert.True(t, cred.BackupState)
				assert.True(t, cred.UserVerified)
				assert.Equal(t, string(format.format), cred.AttestationFormat)
				assert.Equal(t, format.attestationType, cred.AttestationType)

				// The new passkey signs in, passwordless with the user
				// named, and discoverable without.
				options, state, err := rp.BeginLogin(user, []passkey.Credential{cred}, passkey.VerificationRequired)
				require.NoError(t, err)
				got, err := rp.FinishLogin(user, []passkey.Credential{cred}, state, answer(t, a, options))
				require.NoError(t, err)
				assert.Equal(t, cred.ID, got.ID)
				assert.Equal(t, uint32(2), got.SignCount)

				options, state, err = rp.BeginDiscoverableLogin()
				require.NoError(t, err)
				as := answer(t, a, options)
				assert.Equal(t, user.Handle, as.UserHandle())
				assert.Equal(t, cred.ID, as.CredentialID())
				got, err = rp.FinishLogin(user, []passkey.Credential{got}, state, as)
				require.NoError(t, err)
				assert.Equal(t, uint32(3), got.SignCount)
			})
		}
	}
}

func TestRegistrationWithoutUserVerification(t *testing.T) {
	t.Parallel()
	rp := newRP(t)
	user := newUser("alice")
	a := newAuthenticator(softauthn.ES256, softauthn.None)
	a.UserVerified = false // a security key without PIN: registration only prefers UV
	cred := register(t, rp, a, user)
	assert.False(t, cred.UserVerified)
}

// ceremony is a registration begun for a user, with the authenticator's
// answer.
type ceremony struct {
	rp      *passkey.RP
	user    passkey.User
	a       *softauthn.Authenticator
	options []byte
	state   []byte
	resp    []byte
}

func TestRegistrationRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// change alters the ceremony before FinishRegistration.
		change func(t *testing.T, c *ceremony)
		err    error
		msg    string
	}{
		{"wrong origin", func(t *testing.T, c *ceremony) {
			c.a.Origin = "https://evil.example.net"
			c.resp = c.answer(t)
		}, passkey.ErrInvalidCredential, "origin"},
		{"origin of another port", func(t *testing.T, c *ceremony) {
			c.a.Origin = "https://login.example.com:8443"
			c.resp = c.answer(t)
		}, passkey.ErrInvalidCredential, "origin"},
		{"wrong RP ID", func(t *testing.T, c *ceremony) {
			c.a.RPID = "evil.example.net"
			c.resp = c.answer(t)
		}, passkey.ErrInvalidCredential, "RP ID"},
		{"state of another ceremony (wrong challenge)", func(t *testing.T, c *ceremony) {
			_, other, err := c.rp.BeginRegistration(c.user, nil)
			require.NoError(t, err)
			c.state = other
		}, passkey.ErrInvalidCredential, "challenge"},
		{"state of another user", func(t *testing.T, c *ceremony) {
			c.user.Handle = passkey.NewUserHandle()
		}, passkey.ErrInvalidState, "another user"},
		{"login state", func(t *testing.T, c *ceremony) {
			_, st, err := c.rp.BeginDiscoverableLogin()
			require.NoError(t, err)
			c.state = st
		}, passkey.ErrInvalidState, "another kind"},
		{"expired state", func(t *testing.T, c *ceremony) {
			passkey.SetClock(c.rp, func() time.Time { return time.Now().Add(passkey.Timeout) })
		}, passkey.ErrInvalidState, "expired"},
		{"state of another RP", func(t *testing.T, c *ceremony) {
			other, err := passkey.New(passkey.Config{RPOrigins: []string{"https://example.org"}})
			require.NoError(t, err)
			_, st, err := other.BeginRegistration(c.user, nil)
			require.NoError(t, err)
			c.state = st
		}, passkey.ErrInvalidState, "another RP ID"},
		{"garbage state", func(t *testing.T, c *ceremony) { c.state = []byte("not json") }, passkey.ErrInvalidState, "malformed"},
		{"state with trailing data", func(t *testing.T, c *ceremony) { c.state = append(c.state, " {}"...) }, passkey.ErrInvalidState, "malformed"},
		{"no user presence", func(t *testing.T, c *ceremony) {
			c.a.NoUserPresence = true
			c.resp = c.answer(t)
		}, passkey.ErrInvalidCredential, "user not present"},
		{"backup state without eligibility", func(t *testing.T, c *ceremony) {
			c.a.BackupState = true
			c.resp = c.answer(t)
		}, passkey.ErrInvalidCredential, "backup state without backup eligibility"},
		{"assertion instead of registration", func(t *testing.T, c *ceremony) {
			options, _, err := c.rp.BeginDiscoverableLogin()
			require.NoError(t, err)
			c.resp = answerLogin(t, c.a, options)
		}, passkey.ErrInvalidCredential, "not a registration response"},
		{"packed signature tampered", func(t *testing.T, c *ceremony) {
			c.a.Format = softauthn.Packed
			c.resp = c.answer(t)
			c.resp = tamperClientData(t, c.resp)
		}, passkey.ErrInvalidCredential, "attestation does not verify"},
		{"oversize", func(t *testing.T, c *ceremony) {
			c.resp = append(c.resp[:len(c.resp)-1], `,"x":"`+strings.Repeat("A", passkey.MaxCredentialSize)+`"}`...)
		}, passkey.ErrInvalidCredential, "larger than"},
		{"garbage", func(t *testing.T, c *ceremony) { c.resp = []byte("secret-looking garbage") }, passkey.ErrInvalidCredential, "not a registration response"},
		{"empty", func(t *testing.T, c *ceremony) { c.resp = nil }, passkey.ErrInvalidCredential, "not a registration response"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &ceremony{rp: newRP(t), user: newUser("alice"), a: newAuthenticator(softauthn.ES256, softauthn.None)}
			var err error
			c.options, c.state, err = c.rp.BeginRegistration(c.user, nil)
			require.NoError(t, err)
			c.resp = c.answer(t)
			tc.change(t, c)
			cred, err := c.rp.FinishRegistration(c.user, c.state, c.resp)
			require.ErrorIs(t, err, tc.err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.NotContains(t, err.Error(), "secret")
			assert.NotContains(t, err.Error(), "evil")
			assert.Zero(t, cred)
		})
	}
}

func (c *ceremony) answer(t *testing.T) []byte {
	t.Helper()
	resp, err := c.a.Register(c.options)
	require.NoError(t, err)
	return resp
}

func answerLogin(t *testing.T, a *softauthn.Authenticator, options []byte) []byte {
	t.Helper()
	resp, err := a.Login(options)
	require.NoError(t, err)
	return resp
}

// tamperClientData changes the client data of a response after it was
// signed, keeping the challenge, origin and type.
func tamperClientData(t *testing.T, resp []byte) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(resp, &m))
	r := m["response"].(map[string]any)
	cdj, err := b64.DecodeString(r["clientDataJSON"].(string))
	require.NoError(t, err)
	var cd map[string]any
	require.NoError(t, json.Unmarshal(cdj, &cd))
	cd["extra"] = "changed after signing"
	cdj, err = json.Marshal(cd)
	require.NoError(t, err)
	r["clientDataJSON"] = b64.EncodeToString(cdj)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

func TestUserRefused(t *testing.T) {
	t.Parallel()
	rp := newRP(t)
	for _, tc := range []struct {
		name string
		user passkey.User
	}{
		{"no handle", passkey.User{Name: "alice"}},
		{"short handle", passkey.User{Handle: []byte("123456789012345"), Name: "alice"}},
		{"long handle", passkey.User{Handle: make([]byte, passkey.MaxUserHandleSize+1), Name: "alice"}},
		{"no name", passkey.User{Handle: passkey.NewUserHandle()}},
		{"long name", passkey.User{Handle: passkey.NewUserHandle(), Name: strings.Repeat("a", passkey.MaxUserNameSize+1)}},
		{"name not UTF-8", passkey.User{Handle: passkey.NewUserHandle(), Name: "\xff"}},
		{"control character in display name", passkey.User{Handle: passkey.NewUserHandle(), Name: "alice", DisplayName: "a\x00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := rp.BeginRegistration(tc.user, nil)
			require.ErrorIs(t, err, passkey.ErrInvalidArgument)
			_, err = rp.FinishRegistration(tc.user, nil, nil)
			require.ErrorIs(t, err, passkey.ErrInvalidArgument)
			_, _, err = rp.BeginLogin(tc.user, []passkey.Credential{{ID: []byte{1}}}, passkey.VerificationRequired)
			require.ErrorIs(t, err, passkey.ErrInvalidArgument)
			_, err = rp.FinishLogin(tc.user, nil, nil, nil)
			require.ErrorIs(t, err, passkey.ErrInvalidArgument)
		})
	}
	t.Run("login without passkeys", func(t *testing.T) {
		t.Parallel()
		_, _, err := rp.BeginLogin(newUser("alice"), nil, passkey.VerificationRequired)
		require.ErrorIs(t, err, passkey.ErrInvalidArgument)
	})
	t.Run("unknown user verification", func(t *testing.T) {
		t.Parallel()
		_, _, err := rp.BeginLogin(newUser("alice"), []passkey.Credential{{ID: []byte{1}}}, "discouraged")
		require.ErrorIs(t, err, passkey.ErrInvalidArgument)
	})
	t.Run("new user handles differ", func(t *testing.T) {
		t.Parallel()
		h1, h2 := passkey.NewUserHandle(), passkey.NewUserHandle()
		assert.Len(t, h1, 32)
		assert.NotEqual(t, h1, h2)
	})
}

func TestLoginOptions(t *testing.T) {
	t.Parallel()
	rp := newRP(t)
	user := newUser("alice")
	a := newAuthenticator(softauthn.EdDSA, softauthn.None)
	c1, c2 := register(t, rp, a, user), register(t, rp, a, user)

	for _, tc := range []struct {
		name  string
		begin func() (json.RawMessage, []byte, error)
		allow []string
		uv    string
	}{
		{"passwordless", func() (json.RawMessage, []byte, error) {
			return rp.BeginLogin(user, []passkey.Credential{c1, c2}, passkey.VerificationRequired)
		}, []string{b64.EncodeToString(c1.ID), b64.EncodeToString(c2.ID)}, "required"},
		{"second factor", func() (json.RawMessage, []byte, error) {
			return rp.BeginLogin(user, []passkey.Credential{c2}, passkey.VerificationPreferred)
		}, []string{b64.EncodeToString(c2.ID)}, "preferred"},
		{"discoverable", rp.BeginDiscoverableLogin, nil, "required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			options, state, err := tc.begin()
			require.NoError(t, err)
			require.NotEmpty(t, state)
			var o struct {
				Challenge string `json:"challenge"`
				Timeout   int    `json:"timeout"`
				RPID      string `json:"rpId"`
				Allow     []struct {
					Type string `json:"type"`
					ID   string `json:"id"`
				} `json:"allowCredentials"`
				UV string `json:"userVerification"`
			}
			require.NoError(t, json.Unmarshal(options, &o))
			assert.Equal(t, rpID, o.RPID)
			assert.Equal(t, tc.uv, o.UV)
			assert.Equal(t, int(passkey.Timeout/time.Millisecond), o.Timeout)
			challenge, err := b64.DecodeString(o.Challenge)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, len(challenge), 16)
			var allow []string
			for _, d := range o.Allow {
				assert.Equal(t, "public-key", d.Type)
				allow = append(allow, d.ID)
			}
			assert.Equal(t, tc.allow, allow)
		})
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup changes the authenticator before registration.
		setup func(a *softauthn.Authenticator)
		// before changes it between registration and login.
		before       func(a *softauthn.Authenticator)
		uv           passkey.UserVerification // "" for a discoverable login
		userVerified bool
		count        uint32
		backupState  bool
	}{
		{name: "passwordless", uv: passkey.VerificationRequired, userVerified: true, count: 2},
		{name: "discoverable", userVerified: true, count: 2},
		{name: "second factor with verification", uv: passkey.VerificationPreferred, userVerified: true, count: 2},
		{name: "second factor without verification", before: func(a *softauthn.Authenticator) { a.UserVerified = false }, uv: passkey.VerificationPreferred, count: 2},
		{name: "non-counting authenticator", setup: func(a *softauthn.Authenticator) { a.CounterStep = 0 }, uv: passkey.VerificationRequired, userVerified: true, count: 0},
		{name: "non-counting authenticator, discoverable", setup: func(a *softauthn.Authenticator) { a.CounterStep = 0 }, userVerified: true, count: 0},
		{name: "counter that jumps", setup: func(a *softauthn.Authenticator) { a.CounterStep = 1000 }, uv: passkey.VerificationRequired, userVerified: true, count: 2000},
		{name: "backup state set", setup: func(a *softauthn.Authenticator) { a.BackupEligible = true }, before: func(a *softauthn.Authenticator) { a.BackupState = true }, uv: passkey.VerificationRequired, userVerified: true, count: 2, backupState: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rp := newRP(t)
			user := newUser("alice")
			a := newAuthenticator(softauthn.ES256, softauthn.Packed)
			if tc.setup != nil {
				tc.setup(a)
			}
			cred := register(t, rp, a, user)
			other := register(t, rp, newAuthenticator(softauthn.EdDSA, softauthn.None), user)
			if tc.before != nil {
				tc.before(a)
			}
			creds := []passkey.Credential{other, cred}

			var options, state []byte
			var err error
			if tc.uv == "" {
				options, state, err = rp.BeginDiscoverableLogin()
			} else {
				options, state, err = rp.BeginLogin(user, creds, tc.uv)
			}
			require.NoError(t, err)
			got, err := rp.FinishLogin(user, creds, state, answer(t, a, options))
			require.NoError(t, err)

			want := cred
			want.SignCount = tc.count
			want.UserVerified = tc.userVerified
			want.BackupState = tc.backupState
			assert.Equal(t, want, got)
			assert.Equal(t, cred, creds[1], "the caller's credentials are not changed")
		})
	}

	t.Run("non-counting stays at zero", func(t *testing.T) {
		t.Parallel()
		rp := newRP(t)
		user := newUser("alice")
		a := newAuthenticator(softauthn.EdDSA, softauthn.Packed)
		a.CounterStep = 0
		cred := register(t, rp, a, user)
		for range 3 {
			options, state, err := rp.BeginLogin(user, []passkey.Credential{cred}, passkey.VerificationRequired)
			require.NoError(t, err)
			cred, err = rp.FinishLogin(user, []passkey.Credential{cred}, state, answer(t, a, options))
			require.NoError(t, err)
			assert.Zero(t, cred.SignCount)
		}
	})

	t.Run("a passkey deleted during the ceremony does not fail another", func(t *testing.T) {
		t.Parallel()
		rp := newRP(t)
		user := newUser("alice")
		a := newAuthenticator(softauthn.ES256, softauthn.None)
		gone := register(t, rp, newAuthenticator(softauthn.ES256, softauthn.None), user)
		cred := register(t, rp, a, user)
		options, state, err := rp.BeginLogin(user, []passkey.Credential{gone, cred}, passkey.VerificationRequired)
		require.NoError(t, err)
		got, err := rp.FinishLogin(user, []passkey.Credential{cred}, state, answer(t, a, options))
		require.NoError(t, err)
		assert.Equal(t, cred.ID, got.ID)
	})
}

// login is a login ceremony with Alice's passkey on a, and Bob's on b.
type login struct {
	rp          *passkey.RP
	alice, bob  passkey.User
	a, b, c     *softauthn.Authenticator
	aliceCred   passkey.Credential
	aliceSecond passkey.Credential // Alice's on c, not allowed
	bobCred     passkey.Credential
	options     []byte
	state       []byte
	user        passkey.User
	creds       []passkey.Credential
	resp        []byte
}

func TestLoginRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		discover bool
		change   func(t *testing.T, l *login)
		err      error
		msg      string
	}{
		{"wrong origin", false, func(t *testing.T, l *login) {
			l.a.Origin = "https://evil.example.net"
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrInvalidCredential, "origin"},
		{"wrong origin, discoverable", true, func(t *testing.T, l *login) {
			l.a.Origin = "http://login.example.com"
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrInvalidCredential, "origin"},
		{"wrong RP ID", false, func(t *testing.T, l *login) {
			l.a.RPID = "login.example.com"
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrInvalidCredential, "RP ID"},
		{"state of another ceremony (wrong challenge)", false, func(t *testing.T, l *login) {
			_, st, err := l.rp.BeginLogin(l.alice, l.creds, passkey.VerificationRequired)
			require.NoError(t, err)
			l.state = st
		}, passkey.ErrInvalidCredential, "challenge"},
		{"replayed assertion", false, func(t *testing.T, l *login) {
			// The assertion succeeded once; sent again to a new
			// ceremony, its challenge is the old one's.
			cred, err := l.rp.FinishLogin(l.alice, l.creds, l.state, parse(t, l.resp))
			require.NoError(t, err)
			l.creds = []passkey.Credential{cred}
			_, l.state, err = l.rp.BeginLogin(l.alice, l.creds, passkey.VerificationRequired)
			require.NoError(t, err)
		}, passkey.ErrInvalidCredential, "challenge"},
		{"replayed assertion, discoverable", true, func(t *testing.T, l *login) {
			_, err := l.rp.FinishLogin(l.alice, l.creds, l.state, parse(t, l.resp))
			require.NoError(t, err)
			_, l.state, err = l.rp.BeginDiscoverableLogin()
			require.NoError(t, err)
		}, passkey.ErrInvalidCredential, "challenge"},
		{"assertion replayed in its own ceremony", false, func(t *testing.T, l *login) {
			// State must be used once; if the caller failed to, the
			// counter that did not move gives the replay away.
			cred, err := l.rp.FinishLogin(l.alice, l.creds, l.state, parse(t, l.resp))
			require.NoError(t, err)
			l.creds = []passkey.Credential{cred}
		}, passkey.ErrCloneDetected, "cloned"},
		{"credential not in the allowed list", false, func(t *testing.T, l *login) {
			resp, err := l.c.LoginWith(l.options, l.aliceSecond.ID)
			require.NoError(t, err)
			l.resp = resp
			l.creds = append(l.creds, l.aliceSecond)
		}, passkey.ErrInvalidCredential, "not allowed"},
		{"credential of another user", false, func(t *testing.T, l *login) {
			resp, err := l.b.LoginWith(l.options, l.bobCred.ID)
			require.NoError(t, err)
			l.resp = resp
		}, passkey.ErrInvalidCredential, "not the user's"},
		{"credential of another user, discoverable", true, func(t *testing.T, l *login) {
			// Bob's authenticator answers; the caller looked up Alice.
			l.resp = answerLogin(t, l.b, l.options)
		}, passkey.ErrInvalidCredential, "not the user's"},
		{"user handle of another user, discoverable", true, func(t *testing.T, l *login) {
			// Alice's credential, but the caller was given Bob with
			// Alice's passkey among his.
			l.user = l.bob
			l.creds = []passkey.Credential{l.bobCred, l.aliceCred}
		}, passkey.ErrInvalidCredential, "user handle is not the user's"},
		{"no user handle, discoverable", true, func(t *testing.T, l *login) {
			c := &softauthn.Authenticator{Origin: origin, UserVerified: true, NotDiscoverable: true}
			cred := register(t, l.rp, c, l.alice)
			resp, err := c.LoginWith(l.options, cred.ID)
			require.NoError(t, err)
			l.resp = resp
			l.creds = append(l.creds, cred)
		}, passkey.ErrInvalidCredential, "no user handle"},
		{"user verification missing when required", false, func(t *testing.T, l *login) {
			l.a.UserVerified = false
			resp, err := l.a.LoginWith(l.options, l.aliceCred.ID)
			require.NoError(t, err)
			l.resp = resp
		}, passkey.ErrInvalidCredential, "user not verified"},
		{"user verification missing, discoverable", true, func(t *testing.T, l *login) {
			l.a.UserVerified = false
			resp, err := l.a.LoginWith(l.options, l.aliceCred.ID)
			require.NoError(t, err)
			l.resp = resp
		}, passkey.ErrInvalidCredential, "user not verified"},
		{"no user presence", false, func(t *testing.T, l *login) {
			l.a.NoUserPresence = true
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrInvalidCredential, "user not present"},
		{"counter went backwards", false, func(t *testing.T, l *login) {
			require.True(t, l.a.SetSignCount(l.aliceCred.ID, 0))
			l.a.CounterStep = 0
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrCloneDetected, "cloned"},
		{"counter went backwards, discoverable", true, func(t *testing.T, l *login) {
			l.creds[0].SignCount = 50 // the store saw a clone at 50
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrCloneDetected, "cloned"},
		{"counter stood still", false, func(t *testing.T, l *login) {
			l.creds[0].SignCount = 2 // what the answer carries
		}, passkey.ErrCloneDetected, "cloned"},
		{"backup state without eligibility", false, func(t *testing.T, l *login) {
			l.a.BackupState = true
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrInvalidCredential, "backup state without backup eligibility"},
		{"backup eligibility changed", false, func(t *testing.T, l *login) {
			l.a.BackupEligible = true
			l.resp = answerLogin(t, l.a, l.options)
		}, passkey.ErrInvalidCredential, "backup eligibility differs"},
		{"signature over other client data", false, func(t *testing.T, l *login) {
			l.resp = tamperClientData(t, l.resp)
		}, passkey.ErrInvalidCredential, "signature does not verify"},
		{"public key of another credential", false, func(t *testing.T, l *login) {
			l.creds[0].PublicKey = l.bobCred.PublicKey
		}, passkey.ErrInvalidCredential, "signature does not verify"},
		{"state of another user", false, func(t *testing.T, l *login) {
			l.user = l.bob
			l.creds = []passkey.Credential{l.bobCred}
		}, passkey.ErrInvalidState, "another user"},
		{"registration state", false, func(t *testing.T, l *login) {
			_, st, err := l.rp.BeginRegistration(l.alice, nil)
			require.NoError(t, err)
			l.state = st
		}, passkey.ErrInvalidState, "another kind"},
		{"expired state", true, func(t *testing.T, l *login) {
			passkey.SetClock(l.rp, func() time.Time { return time.Now().Add(passkey.Timeout + time.Second) })
		}, passkey.ErrInvalidState, "expired"},
		{"state of another RP", false, func(t *testing.T, l *login) {
			other, err := passkey.New(passkey.Config{RPOrigins: []string{origin}})
			require.NoError(t, err)
			_, l.state, err = other.BeginLogin(l.alice, l.creds, passkey.VerificationRequired)
			require.NoError(t, err)
		}, passkey.ErrInvalidState, "another RP ID"},
		{"oversize state", false, func(t *testing.T, l *login) {
			l.state = make([]byte, passkey.MaxStateSize+1)
		}, passkey.ErrInvalidState, "larger than"},
		{"no credentials", false, func(t *testing.T, l *login) { l.creds = nil }, passkey.ErrInvalidCredential, "not the user's"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLogin(t, tc.discover)
			tc.change(t, l)
			cred, err := l.rp.FinishLogin(l.user, l.creds, l.state, parse(t, l.resp))
			require.ErrorIs(t, err, tc.err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.NotContains(t, err.Error(), "evil")
			assert.Zero(t, cred)
		})
	}
}

func newLogin(t *testing.T, discover bool) *login {
	t.Helper()
	l := &login{rp: newRP(t), alice: newUser("alice"), bob: newUser("bob")}
	l.a = newAuthenticator(softauthn.ES256, softauthn.Packed)
	l.b = newAuthenticator(softauthn.EdDSA, softauthn.None)
	l.c = newAuthenticator(softauthn.EdDSA, softauthn.Packed)
	l.aliceCred = register(t, l.rp, l.a, l.alice)
	l.aliceSecond = register(t, l.rp, l.c, l.alice)
	l.bobCred = register(t, l.rp, l.b, l.bob)
	l.user, l.creds = l.alice, []passkey.Credential{l.aliceCred}
	var err error
	if discover {
		l.options, l.state, err = l.rp.BeginDiscoverableLogin()
	} else {
		l.options, l.state, err = l.rp.BeginLogin(l.alice, l.creds, passkey.VerificationRequired)
	}
	require.NoError(t, err)
	l.resp, err = l.a.LoginWith(l.options, l.aliceCred.ID)
	require.NoError(t, err)
	return l
}

func parse(t *testing.T, resp []byte) *passkey.Assertion {
	t.Helper()
	a, err := passkey.ParseAssertion(resp)
	require.NoError(t, err)
	return a
}

func TestParseAssertionRefused(t *testing.T) {
	t.Parallel()
	l := newLogin(t, false)
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"garbage", []byte("garbage with a secret")},
		{"JSON null", []byte("null")},
		{"registration response", func() []byte {
			options, _, err := l.rp.BeginRegistration(newUser("carol"), nil)
			require.NoError(t, err)
			resp, err := l.b.Register(options)
			require.NoError(t, err)
			return resp
		}()},
		{"trailing data", append(append([]byte(nil), l.resp...), "{}"...)},
		{"oversize", append(append([]byte(nil), l.resp[:len(l.resp)-1]...), `,"x":"`+strings.Repeat("A", passkey.MaxCredentialSize)+`"}`...)},
		{"id not rawId", []byte(strings.Replace(string(l.resp), `"id":"`, `"id":"AA`, 1))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := passkey.ParseAssertion(tc.in)
			require.ErrorIs(t, err, passkey.ErrInvalidCredential)
			assert.NotContains(t, err.Error(), "secret")
			assert.Nil(t, a)
		})
	}
	t.Run("nil assertion", func(t *testing.T) {
		t.Parallel()
		_, err := l.rp.FinishLogin(l.alice, l.creds, l.state, nil)
		require.ErrorIs(t, err, passkey.ErrInvalidCredential)
		_, err = l.rp.FinishLogin(l.alice, l.creds, l.state, &passkey.Assertion{})
		require.ErrorIs(t, err, passkey.ErrInvalidCredential)
		var zero *passkey.Assertion
		assert.Nil(t, zero.CredentialID())
		assert.Nil(t, zero.UserHandle())
		assert.Nil(t, (&passkey.Assertion{}).CredentialID())
		assert.Nil(t, (&passkey.Assertion{}).UserHandle())
	})
}

// TestConcurrentCeremonies runs ceremonies of many users on one RP at once
// (for the race detector): the RP keeps nothing between calls.
func TestConcurrentCeremonies(t *testing.T) {
	t.Parallel()
	rp := newRP(t)
	for i := range 8 {
		t.Run(fmt.Sprint("user ", i), func(t *testing.T) {
			t.Parallel()
			user := newUser(fmt.Sprint("user", i))
			a := newAuthenticator(softauthn.ES256, softauthn.None)
			cred := register(t, rp, a, user)
			for range 3 {
				options, state, err := rp.BeginDiscoverableLogin()
				require.NoError(t, err)
				cred, err = rp.FinishLogin(user, []passkey.Credential{cred}, state, answer(t, a, options))
				require.NoError(t, err)
			}
			assert.Equal(t, uint32(4), cred.SignCount)
		})
	}
}
