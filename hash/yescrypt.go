package hash

import (
	"crypto/subtle"
	"fmt"
	"math/bits"
	"strings"

	"github.com/go-crypt/x/yescrypt"
)

// The yescrypt parameters github.com/go-crypt/x/yescrypt computes, which
// cover every cost libxcrypt's crypt_gensalt writes (1 to 11: N from 2^10 to
// 2^18, r 8 or 32).
const (
	yescryptFlags   = 'j' // YESCRYPT_DEFAULTS, the only flags libxcrypt writes
	yescryptMinLogN = 10
	yescryptMaxLogN = 18
	yescryptMaxR    = 32
	yescryptHashLen = 32
)

// yescryptHash is "$y$j" N r "$" salt "$" hash.
type yescryptHash struct {
	logN, r  int
	saltText string // the salt as encoded; the setting passes it on as is
	sum      []byte
}

func (y *yescryptHash) format() Format { return FormatYescrypt }

func (y *yescryptHash) setting() string {
	return "$y$" + string(yescrypt.EncodeSetting(0, y.logN, y.r)) + "$" + y.saltText
}

func (y *yescryptHash) encode() string {
	return y.setting() + "$" + string(yescrypt.Encode64(y.sum))
}

// decodeYescrypt accepts what libxcrypt accepts for the parameters above: the
// flags character j, one character each for log2 N and r, a salt in crypt's
// little-endian base64 (possibly empty; libxcrypt's gensalt writes 16 bytes)
// with zero trailing bits, and a 43-character hash. Other flags or
// parameters, which libxcrypt computes but the Go library does not, are
// ErrUnknownFormat.
func decodeYescrypt(s string) (decoded, error) {
	f := strings.Split(s, "$")
	if len(f) != 5 {
		return nil, malformed("yescrypt hash has %d fields, want 5", len(f))
	}
	params := f[2]
	switch {
	case params == "" || !isHash64(params):
		return nil, malformed("yescrypt parameters are not characters of ./0-9A-Za-z")
	case params[0] != yescryptFlags:
		return nil, unknown("yescrypt flags other than the defaults (j)")
	case len(params) > 3:
		return nil, unknown("yescrypt with parameters beyond N and r")
	case len(params) < 3:
		return nil, malformed("yescrypt parameters are not three characters")
	}
	_, logN, r, err := yescrypt.DecodeSetting([]byte(params))
	if err != nil {
		return nil, malformed("yescrypt parameters")
	}
	if logN < yescryptMinLogN || logN > yescryptMaxLogN || r < 1 || r > yescryptMaxR {
		return nil, unknown("yescrypt N=2^%d, r=%d outside what this package computes (N 2^%d to 2^%d, r ≤ %d)",
			logN, r, yescryptMinLogN, yescryptMaxLogN, yescryptMaxR)
	}
	if !isYescrypt64(f[3]) {
		return nil, malformed("yescrypt salt is not canonical crypt base64")
	}
	sum := yescrypt.Decode64([]byte(f[4]))
	if len(sum) != yescryptHashLen || string(yescrypt.Encode64(sum)) != f[4] {
		return nil, malformed("yescrypt hash is not %d canonical characters", ab64Len(yescryptHashLen))
	}
	return &yescryptHash{logN: logN, r: r, saltText: f[3], sum: sum}, nil
}

// isYescrypt64 reports whether s is canonical crypt little-endian base64 as
// yescrypt decodes it (the empty string is).
func isYescrypt64(s string) bool {
	if s == "" {
		return true
	}
	if !isHash64(s) {
		return false
	}
	b := yescrypt.Decode64([]byte(s))
	return b != nil && string(yescrypt.Encode64(b)) == s
}

// scryptMemoryKiB is 128·2^logN·r·p bytes in KiB, saturating at 2^62
// (far above any limit) instead of overflowing.
func scryptMemoryKiB(logN int, r, p uint64) uint64 {
	if logN < 0 || logN+bits.Len64(r)+bits.Len64(p)+7 > 62 {
		return 1 << 62
	}
	return (uint64(1) << logN) * r * p * 128 / 1024
}

func (y *yescryptHash) halfLimits(l Limits, n int) bool {
	return 2*scryptMemoryKiB(y.logN, uint64(y.r), 1) <= uint64(l.MaxScryptMemory)
}
func (y *yescryptHash) maxPassword(l Limits) int { return 0 }

func (y *yescryptHash) checkLimits(l Limits) error {
	if m := scryptMemoryKiB(y.logN, uint64(y.r), 1); m > uint64(l.MaxScryptMemory) {
		return overLimit("yescrypt memory %d KiB, limit %d", m, l.MaxScryptMemory)
	}
	return nil
}

// verify calls the library's crypt-style Hash with the setting and compares
// the hash it returns in constant time.
func (y *yescryptHash) verify(password string) (bool, error) {
	out, err := yescrypt.Hash([]byte(password), []byte(y.setting()))
	if err != nil {
		return false, fmt.Errorf("hash: yescrypt: %w", err)
	}
	sum := yescrypt.Decode64(out[strings.LastIndexByte(string(out), '$')+1:])
	return subtle.ConstantTimeCompare(sum, y.sum) == 1, nil
}
