package totp_test

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// Keys of the vectors: bytes 0x00..0x1f and 0x20..0x3f.
var (
	vectorKey1 = seq(0x00, 32)
	vectorKey2 = seq(0x20, 32)
)

func seq(from byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = from + byte(i)
	}
	return b
}

// TestKeyedRecoveryCodeDigestVectors checks the documented layout against
// digests computed by OpenSSL, not by this package:
//
//	{ printf 'latch/totp/recovery-code/keyed/v1'
//	  printf '\x00\x00\x00\x00\x00\x00\x00\x07user-42'
//	  printf '\x00\x00\x00\x00\x00\x00\x00\x0eabcd-efgh-jkmn'; } |
//	openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f
func TestKeyedRecoveryCodeDigestVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		key  []byte
		code string
		want string
	}{
		{"key 1", vectorKey1, "abcd-efgh-jkmn", "96a44579cc41606192d21a6a51a7c60b9d9bbe5702d94e19cdb1b7a1df7ed5e4"},
		{"key 1, code as typed", vectorKey1, "ABCD efgh JKMN", "96a44579cc41606192d21a6a51a7c60b9d9bbe5702d94e19cdb1b7a1df7ed5e4"},
		{"key 2", vectorKey2, "abcd-efgh-jkmn", "6eb945d1165b490150ecc46147732922ce5b42933338f9244cf484a8e51bc0cb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := totp.KeyedRecoveryCodeDigest(tc.key, "user-42", tc.code)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestKeyedRecoveryCodeDigest checks what the key buys: the keyed digest
// is neither the public legacy digest nor the other key's, and binds the
// user as the legacy one does.
func TestKeyedRecoveryCodeDigest(t *testing.T) {
	t.Parallel()
	const code = "abcd-efgh-jkmn"
	keyed, err := totp.KeyedRecoveryCodeDigest(vectorKey1, "alice", code)
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{64}$`, keyed)
	legacy, err := totp.RecoveryCodeDigest("alice", code)
	require.NoError(t, err)
	assert.NotEqual(t, legacy, keyed, "the keyed digest is not computable from public inputs")
	other, err := totp.KeyedRecoveryCodeDigest(vectorKey2, "alice", code)
	require.NoError(t, err)
	assert.NotEqual(t, keyed, other, "another key gives another digest")
	bob, err := totp.KeyedRecoveryCodeDigest(vectorKey1, "bob", code)
	require.NoError(t, err)
	assert.NotEqual(t, keyed, bob, "the user is bound")
	shifted, err := totp.KeyedRecoveryCodeDigest(vectorKey1, "alice2", code)
	require.NoError(t, err)
	assert.NotEqual(t, keyed, shifted, "length prefixes keep user and code apart")

	key := bytes.Clone(vectorKey1)
	_, err = totp.KeyedRecoveryCodeDigest(key, "alice", code)
	require.NoError(t, err)
	assert.Equal(t, vectorKey1, key, "the key is not modified")
}

func TestKeyedRecoveryCodeDigestRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		key          []byte
		userID, code string
		want         error
	}{
		{"nil key", nil, "alice", "abcd-efgh-jkmn", totp.ErrInvalidArgument},
		{"short key", make([]byte, totp.MinRecoveryKeyLength-1), "alice", "abcd-efgh-jkmn", totp.ErrInvalidArgument},
		{"empty user", vectorKey1, "", "abcd-efgh-jkmn", totp.ErrInvalidArgument},
		{"long user", vectorKey1, strings.Repeat("u", totp.MaxUserIDLength+1), "abcd-efgh-jkmn", totp.ErrInvalidArgument},
		{"bad character", vectorKey1, "alice", "abcd-efgh-jkm0", totp.ErrInvalidCode},
		{"too short", vectorKey1, "alice", "abcd-efgh", totp.ErrInvalidCode},
		{"empty code", vectorKey1, "alice", "", totp.ErrInvalidCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := totp.KeyedRecoveryCodeDigest(tc.key, tc.userID, tc.code)
			require.ErrorIs(t, err, tc.want)
			assert.Empty(t, d)
		})
	}
	d, err := totp.KeyedRecoveryCodeDigest(make([]byte, totp.MinRecoveryKeyLength), "alice", "abcd-efgh-jkmn")
	require.NoError(t, err, "a key of the minimum length")
	assert.NotEmpty(t, d)
}

// FuzzKeyedRecoveryCodeDigest: any input gives a digest or ErrInvalidCode,
// never a panic; codes that normalise alike digest alike.
func FuzzKeyedRecoveryCodeDigest(f *testing.F) {
	for _, s := range []string{"abcd-efgh-jkmn", "ABCD EFGH JKMN", "", "abcd-efgh-jkm0", "٢٣٤٥-efgh-jkmn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := totp.KeyedRecoveryCodeDigest(vectorKey1, "user", s)
		norm, nerr := totp.NormalizeRecoveryCode(s)
		if nerr != nil {
			require.ErrorIs(t, err, totp.ErrInvalidCode)
			require.Empty(t, d)
			return
		}
		require.NoError(t, err)
		again, err := totp.KeyedRecoveryCodeDigest(vectorKey1, "user", norm)
		require.NoError(t, err)
		require.Equal(t, d, again)
	})
}

func BenchmarkKeyedRecoveryCodeDigest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := totp.KeyedRecoveryCodeDigest(vectorKey1, "user-1", "abcd-efgh-jkmn"); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleKeyedRecoveryCodeDigest() {
	// A key of its own, derived from the server's master secret.
	master := []byte("0123456789abcdef0123456789abcdef") // 32 random bytes in real use
	key, err := hkdf.Key(sha256.New, master, nil, "example/recovery-digest/v1", 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Store this instead of the code; look it up (and delete it) when a
	// user types a code.
	stored, _ := totp.KeyedRecoveryCodeDigest(key, "user-1", "abcd-efgh-jkmn")
	typed, _ := totp.KeyedRecoveryCodeDigest(key, "user-1", "ABCD EFGH JKMN")
	fmt.Println(len(stored), stored == typed)
	// Output: 64 true
}
