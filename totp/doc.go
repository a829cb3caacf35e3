// Package totp implements second factors: TOTP and HOTP one-time codes
// ([RFC 6238], [RFC 4226]) on top of github.com/pquerna/otp, otpauth URIs and
// their QR codes for authenticator apps, and recovery codes.
//
// # Enrolment and sign-in
//
// Create a key with [Generate] (the zero [Config] gives SHA-1, 6 digits,
// 30 s and a 160-bit secret, what every authenticator app supports), show
// [Key.URI] or [Key.QRPNG] to the user, and keep the key's Secret encrypted
// at rest. To sign in, call [Validate] with the code the user typed, the
// last accepted time step and [Config.SkewSteps]; on success, store the
// returned step. [Code] computes the current code, for instance to show
// it on demand; [ParseURI] imports a key another app exported.
//
// [HOTPCode], [ValidateHOTP] and [ResyncHOTP] serve counter-based tokens.
//
// [GenerateRecoveryCodes] makes a set of recovery codes to show once;
// store [KeyedRecoveryCodeDigest] of each (keyed with a server secret) and
// look a typed code's digest up; [RecoveryCodeDigest] and
// [MatchRecoveryCode] are the unkeyed form, for digests stored before.
//
// # Security
//
//   - Replay: a TOTP code stays valid for a whole time step (and the skew
//     around it). [Validate] accepts only steps after the lastStep it is
//     given and returns [ErrReplay] otherwise, but it is a pure function: the
//     caller must advance the stored step atomically (only if it is still
//     lastStep, or only if the new step is greater) and reject the code when
//     that fails, so that two concurrent requests cannot both use one code.
//     The same holds for the HOTP counter and for consuming a recovery code.
//   - Input is checked before any work: a TOTP or HOTP code must be exactly
//     Digits ASCII digits (no spaces, no other Unicode digits), an otpauth
//     URI at most [MaxURILength] bytes, a recovery code at most
//     [MaxRecoveryCodeInput] bytes. Skews, windows and sizes are bounded, so
//     every call does a bounded amount of work. No input makes a function
//     panic, and a nil or out-of-range [Key] gives [ErrInvalidKey].
//   - Codes and digests are compared in constant time. [MatchRecoveryCode]
//     compares against every digest without stopping at a match.
//   - No error message contains a secret, a code or a parameter value
//     ([ParseURI] may name an unsupported parameter, never its value), and
//     [Key]'s String, GoString and LogValue methods redact the secret.
//   - Randomness comes from crypto/rand. Recovery-code characters are drawn
//     by rejection sampling, so each of the 31 is equally likely.
//   - Recovery-code digests are bound to the user ID. [KeyedRecoveryCodeDigest]
//     is an HMAC-SHA-256 under a server key: a stolen digest table tells
//     nothing without the key. [RecoveryCodeDigest] is a plain SHA-256 of
//     public inputs: fast to compute, acceptable only because each code
//     carries about 59 random bits, since a stolen table of them can be
//     attacked offline at SHA-256 speed. Let users regenerate their codes
//     after a breach.
//   - A key's secret must be protected like a password: the URI and the QR
//     code contain it.
//
// # Compatibility
//
// Codes match RFC 4226 and RFC 6238 (their appendix vectors are tests, and
// so is agreement with oathtool). [Key.URI] writes the [Key URI Format] of
// Google Authenticator with every parameter explicit. Digits are limited to
// 6..8 and the period to 1..300 s; SHA256, SHA512, 7 or 8 digits and periods
// other than 30 s are ignored by some apps, which then show wrong codes, so
// keep the defaults unless the users' apps are known. [ParseURI] refuses
// parameters it does not implement (for example Steam's encoder) instead of
// producing a key that would compute different codes.
//
// [RFC 4226]: https://www.rfc-editor.org/rfc/rfc4226
// [RFC 6238]: https://www.rfc-editor.org/rfc/rfc6238
// [Key URI Format]: https://github.com/google/google-authenticator/wiki/Key-Uri-Format
package totp
