package token

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

// RFC 8037 appendix A.1 (private key), A.3 (JWK thumbprint) and A.4
// (Ed25519 signature), copied verbatim.
const (
	rfc8037D          = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
	rfc8037X          = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfc8037Thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
	rfc8037Input      = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
	rfc8037Sig        = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

func TestRFC8037Ed25519(t *testing.T) {
	t.Parallel()
	k, err := buildKey("rfc8037", AlgEdDSA, testNow, mustB64(t, rfc8037D))
	require.NoError(t, err)

	// A.4: Ed25519 is deterministic, so the key signs the RFC's input to the
	// RFC's signature.
	sig, err := jwt.SigningMethodEdDSA.Sign(rfc8037Input, k.signingKey())
	require.NoError(t, err)
	assert.Equal(t, rfc8037Sig, base64.RawURLEncoding.EncodeToString(sig))
	require.NoError(t, jwt.SigningMethodEdDSA.Verify(rfc8037Input, mustB64(t, rfc8037Sig), k.verificationKey()))

	// A.1 and A.3: JWKS publishes the RFC's public key, and go-jose computes
	// the RFC's thumbprint from our JWK.
	ring, err := NewKeyring(Config{Algorithm: AlgEdDSA, Audience: testAud}, k)
	require.NoError(t, err)
	raw, err := ring.JWKS()
	require.NoError(t, err)
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(raw, &set))
	require.Len(t, set.Keys, 1)
	assert.Contains(t, string(raw), `"x":"`+rfc8037X+`"`)
	tp, err := set.Keys[0].Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	assert.Equal(t, rfc8037Thumbprint, base64.RawURLEncoding.EncodeToString(tp))

	// The marshalled key keeps the seed.
	b, err := k.MarshalBinary()
	require.NoError(t, err)
	assert.True(t, bytes.HasSuffix(b, mustB64(t, rfc8037D)))
}

// RFC 7515 appendix A.1 (HMAC SHA-256 JWS), copied verbatim; the header
// and claims contain CRLF inside the JSON, which is legal.
const (
	rfc7515Key   = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
	rfc7515Token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
		".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

func TestRFC7515HS256(t *testing.T) {
	t.Parallel()
	k, err := buildKey("rfc7515", AlgHS256, testNow, mustB64(t, rfc7515Key))
	require.NoError(t, err)
	h, c, s := segments(t, rfc7515Token)
	require.NoError(t, jwt.SigningMethodHS256.Verify(h+"."+c, mustB64(t, s), k.verificationKey()))

	// The structural checks accept the RFC's encoding; the keyring then
	// refuses the token for having no kid (it also lacks aud, iat and jti).
	_, err = precheck(rfc7515Token)
	require.NoError(t, err)
	ring, err := NewKeyring(Config{Algorithm: AlgHS256, Audience: testAud}, k)
	require.NoError(t, err)
	_, err = ring.Verify(rfc7515Token)
	require.ErrorIs(t, err, ErrUnknownKey)
}

// apiKATReader repeats a fixed 64-byte pattern (bytes (37i+200) mod 256),
// which includes values the rejection sampling must skip.
func apiKATReader() io.Reader {
	var p [64]byte
	for i := range p {
		p[i] = byte((i*37 + 200) % 256)
	}
	return bytes.NewReader(bytes.Repeat(p[:], 4))
}

// The expected API token and digest were computed with Python's hashlib
// from the format documented on GenerateAPIToken, not by this package:
//
//	B62 = "0-9A-Za-z"; stream = pattern * 4
//	body = [B62[b % 62] for b in stream if b < 248][:43]
//	v = int.from_bytes(sha256(b"lt_" + body)[:8], "big") % 62**6  # 6 digits, MSB first
//	digest = sha256(token).hexdigest()
const (
	apiKATToken  = "lt_EpItU5gHsLwX8jKvOzaBmNyR2dEpQU5gHsTX8jKvWaBVZ5bUZ"
	apiKATDigest = "ba972c932916b851d3980464c7cd54b4c3c68a7c4e78ced1b09dfcaea16848aa"
)

func TestAPITokenKnownAnswer(t *testing.T) {
	t.Parallel()
	tok, digest, err := generateAPIToken(apiKATReader())
	require.NoError(t, err)
	assert.Equal(t, apiKATToken, tok)
	assert.Equal(t, apiKATDigest, digest)
	require.NoError(t, CheckAPIToken(apiKATToken))
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy unavailable") }

func TestRandomFailure(t *testing.T) {
	t.Parallel()
	_, _, err := generateAPIToken(failingReader{})
	require.Error(t, err)
	_, err = newKey(failingReader{}, AlgHS256, testNow)
	require.Error(t, err)
	// A short read is a failure too, never a shorter secret.
	_, _, err = generateAPIToken(bytes.NewReader(make([]byte, 10)))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// TestIsBase62 checks the branch-free class test against the alphabet for
// every byte.
func TestIsBase62(t *testing.T) {
	t.Parallel()
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for c := range 256 {
		want := 0
		if bytes.IndexByte([]byte(alphabet), byte(c)) >= 0 {
			want = 1
		}
		require.Equal(t, want, isBase62(byte(c)), "byte %#x", c)
	}
}
