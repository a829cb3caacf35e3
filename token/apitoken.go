package token

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
)

// API token layout: APITokenTag, apiBodyLen random base62 characters, then
// apiSumLen base62 characters of checksum.
const (
	// APITokenTag starts every API token, so a bearer credential can be told
	// apart from a JWT and a leaked token recognised by secret scanners.
	APITokenTag = "lt_"
	// APITokenLen is the length of every API token.
	APITokenLen = len(APITokenTag) + apiBodyLen + apiSumLen
	// APITokenPrefixLen is the length of APITokenPrefix's result.
	APITokenPrefixLen = 10
	// RefreshTokenTag starts every refresh token, which is laid out as an
	// API token is (RefreshTokenLen characters, the same checksum), so
	// neither can pass for the other.
	RefreshTokenTag = "lr_"
	// RefreshTokenLen is the length of every refresh token.
	RefreshTokenLen = len(RefreshTokenTag) + apiBodyLen + apiSumLen

	// apiBodyLen base62 characters carry 43·log2(62) ≈ 256.03 bits, as much
	// as 32 random bytes.
	apiBodyLen = 43
	apiSumLen  = 6
	// apiSumMod is 62^6, the number of distinct checksums.
	apiSumMod = 62 * 62 * 62 * 62 * 62 * 62
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// notBase62 is 0 for base62 characters and 1 for every other byte. It is
// never modified. It is indexed only by public bytes (APITokenPrefix);
// CheckAPIToken uses isBase62, which does not index memory by the secret.
var notBase62 = func() (t [256]byte) {
	for i := range t {
		t[i] = 1
	}
	for i := 0; i < len(base62); i++ {
		t[base62[i]] = 0
	}
	return t
}()

// GenerateAPIToken returns a new API token and its Digest, the only form to
// store. The token is APITokenTag, 43 base62 characters drawn uniformly
// from crypto/rand (256 bits, the strength of 32 random bytes, by rejection
// sampling), and a 6-character base62 checksum: the first 8 bytes of
// SHA-256 over the tag and the random characters, as a big-endian integer
// modulo 62^6, most significant digit first.
//
// The checksum lets CheckAPIToken reject a mistyped or foreign string
// without a store read, and lets secret scanners confirm a leaked token
// offline; it adds no secrecy.
func GenerateAPIToken() (token string, digest string, err error) {
	return generateTagged(rand.Reader, APITokenTag)
}

// GenerateRefreshToken returns a new refresh token and its Digest, the only
// form to store: RefreshTokenTag, then 43 random base62 characters and a
// checksum made as GenerateAPIToken makes them.
func GenerateRefreshToken() (token string, digest string, err error) {
	return generateTagged(rand.Reader, RefreshTokenTag)
}

func generateAPIToken(r io.Reader) (string, string, error) { return generateTagged(r, APITokenTag) }

// generateTagged makes a token of the API token layout with tag, a string
// of len(APITokenTag) bytes.
func generateTagged(r io.Reader, tag string) (string, string, error) {
	var tok [APITokenLen]byte
	copy(tok[:], tag)
	body := tok[len(tag) : len(tag)+apiBodyLen]
	var pool [64]byte
	n := 0
	for n < apiBodyLen {
		if _, err := io.ReadFull(r, pool[:]); err != nil {
			return "", "", fmt.Errorf("token: reading random bytes: %w", err)
		}
		for _, b := range pool {
			// 248 = 4·62: values from 248 up would favour some characters.
			if b < 248 && n < apiBodyLen {
				body[n] = base62[b%62]
				n++
			}
		}
	}
	clear(pool[:])
	putChecksum(tok[len(tok)-apiSumLen:], tok[:len(tok)-apiSumLen])
	s := string(tok[:])
	clear(tok[:])
	return s, Digest(s), nil
}

// putChecksum writes the checksum of taggedBody into dst (apiSumLen bytes).
func putChecksum(dst []byte, taggedBody []byte) {
	sum := sha256.Sum256(taggedBody)
	v := binary.BigEndian.Uint64(sum[:8]) % apiSumMod
	for i := apiSumLen - 1; i >= 0; i-- {
		dst[i] = base62[v%62]
		v /= 62
	}
}

// CheckAPIToken reports whether token is well formed: APITokenTag, the
// right length, base62 characters and a matching checksum. It returns
// ErrMalformed otherwise. It reads no store; a well-formed token must still
// be looked up by its Digest. Past the length and tag, which are public,
// its running time and memory accesses do not depend on the characters.
func CheckAPIToken(token string) error {
	if !checkTagged(token, APITokenTag) {
		return errAPIToken
	}
	return nil
}

// CheckRefreshToken is CheckAPIToken for refresh tokens (RefreshTokenTag).
func CheckRefreshToken(token string) error {
	if !checkTagged(token, RefreshTokenTag) {
		return errRefreshToken
	}
	return nil
}

// checkTagged reports whether token is well formed with tag, in time
// independent of the characters past the tag.
func checkTagged(token, tag string) bool {
	if len(token) != APITokenLen || token[:len(tag)] != tag {
		return false
	}
	ok := 1
	for i := len(APITokenTag); i < len(token); i++ {
		ok &= isBase62(token[i])
	}
	var buf [APITokenLen]byte
	copy(buf[:], token)
	var want [apiSumLen]byte
	putChecksum(want[:], buf[:APITokenLen-apiSumLen])
	ok &= subtle.ConstantTimeCompare(want[:], buf[APITokenLen-apiSumLen:])
	clear(buf[:])
	return ok == 1
}

// isBase62 returns 1 if c is in [0-9A-Za-z] and 0 otherwise, without a
// branch or a table lookup that depends on c.
func isBase62(c byte) int {
	x := int32(c)
	return inRange(x, '0', '9') | inRange(x, 'A', 'Z') | inRange(x, 'a', 'z')
}

// inRange returns 1 if lo <= x <= hi and 0 otherwise, without a branch:
// d = x-lo is in [0, n) exactly when the sign bits of ^d and d-n are both
// set.
func inRange(x, lo, hi int32) int {
	d := x - lo
	return int(uint32(^d&(d-(hi-lo+1))) >> 31)
}

var (
	errAPIToken     = fmt.Errorf("%w: not an API token or mistyped", ErrMalformed)
	errRefreshToken = fmt.Errorf("%w: not a refresh token or mistyped", ErrMalformed)
)

// Digest returns the lower-case hex SHA-256 of token: the key under which
// the store keeps an API token, so a lookup is one indexed read and a store
// dump holds no usable token. SHA-256 runs in time independent of the
// token's bytes. Digest does not check the format; call CheckAPIToken first.
func Digest(token string) string {
	var sum [sha256.Size]byte
	if len(token) <= 128 {
		var buf [128]byte // keeps the usual case off the heap
		n := copy(buf[:], token)
		sum = sha256.Sum256(buf[:n])
		clear(buf[:n])
	} else {
		sum = sha256.Sum256([]byte(token))
	}
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// APITokenPrefix returns the first APITokenPrefixLen characters of an API
// token (the tag and 7 random characters, about 42 of its 256 bits), to show
// in lists so users can tell their tokens apart. It returns "" for a string
// that does not start like an API token.
func APITokenPrefix(token string) string {
	if len(token) < APITokenPrefixLen || token[:len(APITokenTag)] != APITokenTag {
		return ""
	}
	p := token[:APITokenPrefixLen]
	for i := len(APITokenTag); i < len(p); i++ {
		if notBase62[p[i]] != 0 {
			return ""
		}
	}
	return p
}
