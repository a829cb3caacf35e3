package hash_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
)

const small = 64 << 10 // MemoryCost of the formats that are not memory hard

// memoryVectors are hashes of known parameters and their memory cost.
func memoryVectors(t *testing.T) []struct {
	name, encoded string
	want          int64
	hard          bool // memory hard: Verify allocates about want
} {
	t.Helper()
	policy, err := hash.Hash("secretpw")
	require.NoError(t, err)
	wrapped, err := hash.Wrap("$1$abcdefgh$MkMLP.I5SjnxKXOEtC4oR1")
	require.NoError(t, err)
	big, err := hash.New(hash.Config{Argon2: hash.Argon2Params{Memory: 64 * 1024, Time: 1, Lanes: 4}})
	require.NoError(t, err)
	bigHash, err := big.Hash("secretpw")
	require.NoError(t, err)
	return []struct {
		name, encoded string
		want          int64
		hard          bool
	}{
		{"argon2id default policy (m=19456)", policy, 19 << 20, true},
		{"argon2id m=65536 p=4", bigHash, 64 << 20, true},
		{"argon2id m=64 p=1", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$MV9q1L6pJhxeW90CZRwybt2wXkd+odJ7htAojdqgkcE", 64 << 10, true},
		{"django argon2 m=1024", "argon2$argon2id$v=19$m=1024,t=2,p=2$S4mR0npPSYnxvtdaS8k5Zw$xupIz9WFZ1NPFzwGUZS05w", 1 << 20, true},
		{"scrypt passlib ln=10 r=4 p=4", "$scrypt$ln=10,r=4,p=4$c2FsdHNhbHRzYWx0c2FsdA$o6VT+U7niXc+UryoXYyWaKq+rftC5f7qRCibE2x3WPk", 128<<10*4 + 128*4*4, true},
		{"scrypt $7$ N=2^13 r=32 p=1", "$7$BU..../....saltsalt$7DOm2G6qfKQDp4ob3yIIiv0ER83l9mkxGbRltfr/s/6", 128<<13*32 + 128*32, true},
		{"yescrypt N=2^12 r=32", "$y$j9T$abcdefghijklmnopqrstu.$HVfVmMMY7RAnAkeXQamvZ4ljXGsNvkHySO1yktkGQc8", 128 << 12 * 32, true},
		{"yescrypt behind {CRYPT}", "{CRYPT}$y$j9T$abcdefghijklmnopqrstu.$HVfVmMMY7RAnAkeXQamvZ4ljXGsNvkHySO1yktkGQc8", 128 << 12 * 32, true},
		{"md5-crypt wrapped in the default argon2id", wrapped, 19 << 20, true},
		{"bcrypt cost 10", "$2y$10$2qEnRCAfNknnWsbIsperfuZVZJDWnlKg4lEIUPm4wAQW/c49okDCG", small, false},
		{"pbkdf2-sha256 passlib", "$pbkdf2-sha256$29000$c2FsdHNhbHRzYWx0c2FsdA$7xwbY5rCP.qJhnvJ80W3FI7hSRg8wNnl3S9rczjVuCk", small, false},
		{"md5-crypt", "$1$abcdefgh$MkMLP.I5SjnxKXOEtC4oR1", small, false},
	}
}

func TestMemoryCost(t *testing.T) {
	t.Parallel()
	for _, v := range memoryVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			_, err := hash.Identify(v.encoded)
			require.NoError(t, err, "a usable hash")
			assert.Equal(t, v.want, (&hash.Hasher{}).MemoryCost(v.encoded))
		})
	}
}

// TestMemoryCostRefused: what Verify refuses before hashing costs nothing.
func TestMemoryCostRefused(t *testing.T) {
	t.Parallel()
	low, err := hash.New(hash.Config{Limits: hash.Limits{MaxScryptMemory: 256}})
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		h       *hash.Hasher
		encoded string
	}{
		{"empty", nil, ""},
		{"unknown format", nil, "not a hash"},
		{"malformed argon2id", nil, "$argon2id$v=19$m=64,t=1,p=1$"},
		{"argon2 memory over the limits", nil, "$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$T95q7S205tf9WI4HhYOZDIQmMMAbntacGXTIku0gXT8"},
		{"scrypt over a Hasher's lower limit", low, "$scrypt$ln=10,r=4,p=4$c2FsdHNhbHRzYWx0c2FsdA$o6VT+U7niXc+UryoXYyWaKq+rftC5f7qRCibE2x3WPk"},
		{"insecure NT hash", nil, "$3$$8846f7eaee8fb117ad06bdd830b7586c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Error(t, hash.CheckEncoded(tc.h, tc.encoded), "Verify refuses it")
			assert.Zero(t, tc.h.MemoryCost(tc.encoded))
		})
	}
}

// TestMemoryCostMatchesAllocation checks the cost of each memory-hard
// vector against the bytes one Verify of it allocates.
func TestMemoryCostMatchesAllocation(t *testing.T) {
	// Not parallel: the allocation count is the whole process's.
	for _, v := range memoryVectors(t) {
		if !v.hard {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			ok, err := hash.Verify("wrong password", v.encoded)
			runtime.ReadMemStats(&after)
			require.NoError(t, err)
			require.False(t, ok)
			alloc := int64(after.TotalAlloc - before.TotalAlloc)
			assert.InDelta(t, v.want, alloc, small, "allocated %d bytes", alloc)
		})
	}
}

func ExampleHasher_MemoryCost() {
	var h hash.Hasher // the default policy and limits
	stored, _ := h.Hash("correct horse battery staple")
	fmt.Println(h.MemoryCost(stored) >> 20)
	fmt.Println(h.MemoryCost("$2y$10$2qEnRCAfNknnWsbIsperfuZVZJDWnlKg4lEIUPm4wAQW/c49okDCG") >> 10)
	fmt.Println(h.MemoryCost("not a hash"))
	// Output:
	// 19
	// 64
	// 0
}
