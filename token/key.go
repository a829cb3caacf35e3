package token

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Algorithm is a JWS signature algorithm name as it appears in a token's
// "alg" header. Each Key has exactly one; a token is verified only with the
// algorithm of the key its kid names.
type Algorithm string

const (
	// AlgHS256 is HMAC-SHA256 (RFC 7518 section 3.2) with a 256-bit random
	// secret. It is the documented default: tokens verify only where the
	// secret is, so JWKS publishes nothing for it.
	AlgHS256 Algorithm = "HS256"
	// AlgEdDSA is Ed25519 (RFC 8037). Anyone holding JWKS output can verify
	// the tokens; only the keyring can sign them.
	AlgEdDSA Algorithm = "EdDSA"
)

const (
	// hmacKeySize is the size of a generated HS256 secret: RFC 7518 section
	// 3.2 asks for at least the hash output size.
	hmacKeySize = 32
	// maxHMACKeySize bounds imported HS256 secrets.
	maxHMACKeySize = 128
	// maxKIDLen bounds a kid.
	maxKIDLen = 64

	keyVersion byte = 1
	algCodeHS  byte = 1
	algCodeEd  byte = 2
	// keyHeaderLen is version, algorithm, seconds, nanoseconds, kid length.
	keyHeaderLen = 1 + 1 + 8 + 4 + 1
)

// sealAD is the associated-data prefix binding a sealed key to its purpose;
// the kid follows it.
const sealAD = "latch/token/signing-key/v1\x00"

func (a Algorithm) valid() bool { return a == AlgHS256 || a == AlgEdDSA }

// Key is one JWT signing key: a kid, an algorithm, a creation time and the
// secret material (unexported). A Key is an immutable value, safe to copy
// and to share between goroutines. Printing a Key with any fmt verb shows
// its ID, Algorithm and CreatedAt only, never the material; MarshalBinary is
// the only way to get the material out, for sealing.
type Key struct {
	// ID is the key identifier carried in the "kid" header of the tokens it
	// signs: 1 to 64 characters from [A-Za-z0-9._~-].
	ID string
	// Algorithm is the only algorithm tokens with this kid may use.
	Algorithm Algorithm
	// CreatedAt is when the key was made, in UTC, truncated to the
	// microsecond. A keyring's newest key (by CreatedAt, ties broken by ID)
	// is its current signing key.
	CreatedAt time.Time

	// m returns the material. It is a func so that no printer (fmt with
	// any verb, even on a Key in an unexported field, or reflection-based
	// dumpers) can reach the material: they print a func as an address.
	m func() *material
}

// material is the secret part of a Key. It is never modified after the Key
// is built.
type material struct {
	secret []byte             // AlgHS256
	priv   ed25519.PrivateKey // AlgEdDSA
	pub    ed25519.PublicKey  // AlgEdDSA
}

// NewKey returns a fresh key for alg with random material and a random kid,
// created at now (in UTC, truncated to the microsecond). It returns
// ErrAlgorithm for an unsupported algorithm and ErrInvalidKey for a time
// outside the years 1970 to 9999.
func NewKey(alg Algorithm, now time.Time) (Key, error) {
	return newKey(rand.Reader, alg, now)
}

func newKey(r io.Reader, alg Algorithm, now time.Time) (Key, error) {
	if !alg.valid() {
		return Key{}, fmt.Errorf("%w: unsupported algorithm", ErrAlgorithm)
	}
	var raw [16 + hmacKeySize]byte
	if _, err := io.ReadFull(r, raw[:]); err != nil {
		return Key{}, fmt.Errorf("token: reading random bytes: %w", err)
	}
	id := kidText(raw[:16])
	mat := raw[16:]
	k, err := buildKey(id, alg, now, mat)
	clear(raw[:])
	return k, err
}

// kidText encodes 16 random bytes as 26 characters of unpadded base32
// ([A-Z2-7]), the alphabet crypto/rand.Text uses.
func kidText(b []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// buildKey validates its inputs and builds a Key; mat is copied.
func buildKey(id string, alg Algorithm, createdAt time.Time, mat []byte) (Key, error) {
	if !validKID(id) {
		return Key{}, fmt.Errorf("%w: malformed kid", ErrInvalidKey)
	}
	if !validCreatedAt(createdAt) {
		return Key{}, fmt.Errorf("%w: creation time outside years 1970 to 9999", ErrInvalidKey)
	}
	k := Key{ID: id, Algorithm: alg, CreatedAt: createdAt.UTC().Truncate(time.Microsecond)}
	switch alg {
	case AlgHS256:
		if len(mat) < hmacKeySize || len(mat) > maxHMACKeySize {
			return Key{}, fmt.Errorf("%w: HS256 secret must be 32 to 128 bytes", ErrInvalidKey)
		}
		m := &material{secret: append([]byte(nil), mat...)}
		k.m = func() *material { return m }
	case AlgEdDSA:
		if len(mat) != ed25519.SeedSize {
			return Key{}, fmt.Errorf("%w: EdDSA seed must be 32 bytes", ErrInvalidKey)
		}
		priv := ed25519.NewKeyFromSeed(mat)
		m := &material{priv: priv, pub: priv.Public().(ed25519.PublicKey)}
		k.m = func() *material { return m }
	default:
		return Key{}, fmt.Errorf("%w: unsupported algorithm", ErrAlgorithm)
	}
	return k, nil
}

// validCreatedAt reports whether t is in the years 1970 to 9999, the range
// the binary form holds.
func validCreatedAt(t time.Time) bool {
	return t.Unix() >= 0 && t.Unix() < maxUnix
}

// maxUnix is 10000-01-01T00:00:00Z.
const maxUnix = 253402300800

// validKID reports whether id is 1 to 64 characters of [A-Za-z0-9._~-]
// (RFC 3986 unreserved characters: safe in JSON, URLs and logs).
func validKID(id string) bool {
	if len(id) == 0 || len(id) > maxKIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == '~', c == '-':
		default:
			return false
		}
	}
	return true
}

// check returns ErrInvalidKey (or ErrAlgorithm) unless k is a usable key.
func (k Key) check() error {
	if k.m == nil || !validKID(k.ID) {
		return fmt.Errorf("%w: not a key made by NewKey or UnmarshalKey", ErrInvalidKey)
	}
	if !validCreatedAt(k.CreatedAt) {
		return fmt.Errorf("%w: creation time outside years 1970 to 9999", ErrInvalidKey)
	}
	if !k.Algorithm.valid() {
		return fmt.Errorf("%w: unsupported algorithm", ErrAlgorithm)
	}
	switch k.Algorithm {
	case AlgHS256:
		if len(k.m().secret) < hmacKeySize {
			return fmt.Errorf("%w: no HS256 secret", ErrInvalidKey)
		}
	case AlgEdDSA:
		if len(k.m().priv) != ed25519.PrivateKeySize {
			return fmt.Errorf("%w: no EdDSA key", ErrInvalidKey)
		}
	}
	return nil
}

// signingKey returns what golang-jwt's signing method expects.
func (k Key) signingKey() any {
	if k.Algorithm == AlgEdDSA {
		return k.m().priv
	}
	return k.m().secret
}

// verificationKey returns what golang-jwt's signing method expects.
func (k Key) verificationKey() any {
	if k.Algorithm == AlgEdDSA {
		return k.m().pub
	}
	return k.m().secret
}

// String returns the key's ID, algorithm and creation time, never its
// material.
func (k Key) String() string {
	return fmt.Sprintf("token.Key{ID:%q Algorithm:%s CreatedAt:%s}", k.ID, k.Algorithm, k.CreatedAt.Format(time.RFC3339Nano))
}

// Format writes String for every verb, so no fmt verb (%v, %+v, %#v, %x,
// %d...) can print the key material.
func (k Key) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, k.String())
}

// MarshalBinary returns the key with its secret material, to be sealed (see
// SealKey) before it is stored. The format is versioned: version, algorithm,
// creation time, kid, then the HS256 secret or the 32-byte Ed25519 seed.
// It returns ErrInvalidKey for a Key not made by NewKey or UnmarshalKey.
func (k Key) MarshalBinary() ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	var mat []byte
	code := algCodeHS
	if k.Algorithm == AlgEdDSA {
		code = algCodeEd
		mat = k.m().priv.Seed()
	} else {
		mat = k.m().secret
	}
	out := make([]byte, 0, keyHeaderLen+len(k.ID)+len(mat))
	out = append(out, keyVersion, code)
	created := k.CreatedAt.Truncate(time.Microsecond)
	out = binary.BigEndian.AppendUint64(out, uint64(created.Unix()))
	out = binary.BigEndian.AppendUint32(out, uint32(created.Nanosecond()))
	out = append(out, byte(len(k.ID)))
	out = append(out, k.ID...)
	out = append(out, mat...)
	if k.Algorithm == AlgEdDSA {
		clear(mat)
	}
	return out, nil
}

// UnmarshalKey decodes the output of MarshalBinary. Anything else, including
// trailing bytes or a non-canonical time, gives ErrInvalidKey (or ErrAlgorithm for an unknown
// algorithm code). The result does not alias b.
func UnmarshalKey(b []byte) (Key, error) {
	if len(b) < keyHeaderLen || b[0] != keyVersion {
		return Key{}, fmt.Errorf("%w: unknown encoding", ErrInvalidKey)
	}
	var alg Algorithm
	switch b[1] {
	case algCodeHS:
		alg = AlgHS256
	case algCodeEd:
		alg = AlgEdDSA
	default:
		return Key{}, fmt.Errorf("%w: unsupported algorithm", ErrAlgorithm)
	}
	sec := int64(binary.BigEndian.Uint64(b[2:10]))
	nsec := binary.BigEndian.Uint32(b[10:14])
	if sec < 0 || sec >= maxUnix || nsec >= 1e9 || nsec%1000 != 0 {
		return Key{}, fmt.Errorf("%w: bad creation time", ErrInvalidKey)
	}
	n := int(b[14])
	rest := b[keyHeaderLen:]
	if n > len(rest) {
		return Key{}, fmt.Errorf("%w: truncated", ErrInvalidKey)
	}
	return buildKey(string(rest[:n]), alg, time.Unix(sec, int64(nsec)), rest[n:])
}

// Sealer encrypts and authenticates small values with associated data, as
// *seal.Sealer (package github.com/latchkit/latch/seal) does: Open must
// refuse a value sealed with other associated data or another key. SealKey
// and OpenKey take any Sealer, so a host may keep keys in a KMS.
type Sealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(sealed, additionalData []byte) ([]byte, error)
}

// SealKey returns k encrypted and authenticated with s, for storage. The
// result starts with the kid in the clear (it is public: every token carries
// it), and the associated data binds the sealed material to that kid and to
// this purpose, so a sealed value copied under another kid, or a value
// sealed for another purpose with the same sealer, does not open.
func SealKey(s Sealer, k Key) ([]byte, error) {
	plain, err := k.MarshalBinary()
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	sealed, err := s.Seal(plain, sealedAD(k.ID))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 1+len(k.ID)+len(sealed))
	out = append(out, byte(len(k.ID)))
	out = append(out, k.ID...)
	return append(out, sealed...), nil
}

// OpenKey decrypts a value made by SealKey with the same sealing key. It
// returns an error matching ErrInvalidKey for anything else; when the
// authenticated decryption fails the error wraps the Sealer's (for
// *seal.Sealer, seal.ErrOpen).
func OpenKey(s Sealer, sealed []byte) (Key, error) {
	if len(sealed) < 1 || int(sealed[0]) > len(sealed)-1 {
		return Key{}, fmt.Errorf("%w: malformed sealed key", ErrInvalidKey)
	}
	n := int(sealed[0])
	id := string(sealed[1 : 1+n])
	if !validKID(id) {
		return Key{}, fmt.Errorf("%w: malformed sealed key", ErrInvalidKey)
	}
	plain, err := s.Open(sealed[1+n:], sealedAD(id))
	if err != nil {
		return Key{}, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	defer clear(plain)
	k, err := UnmarshalKey(plain)
	if err != nil {
		return Key{}, err
	}
	if k.ID != id {
		return Key{}, fmt.Errorf("%w: kid mismatch", ErrInvalidKey)
	}
	return k, nil
}

func sealedAD(kid string) []byte {
	return append([]byte(sealAD), kid...)
}
