package auth

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/passkey"
	"github.com/latchkit/latch/seal"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/totp"
)

// Defaults of Config and Limits.
const (
	DefaultAudience          = "latch"
	DefaultAccessTokenTTL    = 15 * time.Minute
	DefaultChallengeTTL      = 5 * time.Minute
	DefaultCodeTTL           = 15 * time.Minute
	DefaultKeyReloadInterval = 5 * time.Second
	DefaultStoreTimeout      = 5 * time.Second
	// DefaultMaxAPITokensPerUser caps one user's API tokens, so one session
	// cannot mint tokens without bound.
	DefaultMaxAPITokensPerUser = 100
	DefaultRole                = "user"
	DefaultMinPasswordLen      = 8
	DefaultMaxPasswordLen      = 128
	DefaultIssuer              = "Latch"
	DefaultHashQueue           = 64
)

// maxCodeAttempts is the number of wrong codes after which an email
// verification or password reset request is deleted.
const maxCodeAttempts = 5

// minKeyReload is the shortest time between two reloads of the signing keys
// caused by tokens with an unknown kid.
const minKeyReload = time.Second

// Service is the authentication service: every rule of the REST contract,
// usable without HTTP. It is safe for concurrent use. Over a store with a
// change feed (and the cache enabled) it starts one goroutine that follows
// the feed, which ends with [Service.Close] or when the store is closed;
// otherwise it starts none and needs no Close. Several Services, in one process or in many, may
// share one store: they share users, keys, revocations and limits through it.
type Service struct {
	st      store.Store
	counter store.SessionCounter // nil when the store cannot count sessions
	cfg     Config
	now     func() time.Time
	log     *slog.Logger
	obs     Observer     // nil: none
	hasher  *hash.Hasher // nil: the defaults
	dummy   string       // a hash of a random password, verified for unknown users
	sealer  *seal.Sealer
	codeKey []byte // HMAC key for the digests of email and reset codes
	pool    *pool
	keys    *keyring
	totpCfg totp.Config
	swept   atomic.Int64 // Unix nanoseconds of the last sweep

	recoveryKey []byte         // HMAC key of recovery-code digests (recovery.go)
	policy      passwordPolicy // the password rules beyond length (policy.go)

	// hashCost is the memory of a hash of the policy (and of verifying
	// the dummy), for the pool (pool.go).
	hashCost int64
	cache    *authCache         // nil: authenticate from the store (cache.go)
	stopFeed context.CancelFunc // ends follow; nil when no feed is followed
	feedDone chan struct{}      // closed when follow returns
	syncedAt atomic.Int64       // Unix nanoseconds of the last sync applied

	rp *passkey.RP // the WebAuthn relying party; nil: passkeys off (passkeys.go)
}

// New returns a Service over st. It loads the signing keys from the store
// and creates the first one if there is none, within ctx (each store call
// is also bounded by Config.StoreTimeout). It returns an error wrapping
// ErrInvalidConfig for a Config it refuses (no or a short SealingKey,
// negative durations, an unsupported signing algorithm), and the store's
// error if the keys cannot be loaded.
func New(ctx context.Context, st store.Store, cfg Config) (*Service, error) {
	if st == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalidConfig)
	}
	if err := fillDefaults(&cfg); err != nil {
		return nil, err
	}
	feed, _ := st.(store.ChangeFeed)
	_, counts := st.(store.SessionCounter)
	if cfg.Observer != nil {
		st = observedStore{st, cfg.Observer}
	}
	s := &Service{st: timedStore{Store: st, timeout: cfg.StoreTimeout}, cfg: cfg, log: cfg.Logger, obs: cfg.Observer}
	if counts {
		s.counter = s.st.(timedStore) // observed and bounded as every store call
	}
	if feed != nil && cfg.Cache.MaxEntries > 0 {
		s.cache = newAuthCache(cfg.Cache.MaxEntries)
		s.st = invalidatingStore{Store: s.st, c: s.cache}
	}
	// Times the service hands out are UTC, as the store's are, so that its
	// results are the wire format as they are (see types.go).
	s.now = func() time.Time { return time.Now().UTC() }
	if now := cfg.Now; now != nil {
		s.now = func() time.Time { return now().UTC() }
	}
	s.hasher = cfg.Hasher
	sealKey, err := hkdf.Key(sha256.New, cfg.SealingKey, nil, "latch/auth/seal/v1", seal.KeySize)
	if err != nil {
		return nil, fmt.Errorf("auth: deriving keys: %w", err)
	}
	if s.sealer, err = seal.New(sealKey); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	if s.codeKey, err = hkdf.Key(sha256.New, cfg.SealingKey, nil, "latch/auth/code-digest/v1", 32); err != nil {
		return nil, fmt.Errorf("auth: deriving keys: %w", err)
	}
	if s.recoveryKey, err = deriveRecoveryKey(cfg.SealingKey); err != nil {
		return nil, err
	}
	s.policy = newPasswordPolicy(&cfg)
	if s.rp, err = newRP(&cfg); err != nil {
		return nil, err
	}
	// The dummy hash uses the configured policy, so that verifying it costs
	// what verifying a real user's (current) hash costs.
	if s.dummy, err = s.hasher.Hash(rand.Text()); err != nil {
		return nil, fmt.Errorf("auth: hashing the dummy password: %w", err)
	}
	s.pool = newPool(cfg.Limits.HashMemoryBudget, cfg.Limits.HashConcurrency, cfg.Limits.HashQueue)
	s.hashCost = s.hasher.MemoryCost(s.dummy)
	s.pool.obs = cfg.Observer
	s.totpCfg = totp.Config{Issuer: cfg.Issuer}
	if s.keys, err = newKeyring(ctx, s); err != nil {
		return nil, err
	}
	if s.cache != nil {
		fctx, cancel := context.WithCancel(context.Background())
		s.stopFeed, s.feedDone = cancel, make(chan struct{})
		go s.follow(fctx, feed)
	}
	return s, nil
}

func fillDefaults(cfg *Config) error {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrInvalidConfig, what) }
	if len(cfg.SealingKey) != seal.KeySize {
		return bad("SealingKey must be 32 bytes")
	}
	for _, d := range []time.Duration{cfg.AccessTokenTTL, cfg.ChallengeTTL, cfg.CodeTTL, cfg.KeyReloadInterval, cfg.StoreTimeout} {
		if d < 0 {
			return bad("negative duration")
		}
	}
	for _, d := range cfg.RoleTokenTTL {
		if d <= 0 {
			return bad("RoleTokenTTL must be positive")
		}
	}
	def := func(p *time.Duration, d time.Duration) {
		if *p == 0 {
			*p = d
		}
	}
	def(&cfg.AccessTokenTTL, DefaultAccessTokenTTL)
	def(&cfg.ChallengeTTL, DefaultChallengeTTL)
	def(&cfg.CodeTTL, DefaultCodeTTL)
	def(&cfg.StoreTimeout, DefaultStoreTimeout)
	def(&cfg.KeyReloadInterval, DefaultKeyReloadInterval)
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.DefaultRole == "" {
		cfg.DefaultRole = DefaultRole
	} else if err := validateRole(cfg.DefaultRole); err != nil {
		return bad("DefaultRole: " + err.Error())
	}
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.MinPasswordLen == 0 {
		cfg.MinPasswordLen = DefaultMinPasswordLen
	}
	if cfg.MaxPasswordLen == 0 {
		cfg.MaxPasswordLen = DefaultMaxPasswordLen
	}
	if cfg.MinPasswordLen < 1 || cfg.MaxPasswordLen < cfg.MinPasswordLen || cfg.MaxPasswordLen > maxPasswordLen {
		return bad("password length policy out of range")
	}
	switch {
	case cfg.MaxAPITokensPerUser == 0:
		cfg.MaxAPITokensPerUser = DefaultMaxAPITokensPerUser
	case cfg.MaxAPITokensPerUser < 0:
		cfg.MaxAPITokensPerUser = 0 // the store's "no cap"
	}
	switch {
	case cfg.Cache.MaxEntries == 0:
		cfg.Cache.MaxEntries = DefaultCacheEntries
	case cfg.Cache.MaxEntries < 0:
		cfg.Cache.MaxEntries = 0 // disabled
	}
	if cfg.SigningAlgorithm == "" {
		cfg.SigningAlgorithm = defaultAlgorithm
	}
	if err := fillSessions(&cfg.Sessions); err != nil {
		return err
	}
	return fillLimits(&cfg.Limits)
}

func fillLimits(l *Limits) error {
	bad := func(what string) error { return fmt.Errorf("%w: limits: %s", ErrInvalidConfig, what) }
	rate := func(r *Rate, limit int, window time.Duration) error {
		if r.Window < 0 {
			return bad("negative window")
		}
		if r.Limit == 0 {
			r.Limit = limit
		}
		if r.Window == 0 {
			r.Window = window
		}
		return nil
	}
	if err := errors.Join(
		rate(&l.PerIP, 60, time.Minute),
		rate(&l.AccountFailures, 10, 15*time.Minute),
		rate(&l.AccountCeiling, 50, 15*time.Minute),
		rate(&l.NetworkFailures, 50, 15*time.Minute),
		rate(&l.EmailChanges, 5, time.Hour),
		rate(&l.Enrollments, 10, time.Hour),
		rate(&l.CodeFailures, 5, 15*time.Minute),
		rate(&l.Sends, 5, 15*time.Minute),
	); err != nil {
		return err
	}
	d := &l.Defender
	if d.Threshold < 0 || d.ScoreFailure < 0 || d.ScoreLimitExceeded < 0 || d.ObservationTime < 0 || d.BanTime < 0 {
		return bad("negative defender setting")
	}
	if d.Threshold == 0 {
		d.Threshold = 15
	}
	if d.ScoreFailure == 0 {
		d.ScoreFailure = 2
	}
	if d.ScoreLimitExceeded == 0 {
		d.ScoreLimitExceeded = 3
	}
	if d.ObservationTime == 0 {
		d.ObservationTime = 30 * time.Minute
	}
	if d.BanTime == 0 {
		d.BanTime = 30 * time.Minute
	}
	l.Exempt = slices.Clone(l.Exempt)
	for i, p := range l.Exempt {
		if !p.IsValid() {
			return bad("an Exempt prefix is invalid")
		}
		l.Exempt[i] = p.Masked()
	}
	return fillPoolDefaults(l)
}

// sweepInterval is how often the service deletes expired requests,
// revocations and counters by itself.
const sweepInterval = 10 * time.Minute

// Sweep deletes expired requests (challenges, verifications, resets),
// revocations of tokens that expired, ended sessions, and rate-limit and defender counters
// whose window and ban ended. The service sweeps by itself, at
// most every ten minutes, on the calls that create such records (every
// rate-limited operation, and Logout); a host may also call Sweep from a
// timer.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	if err := s.st.DeleteExpiredRequests(ctx, now); err != nil {
		return internal(err)
	}
	if err := s.st.DeleteExpiredRevocations(ctx, now); err != nil {
		return internal(err)
	}
	if err := s.st.DeleteDeadCounters(ctx, now); err != nil {
		return internal(err)
	}
	if err := s.st.DeleteExpiredSessions(ctx, now); err != nil {
		return internal(err)
	}
	return nil
}

// maybeSweep sweeps if the last sweep is older than sweepInterval; one
// caller wins the turn.
func (s *Service) maybeSweep(ctx context.Context) {
	now, last := s.now().UnixNano(), s.swept.Load()
	if now-last < int64(sweepInterval) || !s.swept.CompareAndSwap(last, now) {
		return
	}
	if err := s.Sweep(ctx); err != nil {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "sweep"), slog.Any("error", err))
	}
}

// internal wraps an unexpected error as ErrInternal, keeping the cause for
// errors.Is and the host's logs.
func internal(err error) error {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return fmt.Errorf("%w: %w", ErrInternal, err)
}

// storeErr translates a store error: ErrNotFound becomes notFound (when
// non-nil), anything else unexpected becomes ErrInternal.
func storeErr(err, notFound error) error {
	if notFound != nil && errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	return internal(err)
}

// audit logs an audit event. Attributes never carry a secret.
func (s *Service) audit(ctx context.Context, level slog.Level, event string, attrs ...slog.Attr) {
	if s.log == nil {
		return
	}
	s.log.LogAttrs(ctx, level, event, attrs...)
}

func attrIP(c Client) slog.Attr {
	if !c.IP.IsValid() {
		return slog.String("ip", "")
	}
	return slog.String("ip", c.IP.String())
}

// attrRequest names a verification or reset request in the audit log by a
// digest of its ID, never the ID: a password-reset request ID is the
// credential that, once its email code is verified, sets a new password.
// The same request always gets the same value, so log lines correlate.
func attrRequest(id string) slog.Attr {
	d := sha256.Sum256([]byte("latch audit request\x00" + id))
	return slog.String("request", hex.EncodeToString(d[:8]))
}

// newID returns a random record ID: 26 base32 characters, 130 bits.
func newID() string { return rand.Text() }

// nowUTC returns the current time as the store keeps it.
func (s *Service) nowUTC() time.Time { return store.StorageTime(s.now()) }
