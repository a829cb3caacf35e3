package store

import (
	"context"
	"time"
)

// User is a user account.
//
// Identifiers are unique across users: no folded (Fold) username or email
// of one user equals a folded username or email of another, so a sign-in
// by identifier can never reach two accounts. The stored values keep the
// case they were given with. An empty Email means none and is never a
// conflict. A user's own username and email may be equal.
type User struct {
	ID            string
	Username      string
	Email         string
	EmailVerified bool
	Role          string
	Permissions   []string
	// AllowedIPs are CIDRs (or single addresses); empty means any address.
	AllowedIPs []string
	Disabled   bool
	// PasswordHash is an encoded hash in any format the hash package verifies.
	PasswordHash string
	// Generation is the account's credential generation. The service
	// increases it in the same write as every change that must end the
	// credentials issued before it (password change or reset, disable, a
	// reduction of permissions or allowed IPs, "log out everywhere"):
	// access tokens, sign-in challenges and reset requests carry the
	// generation they were issued under and are accepted only while it is
	// current. Stores keep it as given (Restore aside).
	Generation int64
	// Version is the record's version for optimistic concurrency. The
	// store sets it: 1 on creation, one more on every write to the record
	// (UpdateUser, SwapPasswordHash; SetLastLogin excepted). CreateUser
	// ignores the value it is given and sets it to 1 on success.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// LastLoginAt is the zero time when the user never signed in.
	LastLoginAt time.Time
}

// Users stores user accounts.
type Users interface {
	// CreateUser inserts u. It returns ErrUsernameTaken or ErrEmailTaken when
	// another user has the same username or email (case-insensitively),
	// ErrConflict when the ID exists, and ErrInvalid for a record it refuses.
	CreateUser(ctx context.Context, u *User) error
	// CreateUsers inserts many users in one round (a bulk import): each is
	// created whole or not at all exactly as by CreateUser (and gets Version
	// 1), and errs[i] is users[i]'s error (ErrUsernameTaken, ErrEmailTaken,
	// ErrConflict, ErrInvalid), nil when it was created. Users later in the
	// slice conflict with earlier ones as with stored ones. err is non-nil
	// only when the whole round failed (context, database); then none was
	// created.
	CreateUsers(ctx context.Context, users []*User) (errs []error, err error)
	// User returns the user with this ID, or ErrNotFound.
	User(ctx context.Context, id string) (*User, error)
	// UserByUsername returns the user whose username equals username
	// case-insensitively, or ErrNotFound.
	UserByUsername(ctx context.Context, username string) (*User, error)
	// UserByEmail returns the user whose email equals email
	// case-insensitively, or ErrNotFound. An empty email is never found.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UpdateUser replaces every field of the stored user with u.ID except ID,
	// CreatedAt and LastLoginAt, if and only if the stored Version still
	// equals u.Version (compare-and-swap, so an update made from a stale
	// read never overwrites a concurrent one); on success u.Version is set
	// to the new version. It returns ErrStale when the version differs (the
	// caller reads the user again and reapplies its change), ErrNotFound,
	// ErrUsernameTaken, ErrEmailTaken or ErrInvalid, and then changes
	// nothing.
	UpdateUser(ctx context.Context, u *User) error
	// SwapPasswordHash sets the user's password hash to newHash only if it is
	// still oldHash (so a re-hash on sign-in never overwrites a concurrent
	// password change), and increments Version. It returns ErrConflict if
	// the hash changed and ErrNotFound if the user does not exist. The
	// Generation is unchanged: the password is the same.
	SwapPasswordHash(ctx context.Context, id, oldHash, newHash string, updatedAt time.Time) error
	// SetLastLogin records a successful sign-in. ErrNotFound if no such user.
	SetLastLogin(ctx context.Context, id string, at time.Time) error
	// DeleteUser deletes the user and everything that belongs to it (API
	// tokens, TOTP credentials, recovery codes, requests, sessions and their
	// refresh tokens, passkeys and the passkey handle). ErrNotFound if no
	// such user.
	DeleteUser(ctx context.Context, id string) error
	// ListUsers returns up to limit users (CheckListLimit: 1 to
	// MaxListLimit, otherwise ErrInvalid) in ID order (byte order),
	// starting after cursor ("" for the first page), and the cursor of the
	// next page ("" when there is none; EncodeCursor of the page's last ID,
	// the same in every backend). A cursor stays valid while users are
	// inserted or deleted: a listing never repeats a user and never skips
	// one that existed throughout. A cursor DecodeCursor refuses gives
	// ErrInvalid.
	ListUsers(ctx context.Context, limit int, cursor string) (users []User, next string, err error)
}

// APIToken is an opaque API token. Only Digest (of the secret) is stored.
type APIToken struct {
	ID          string
	UserID      string
	Name        string
	Prefix      string // non-secret start of the token, for display
	Digest      string
	Permissions []string
	CreatedAt   time.Time
	ExpiresAt   time.Time // zero: never
	LastUsedAt  time.Time // zero: never
}

// APITokens stores API tokens.
type APITokens interface {
	// CreateAPIToken inserts t. If maxPerUser > 0 and the owner already has
	// maxPerUser tokens it returns ErrLimitReached; the count and the insert
	// are one atomic step, so concurrent creations never exceed the cap.
	// ErrNotFound if the owner does not exist, ErrConflict if the ID or
	// digest exists, ErrInvalid for a record it refuses.
	CreateAPIToken(ctx context.Context, t *APIToken, maxPerUser int) error
	// APITokenByDigest returns the token with this digest, or ErrNotFound.
	// It is one indexed read.
	APITokenByDigest(ctx context.Context, digest string) (*APIToken, error)
	// APITokenWithOwner returns the token with this digest and the user who
	// owns it, as they were at one instant, or ErrNotFound. It is one
	// indexed read (a join on the SQL backends), for authenticating a
	// request by API token.
	APITokenWithOwner(ctx context.Context, digest string) (*APIToken, *User, error)
	// ListAPITokens returns the user's tokens, oldest first (empty if none).
	ListAPITokens(ctx context.Context, userID string) ([]APIToken, error)
	// DeleteAPIToken deletes the user's token with this ID, or returns
	// ErrNotFound (also when the token belongs to another user).
	DeleteAPIToken(ctx context.Context, userID, id string) error
	// TouchAPIToken sets the token's LastUsedAt to at if at is later.
	// ErrNotFound if no such token.
	TouchAPIToken(ctx context.Context, id string, at time.Time) error
}

// TOTPCredential is a user's TOTP secret and parameters. Secret is sealed
// by the caller before it reaches the store.
type TOTPCredential struct {
	UserID    string
	Secret    []byte
	Algorithm string
	Digits    int
	Period    int
	// LastStep is the last accepted time step; a code is accepted only for
	// a greater step.
	LastStep  int64
	CreatedAt time.Time
}

// TOTP stores active TOTP credentials and pending enrollments (at most one
// of each per user) and the user's recovery codes, which live and die with
// the active credential.
type TOTP interface {
	// PutPendingTOTP stores c as the user's pending enrollment, replacing an
	// earlier pending one. ErrNotFound if the user does not exist.
	PutPendingTOTP(ctx context.Context, c *TOTPCredential) error
	// PendingTOTP returns the user's pending enrollment, or ErrNotFound.
	PendingTOTP(ctx context.Context, userID string) (*TOTPCredential, error)
	// ActivateTOTP atomically turns the pending enrollment whose (sealed)
	// Secret is secret, the one the caller checked a code against, into the
	// active credential with LastStep = lastStep and CreatedAt = at, and
	// replaces the user's recovery codes with recoveryDigests. It returns
	// ErrConflict if a credential is already active and ErrNotFound if
	// nothing is pending or another enrollment replaced that one; either
	// way nothing changes.
	ActivateTOTP(ctx context.Context, userID string, secret []byte, lastStep int64, recoveryDigests []string, at time.Time) error
	// ActiveTOTP returns the user's active credential, or ErrNotFound.
	ActiveTOTP(ctx context.Context, userID string) (*TOTPCredential, error)
	// AdvanceTOTPStep sets the active credential's LastStep to step if and
	// only if step is greater than it, atomically: of concurrent calls with
	// the same step exactly one succeeds. It returns ErrConflict when step is
	// not greater (a replay) and ErrNotFound when nothing is active.
	AdvanceTOTPStep(ctx context.Context, userID string, step int64) error
	// DeleteTOTP removes the active credential, any pending enrollment and
	// all recovery codes. ErrNotFound if there was no active credential (the
	// pending one is removed regardless).
	DeleteTOTP(ctx context.Context, userID string) error
}

// RecoveryCodes stores digests of single-use recovery codes.
type RecoveryCodes interface {
	// ReplaceRecoveryCodes replaces all of the user's codes with digests, in
	// one atomic step. ErrNotFound if the user does not exist.
	ReplaceRecoveryCodes(ctx context.Context, userID string, digests []string) error
	// ConsumeRecoveryCode atomically deletes the user's unused code with this
	// digest. It returns ErrNotFound if no such code exists: of concurrent
	// calls with the same digest exactly one succeeds.
	ConsumeRecoveryCode(ctx context.Context, userID, digest string) error
	// RecoveryCodeDigests returns the digests of the user's unused codes.
	RecoveryCodeDigests(ctx context.Context, userID string) ([]string, error)
}

// RequestKind says what a [Request] is for.
type RequestKind string

// Request kinds.
const (
	KindEmailVerification RequestKind = "email_verification"
	KindPasswordReset     RequestKind = "password_reset"
	KindLoginChallenge    RequestKind = "login_challenge"
	// KindPasskeyRegistration and KindPasskeyLogin are pending passkey
	// ceremonies: the request names the ceremony, and deleting it uses
	// the ceremony's state up (the state itself travels sealed).
	KindPasskeyRegistration RequestKind = "passkey_registration"
	KindPasskeyLogin        RequestKind = "passkey_login"
)

// Verification names a step of a request that has been verified, for
// [Requests.MarkRequestVerified].
type Verification uint8

// Verification steps.
const (
	// VerifiedEmail sets Request.EmailVerified.
	VerifiedEmail Verification = iota + 1
	// VerifiedSecondFactor sets Request.SecondFactorVerified.
	VerifiedSecondFactor
)

// Request is a pending email verification, password reset or second-factor
// sign-in challenge. CodeDigest is a digest of the secret code (or token)
// that completes it. UserID may be empty for a decoy request (a password
// reset for an unknown email), which can never complete.
type Request struct {
	ID                   string
	Kind                 RequestKind
	UserID               string
	Email                string
	CodeDigest           string
	Attempts             int
	EmailVerified        bool
	SecondFactorVerified bool
	// Generation is the user's credential generation when the request was
	// opened (see User.Generation); the service refuses to complete it
	// once the user's generation has moved on.
	Generation int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// Requests stores verification, reset and challenge requests.
type Requests interface {
	// CreateRequest inserts r. ErrConflict if the ID exists, ErrNotFound if
	// r.UserID is set and no such user exists.
	CreateRequest(ctx context.Context, r *Request) error
	// Request returns the request with this ID, expired or not, or ErrNotFound.
	Request(ctx context.Context, id string) (*Request, error)
	// FailRequestAttempt atomically increments the request's attempt count
	// and returns the new count; when the count reaches max the request is
	// deleted in the same step. Concurrent calls never lose an increment and
	// never let the count pass max. ErrNotFound if no such request,
	// ErrInvalid if max is below 1.
	FailRequestAttempt(ctx context.Context, id string, max int) (attempts int, err error)
	// MarkRequestVerified sets the flag that step names (EmailVerified or
	// SecondFactorVerified) to true and leaves the other as it is.
	// ErrNotFound if no such request, ErrInvalid for an unknown step.
	MarkRequestVerified(ctx context.Context, id string, step Verification) error
	// DeleteRequest deletes the request. Of concurrent calls exactly one
	// succeeds; the others get ErrNotFound, so deletion doubles as the
	// atomic "use once" step.
	DeleteRequest(ctx context.Context, id string) error
	// DeleteExpiredRequests deletes requests that expired at or before now.
	DeleteExpiredRequests(ctx context.Context, now time.Time) error
}

// SigningKey is a sealed JWT signing key.
type SigningKey struct {
	ID        string // kid
	Sealed    []byte
	CreatedAt time.Time
}

// SigningKeys stores the JWT keyring shared by every instance.
type SigningKeys interface {
	// AddSigningKey inserts k. ErrConflict if the ID exists.
	AddSigningKey(ctx context.Context, k *SigningKey) error
	// SigningKeys returns every key, oldest first (ties broken by ID).
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// DeleteSigningKey deletes one key, or returns ErrNotFound.
	DeleteSigningKey(ctx context.Context, id string) error
	// ResetSigningKeys atomically deletes every key and inserts k.
	ResetSigningKeys(ctx context.Context, k *SigningKey) error
}

// Revocations stores revoked access-token IDs (jti) until the token would
// have expired anyway.
type Revocations interface {
	// RevokeToken records jti as revoked until expiresAt. Revoking twice is
	// not an error.
	RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error
	// IsRevoked reports whether jti is revoked.
	IsRevoked(ctx context.Context, jti string) (bool, error)
	// DeleteExpiredRevocations forgets revocations that expired at or before now.
	DeleteExpiredRevocations(ctx context.Context, now time.Time) error
}

// Counter is a fixed-window hit counter with an optional ban, used for rate
// limits and the brute-force defender.
type Counter struct {
	Key         string
	Count       int64
	ResetAt     time.Time // end of the current window
	BannedUntil time.Time // zero: not banned
}

// Counters stores rate-limit and defender counters.
type Counters interface {
	// Hit atomically adds delta to the counter for key and returns it. If the
	// counter does not exist or its window ended at or before now, it starts
	// a new window [now, now+window) with Count = delta. A ban is kept.
	// Concurrent hits never lose an increment. A window that is not
	// positive is ErrInvalid.
	Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (Counter, error)
	// Counter returns the counter for key as of now: Count is 0 when the
	// window ended, BannedUntil is zero when the ban ended. A missing counter
	// is the zero Counter with Key set, not an error.
	Counter(ctx context.Context, key string, now time.Time) (Counter, error)
	// Ban sets the counter's BannedUntil (creating the counter if needed).
	Ban(ctx context.Context, key string, until time.Time) error
	// ListCounters returns the live counters (window not ended, or banned)
	// whose key starts with prefix, ordered by key.
	ListCounters(ctx context.Context, prefix string, now time.Time) ([]Counter, error)
	// DeleteCounter removes the counter and its ban. Deleting a missing
	// counter is not an error.
	DeleteCounter(ctx context.Context, key string) error
	// DeleteDeadCounters removes every counter whose window and ban both
	// ended at or before now. It changes no result of Counter, Hit or
	// ListCounters; it keeps storage proportional to the live counters
	// (one per client IP or identifier seen within a window).
	DeleteDeadCounters(ctx context.Context, now time.Time) error
}

// Session is a signed-in client's session: every sign-in that returns an
// access token starts one; its refresh tokens renew the access token.
//
// Stores keep times as [StorageTime] returns them and IdleTimeout
// truncated to the microsecond, so that Live gives the same answer on the
// record a store returns as the store itself gives.
type Session struct {
	ID         string
	UserID     string
	CreatedAt  time.Time
	LastUsedAt time.Time // creation or last refresh
	// IdleTimeout ends the session when LastUsedAt+IdleTimeout passes; at
	// least a microsecond.
	IdleTimeout time.Duration
	ExpiresAt   time.Time // absolute end, after CreatedAt, never moved
	// AuthTime is when the user last proved a credential; a refresh never
	// moves it.
	AuthTime time.Time
	// ClientIP is the client's address at creation ("" unknown), for
	// display and optional binding; at most MaxClientIPLen bytes.
	ClientIP string
	// Generation is the user's credential generation at creation (see
	// User.Generation): the service ends the session when the user's
	// generation moves on.
	Generation int64
	// RefreshSeq is the sequence number of the live refresh token (1 for
	// the first).
	RefreshSeq int64
}

// Live reports whether the session has neither expired nor idled out at
// now: now is before ExpiresAt and before LastUsedAt+IdleTimeout.
func (s *Session) Live(now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.LastUsedAt.Add(s.IdleTimeout))
}

// RefreshToken is a stored refresh-token digest. Seq orders a session's
// tokens; only the token whose Seq is the session's RefreshSeq is live, the
// others are spent. A session's spent tokens are kept, for reuse
// detection, until the session ends.
type RefreshToken struct {
	Digest    string
	SessionID string
	Seq       int64
	CreatedAt time.Time
	SpentAt   time.Time // zero while live
}

// Rotation says what [Sessions.RotateRefreshToken] did.
type Rotation uint8

// Rotation outcomes.
const (
	// Rotated: the presented token was live; it is spent and the next one
	// is the live one.
	Rotated Rotation = iota + 1
	// RotationGrace: the presented token is the immediate predecessor of
	// the live one and was spent within the grace period; nothing changed
	// (the caller issues an access token only, for a client that lost the
	// answer to its refresh, or sent two at once).
	RotationGrace
	// RotationReused: the presented token was spent earlier (or before the
	// live one's predecessor): the session and all its tokens were deleted
	// in the same step (RFC 9700 section 4.14.2).
	RotationReused
)

// String returns "rotated", "grace", "reused" or "unknown".
func (r Rotation) String() string {
	switch r {
	case Rotated:
		return "rotated"
	case RotationGrace:
		return "grace"
	case RotationReused:
		return "reused"
	}
	return "unknown"
}

// Sessions stores sign-in sessions and their refresh tokens (rotated on
// every use, with reuse detection).
type Sessions interface {
	// CreateSession inserts s with its first refresh token (refreshDigest,
	// Seq 1, CreatedAt s.CreatedAt; s.RefreshSeq must be 1). If
	// maxPerUser > 0 and the user already has maxPerUser or more sessions
	// (live or not), the oldest of them (by CreatedAt, then ID) are deleted
	// with their tokens in the same atomic step, so that the user ends with
	// maxPerUser: concurrent creations never leave more. ErrNotFound if the
	// user does not exist, ErrConflict if the ID or digest exists,
	// ErrInvalid for a record it refuses; then nothing changes.
	CreateSession(ctx context.Context, s *Session, refreshDigest string, maxPerUser int) error
	// Session returns the session with this ID (live or not), or
	// ErrNotFound.
	Session(ctx context.Context, id string) (*Session, error)
	// SessionWithOwner returns the session with this ID and its user as
	// they were at one instant (one read: a join on the SQL backends), or
	// ErrNotFound, for authenticating an access token with a session (sid)
	// claim.
	SessionWithOwner(ctx context.Context, id string) (*Session, *User, error)
	// ListSessions returns the user's sessions, oldest first (CreatedAt,
	// then ID), live or not (the caller filters); empty if none.
	ListSessions(ctx context.Context, userID string) ([]Session, error)
	// RotateRefreshToken finds the refresh token whose digest is presented
	// and, in one atomic step:
	//   - if its session is not Live(now), deletes the session with its
	//     tokens and returns ErrNotFound;
	//   - if it is the session's live token (Seq == RefreshSeq), spends it
	//     (SpentAt = now), inserts nextDigest with Seq+1 (CreatedAt = now)
	//     as the live token, and sets RefreshSeq to Seq+1 and LastUsedAt to
	//     now: Rotated;
	//   - if it is spent, Seq == RefreshSeq-1 and now-SpentAt <= grace,
	//     changes nothing: RotationGrace;
	//   - if it is any other spent token, deletes the session with all its
	//     tokens: RotationReused.
	// It returns the session as it is after the step (as it was before the
	// deletion for RotationReused) and its user, read in the same step.
	// ErrNotFound when no token has that digest. Of concurrent calls with
	// the same live token exactly one gets Rotated; the others get
	// RotationGrace or RotationReused by the rules above (or ErrNotFound
	// once a reuse deleted the session), never a second Rotated. A live
	// token with a nextDigest that exists is ErrConflict and changes
	// nothing; a nextDigest the store refuses or a negative grace is
	// ErrInvalid.
	RotateRefreshToken(ctx context.Context, presented, nextDigest string, now time.Time, grace time.Duration) (*Session, *User, Rotation, error)
	// DeleteSession deletes the user's session with this ID and its refresh
	// tokens, or returns ErrNotFound (also when it belongs to another
	// user).
	DeleteSession(ctx context.Context, userID, id string) error
	// DeleteUserSessions deletes all of the user's sessions and their
	// tokens and returns how many sessions it deleted (0 is not an error,
	// also for an unknown user).
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	// DeleteExpiredSessions deletes the sessions that are not Live(now),
	// with their tokens.
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
}

// SessionCounter is implemented by stores that can count the live
// sessions of all users in one read. It is optional: the auth service
// type-asserts it for its ActiveSessions (and the latch_sessions_active
// metric).
type SessionCounter interface {
	// CountLiveSessions returns how many sessions are Live(now) and belong
	// to an enabled user whose Generation is still the session's, that is
	// the sessions whose refresh tokens would still be honoured.
	CountLiveSessions(ctx context.Context, now time.Time) (int, error)
}

// PasskeyCredential is a WebAuthn credential (a passkey) registered to a
// user. The store keeps what the relying party needs to verify an
// assertion; it checks sizes, not WebAuthn semantics.
type PasskeyCredential struct {
	ID     string // Latch's ID for the passkey (route parameter)
	UserID string
	// CredentialID is the WebAuthn credential ID: 1 to MaxCredentialIDLen
	// bytes, unique across users.
	CredentialID []byte
	// PublicKey is the credential's COSE public key, 1 to
	// MaxPublicKeyLen bytes.
	PublicKey []byte
	// SignCount is the authenticator's signature counter as last recorded
	// (0 for authenticators without one).
	SignCount uint32
	// AAGUID identifies the authenticator model: 16 bytes, or empty.
	AAGUID []byte
	// Transports are the authenticator's transport hints ("usb",
	// "internal", …): at most MaxTransports of at most MaxTransportLen
	// bytes each.
	Transports        []string
	BackupEligible    bool
	BackupState       bool
	AttestationFormat string // at most MaxAttestationFormatLen bytes
	Name              string // the user's label, at most MaxNameLen bytes
	CreatedAt         time.Time
	LastUsedAt        time.Time // zero: never
}

// PasskeyHandle is a user's WebAuthn user handle, as it appears in a Dump.
type PasskeyHandle struct {
	UserID string
	Handle []byte
}

// Passkeys stores passkey credentials and each user's WebAuthn user
// handle (the opaque ID an authenticator returns with a discoverable
// credential).
type Passkeys interface {
	// CreatePasskey inserts c. If maxPerUser > 0 and the user already has
	// maxPerUser passkeys it returns ErrLimitReached; the count and the
	// insert are one atomic step, so concurrent creations never exceed the
	// cap. ErrNotFound if the user does not exist, ErrConflict if the ID or
	// the CredentialID exists (for any user), ErrInvalid for a record it
	// refuses.
	CreatePasskey(ctx context.Context, c *PasskeyCredential, maxPerUser int) error
	// Passkey returns the user's passkey with this ID, or ErrNotFound (also
	// when it belongs to another user).
	Passkey(ctx context.Context, userID, id string) (*PasskeyCredential, error)
	// PasskeyByCredentialID returns the passkey with this WebAuthn
	// credential ID and its user, as they were at one instant (one read: a
	// join on the SQL backends), or ErrNotFound, for verifying an
	// assertion.
	PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*PasskeyCredential, *User, error)
	// ListPasskeys returns the user's passkeys, oldest first (CreatedAt,
	// then ID); empty if none.
	ListPasskeys(ctx context.Context, userID string) ([]PasskeyCredential, error)
	// RenamePasskey sets the name of the user's passkey with this ID.
	// ErrNotFound if there is none (also when it belongs to another user),
	// ErrInvalid for a name it refuses.
	RenamePasskey(ctx context.Context, userID, id, name string) error
	// RecordPasskeyUse sets the passkey's SignCount to newCount,
	// BackupState to backupState and LastUsedAt to at if and only if the
	// stored SignCount still equals oldCount (compare-and-swap: of
	// concurrent calls with the same oldCount exactly one succeeds). It
	// returns ErrConflict when the count differs and ErrNotFound when there
	// is no such passkey, and then changes nothing.
	RecordPasskeyUse(ctx context.Context, id string, oldCount, newCount uint32, backupState bool, at time.Time) error
	// DeletePasskey deletes the user's passkey with this ID, or returns
	// ErrNotFound (also when it belongs to another user).
	DeletePasskey(ctx context.Context, userID, id string) error
	// SetPasskeyHandle sets the user's WebAuthn user handle (1 to
	// MaxPasskeyHandleLen bytes), once: ErrConflict if the user has one
	// already (the same included) or another user has this one,
	// ErrNotFound if the user does not exist, ErrInvalid for a handle it
	// refuses. Of concurrent calls for one user exactly one succeeds.
	SetPasskeyHandle(ctx context.Context, userID string, handle []byte) error
	// PasskeyHandle returns the user's handle, or ErrNotFound if it has
	// none.
	PasskeyHandle(ctx context.Context, userID string) ([]byte, error)
	// UserByPasskeyHandle returns the user whose handle equals handle
	// (byte for byte), or ErrNotFound.
	UserByPasskeyHandle(ctx context.Context, handle []byte) (*User, error)
}

// RecoveryCode is one stored recovery-code digest, as it appears in a Dump.
type RecoveryCode struct {
	UserID string
	Digest string
}

// Dump is a full backup: everything but short-lived state (requests,
// revocations and counters). Slices are in a deterministic order (users,
// tokens, sessions, passkeys and keys by ID; credentials and passkey
// handles by user ID; codes by user ID then digest; refresh tokens by
// digest), so the same contents always dump to the same value. Sessions
// and refresh tokens are dumped for inspection; Restore does not restore
// them.
type Dump struct {
	Users          []User
	APITokens      []APIToken
	TOTP           []TOTPCredential
	PendingTOTP    []TOTPCredential
	RecoveryCodes  []RecoveryCode
	SigningKeys    []SigningKey
	Sessions       []Session
	RefreshTokens  []RefreshToken
	Passkeys       []PasskeyCredential
	PasskeyHandles []PasskeyHandle
}

// Backup dumps and restores the whole store.
type Backup interface {
	// Dump returns a consistent snapshot of the store.
	Dump(ctx context.Context) (*Dump, error)
	// Restore replaces the whole contents of the store (including requests
	// and counters, which are cleared) with d, atomically: on error nothing
	// changes. A restore never rolls protection back:
	//   - Revocations are kept: the restored signing keys may verify tokens
	//     revoked since the dump, and a revocation never lets anything in.
	//   - Every restored user's Generation becomes one more than the greater
	//     of the dump's and the store's generation for that user ID, so every
	//     credential issued before the restore (on either side) ends; its
	//     Version becomes one more than the greater of the dump's and the
	//     store's, so no update read before the restore can overwrite it.
	//   - An active TOTP credential whose user and sealed Secret equal the
	//     store's active credential keeps the greater LastStep of the two, so
	//     a code accepted since the dump cannot be replayed.
	//   - A passkey whose user and CredentialID equal a passkey the store
	//     holds keeps the greater SignCount of the two, so an assertion
	//     accepted since the dump cannot be replayed and a cloned
	//     authenticator is not forgiven.
	//   - Sessions and refresh tokens are not restored: the store's are
	//     deleted and the dump's are checked (Dump.Validate) but not
	//     written, so a restore ends every session, as the generation rule
	//     ends every access token, and no refresh token spent since the
	//     dump can be live again.
	// The dump is checked with Dump.Validate (and the backend's own
	// limits) before anything changes; a nil d is ErrInvalid.
	Restore(ctx context.Context, d *Dump) error
}

// Store is every aggregate a Latch service needs, backed by one database.
//
// All methods are safe for concurrent use, take a context as their first
// argument and return ctx.Err() (possibly wrapped) when it is done. Times
// are returned in UTC, truncated to the microsecond. Records passed in are
// not retained (a nil record is ErrInvalid); records returned are the
// caller's to modify.
type Store interface {
	Users
	APITokens
	TOTP
	RecoveryCodes
	Requests
	SigningKeys
	Revocations
	Counters
	Sessions
	Passkeys
	Backup
	// Close releases the store's resources; later calls return errors.
	Close() error
}
