package hash

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	gohash "hash"
	"strings"
)

// ldapMaxSalt bounds the salt of {SSHA} and its kin. OpenLDAP writes 4
// bytes, 389 Directory Server and passlib up to 16; OpenLDAP reads any
// non-empty salt.
const ldapMaxSalt = 64

// ldapHash is "{SSHA}" base64(digest(password+salt) salt) or "{SHA}"
// base64(digest(password)).
type ldapHash struct {
	prefix string // the scheme as written
	fmt    Format
	newH   func() gohash.Hash
	sum    []byte
	salt   []byte
}

func (h *ldapHash) format() Format { return h.fmt }

func (h *ldapHash) encode() string {
	return h.prefix + stdPadded.EncodeToString(append(append([]byte(nil), h.sum...), h.salt...))
}

func (h *ldapHash) checkLimits(Limits) error    { return nil }
func (h *ldapHash) halfLimits(Limits, int) bool { return true }
func (h *ldapHash) maxPassword(l Limits) int    { return 0 }

func (h *ldapHash) verify(password string) (bool, error) {
	sum, _ := h.checksum(password)
	return subtle.ConstantTimeCompare(sum, h.sum) == 1, nil
}

func (h *ldapHash) checksum(password string) ([]byte, error) {
	return digestOf(h.newH, h.size(), password, h.salt), nil
}

func (h *ldapHash) size() int { return len(h.sum) }

// wrapSetting is the scheme and the salt alone in base64 (empty for {SHA}).
func (h *ldapHash) wrapSetting() string {
	if len(h.salt) == 0 {
		return h.prefix
	}
	return h.prefix + stdPadded.EncodeToString(h.salt)
}
func (h *ldapHash) storedChecksum() []byte { return h.sum }

// ldapScheme describes one {SCHEME} of OpenLDAP, 389 Directory Server or
// Dovecot.
type ldapScheme struct {
	fmt    Format
	newH   func() gohash.Hash
	size   int
	salted bool
	crypt  string // for a crypt scheme: the prefix the crypt string must have ("" for any)
	broken bool
}

// ldapSchemes is keyed by the upper-case scheme name.
var ldapSchemes = map[string]ldapScheme{
	"SSHA":    {fmt: FormatLDAPSSHA, newH: sha1.New, size: sha1.Size, salted: true},
	"SSHA256": {fmt: FormatLDAPSSHA256, newH: sha256.New, size: sha256.Size, salted: true},
	"SSHA512": {fmt: FormatLDAPSSHA512, newH: sha512.New, size: sha512.Size, salted: true},
	"SHA":     {fmt: FormatLDAPSHA, newH: sha1.New, size: sha1.Size},

	"CRYPT":        {crypt: ""},
	"SHA512-CRYPT": {crypt: "$6$"},
	"SHA256-CRYPT": {crypt: "$5$"},
	"BLF-CRYPT":    {crypt: "$2"},
	"MD5-CRYPT":    {crypt: "$1$"},

	"MD5":       {fmt: FormatLDAPMD5, broken: true},
	"PLAIN-MD5": {fmt: FormatLDAPMD5, broken: true},
	"LDAP-MD5":  {fmt: FormatLDAPMD5, broken: true},
	"SMD5":      {fmt: FormatLDAPSMD5, broken: true},
	"CLEARTEXT": {fmt: FormatPlaintext, broken: true},
	"PLAIN":     {fmt: FormatPlaintext, broken: true},
	"DES-CRYPT": {fmt: FormatDESCrypt, broken: true},
	"NTLM":      {fmt: FormatNTHash, broken: true},
}

// decodeScheme parses a "{SCHEME}" prefixed hash. Scheme names are matched
// without regard to case, as OpenLDAP and Dovecot do; the name is kept as
// written. {CRYPT} holds any crypt(3) hash this package reads (and the broken
// DES and BSDi crypts, which are refused as insecure); Dovecot's
// {SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT} and {MD5-CRYPT} hold a hash of
// the format they name.
func decodeScheme(s string) (decoded, error) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return nil, unknown("'{' without a scheme name")
	}
	prefix, rest := s[:end+1], s[end+1:]
	sc, ok := ldapSchemes[strings.ToUpper(prefix[1:end])]
	if !ok {
		return nil, unknown("unsupported {SCHEME}")
	}
	switch {
	case sc.broken:
		return &insecureHash{fmt: sc.fmt, raw: s}, nil
	case sc.newH == nil: // a crypt scheme
		if !strings.HasPrefix(rest, sc.crypt) {
			return nil, malformed("%s does not hold a %s hash", strings.ToUpper(prefix), sc.crypt)
		}
		inner, err := decodeCryptString(rest)
		if err != nil {
			return nil, err
		}
		if in, ok := inner.(*insecureHash); ok {
			return &insecureHash{fmt: in.fmt, raw: s}, nil
		}
		return &prefixedHash{prefix: prefix, inner: inner}, nil
	}
	b, ok := decodeStdPadded(rest)
	if !ok {
		return nil, malformed("%s value is not canonical padded base64", strings.ToUpper(prefix))
	}
	h := &ldapHash{prefix: prefix, fmt: sc.fmt, newH: sc.newH}
	switch {
	case !sc.salted && len(b) != sc.size:
		return nil, malformed("%s digest is %d bytes, want %d", strings.ToUpper(prefix), len(b), sc.size)
	case sc.salted && (len(b) <= sc.size || len(b) > sc.size+ldapMaxSalt):
		return nil, malformed("%s salt is not 1 to %d bytes", strings.ToUpper(prefix), ldapMaxSalt)
	}
	h.sum, h.salt = b[:sc.size], b[sc.size:]
	return h, nil
}
