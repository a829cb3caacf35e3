package hash

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// bcryptPrehash is bcrypt of a digest of the password, or a plain bcrypt
// hash behind Django's bcrypt$ prefix.
type bcryptPrehash struct {
	fmt    Format
	prefix string // the text before the inner bcrypt fields
	v2     bool   // passlib v=2: HMAC-SHA256 keyed by the salt
	inner  *bcryptHash
}

func (b *bcryptPrehash) format() Format { return b.fmt }

func (b *bcryptPrehash) encode() string {
	if b.fmt == FormatBcryptSHA256 {
		salt, sum := b.inner.raw[7:29], b.inner.raw[29:]
		return b.prefix + salt + "$" + sum
	}
	return b.prefix + b.inner.raw
}

func (b *bcryptPrehash) checkLimits(l Limits) error      { return b.inner.checkLimits(l) }
func (b *bcryptPrehash) halfLimits(l Limits, n int) bool { return b.inner.halfLimits(l, n) }
func (b *bcryptPrehash) maxPassword(l Limits) int        { return 0 }

// key is what bcrypt is given for password.
func (b *bcryptPrehash) key(password string) string {
	switch {
	case b.fmt == FormatDjangoBcrypt:
		return password
	case b.fmt == FormatDjangoBcryptSHA256:
		sum := sha256.Sum256([]byte(password))
		return hex.EncodeToString(sum[:])
	case b.v2:
		m := hmac.New(sha256.New, []byte(b.inner.raw[7:29]))
		m.Write([]byte(password))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	sum := sha256.Sum256([]byte(password))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func (b *bcryptPrehash) verify(password string) (bool, error) {
	return b.inner.verify(b.key(password))
}

// decodeBcryptSHA256 accepts passlib 1.7's bcrypt_sha256 forms:
// $bcrypt-sha256$v=2,t=2b,r=COST$SALT$SUM and the older
// $bcrypt-sha256$2a,COST$SALT$SUM (or 2b), COST being a decimal from 4 to 31
// without a leading zero, as passlib writes it, and SALT and SUM canonical
// bcrypt base64 of 22 and 31 characters.
func decodeBcryptSHA256(s string) (decoded, error) {
	f := strings.Split(s, "$")
	if len(f) != 5 {
		return nil, malformed("bcrypt-sha256 hash has %d fields, want 5", len(f))
	}
	b := &bcryptPrehash{fmt: FormatBcryptSHA256}
	minor, costText := "", ""
	if rest, ok := strings.CutPrefix(f[2], "v=2,t=2b,r="); ok {
		b.v2, minor, costText = true, "b", rest
	} else if m, c, ok := strings.Cut(f[2], ","); ok && (m == "2a" || m == "2b") {
		minor, costText = m[1:], c
	} else if strings.HasPrefix(f[2], "v=") && !strings.HasPrefix(f[2], "v=2,") {
		return nil, unknown("bcrypt-sha256 version other than 1 and 2")
	} else {
		return nil, malformed("bcrypt-sha256 parameters are not v=2,t=2b,r=COST or 2a,COST or 2b,COST")
	}
	cost, ok := parseUint(costText)
	if !ok || cost < bcryptMinCost || cost > bcryptMaxCost {
		return nil, malformed("bcrypt-sha256 cost is not a canonical decimal in [%d, %d]", bcryptMinCost, bcryptMaxCost)
	}
	if len(f[3]) != 22 || len(f[4]) != 31 {
		return nil, malformed("bcrypt-sha256 salt or checksum has the wrong length")
	}
	c := byte('0' + cost/10)
	inner, err := decodeBcrypt("$2" + minor + "$" + string([]byte{c, byte('0' + cost%10)}) + "$" + f[3] + f[4])
	if err != nil {
		return nil, err
	}
	b.inner = inner.(*bcryptHash)
	b.prefix = "$bcrypt-sha256$" + f[2] + "$"
	return b, nil
}

// decodeDjangoBcrypt accepts Django's bcrypt_sha256$ and bcrypt$ prefixes
// followed by a bcrypt hash ($2a$, $2b$ or $2y$).
func decodeDjangoBcrypt(prefix, rest string, f Format) (decoded, error) {
	if !strings.HasPrefix(rest, "$2") {
		return nil, malformed("%s is not followed by a bcrypt hash", f)
	}
	inner, err := decodeBcrypt(rest)
	if err != nil {
		return nil, err
	}
	return &bcryptPrehash{fmt: f, prefix: prefix, inner: inner.(*bcryptHash)}, nil
}
