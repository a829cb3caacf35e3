package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Recovery-code parameters.
const (
	// DefaultRecoveryCodes is the number of codes GenerateRecoveryCodes
	// makes when asked for 0 or fewer.
	DefaultRecoveryCodes = 10
	// MaxRecoveryCodes bounds the number of codes GenerateRecoveryCodes makes.
	MaxRecoveryCodes = 100
	// RecoveryCodeAlphabet holds the characters of recovery codes: digits
	// and lower-case letters without 0, 1, i, l and o, which are easily
	// confused. Input is accepted in either case.
	RecoveryCodeAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"
	// RecoveryCodeLength is the number of alphabet characters in a code,
	// shown as three groups of four: xxxx-xxxx-xxxx. 12 characters of 31
	// give 12·log2(31) ≈ 59.4 bits.
	RecoveryCodeLength = 12
	// MaxRecoveryCodeInput bounds the input NormalizeRecoveryCode reads,
	// in bytes, separators included.
	MaxRecoveryCodeInput = 64
	// MaxUserIDLength bounds the user IDs RecoveryCodeDigest accepts, in bytes.
	MaxUserIDLength = 1024
	// MinRecoveryKeyLength is the shortest key KeyedRecoveryCodeDigest
	// accepts, in bytes.
	MinRecoveryKeyLength = 16
)

const (
	groupLength = 4
	// formattedLength is the length of a normalised code, dashes included.
	formattedLength = RecoveryCodeLength + RecoveryCodeLength/groupLength - 1
	// rejectAbove is the largest multiple of the alphabet size that fits in a
	// byte: random bytes from it up are dropped so that every character is
	// equally likely (rejection sampling).
	rejectAbove = 256 - 256%len(RecoveryCodeAlphabet)
	// digestDomain separates recovery-code digests from every other use of
	// SHA-256. Changing it (or the layout in recoveryDigest) invalidates
	// every stored digest.
	digestDomain = "latch/totp/recovery-code/v1"
	// keyedDigestDomain is the same for KeyedRecoveryCodeDigest, and keeps
	// its messages apart from any other use of the same HMAC key.
	keyedDigestDomain = "latch/totp/recovery-code/keyed/v1"
)

// GenerateRecoveryCodes returns n distinct random recovery codes formatted
// as xxxx-xxxx-xxxx (DefaultRecoveryCodes when n <= 0), each about 59 bits
// from crypto/rand. Show them to the user once and store only their
// KeyedRecoveryCodeDigest (or, without a server key, RecoveryCodeDigest). It returns an error wrapping ErrInvalidArgument if n
// is above MaxRecoveryCodes.
func GenerateRecoveryCodes(n int) ([]string, error) {
	if n <= 0 {
		n = DefaultRecoveryCodes
	}
	if n > MaxRecoveryCodes {
		return nil, fmt.Errorf("%w: %d recovery codes is more than %d", ErrInvalidArgument, n, MaxRecoveryCodes)
	}
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(codes) < n {
		c := randomRecoveryCode()
		if !seen[c] { // a repeat is a 2^-59 event, but cheap to rule out
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return codes, nil
}

// randomRecoveryCode draws RecoveryCodeLength characters uniformly from
// the alphabet by rejection sampling and formats them.
func randomRecoveryCode() string {
	var chars [RecoveryCodeLength]byte
	var buf [2 * RecoveryCodeLength]byte
	n := 0
	for n < len(chars) {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never returns an error
		for _, b := range buf {
			if int(b) >= rejectAbove {
				continue
			}
			chars[n] = RecoveryCodeAlphabet[int(b)%len(RecoveryCodeAlphabet)]
			n++
			if n == len(chars) {
				break
			}
		}
	}
	return formatRecoveryCode(chars)
}

func formatRecoveryCode(chars [RecoveryCodeLength]byte) string {
	var out [formattedLength]byte
	j := 0
	for i, c := range chars {
		if i > 0 && i%groupLength == 0 {
			out[j] = '-'
			j++
		}
		out[j] = c
		j++
	}
	return string(out[:])
}

// NormalizeRecoveryCode returns the canonical form xxxx-xxxx-xxxx of a
// recovery code as a user typed it: letters in either case, with dashes and
// ASCII spaces anywhere (they are dropped and the groups rebuilt). It returns
// ErrInvalidCode for input longer than MaxRecoveryCodeInput bytes, any other
// character (including the excluded 0, 1, i, l, o) or a count of code
// characters other than RecoveryCodeLength. A generated code normalises to
// itself, and the result normalises to itself.
func NormalizeRecoveryCode(s string) (string, error) {
	if len(s) > MaxRecoveryCodeInput {
		return "", ErrInvalidCode
	}
	var chars [RecoveryCodeLength]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == ' ' {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !inAlphabet(c) || n == len(chars) {
			return "", ErrInvalidCode
		}
		chars[n] = c
		n++
	}
	if n != len(chars) {
		return "", ErrInvalidCode
	}
	return formatRecoveryCode(chars), nil
}

func inAlphabet(c byte) bool {
	for i := 0; i < len(RecoveryCodeAlphabet); i++ {
		if RecoveryCodeAlphabet[i] == c {
			return true
		}
	}
	return false
}

// RecoveryCodeDigest returns the legacy, unkeyed digest of a recovery code
// of a user: the lower-case hex SHA-256 of
//
//	"latch/totp/recovery-code/v1" || uint64be(len(userID)) || userID ||
//	uint64be(len(norm)) || norm
//
// where norm is NormalizeRecoveryCode(code). Binding the user ID makes the
// same code give different digests for two users, so a digest is useful only
// for its own user. Every input is public, though: whoever reads a stored
// digest (a database or a dump) can test guesses against it offline, so
// new digests should be KeyedRecoveryCodeDigest; this form stays to check
// codes stored before. It returns ErrInvalidCode for a code that does not
// normalise and an error wrapping ErrInvalidArgument for an empty user ID or
// one longer than MaxUserIDLength.
func RecoveryCodeDigest(userID, code string) (string, error) {
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	norm, err := NormalizeRecoveryCode(code)
	if err != nil {
		return "", err
	}
	d := recoveryDigest(userID, norm)
	return hex.EncodeToString(d[:]), nil
}

// KeyedRecoveryCodeDigest returns the value to store for a recovery code of
// a user, keyed with a server secret: the lower-case hex HMAC-SHA-256, under
// key, of
//
//	"latch/totp/recovery-code/keyed/v1" || uint64be(len(userID)) || userID ||
//	uint64be(len(norm)) || norm
//
// where norm is NormalizeRecoveryCode(code). Without the key a stored
// digest tells nothing about the code and cannot be tested offline; with
// another key the same code gives another digest. key must be at least
// MinRecoveryKeyLength bytes of secret randomness (derive it from a master
// key, for example with crypto/hkdf, rather than reusing one). It returns
// ErrInvalidCode for a code that does not normalise and an error wrapping
// ErrInvalidArgument for a short key or a bad user ID (as
// RecoveryCodeDigest).
func KeyedRecoveryCodeDigest(key []byte, userID, code string) (string, error) {
	if len(key) < MinRecoveryKeyLength {
		return "", fmt.Errorf("%w: recovery digest key of %d bytes is shorter than %d", ErrInvalidArgument, len(key), MinRecoveryKeyLength)
	}
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	norm, err := NormalizeRecoveryCode(code)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write(digestMessage(keyedDigestDomain, userID, norm))
	return hex.EncodeToString(m.Sum(nil)), nil
}

func checkUserID(userID string) error {
	if userID == "" || len(userID) > MaxUserIDLength {
		return fmt.Errorf("%w: user id length %d outside 1..%d", ErrInvalidArgument, len(userID), MaxUserIDLength)
	}
	return nil
}

func recoveryDigest(userID, norm string) [sha256.Size]byte {
	return sha256.Sum256(digestMessage(digestDomain, userID, norm))
}

// digestMessage is the digested message: the domain, then the user ID and
// the normalised code, each after its length.
func digestMessage(domain, userID, norm string) []byte {
	msg := make([]byte, 0, len(domain)+16+len(userID)+len(norm))
	msg = append(msg, domain...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(len(userID)))
	msg = append(msg, userID...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(len(norm)))
	msg = append(msg, norm...)
	return msg
}

// MatchRecoveryCode reports whether code, as the user typed it, is one of
// the user's recovery codes, given their stored legacy digests (from
// RecoveryCodeDigest), and returns the index of the first matching digest,
// or -1 and false. It compares against every digest in constant time and
// does not stop at a match, so its timing depends only on the number of
// digests. A code that does not normalise, or an invalid user ID, matches
// nothing. Consuming the code is the caller's atomic store operation.
func MatchRecoveryCode(code string, userID string, digests []string) (int, bool) {
	if checkUserID(userID) != nil {
		return -1, false
	}
	norm, err := NormalizeRecoveryCode(code)
	if err != nil {
		return -1, false
	}
	d := recoveryDigest(userID, norm)
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], d[:])
	index, found := -1, 0
	for i, stored := range digests {
		eq := subtle.ConstantTimeCompare([]byte(stored), want[:])
		index = subtle.ConstantTimeSelect(eq&^found, i, index)
		found |= eq
	}
	return index, found == 1
}
