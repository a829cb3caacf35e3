package hash

import (
	"crypto/subtle"
	"fmt"
	"strings"

	gcrypt "github.com/GehirnInc/crypt"
	"github.com/GehirnInc/crypt/apr1_crypt"
	"github.com/GehirnInc/crypt/md5_crypt"
	"github.com/GehirnInc/crypt/sha256_crypt"
	"github.com/GehirnInc/crypt/sha512_crypt"
)

// libxcrypt's bounds on the sha-crypt rounds= value; it refuses values
// outside them (Drepper's original clamped them instead).
const (
	shaCryptMinRounds     = 1000
	shaCryptMaxRounds     = 999_999_999
	shaCryptDefaultRounds = 5000
)

// cryptScheme describes one crypt(3) family member.
type cryptScheme struct {
	format     Format
	magic      string
	maxSalt    int  // salt characters used; libxcrypt truncates longer ones
	rounds     bool // accepts rounds=
	sumLen     int  // checksum characters
	sumLast    int  // largest value of the checksum's last character
	newCrypter func() gcrypt.Crypter
}

var (
	md5Crypt    = &cryptScheme{FormatMD5Crypt, "$1$", 8, false, 22, 3, md5_crypt.New}
	apr1Crypt   = &cryptScheme{FormatApr1, "$apr1$", 8, false, 22, 3, apr1_crypt.New}
	sha256Crypt = &cryptScheme{FormatSHA256Crypt, "$5$", 16, true, 43, 15, sha256_crypt.New}
	sha512Crypt = &cryptScheme{FormatSHA512Crypt, "$6$", 16, true, 86, 3, sha512_crypt.New}
)

// cryptHash is magic ["rounds=" N "$"] salt "$" checksum.
type cryptHash struct {
	scheme *cryptScheme
	rounds int // 0 when the string has no rounds= field
	salt   string
	sum    string
}

func (c *cryptHash) format() Format { return c.scheme.format }

// setting is the hash without its checksum, as crypt(3) takes it.
func (c *cryptHash) setting() string {
	if c.rounds != 0 {
		return c.scheme.magic + "rounds=" + itoa(c.rounds) + "$" + c.salt
	}
	return c.scheme.magic + c.salt
}

func (c *cryptHash) encode() string { return c.setting() + "$" + c.sum }

// effectiveRounds is the number of rounds computed.
func (c *cryptHash) effectiveRounds() int {
	switch {
	case !c.scheme.rounds:
		return 1000
	case c.rounds == 0:
		return shaCryptDefaultRounds
	}
	return c.rounds
}

// decodeCrypt accepts what libxcrypt accepts for a full hash: for sha-crypt an
// optional rounds= with a canonical decimal from 1000 to 999,999,999; a salt of
// at most 8 (md5crypt, apr1) or 16 (sha-crypt) characters from "./0-9A-Za-z",
// possibly empty; and a checksum of the exact length whose last character
// carries no bits past the digest. (libxcrypt truncates a longer salt, so such
// a hash can never verify there; here it is refused as malformed.)
func decodeCrypt(s string, sc *cryptScheme) (decoded, error) {
	rest := s[len(sc.magic):]
	c := &cryptHash{scheme: sc}
	if sc.rounds && strings.HasPrefix(rest, "rounds=") {
		num, after, ok := strings.Cut(rest[len("rounds="):], "$")
		if !ok {
			return nil, malformed("%s rounds= has no terminating '$'", sc.format)
		}
		r, ok := parseUint(num)
		if !ok || r < shaCryptMinRounds || r > shaCryptMaxRounds {
			return nil, malformed("%s rounds= is not a canonical decimal in [%d, %d]", sc.format, shaCryptMinRounds, shaCryptMaxRounds)
		}
		c.rounds, rest = int(r), after
	}
	salt, sum, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, malformed("%s hash has no checksum", sc.format)
	}
	if len(salt) > sc.maxSalt || !isHash64(salt) {
		return nil, malformed("%s salt is not 0 to %d characters of ./0-9A-Za-z", sc.format, sc.maxSalt)
	}
	if !isCryptChecksum(sum, sc.sumLen, sc.sumLast) {
		return nil, malformed("%s checksum is not %d canonical characters", sc.format, sc.sumLen)
	}
	c.salt, c.sum = salt, sum
	return c, nil
}

// shaCryptUnits is the number of times a password of n bytes counts each
// sha-crypt round against MaxSHACryptRounds: once up to 64 bytes, then once
// more per 64 bytes, since each round hashes the password about twice and
// its cost grows with the SHA blocks that fill.
func shaCryptUnits(n int) int { return max(1, (n+63)/64) }

func (c *cryptHash) halfLimits(l Limits, n int) bool {
	return !c.scheme.rounds || 2*c.effectiveRounds()*shaCryptUnits(n) <= l.MaxSHACryptRounds
}

// maxPassword bounds md5crypt, apr1 and sha-crypt, whose cost grows with the
// password's length: MaxCryptPasswordLength, and for sha-crypt the length
// whose rounds × shaCryptUnits stay within MaxSHACryptRounds (at least 64
// bytes, since the rounds are within it).
func (c *cryptHash) maxPassword(l Limits) int {
	if !c.scheme.rounds {
		return MaxCryptPasswordLength
	}
	return min(MaxCryptPasswordLength, 64*(l.MaxSHACryptRounds/c.effectiveRounds()))
}

// checkLimits applies MaxSHACryptRounds to sha-crypt, whose hashes without
// rounds= cost 5000 rounds; md5crypt and apr1 always cost 1000.
func (c *cryptHash) checkLimits(l Limits) error {
	if r := c.effectiveRounds(); c.scheme.rounds && r > l.MaxSHACryptRounds {
		return overLimit("%s rounds %d, limit %d", c.scheme.format, r, l.MaxSHACryptRounds)
	}
	return nil
}

// verify computes the hash with GehirnInc/crypt and compares checksums in
// constant time. It calls Generate with the setting rather than the
// library's Verify, which mis-parses the salt of a hash that has rounds=.
func (c *cryptHash) verify(password string) (bool, error) {
	sum, err := c.checksum(password)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(sum, []byte(c.sum)) == 1, nil
}

// checksum is the checksum field crypt(3) computes for password.
func (c *cryptHash) checksum(password string) ([]byte, error) {
	out, err := c.scheme.newCrypter().Generate([]byte(password), []byte(c.setting()))
	if err != nil {
		return nil, fmt.Errorf("hash: %s: %w", c.scheme.format, err)
	}
	return []byte(out[strings.LastIndexByte(out, '$')+1:]), nil
}

func (c *cryptHash) wrapSetting() string    { return c.setting() }
func (c *cryptHash) storedChecksum() []byte { return []byte(c.sum) }
