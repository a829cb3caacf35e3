package hash

import "errors"

var (
	// ErrUnknownFormat is returned for an encoded hash whose prefix names no
	// supported format, or a variant this package does not compute (bcrypt
	// $2$ and $2x$, argon2d, argon2 version 0x10). The empty string is an
	// unknown format.
	ErrUnknownFormat = errors.New("hash: unknown format")

	// ErrMalformed is returned for an encoded hash of a known format that
	// is not in its canonical form: a missing, truncated or extra field,
	// a character outside the field's alphabet, non-canonical base64, a
	// number with a sign or a leading zero, or a parameter outside the
	// range the format's reference implementation accepts.
	ErrMalformed = errors.New("hash: malformed encoded hash")

	// ErrLimit is returned for an encoded hash longer than
	// Limits.MaxEncodedLength or whose cost parameters exceed the Hasher's
	// Limits. It is returned before any hashing work is done.
	ErrLimit = errors.New("hash: parameters over the safety limits")

	// ErrPasswordTooLong is returned for a password longer than
	// Limits.MaxPasswordLength bytes, and by Hash for a password longer
	// than 72 bytes when the policy is bcrypt.
	ErrPasswordTooLong = errors.New("hash: password too long")

	// ErrInsecureFormat is returned for an encoded hash of a format that
	// is recognised but broken (traditional DES and BSDi crypt, NT hashes,
	// unsalted or salted single MD5, cleartext): such a hash must not be
	// used to let anyone in, and the account needs a password reset.
	// Identify returns the format's name together with this error. It is
	// returned before any hashing work.
	ErrInsecureFormat = errors.New("hash: insecure format")

	// ErrNotWrappable is returned by Wrap for a hash of a format it does
	// not wrap (one whose own cost protects it, such as bcrypt or Argon2).
	ErrNotWrappable = errors.New("hash: format cannot be wrapped")

	// ErrInvalidConfig is returned by New for a Config with a value out of
	// range or a policy that its own Limits would refuse.
	ErrInvalidConfig = errors.New("hash: invalid config")
)
