package token_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/seal"
	"github.com/latchkit/latch/token"
)

var clockNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// clock is a settable clock for keyrings.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: clockNow} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newRing(t *testing.T, alg token.Algorithm, keys ...token.Key) *token.Keyring {
	t.Helper()
	r, err := token.NewKeyring(token.Config{Algorithm: alg, Audience: "api", Now: func() time.Time { return clockNow }}, keys...)
	require.NoError(t, err)
	return r
}

func ringWithClock(t *testing.T, c *clock, alg token.Algorithm) *token.Keyring {
	t.Helper()
	k, err := token.NewKey(alg, c.Now())
	require.NoError(t, err)
	r, err := token.NewKeyring(token.Config{Algorithm: alg, Audience: "api", Now: c.Now}, k)
	require.NoError(t, err)
	return r
}

// kidOf returns the kid header of a compact JWT.
func kidOf(t *testing.T, tok string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	require.NoError(t, err)
	var hdr struct {
		Kid string `json:"kid"`
	}
	require.NoError(t, json.Unmarshal(h, &hdr))
	return hdr.Kid
}

func sign(t *testing.T, r *token.Keyring) string {
	t.Helper()
	tok, err := r.Sign(token.Claims{Subject: "user-1", ExpiresAt: clockNow.Add(24 * time.Hour)})
	require.NoError(t, err)
	return tok
}

func ids(keys []token.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

func TestNewKeyringConfig(t *testing.T) {
	t.Parallel()
	k := newKey(t, token.AlgHS256)
	tests := []struct {
		name string
		cfg  token.Config
		want error
	}{
		{"no algorithm", token.Config{Audience: "api"}, token.ErrInvalidConfig},
		{"unsupported algorithm", token.Config{Algorithm: "HS512", Audience: "api"}, token.ErrInvalidConfig},
		{"none algorithm", token.Config{Algorithm: "none", Audience: "api"}, token.ErrInvalidConfig},
		{"no audience", token.Config{Algorithm: token.AlgHS256}, token.ErrInvalidConfig},
		{"audience not UTF-8", token.Config{Algorithm: token.AlgHS256, Audience: "\xff"}, token.ErrInvalidConfig},
		{"negative leeway", token.Config{Algorithm: token.AlgHS256, Audience: "api", Leeway: -time.Second}, token.ErrInvalidConfig},
		{"leeway over the maximum", token.Config{Algorithm: token.AlgHS256, Audience: "api", Leeway: token.MaxLeeway + 1}, token.ErrInvalidConfig},
		{"leeway at the maximum", token.Config{Algorithm: token.AlgHS256, Audience: "api", Leeway: token.MaxLeeway}, nil},
		{"EdDSA for new keys", token.Config{Algorithm: token.AlgEdDSA, Audience: "api"}, nil},
		{"nil clock", token.Config{Algorithm: token.AlgHS256, Audience: "api"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := token.NewKeyring(tc.cfg, k)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.Nil(t, r)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, r)
		})
	}
}

func TestNewKeyringKeys(t *testing.T) {
	t.Parallel()
	cfg := token.Config{Algorithm: token.AlgHS256, Audience: "api"}
	k := newKey(t, token.AlgHS256)
	_, err := token.NewKeyring(cfg)
	require.ErrorIs(t, err, token.ErrNoKey)
	_, err = token.NewKeyring(cfg, k, k)
	require.ErrorIs(t, err, token.ErrInvalidKey)
	_, err = token.NewKeyring(cfg, k, token.Key{})
	require.ErrorIs(t, err, token.ErrInvalidKey)
}

func TestNewestKeyIsCurrent(t *testing.T) {
	t.Parallel()
	old, err := token.NewKey(token.AlgHS256, clockNow.Add(-2*time.Hour))
	require.NoError(t, err)
	mid, err := token.NewKey(token.AlgEdDSA, clockNow.Add(-time.Hour))
	require.NoError(t, err)
	newest, err := token.NewKey(token.AlgHS256, clockNow.Add(-time.Minute))
	require.NoError(t, err)

	// Any order in, oldest first out; the newest signs whatever the
	// configured algorithm.
	r := newRing(t, token.AlgEdDSA, newest, old, mid)
	assert.Equal(t, []string{old.ID, mid.ID, newest.ID}, ids(r.Keys()))
	assert.Equal(t, newest.ID, r.Current().ID)
	assert.Equal(t, newest.ID, kidOf(t, sign(t, r)))
}

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			r := newRing(t, alg, newKey(t, alg))
			in := token.Claims{
				Subject:     "user-1",
				ID:          "jti-1",
				Audience:    []string{"api", "other"},
				IssuedAt:    clockNow.Add(-time.Minute),
				NotBefore:   clockNow.Add(-30 * time.Second),
				ExpiresAt:   clockNow.Add(7 * 24 * time.Hour),
				Permissions: []string{"view_users", "*"},
				Extra:       map[string]any{"role": "admin", "tenant": map[string]any{"id": 7.0}},
			}
			tok, err := r.Sign(in)
			require.NoError(t, err)
			got, err := r.Verify(tok)
			require.NoError(t, err)
			assert.Equal(t, &in, got)
		})
	}
}

func TestSignDefaults(t *testing.T) {
	t.Parallel()
	r := newRing(t, token.AlgHS256, newKey(t, token.AlgHS256))
	exp := clockNow.Add(15*time.Minute + 700*time.Millisecond)
	a, err := r.Sign(token.Claims{ExpiresAt: exp})
	require.NoError(t, err)
	b, err := r.Sign(token.Claims{ExpiresAt: exp})
	require.NoError(t, err)
	ca, err := r.Verify(a)
	require.NoError(t, err)
	cb, err := r.Verify(b)
	require.NoError(t, err)

	assert.Regexp(t, kidForm, ca.ID, "random jti")
	assert.NotEqual(t, ca.ID, cb.ID)
	assert.Equal(t, []string{"api"}, ca.Audience)
	assert.Equal(t, clockNow, ca.IssuedAt)
	assert.True(t, ca.NotBefore.IsZero())
	assert.Equal(t, clockNow.Add(15*time.Minute), ca.ExpiresAt, "truncated to the second")
	assert.Nil(t, ca.Permissions)
	assert.Nil(t, ca.Extra)
	assert.Empty(t, ca.Subject)
}

func TestSignRejects(t *testing.T) {
	t.Parallel()
	r := newRing(t, token.AlgHS256, newKey(t, token.AlgHS256))
	exp := clockNow.Add(time.Hour)
	tests := []struct {
		name string
		c    token.Claims
		want error
	}{
		{"no expiry", token.Claims{Subject: "u"}, token.ErrMissingClaim},
		{"expires now", token.Claims{ExpiresAt: clockNow}, token.ErrExpired},
		{"expired", token.Claims{ExpiresAt: clockNow.Add(-time.Second)}, token.ErrExpired},
		{"expires within the current second", token.Claims{ExpiresAt: clockNow.Add(999 * time.Millisecond)}, token.ErrExpired},
		{"other audience only", token.Claims{ExpiresAt: exp, Audience: []string{"challenge"}}, token.ErrAudience},
		{"Extra repeats sub", token.Claims{ExpiresAt: exp, Extra: map[string]any{"sub": "admin"}}, token.ErrDuplicateClaim},
		{"Extra case variant of exp", token.Claims{ExpiresAt: exp, Extra: map[string]any{"Exp": 1}}, token.ErrDuplicateClaim},
		{"Extra long-s variant of sub", token.Claims{ExpiresAt: exp, Extra: map[string]any{"ſub": 1}}, token.ErrDuplicateClaim},
		{"Extra names differing in case", token.Claims{ExpiresAt: exp, Extra: map[string]any{"role": 1, "ROLE": 2}}, token.ErrDuplicateClaim},
		{"subject not UTF-8", token.Claims{ExpiresAt: exp, Subject: "\xff"}, token.ErrInvalidClaims},
		{"nbf after year 9999", token.Claims{ExpiresAt: exp, NotBefore: time.Unix(253402300800, 0)}, token.ErrInvalidClaims},
		{"nbf past int64 seconds", token.Claims{ExpiresAt: exp, NotBefore: time.Unix(9223372000000000000, 0)}, token.ErrInvalidClaims},
		{"iat before 1970", token.Claims{ExpiresAt: exp, IssuedAt: time.Unix(-1, 0)}, token.ErrInvalidClaims},
		{"exp after year 9999", token.Claims{ExpiresAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, token.ErrInvalidClaims},
		{"jti not UTF-8", token.Claims{ExpiresAt: exp, ID: "a\xc0"}, token.ErrInvalidClaims},
		{"permission not UTF-8", token.Claims{ExpiresAt: exp, Permissions: []string{"\xfe"}}, token.ErrInvalidClaims},
		{"Extra name not UTF-8", token.Claims{ExpiresAt: exp, Extra: map[string]any{"\xff": 1}}, token.ErrInvalidClaims},
		{"Extra value not marshallable", token.Claims{ExpiresAt: exp, Extra: map[string]any{"c": make(chan int)}}, token.ErrInvalidClaims},
		{"Extra value NaN", token.Claims{ExpiresAt: exp, Extra: map[string]any{"n": math.NaN()}}, token.ErrInvalidClaims},
		{"Extra value with repeated names", token.Claims{ExpiresAt: exp, Extra: map[string]any{"o": json.RawMessage(`{"a":1,"a":2}`)}}, token.ErrInvalidClaims},
		{"Extra value with invalid UTF-8", token.Claims{ExpiresAt: exp, Extra: map[string]any{"o": json.RawMessage("\"\xff\"")}}, token.ErrInvalidClaims},
		{"Extra value with case-variant names", token.Claims{ExpiresAt: exp, Extra: map[string]any{"o": map[string]any{"a": 1, "A": 2}}}, token.ErrInvalidClaims},
		{"Extra value with a lone surrogate escape", token.Claims{ExpiresAt: exp, Extra: map[string]any{"o": json.RawMessage(`"\ud800"`)}}, token.ErrInvalidClaims},
		{"too large", token.Claims{ExpiresAt: exp, Subject: strings.Repeat("u", token.MaxTokenSize)}, token.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, err := r.Sign(tc.c)
			require.ErrorIs(t, err, tc.want)
			assert.Empty(t, tok)
		})
	}
}

func TestRotate(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			c := newClock()
			r := ringWithClock(t, c, alg)
			first := r.Current()
			old := sign(t, r)

			k, err := r.Rotate()
			require.NoError(t, err)
			assert.Equal(t, alg, k.Algorithm)
			assert.Equal(t, k.ID, r.Current().ID)
			assert.Equal(t, []string{first.ID, k.ID}, ids(r.Keys()))
			// The clock did not move: the new key still sorts last.
			assert.Equal(t, first.CreatedAt.Add(time.Microsecond), k.CreatedAt)

			_, err = r.Verify(old)
			require.NoError(t, err, "tokens of the previous key still verify")
			fresh := sign(t, r)
			assert.Equal(t, k.ID, kidOf(t, fresh))
			_, err = r.Verify(fresh)
			require.NoError(t, err)

			// Another instance loading the same keys agrees on the current one.
			other := newRing(t, alg, r.Keys()[1], r.Keys()[0])
			assert.Equal(t, k.ID, other.Current().ID)
		})
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	c := newClock()
	r := ringWithClock(t, c, token.AlgHS256)
	before := sign(t, r)
	_, err := r.Rotate()
	require.NoError(t, err)
	alsoBefore := sign(t, r)

	k, err := r.Reset()
	require.NoError(t, err)
	assert.Equal(t, []string{k.ID}, ids(r.Keys()))
	for _, tok := range []string{before, alsoBefore} {
		_, err = r.Verify(tok)
		require.ErrorIs(t, err, token.ErrUnknownKey)
	}
	_, err = r.Verify(sign(t, r))
	require.NoError(t, err)
}

func TestPrune(t *testing.T) {
	t.Parallel()
	c := newClock()
	r := ringWithClock(t, c, token.AlgHS256)
	k1 := r.Current()
	t1 := sign(t, r)
	c.Add(time.Hour)
	k2, err := r.Rotate() // k1 retired at +1h
	require.NoError(t, err)
	t2 := sign(t, r)
	c.Add(time.Hour)
	k3, err := r.Rotate() // k2 retired at +2h
	require.NoError(t, err)

	// k1 signed until k2 was created; a cut-off at that instant keeps it.
	r.Prune(k2.CreatedAt)
	assert.Equal(t, []string{k1.ID, k2.ID, k3.ID}, ids(r.Keys()))

	r.Prune(k2.CreatedAt.Add(time.Second))
	assert.Equal(t, []string{k2.ID, k3.ID}, ids(r.Keys()))
	_, err = r.Verify(t1)
	require.ErrorIs(t, err, token.ErrUnknownKey)
	_, err = r.Verify(t2)
	require.NoError(t, err)

	// The current key always stays.
	r.Prune(clockNow.Add(1000 * time.Hour))
	assert.Equal(t, []string{k3.ID}, ids(r.Keys()))
	_, err = r.Verify(sign(t, r))
	require.NoError(t, err)
}

func TestKeysReturnsACopy(t *testing.T) {
	t.Parallel()
	r := newRing(t, token.AlgHS256, newKey(t, token.AlgHS256))
	keys := r.Keys()
	want := keys[0].ID
	keys[0] = token.Key{}
	assert.Equal(t, want, r.Keys()[0].ID)
}

func TestSetKeys(t *testing.T) {
	t.Parallel()
	r := newRing(t, token.AlgHS256, newKey(t, token.AlgHS256))
	before := r.Keys()
	old := sign(t, r)

	a, err := token.NewKey(token.AlgEdDSA, clockNow.Add(-time.Minute))
	require.NoError(t, err)
	b, err := token.NewKey(token.AlgHS256, clockNow.Add(-time.Hour))
	require.NoError(t, err)

	for _, bad := range []struct {
		name string
		keys []token.Key
		want error
	}{
		{"none", nil, token.ErrNoKey},
		{"repeated kid", []token.Key{a, a}, token.ErrInvalidKey},
		{"zero key", []token.Key{a, {}}, token.ErrInvalidKey},
	} {
		require.ErrorIs(t, r.SetKeys(bad.keys), bad.want, bad.name)
		assert.Equal(t, ids(before), ids(r.Keys()), "unchanged after %s", bad.name)
	}

	require.NoError(t, r.SetKeys([]token.Key{a, b}))
	assert.Equal(t, []string{b.ID, a.ID}, ids(r.Keys()))
	assert.Equal(t, a.ID, kidOf(t, sign(t, r)))
	_, err = r.Verify(old)
	require.ErrorIs(t, err, token.ErrUnknownKey)
}

func TestSeparateKeyringsRejectEachOther(t *testing.T) {
	t.Parallel()
	shared := newKey(t, token.AlgHS256)
	access, err := token.NewKeyring(token.Config{Algorithm: token.AlgHS256, Audience: "access", Now: func() time.Time { return clockNow }}, shared)
	require.NoError(t, err)
	challenge, err := token.NewKeyring(token.Config{Algorithm: token.AlgHS256, Audience: "challenge", Now: func() time.Time { return clockNow }}, shared)
	require.NoError(t, err)
	binding := newRing(t, token.AlgHS256, newKey(t, token.AlgHS256))

	exp := clockNow.Add(time.Hour)
	at, err := access.Sign(token.Claims{Subject: "u", ExpiresAt: exp})
	require.NoError(t, err)
	ct, err := challenge.Sign(token.Claims{Subject: "u", ExpiresAt: exp})
	require.NoError(t, err)

	_, err = challenge.Verify(at)
	require.ErrorIs(t, err, token.ErrAudience, "even with the same key")
	_, err = access.Verify(ct)
	require.ErrorIs(t, err, token.ErrAudience)
	_, err = binding.Verify(at)
	require.ErrorIs(t, err, token.ErrUnknownKey)
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	hsOnly := newRing(t, token.AlgHS256, newKey(t, token.AlgHS256))
	raw, err := hsOnly.JWKS()
	require.NoError(t, err)
	assert.JSONEq(t, `{"keys":[]}`, string(raw))

	ed1, err := token.NewKey(token.AlgEdDSA, clockNow.Add(-2*time.Hour))
	require.NoError(t, err)
	hs, err := token.NewKey(token.AlgHS256, clockNow.Add(-time.Hour))
	require.NoError(t, err)
	ed2, err := token.NewKey(token.AlgEdDSA, clockNow)
	require.NoError(t, err)
	mixed := newRing(t, token.AlgEdDSA, ed1, hs, ed2)
	raw, err = mixed.JWKS()
	require.NoError(t, err)
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(raw, &set))
	require.Len(t, set.Keys, 2)
	for i, k := range []token.Key{ed1, ed2} {
		x, err := base64.RawURLEncoding.DecodeString(set.Keys[i]["x"])
		require.NoError(t, err)
		assert.Len(t, x, 32)
		assert.Equal(t, map[string]string{"kty": "OKP", "crv": "Ed25519", "x": set.Keys[i]["x"], "kid": k.ID, "alg": "EdDSA", "use": "sig"}, set.Keys[i])
	}
	assert.NotContains(t, string(raw), hs.ID)
	assert.NotContains(t, string(raw), `"d"`)
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	c := newClock()
	r := ringWithClock(t, c, token.AlgHS256)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				tok, err := r.Sign(token.Claims{Subject: "u", ExpiresAt: clockNow.Add(time.Hour)})
				if !assert.NoError(t, err) {
					return
				}
				_, err = r.Verify(tok)
				assert.NoError(t, err)
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			_, err := r.Rotate()
			assert.NoError(t, err)
			assert.NoError(t, r.SetKeys(r.Keys()))
			_ = r.Keys()
			_, err = r.JWKS()
			assert.NoError(t, err)
		}
	})
	wg.Wait()
	assert.Len(t, r.Keys(), 51)
}

// TestReencodedTokenRejected shows that revocation keyed on jti cannot be
// dodged: every re-encoding of a token either fails or is the same token.
func TestReencodedTokenRejected(t *testing.T) {
	t.Parallel()
	r := newRing(t, token.AlgHS256, newKey(t, token.AlgHS256))
	tok, err := r.Sign(token.Claims{Subject: "user-1", ID: "revoked-jti", ExpiresAt: clockNow.Add(time.Hour)})
	require.NoError(t, err)
	c, err := r.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, "revoked-jti", c.ID)

	// Sign until the signature has a character that differs between the
	// URL-safe and the standard alphabet.
	for i := 0; !strings.ContainsAny(strings.Split(tok, ".")[2], "-_"); i++ {
		tok, err = r.Sign(token.Claims{Subject: fmt.Sprint("user-", i), ID: "revoked-jti", ExpiresAt: clockNow.Add(time.Hour)})
		require.NoError(t, err)
	}
	p := strings.Split(tok, ".")
	hdr, err := base64.RawURLEncoding.DecodeString(p[0])
	require.NoError(t, err)
	spaced := strings.Replace(string(hdr), ",", ", ", -1)
	variants := map[string]struct {
		tok  string
		want error
	}{
		"padded header":                   {base64.URLEncoding.EncodeToString(hdr) + "." + p[1] + "." + p[2], token.ErrMalformed},
		"padded signature":                {p[0] + "." + p[1] + "." + p[2] + "=", token.ErrMalformed},
		"line-wrapped claims":             {p[0] + "." + p[1][:10] + "\r\n" + p[1][10:] + "." + p[2], token.ErrMalformed},
		"space in signature":              {p[0] + "." + p[1] + "." + p[2][:5] + " " + p[2][5:], token.ErrMalformed},
		"trailing newline":                {tok + "\n", token.ErrMalformed},
		"leading space":                   {" " + tok, token.ErrMalformed},
		"header JSON re-spaced":           {base64.RawURLEncoding.EncodeToString([]byte(spaced)) + "." + p[1] + "." + p[2], token.ErrSignature},
		"signature in standard alphabet":  {p[0] + "." + p[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(p[2]), token.ErrMalformed},
		"signature with non-zero tail":    {p[0] + "." + p[1] + "." + p[2][:len(p[2])-1] + bumpLast(p[2]), token.ErrMalformed},
		"signature with extra characters": {tok + "AAAA", token.ErrSignature},
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.NotEqual(t, tok, v.tok)
			c, err := r.Verify(v.tok)
			require.ErrorIs(t, err, v.want)
			assert.Nil(t, c)
		})
	}
}

// bumpLast returns seg's last character with its unused low bits set (an
// HS256 signature is 43 characters, whose last carries 4 bits and 2 unused).
func bumpLast(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return string(alphabet[strings.IndexByte(alphabet, seg[len(seg)-1])|0x03])
}

// sharedStore stands for the store several instances share: sealed keys
// by kid, as the instance that made them wrote them.
type sharedStore struct {
	mu     sync.Mutex
	sealed map[string][]byte
}

func (s *sharedStore) save(t *testing.T, sl *seal.Sealer, keys ...token.Key) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		b, err := token.SealKey(sl, k)
		require.NoError(t, err)
		s.sealed[k.ID] = b
	}
}

func (s *sharedStore) replace(t *testing.T, sl *seal.Sealer, keys ...token.Key) {
	t.Helper()
	s.mu.Lock()
	clear(s.sealed)
	s.mu.Unlock()
	s.save(t, sl, keys...)
}

func (s *sharedStore) load(sl *seal.Sealer) ([]token.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []token.Key
	for _, b := range s.sealed {
		k, err := token.OpenKey(sl, b)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// TestInstancesShareSealedKeys: two instances holding only the sealing key
// and a shared store of sealed keys verify each other's tokens through a
// rotation and a reset; an instance with another sealing key cannot load
// the keys at all.
func TestInstancesShareSealedKeys(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			sl := newSealer(t)
			st := &sharedStore{sealed: make(map[string][]byte)}
			c := newClock()
			cfg := token.Config{Algorithm: alg, Audience: "api", Now: c.Now}

			first, err := token.NewKey(alg, c.Now())
			require.NoError(t, err)
			st.save(t, sl, first)
			open := func() *token.Keyring {
				keys, err := st.load(sl)
				require.NoError(t, err)
				r, err := token.NewKeyring(cfg, keys...)
				require.NoError(t, err)
				return r
			}
			reload := func(r *token.Keyring) {
				keys, err := st.load(sl)
				require.NoError(t, err)
				require.NoError(t, r.SetKeys(keys))
			}
			a, b := open(), open()

			fromA, fromB := sign(t, a), sign(t, b)
			_, err = b.Verify(fromA)
			require.NoError(t, err)
			_, err = a.Verify(fromB)
			require.NoError(t, err)

			// a rotates and stores the new key; b picks it up.
			c.Add(time.Minute)
			k, err := a.Rotate()
			require.NoError(t, err)
			st.save(t, sl, k)
			rotated := sign(t, a)
			_, err = b.Verify(rotated)
			require.ErrorIs(t, err, token.ErrUnknownKey, "b has not reloaded yet")
			reload(b)
			assert.Equal(t, k.ID, b.Current().ID)
			for _, tok := range []string{fromA, fromB, rotated, sign(t, b)} {
				_, err = a.Verify(tok)
				require.NoError(t, err)
				_, err = b.Verify(tok)
				require.NoError(t, err)
			}

			// a resets; once b reloads, no earlier token verifies anywhere.
			fresh, err := a.Reset()
			require.NoError(t, err)
			st.replace(t, sl, fresh)
			reload(b)
			for _, tok := range []string{fromA, fromB, rotated} {
				_, err = a.Verify(tok)
				require.ErrorIs(t, err, token.ErrUnknownKey)
				_, err = b.Verify(tok)
				require.ErrorIs(t, err, token.ErrUnknownKey)
			}
			_, err = a.Verify(sign(t, b))
			require.NoError(t, err)

			_, err = st.load(newSealer(t))
			require.ErrorIs(t, err, token.ErrInvalidKey)
			require.ErrorIs(t, err, seal.ErrOpen)
		})
	}
}

// TestValidityPerKind: each token's lifetime is the caller's choice, for
// example per role or token kind, and Verify enforces each one.
func TestValidityPerKind(t *testing.T) {
	t.Parallel()
	c := newClock()
	r := ringWithClock(t, c, token.AlgHS256)
	lifetimes := map[string]time.Duration{
		"user":      7 * 24 * time.Hour,
		"superuser": 24 * time.Hour,
		"api":       10 * time.Minute,
	}
	toks := make(map[string]string)
	for kind, d := range lifetimes {
		tok, err := r.Sign(token.Claims{Subject: kind, ExpiresAt: c.Now().Add(d)})
		require.NoError(t, err)
		toks[kind] = tok
	}
	check := func(valid ...string) {
		t.Helper()
		for kind, tok := range toks {
			_, err := r.Verify(tok)
			if slices.Contains(valid, kind) {
				require.NoError(t, err, kind)
			} else {
				require.ErrorIs(t, err, token.ErrExpired, kind)
			}
		}
	}
	check("user", "superuser", "api")
	c.Add(10*time.Minute - time.Second)
	check("user", "superuser", "api")
	c.Add(time.Second)
	check("user", "superuser")
	c.Add(24*time.Hour - 10*time.Minute)
	check("user")
	c.Add(6 * 24 * time.Hour)
	check()
}
