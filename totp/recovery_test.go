package totp_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"testing/cryptotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

var recoveryCodeRE = regexp.MustCompile(`^[23456789abcdefghjkmnpqrstuvwxyz]{4}-[23456789abcdefghjkmnpqrstuvwxyz]{4}-[23456789abcdefghjkmnpqrstuvwxyz]{4}$`)

func TestGenerateRecoveryCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int
		want int
	}{
		{name: "default for zero", n: 0, want: totp.DefaultRecoveryCodes},
		{name: "default for negative", n: -5, want: totp.DefaultRecoveryCodes},
		{name: "one", n: 1, want: 1},
		{name: "maximum", n: totp.MaxRecoveryCodes, want: totp.MaxRecoveryCodes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			codes, err := totp.GenerateRecoveryCodes(tc.n)
			require.NoError(t, err)
			require.Len(t, codes, tc.want)
			seen := map[string]bool{}
			for _, c := range codes {
				assert.Regexp(t, recoveryCodeRE, c)
				assert.False(t, seen[c], "duplicate code")
				seen[c] = true
				norm, err := totp.NormalizeRecoveryCode(c)
				require.NoError(t, err)
				assert.Equal(t, c, norm)
			}
		})
	}
	codes, err := totp.GenerateRecoveryCodes(totp.MaxRecoveryCodes + 1)
	require.ErrorIs(t, err, totp.ErrInvalidArgument)
	assert.Nil(t, codes)
}

// TestRecoveryCodeEntropy checks the claimed strength: at least 50 bits.
func TestRecoveryCodeEntropy(t *testing.T) {
	t.Parallel()
	alphabet := totp.RecoveryCodeAlphabet
	assert.Len(t, alphabet, 31)
	for _, c := range "01ilo" {
		assert.NotContains(t, alphabet, string(c))
		assert.NotContains(t, alphabet, strings.ToUpper(string(c)))
	}
	bits := float64(totp.RecoveryCodeLength) * 4.95419631 // log2(31)
	assert.GreaterOrEqual(t, bits, 50.0)
}

// TestRecoveryCodeUniform draws codes from a seeded (so deterministic)
// crypto/rand and checks that the characters are uniform: a chi-squared
// test with 30 degrees of freedom at p = 0.001 (critical value 59.70).
// A biased mapping such as byte % 31 gives the first 8 characters
// 9/8 of the share of the others and fails it.
func TestRecoveryCodeUniform(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 4)
	counts := map[rune]int{}
	total := 0
	for range 60 {
		codes, err := totp.GenerateRecoveryCodes(totp.MaxRecoveryCodes)
		require.NoError(t, err)
		for _, c := range codes {
			for _, r := range strings.ReplaceAll(c, "-", "") {
				counts[r]++
				total++
			}
		}
	}
	expected := float64(total) / 31
	chi2 := 0.0
	for _, r := range totp.RecoveryCodeAlphabet {
		d := float64(counts[r]) - expected
		chi2 += d * d / expected
	}
	assert.Len(t, counts, 31)
	assert.Less(t, chi2, 59.70)
}

func TestNormalizeRecoveryCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "canonical", in: "abcd-efgh-jkmn", want: "abcd-efgh-jkmn"},
		{name: "upper case", in: "ABCD-EFGH-JKMN", want: "abcd-efgh-jkmn"},
		{name: "mixed case", in: "aBcD-eFgH-jKmN", want: "abcd-efgh-jkmn"},
		{name: "no dashes", in: "abcdefghjkmn", want: "abcd-efgh-jkmn"},
		{name: "spaces", in: "abcd efgh jkmn", want: "abcd-efgh-jkmn"},
		{name: "surrounding spaces", in: "  abcd-efgh-jkmn  ", want: "abcd-efgh-jkmn"},
		{name: "separators anywhere", in: "ab-cd efg--hjk mn", want: "abcd-efgh-jkmn"},
		{name: "digits", in: "2345-6789-2345", want: "2345-6789-2345"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := totp.NormalizeRecoveryCode(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNormalizeRecoveryCodeInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{name: "empty", in: ""},
		{name: "only separators", in: "- - -"},
		{name: "too short", in: "abcd-efgh-jkm"},
		{name: "too long", in: "abcd-efgh-jkmnp"},
		{name: "four groups", in: "abcd-efgh-jkmn-pqrs"},
		{name: "input over the bound", in: "abcd-efgh-jkmn" + strings.Repeat(" ", totp.MaxRecoveryCodeInput)},
		{name: "huge", in: strings.Repeat("a", 1<<20)},
		{name: "zero", in: "abcd-efgh-jkm0"},
		{name: "one", in: "abcd-efgh-jkm1"},
		{name: "letter i", in: "abcd-efgh-jkmi"},
		{name: "letter l", in: "abcd-efgh-jkml"},
		{name: "letter o", in: "abcd-efgh-jkmo"},
		{name: "capital O", in: "abcd-efgh-jkmO"},
		{name: "underscore", in: "abcd_efgh_jkmn"},
		{name: "tab", in: "abcd\tefgh\tjkmn"},
		{name: "newline", in: "abcd-efgh-jkmn\n"},
		{name: "NUL", in: "abcd-efgh-jkmn\x00"},
		{name: "non-breaking space", in: "abcd\u00a0efgh-jkmn"},
		{name: "en dash", in: "abcd–efgh–jkmn"},
		{name: "fullwidth letters", in: "ａｂｃｄ-efgh-jkmn"},
		{name: "unicode digits", in: "٢٣٤٥-efgh-jkmn"},
		{name: "invalid utf-8", in: "abcd-efgh-jkm\xff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := totp.NormalizeRecoveryCode(tc.in)
			require.ErrorIs(t, err, totp.ErrInvalidCode)
			assert.Empty(t, got)
			_, err = totp.RecoveryCodeDigest("user-1", tc.in)
			require.ErrorIs(t, err, totp.ErrInvalidCode)
			i, ok := totp.MatchRecoveryCode(tc.in, "user-1", nil)
			assert.False(t, ok)
			assert.Equal(t, -1, i)
		})
	}
}

// TestRecoveryCodeDigestLayout recomputes the digest from its documented
// definition, so a change of the stored format cannot go unnoticed.
func TestRecoveryCodeDigestLayout(t *testing.T) {
	t.Parallel()
	userID, code := "user-42", "ABCD efgh-JKMN"
	msg := []byte("latch/totp/recovery-code/v1")
	msg = binary.BigEndian.AppendUint64(msg, uint64(len(userID)))
	msg = append(msg, userID...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(len("abcd-efgh-jkmn")))
	msg = append(msg, "abcd-efgh-jkmn"...)
	sum := sha256.Sum256(msg)

	got, err := totp.RecoveryCodeDigest(userID, code)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(sum[:]), got)
}

func TestRecoveryCodeDigest(t *testing.T) {
	t.Parallel()
	d1, err := totp.RecoveryCodeDigest("alice", "abcd-efgh-jkmn")
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{64}$`, d1)

	same, err := totp.RecoveryCodeDigest("alice", "ABCD EFGH JKMN")
	require.NoError(t, err)
	assert.Equal(t, d1, same, "normalisation happens before digesting")

	other, err := totp.RecoveryCodeDigest("bob", "abcd-efgh-jkmn")
	require.NoError(t, err)
	assert.NotEqual(t, d1, other, "equal codes of two users share a digest")

	// Length prefixes keep ("ab", code) and ("a", "b"+...) apart.
	shifted, err := totp.RecoveryCodeDigest("alice2", "abcd-efgh-jkmn")
	require.NoError(t, err)
	assert.NotEqual(t, d1, shifted)

	for _, userID := range []string{"", strings.Repeat("u", totp.MaxUserIDLength+1)} {
		d, err := totp.RecoveryCodeDigest(userID, "abcd-efgh-jkmn")
		require.ErrorIs(t, err, totp.ErrInvalidArgument)
		assert.Empty(t, d)
	}
}

func TestMatchRecoveryCode(t *testing.T) {
	t.Parallel()
	codes, err := totp.GenerateRecoveryCodes(0)
	require.NoError(t, err)
	digests := make([]string, len(codes))
	for i, c := range codes {
		digests[i], err = totp.RecoveryCodeDigest("alice", c)
		require.NoError(t, err)
	}
	withDuplicate := append([]string{"", "not hex", strings.ToUpper(digests[3])}, digests...)
	withDuplicate = append(withDuplicate, digests[3])

	tests := []struct {
		name      string
		code      string
		userID    string
		digests   []string
		wantIndex int
		wantOK    bool
	}{
		{name: "first", code: codes[0], userID: "alice", digests: digests, wantIndex: 0, wantOK: true},
		{name: "last", code: codes[9], userID: "alice", digests: digests, wantIndex: 9, wantOK: true},
		{name: "typed in upper case with spaces", code: strings.ToUpper(strings.ReplaceAll(codes[4], "-", " ")), userID: "alice", digests: digests, wantIndex: 4, wantOK: true},
		{name: "first of duplicates, after junk", code: codes[3], userID: "alice", digests: withDuplicate, wantIndex: 6, wantOK: true},
		{name: "other user's digests", code: codes[0], userID: "bob", digests: digests, wantIndex: -1},
		{name: "unknown code", code: "2222-2222-2222", userID: "alice", digests: digests, wantIndex: -1},
		{name: "malformed code", code: "2222-2222-222", userID: "alice", digests: digests, wantIndex: -1},
		{name: "no digests", code: codes[0], userID: "alice", digests: nil, wantIndex: -1},
		{name: "empty user", code: codes[0], userID: "", digests: digests, wantIndex: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			i, ok := totp.MatchRecoveryCode(tc.code, tc.userID, tc.digests)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.wantIndex, i)
		})
	}
}
