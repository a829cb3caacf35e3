package token_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/token"
)

var apiTokenForm = regexp.MustCompile(`^lt_[0-9A-Za-z]{49}$`)

// A token whose checksum was computed by Python's hashlib (see
// TestAPITokenKnownAnswer).
const knownAPIToken = "lt_EpItU5gHsLwX8jKvOzaBmNyR2dEpQU5gHsTX8jKvWaBVZ5bUZ"

func TestGenerateAPIToken(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for range 500 {
		tok, digest, err := token.GenerateAPIToken()
		require.NoError(t, err)
		require.Regexp(t, apiTokenForm, tok)
		require.Len(t, tok, token.APITokenLen)
		require.NoError(t, token.CheckAPIToken(tok))
		require.Equal(t, token.Digest(tok), digest)
		require.Regexp(t, `^[0-9a-f]{64}$`, digest)
		require.False(t, seen[tok])
		seen[tok] = true
	}
}

func TestCheckAPIToken(t *testing.T) {
	t.Parallel()
	k := knownAPIToken
	swap := func(i int) string { b := []byte(k); b[i], b[i+1] = b[i+1], b[i]; return string(b) }
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"known good", k, true},
		{"empty", "", false},
		{"tag only", "lt_", false},
		{"other tag", "lx_" + k[3:], false},
		{"upper-case tag", "LT_" + k[3:], false},
		{"one character short", k[:len(k)-1], false},
		{"one character long", k + "0", false},
		{"leading space", " " + k[:len(k)-1], false},
		{"trailing newline", k + "\n", false},
		{"dash in body", k[:10] + "-" + k[11:], false},
		{"underscore in checksum", k[:len(k)-1] + "_", false},
		{"NUL in body", k[:10] + "\x00" + k[11:], false},
		{"non-ASCII", k[:10] + "é" + k[12:], false},
		{"checksum case changed", k[:len(k)-1] + strings.ToLower(k[len(k)-1:]), false},
		{"adjacent characters swapped", swap(20), false},
		{"checksum of another body", k[:10] + "X" + k[11:], false},
		{"JWT", "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := token.CheckAPIToken(tc.in)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, token.ErrMalformed)
		})
	}
}

// TestCheckAPITokenCatchesEveryTypo changes each character of a known token
// to every other base62 character: the checksum rejects all of them.
func TestCheckAPITokenCatchesEveryTypo(t *testing.T) {
	t.Parallel()
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for i := len(token.APITokenTag); i < len(knownAPIToken); i++ {
		for _, c := range []byte(base62) {
			if c == knownAPIToken[i] {
				continue
			}
			typo := knownAPIToken[:i] + string(c) + knownAPIToken[i+1:]
			require.ErrorIs(t, token.CheckAPIToken(typo), token.ErrMalformed, typo)
		}
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	// printf '%s' lt_example | sha256sum
	assert.Equal(t, "dc856296ed995cbcee1e377241a64ed82a43fe4d90d3ab267bc381ecbdf1e1d9", token.Digest("lt_example"))
	// printf '' | sha256sum
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token.Digest(""))
	long := strings.Repeat("x", 1000)
	assert.Equal(t, token.Digest(long), token.Digest(strings.Clone(long)))
	assert.NotEqual(t, token.Digest(long), token.Digest(long[:999]))
}

func TestAPITokenPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"token", knownAPIToken, "lt_EpItU5g"},
		{"exactly the prefix", "lt_EpItU5g", "lt_EpItU5g"},
		{"too short", "lt_EpItU5", ""},
		{"not a token", "Bearer lt_EpItU5gHs", ""},
		{"JWT", "eyJhbGciOiJIUzI1NiJ9.e30.x", ""},
		{"non-base62 in prefix", "lt_Ep<tU5gHsLw", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, token.APITokenPrefix(tc.in))
		})
	}
}

// A refresh token whose checksum was computed by Python's hashlib, with the
// same rule as knownAPIToken's but over the lr_ tag.
const knownRefreshToken = "lr_Rf7KqZ2mXw9LpT4vNc8HjB3sDy6GaE1uQo5WiU0tYkSclfuoV"

func TestRefreshToken(t *testing.T) {
	t.Parallel()
	t.Run("generated", func(t *testing.T) {
		t.Parallel()
		seen := make(map[string]bool)
		for range 200 {
			tok, digest, err := token.GenerateRefreshToken()
			require.NoError(t, err)
			require.Regexp(t, `^lr_[0-9A-Za-z]{49}$`, tok)
			require.Len(t, tok, token.RefreshTokenLen)
			require.NoError(t, token.CheckRefreshToken(tok))
			require.ErrorIs(t, token.CheckAPIToken(tok), token.ErrMalformed, "a refresh token is no API token")
			require.Equal(t, token.Digest(tok), digest)
			require.False(t, seen[tok])
			seen[tok] = true
		}
	})
	k := knownRefreshToken
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"known good", k, true},
		{"API token", knownAPIToken, false},
		{"API token retagged", "lr_" + knownAPIToken[3:], false},
		{"refresh token retagged as API token", "lt_" + k[3:], false},
		{"one character changed", k[:20] + "x" + k[21:], false},
		{"one character short", k[:len(k)-1], false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := token.CheckRefreshToken(tc.in)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, token.ErrMalformed)
		})
	}
	assert.ErrorIs(t, token.CheckAPIToken("lt_"+k[3:]), token.ErrMalformed, "the tag is under the checksum")
}
