package hash

// Format names an encoded password hash format. Its value is a short, stable
// lower-case name suitable for logs and metrics.
type Format string

// The formats Verify accepts. Hash produces FormatArgon2id by default, and
// FormatBcrypt, FormatPBKDF2SFTPGo or FormatPBKDF2Passlib when a Config asks.
const (
	// FormatBcrypt is bcrypt, $2a$, $2b$ and $2y$ (OpenBSD, libxcrypt,
	// Apache htpasswd -B). All three minor versions compute the same
	// function; $2$ and $2x$ are not supported.
	FormatBcrypt Format = "bcrypt"

	// FormatPBKDF2SFTPGo is SFTPGo's PBKDF2 form:
	// $pbkdf2-sha1$, $pbkdf2-sha256$ or $pbkdf2-sha512$ ITER$SALT$KEY where
	// SALT is used as the string's bytes and KEY is standard base64 with
	// padding, and $pbkdf2-b64salt-sha256$ITER$SALT$KEY where SALT is also
	// standard base64. Hash writes the $pbkdf2-b64salt-sha256$ form.
	FormatPBKDF2SFTPGo Format = "pbkdf2-sftpgo"

	// FormatPBKDF2Passlib is passlib's PBKDF2 form: $pbkdf2$ (SHA-1),
	// $pbkdf2-sha256$ or $pbkdf2-sha512$ ROUNDS$SALT$CHECKSUM with salt and
	// checksum in passlib's adapted base64 (./ alphabet, no padding).
	// The shared $pbkdf2-sha256$ and $pbkdf2-sha512$ prefixes are told
	// apart from SFTPGo's by the checksum's encoding.
	FormatPBKDF2Passlib Format = "pbkdf2-passlib"

	// FormatMD5Crypt is Poul-Henning Kamp's md5crypt, $1$.
	FormatMD5Crypt Format = "md5-crypt"

	// FormatSHA256Crypt is Ulrich Drepper's sha256crypt, $5$, with an
	// optional rounds= field.
	FormatSHA256Crypt Format = "sha256-crypt"

	// FormatSHA512Crypt is Ulrich Drepper's sha512crypt, $6$, with an
	// optional rounds= field.
	FormatSHA512Crypt Format = "sha512-crypt"

	// FormatApr1 is Apache's md5crypt variant, $apr1$ (htpasswd -m).
	FormatApr1 Format = "apr1"

	// FormatArgon2id is an Argon2id PHC string, version 19 (0x13), as
	// written by libargon2: $argon2id$v=19$m=M,t=T,p=P$SALT$TAG.
	FormatArgon2id Format = "argon2id"

	// FormatArgon2i is an Argon2i PHC string, version 19. Verify accepts
	// it; Hash never writes it.
	FormatArgon2i Format = "argon2i"
)
