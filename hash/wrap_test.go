package hash_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
)

// wrappable are the formats Wrap wraps.
var wrappable = map[hash.Format]bool{
	hash.FormatMD5Crypt: true, hash.FormatApr1: true, hash.FormatSHA256Crypt: true, hash.FormatSHA512Crypt: true,
	hash.FormatPhpass: true, hash.FormatLDAPSSHA: true, hash.FormatLDAPSSHA256: true, hash.FormatLDAPSSHA512: true,
	hash.FormatLDAPSHA: true, hash.FormatDjangoSHA1: true, hash.FormatDjangoMD5: true,
	hash.FormatDjangoPBKDF2SHA1: true, hash.FormatDjangoPBKDF2SHA256: true,
	hash.FormatPBKDF2Passlib: true, hash.FormatPBKDF2SFTPGo: true,
}

// TestWrap wraps every independent vector of a wrappable format and checks
// that the original password verifies against the wrapped hash and a wrong
// one does not; other formats are refused with ErrNotWrappable.
func TestWrap(t *testing.T) {
	t.Parallel()
	h := fast(t, hash.Config{Argon2: hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1, SaltLength: 16, KeyLength: 32}})
	for _, v := range loadVectors(t) {
		if v.Error != "" || v.Wrong {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			if raceDetector && (heavyVector.MatchString(v.Name) || expensive[v.Name]) {
				t.Skip("realistic-cost vector: run without -race")
			}
			f, err := h.Identify(v.Encoded)
			require.NoError(t, err)
			wrapped, err := h.Wrap(v.Encoded)
			if !wrappable[f] {
				require.ErrorIs(t, err, hash.ErrNotWrappable)
				assert.Empty(t, wrapped)
				return
			}
			if f == hash.FormatPBKDF2SFTPGo && strings.Contains(v.Name, "-byte-key") {
				require.ErrorIs(t, err, hash.ErrNotWrappable, "an SFTPGo key of another size than the digest's")
				return
			}
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(wrapped, "$latch-wrap$"+string(f)+"$"), wrapped)
			assert.NotContains(t, wrapped, v.Encoded[strings.LastIndexAny(v.Encoded, "$}")+1:], "the legacy checksum is gone")

			got, err := h.Identify(wrapped)
			require.NoError(t, err)
			assert.Equal(t, hash.FormatWrapped, got)
			canon, err := hash.Decode(wrapped)
			require.NoError(t, err)
			assert.Equal(t, wrapped, canon)
			assert.True(t, h.NeedsRehash(wrapped))

			ok, err := h.Verify(v.Password, wrapped)
			require.NoError(t, err)
			assert.True(t, ok, "the original password (%s)", v.Command)
			ok, err = h.Verify(flipFirst(v.Password), wrapped)
			require.NoError(t, err)
			assert.False(t, ok)

			again, err := h.Wrap(v.Encoded)
			require.NoError(t, err)
			assert.NotEqual(t, wrapped, again, "fresh salt per wrap")
		})
	}
}

func TestWrapErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, encoded string
		want          error
	}{
		{"bcrypt", goodBcrypt, hash.ErrNotWrappable},
		{"argon2id", goodArgon2, hash.ErrNotWrappable},
		{"yescrypt", goodYescrypt, hash.ErrNotWrappable},
		{"Django argon2", goodDjangoArgon2, hash.ErrNotWrappable},
		{"{CRYPT} bcrypt", "{CRYPT}" + goodBcrypt, hash.ErrNotWrappable},
		{"ASP.NET v3", goodASPNetV3, hash.ErrNotWrappable},
		{"SFTPGo 16-byte key", sftpgoKey(16), hash.ErrNotWrappable},
		{"already wrapped", goodWrapped, hash.ErrNotWrappable},
		{"DES crypt", "abJnggxhB/yWI", hash.ErrInsecureFormat},
		{"malformed", goodMD5[:len(goodMD5)-1], hash.ErrMalformed},
		{"over the limits", strings.Replace(goodSHA512, "1000", "999999999", 1), hash.ErrLimit},
		{"unknown", "password", hash.ErrUnknownFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, err := hash.Wrap(tc.encoded)
			require.ErrorIs(t, err, tc.want)
			assert.Empty(t, w)
		})
	}
}

// TestWrapKnownAnswer: with the salt fixed, Wrap's Argon2id over the
// md5crypt checksum is exactly what the reference argon2 CLI computes.
func TestWrapKnownAnswer(t *testing.T) {
	t.Parallel()
	h := fast(t, hash.Config{Argon2: hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1, SaltLength: 16, KeyLength: 32}})
	got, err := hash.WithRand(h, strings.NewReader("saltsaltsaltsalt")).Wrap(goodMD5)
	require.NoError(t, err)
	assert.Equal(t, goodWrapped, got)
}

// TestWrappedCost: a wrapped hash is bounded by both its parts' limits.
func TestWrappedCost(t *testing.T) {
	t.Parallel()
	over := strings.Replace(goodWrapped, "m=64,", "m=4294967295,", 1)
	_, err := hash.Identify(over)
	require.ErrorIs(t, err, hash.ErrLimit)
	ok, err := hash.Verify("password", goodWrapped)
	require.NoError(t, err)
	assert.True(t, ok)
}
