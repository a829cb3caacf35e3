package hash

import (
	"fmt"
	"strings"
)

// decoded is an encoded hash parsed strictly into its parameters. Every
// implementation re-encodes to exactly the string it was decoded from.
type decoded interface {
	format() Format
	// checkLimits returns an error wrapping ErrLimit if a cost parameter
	// is over l. It does no hashing work.
	checkLimits(l Limits) error
	// verify hashes password with the decoded parameters and compares
	// the result with the stored checksum in constant time.
	verify(password string) (bool, error)
	// encode returns the canonical encoded form.
	encode() string
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func overLimit(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrLimit}, args...)...)
}

func unknown(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnknownFormat}, args...)...)
}

// decodeLimited checks the encoded length, parses encoded strictly and
// checks its parameters against l, in that order and before any hashing.
// Error messages never include the encoded hash itself.
func decodeLimited(encoded string, l Limits) (decoded, error) {
	if len(encoded) > l.MaxEncodedLength {
		return nil, overLimit("encoded hash is %d bytes, limit %d", len(encoded), l.MaxEncodedLength)
	}
	d, err := decode(encoded)
	if err != nil {
		return nil, err
	}
	if err := d.checkLimits(l); err != nil {
		return nil, err
	}
	return d, nil
}

// decode parses encoded by its prefix.
func decode(encoded string) (decoded, error) {
	switch {
	case encoded == "":
		return nil, unknown("empty string")
	case strings.HasPrefix(encoded, "$2"):
		return decodeBcrypt(encoded)
	case strings.HasPrefix(encoded, "$pbkdf2"):
		return decodePBKDF2(encoded)
	case strings.HasPrefix(encoded, "$1$"):
		return decodeCrypt(encoded, md5Crypt)
	case strings.HasPrefix(encoded, "$apr1$"):
		return decodeCrypt(encoded, apr1Crypt)
	case strings.HasPrefix(encoded, "$5$"):
		return decodeCrypt(encoded, sha256Crypt)
	case strings.HasPrefix(encoded, "$6$"):
		return decodeCrypt(encoded, sha512Crypt)
	case strings.HasPrefix(encoded, "$argon2"):
		return decodeArgon2(encoded)
	}
	return nil, unknown("unrecognised prefix")
}
