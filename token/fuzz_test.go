package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/seal"
)

var verifyErrors = []error{
	ErrTooLarge, ErrMalformed, ErrDuplicateClaim, ErrCritical, ErrNoneAlg, ErrAlgorithm,
	ErrUnknownKey, ErrSignature, ErrExpired, ErrNotYetValid, ErrAudience, ErrIssuer, ErrMissingClaim,
}

func requireVerifyError(t *testing.T, err error) {
	t.Helper()
	for _, e := range verifyErrors {
		if errors.Is(err, e) {
			return
		}
	}
	t.Fatalf("error %q is not one of the package's sentinels", err)
}

// FuzzVerify feeds arbitrary strings to Verify: no panic, a sentinel
// error, and anything accepted is canonical.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	f.Add(valid(f, fx.hs))
	f.Add(valid(f, fx.ed))
	f.Add(valid(f, fx.hs) + "=")
	f.Add(b64(`{"alg":"none"}`) + "." + b64(claimsJSON("")) + ".")
	f.Add(forgeWith(f, fx.hs, `{"alg":"HS256","kid":"hs-key","kid":"ed-key"}`, claimsJSON("")))
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := fx.ring.Verify(tok)
		if err != nil {
			require.Nil(t, c)
			requireVerifyError(t, err)
			return
		}
		require.NotNil(t, c)
		require.NotEmpty(t, c.ID)
		require.LessOrEqual(t, len(tok), MaxTokenSize)
		for _, seg := range strings.Split(tok, ".") {
			b, err := base64.RawURLEncoding.DecodeString(seg)
			require.NoError(t, err)
			require.Equal(t, seg, base64.RawURLEncoding.EncodeToString(b), "accepted segments are canonical")
		}
	})
}

// FuzzVerifySigned signs arbitrary header and claims JSON with the real
// HS256 key, so the fuzzer reaches past the signature. Whatever Latch
// accepts, go-jose must read the same way.
func FuzzVerifySigned(f *testing.F) {
	fx := newFixture(f)
	h := header("HS256", fx.hs.ID)
	f.Add(h, claimsJSON(""))
	f.Add(h, claimsJSON(`,"role":"x","o":{"a":[1,2,{"b":null}]}`))
	f.Add(h, claimsJSON(`,"SUB":"admin"`))
	f.Add(h, claimsJSON(`,"\u0073ub":"admin"`))
	f.Add(`{"alg":"HS256","kid":"hs-key","crit":["x"]}`, claimsJSON(""))
	f.Add(h, fmt.Sprintf(`{"aud":"api","exp":%d.5,"iat":%d,"jti":"\u006a"}`, unix(time.Hour), unix(0)))
	f.Add(h, fmt.Sprintf(`{"aud":"api","exp":1e400,"iat":%d,"jti":"j"}`, unix(0)))
	f.Fuzz(func(t *testing.T, header, claims string) {
		tok := forgeWith(t, fx.hs, header, claims)
		c, err := fx.ring.Verify(tok)
		if err != nil {
			require.Nil(t, c)
			requireVerifyError(t, err)
			return
		}
		parsed, err := josejwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS256})
		require.NoError(t, err, "go-jose refuses a token Latch accepted")
		var std josejwt.Claims
		var priv struct {
			Permissions []string `json:"permissions"`
		}
		require.NoError(t, parsed.Claims(fx.hs.m().secret, &std, &priv))
		require.Equal(t, c.Subject, std.Subject)
		require.Equal(t, c.ID, std.ID)
		require.Equal(t, c.Audience, []string(std.Audience))
		require.Equal(t, c.Permissions, priv.Permissions)
		require.Equal(t, fx.hs.ID, parsed.Headers[0].KeyID)
	})
}

func FuzzCheckAPIToken(f *testing.F) {
	f.Add(apiKATToken)
	f.Add(apiKATToken[:51] + "0")
	f.Add("lt_")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckAPIToken(s)
		p := APITokenPrefix(s)
		if rerr := CheckRefreshToken(s); rerr == nil {
			require.Error(t, err, "a string passed both checks")
			require.True(t, strings.HasPrefix(s, RefreshTokenTag))
		} else {
			require.ErrorIs(t, rerr, ErrMalformed)
		}
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		require.Len(t, s, APITokenLen)
		require.True(t, strings.HasPrefix(s, APITokenTag))
		require.Equal(t, s[:APITokenPrefixLen], p)
		require.Len(t, Digest(s), 64)
	})
}

// FuzzUnmarshalKey: decoding never panics, and what decodes re-encodes to
// the same bytes.
func FuzzUnmarshalKey(f *testing.F) {
	for _, k := range []Key{fixedKey(f, AlgHS256, "a", 1), fixedKey(f, AlgEdDSA, "b", 2)} {
		b, err := k.MarshalBinary()
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := UnmarshalKey(b)
		if err != nil {
			require.True(t, errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrAlgorithm))
			return
		}
		out, err := k.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, b, out)
	})
}

// FuzzOpenKey: opening arbitrary bytes never panics and fails with
// ErrInvalidKey unless they are a sealed key.
func FuzzOpenKey(f *testing.F) {
	s, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	require.NoError(f, err)
	sealed, err := SealKey(s, fixedKey(f, AlgEdDSA, "kid", 3))
	require.NoError(f, err)
	f.Add(sealed)
	f.Add([]byte{3, 'k', 'i', 'd'})
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := OpenKey(s, b)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidKey)
			return
		}
		require.NoError(t, k.check())
	})
}

// plainClaims is wireClaims without its UnmarshalJSON: what encoding/json
// and golang-jwt's own types make of the same claims.
type plainClaims struct {
	Subject     string           `json:"sub,omitempty"`
	ID          string           `json:"jti,omitempty"`
	Audience    jwt.ClaimStrings `json:"aud,omitempty"`
	ExpiresAt   *jwt.NumericDate `json:"exp,omitempty"`
	NotBefore   *jwt.NumericDate `json:"nbf,omitempty"`
	IssuedAt    *jwt.NumericDate `json:"iat,omitempty"`
	Permissions []string         `json:"permissions,omitempty"`
}

// FuzzClaimsDecode checks wireClaims.UnmarshalJSON against encoding/json
// decoding the same claims into the same fields with golang-jwt's types:
// whatever the former accepts, the latter reads identically.
func FuzzClaimsDecode(f *testing.F) {
	for _, s := range []string{
		claimsJSON(""), claimsJSON(`,"nbf":-1.25,"x":{"y":[1,"2"]}`), `{"aud":"a","exp":1e3,"iat":0.5e-3}`,
		`{"sub":"\u00e9\ud83d\ude00","jti":"\"","aud":["a","\u0062"],"permissions":[]}`, `{"permissions":[null]}`,
		`{"exp":1e400}`, `{"exp":-9223372036854775809}`, `{"aud":[]}`, `{"aud":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return // encoding/json refuses it before UnmarshalJSON is called
		}
		var w wireClaims
		if err := w.UnmarshalJSON(data); err != nil {
			require.True(t, errors.Is(err, ErrMalformed) || errors.Is(err, ErrDuplicateClaim), err)
			return
		}
		var p plainClaims
		require.NoError(t, json.Unmarshal(data, &p))
		require.Equal(t, p.Subject, w.Subject)
		require.Equal(t, p.ID, w.ID)
		// Empty and nil lists mean the same.
		require.Equal(t, len(p.Audience) == 0, len(w.Audience) == 0)
		if len(p.Audience) > 0 {
			require.Equal(t, p.Audience, w.Audience)
		}
		require.Equal(t, len(p.Permissions) == 0, len(w.Permissions) == 0)
		if len(p.Permissions) > 0 {
			require.Equal(t, p.Permissions, w.Permissions)
		}
		for _, d := range [][2]*jwt.NumericDate{{p.ExpiresAt, w.ExpiresAt}, {p.NotBefore, w.NotBefore}, {p.IssuedAt, w.IssuedAt}} {
			require.Equal(t, d[0] == nil, d[1] == nil)
			if d[0] != nil {
				require.True(t, d[0].Equal(d[1].Time), "%v != %v", d[0], d[1])
			}
		}
	})
}
