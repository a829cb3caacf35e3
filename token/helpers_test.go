package token

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// testNow is the fixed clock of every test keyring.
var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const (
	testAud    = "api"
	testLeeway = 30 * time.Second
)

// fixedKey builds a key with material fill repeated, created an hour before
// testNow.
func fixedKey(t testing.TB, alg Algorithm, id string, fill byte) Key {
	t.Helper()
	k, err := buildKey(id, alg, testNow.Add(-time.Hour), bytes.Repeat([]byte{fill}, 32))
	require.NoError(t, err)
	return k
}

// fixture is a keyring holding an HS256 key and an EdDSA key (the EdDSA
// one current), with a fixed clock.
type fixture struct {
	hs, ed Key
	ring   *Keyring
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{
		hs: fixedKey(t, AlgHS256, "hs-key", 0x11),
		ed: fixedKey(t, AlgEdDSA, "ed-key", 0x22),
	}
	f.ed.CreatedAt = f.ed.CreatedAt.Add(time.Minute)
	ring, err := NewKeyring(Config{
		Algorithm: AlgHS256,
		Audience:  testAud,
		Leeway:    testLeeway,
		Now:       func() time.Time { return testNow },
	}, f.hs, f.ed)
	require.NoError(t, err)
	f.ring = ring
	return f
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// header returns a compact JSON header with alg and kid.
func header(alg, kid string) string {
	return fmt.Sprintf(`{"alg":%q,"kid":%q,"typ":"JWT"}`, alg, kid)
}

// unix returns testNow plus d as NumericDate seconds.
func unix(d time.Duration) int64 { return testNow.Add(d).Unix() }

// claimsJSON returns valid claims for the fixture keyring, with extra
// members (a JSON fragment starting with ',') appended.
func claimsJSON(extra string) string {
	return fmt.Sprintf(`{"aud":["api"],"exp":%d,"iat":%d,"jti":"jti-1","permissions":["view_users"],"sub":"user-1"%s}`,
		unix(time.Hour), unix(0), extra)
}

// forge signs header and claims, given as JSON text, with method and key,
// through golang-jwt, whatever they contain.
func forge(t testing.TB, m jwt.SigningMethod, key any, header, claims string) string {
	t.Helper()
	si := b64(header) + "." + b64(claims)
	sig, err := m.Sign(si, key)
	require.NoError(t, err)
	return si + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// forgeWith signs with k's own algorithm and material.
func forgeWith(t testing.TB, k Key, header, claims string) string {
	t.Helper()
	m := jwt.SigningMethod(jwt.SigningMethodHS256)
	if k.Algorithm == AlgEdDSA {
		m = jwt.SigningMethodEdDSA
	}
	return forge(t, m, k.signingKey(), header, claims)
}

// valid returns a valid token signed by k.
func valid(t testing.TB, k Key) string {
	return forgeWith(t, k, header(string(k.Algorithm), k.ID), claimsJSON(""))
}
