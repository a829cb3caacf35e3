package commonpw_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/commonpw"
)

// TestFile checks the embedded file is the one README.md describes: the
// recorded digest, 20,000 distinct lower-case printable ASCII lines.
func TestFile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("passwords.txt")
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	assert.Equal(t, "eed2b2d4bd3506a7ceb63b3110e6d00cd247aa26b99d801cff2761402518f501", hex.EncodeToString(sum[:]))
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), hex.EncodeToString(sum[:]), "README.md records the digest")

	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	require.Len(t, lines, 20000)
	assert.Equal(t, 20000, commonpw.Len(), "no duplicates, no empty line")
	for i, l := range lines {
		require.NotEmpty(t, l, "line %d", i+1)
		require.Equal(t, strings.ToLower(l), l, "line %d is lower-case", i+1)
		for j := 0; j < len(l); j++ {
			require.True(t, l[j] > ' ' && l[j] < 0x7f, "line %d is printable ASCII without spaces", i+1)
		}
	}
}

func TestContains(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, pw string
		want     bool
	}{
		{"most common", "123456", true},
		{"password", "password", true},
		{"keyboard run", "qwerty", true},
		{"word and digit", "password1", true},
		{"last entry", "777angel", true},
		{"upper case is not folded here", "PASSWORD", false},
		{"empty", "", false},
		{"passphrase", "correct horse battery staple", false},
		{"prefix of an entry", "passwo", false},
		{"entry with a suffix", "password!", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, commonpw.Contains(tc.pw))
		})
	}
}

func BenchmarkContains(b *testing.B) {
	commonpw.Contains("") // build the set outside the loop
	b.ReportAllocs()
	for b.Loop() {
		commonpw.Contains("correct horse battery staple")
	}
}
