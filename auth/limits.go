package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/latchkit/latch/store"
)

// Counter key prefixes. Every key the service writes starts with "auth:".
const (
	keyIP        = "auth:ip:"      // attempts per client IP (PerIP)
	keyDefender  = "auth:def:"     // defender score and ban per client IP
	keyFail      = "auth:fail:"    // password checks per identifier and client network
	keyFailAll   = "auth:failall:" // password checks per identifier, every network
	keyFailNet   = "auth:failnet:" // failed password checks per client network
	keyEmailChg  = "auth:email:"   // email changes started per user ID
	keyEnroll    = "auth:enroll:"  // TOTP enrollments started per user ID
	keyCode      = "auth:code:"    // wrong second-factor codes per user ID
	keySend      = "auth:send:"    // email-verification codes sent per email
	keyResetSend = "auth:rsend:"   // reset codes sent per email (a bucket of its own)
	keySendUser  = "auth:sendu:"   // email-verification codes sent per user ID
	keyRequest   = "auth:req:"     // email or reset code checks per request ID
)

// hostKey returns the defender's name for a client address: the address
// itself for IPv4, its /64 for IPv6 (one subscriber usually holds a whole
// /64). It returns "" for the zero Addr.
func hostKey(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.WithZone("").Prefix(64)
	return p.String()
}

// parseHost parses an address or an IPv6 /64 as DefenderHosts shows it.
func parseHost(s string) (string, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() || p.Bits() != 64 || p.Masked() != p {
			return "", false
		}
		return p.String(), true
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return "", false
	}
	return hostKey(ip), true
}

// rateErr returns the RateLimitError for a counter that ends at resetAt.
func (s *Service) rateErr(resetAt time.Time) *RateLimitError {
	return retryAfter(resetAt.Sub(s.now()))
}

// checkIP runs before any work that hashes a password, checks a code or
// sends one: it refuses a banned client IP and counts the attempt against
// the per-IP limit (which, when exceeded, also scores in the defender).
func (s *Service) checkIP(ctx context.Context, c Client) error {
	s.maybeSweep(ctx) // every rate-limited operation may create records
	h := hostKey(c.IP)
	if h == "" || s.exempt(c.IP) {
		return nil
	}
	now := s.now()
	if !s.cfg.Limits.Defender.Disabled {
		ctr, err := s.st.Counter(ctx, keyDefender+h, now)
		if err != nil {
			return internal(err)
		}
		if ctr.BannedUntil.After(now) {
			s.limitRefused(keyDefender)
			return s.rateErr(ctr.BannedUntil)
		}
	}
	r := s.cfg.Limits.PerIP
	if r.Limit < 0 {
		return nil
	}
	ctr, err := s.st.Hit(ctx, keyIP+h, 1, r.Window, now)
	if err != nil {
		return internal(err)
	}
	if ctr.Count > int64(r.Limit) {
		s.limitRefused(keyIP)
		s.audit(ctx, slog.LevelWarn, "auth.rate_limited", slog.String("limit", "ip"), attrIP(c))
		if err := s.score(ctx, c, s.cfg.Limits.Defender.ScoreLimitExceeded); err != nil {
			return err
		}
		return s.rateErr(ctr.ResetAt)
	}
	return nil
}

// score adds delta to the client IP's defender score and bans the IP when
// the score reaches the threshold.
func (s *Service) score(ctx context.Context, c Client, delta int) error {
	d := s.cfg.Limits.Defender
	h := hostKey(c.IP)
	if d.Disabled || h == "" || delta == 0 || s.exempt(c.IP) {
		return nil
	}
	now := s.now()
	ctr, err := s.st.Hit(ctx, keyDefender+h, int64(delta), d.ObservationTime, now)
	if err != nil {
		return internal(err)
	}
	if ctr.Count >= int64(d.Threshold) && !ctr.BannedUntil.After(now) {
		until := now.Add(d.BanTime)
		if err := s.st.Ban(ctx, keyDefender+h, until); err != nil {
			return internal(err)
		}
		s.defenderBanned()
		s.audit(ctx, slog.LevelWarn, "auth.defender_ban", slog.String("host", h), slog.Time("until", until))
	}
	return nil
}

// failed records a failed attempt of the client (a wrong password or
// code) in the defender. An error of the store is logged, not returned:
// the caller's answer stays the failure it was.
func (s *Service) failed(ctx context.Context, c Client) {
	if err := s.score(ctx, c, s.cfg.Limits.Defender.ScoreFailure); err != nil {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "defender"), slog.Any("error", err))
	}
}

// reserve counts one attempt against the limit r on key before the attempt
// is checked, so that parallel attempts can never exceed the limit; a
// successful attempt then calls clear. It returns a *RateLimitError when
// the limit is used up.
func (s *Service) reserve(ctx context.Context, key string, r Rate) error {
	if r.Limit < 0 {
		return nil
	}
	ctr, err := s.st.Hit(ctx, key, 1, r.Window, s.now())
	if err != nil {
		return internal(err)
	}
	if ctr.Count > int64(r.Limit) {
		s.limitRefused(key)
		return s.rateErr(ctr.ResetAt)
	}
	return nil
}

// unreserve gives back an attempt reserved for work that did not happen
// (the hashing queue was full).
func (s *Service) unreserve(ctx context.Context, key string, r Rate) {
	if r.Limit < 0 {
		return
	}
	if _, err := s.st.Hit(ctx, key, -1, r.Window, s.now()); err != nil {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "unreserve"), slog.Any("error", err))
	}
}

// clear forgets the attempts counted on key after a success.
func (s *Service) clear(ctx context.Context, key string) {
	if err := s.st.DeleteCounter(ctx, key); err != nil {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "clear"), slog.Any("error", err))
	}
}

// reserveCode reserves one second-factor code check for the user: wrong
// TOTP and recovery codes are counted per account, whatever the challenge,
// client IP or code.
func (s *Service) reserveCode(ctx context.Context, c Client, userID string) error {
	err := s.reserve(ctx, keyCode+userID, s.cfg.Limits.CodeFailures)
	var rl *RateLimitError
	if errors.As(err, &rl) {
		s.audit(ctx, slog.LevelWarn, "auth.rate_limited", slog.String("limit", "code"), slog.String("user_id", userID), attrIP(c))
		if err := s.score(ctx, c, s.cfg.Limits.Defender.ScoreLimitExceeded); err != nil {
			return err
		}
	}
	return err
}

// reserveSend counts one code sent to an email address and, when userID is
// not empty, one sent on behalf of that user, so that one account cannot
// mail codes to any number of addresses.
func (s *Service) reserveSend(ctx context.Context, email, userID string) error {
	if userID != "" {
		if err := s.reserve(ctx, keySendUser+userID, s.cfg.Limits.Sends); err != nil {
			return err
		}
	}
	return s.reserve(ctx, keySend+foldDigest(email), s.cfg.Limits.Sends)
}

// foldDigest names an identifier or email in counter keys without storing
// it: the hex SHA-256 of its folded form.
func foldDigest(s string) string {
	d := sha256.Sum256([]byte(store.FoldIdentifier(s)))
	return hex.EncodeToString(d[:])
}

// passwordAttempt is one password check, counted before the check against
// every limit that bounds guessing: per identifier and client network
// (the hard limit, which a guesser elsewhere cannot use up), per
// identifier over every network (the ceiling), and per client network over
// every identifier.
type passwordAttempt struct {
	keys  [3]string
	rates [3]Rate
	n     int
}

func (s *Service) newPasswordAttempt(c Client, identifier string) *passwordAttempt {
	id, h := foldDigest(identifier), hostKey(c.IP)
	a := &passwordAttempt{}
	a.add(keyFail+id+":"+h, s.cfg.Limits.AccountFailures)
	a.add(keyFailAll+id, s.cfg.Limits.AccountCeiling)
	if h != "" && !s.exempt(c.IP) {
		a.add(keyFailNet+h, s.cfg.Limits.NetworkFailures)
	}
	return a
}

// exempt reports whether ip is in one of Limits.Exempt.
func (s *Service) exempt(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range s.cfg.Limits.Exempt {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (a *passwordAttempt) add(key string, r Rate) {
	a.keys[a.n], a.rates[a.n] = key, r
	a.n++
}

// reservePassword counts the attempt against every limit, or returns the
// first limit's *RateLimitError (and gives back what it had counted).
func (s *Service) reservePassword(ctx context.Context, a *passwordAttempt) error {
	for i := range a.n {
		if err := s.reserve(ctx, a.keys[i], a.rates[i]); err != nil {
			for j := range i {
				s.unreserve(ctx, a.keys[j], a.rates[j])
			}
			return err
		}
	}
	return nil
}

// passwordSucceeded resets the identifier's counters and gives back the
// network's count: only failures count there.
func (s *Service) passwordSucceeded(ctx context.Context, a *passwordAttempt) {
	s.clear(ctx, a.keys[0])
	s.clear(ctx, a.keys[1])
	if a.n == 3 {
		s.unreserve(ctx, a.keys[2], a.rates[2])
	}
}

// passwordNotChecked gives back every count of an attempt whose check did
// not happen (the hashing queue was full).
func (s *Service) passwordNotChecked(ctx context.Context, a *passwordAttempt) {
	for i := range a.n {
		s.unreserve(ctx, a.keys[i], a.rates[i])
	}
}

// clearIdentifier forgets the password failures counted for an identifier,
// from every network.
func (s *Service) clearIdentifier(ctx context.Context, identifier string) {
	if identifier == "" {
		return
	}
	id := foldDigest(identifier)
	s.clear(ctx, keyFailAll+id)
	ctrs, err := s.st.ListCounters(ctx, keyFail+id+":", s.now())
	if err != nil {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "list_counters"), slog.Any("error", err))
		return
	}
	for _, c := range ctrs {
		s.clear(ctx, c.Key)
	}
}
