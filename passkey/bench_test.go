package passkey_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/softauthn"
	"github.com/latchkit/latch/passkey"
)

// BenchmarkFinishRegistration measures verifying a registration (ES256,
// packed self attestation), the authenticator's work excluded.
func BenchmarkFinishRegistration(b *testing.B) {
	rp, err := passkey.New(passkey.Config{RPID: rpID, RPOrigins: []string{origin}})
	require.NoError(b, err)
	user := newUser("alice")
	options, state, err := rp.BeginRegistration(user, nil)
	require.NoError(b, err)
	a := &softauthn.Authenticator{Alg: softauthn.ES256, Format: softauthn.Packed, Origin: origin, UserVerified: true}
	resp, err := a.Register(options)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rp.FinishRegistration(user, state, resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogin measures BeginDiscoverableLogin, and ParseAssertion with
// FinishLogin of one answer, for ES256 and EdDSA (a non-counting
// authenticator, so that the same answer verifies every time).
func BenchmarkLogin(b *testing.B) {
	for _, alg := range []struct {
		name string
		alg  softauthn.Alg
	}{{"ES256", softauthn.ES256}, {"EdDSA", softauthn.EdDSA}} {
		rp, err := passkey.New(passkey.Config{RPID: rpID, RPOrigins: []string{origin}})
		require.NoError(b, err)
		user := newUser("alice")
		a := &softauthn.Authenticator{Alg: alg.alg, Origin: origin, UserVerified: true}
		regOptions, regState, err := rp.BeginRegistration(user, nil)
		require.NoError(b, err)
		regResp, err := a.Register(regOptions)
		require.NoError(b, err)
		cred, err := rp.FinishRegistration(user, regState, regResp)
		require.NoError(b, err)
		creds := []passkey.Credential{cred}
		options, state, err := rp.BeginDiscoverableLogin()
		require.NoError(b, err)
		resp, err := a.Login(options)
		require.NoError(b, err)

		b.Run("begin/"+alg.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := rp.BeginDiscoverableLogin(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("finish/"+alg.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				as, err := passkey.ParseAssertion(resp)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := rp.FinishLogin(user, creds, state, as); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
