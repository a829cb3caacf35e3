package store

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Size limits every backend enforces, in bytes (or entries for lists).
const (
	MaxIDLen           = 128
	MaxUsernameLen     = 255
	MaxEmailLen        = 320
	MaxRoleLen         = 64
	MaxNameLen         = 255
	MaxPermissionLen   = 128
	MaxPermissions     = 100
	MaxAllowedIPLen    = 64
	MaxAllowedIPs      = 100
	MaxPasswordHashLen = 1024
	MaxDigestLen       = 128
	MaxSecretLen       = 1024
	MaxSealedKeyLen    = 8192
	MaxCounterKeyLen   = 512
	MaxRecoveryCodes   = 100
	MaxClientIPLen     = 64

	MaxCredentialIDLen      = 1023 // WebAuthn's limit on a credential ID
	MaxPublicKeyLen         = 2048
	MaxTransports           = 16
	MaxTransportLen         = 32
	MaxAttestationFormatLen = 32
	MaxPasskeyHandleLen     = 64 // WebAuthn's limit on a user handle
)

// AAGUIDLen is the length of a passkey's AAGUID, when it has one.
const AAGUIDLen = 16

// FoldIdentifier returns the form in which usernames and emails are
// compared for uniqueness and lookup: Unicode lower case (strings.ToLower),
// so "Alice" and "ALICE" name one account. Backends store and index this
// form; changing it would orphan stored identifiers.
func FoldIdentifier(s string) string { return strings.ToLower(s) }

// LookupKey returns FoldIdentifier(s) for a lookup by a field of at most max bytes
// (username, email), and false for input that no stored value folds to:
// empty, invalid UTF-8, a NUL byte, or longer than any such fold can be.
// Folding changes lengths both ways (U+023A is two bytes and folds to
// three; the Kelvin sign is three and folds to one), so the bounds are on
// the folded key, with room, and the raw input is bounded only to keep
// the work small.
func LookupKey(s string, max int) (string, bool) {
	if s == "" || len(s) > 3*max || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return "", false
	}
	key := FoldIdentifier(s)
	if len(key) > 2*max {
		return "", false
	}
	return key, true
}

// StorageTime returns t in the form backends store and return it: UTC,
// truncated to the microsecond (the finest precision PostgreSQL keeps).
// The zero time stays zero.
func StorageTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// text checks a text field: valid UTF-8, no NUL byte, at most max bytes,
// and non-empty when required.
func text(field, s string, max int, required bool) error {
	switch {
	case required && s == "":
		return fmt.Errorf("%w: %s is empty", ErrInvalid, field)
	case len(s) > max:
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrInvalid, field, max)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, field)
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%w: %s contains a NUL byte", ErrInvalid, field)
	}
	return nil
}

func list(field string, l []string, maxItems, maxLen int) error {
	if len(l) > maxItems {
		return fmt.Errorf("%w: %s has more than %d entries", ErrInvalid, field, maxItems)
	}
	for _, s := range l {
		if err := text(field, s, maxLen, true); err != nil {
			return err
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ValidateID checks a record ID (or kid): 1 to MaxIDLen bytes of UTF-8 without NUL.
func ValidateID(id string) error { return text("id", id, MaxIDLen, true) }

// ValidateUser checks u against the limits above. Backends call it before
// writing and return its ErrInvalid error unchanged.
func ValidateUser(u *User) error {
	return firstErr(
		ValidateID(u.ID),
		text("username", u.Username, MaxUsernameLen, true),
		text("email", u.Email, MaxEmailLen, false),
		text("role", u.Role, MaxRoleLen, false),
		list("permissions", u.Permissions, MaxPermissions, MaxPermissionLen),
		list("allowed_ips", u.AllowedIPs, MaxAllowedIPs, MaxAllowedIPLen),
		text("password_hash", u.PasswordHash, MaxPasswordHashLen, false),
		nonNegative("generation", u.Generation),
	)
}

func nonNegative(field string, n int64) error {
	if n < 0 {
		return fmt.Errorf("%w: %s is negative", ErrInvalid, field)
	}
	return nil
}

// ValidateAPIToken checks t against the limits above.
func ValidateAPIToken(t *APIToken) error {
	return firstErr(
		ValidateID(t.ID),
		ValidateID(t.UserID),
		text("name", t.Name, MaxNameLen, false),
		text("prefix", t.Prefix, MaxIDLen, false),
		text("digest", t.Digest, MaxDigestLen, true),
		list("permissions", t.Permissions, MaxPermissions, MaxPermissionLen),
	)
}

// ValidateTOTP checks c against the limits above.
func ValidateTOTP(c *TOTPCredential) error {
	if len(c.Secret) == 0 || len(c.Secret) > MaxSecretLen {
		return fmt.Errorf("%w: secret must be 1 to %d bytes", ErrInvalid, MaxSecretLen)
	}
	if c.Digits < 0 || c.Period < 0 || c.LastStep < 0 {
		return fmt.Errorf("%w: negative parameter", ErrInvalid)
	}
	return firstErr(ValidateID(c.UserID), text("algorithm", c.Algorithm, 16, false))
}

// ValidateDigests checks a list of recovery-code digests.
func ValidateDigests(digests []string) error {
	return list("digests", digests, MaxRecoveryCodes, MaxDigestLen)
}

// ValidateRequest checks r against the limits above.
func ValidateRequest(r *Request) error {
	switch r.Kind {
	case KindEmailVerification, KindPasswordReset, KindLoginChallenge, KindPasskeyRegistration, KindPasskeyLogin:
	default:
		return fmt.Errorf("%w: unknown request kind", ErrInvalid)
	}
	if r.UserID != "" {
		if err := ValidateID(r.UserID); err != nil {
			return err
		}
	}
	return firstErr(
		ValidateID(r.ID),
		text("email", r.Email, MaxEmailLen, false),
		text("code_digest", r.CodeDigest, MaxDigestLen, true),
		nonNegative("generation", r.Generation),
	)
}

// ValidateSigningKey checks k against the limits above.
func ValidateSigningKey(k *SigningKey) error {
	if len(k.Sealed) == 0 || len(k.Sealed) > MaxSealedKeyLen {
		return fmt.Errorf("%w: sealed key must be 1 to %d bytes", ErrInvalid, MaxSealedKeyLen)
	}
	return ValidateID(k.ID)
}

// ValidateCounterKey checks a counter key.
func ValidateCounterKey(key string) error {
	return text("key", key, MaxCounterKeyLen, true)
}

// VerificationFlags returns which of a request's flags step sets (email,
// second factor), or ErrInvalid for an unknown step.
func VerificationFlags(step Verification) (email, secondFactor bool, err error) {
	switch step {
	case VerifiedEmail:
		return true, false, nil
	case VerifiedSecondFactor:
		return false, true, nil
	}
	return false, false, fmt.Errorf("%w: unknown verification step %d", ErrInvalid, step)
}

// ValidateSession checks s against the limits above: IDs, a ClientIP of at
// most MaxClientIPLen bytes, an IdleTimeout of at least a microsecond (the
// precision stores keep), an ExpiresAt after CreatedAt, a Generation that
// is not negative and a RefreshSeq of at least 1.
func ValidateSession(s *Session) error {
	if s.IdleTimeout < time.Microsecond {
		return fmt.Errorf("%w: idle timeout must be at least a microsecond", ErrInvalid)
	}
	if !s.ExpiresAt.After(s.CreatedAt) {
		return fmt.Errorf("%w: session expires before it is created", ErrInvalid)
	}
	if s.RefreshSeq < 1 {
		return fmt.Errorf("%w: refresh sequence must be at least 1", ErrInvalid)
	}
	return firstErr(
		ValidateID(s.ID),
		ValidateID(s.UserID),
		text("client_ip", s.ClientIP, MaxClientIPLen, false),
		nonNegative("generation", s.Generation),
	)
}

// ValidateRefreshToken checks t against the limits above: a digest, a
// session ID and a Seq of at least 1.
func ValidateRefreshToken(t *RefreshToken) error {
	if t.Seq < 1 {
		return fmt.Errorf("%w: refresh sequence must be at least 1", ErrInvalid)
	}
	return firstErr(ValidateDigest(t.Digest), ValidateID(t.SessionID))
}

// ValidateDigest checks one token digest: 1 to MaxDigestLen bytes of UTF-8
// without NUL.
func ValidateDigest(digest string) error { return text("digest", digest, MaxDigestLen, true) }

// ValidatePasskey checks c against the limits above: IDs, a CredentialID of
// 1 to MaxCredentialIDLen bytes, a PublicKey of 1 to MaxPublicKeyLen bytes,
// an AAGUID of AAGUIDLen bytes or none, the transports, attestation format
// and name.
func ValidatePasskey(c *PasskeyCredential) error {
	if len(c.CredentialID) == 0 || len(c.CredentialID) > MaxCredentialIDLen {
		return fmt.Errorf("%w: credential id must be 1 to %d bytes", ErrInvalid, MaxCredentialIDLen)
	}
	if len(c.PublicKey) == 0 || len(c.PublicKey) > MaxPublicKeyLen {
		return fmt.Errorf("%w: public key must be 1 to %d bytes", ErrInvalid, MaxPublicKeyLen)
	}
	if len(c.AAGUID) != 0 && len(c.AAGUID) != AAGUIDLen {
		return fmt.Errorf("%w: aaguid must be %d bytes or empty", ErrInvalid, AAGUIDLen)
	}
	return firstErr(
		ValidateID(c.ID),
		ValidateID(c.UserID),
		list("transports", c.Transports, MaxTransports, MaxTransportLen),
		text("attestation_format", c.AttestationFormat, MaxAttestationFormatLen, false),
		ValidatePasskeyName(c.Name),
	)
}

// ValidatePasskeyName checks a passkey's name: at most MaxNameLen bytes of
// UTF-8 without NUL, possibly empty.
func ValidatePasskeyName(name string) error { return text("name", name, MaxNameLen, false) }

// ValidatePasskeyHandle checks a WebAuthn user handle: 1 to
// MaxPasskeyHandleLen bytes (any bytes).
func ValidatePasskeyHandle(handle []byte) error {
	if len(handle) == 0 || len(handle) > MaxPasskeyHandleLen {
		return fmt.Errorf("%w: passkey handle must be 1 to %d bytes", ErrInvalid, MaxPasskeyHandleLen)
	}
	return nil
}
