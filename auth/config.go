package auth

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/token"
)

// Notifier delivers codes to users. The service never sends mail itself.
// Its methods may be called concurrently; an error is logged and the
// request still succeeds (the user can ask for a new code).
type Notifier interface {
	// SendEmailVerificationCode delivers the code that verifies email.
	SendEmailVerificationCode(ctx context.Context, email, code string) error
	// SendPasswordResetCode delivers the code of a password reset to email.
	SendPasswordResetCode(ctx context.Context, email, code string) error
}

// Config configures a Service. The zero value of every field but
// SealingKey means the documented default.
type Config struct {
	// SealingKey (32 random bytes, required) seals TOTP secrets and signing
	// keys before they reach the store and keys the digests of email and
	// reset codes and of recovery codes. Every instance sharing a store needs the same key.
	SealingKey []byte
	// Hasher is the password policy: new passwords are hashed with it, and
	// a password verified against a weaker hash is re-hashed with it. nil
	// means the hash package's defaults (argon2id).
	Hasher *hash.Hasher
	// SigningAlgorithm is the algorithm of new signing keys:
	// token.AlgHS256 (default) or token.AlgEdDSA (public keys in JWKS).
	SigningAlgorithm token.Algorithm
	// Now returns the current time; nil means time.Now. A testing hook.
	Now func() time.Time
	// Logger receives audit events (sign-in, tokens, second factor and
	// administration); nil logs nothing. Events never carry a secret.
	Logger *slog.Logger
	// Notifier delivers email-verification and password-reset codes; nil
	// delivers nothing (an event says so, without the code).
	Notifier Notifier
	// Observer receives events for metrics (sign-ins, authentications,
	// limits, the hashing pool, store latency); nil reports nothing.
	Observer Observer

	// Audience is the JWT "aud" of access tokens; default "latch". Services
	// with different audiences (or sealing keys) reject each other's tokens.
	Audience string
	// AccessTokenTTL is the validity of access tokens; default 15 minutes
	// (SFTPGo's API tokens). RoleTokenTTL overrides it per role.
	AccessTokenTTL time.Duration
	RoleTokenTTL   map[string]time.Duration
	// Sessions configures sessions and refresh tokens.
	Sessions SessionConfig
	// ChallengeTTL is the validity of a second-factor sign-in challenge;
	// default 5 minutes.
	ChallengeTTL time.Duration
	// CodeTTL is the validity of email-verification and password-reset
	// requests; default 15 minutes.
	CodeTTL time.Duration
	// StoreTimeout bounds the store work of a call that has no deadline of
	// its own: a store call that has not answered by then fails with
	// ErrUnavailable instead of hanging; default DefaultStoreTimeout. A
	// caller that passes a context with a deadline (the HTTP adapter gives
	// each request one budget for all its store calls) sets the bound
	// itself.
	StoreTimeout time.Duration
	// KeyReloadInterval is how often the signing keys are re-read from the
	// store, so that a rotation or reset done by another instance takes
	// effect here; default 5 seconds. A token with an unknown kid triggers
	// an early reload, at most once per second. Over a store with a change
	// feed every rotation and reset is also reloaded as soon as the feed
	// announces it (milliseconds).
	KeyReloadInterval time.Duration

	// AllowSignup lets anonymous callers create users (username, email and
	// password only, with DefaultRole and no permissions).
	AllowSignup bool
	// DefaultRole is the role of users created without one; default "user".
	DefaultRole string
	// MinPasswordLen and MaxPasswordLen bound new passwords, in Unicode
	// code points; defaults 8 and 128 (NIST SP 800-63B: at least 8, at
	// least 64 allowed).
	MinPasswordLen int
	MaxPasswordLen int
	// MaxAPITokensPerUser caps the API tokens of one user; default
	// DefaultMaxAPITokensPerUser (100); negative means no cap.
	MaxAPITokensPerUser int
	// KeepAPITokensOnReset keeps a user's API tokens through a password
	// reset. By default a reset deletes them, as it ends every session:
	// recovery must evict whoever took the account over.
	KeepAPITokensOnReset bool
	// WrapImportedHashes wraps every imported hash of a cheap legacy format
	// (md5crypt, apr1, sha-crypt, phpass, salted SHA, ...) in Argon2id
	// (hash.Hasher.Wrap) before it is stored, so that a leaked database no
	// longer holds the cheap checksums; the first sign-in replaces it with
	// a plain Argon2id hash as usual. It costs one policy hash per
	// imported user (about 25 ms with the default policy: a 10,000-user
	// import takes minutes more) and one more per sign-in until then.
	// Formats that are not cheap (bcrypt, scrypt, yescrypt, Argon2) are
	// stored as given.
	WrapImportedHashes bool
	// Issuer names the service: the issuer shown in authenticator apps and
	// the iss claim of access tokens, which Authenticate requires; default
	// "Latch".
	Issuer string

	// Limits are the abuse limits; the zero value means the defaults.
	Limits Limits

	// Cache configures the in-process cache of authentication, used over
	// a store with a change feed; the zero value means the defaults.
	Cache CacheConfig
	// Passkeys configures passkeys (WebAuthn): the relying party and the
	// cap per user. With no RPOrigins passkeys are off.
	Passkeys PasskeyConfig

	// PasswordPolicy refuses new passwords that are commonly used, derived
	// from the account or the service, or trivial; the zero value applies
	// every check (see PasswordPolicy).
	PasswordPolicy PasswordPolicy
}

// PasskeyConfig configures passkeys (WebAuthn, see the passkey package):
// who the relying party is and how many passkeys a user may have.
type PasskeyConfig struct {
	// RPOrigins are the origins the sign-in pages run at, exactly as
	// browsers write them ("https://example.com", or http://localhost:PORT
	// in development; never an IP address: browsers refuse WebAuthn
	// there). Empty turns passkeys off: their methods return
	// ErrInvalidRequest, and no user is asked for one.
	RPOrigins []string
	// RPID is the relying party ID, a domain every origin is part of;
	// empty means the host of the first origin. Every passkey is bound to
	// it: changing it later makes them all useless.
	RPID string
	// RPDisplayName is the name an authenticator may show; empty means
	// Issuer.
	RPDisplayName string
	// MaxPerUser caps the passkeys of one user; default
	// DefaultMaxPasskeysPerUser (20); negative means no cap.
	MaxPerUser int
}

// Rate is a fixed-window limit: at most Limit events per Window. The zero
// Rate means the default of the field; a negative Limit disables the limit
// (not recommended outside tests).
type Rate struct {
	Limit  int
	Window time.Duration
}

// Limits are the abuse limits. They are kept in the store's counters, so
// they hold across every instance sharing the store. Zero fields mean the
// defaults given below.
type Limits struct {
	// PerIP limits operations that hash a password, check a code or send one
	// (sign-in, password change, sign-up, code checks, reset requests) per
	// client IP (IPv6 per /64); default 60 per minute.
	PerIP Rate
	// AccountFailures limits password checks of one identifier (a username
	// or an email, known or not: unknown identifiers count exactly as known
	// ones) from one client network (an IPv4 address, an IPv6 /64); default
	// 10 per 15 minutes. A successful sign-in resets it.
	//
	// Keying this hard limit by network too means a guesser elsewhere can
	// never lock the owner out of its own network; the two limits below
	// bound what a guesser with many networks gets. The trade-off: one
	// identifier can be tried AccountCeiling times per window in all (NIST
	// SP 800-63B allows at most 100 consecutive failures), and once that
	// ceiling is reached the owner is refused too until the window ends.
	AccountFailures Rate
	// AccountCeiling limits password checks of one identifier from every
	// network together; default 50 per 15 minutes. A successful sign-in
	// resets it.
	AccountCeiling Rate
	// NetworkFailures limits failed password checks from one client network
	// over every identifier; default 50 per 15 minutes (successes are not
	// counted).
	NetworkFailures Rate
	// EmailChanges limits the email changes (verification requests for a
	// new address) one user may start; default 5 per hour.
	EmailChanges Rate
	// Enrollments limits the TOTP enrollments one user may start; default
	// 10 per hour.
	Enrollments Rate
	// CodeFailures limits wrong TOTP and recovery codes per account, over
	// every challenge, client IP and code; default 5 per 15 minutes. A
	// correct code resets it.
	CodeFailures Rate
	// Sends limits email-verification and password-reset codes sent to one
	// address, and email-verification codes started by one user whatever
	// the address; default 5 per 15 minutes each.
	Sends Rate

	// Defender scores failures per client IP and bans an IP whose score
	// reaches the threshold.
	Defender DefenderConfig

	// Exempt lists client networks (netip.Prefix) that the limits per
	// client IP and network skip: PerIP, NetworkFailures and the defender.
	// The limits per account (AccountFailures, AccountCeiling,
	// CodeFailures, Sends) still apply to them. For development (the
	// example server's -dev exempts loopback) or a trusted back office.
	Exempt []netip.Prefix

	// HashMemoryBudget bounds the memory, in bytes, of the password hashes
	// running at once, each counted at its parameters' cost
	// (hash.Hasher.MemoryCost: 19 MiB for an argon2id hash of the default
	// policy, 64 KiB for bcrypt or PBKDF2). A hash that does not fit waits;
	// one costing more than the whole budget runs alone. Default
	// DefaultHashMemoryBudget(): 64 MiB, or a quarter of GOMEMLIMIT if
	// that is less. A sign-in flood's peak RSS is about three times the
	// budget (see DefaultHashMemoryBudget).
	HashMemoryBudget int64
	// HashConcurrency caps the number of passwords hashed at once, whatever
	// the budget; default DefaultHashConcurrency(), GOMAXPROCS. A host that
	// wants a processor kept free for token checks during a sign-in flood
	// sets GOMAXPROCS minus one.
	HashConcurrency int
	// HashQueue is the number of hashing requests that may wait for their
	// turn, served in arrival order; more are refused at once with a
	// *RateLimitError; default 64.
	HashQueue int
}

// DefenderConfig configures the brute-force defender, after SFTPGo's.
type DefenderConfig struct {
	// Disabled turns the defender off (not recommended).
	Disabled bool
	// Threshold is the score at which an IP is banned; default 15.
	Threshold int
	// ScoreFailure is added for a failed sign-in or a wrong code (the same
	// for unknown users and wrong passwords, so the ban reveals nothing);
	// default 2.
	ScoreFailure int
	// ScoreLimitExceeded is added when a rate limit refuses a request;
	// default 3.
	ScoreLimitExceeded int
	// ObservationTime is the window scores are summed over; default 30 minutes.
	ObservationTime time.Duration
	// BanTime is how long a ban lasts; default 30 minutes.
	BanTime time.Duration
}
