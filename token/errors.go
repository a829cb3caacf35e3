package token

import "errors"

// Errors returned by this package. Match them with errors.Is; a returned
// error may wrap one of them with a short fixed detail, never with secret
// material or with bytes taken from the token.
var (
	// ErrTooLarge is returned by Verify for a token longer than MaxTokenSize
	// bytes, before any decoding, and by Sign when the signed token would be.
	ErrTooLarge = errors.New("token: token too large")
	// ErrMalformed is returned for a JWT that is not three canonical
	// base64url segments (padding, whitespace, line breaks, characters outside
	// the URL-safe alphabet, non-zero trailing bits), whose header or claims
	// are not a JSON object in valid UTF-8, escape a lone UTF-16 surrogate or
	// nest arrays and objects more than 32 levels deep, or whose registered
	// claims have the wrong JSON type; and by CheckAPIToken for a string
	// that is not a well-formed API token with a correct checksum.
	ErrMalformed = errors.New("token: malformed token")
	// ErrDuplicateClaim is returned for a header or claims with an object
	// (at the top or nested) in which a member name appears twice, or two
	// names differ only in case (Unicode simple case folding, as
	// encoding/json matches struct fields), or with a top-level name that is
	// a case variant of a registered one ("EXP", "ſub").
	// Sign returns it for Extra names that collide with registered claims or
	// with each other in that way.
	ErrDuplicateClaim = errors.New("token: duplicate or case-variant member")
	// ErrCritical is returned for a token whose header has a "crit" member:
	// this package understands no JWS extension.
	ErrCritical = errors.New("token: unsupported critical header")
	// ErrNoneAlg is returned for a token whose header says "alg": "none"
	// (in any letter case).
	ErrNoneAlg = errors.New(`token: "none" algorithm refused`)
	// ErrAlgorithm is returned for a token whose alg is not the algorithm of
	// the key its kid names, and by NewKey, UnmarshalKey, NewKeyring and
	// SetKeys for a key with an unsupported algorithm.
	ErrAlgorithm = errors.New("token: algorithm not allowed")
	// ErrUnknownKey is returned for a token without a kid, or whose kid is not
	// in the keyring (for example after Reset or Prune).
	ErrUnknownKey = errors.New("token: unknown key")
	// ErrSignature is returned for a token whose signature does not verify.
	ErrSignature = errors.New("token: invalid signature")
	// ErrExpired is returned for a token whose exp is not after the current
	// time minus the leeway, and by Sign for claims that expire before now.
	ErrExpired = errors.New("token: expired")
	// ErrNotYetValid is returned for a token whose nbf or iat is later than
	// the current time plus the leeway.
	ErrNotYetValid = errors.New("token: not yet valid")
	// ErrAudience is returned for a token whose aud does not contain the
	// keyring's audience, and by Sign for claims naming other audiences only.
	ErrAudience = errors.New("token: wrong audience")
	// ErrIssuer is returned for a token whose iss is not the keyring's
	// Config.Issuer (when it has one), and by Sign for claims naming
	// another issuer.
	ErrIssuer = errors.New("token: wrong issuer")
	// ErrMissingClaim is returned for a token without one of the claims every
	// Latch token carries (exp, iat, jti, aud), and by Sign for claims
	// without ExpiresAt.
	ErrMissingClaim = errors.New("token: required claim missing")
	// ErrInvalidClaims is returned by Sign for claims it cannot encode
	// faithfully: strings that are not valid UTF-8, or Extra values that
	// encoding/json cannot marshal.
	ErrInvalidClaims = errors.New("token: invalid claims")
	// ErrNoKey is returned by NewKeyring and SetKeys when given no key.
	ErrNoKey = errors.New("token: no key")
	// ErrInvalidKey is returned for a key that cannot be used or decoded: a
	// zero Key, a malformed kid, wrong key material, two keys with one kid,
	// bytes that UnmarshalKey or OpenKey cannot decode, or a sealed key that
	// does not open (then errors.Is(err, seal.ErrOpen) is true as well).
	ErrInvalidKey = errors.New("token: invalid key")
	// ErrInvalidConfig is returned by NewKeyring for a Config it refuses: no
	// algorithm, no audience, or a leeway outside [0, MaxLeeway].
	ErrInvalidConfig = errors.New("token: invalid config")
)
