package hash

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"strings"
)

const wrapPrefix = "$latch-wrap$"

// wrappable is a decoded legacy hash that Wrap can wrap: a cheap format
// whose encoded form splits into a setting (everything but the checksum)
// and a checksum.
type wrappable interface {
	decoded
	// wrapSetting is the encoded hash without its checksum.
	wrapSetting() string
	// storedChecksum is the checksum the hash stores, as bytes: the
	// decoded digest or key, or for md5crypt, apr1 and sha-crypt the
	// checksum's characters.
	storedChecksum() []byte
	// checksum computes the same for password.
	checksum(password string) ([]byte, error)
}

// Wrap wraps a legacy hash at import (see Hasher.Wrap), with the default
// policy's Argon2id parameters.
func Wrap(encoded string) (string, error) {
	var h Hasher
	return h.Wrap(encoded)
}

// Wrap returns encoded, a hash of a cheap legacy format, wrapped in
// Argon2id, so that a leaked store no longer exposes the cheap checksum
// while the password is still unknown:
//
//	$latch-wrap$FORMAT$SETTING$argon2id$v=19$m=M,t=T,p=P$SALT$TAG
//
// FORMAT is the legacy Format, SETTING the legacy hash without its checksum
// (for LDAP schemes, the scheme and the salt alone in base64), and the
// Argon2id PHC string, with the Hasher's Argon2 parameters and a fresh salt,
// hashes the legacy checksum's bytes (the decoded digest or key, or the
// checksum's characters for md5crypt, apr1 and sha-crypt). Verify computes
// the legacy checksum of the password and then verifies the Argon2id over
// it, so verifying costs the legacy hash plus one Argon2id (with the default
// policy, 25 ms more than the legacy hash); the Argon2id of a wrapped hash
// may cost at most half of what the Limits admit for Argon2. Identify names
// the result FormatWrapped, and NeedsRehash is true for it: at the next
// sign-in the password is hashed with the policy.
//
// The formats that can be wrapped are md5crypt, apr1, sha-crypt (also
// behind {CRYPT} and Dovecot prefixes), phpass, LDAP {SSHA}, {SSHA256},
// {SSHA512} and {SHA}, Django's sha1$, md5$ and pbkdf2, and passlib's and
// SFTPGo's PBKDF2 (the latter with a key of the digest's size). Wrap
// returns ErrNotWrappable for other formats, whose own cost is what protects
// them, and the errors of Verify (before any hashing) for an unusable hash.
func (h *Hasher) Wrap(encoded string) (string, error) {
	c := h.config()
	d, err := decodeLimited(encoded, c.Limits)
	if err != nil {
		return "", err
	}
	w, ok := canWrap(d)
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrNotWrappable, d.format())
	}
	setting := w.wrapSetting()
	if back, err := decodeLegacySetting(w.format(), setting); err != nil || len(back.storedChecksum()) != len(w.storedChecksum()) {
		return "", fmt.Errorf("%w: %s of this checksum size", ErrNotWrappable, d.format())
	}
	p := c.Argon2
	a := &argon2Hash{id: true, time: uint32(p.Time), memory: uint32(p.Memory), lanes: uint32(p.Lanes)}
	if p.Time < 1 || p.Lanes < 1 || p.Lanes > 255 || p.Memory < argon2MinMemory*p.Lanes ||
		p.SaltLength < argon2MinSalt || p.KeyLength < argon2MinTag || a.checkLimits(c.Limits) != nil {
		return "", invalid("Argon2 parameters %+v cannot wrap under the Limits", p)
	}
	if a.salt, err = h.salt(p.SaltLength); err != nil {
		return "", err
	}
	a.key = argon2Key(true, string(w.storedChecksum()), a.salt, a.time, a.memory, a.lanes, p.KeyLength)
	return (&wrappedHash{legacy: w, setting: setting, outer: a}).encode(), nil
}

// canWrap returns d as a wrappable hash if Wrap wraps its format: a
// prefixed hash only for a crypt scheme ({CRYPT}, Dovecot) holding one.
func canWrap(d decoded) (wrappable, bool) {
	if p, ok := d.(*prefixedHash); ok {
		if _, inner := p.inner.(wrappable); !inner || p.fmt != "" {
			return nil, false
		}
	}
	w, ok := d.(wrappable)
	return w, ok
}

// wrappedHash is Wrap's format.
type wrappedHash struct {
	legacy  wrappable
	setting string
	outer   *argon2Hash
}

func (w *wrappedHash) format() Format { return FormatWrapped }

func (w *wrappedHash) encode() string {
	return wrapPrefix + string(w.legacy.format()) + "$" + w.setting + w.outer.encode()
}

// checkLimits bounds both parts, the Argon2id to half of the most
// expensive Argon2 the Limits admit (Wrap uses the policy's, which New keeps
// within that), so that a wrapped hash costs at most about as much as the
// most expensive hashes of its two parts.
func (w *wrappedHash) checkLimits(l Limits) error {
	if err := w.legacy.checkLimits(l); err != nil {
		return err
	}
	if err := w.outer.checkLimits(l); err != nil {
		return err
	}
	if !w.outer.halfLimits(l, 0) {
		return overLimit("wrapped argon2 memory×time %d KiB, limit %d", uint64(w.outer.memory)*uint64(w.outer.time), argon2MaxWork(l)/2)
	}
	return nil
}

func (w *wrappedHash) halfLimits(l Limits, n int) bool {
	return w.legacy.halfLimits(l, n) && 4*uint64(w.outer.memory)*uint64(w.outer.time) <= argon2MaxWork(l)
}

func (w *wrappedHash) maxPassword(l Limits) int { return w.legacy.maxPassword(l) }

func (w *wrappedHash) verify(password string) (bool, error) {
	sum, err := w.legacy.checksum(password)
	if err != nil {
		return false, err
	}
	return w.outer.verify(string(sum))
}

// decodeWrapped parses Wrap's format strictly: a wrappable Format, a setting
// that is canonical for it, and an Argon2id PHC string (which starts at the
// first "$argon2id$v=": no legacy setting can hold that text, since none of
// their fields may contain '$' or be "argon2id" followed by "v=").
func decodeWrapped(s string) (decoded, error) {
	rest := s[len(wrapPrefix):]
	name, rest, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, malformed("wrapped hash has no format")
	}
	i := strings.Index(rest, "$argon2id$v=")
	if i < 0 {
		if strings.Contains(rest, "$argon2") {
			return nil, unknown("wrapped hash in Argon2 other than argon2id v=19")
		}
		return nil, malformed("wrapped hash has no argon2id PHC string")
	}
	legacy, err := decodeLegacySetting(Format(name), rest[:i])
	if err != nil {
		return nil, err
	}
	outer, err := decodeArgon2(rest[i:])
	if err != nil {
		return nil, err
	}
	return &wrappedHash{legacy: legacy, setting: rest[:i], outer: outer.(*argon2Hash)}, nil
}

// decodeLegacySetting rebuilds the legacy hash of format f from its setting
// with a zero checksum of the right size, parses it strictly, and checks
// that the setting is canonical (the rebuilt hash gives it back).
func decodeLegacySetting(f Format, setting string) (wrappable, error) {
	var candidates []string
	zeros := func(n int) string { return strings.Repeat(".", n) }
	switch f {
	case FormatMD5Crypt, FormatApr1:
		candidates = []string{setting + "$" + zeros(22)}
	case FormatSHA256Crypt:
		candidates = []string{setting + "$" + zeros(43)}
	case FormatSHA512Crypt:
		candidates = []string{setting + "$" + zeros(86)}
	case FormatPhpass:
		candidates = []string{setting + zeros(22)}
	case FormatDjangoSHA1:
		candidates = []string{setting + "$" + strings.Repeat("0", 2*sha1.Size)}
	case FormatDjangoMD5:
		candidates = []string{setting + "$" + strings.Repeat("0", 2*md5.Size)}
	case FormatLDAPSSHA, FormatLDAPSSHA256, FormatLDAPSSHA512, FormatLDAPSHA:
		end := strings.IndexByte(setting, '}')
		if end < 0 {
			return nil, malformed("wrapped %s setting has no scheme", f)
		}
		salt, ok := decodeStdPadded(setting[end+1:])
		if !ok {
			return nil, malformed("wrapped %s salt is not canonical padded base64", f)
		}
		for _, size := range []int{sha1.Size, sha256.Size, sha512.Size} {
			candidates = append(candidates, setting[:end+1]+stdPadded.EncodeToString(append(make([]byte, size), salt...)))
		}
	case FormatPBKDF2SFTPGo, FormatDjangoPBKDF2SHA1, FormatDjangoPBKDF2SHA256:
		for _, size := range []int{sha1.Size, sha256.Size, sha512.Size} {
			candidates = append(candidates, setting+"$"+stdPadded.EncodeToString(make([]byte, size)))
		}
	case FormatPBKDF2Passlib:
		for _, size := range []int{sha1.Size, sha256.Size, sha512.Size} {
			candidates = append(candidates, setting+"$"+encodeAB64(make([]byte, size)))
		}
	default:
		return nil, unknown("wrapped format %q", string(f))
	}
	for _, c := range candidates {
		d, err := decode(c)
		if err != nil {
			continue
		}
		w, ok := canWrap(d)
		if ok && w.format() == f && w.wrapSetting() == setting && len(w.storedChecksum()) == len(zeroChecksum(w)) {
			return w, nil
		}
	}
	return nil, malformed("wrapped %s setting is not canonical", f)
}

// zeroChecksum is a checksum of the size the format's digest produces (a
// PBKDF2 key of exactly one digest block), so that a rebuilt hash is one
// Wrap can have made.
func zeroChecksum(w wrappable) []byte {
	switch w := w.(type) {
	case *pbkdf2Hash:
		return make([]byte, w.digest.size)
	case *djangoPBKDF2:
		return make([]byte, w.digest.size)
	}
	return w.storedChecksum()
}
