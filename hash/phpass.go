package hash

import (
	"crypto/md5"
	"crypto/subtle"

	"github.com/go-crypt/x/yescrypt"
)

// phpass's bounds on log2 of the iteration count (PasswordHash.php's
// crypt_private refuses others).
const (
	phpassMinCost = 7
	phpassMaxCost = 30
	phpassLength  = 34 // "$P$" + 1 + 8 + 22
)

// phpassHash is "$P$" (or "$H$") cost(1) salt(8) checksum(22).
type phpassHash struct {
	raw  string
	cost int
	sum  []byte
}

func (p *phpassHash) format() Format { return FormatPhpass }
func (p *phpassHash) encode() string { return p.raw }

// decodePhpass accepts what phpass's crypt_private and passlib accept: a
// cost character from 7 to 30 in crypt's alphabet, an 8-character salt from
// that alphabet and a 22-character checksum in crypt's little-endian base64
// whose last character carries no bits past the 16-byte digest.
func decodePhpass(s string) (decoded, error) {
	if len(s) != phpassLength {
		return nil, malformed("phpass hash is %d bytes, want %d", len(s), phpassLength)
	}
	cost := hash64Index(s[3])
	if cost < phpassMinCost || cost > phpassMaxCost {
		return nil, malformed("phpass cost outside [%d, %d]", phpassMinCost, phpassMaxCost)
	}
	if !isHash64(s[4:12]) {
		return nil, malformed("phpass salt is not 8 characters of ./0-9A-Za-z")
	}
	sum := yescrypt.Decode64([]byte(s[12:]))
	if len(sum) != md5.Size || string(yescrypt.Encode64(sum)) != s[12:] {
		return nil, malformed("phpass checksum is not 22 canonical characters")
	}
	return &phpassHash{raw: s, cost: cost, sum: sum}, nil
}

func (p *phpassHash) halfLimits(l Limits, n int) bool { return p.cost < l.MaxPhpassCost }

// maxPassword bounds phpass, which hashes the password 2^cost times.
func (p *phpassHash) maxPassword(l Limits) int { return MaxCryptPasswordLength }

func (p *phpassHash) checkLimits(l Limits) error {
	if p.cost > l.MaxPhpassCost {
		return overLimit("phpass cost %d, limit %d", p.cost, l.MaxPhpassCost)
	}
	return nil
}

// verify computes phpass's iterated MD5 with the standard library:
// MD5(salt+password), then 2^cost times MD5(previous+password).
func (p *phpassHash) verify(password string) (bool, error) {
	sum := p.compute(password)
	return subtle.ConstantTimeCompare(sum, p.sum) == 1, nil
}

func (p *phpassHash) wrapSetting() string                      { return p.raw[:12] }
func (p *phpassHash) storedChecksum() []byte                   { return p.sum }
func (p *phpassHash) checksum(password string) ([]byte, error) { return p.compute(password), nil }

func (p *phpassHash) compute(password string) []byte {
	buf := make([]byte, 0, md5.Size+len(password))
	buf = append(append(buf, p.raw[4:12]...), password...)
	sum := md5.Sum(buf)
	buf = append(buf[:0], sum[:]...)
	buf = append(buf, password...)
	for i := 0; i < 1<<p.cost; i++ {
		copy(buf, sum[:])
		sum = md5.Sum(buf)
	}
	return sum[:]
}
