package hash

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	gohash "hash"
	"io"
	"strings"
)

// prefixedHash is a hash of another format behind a fixed prefix: Django's
// argon2$, an LDAP {CRYPT} or a Dovecot {SHA512-CRYPT}. The prefix is kept as
// written, so that a scheme name in any case re-encodes to itself.
type prefixedHash struct {
	prefix string
	fmt    Format // empty: the inner hash's format
	inner  decoded
}

func (p *prefixedHash) format() Format {
	if p.fmt != "" {
		return p.fmt
	}
	return p.inner.format()
}
func (p *prefixedHash) encode() string                  { return p.prefix + p.inner.encode() }
func (p *prefixedHash) checkLimits(l Limits) error      { return p.inner.checkLimits(l) }
func (p *prefixedHash) halfLimits(l Limits, n int) bool { return p.inner.halfLimits(l, n) }
func (p *prefixedHash) wrapSetting() string {
	return p.prefix + p.inner.(wrappable).wrapSetting()
}
func (p *prefixedHash) storedChecksum() []byte { return p.inner.(wrappable).storedChecksum() }
func (p *prefixedHash) checksum(password string) ([]byte, error) {
	return p.inner.(wrappable).checksum(password)
}
func (p *prefixedHash) maxPassword(l Limits) int             { return p.inner.maxPassword(l) }
func (p *prefixedHash) verify(password string) (bool, error) { return p.inner.verify(password) }

// decodeDjango parses Django's "algorithm$..." encodings. ok is false when s
// names no Django algorithm.
func decodeDjango(s string) (d decoded, ok bool, err error) {
	alg, rest, found := strings.Cut(s, "$")
	if !found {
		return nil, false, nil
	}
	switch alg {
	case "pbkdf2_sha256":
		d, err = decodeDjangoPBKDF2(rest, FormatDjangoPBKDF2SHA256, pbkdf2SHA256)
	case "pbkdf2_sha1":
		d, err = decodeDjangoPBKDF2(rest, FormatDjangoPBKDF2SHA1, pbkdf2SHA1)
	case "argon2":
		if !strings.HasPrefix(rest, "argon2") {
			return nil, true, malformed("django argon2$ is not followed by an argon2 PHC string")
		}
		var inner decoded
		if inner, err = decodeArgon2("$" + rest); err == nil {
			d = &prefixedHash{prefix: "argon2", fmt: FormatDjangoArgon2, inner: inner}
		}
	case "bcrypt_sha256":
		d, err = decodeDjangoBcrypt("bcrypt_sha256$", rest, FormatDjangoBcryptSHA256)
	case "bcrypt":
		d, err = decodeDjangoBcrypt("bcrypt$", rest, FormatDjangoBcrypt)
	case "sha1":
		d, err = decodeDjangoDigest(rest, FormatDjangoSHA1, "sha1$", sha1.New, sha1.Size)
	case "md5":
		d, err = decodeDjangoDigest(rest, FormatDjangoMD5, "md5$", md5.New, md5.Size)
	case "crypt":
		d = &insecureHash{fmt: FormatDESCrypt, raw: s}
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return d, true, nil
}

// isDjangoSalt reports whether s is a salt Django's hashers can have written:
// printable ASCII other than '$' (Django generates letters and digits).
func isDjangoSalt(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '$' {
			return false
		}
	}
	return true
}

// djangoPBKDF2 is Django's "pbkdf2_sha256$" iterations "$" salt "$" key.
type djangoPBKDF2 struct {
	fmt        Format
	digest     *pbkdf2Digest
	iterations uint64
	salt       string
	key        []byte
}

func (p *djangoPBKDF2) format() Format { return p.fmt }

func (p *djangoPBKDF2) encode() string {
	alg := "pbkdf2_" + p.digest.name
	return alg + "$" + utoa(p.iterations) + "$" + p.salt + "$" + stdPadded.EncodeToString(p.key)
}

// decodeDjangoPBKDF2 accepts what Django writes and passlib reads: an
// iteration count from 1 to 2^32-1 without sign or leading zero, a non-empty
// salt (see isDjangoSalt) and a key of exactly the digest's size in canonical
// standard base64 with padding.
func decodeDjangoPBKDF2(rest string, f Format, dg *pbkdf2Digest) (decoded, error) {
	fields := strings.Split(rest, "$")
	if len(fields) != 3 {
		return nil, malformed("%s hash has %d fields, want 4", f, len(fields)+1)
	}
	it, ok := parseUint(fields[0])
	if !ok || it < 1 || it > pbkdf2MaxIterations {
		return nil, malformed("%s iteration count is not a canonical decimal in [1, %d]", f, uint64(pbkdf2MaxIterations))
	}
	if fields[1] == "" || !isDjangoSalt(fields[1]) {
		return nil, malformed("%s salt is not printable ASCII", f)
	}
	key, ok := decodeStdPadded(fields[2])
	if !ok || len(key) != dg.size {
		return nil, malformed("%s key is not %d bytes of canonical padded base64", f, dg.size)
	}
	return &djangoPBKDF2{fmt: f, digest: dg, iterations: it, salt: fields[1], key: key}, nil
}

func (p *djangoPBKDF2) halfLimits(l Limits, n int) bool {
	return pbkdf2HalfLimits(p.iterations, len(p.key), p.digest, l)
}
func (p *djangoPBKDF2) maxPassword(l Limits) int { return 0 }

func (p *djangoPBKDF2) checkLimits(l Limits) error {
	return checkPBKDF2Work(p.iterations, len(p.key), p.digest, l)
}

func (p *djangoPBKDF2) verify(password string) (bool, error) {
	return pbkdf2Equal(p.digest, password, []byte(p.salt), p.iterations, p.key)
}

func (p *djangoPBKDF2) checksum(password string) ([]byte, error) {
	return pbkdf2Sum(p.digest, password, []byte(p.salt), p.iterations, len(p.key))
}

func (p *djangoPBKDF2) wrapSetting() string {
	return "pbkdf2_" + p.digest.name + "$" + utoa(p.iterations) + "$" + p.salt
}
func (p *djangoPBKDF2) storedChecksum() []byte { return p.key }

// djangoDigest is Django's legacy "sha1$" salt "$" hex or "md5$" salt "$"
// hex: one digest of salt+password.
type djangoDigest struct {
	fmt    Format
	prefix string
	newH   func() gohash.Hash
	salt   string
	sum    []byte
}

func (d *djangoDigest) format() Format { return d.fmt }
func (d *djangoDigest) encode() string {
	return d.prefix + d.salt + "$" + hex.EncodeToString(d.sum)
}
func (d *djangoDigest) checkLimits(Limits) error    { return nil }
func (d *djangoDigest) halfLimits(Limits, int) bool { return true }
func (d *djangoDigest) maxPassword(l Limits) int    { return 0 }

func (d *djangoDigest) verify(password string) (bool, error) {
	sum, _ := d.checksum(password)
	return subtle.ConstantTimeCompare(sum, d.sum) == 1, nil
}

func (d *djangoDigest) checksum(password string) ([]byte, error) {
	return digestOf(d.newH, len(d.sum), d.salt, []byte(password)), nil
}

// digestOf is the digest of a then b. For MD5, SHA-1 and SHA-256 it uses
// the one-shot functions on a stack buffer, which allocate nothing for
// inputs up to 512 bytes: these single-digest formats are verified in a
// few hundred nanoseconds, so allocations are most of the overhead.
func digestOf(newH func() gohash.Hash, size int, a string, b []byte) []byte {
	switch size {
	case md5.Size, sha1.Size, sha256.Size:
		var buf [512]byte
		in := append(append(buf[:0], a...), b...)
		switch size {
		case md5.Size:
			s := md5.Sum(in)
			return s[:]
		case sha1.Size:
			s := sha1.Sum(in)
			return s[:]
		}
		s := sha256.Sum256(in)
		return s[:]
	}
	h := newH()
	_, _ = io.WriteString(h, a)
	h.Write(b)
	return h.Sum(nil)
}

func (d *djangoDigest) wrapSetting() string    { return d.prefix + d.salt }
func (d *djangoDigest) storedChecksum() []byte { return d.sum }

// decodeDjangoDigest accepts a salt as isDjangoSalt allows, possibly empty
// (Django's unsalted SHA-1 and MD5 write sha1$$ and md5$$), and the digest in
// lower-case hex, as Django writes it.
func decodeDjangoDigest(rest string, f Format, prefix string, newH func() gohash.Hash, size int) (decoded, error) {
	salt, sum, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, malformed("%s hash has no digest", f)
	}
	if !isDjangoSalt(salt) {
		return nil, malformed("%s salt is not printable ASCII", f)
	}
	b, ok := decodeLowerHex(sum)
	if !ok || len(b) != size {
		return nil, malformed("%s digest is not %d lower-case hex digits", f, 2*size)
	}
	return &djangoDigest{fmt: f, prefix: prefix, newH: newH, salt: salt, sum: b}, nil
}

// decodeLowerHex decodes lower-case hex only.
func decodeLowerHex(s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return nil, false
		}
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}
