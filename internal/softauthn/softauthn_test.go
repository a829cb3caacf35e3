package softauthn_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"slices"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/softauthn"
)

var b64 = base64.RawURLEncoding

const (
	rpID   = "example.com"
	origin = "https://example.com"
)

func creationOptions(userID []byte, exclude ...[]byte) []byte {
	ex := []map[string]any{}
	for _, id := range exclude {
		ex = append(ex, map[string]any{"type": "public-key", "id": b64.EncodeToString(id)})
	}
	b, _ := json.Marshal(map[string]any{
		"rp":                 map[string]any{"id": rpID, "name": "Example"},
		"user":               map[string]any{"id": b64.EncodeToString(userID), "name": "alice", "displayName": "Alice"},
		"challenge":          b64.EncodeToString([]byte("0123456789abcdef0123")),
		"pubKeyCredParams":   []map[string]any{{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -8}},
		"excludeCredentials": ex,
	})
	return b
}

func requestOptions(uv string, allow ...[]byte) []byte {
	al := []map[string]any{}
	for _, id := range allow {
		al = append(al, map[string]any{"type": "public-key", "id": b64.EncodeToString(id)})
	}
	b, _ := json.Marshal(map[string]any{
		"challenge":        b64.EncodeToString([]byte("login-challenge-0123")),
		"rpId":             rpID,
		"allowCredentials": al,
		"userVerification": uv,
	})
	return b
}

type registration struct {
	ID       string `json:"id"`
	RawID    string `json:"rawId"`
	Type     string `json:"type"`
	Response struct {
		ClientDataJSON     string   `json:"clientDataJSON"`
		AttestationObject  string   `json:"attestationObject"`
		AuthenticatorData  string   `json:"authenticatorData"`
		Transports         []string `json:"transports"`
		PublicKey          string   `json:"publicKey"`
		PublicKeyAlgorithm int      `json:"publicKeyAlgorithm"`
	} `json:"response"`
}

type assertion struct {
	ID       string `json:"id"`
	RawID    string `json:"rawId"`
	Type     string `json:"type"`
	Response struct {
		ClientDataJSON    string  `json:"clientDataJSON"`
		AuthenticatorData string  `json:"authenticatorData"`
		Signature         string  `json:"signature"`
		UserHandle        *string `json:"userHandle"`
	} `json:"response"`
}

func decode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64.DecodeString(s)
	require.NoError(t, err)
	return b
}

// verify checks sig over data with the public key in SPKI form, by the
// standard library alone.
func verify(t *testing.T, spki, data, sig []byte) bool {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(spki)
	require.NoError(t, err)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		d := sha256.Sum256(data)
		return ecdsa.VerifyASN1(k, d[:], sig)
	case ed25519.PublicKey:
		return ed25519.Verify(k, data, sig)
	}
	t.Fatalf("unexpected key %T", pub)
	return false
}

// TestRegister checks a registration response independently of
// go-webauthn: its JSON shape, the client data, the authenticator data
// layout, the COSE key agreeing with the SPKI key, and the packed
// self-attestation signature.
func TestRegister(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		alg    softauthn.Alg
		format softauthn.Format
	}{
		{"ES256 none", softauthn.ES256, softauthn.None},
		{"ES256 packed", softauthn.ES256, softauthn.Packed},
		{"EdDSA none", softauthn.EdDSA, softauthn.None},
		{"EdDSA packed", softauthn.EdDSA, softauthn.Packed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := &softauthn.Authenticator{Alg: tc.alg, Format: tc.format, Origin: origin, UserVerified: true, BackupEligible: true, CounterStep: 7, AAGUID: []byte("aaguid-0123456789")}
			out, err := a.Register(creationOptions([]byte("user-handle-0123")))
			require.NoError(t, err)
			var r registration
			require.NoError(t, json.Unmarshal(out, &r))
			assert.Equal(t, "public-key", r.Type)
			assert.Equal(t, r.ID, r.RawID)
			id := decode(t, r.RawID)
			assert.Len(t, id, 32)
			assert.Equal(t, int(tc.alg), r.Response.PublicKeyAlgorithm)
			assert.Equal(t, []string{"internal"}, r.Response.Transports)

			cdj := decode(t, r.Response.ClientDataJSON)
			var cd map[string]any
			require.NoError(t, json.Unmarshal(cdj, &cd))
			assert.Equal(t, map[string]any{"type": "webauthn.create", "challenge": b64.EncodeToString([]byte("0123456789abcdef0123")), "origin": origin, "crossOrigin": false}, cd)

			var att struct {
				Fmt      string         `cbor:"fmt"`
				AttStmt  map[string]any `cbor:"attStmt"`
				AuthData []byte         `cbor:"authData"`
			}
			require.NoError(t, cbor.Unmarshal(decode(t, r.Response.AttestationObject), &att))
			assert.Equal(t, string(tc.format), att.Fmt)
			ad := att.AuthData
			assert.Equal(t, decode(t, r.Response.AuthenticatorData), ad)
			h := sha256.Sum256([]byte(rpID))
			assert.Equal(t, h[:], ad[:32])
			assert.Equal(t, byte(0x01|0x04|0x08|0x40), ad[32], "UP, UV, BE, AT")
			assert.Equal(t, uint32(7), binary.BigEndian.Uint32(ad[33:37]))
			assert.Equal(t, []byte("aaguid-012345678"), ad[37:53], "AAGUID cut to 16 bytes")
			assert.Equal(t, uint16(32), binary.BigEndian.Uint16(ad[53:55]))
			assert.Equal(t, id, ad[55:87])

			var key map[int]any
			rest, err := cbor.UnmarshalFirst(ad[87:], &key)
			require.NoError(t, err)
			assert.Empty(t, rest)
			spki := decode(t, r.Response.PublicKey)
			pub, err := x509.ParsePKIXPublicKey(spki)
			require.NoError(t, err)
			assert.EqualValues(t, tc.alg, key[3])
			switch k := pub.(type) {
			case *ecdsa.PublicKey:
				assert.EqualValues(t, 2, key[1])
				assert.EqualValues(t, 1, key[-1])
				// The COSE key's coordinates, as the uncompressed SEC 1 point.
				raw := slices.Concat([]byte{4}, key[-2].([]byte), key[-3].([]byte))
				cose, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
				require.NoError(t, err)
				assert.True(t, k.Equal(cose))
			case ed25519.PublicKey:
				assert.EqualValues(t, 1, key[1])
				assert.EqualValues(t, 6, key[-1])
				assert.Equal(t, []byte(k), key[-2])
			}

			cdh := sha256.Sum256(cdj)
			switch tc.format {
			case softauthn.None:
				assert.Empty(t, att.AttStmt)
			case softauthn.Packed:
				assert.EqualValues(t, tc.alg, att.AttStmt["alg"])
				assert.NotContains(t, att.AttStmt, "x5c")
				assert.True(t, verify(t, spki, slices.Concat(ad, cdh[:]), att.AttStmt["sig"].([]byte)))
			}
			count, ok := a.SignCount(id)
			assert.True(t, ok)
			assert.Equal(t, uint32(7), count)
		})
	}
}

// TestLogin checks assertions: which credential signs, the user handle,
// the counter, the flags and the signature.
func TestLogin(t *testing.T) {
	t.Parallel()
	a := &softauthn.Authenticator{Alg: softauthn.EdDSA, Origin: origin, UserVerified: true, CounterStep: 1}
	reg := func(user string) (id, spki []byte) {
		out, err := a.Register(creationOptions([]byte(user)))
		require.NoError(t, err)
		var r registration
		require.NoError(t, json.Unmarshal(out, &r))
		return decode(t, r.RawID), decode(t, r.Response.PublicKey)
	}
	id1, spki1 := reg("first-user-handle")
	id2, spki2 := reg("second-user-hndl")
	keys := map[string][]byte{string(id1): spki1, string(id2): spki2}

	for _, tc := range []struct {
		name   string
		login  func() ([]byte, error)
		id     []byte
		handle string
		count  uint32
	}{
		{"allow list", func() ([]byte, error) { return a.Login(requestOptions("required", []byte("unknown"), id1)) }, id1, "first-user-handle", 2},
		{"discoverable picks the newest", func() ([]byte, error) { return a.Login(requestOptions("required")) }, id2, "second-user-hndl", 2},
		{"chosen credential", func() ([]byte, error) { return a.LoginWith(requestOptions("preferred", id2), id1) }, id1, "first-user-handle", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.login()
			require.NoError(t, err)
			var as assertion
			require.NoError(t, json.Unmarshal(out, &as))
			assert.Equal(t, "public-key", as.Type)
			assert.Equal(t, tc.id, decode(t, as.RawID))
			require.NotNil(t, as.Response.UserHandle)
			assert.Equal(t, tc.handle, string(decode(t, *as.Response.UserHandle)))
			cdj := decode(t, as.Response.ClientDataJSON)
			var cd map[string]any
			require.NoError(t, json.Unmarshal(cdj, &cd))
			assert.Equal(t, "webauthn.get", cd["type"])
			ad := decode(t, as.Response.AuthenticatorData)
			require.Len(t, ad, 37)
			assert.Equal(t, byte(0x01|0x04), ad[32])
			assert.Equal(t, tc.count, binary.BigEndian.Uint32(ad[33:]))
			cdh := sha256.Sum256(cdj)
			assert.True(t, verify(t, keys[string(tc.id)], slices.Concat(ad, cdh[:]), decode(t, as.Response.Signature)))
		})
	}

	t.Run("counter set backwards", func(t *testing.T) {
		require.True(t, a.SetSignCount(id1, 0))
		out, err := a.Login(requestOptions("preferred", id1))
		require.NoError(t, err)
		var as assertion
		require.NoError(t, json.Unmarshal(out, &as))
		assert.Equal(t, uint32(1), binary.BigEndian.Uint32(decode(t, as.Response.AuthenticatorData)[33:]))
		assert.False(t, a.SetSignCount([]byte("unknown"), 0))
	})
}

func TestKnobs(t *testing.T) {
	t.Parallel()
	a := &softauthn.Authenticator{Origin: "https://evil.example", RPID: "evil.example", NotDiscoverable: true, Transports: []string{"usb"}}
	out, err := a.Register(creationOptions([]byte("user-handle-0123")))
	require.NoError(t, err)
	var r registration
	require.NoError(t, json.Unmarshal(out, &r))
	assert.Equal(t, []string{"usb"}, r.Response.Transports)
	ad := decode(t, r.Response.AuthenticatorData)
	h := sha256.Sum256([]byte("evil.example"))
	assert.Equal(t, h[:], ad[:32])
	assert.Equal(t, byte(0x01|0x40), ad[32], "UP and AT only")
	assert.Zero(t, binary.BigEndian.Uint32(ad[33:37]), "non-counting")

	id := decode(t, r.RawID)
	a.NoUserPresence = true
	out, err = a.Login(requestOptions("discouraged", id))
	require.NoError(t, err)
	var as assertion
	require.NoError(t, json.Unmarshal(out, &as))
	assert.Nil(t, as.Response.UserHandle, "no user handle for a server-side credential")
	assert.Zero(t, decode(t, as.Response.AuthenticatorData)[32], "no flags")
	var cd map[string]any
	require.NoError(t, json.Unmarshal(decode(t, as.Response.ClientDataJSON), &cd))
	assert.Equal(t, "https://evil.example", cd["origin"])
}

func TestRefused(t *testing.T) {
	t.Parallel()
	a := &softauthn.Authenticator{Origin: origin}
	out, err := a.Register(creationOptions([]byte("user-handle-0123")))
	require.NoError(t, err)
	var r registration
	require.NoError(t, json.Unmarshal(out, &r))
	id := decode(t, r.RawID)

	for _, tc := range []struct {
		name string
		call func() ([]byte, error)
	}{
		{"excluded credential", func() ([]byte, error) { return a.Register(creationOptions([]byte("user-handle-0123"), id)) }},
		{"algorithm not offered", func() ([]byte, error) {
			b := &softauthn.Authenticator{Alg: softauthn.EdDSA, Origin: origin}
			return b.Register([]byte(`{"rp":{"id":"example.com"},"user":{"id":"AAAA"},"challenge":"AAAA","pubKeyCredParams":[{"type":"public-key","alg":-257}]}`))
		}},
		{"unknown format", func() ([]byte, error) {
			b := &softauthn.Authenticator{Format: "tpm", Origin: origin}
			return b.Register(creationOptions([]byte("u")))
		}},
		{"no origin", func() ([]byte, error) {
			return (&softauthn.Authenticator{}).Register(creationOptions([]byte("u")))
		}},
		{"malformed creation options", func() ([]byte, error) { return a.Register([]byte("{")) }},
		{"creation options without challenge", func() ([]byte, error) {
			return a.Register([]byte(`{"rp":{"id":"example.com"},"user":{"id":"AAAA"}}`))
		}},
		{"user verification required", func() ([]byte, error) { return a.Login(requestOptions("required", id)) }},
		{"no allowed credential", func() ([]byte, error) { return a.Login(requestOptions("preferred", []byte("other"))) }},
		{"unknown chosen credential", func() ([]byte, error) { return a.LoginWith(requestOptions("preferred"), []byte("other")) }},
		{"no chosen credential", func() ([]byte, error) { return a.LoginWith(requestOptions("preferred"), nil) }},
		{"malformed request options", func() ([]byte, error) { return a.Login([]byte(`{"challenge":"!"}`)) }},
		{"after Forget", func() ([]byte, error) {
			b := &softauthn.Authenticator{Origin: origin}
			_, err := b.Register(creationOptions([]byte("u")))
			require.NoError(t, err)
			b.Forget()
			return b.Login(requestOptions("preferred"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := tc.call()
			require.ErrorIs(t, err, softauthn.ErrRefused)
			assert.Nil(t, out)
		})
	}
}
