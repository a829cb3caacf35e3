package hash

// Format names an encoded password hash format. Its value is a short, stable
// lower-case name suitable for logs and metrics.
type Format string

// The formats Verify accepts. Hash produces FormatArgon2id by default, and
// FormatBcrypt, FormatPBKDF2SFTPGo or FormatPBKDF2Passlib when a Config asks.
const (
	// FormatBcrypt is bcrypt, $2a$, $2b$ and $2y$ (OpenBSD, libxcrypt,
	// Apache htpasswd -B). All three minor versions compute the same
	// function; $2$ and $2x$ are not supported. It is also the format of
	// such a hash behind an LDAP {CRYPT} or Dovecot {BLF-CRYPT} prefix.
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

	// FormatMD5Crypt is Poul-Henning Kamp's md5crypt, $1$, also behind an
	// LDAP {CRYPT} or Dovecot {MD5-CRYPT} prefix.
	FormatMD5Crypt Format = "md5-crypt"

	// FormatSHA256Crypt is Ulrich Drepper's sha256crypt, $5$, with an
	// optional rounds= field, also behind an LDAP {CRYPT} or Dovecot
	// {SHA256-CRYPT} prefix.
	FormatSHA256Crypt Format = "sha256-crypt"

	// FormatSHA512Crypt is Ulrich Drepper's sha512crypt, $6$, with an
	// optional rounds= field, also behind an LDAP {CRYPT} or Dovecot
	// {SHA512-CRYPT} prefix.
	FormatSHA512Crypt Format = "sha512-crypt"

	// FormatApr1 is Apache's md5crypt variant, $apr1$ (htpasswd -m).
	FormatApr1 Format = "apr1"

	// FormatArgon2id is an Argon2id PHC string, version 19 (0x13), as
	// written by libargon2: $argon2id$v=19$m=M,t=T,p=P$SALT$TAG.
	FormatArgon2id Format = "argon2id"

	// FormatArgon2i is an Argon2i PHC string, version 19. Verify accepts
	// it; Hash never writes it.
	FormatArgon2i Format = "argon2i"

	// FormatYescrypt is yescrypt as libxcrypt writes it (mkpasswd -m
	// yescrypt, the default of current Linux distributions):
	// $y$jNR$SALT$HASH, where N encodes log2 of the block count and R the
	// block size, SALT and HASH are in crypt's little-endian base64. The
	// parameters computed are those libxcrypt's costs 1 to 11 produce
	// (N from 2^10 to 2^18, r from 1 to 32, no ROM, p=1, t=0); other
	// flags and parameters are ErrUnknownFormat. Also behind {CRYPT}.
	FormatYescrypt Format = "yescrypt"

	// FormatScrypt is scrypt in libxcrypt's (and passlib's) $7$ form:
	// $7$ N r p SALT $ HASH, with log2 N in one character, r and p in five
	// (30-bit little-endian) and the salt used as the string's bytes.
	// Also behind {CRYPT}.
	FormatScrypt Format = "scrypt"

	// FormatScryptPasslib is passlib's scrypt form:
	// $scrypt$ln=LOG2N,r=R,p=P$SALT$HASH with salt and 32-byte hash in
	// standard base64 without padding.
	FormatScryptPasslib Format = "scrypt-passlib"

	// FormatBcryptSHA256 is passlib's bcrypt_sha256:
	// $bcrypt-sha256$v=2,t=2b,r=COST$SALT$HASH is bcrypt of the base64 of
	// HMAC-SHA256(key=SALT, password), so passwords are not cut at 72
	// bytes; the older $bcrypt-sha256$2a,COST$SALT$HASH (or 2b) is bcrypt
	// of the base64 of SHA-256(password).
	FormatBcryptSHA256 Format = "bcrypt-sha256"

	// FormatPhpass is the portable phpass hash of WordPress, phpBB
	// ($H$) and Drupal 6: $P$ or $H$, one character for log2 of the
	// iteration count (7 to 30), an 8-character salt and 22 characters of
	// iterated MD5.
	FormatPhpass Format = "phpass"

	// FormatDjangoPBKDF2SHA256 is Django's pbkdf2_sha256$ITER$SALT$KEY,
	// KEY being standard base64 with padding and SALT the string's bytes.
	FormatDjangoPBKDF2SHA256 Format = "django-pbkdf2-sha256"

	// FormatDjangoPBKDF2SHA1 is Django's pbkdf2_sha1$ITER$SALT$KEY.
	FormatDjangoPBKDF2SHA1 Format = "django-pbkdf2-sha1"

	// FormatDjangoArgon2 is Django's argon2$ followed by an Argon2id or
	// Argon2i PHC string without its leading '$'
	// (argon2$argon2id$v=19$m=...).
	FormatDjangoArgon2 Format = "django-argon2"

	// FormatDjangoBcryptSHA256 is Django's bcrypt_sha256$ followed by a
	// bcrypt hash of the hex SHA-256 of the password.
	FormatDjangoBcryptSHA256 Format = "django-bcrypt-sha256"

	// FormatDjangoBcrypt is Django's bcrypt$ followed by a bcrypt hash.
	FormatDjangoBcrypt Format = "django-bcrypt"

	// FormatDjangoSHA1 is Django's legacy sha1$SALT$HEX, one SHA-1 of
	// the salt and password (an empty salt is Django's unsalted SHA-1).
	FormatDjangoSHA1 Format = "django-sha1"

	// FormatDjangoMD5 is Django's legacy md5$SALT$HEX, one MD5 of the
	// salt and password.
	FormatDjangoMD5 Format = "django-md5"

	// FormatLDAPSSHA is {SSHA} (OpenLDAP, 389 Directory Server,
	// Dovecot): standard base64 of SHA-1(password+salt) followed by the
	// salt (1 to 64 bytes). The scheme name is matched without regard to
	// case, as OpenLDAP and Dovecot do.
	FormatLDAPSSHA Format = "ldap-ssha"

	// FormatLDAPSSHA256 is {SSHA256}, as {SSHA} with SHA-256.
	FormatLDAPSSHA256 Format = "ldap-ssha256"

	// FormatLDAPSSHA512 is {SSHA512}, as {SSHA} with SHA-512.
	FormatLDAPSSHA512 Format = "ldap-ssha512"

	// FormatLDAPSHA is {SHA}: standard base64 of SHA-1(password),
	// unsalted.
	FormatLDAPSHA Format = "ldap-sha"

	// FormatASPNetIdentityV3 is ASP.NET Core Identity's version 3 hash:
	// standard base64 of 0x01, the PRF as a big-endian uint32 (0
	// HMAC-SHA1, 1 HMAC-SHA256, 2 HMAC-SHA512), the iteration count and
	// the salt length (at least 16) as big-endian uint32s, the salt and a
	// 32-byte PBKDF2 subkey.
	FormatASPNetIdentityV3 Format = "aspnet-identity-v3"

	// FormatASPNetIdentityV2 is ASP.NET Identity's version 2 hash:
	// standard base64 of 0x00, a 16-byte salt and a 32-byte
	// PBKDF2-HMAC-SHA1 subkey of 1000 iterations.
	FormatASPNetIdentityV2 Format = "aspnet-identity-v2"
)

// FormatWrapped is a legacy hash wrapped in Argon2id by Wrap:
// $latch-wrap$FORMAT$SETTING$argon2id$v=19$m=M,t=T,p=P$SALT$TAG (see
// Hasher.Wrap). Verify accepts it; NeedsRehash is always true for it.
const FormatWrapped Format = "latch-wrap"

// Broken formats. Identify names them and Verify refuses them with
// ErrInsecureFormat: the account needs a password reset. They are
// recognised bare and behind the LDAP and Dovecot prefixes that carry them.
const (
	// FormatDESCrypt is traditional DES crypt: 13 characters, at most 8
	// password bytes, 12-bit salt (also {CRYPT} and Django's crypt$).
	FormatDESCrypt Format = "des-crypt"

	// FormatBSDICrypt is BSDi extended DES crypt, _ followed by 19
	// characters.
	FormatBSDICrypt Format = "bsdi-crypt"

	// FormatNTHash is the NT hash (unsalted MD4) in crypt's $3$$ form.
	FormatNTHash Format = "nt-hash"

	// FormatLDAPMD5 is {MD5}, one unsalted MD5.
	FormatLDAPMD5 Format = "ldap-md5"

	// FormatLDAPSMD5 is {SMD5}, one salted MD5.
	FormatLDAPSMD5 Format = "ldap-smd5"

	// FormatPlaintext is a password stored in clear behind {CLEARTEXT}
	// or {PLAIN}.
	FormatPlaintext Format = "plaintext"
)
