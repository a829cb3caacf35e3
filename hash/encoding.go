package hash

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
)

// The decoders below accept only the canonical text of a value: the exact
// alphabet (the standard library's base64 decoder would skip '\r' and '\n'),
// correct padding and zero trailing bits, so that decoding then encoding
// gives back the same string.

var (
	stdPadded = base64.StdEncoding.Strict()
	stdRaw    = base64.RawStdEncoding.Strict()
)

// parseUint parses a canonical unsigned decimal: one or more ASCII digits and
// no leading zero (libargon2, libxcrypt and passlib all refuse one). A value
// that does not fit in a uint64 saturates at math.MaxUint64, which every
// range check then refuses.
func parseUint(s string) (uint64, bool) {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			v = math.MaxUint64
			continue
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

func itoa(v int) string { return strconv.Itoa(v) }

func utoa(v uint64) string { return strconv.FormatUint(v, 10) }

// isStdBase64 reports whether s uses only the standard base64 alphabet,
// with '=' allowed only when padded is true.
func isStdBase64(s string, padded bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		case c == '=' && padded:
		default:
			return false
		}
	}
	return true
}

// decodeStdPadded decodes canonical standard base64 with padding (SFTPGo).
func decodeStdPadded(s string) ([]byte, bool) {
	if !isStdBase64(s, true) {
		return nil, false
	}
	b, err := stdPadded.DecodeString(s)
	return b, err == nil
}

// decodeStdRaw decodes canonical standard base64 without padding (PHC).
func decodeStdRaw(s string) ([]byte, bool) {
	if !isStdBase64(s, false) {
		return nil, false
	}
	b, err := stdRaw.DecodeString(s)
	return b, err == nil
}

// decodeAB64 decodes passlib's adapted base64: the standard alphabet with
// '.' in place of '+', no padding.
func decodeAB64(s string) ([]byte, bool) {
	if strings.ContainsAny(s, "+=") {
		return nil, false
	}
	return decodeStdRaw(strings.ReplaceAll(s, ".", "+"))
}

// encodeAB64 is the inverse of decodeAB64.
func encodeAB64(b []byte) string {
	return strings.ReplaceAll(stdRaw.EncodeToString(b), "+", ".")
}

// hash64Index returns the value of c in the crypt(3) alphabet
// "./0-9A-Za-z", or -1.
func hash64Index(c byte) int {
	switch {
	case c == '.':
		return 0
	case c == '/':
		return 1
	case c >= '0' && c <= '9':
		return int(c-'0') + 2
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 12
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 38
	}
	return -1
}

// isHash64 reports whether every byte of s is in the crypt(3) alphabet.
func isHash64(s string) bool {
	for i := 0; i < len(s); i++ {
		if hash64Index(s[i]) < 0 {
			return false
		}
	}
	return true
}

// isCryptChecksum reports whether s is a canonical crypt(3) checksum of n
// characters whose last character carries a value of at most lastMax (the
// final group of md5crypt and sha-crypt encodes fewer than 6 bits).
func isCryptChecksum(s string, n, lastMax int) bool {
	return len(s) == n && isHash64(s) && hash64Index(s[n-1]) <= lastMax
}

// bcryptIndex returns the value of c in bcrypt's alphabet
// "./A-Za-z0-9", or -1.
func bcryptIndex(c byte) int {
	switch {
	case c == '.':
		return 0
	case c == '/':
		return 1
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 2
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 28
	case c >= '0' && c <= '9':
		return int(c-'0') + 54
	}
	return -1
}

// isBcryptBase64 reports whether s is canonical bcrypt base64 whose last
// character has its low zeroBits bits clear (4 for the 22-character salt,
// 2 for the 31-character checksum).
func isBcryptBase64(s string, zeroBits uint) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if bcryptIndex(s[i]) < 0 {
			return false
		}
	}
	return bcryptIndex(s[len(s)-1])&(1<<zeroBits-1) == 0
}
