// Package hash verifies passwords stored in every common format and hashes new
// ones with Argon2id.
//
// In the common case use the package-level functions, which apply the
// default policy and limits:
//
//	ok, err := hash.Verify(password, stored)
//	switch {
//	case err != nil:
//		// stored is unusable: unknown, malformed or over the limits
//	case !ok:
//		// wrong password
//	case hash.NeedsRehash(stored):
//		stored, err = hash.Hash(password) // upgrade on successful login
//	}
//
// A host that must tune the policy or the limits builds a [Hasher] with
// [New]; its methods have the same meaning. [Identify] checks an imported hash
// without a password.
//
// # Formats
//
// [Verify] accepts:
//
//   - bcrypt ($2a$, $2b$, $2y$), and bcrypt over a digest of the password:
//     passlib's $bcrypt-sha256$ (v=2 and v=1) and Django's bcrypt_sha256$,
//     and Django's bcrypt$;
//   - Argon2id and Argon2i PHC strings of version 19, bare and behind
//     Django's argon2$;
//   - yescrypt ($y$, as libxcrypt and mkpasswd write it, every cost up to
//     the memory limit) and scrypt, in libxcrypt's $7$ form and in passlib's
//     $scrypt$ form;
//   - PBKDF2 in SFTPGo's form ($pbkdf2-sha1$, $pbkdf2-sha256$,
//     $pbkdf2-sha512$, $pbkdf2-b64salt-sha256$), passlib's ($pbkdf2$,
//     $pbkdf2-sha256$, $pbkdf2-sha512$) and Django's (pbkdf2_sha256$,
//     pbkdf2_sha1$), and ASP.NET Core Identity's version 3 and version 2
//     base64 blobs;
//   - md5crypt ($1$), Apache apr1 ($apr1$), sha256crypt ($5$) and
//     sha512crypt ($6$) with or without rounds=, and phpass ($P$, $H$:
//     WordPress, phpBB, Drupal 6);
//   - single salted digests: LDAP's {SSHA}, {SSHA256}, {SSHA512} and
//     unsalted {SHA}, and Django's legacy sha1$ and md5$;
//   - every crypt(3) format above behind an LDAP {CRYPT} prefix, and
//     Dovecot's {SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT} and {MD5-CRYPT}.
//     Scheme names are matched without regard to case, as OpenLDAP and
//     Dovecot do.
//
// The [Format] constants document each one. Broken formats are recognised
// but never verified: traditional DES and BSDi crypt (also behind {CRYPT}
// and Django's crypt$), NT hashes ($3$), {MD5}, {SMD5}, {CLEARTEXT} and
// {PLAIN}. [Identify] names them and [Verify] refuses them with
// [ErrInsecureFormat]: such an account needs a password reset. Every
// format other than the policy's is upgraded by [NeedsRehash].
//
// [Wrap] protects the cheap formats (md5crypt, apr1, sha-crypt, phpass, the
// salted digests, PBKDF2) at import, before their users sign in again: it
// replaces the legacy checksum by an Argon2id hash of it
// ($latch-wrap$, [FormatWrapped]), which Verify verifies at the legacy cost
// plus one Argon2id.
//
// New hashes are Argon2id with the OWASP parameters m=19 MiB, t=2, p=1, a
// 16-byte salt and a 32-byte tag: about 25 ms on one core. RFC 9106's second
// recommended option (m=64 MiB, t=3, p=4) is about 125 ms on a 2-core machine,
// too slow to run on every login there; a host with more cores can choose it
// in [Config]. A [Config] may instead choose bcrypt or PBKDF2-HMAC-SHA256 (in
// SFTPGo's or passlib's form) for hosts whose other systems must read the
// hashes.
//
// # Security
//
// Parsing is strict and canonical: a string is accepted only if it is exactly
// what the format's reference implementation (OpenBSD bcrypt and libxcrypt,
// passlib, libargon2, SFTPGo, Django, phpass, OpenLDAP, ASP.NET Core
// Identity) writes, so every accepted string re-encodes to
// itself. Numbers with a sign or a leading zero, base64 with the wrong
// alphabet, padding or non-zero trailing bits, missing, empty, truncated or
// extra fields, salts longer than crypt(3) uses, and parameters outside the
// reference's range are refused with [ErrMalformed], even where the Go
// library used to compute the hash would be lenient. This is stricter than
// passlib and SFTPGo, which also take "+29000" or padded or non-canonical
// base64, forms that none of them writes. An empty or truncated checksum
// never verifies.
//
// Verification is bounded. The encoded length, then every cost parameter, is
// checked against the [Limits] before any hashing, so a hostile hash (bcrypt
// cost 31, PBKDF2 with 2,000,000,000 iterations, sha512crypt rounds=999999999,
// Argon2 m=4294967295, a 1 MB string) is refused with [ErrLimit] in
// microseconds. The defaults bound one verification to about a second on one
// core (BenchmarkWorstCase measures each format at its limits) while every
// cost common systems write still verifies: bcrypt cost ≤ 14, PBKDF2
// iterations ≤ 2,000,000 (counted once per digest-sized block of the derived
// key), sha-crypt rounds ≤ 1,000,000, Argon2 memory ≤ 256 MiB, time ≤ 16,
// memory×time ≤ 1 GiB, lanes ≤ 16, scrypt and yescrypt 128·N·r·p ≤ 256 MiB
// (the Argon2 memory limit), phpass 2^20 rounds, encoded length ≤ 1 KiB.
// Passwords are capped at 1024 bytes ([ErrPasswordTooLong]), and at
// [MaxCryptPasswordLength] (256) bytes against md5crypt, apr1, sha-crypt and
// phpass, which slow down with the password's length; against sha-crypt the
// length also counts in the rounds limit (see [Hasher.Verify]). Verify's
// Unicode retry (below) is made only against hashes that cost at most half
// of the limits, so it never doubles the worst case. Checksums are compared
// in constant time. Errors never contain the password or the encoded hash.
//
// Hashing a wrong password costs the same as a right one, but Verify's time
// still depends on the stored hash's format and parameters; a caller that
// must hide whether an account exists verifies against a dummy hash made by
// Hash.
//
// # Bcrypt's 72 bytes
//
// Bcrypt keys its cipher with at most 72 bytes of the password. [Hash] never
// truncates silently: with a bcrypt policy it returns [ErrPasswordTooLong] for
// a password over 72 bytes. [Verify] behaves as every bcrypt implementation
// does for existing hashes: bytes past the 72nd are ignored, so a hash made by
// htpasswd or OpenBSD from an 80-byte password verifies that password and any
// other with the same first 72 bytes. (OpenBSD before 5.5 also wrapped the
// length of $2a$ passwords over 255 bytes modulo 256; hashes it made that way
// do not verify here.)
//
// # Unicode
//
// [Hash] stores the hash of the password's Unicode Normalization Form C (NFC),
// as NIST SP 800-63B recommends, so "é" typed as one code point or as "e" plus
// a combining accent is the same password. [Verify] first hashes the password
// bytes as given, so hashes imported from systems that hashed raw bytes keep
// verifying when the user types what they always typed; if that does not
// match and the password is not already NFC, it tries the NFC form, which
// matches hashes made by Hash, provided the hash costs at most half of what
// the Limits admit ([New] requires that of the policy, so the retry is always
// made for hashes Hash makes). A hash imported from a system that stored a
// non-NFC form verifies only when the same bytes are typed. Passwords are
// otherwise used byte for byte: a NUL byte is part of the password (crypt(3)
// in C would stop there), so it cannot match a hash made by C code from a
// shorter password.
//
// # Dependencies
//
// bcrypt, Argon2 and scrypt come from golang.org/x/crypto, yescrypt (and the
// crypt base64 of yescrypt, $7$ and phpass) from github.com/go-crypt/x,
// PBKDF2, HMAC, MD5, SHA-1 and SHA-2 from the standard library, md5crypt,
// apr1 and sha-crypt from github.com/GehirnInc/crypt, and NFC from
// golang.org/x/text/unicode/norm. The package implements no primitive
// itself: phpass, bcrypt-sha256 and the Django, LDAP and ASP.NET layouts are
// constructions over those.
package hash
