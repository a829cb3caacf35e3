package token_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/seal"
	"github.com/latchkit/latch/token"
)

var (
	now     = time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.FixedZone("X", 3600))
	kidForm = regexp.MustCompile(`^[A-Z2-7]{26}$`)
	algs    = []token.Algorithm{token.AlgHS256, token.AlgEdDSA}
)

func newKey(t *testing.T, alg token.Algorithm) token.Key {
	t.Helper()
	k, err := token.NewKey(alg, now)
	require.NoError(t, err)
	return k
}

// material returns the secret part of k's binary form (the last 32 bytes
// for generated keys).
func material(t *testing.T, k token.Key) []byte {
	t.Helper()
	b, err := k.MarshalBinary()
	require.NoError(t, err)
	return b[len(b)-32:]
}

func newSealer(t *testing.T) *seal.Sealer {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	s, err := seal.New(key)
	require.NoError(t, err)
	return s
}

func TestNewKey(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			a, b := newKey(t, alg), newKey(t, alg)
			assert.Regexp(t, kidForm, a.ID)
			assert.Equal(t, alg, a.Algorithm)
			assert.Equal(t, time.UTC, a.CreatedAt.Location())
			assert.True(t, a.CreatedAt.Equal(now.Truncate(time.Microsecond)), "CreatedAt %v", a.CreatedAt)
			assert.NotEqual(t, a.ID, b.ID)
			assert.NotEqual(t, material(t, a), material(t, b))
		})
	}
}

func TestNewKeyUnsupportedAlgorithm(t *testing.T) {
	t.Parallel()
	for _, alg := range []token.Algorithm{"", "none", "HS512", "RS256", "hs256", "EDDSA", "HS256 "} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			_, err := token.NewKey(alg, now)
			require.ErrorIs(t, err, token.ErrAlgorithm)
		})
	}
}

func TestNewKeyTimeRange(t *testing.T) {
	t.Parallel()
	for _, at := range []time.Time{{}, time.Unix(-1, 0), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		_, err := token.NewKey(token.AlgHS256, at)
		require.ErrorIs(t, err, token.ErrInvalidKey, at)
	}
	k, err := token.NewKey(token.AlgHS256, time.Unix(0, 0))
	require.NoError(t, err)
	k.CreatedAt = time.Time{}
	_, err = k.MarshalBinary()
	require.ErrorIs(t, err, token.ErrInvalidKey)
}

func TestKeyBinaryRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := newKey(t, alg)
			b, err := k.MarshalBinary()
			require.NoError(t, err)
			got, err := token.UnmarshalKey(b)
			require.NoError(t, err)
			assert.Equal(t, k.ID, got.ID)
			assert.Equal(t, k.Algorithm, got.Algorithm)
			assert.True(t, k.CreatedAt.Equal(got.CreatedAt))
			b2, err := got.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, b, b2)

			// The decoded key verifies what the original signs, and the
			// result does not alias the input.
			clear(b)
			a := newRing(t, alg, k)
			c := newRing(t, alg, got)
			tok, err := a.Sign(token.Claims{Subject: "u", ExpiresAt: clockNow.Add(time.Hour)})
			require.NoError(t, err)
			_, err = c.Verify(tok)
			require.NoError(t, err)
		})
	}
}

func TestUnmarshalKeyRejects(t *testing.T) {
	t.Parallel()
	hs, err := newKey(t, token.AlgHS256).MarshalBinary()
	require.NoError(t, err)
	ed, err := newKey(t, token.AlgEdDSA).MarshalBinary()
	require.NoError(t, err)
	const kidAt = 15 // version, algorithm, 8+4 time bytes, kid length
	edit := func(b []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(b)) }

	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"nil", nil, token.ErrInvalidKey},
		{"header only", hs[:kidAt], token.ErrInvalidKey},
		{"unknown version", edit(hs, func(b []byte) []byte { b[0] = 2; return b }), token.ErrInvalidKey},
		{"unknown algorithm", edit(hs, func(b []byte) []byte { b[1] = 3; return b }), token.ErrAlgorithm},
		{"algorithm zero", edit(hs, func(b []byte) []byte { b[1] = 0; return b }), token.ErrAlgorithm},
		{"nanoseconds out of range", edit(hs, func(b []byte) []byte { copy(b[10:14], []byte{0x3b, 0x9a, 0xca, 0x00}); return b }), token.ErrInvalidKey},
		{"nanoseconds not whole microseconds", edit(hs, func(b []byte) []byte { b[13] |= 1; return b }), token.ErrInvalidKey},
		{"before 1970", edit(hs, func(b []byte) []byte { b[2] = 0xff; return b }), token.ErrInvalidKey},
		{"year 10000 or later", edit(hs, func(b []byte) []byte { b[2], b[3] = 0, 0x7f; return b }), token.ErrInvalidKey},
		{"kid longer than the rest", edit(hs, func(b []byte) []byte { b[14] = 255; return b }), token.ErrInvalidKey},
		{"empty kid", edit(hs, func(b []byte) []byte { b[14] = 0; return b }), token.ErrInvalidKey},
		{"kid with a quote", edit(hs, func(b []byte) []byte { b[kidAt] = '"'; return b }), token.ErrInvalidKey},
		{"kid with a slash", edit(hs, func(b []byte) []byte { b[kidAt] = '/'; return b }), token.ErrInvalidKey},
		{"HS256 secret of 31 bytes", hs[:len(hs)-1], token.ErrInvalidKey},
		{"HS256 secret of 129 bytes", append(bytes.Clone(hs), make([]byte, 97)...), token.ErrInvalidKey},
		{"EdDSA seed of 31 bytes", ed[:len(ed)-1], token.ErrInvalidKey},
		{"EdDSA seed of 33 bytes", append(bytes.Clone(ed), 0), token.ErrInvalidKey},
		{"HS256 key labelled EdDSA with trailing byte", edit(append(bytes.Clone(hs), 1), func(b []byte) []byte { b[1] = 2; return b }), token.ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := token.UnmarshalKey(tc.in)
			require.ErrorIs(t, err, tc.want)
			assert.Zero(t, k)
		})
	}
}

func TestZeroKeyIsUnusable(t *testing.T) {
	t.Parallel()
	for _, k := range []token.Key{{}, {ID: "kid", Algorithm: token.AlgHS256, CreatedAt: now}} {
		_, err := k.MarshalBinary()
		require.ErrorIs(t, err, token.ErrInvalidKey)
		_, err = token.SealKey(newSealer(t), k)
		require.ErrorIs(t, err, token.ErrInvalidKey)
		_, err = token.NewKeyring(token.Config{Algorithm: token.AlgHS256, Audience: "api"}, k)
		require.ErrorIs(t, err, token.ErrInvalidKey)
	}
}

func TestKeyNeverPrintsMaterial(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		k := newKey(t, alg)
		m := material(t, k)
		forms := []string{hex.EncodeToString(m), strings.ToUpper(hex.EncodeToString(m)), fmt.Sprint(m), fmt.Sprintf("%q", m),
			base64.StdEncoding.EncodeToString(m), base64.RawURLEncoding.EncodeToString(m)}
		wrapped := struct {
			Pub  token.Key
			priv token.Key
		}{k, k}
		var out []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
			out = append(out, fmt.Sprintf(verb, k), fmt.Sprintf(verb, &k), fmt.Sprintf(verb, wrapped), fmt.Sprintf(verb, []token.Key{k}))
		}
		j, err := json.Marshal(k)
		require.NoError(t, err)
		out = append(out, string(j), k.String())
		for _, o := range out {
			for _, f := range forms {
				require.NotContains(t, o, f)
			}
		}
		assert.Equal(t, k.String(), fmt.Sprintf("%x", k))
		assert.Contains(t, k.String(), k.ID)
	}
}

func TestSealKey(t *testing.T) {
	t.Parallel()
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			s := newSealer(t)
			k := newKey(t, alg)
			sealed, err := token.SealKey(s, k)
			require.NoError(t, err)
			assert.NotContains(t, string(sealed), string(material(t, k)))
			again, err := token.SealKey(s, k)
			require.NoError(t, err)
			assert.NotEqual(t, sealed, again, "each sealing uses a fresh nonce")

			got, err := token.OpenKey(s, sealed)
			require.NoError(t, err)
			assert.Equal(t, k.ID, got.ID)
			assert.Equal(t, material(t, k), material(t, got))
		})
	}
}

func TestOpenKeyRejects(t *testing.T) {
	t.Parallel()
	s := newSealer(t)
	a, b := newKey(t, token.AlgHS256), newKey(t, token.AlgHS256)
	sa, err := token.SealKey(s, a)
	require.NoError(t, err)
	sb, err := token.SealKey(s, b)
	require.NoError(t, err)
	plain, err := a.MarshalBinary()
	require.NoError(t, err)
	otherPurpose, err := s.Seal(plain, []byte("totp:"+a.ID))
	require.NoError(t, err)
	flipped := bytes.Clone(sa)
	flipped[len(flipped)-1] ^= 1

	tests := []struct {
		name    string
		sealer  *seal.Sealer
		in      []byte
		openErr bool // the AEAD refused it
	}{
		{"another sealing key", newSealer(t), sa, true},
		{"relabelled with another kid", s, append(sb[:1+len(b.ID):1+len(b.ID)], sa[1+len(a.ID):]...), true},
		{"sealed for another purpose", s, append(sa[:1+len(a.ID):1+len(a.ID)], otherPurpose...), true},
		{"flipped bit", s, flipped, true},
		{"truncated", s, sa[:len(sa)-1], true},
		{"kid only", s, sa[:1+len(a.ID)], true},
		{"empty", s, nil, false},
		{"kid length past the end", s, []byte{200, 'a'}, false},
		{"kid with a space", s, append([]byte{3, 'a', ' ', 'b'}, sa[1+len(a.ID):]...), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := token.OpenKey(tc.sealer, tc.in)
			require.ErrorIs(t, err, token.ErrInvalidKey)
			assert.Equal(t, tc.openErr, errors.Is(err, seal.ErrOpen))
			assert.Zero(t, k)
		})
	}
}
