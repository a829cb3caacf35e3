package auth

import (
	"strings"
	"sync"
	"time"
)

// Observer receives the service's events, for metrics; set it in
// Config.Observer (nil reports nothing and costs nothing). The metrics
// package adapts it to Prometheus.
//
// Every string argument comes from a small fixed set, documented with each
// method, and never from a request: no username, email, IP address, code or
// token reaches an Observer, so each value is safe as a metric label.
//
// The methods are called synchronously, from many goroutines at once, on
// the paths they measure (HashPool under the pool's lock): they must be
// fast, must not block and must not call the Service. Embed NopObserver to
// implement only some of them and to keep compiling when methods are added.
type Observer interface {
	// SignIn reports the end of a sign-in attempt. method is "basic"
	// (TokenBasic), "password" (LoginPassword), "totp" (LoginTOTP),
	// "recovery_code" (LoginRecoveryCode) or "passkey" (LoginPasskey,
	// passwordless or as the second factor); result is ResultOK (a token was
	// issued), ResultSecondFactor (the password was right and a second
	// factor is required) or the lower-case error code, for example
	// "invalid_credentials" or "too_many_requests".
	SignIn(method, result string)
	// SecondFactor reports the check of a TOTP code (method "totp"), a
	// recovery code ("recovery_code") or a passkey after a password
	// ("passkey", LoginPasskey with a challenge) in any operation: sign-in, the
	// verify-2fa and reset-2fa operations, a password reset, TOTP removal
	// and regeneration of recovery codes. result is ResultOK or the
	// lower-case error code ("incorrect_code", "too_many_requests", ...).
	SecondFactor(method, result string)
	// Authenticate reports the check of a request's credential. kind is
	// KindAccessToken, KindAPIToken or KindCertificate; result is ResultOK or
	// the lower-case error code ("unauthorized", "account_disabled",
	// "ip_not_allowed", "internal_error").
	Authenticate(kind, result string)
	// LimitRefused reports a request refused by an abuse limit: LimitBanned
	// (the defender's ban), LimitIP, LimitAccount, LimitCode or LimitSend
	// (the Limits fields of those names). A full hashing queue is
	// HashPoolRefused instead.
	LimitRefused(limit string)
	// DefenderBan reports that the defender banned a client IP (IPv6: a /64).
	DefenderBan()
	// HashVerify reports a password verification in the hashing pool: the
	// format of the stored hash (a hash.Format, "unknown" when the hash
	// could not be parsed) and the time the verification took, re-hashing
	// included. Unknown users are verified against a hash of the Hasher's
	// format, as their cost must be.
	HashVerify(format string, d time.Duration)
	// HashPool reports the hashing pool's occupancy after each change: the
	// hashes running and the callers waiting for a slot. Calls are
	// serialized, so the last call always holds the current values.
	HashPool(running, queued int)
	// HashPoolRefused reports a caller refused at once because the pool's
	// queue was full (TOO_MANY_REQUESTS).
	HashPoolRefused()
	// HashWait reports how long an admitted caller waited for a slot.
	HashWait(d time.Duration)
	// StoreCall reports one call of the store: op is the store.Store method
	// name (for example "UserByUsername"), d its duration and err its
	// error. store.ErrNotFound and store.ErrConflict are answers rather
	// than failures; a context error means the caller gave up.
	StoreCall(op string, d time.Duration, err error)
	// Session reports an event of a session: SessionStarted (a sign-in),
	// SessionRefreshed (a refresh rotated its token), SessionGrace (a
	// refresh within the grace got an access token only), SessionReused
	// (a spent refresh token came back: the session ended),
	// SessionRefused (a refresh was refused otherwise) and SessionEnded
	// (logout or revocation).
	Session(event string)
}

// Session events reported to an Observer.
const (
	SessionStarted   = "started"
	SessionRefreshed = "refreshed"
	SessionGrace     = "grace"
	SessionReused    = "reused"
	SessionRefused   = "refused"
	SessionEnded     = "ended"
)

// sessionEvent reports a session event to the Observer.
func (s *Service) sessionEvent(event string) {
	if s.obs != nil {
		s.obs.Session(event)
	}
}

// Results and limits reported to an Observer, besides the lower-case error
// codes.
const (
	ResultOK           = "ok"
	ResultSecondFactor = "second_factor_required"

	LimitBanned  = "banned"
	LimitIP      = "ip"
	LimitAccount = "account"
	LimitCode    = "code"
	LimitSend    = "send"
	// LimitNetwork is the failed password checks of one client network.
	LimitNetwork = "network"
	// LimitUser is a per-user cap: email changes or TOTP enrollments.
	LimitUser = "user"
)

// NopObserver is an Observer that does nothing. Embed it in an Observer
// that implements only some methods.
type NopObserver struct{}

var _ Observer = NopObserver{}

func (NopObserver) SignIn(string, string)                  {}
func (NopObserver) SecondFactor(string, string)            {}
func (NopObserver) Authenticate(string, string)            {}
func (NopObserver) LimitRefused(string)                    {}
func (NopObserver) DefenderBan()                           {}
func (NopObserver) HashVerify(string, time.Duration)       {}
func (NopObserver) HashPool(int, int)                      {}
func (NopObserver) HashPoolRefused()                       {}
func (NopObserver) HashWait(time.Duration)                 {}
func (NopObserver) StoreCall(string, time.Duration, error) {}
func (NopObserver) Session(string)                         {}

// resultCodes maps each error code to its lower-case result, so that
// reporting a result allocates nothing.
var resultCodes = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, e := range Codes() {
		m[e.code] = strings.ToLower(e.code)
	}
	return m
})

// resultOf returns the Observer result of err: ResultOK for nil, else its
// lower-case error code.
func resultOf(err error) string {
	if err == nil {
		return ResultOK
	}
	code := CodeOf(err)
	if r, ok := resultCodes()[code]; ok {
		return r
	}
	return strings.ToLower(code)
}

// signedIn reports a finished TokenBasic, LoginTOTP or LoginRecoveryCode;
// call it deferred with the method's error result.
func (s *Service) signedIn(method string, err *error) {
	if s.obs != nil {
		s.obs.SignIn(method, resultOf(*err))
	}
}

// loggedIn reports a finished LoginPassword; call it deferred with the
// method's results.
func (s *Service) loggedIn(res **LoginResult, err *error) {
	if s.obs == nil {
		return
	}
	result := resultOf(*err)
	if *err == nil && *res != nil && (*res).SecondFactorRequired {
		result = ResultSecondFactor
	}
	s.obs.SignIn("password", result)
}

// secondFactorChecked reports a finished TOTP or recovery-code check; call
// it deferred with the check's error result.
func (s *Service) secondFactorChecked(method string, err *error) {
	if s.obs != nil {
		s.obs.SecondFactor(method, resultOf(*err))
	}
}

// authenticated reports a finished credential check; call it deferred with
// the check's error result.
func (s *Service) authenticated(kind PrincipalKind, err *error) {
	if s.obs != nil {
		s.obs.Authenticate(string(kind), resultOf(*err))
	}
}

// limitRefused reports a refusal by the limit that guards key (a counter
// key of limits.go).
func (s *Service) limitRefused(key string) {
	if s.obs == nil {
		return
	}
	limit := ""
	switch {
	case strings.HasPrefix(key, keyDefender):
		limit = LimitBanned
	case strings.HasPrefix(key, keyIP):
		limit = LimitIP
	case strings.HasPrefix(key, keyFailNet):
		limit = LimitNetwork
	case strings.HasPrefix(key, keyFail), strings.HasPrefix(key, keyFailAll):
		limit = LimitAccount
	case strings.HasPrefix(key, keyEmailChg), strings.HasPrefix(key, keyEnroll):
		limit = LimitUser
	case strings.HasPrefix(key, keyCode):
		limit = LimitCode
	case strings.HasPrefix(key, keySend), strings.HasPrefix(key, keySendUser), strings.HasPrefix(key, keyResetSend):
		limit = LimitSend
	default:
		return
	}
	s.obs.LimitRefused(limit)
}

// defenderBanned reports a ban.
func (s *Service) defenderBanned() {
	if s.obs != nil {
		s.obs.DefenderBan()
	}
}

// hashVerified reports a password verification of encoded that started at
// start.
func (s *Service) hashVerified(encoded string, start time.Time) {
	if s.obs == nil {
		return
	}
	d := time.Since(start)
	format := "unknown"
	if f, err := s.hasher.Identify(encoded); err == nil {
		format = string(f)
	}
	s.obs.HashVerify(format, d)
}
