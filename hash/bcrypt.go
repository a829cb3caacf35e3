package hash

import (
	"errors"

	"golang.org/x/crypto/bcrypt"
)

const (
	bcryptMinCost = 4  // OpenBSD BCRYPT_MINLOGROUNDS
	bcryptMaxCost = 31 // OpenBSD and libxcrypt refuse more
	// bcryptMaxPassword is the number of password bytes bcrypt uses.
	bcryptMaxPassword = 72
	bcryptLength      = 60 // "$2b$" + 2 digits + "$" + 22 + 31
)

// bcryptHash is "$2" minor "$" cost "$" salt(22) checksum(31).
type bcryptHash struct {
	minor byte
	cost  int
	raw   string
}

func (b *bcryptHash) format() Format { return FormatBcrypt }
func (b *bcryptHash) encode() string { return b.raw }

// decodeBcrypt accepts exactly what OpenBSD's bcrypt_checkpass and
// libxcrypt's crypt_blowfish accept for $2a$, $2b$ and $2y$: a two-digit cost
// from 04 to 31, a 22-character salt and a 31-character checksum in bcrypt's
// base64 with zero trailing bits. (Both references re-encode the salt and
// checksum before comparing, so a string with non-zero trailing bits can never
// verify there; here it is refused as malformed.)
func decodeBcrypt(s string) (decoded, error) {
	if len(s) < 4 || s[3] != '$' || (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') {
		return nil, unknown("bcrypt variant other than $2a$, $2b$, $2y$")
	}
	if len(s) != bcryptLength {
		return nil, malformed("bcrypt hash is %d bytes, want %d", len(s), bcryptLength)
	}
	if s[6] != '$' {
		return nil, malformed("bcrypt cost is not two digits")
	}
	c1, c2 := s[4], s[5]
	if c1 < '0' || c1 > '9' || c2 < '0' || c2 > '9' {
		return nil, malformed("bcrypt cost is not two digits")
	}
	cost := int(c1-'0')*10 + int(c2-'0')
	if cost < bcryptMinCost || cost > bcryptMaxCost {
		return nil, malformed("bcrypt cost %d outside [%d, %d]", cost, bcryptMinCost, bcryptMaxCost)
	}
	if !isBcryptBase64(s[7:29], 4) {
		return nil, malformed("bcrypt salt is not canonical bcrypt base64")
	}
	if !isBcryptBase64(s[29:], 2) {
		return nil, malformed("bcrypt checksum is not canonical bcrypt base64")
	}
	return &bcryptHash{minor: s[2], cost: cost, raw: s}, nil
}

func (b *bcryptHash) halfLimits(l Limits, n int) bool { return b.cost < l.MaxBcryptCost }
func (b *bcryptHash) maxPassword(l Limits) int        { return 0 }

func (b *bcryptHash) checkLimits(l Limits) error {
	if b.cost > l.MaxBcryptCost {
		return overLimit("bcrypt cost %d, limit %d", b.cost, l.MaxBcryptCost)
	}
	return nil
}

// verify uses x/crypto's bcrypt, which, like every bcrypt, keys Blowfish with
// at most the first 72 bytes of the password (see the package doc).
func (b *bcryptHash) verify(password string) (bool, error) {
	err := bcrypt.CompareHashAndPassword([]byte(b.raw), []byte(password))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	}
	return false, malformed("bcrypt: %v", err)
}
