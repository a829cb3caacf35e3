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
	// halfLimits reports whether the hash costs at most half of the most
	// expensive hash of its format that l admits, so that verifying it
	// twice (Verify's NFC retry) costs no more than that hash once.
	halfLimits(l Limits, n int) bool
	// maxPassword is the longest password the format is verified with
	// (MaxCryptPasswordLength for formats whose cost grows with the
	// password's length), or 0 for no bound beyond MaxPasswordLength.
	maxPassword(l Limits) int
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
// Error messages never include the encoded hash itself. For a broken format
// it returns the decoded hash (so that Identify can name it) together with
// an error wrapping ErrInsecureFormat.
func decodeLimited(encoded string, l Limits) (decoded, error) {
	if len(encoded) > l.MaxEncodedLength {
		return nil, overLimit("encoded hash is %d bytes, limit %d", len(encoded), l.MaxEncodedLength)
	}
	d, err := decode(encoded)
	if err != nil {
		return nil, err
	}
	if in, ok := d.(*insecureHash); ok {
		return d, fmt.Errorf("%w: %s (the account needs a password reset)", ErrInsecureFormat, in.fmt)
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
	case strings.HasPrefix(encoded, "$y$"):
		return decodeYescrypt(encoded)
	case strings.HasPrefix(encoded, "$7$"):
		return decodeScrypt7(encoded)
	case strings.HasPrefix(encoded, "$scrypt$"):
		return decodeScryptPasslib(encoded)
	case strings.HasPrefix(encoded, "$bcrypt-sha256$"):
		return decodeBcryptSHA256(encoded)
	case strings.HasPrefix(encoded, "$P$"), strings.HasPrefix(encoded, "$H$"):
		return decodePhpass(encoded)
	case strings.HasPrefix(encoded, wrapPrefix):
		return decodeWrapped(encoded)
	case strings.HasPrefix(encoded, "$3$"):
		return decodeNTHash(encoded)
	case strings.HasPrefix(encoded, "{"):
		return decodeScheme(encoded)
	case strings.HasPrefix(encoded, "_"):
		return decodeBSDICrypt(encoded)
	}
	if d, ok, err := decodeDjango(encoded); ok {
		return d, err
	}
	if len(encoded) == desCryptLength && isHash64(encoded) {
		return decodeDESCrypt(encoded)
	}
	if d, ok := decodeASPNet(encoded); ok {
		return d, nil
	}
	return nil, unknown("unrecognised prefix")
}

// decodeCryptString parses a hash of a crypt(3) format, as {CRYPT} may hold:
// md5crypt, sha-crypt, bcrypt, yescrypt, scrypt ($7$), and the broken DES
// and BSDi crypts.
func decodeCryptString(s string) (decoded, error) {
	switch {
	case strings.HasPrefix(s, "$2"):
		return decodeBcrypt(s)
	case strings.HasPrefix(s, "$1$"):
		return decodeCrypt(s, md5Crypt)
	case strings.HasPrefix(s, "$5$"):
		return decodeCrypt(s, sha256Crypt)
	case strings.HasPrefix(s, "$6$"):
		return decodeCrypt(s, sha512Crypt)
	case strings.HasPrefix(s, "$y$"):
		return decodeYescrypt(s)
	case strings.HasPrefix(s, "$7$"):
		return decodeScrypt7(s)
	case strings.HasPrefix(s, "_"):
		return decodeBSDICrypt(s)
	case len(s) == desCryptLength && isHash64(s):
		return decodeDESCrypt(s)
	}
	return nil, unknown("crypt(3) format after a scheme prefix")
}
