package token

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Interoperability with go-jose, an independent JOSE implementation used
// only by these tests.

type joseClaims struct {
	Permissions []string `json:"permissions"`
	Role        string   `json:"role"`
}

// TestLatchToGoJose: tokens Latch signs are valid JWTs to go-jose, with
// the HS256 secret or with the EdDSA public key taken from JWKS output.
func TestLatchToGoJose(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, k := range []Key{f.hs, f.ed} {
		t.Run(string(k.Algorithm), func(t *testing.T) {
			t.Parallel()
			ring, err := NewKeyring(Config{Algorithm: k.Algorithm, Audience: testAud, Now: func() time.Time { return testNow }}, k)
			require.NoError(t, err)
			tok, err := ring.Sign(Claims{
				Subject:     "user-1",
				ID:          "jti-1",
				NotBefore:   testNow,
				ExpiresAt:   testNow.Add(time.Hour),
				Permissions: []string{"view_users"},
				Extra:       map[string]any{"role": "admin"},
			})
			require.NoError(t, err)

			alg := jose.SignatureAlgorithm(k.Algorithm)
			parsed, err := josejwt.ParseSigned(tok, []jose.SignatureAlgorithm{alg})
			require.NoError(t, err)
			require.Len(t, parsed.Headers, 1)
			assert.Equal(t, k.ID, parsed.Headers[0].KeyID)
			assert.Equal(t, string(k.Algorithm), parsed.Headers[0].Algorithm)

			var key any = k.m().secret
			if k.Algorithm == AlgEdDSA {
				raw, err := ring.JWKS()
				require.NoError(t, err)
				var set jose.JSONWebKeySet
				require.NoError(t, json.Unmarshal(raw, &set))
				found := set.Key(k.ID)
				require.Len(t, found, 1)
				assert.True(t, found[0].Valid())
				assert.True(t, found[0].IsPublic())
				key = found[0].Key
			}
			var std josejwt.Claims
			var priv joseClaims
			require.NoError(t, parsed.Claims(key, &std, &priv))
			require.NoError(t, std.ValidateWithLeeway(josejwt.Expected{AnyAudience: josejwt.Audience{testAud}, Time: testNow}, 0))
			assert.Equal(t, "user-1", std.Subject)
			assert.Equal(t, "jti-1", std.ID)
			assert.Equal(t, testNow, std.IssuedAt.Time().UTC())
			assert.Equal(t, testNow.Add(time.Hour), std.Expiry.Time().UTC())
			assert.Equal(t, joseClaims{Permissions: []string{"view_users"}, Role: "admin"}, priv)

			// go-jose refuses it past its expiry, as Latch does.
			err = std.ValidateWithLeeway(josejwt.Expected{Time: testNow.Add(2 * time.Hour)}, 0)
			require.ErrorIs(t, err, josejwt.ErrExpired)
		})
	}
}

// joseSign mints a token with go-jose.
func joseSign(t *testing.T, alg jose.SignatureAlgorithm, key any, opts *jose.SignerOptions, claims ...any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	b := josejwt.Signed(signer)
	for _, c := range claims {
		b = b.Claims(c)
	}
	tok, err := b.Serialize()
	require.NoError(t, err)
	return tok
}

// TestGoJoseToLatch: tokens go-jose mints are accepted or refused by Latch
// as they should be.
func TestGoJoseToLatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hs, ed := f.hs, f.ed
	kid := func(k Key) *jose.SignerOptions {
		return (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.ID)
	}
	good := josejwt.Claims{
		Subject:  "user-1",
		ID:       "jti-1",
		Audience: josejwt.Audience{testAud},
		IssuedAt: josejwt.NewNumericDate(testNow),
		Expiry:   josejwt.NewNumericDate(testNow.Add(time.Hour)),
	}
	with := func(edit func(*josejwt.Claims)) josejwt.Claims {
		c := good
		edit(&c)
		return c
	}
	perms := map[string]any{"permissions": []string{"add_users"}}

	tests := []struct {
		name string
		tok  func() string
		want error
	}{
		{"HS256", func() string { return joseSign(t, jose.HS256, hs.m().secret, kid(hs), good, perms) }, nil},
		{"EdDSA", func() string { return joseSign(t, jose.EdDSA, ed.m().priv, kid(ed), good, perms) }, nil},
		{"single audience as a string, no typ", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, (&jose.SignerOptions{}).WithHeader("kid", hs.ID),
				with(func(c *josejwt.Claims) { c.Audience = josejwt.Audience{testAud} }), perms)
		}, nil},
		{"expired", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs), with(func(c *josejwt.Claims) { c.Expiry = josejwt.NewNumericDate(testNow.Add(-time.Hour)) }))
		}, ErrExpired},
		{"not yet valid", func() string {
			return joseSign(t, jose.EdDSA, ed.m().priv, kid(ed), with(func(c *josejwt.Claims) { c.NotBefore = josejwt.NewNumericDate(testNow.Add(time.Hour)) }))
		}, ErrNotYetValid},
		{"issued in the future", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs), with(func(c *josejwt.Claims) { c.IssuedAt = josejwt.NewNumericDate(testNow.Add(time.Hour)) }))
		}, ErrNotYetValid},
		{"no expiry", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs), with(func(c *josejwt.Claims) { c.Expiry = nil }))
		}, ErrMissingClaim},
		{"no jti", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs), with(func(c *josejwt.Claims) { c.ID = "" }))
		}, ErrMissingClaim},
		{"other audience", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs), with(func(c *josejwt.Claims) { c.Audience = josejwt.Audience{"other"} }))
		}, ErrAudience},
		{"no kid", func() string { return joseSign(t, jose.HS256, hs.m().secret, &jose.SignerOptions{}, good) }, ErrUnknownKey},
		{"unknown kid", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, (&jose.SignerOptions{}).WithHeader("kid", "elsewhere"), good)
		}, ErrUnknownKey},
		{"HS256 keyed with the EdDSA public key", func() string {
			return joseSign(t, jose.HS256, []byte(ed.m().pub), kid(ed), good)
		}, ErrAlgorithm},
		{"HS512 under the HS256 kid", func() string {
			return joseSign(t, jose.HS512, slices.Concat(hs.m().secret, hs.m().secret), kid(hs), good)
		}, ErrAlgorithm},
		{"EdDSA signed by another key", func() string {
			other := fixedKey(t, AlgEdDSA, "x", 0x77)
			return joseSign(t, jose.EdDSA, other.m().priv, kid(ed), good)
		}, ErrSignature},
		{"critical header", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs).WithCritical("exp").WithHeader("exp", 1), good)
		}, ErrCritical},
		{"unencoded payload", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs).WithBase64(false), good)
		}, ErrCritical},
		{"claim case variant", func() string {
			return joseSign(t, jose.HS256, hs.m().secret, kid(hs), good, map[string]any{"SUB": "admin"})
		}, ErrDuplicateClaim},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := tc.tok()
			c, err := f.ring.Verify(tok)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.Nil(t, c)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "user-1", c.Subject)
			assert.Equal(t, "jti-1", c.ID)
			assert.Equal(t, []string{testAud}, c.Audience)
			assert.Equal(t, testNow.Add(time.Hour), c.ExpiresAt)
			assert.Equal(t, []string{"add_users"}, c.Permissions)
		})
	}
}
