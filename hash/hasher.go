package hash

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"fmt"
	"io"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"
)

// Verify reports whether password matches encoded, using the default policy
// and limits (see Hasher.Verify).
func Verify(password, encoded string) (bool, error) {
	var h Hasher
	return h.Verify(password, encoded)
}

// Hash returns an Argon2id PHC string of the NFC form of password, with the
// default policy (see Hasher.Hash).
func Hash(password string) (string, error) {
	var h Hasher
	return h.Hash(password)
}

// NeedsRehash reports whether encoded is weaker than the default policy or
// cannot be verified under the default limits (see Hasher.NeedsRehash).
func NeedsRehash(encoded string) bool {
	var h Hasher
	return h.NeedsRehash(encoded)
}

// Identify returns the format of encoded after checking it as Verify would,
// under the default limits (see Hasher.Identify).
func Identify(encoded string) (Format, error) {
	var h Hasher
	return h.Identify(encoded)
}

// Verify reports whether password matches encoded. It returns (false, nil)
// only for a wrong password. Any other problem is an error, returned before
// any hashing work: ErrLimit for an encoded hash over MaxEncodedLength or
// with parameters over the Limits, ErrUnknownFormat or ErrMalformed for one
// that is not a canonical hash of a supported format, ErrInsecureFormat for
// a hash of a broken format (the account needs a password reset), and
// ErrPasswordTooLong for a password over MaxPasswordLength.
//
// Verify first hashes the password's bytes as given, so hashes imported from
// systems that did not normalise keep working. If that does not match and the
// password is not in Unicode Normalization Form C, it hashes the NFC form,
// which is what Hash stores; such a password costs two hash computations
// when wrong. The retry is made only for a hash that costs at most half of
// the most expensive one the Limits admit in its format, so no call costs
// more than that one hash: a hash over half the limits verifies only the
// bytes as typed. The checksum comparison is constant time.
//
// Against md5crypt, apr1, sha-crypt and phpass hashes, whose cost grows with
// the password's length, a password over MaxCryptPasswordLength bytes is
// refused with ErrPasswordTooLong (callers treat it as a wrong password);
// against sha-crypt a password's length also counts in MaxSHACryptRounds:
// each round counts once per started 64 bytes of password, so a hash of
// 1,000,000 rounds takes passwords of up to 64 bytes under the default
// limit, one of 500,000 rounds up to 128 bytes and one of 5000 rounds (the
// default) up to 256 bytes.
func (h *Hasher) Verify(password, encoded string) (bool, error) {
	c := h.config()
	d, err := decodeLimited(encoded, c.Limits)
	if err != nil {
		return false, err
	}
	limit := c.Limits.MaxPasswordLength
	if m := d.maxPassword(c.Limits); m > 0 && m < limit {
		limit = m
	}
	if len(password) > limit {
		if limit < c.Limits.MaxPasswordLength {
			return false, fmt.Errorf("%w: %s uses at most %d bytes", ErrPasswordTooLong, d.format(), limit)
		}
		return false, ErrPasswordTooLong
	}
	ok, err := d.verify(password)
	if ok || err != nil {
		return ok, err
	}
	if nfc := norm.NFC.String(password); nfc != password && len(nfc) <= limit &&
		d.halfLimits(c.Limits, max(len(password), len(nfc))) {
		return d.verify(nfc)
	}
	return false, nil
}

// Identify returns the format of encoded. It parses and checks encoded
// exactly as Verify does, so a nil error means Verify can decide a password
// against it. On error the Format is empty, except for a broken format
// (ErrInsecureFormat), which it names, so that a host can tell which
// accounts need a password reset.
func (h *Hasher) Identify(encoded string) (Format, error) {
	c := h.config()
	d, err := decodeLimited(encoded, c.Limits)
	if err != nil {
		if d != nil {
			return d.format(), err
		}
		return "", err
	}
	return d.format(), nil
}

// Hash returns a new encoded hash of password under the Hasher's policy, with
// a fresh random salt. The password is converted to Unicode Normalization Form
// C first (NIST SP 800-63B), so the same characters typed on any system match.
// Hash returns ErrPasswordTooLong for a password over MaxPasswordLength
// (before or after normalisation), and, when the policy is bcrypt, for one
// over 72 bytes rather than truncating it.
func (h *Hasher) Hash(password string) (string, error) {
	c := h.config()
	limit := c.Limits.MaxPasswordLength
	if len(password) > limit {
		return "", ErrPasswordTooLong
	}
	password = norm.NFC.String(password)
	if len(password) > limit {
		return "", ErrPasswordTooLong
	}
	switch c.Algorithm {
	case FormatBcrypt:
		if len(password) > bcryptMaxPassword {
			return "", fmt.Errorf("%w: bcrypt uses at most %d bytes", ErrPasswordTooLong, bcryptMaxPassword)
		}
		out, err := bcrypt.GenerateFromPassword([]byte(password), c.BcryptCost)
		if err != nil {
			return "", fmt.Errorf("hash: bcrypt: %w", err)
		}
		return string(out), nil
	case FormatPBKDF2SFTPGo, FormatPBKDF2Passlib:
		p := &pbkdf2Hash{
			passlib: c.Algorithm == FormatPBKDF2Passlib, b64salt: c.Algorithm == FormatPBKDF2SFTPGo,
			digest: pbkdf2SHA256, iterations: uint64(c.PBKDF2.Iterations),
		}
		var err error
		if p.salt, err = h.salt(c.PBKDF2.SaltLength); err != nil {
			return "", err
		}
		if p.passlib {
			p.saltField = encodeAB64(p.salt)
		} else {
			p.saltField = stdPadded.EncodeToString(p.salt)
		}
		if p.key, err = pbkdf2.Key(sha256.New, password, p.salt, c.PBKDF2.Iterations, sha256.Size); err != nil {
			return "", fmt.Errorf("hash: pbkdf2: %w", err)
		}
		return p.encode(), nil
	default: // FormatArgon2id; resolve admits nothing else
		a := &argon2Hash{
			id: true, time: uint32(c.Argon2.Time), memory: uint32(c.Argon2.Memory), lanes: uint32(c.Argon2.Lanes),
		}
		var err error
		if a.salt, err = h.salt(c.Argon2.SaltLength); err != nil {
			return "", err
		}
		a.key = argon2Key(true, password, a.salt, a.time, a.memory, a.lanes, c.Argon2.KeyLength)
		return a.encode(), nil
	}
}

func (h *Hasher) salt(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(h.random(), b); err != nil {
		return nil, fmt.Errorf("hash: reading salt: %w", err)
	}
	return b, nil
}

// NeedsRehash reports whether a password verified against encoded should be
// hashed again with Hash and stored. It is true when encoded is in another
// format than the policy's (for PBKDF2: another digest or SFTPGo's plain-salt
// form), when any of its costs is below the policy's (Argon2 memory, time,
// salt or tag length; bcrypt cost; PBKDF2 iterations or salt length), and
// when Verify would refuse it. Argon2 lanes are not compared: they change
// the parallelism, not the work. It does no hashing.
func (h *Hasher) NeedsRehash(encoded string) bool {
	c := h.config()
	d, err := decodeLimited(encoded, c.Limits)
	if err != nil || d.format() != c.Algorithm {
		return true
	}
	switch d := d.(type) {
	case *argon2Hash:
		a := c.Argon2
		return int64(d.memory) < int64(a.Memory) || int64(d.time) < int64(a.Time) ||
			len(d.salt) < a.SaltLength || len(d.key) < a.KeyLength
	case *bcryptHash:
		return d.cost < c.BcryptCost
	case *pbkdf2Hash:
		return d.digest != pbkdf2SHA256 || (d.format() == FormatPBKDF2SFTPGo && !d.b64salt) ||
			d.iterations < uint64(c.PBKDF2.Iterations) || len(d.salt) < c.PBKDF2.SaltLength
	}
	return true
}
