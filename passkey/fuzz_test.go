package passkey_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/softauthn"
	"github.com/latchkit/latch/passkey"
)

// FuzzFinishRegistration feeds FinishRegistration arbitrary credential
// JSON for one ceremony, seeded with real responses: it never panics,
// refuses only with ErrInvalidCredential, refuses everything larger than
// MaxCredentialSize, and whatever it accepts carries a key and an ID.
func FuzzFinishRegistration(f *testing.F) {
	rp, err := passkey.New(passkey.Config{RPID: rpID, RPOrigins: []string{origin}})
	require.NoError(f, err)
	user := newUser("alice")
	options, state, err := rp.BeginRegistration(user, nil)
	require.NoError(f, err)
	for _, alg := range []softauthn.Alg{softauthn.ES256, softauthn.EdDSA} {
		for _, format := range []softauthn.Format{softauthn.None, softauthn.Packed} {
			a := &softauthn.Authenticator{Alg: alg, Format: format, Origin: origin, UserVerified: true, CounterStep: 1}
			resp, err := a.Register(options)
			require.NoError(f, err)
			f.Add(resp)
		}
	}
	for _, s := range []string{"", "null", "{}", `{"id":"AA","rawId":"AA","type":"public-key","response":{}}`, "[[[[[[[[[[]]]]]]]]]]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cred, err := rp.FinishRegistration(user, state, data)
		if err != nil {
			if !errors.Is(err, passkey.ErrInvalidCredential) {
				t.Fatalf("error without ErrInvalidCredential: %v", err)
			}
			return
		}
		if len(data) > passkey.MaxCredentialSize {
			t.Fatalf("accepted %d bytes", len(data))
		}
		if len(cred.ID) == 0 || len(cred.PublicKey) == 0 {
			t.Fatalf("accepted a credential without ID or key: %+v", cred)
		}
	})
}

// FuzzFinishLogin feeds ParseAssertion and FinishLogin arbitrary credential
// JSON for one discoverable ceremony, seeded with real assertions: no
// panic, refusals only with ErrInvalidCredential or ErrCloneDetected,
// nothing larger than MaxCredentialSize parsed, and an accepted assertion
// is by the user's passkey with the user's handle.
func FuzzFinishLogin(f *testing.F) {
	rp, err := passkey.New(passkey.Config{RPID: rpID, RPOrigins: []string{origin}})
	require.NoError(f, err)
	user := newUser("alice")
	var creds []passkey.Credential
	options, state, err := rp.BeginDiscoverableLogin()
	require.NoError(f, err)
	for _, alg := range []softauthn.Alg{softauthn.ES256, softauthn.EdDSA} {
		a := &softauthn.Authenticator{Alg: alg, Origin: origin, UserVerified: true, CounterStep: 1}
		regOptions, regState, err := rp.BeginRegistration(user, nil)
		require.NoError(f, err)
		resp, err := a.Register(regOptions)
		require.NoError(f, err)
		cred, err := rp.FinishRegistration(user, regState, resp)
		require.NoError(f, err)
		creds = append(creds, cred)
		resp, err = a.Login(options)
		require.NoError(f, err)
		f.Add(resp)
	}
	for _, s := range []string{"", "null", "{}", `{"id":"AA","rawId":"AA","type":"public-key","response":{"authenticatorData":"","clientDataJSON":"e30","signature":"AA"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := passkey.ParseAssertion(data)
		if err != nil {
			if !errors.Is(err, passkey.ErrInvalidCredential) {
				t.Fatalf("parse error without ErrInvalidCredential: %v", err)
			}
			return
		}
		if len(data) > passkey.MaxCredentialSize {
			t.Fatalf("parsed %d bytes", len(data))
		}
		_ = a.UserHandle()
		cred, err := rp.FinishLogin(user, creds, state, a)
		if err != nil {
			if !errors.Is(err, passkey.ErrInvalidCredential) && !errors.Is(err, passkey.ErrCloneDetected) {
				t.Fatalf("error without ErrInvalidCredential or ErrCloneDetected: %v", err)
			}
			return
		}
		if string(a.UserHandle()) != string(user.Handle) || (string(cred.ID) != string(creds[0].ID) && string(cred.ID) != string(creds[1].ID)) {
			t.Fatalf("accepted an assertion of another user or passkey")
		}
	})
}

// FuzzState feeds the Finish functions arbitrary state: no panic, and
// refusal with ErrInvalidState (or, for state that happens to decode, a
// refusal of the credential).
func FuzzState(f *testing.F) {
	rp, err := passkey.New(passkey.Config{RPID: rpID, RPOrigins: []string{origin}})
	require.NoError(f, err)
	user := newUser("alice")
	_, reg, err := rp.BeginRegistration(user, nil)
	require.NoError(f, err)
	_, disc, err := rp.BeginDiscoverableLogin()
	require.NoError(f, err)
	_, login, err := rp.BeginLogin(user, []passkey.Credential{{ID: []byte{1, 2, 3}}}, passkey.VerificationPreferred)
	require.NoError(f, err)
	for _, s := range [][]byte{reg, disc, login, nil, []byte("{}"), []byte(`{"v":1,"kind":"login"}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, state []byte) {
		_, err := rp.FinishRegistration(user, state, []byte("{}"))
		if !errors.Is(err, passkey.ErrInvalidState) && !errors.Is(err, passkey.ErrInvalidCredential) {
			t.Fatalf("registration: %v", err)
		}
		_, err = rp.FinishLogin(user, nil, state, &passkey.Assertion{})
		if !errors.Is(err, passkey.ErrInvalidState) && !errors.Is(err, passkey.ErrInvalidCredential) {
			t.Fatalf("login: %v", err)
		}
	})
}
