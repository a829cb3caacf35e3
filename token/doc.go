// Package token issues and checks Latch's bearer credentials: JWT access
// tokens signed by a rotating [Keyring], and opaque API tokens.
//
// # JWTs
//
// Make a key with [NewKey], seal it with [SealKey] and store it; every
// instance opens the stored keys with [OpenKey] and builds a [Keyring] with
// [NewKeyring]. [Keyring.Sign] signs [Claims] with the current key and
// [Keyring.Verify] checks a token and returns its claims:
//
//	k, err := token.NewKey(token.AlgHS256, time.Now())
//	ring, err := token.NewKeyring(token.Config{Algorithm: token.AlgHS256, Audience: "api"}, k)
//	jwt, err := ring.Sign(token.Claims{Subject: userID, ExpiresAt: time.Now().Add(time.Hour)})
//	claims, err := ring.Verify(jwt)
//
// Signing and signature checks are done by [github.com/golang-jwt/jwt/v5].
// HS256 (RFC 7518) is the documented default; EdDSA (Ed25519, RFC 8037)
// keys are published by [Keyring.JWKS] as a JSON Web Key Set (RFC 7517).
//
// [Keyring.Rotate] adds a new current key and keeps the others verifying
// the tokens they signed; [Keyring.Prune] later drops keys whose tokens have
// all expired. [Keyring.Reset] drops every key, so every token ever issued
// fails. When another instance rotated or reset, pass the stored keys to
// [Keyring.SetKeys]. Separate bindings (access tokens, second-factor
// challenges) use separate keyrings with separate audiences and keys, and
// never accept each other's tokens.
//
// # API tokens
//
// [GenerateAPIToken] returns a token such as
// "lt_" + 43 random base62 characters + a 6-character checksum, and the
// [Digest] to store. [CheckAPIToken] rejects a mistyped or foreign string
// without a store read; the caller then looks the token up by its Digest.
// [APITokenPrefix] gives a short non-secret prefix to display.
//
// # Security
//
//   - Every key allows exactly one algorithm, chosen by the key, never by the
//     token: "alg":"none" ([ErrNoneAlg]), and HS256 tokens presented to an
//     EdDSA key or the reverse ([ErrAlgorithm]), are refused before any
//     signature check.
//   - Before any signature check, Verify refuses tokens over
//     [MaxTokenSize] bytes, segments that are not canonical unpadded
//     base64url (padding, whitespace, line breaks, non-zero trailing bits),
//     header or claims that are not UTF-8 JSON objects, escapes of lone
//     UTF-16 surrogates, nesting beyond 32 levels, member names of one
//     object repeated or differing only in case (encoding/json matches
//     struct fields case-insensitively, other parsers do not) and crit
//     headers ([ErrCritical]). Header and claims are read by Latch's one
//     strict JSON engine, which also reads its HTTP request bodies.
//     So one signed token has exactly one accepted spelling and one meaning
//     to every JOSE implementation.
//   - Every token carries exp, iat, jti and aud; Verify requires them. Revoke
//     tokens by [Claims].ID (jti), never by the token string.
//   - HMAC signatures are compared in constant time (by golang-jwt). API
//     token checksums are compared in constant time and tokens are digested
//     with SHA-256; stores keep only the digest.
//   - Key material never appears in errors or in fmt output of a [Key]; it
//     leaves the package only through [Key.MarshalBinary] and [SealKey], which
//     seals it with XChaCha20-Poly1305 bound to its kid.
//   - Randomness comes from crypto/rand only.
//
// Errors are the sentinel values in errors.go; match them with errors.Is.
package token
