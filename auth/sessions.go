package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/token"
)

// Session defaults (Config.Sessions).
const (
	DefaultSessionIdleTimeout = 14 * 24 * time.Hour
	DefaultSessionLifetime    = 30 * 24 * time.Hour
	DefaultMaxSessionsPerUser = 100
	DefaultRefreshGrace       = 2 * time.Second
	// MaxRefreshGrace is the longest RefreshGrace the service accepts.
	MaxRefreshGrace = 5 * time.Second
)

// claimSession is the access-token claim that names its session.
const claimSession = "sid"

// SessionConfig configures sessions: every sign-in that returns an access
// token starts one, and its refresh token renews the access token without
// the password until the session ends. The zero value means the defaults.
type SessionConfig struct {
	// IdleTimeout ends a session that was not refreshed for this long;
	// default 14 days. RoleIdleTimeout overrides it per role.
	IdleTimeout     time.Duration
	RoleIdleTimeout map[string]time.Duration
	// Lifetime ends a session this long after the sign-in, however often it
	// is refreshed; default 30 days. RoleLifetime overrides it per role.
	Lifetime     time.Duration
	RoleLifetime map[string]time.Duration
	// MaxPerUser caps a user's sessions; a sign-in beyond it ends the
	// oldest. Default 100 (scripts that call GET /token start one each
	// time); negative means no cap.
	MaxPerUser int
	// RefreshGrace is how long after a refresh token was spent a client
	// racing itself (two tabs refreshing at once) may present it again and
	// still get an access token: without a new refresh token, and only
	// while the successor issued for it has not been used. Anything else
	// presenting a spent refresh token ends the session (RFC 9700 §4.14.2:
	// reuse means a stolen token). Default 2 s, at most MaxRefreshGrace;
	// negative means no grace.
	RefreshGrace time.Duration
	// BindIP binds a session to the client IP that started it: an access
	// or refresh token presented from another address is refused, and a
	// refresh token presented from another address ends the session.
	BindIP bool
}

func fillSessions(c *SessionConfig) error {
	bad := func(what string) error { return fmt.Errorf("%w: sessions: %s", ErrInvalidConfig, what) }
	for _, m := range []map[string]time.Duration{c.RoleIdleTimeout, c.RoleLifetime} {
		for _, d := range m {
			if d <= 0 {
				return bad("per-role durations must be positive")
			}
		}
	}
	if c.IdleTimeout < 0 || c.Lifetime < 0 {
		return bad("negative duration")
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultSessionIdleTimeout
	}
	if c.Lifetime == 0 {
		c.Lifetime = DefaultSessionLifetime
	}
	switch {
	case c.MaxPerUser == 0:
		c.MaxPerUser = DefaultMaxSessionsPerUser
	case c.MaxPerUser < 0:
		c.MaxPerUser = 0 // the store's "no cap"
	}
	switch {
	case c.RefreshGrace == 0:
		c.RefreshGrace = DefaultRefreshGrace
	case c.RefreshGrace < 0:
		c.RefreshGrace = 0
	case c.RefreshGrace > MaxRefreshGrace:
		return bad("RefreshGrace above MaxRefreshGrace")
	}
	return nil
}

func (c *SessionConfig) idle(role string) time.Duration {
	if d, ok := c.RoleIdleTimeout[role]; ok {
		return d
	}
	return c.IdleTimeout
}

func (c *SessionConfig) lifetime(role string) time.Duration {
	if d, ok := c.RoleLifetime[role]; ok {
		return d
	}
	return c.Lifetime
}

// Session is a signed-in session as GET /users/{id}/sessions shows it.
type Session struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	// ExpiresAt is when the session ends unless refreshed before: the
	// earlier of its idle end and its absolute end.
	ExpiresAt time.Time `json:"expires_at"`
	ClientIP  string    `json:"client_ip"`
	// Current marks the session of the caller's access token.
	Current bool `json:"current"`
}

// sessionEnd is when ss ends unless it is refreshed before.
func sessionEnd(ss *store.Session) time.Time {
	idle := ss.LastUsedAt.Add(ss.IdleTimeout)
	if idle.Before(ss.ExpiresAt) {
		return idle
	}
	return ss.ExpiresAt
}

// startSession creates the session of a sign-in of u and returns it with
// its first refresh token.
func (s *Service) startSession(ctx context.Context, c Client, u *store.User, authTime time.Time) (*store.Session, string, error) {
	refresh, digest, err := token.GenerateRefreshToken()
	if err != nil {
		return nil, "", internal(err)
	}
	now := s.nowUTC()
	ss := &store.Session{
		ID:          "ses_" + newID(),
		UserID:      u.ID,
		CreatedAt:   now,
		LastUsedAt:  now,
		IdleTimeout: s.cfg.Sessions.idle(u.Role),
		ExpiresAt:   now.Add(s.cfg.Sessions.lifetime(u.Role)),
		AuthTime:    store.StorageTime(authTime),
		Generation:  u.Generation,
		RefreshSeq:  1,
	}
	if c.IP.IsValid() {
		ss.ClientIP = c.IP.String()
	}
	if err := s.st.CreateSession(ctx, ss, digest, s.cfg.Sessions.MaxPerUser); err != nil {
		return nil, "", storeErr(err, ErrInvalidCredentials)
	}
	s.sessionEvent(SessionStarted)
	return ss, refresh, nil
}

// Refresh renews an access token with a refresh token (POST
// /token/refresh). The refresh token presented is spent and the result
// holds its successor; the access token keeps the auth_time of the
// sign-in. A spent refresh token presented again ends the whole session
// (its access and refresh tokens): either it was stolen, or the thief used
// it first. Within Config.Sessions.RefreshGrace after the spending, the
// token's own client racing itself gets an access token without a new
// refresh token instead, as long as the successor was not used yet.
// Refreshing counts against the per-client limit, and an unknown token
// scores in the defender.
//
// Errors: ErrUnauthorized (malformed, unknown, spent, expired, or the
// session ended), ErrAccountDisabled, ErrIPNotAllowed, *RateLimitError.
func (s *Service) Refresh(ctx context.Context, c Client, refreshToken string) (_ *TokenResponse, err error) {
	rot := store.Rotation(0)
	defer func() {
		switch {
		case rot == store.RotationReused:
			s.sessionEvent(SessionReused)
		case err != nil:
			s.sessionEvent(SessionRefused)
		case rot == store.RotationGrace:
			s.sessionEvent(SessionGrace)
		default:
			s.sessionEvent(SessionRefreshed)
		}
	}()
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	if token.CheckRefreshToken(refreshToken) != nil {
		s.failed(ctx, c)
		return nil, fmt.Errorf("%w: malformed refresh token", ErrUnauthorized)
	}
	next, nextDigest, err := token.GenerateRefreshToken()
	if err != nil {
		return nil, internal(err)
	}
	now := s.nowUTC()
	ss, u, rot, err := s.st.RotateRefreshToken(ctx, token.Digest(refreshToken), nextDigest, now, s.cfg.Sessions.RefreshGrace)
	if errors.Is(err, store.ErrNotFound) {
		s.failed(ctx, c)
		return nil, fmt.Errorf("%w: unknown or expired refresh token", ErrUnauthorized)
	} else if err != nil {
		return nil, internal(err)
	}
	if rot == store.RotationReused {
		s.failed(ctx, c)
		s.audit(ctx, slog.LevelWarn, "auth.refresh_token_reused", slog.String("user_id", ss.UserID), attrSession(ss.ID), attrIP(c))
		return nil, fmt.Errorf("%w: refresh token already used; the session has ended", ErrUnauthorized)
	}
	if err := s.checkSession(ctx, c, ss, u); err != nil {
		if errors.Is(err, ErrUnauthorized) {
			// A refresh that is refused for the session's sake ends it: the
			// token was spent above, and a session whose credentials changed
			// or that is presented from elsewhere is not to be kept.
			s.endSession(ctx, ss)
		}
		return nil, err
	}
	tok, err := s.issue(ctx, u, ss.AuthTime, ss.ID)
	if err != nil {
		return nil, err
	}
	if rot == store.Rotated {
		tok.RefreshToken = next
		end := sessionEnd(ss)
		tok.RefreshExpiresAt = &end
	}
	tok.SessionID = ss.ID
	return tok, nil
}

// checkSession refuses a session that must not be used by c: ended by a
// change of the user's credentials, or bound to another address; and the
// account rules of checkAccount.
func (s *Service) checkSession(ctx context.Context, c Client, ss *store.Session, u *store.User) error {
	if err := s.checkAccount(ctx, c, u); err != nil {
		return err
	}
	if ss.Generation != u.Generation {
		return fmt.Errorf("%w: the session ended when the credentials changed", ErrUnauthorized)
	}
	if s.cfg.Sessions.BindIP && (!c.IP.IsValid() || ss.ClientIP != c.IP.String()) {
		s.audit(ctx, slog.LevelWarn, "auth.session_ip_mismatch", slog.String("user_id", u.ID), attrSession(ss.ID), attrIP(c))
		return fmt.Errorf("%w: the session is bound to another client address", ErrUnauthorized)
	}
	return nil
}

// endSession deletes ss, logging rather than returning a store error: the
// caller's answer is already a refusal.
func (s *Service) endSession(ctx context.Context, ss *store.Session) {
	if err := s.st.DeleteSession(ctx, ss.UserID, ss.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "delete_session"), slog.Any("error", err))
	}
}

// ListSessions returns the user's live sessions, oldest first (GET
// /users/{id}/sessions): self, or view_users. The caller's own session is
// marked Current. Errors: ErrUnauthorized, ErrForbidden, ErrNotFound.
func (s *Service) ListSessions(ctx context.Context, p *Principal, userID string) ([]Session, error) {
	if err := authorize(p, userID, selfAny, PermViewUsers); err != nil {
		return nil, err
	}
	u, err := s.st.User(ctx, userID)
	if err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	list, err := s.st.ListSessions(ctx, userID)
	if err != nil {
		return nil, internal(err)
	}
	now := s.now()
	out := make([]Session, 0, len(list))
	for i := range list {
		ss := &list[i]
		if !ss.Live(now) || ss.Generation != u.Generation {
			continue
		}
		out = append(out, Session{
			ID:         ss.ID,
			CreatedAt:  ss.CreatedAt,
			LastUsedAt: ss.LastUsedAt,
			ExpiresAt:  sessionEnd(ss),
			ClientIP:   ss.ClientIP,
			Current:    p.SessionID == ss.ID && p.UserID == userID,
		})
	}
	return out, nil
}

// RevokeSession ends one of the user's sessions, its access and refresh
// tokens (DELETE /users/{id}/sessions/{session_id}): self, or edit_users
// on a user whose permissions the caller holds. Errors: ErrUnauthorized,
// ErrForbidden, ErrNotFound.
func (s *Service) RevokeSession(ctx context.Context, p *Principal, userID, sessionID string) error {
	if err := s.authorizeSessions(ctx, p, userID); err != nil {
		return err
	}
	if err := s.st.DeleteSession(ctx, userID, sessionID); err != nil {
		return storeErr(err, ErrNotFound)
	}
	s.sessionEvent(SessionEnded)
	s.audit(ctx, slog.LevelInfo, "auth.session_revoked", slog.String("user_id", userID), attrSession(sessionID), slog.String("by", actor(p)))
	return nil
}

// RevokeSessions ends every session of the user: "log out everywhere"
// (DELETE /users/{id}/sessions). Permissions as RevokeSession.
func (s *Service) RevokeSessions(ctx context.Context, p *Principal, userID string) error {
	if err := s.authorizeSessions(ctx, p, userID); err != nil {
		return err
	}
	n, err := s.st.DeleteUserSessions(ctx, userID)
	if err != nil {
		return internal(err)
	}
	s.audit(ctx, slog.LevelInfo, "auth.sessions_revoked", slog.String("user_id", userID), slog.Int("sessions", n), slog.String("by", actor(p)))
	return nil
}

// ActiveSessions returns how many sessions would have their refresh
// tokens honoured now: live, of an enabled user, from the user's current
// credentials. It counts every session in the store, so every instance
// sharing a database reports the same number. One store read, bounded by
// Config.StoreTimeout; it is meant for a gauge (the metrics package's
// latch_sessions_active) and is not part of the API. An error wraps
// errors.ErrUnsupported when the store cannot count sessions (it does not
// implement store.SessionCounter).
func (s *Service) ActiveSessions(ctx context.Context) (int, error) {
	if s.counter == nil {
		return 0, fmt.Errorf("auth: active sessions: %w by this store", errors.ErrUnsupported)
	}
	n, err := s.counter.CountLiveSessions(ctx, s.now())
	if err != nil {
		return 0, internal(err)
	}
	return n, nil
}

// authorizeSessions allows the user itself, or edit_users on a user the
// caller may manage.
func (s *Service) authorizeSessions(ctx context.Context, p *Principal, userID string) error {
	if err := authorize(p, userID, selfAny, PermEditUsers); err != nil {
		return err
	}
	u, err := s.st.User(ctx, userID)
	if err != nil {
		return storeErr(err, ErrNotFound)
	}
	if !p.is(userID) && !canManage(p, u) {
		return errManage()
	}
	return nil
}

func attrSession(id string) slog.Attr { return slog.String("session_id", id) }

// LogoutRefreshToken ends the session of a refresh token (POST /logout in
// a browser's cookie mode, where the page may hold no access token). The
// token is spent in the same store step that finds the session, so it
// cannot be used again whatever happens next. Errors: ErrUnauthorized
// (malformed, unknown or expired), *RateLimitError.
func (s *Service) LogoutRefreshToken(ctx context.Context, c Client, refreshToken string) error {
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	if token.CheckRefreshToken(refreshToken) != nil {
		s.failed(ctx, c)
		return fmt.Errorf("%w: malformed refresh token", ErrUnauthorized)
	}
	_, nextDigest, err := token.GenerateRefreshToken()
	if err != nil {
		return internal(err)
	}
	ss, _, rot, err := s.st.RotateRefreshToken(ctx, token.Digest(refreshToken), nextDigest, s.nowUTC(), s.cfg.Sessions.RefreshGrace)
	if errors.Is(err, store.ErrNotFound) {
		s.failed(ctx, c)
		return fmt.Errorf("%w: unknown or expired refresh token", ErrUnauthorized)
	} else if err != nil {
		return internal(err)
	}
	if rot != store.RotationReused { // a reuse has ended the session already
		s.endSession(ctx, ss)
	}
	s.sessionEvent(SessionEnded)
	s.audit(ctx, slog.LevelInfo, "auth.sign_out", slog.String("user_id", ss.UserID), attrSession(ss.ID))
	return nil
}

// SignInNotifier is an optional interface of a Notifier: a Notifier that
// implements it is told of a sign-in from a client network (an IPv4 /24,
// an IPv6 /64) that none of the user's live sessions came from, so the
// owner learns of a sign-in it did not make. It is never told of a user's
// first sign-in, nor of sign-ins from a network the user has a session
// from, so scripts that sign in all the time cause none. network is the
// client address; userAgent is as the client sent it (shorten and clean it
// before putting it in a message).
type SignInNotifier interface {
	SendSignInNotice(ctx context.Context, email, network, userAgent string, at time.Time) error
}

// noticeNewNetwork tells u, through a SignInNotifier, of a sign-in from a
// network none of its live sessions came from. Only a verified address is
// told; a store error skips the notice (it is logged), never the sign-in.
func (s *Service) noticeNewNetwork(ctx context.Context, c Client, u *store.User) {
	n, ok := s.cfg.Notifier.(SignInNotifier)
	if !ok || !c.IP.IsValid() || u.Email == "" || !u.EmailVerified {
		return
	}
	net := clientNetwork(c.IP)
	list, err := s.st.ListSessions(ctx, u.ID)
	if err != nil {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "list_sessions"), slog.Any("error", err))
		return
	}
	now := s.now()
	for i := range list {
		ss := &list[i]
		if ip, err := netip.ParseAddr(ss.ClientIP); err == nil && ss.Live(now) && clientNetwork(ip) == net {
			return
		}
	}
	if err := n.SendSignInNotice(ctx, u.Email, c.IP.String(), c.UserAgent, now); err != nil {
		s.audit(ctx, slog.LevelError, "auth.notice_not_delivered", slog.String("kind", "sign_in"), slog.String("user_id", u.ID), slog.Any("error", err))
		return
	}
	s.audit(ctx, slog.LevelInfo, "auth.new_network_notice", slog.String("user_id", u.ID), attrIP(c))
}

// clientNetwork is the network a sign-in notice compares: an IPv4 /24 or
// an IPv6 /64.
func clientNetwork(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := 64
	if ip.Is4() {
		bits = 24
	}
	p, _ := ip.Prefix(bits)
	return p
}
