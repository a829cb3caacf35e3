package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/token"
)

// apiTokenTouchInterval is how often an API token's last_used_at is written.
const apiTokenTouchInterval = time.Minute

// Authenticate checks a bearer credential: an API token (recognised by
// token.APITokenTag) or an access token (JWT), and returns the caller.
//
// For an access token it checks the signature and claims, that the token
// was not revoked (logout), that its user exists, is enabled and was not
// told to drop earlier tokens (its credential generation is still the
// token's: no password change or reset, disabling or reduction of access
// since), and the client IP against the user's allowed_ips. The store is read on every call
// (revocation and user), so a logout, password change or deletion on any
// instance takes effect at once everywhere. For an API token: one read by
// digest, the expiry, the owner's state and allowed_ips; last_used_at is
// written at most once a minute.
//
// Errors: ErrUnauthorized (missing, malformed, expired, revoked or wrongly
// signed), ErrAccountDisabled, ErrIPNotAllowed.
func (s *Service) Authenticate(ctx context.Context, c Client, credential string) (*Principal, error) {
	if strings.HasPrefix(credential, token.APITokenTag) {
		return s.AuthenticateAPIToken(ctx, c, credential)
	}
	return s.AuthenticateAccessToken(ctx, c, credential)
}

// AuthenticateAccessToken is Authenticate for an access token only (the
// "JWT" authorization scheme).
func (s *Service) AuthenticateAccessToken(ctx context.Context, c Client, jwt string) (_ *Principal, err error) {
	defer s.authenticated(KindAccessToken, &err)
	if jwt == "" {
		return nil, ErrUnauthorized
	}
	var d [sha256.Size]byte
	var ticket fillTicket
	if s.cache != nil {
		jwtDigest(&d, jwt)
		var e *cacheEntry
		if e, ticket = s.cache.getBytes(d[:]); e != nil {
			return s.accessPrincipal(ctx, c, e.claims, e.sess, e.user)
		}
	}
	claims, err := s.keys.verify(ctx, jwt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	gen, ok := claims.Extra[claimGeneration].(float64)
	if !ok || gen < 0 || gen != float64(int64(gen)) {
		return nil, fmt.Errorf("%w: not an access token", ErrUnauthorized)
	}
	cc := &cachedClaims{
		id:          claims.ID,
		subject:     claims.Subject,
		gen:         int64(gen),
		permissions: claims.Permissions,
		expiresAt:   claims.ExpiresAt,
		authTime:    claimTime(claims.Extra[claimAuthTime]),
	}
	cc.sid, _ = claims.Extra[claimSession].(string)
	ss, u, err := s.tokenOwner(ctx, cc.id, cc.subject, cc.sid)
	if err != nil {
		return nil, err
	}
	p, err := s.accessPrincipal(ctx, c, cc, ss, u)
	if err == nil && ticket.ok {
		e := &cacheEntry{key: string(d[:]), jwt: true, user: cachedUser(u), claims: cc, tags: []string{"u" + u.ID}}
		if ss != nil {
			sc := *ss
			e.sess = &sc
			e.tags = append(e.tags, "s"+ss.ID)
		} else {
			e.tags = append(e.tags, "j"+cc.id)
		}
		cc.permissions = slices.Clip(cc.permissions)
		s.cache.put(ticket, e)
	}
	return p, err
}

// accessPrincipal checks a verified access token's records (read from
// the store or the cache) for a request from c and returns its caller:
// the token has not expired, its session (if any) is live, belongs to
// its subject and may be used from c, the account is enabled and allows
// c, and the generation is still the token's.
func (s *Service) accessPrincipal(ctx context.Context, c Client, cc *cachedClaims, ss *store.Session, u *store.User) (*Principal, error) {
	now := s.now()
	if !now.Before(cc.expiresAt) {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, token.ErrExpired)
	}
	if ss != nil {
		if ss.UserID != cc.subject || !ss.Live(now) {
			return nil, fmt.Errorf("%w: the session has ended", ErrUnauthorized)
		}
		if err := s.checkSession(ctx, c, ss, u); err != nil {
			return nil, err
		}
	} else if err := s.checkAccount(ctx, c, u); err != nil {
		return nil, err
	}
	if cc.gen != u.Generation {
		return nil, fmt.Errorf("%w: token issued before the credentials changed", ErrUnauthorized)
	}
	return &Principal{
		UserID:      u.ID,
		Username:    u.Username,
		Role:        u.Role,
		Permissions: slices.Clone(narrow(cc.permissions, u.Permissions)),
		Kind:        KindAccessToken,
		TokenID:     cc.id,
		SessionID:   cc.sid,
		ExpiresAt:   cc.expiresAt,
		AuthTime:    cc.authTime,
	}, nil
}

// tokenOwner returns the session (sid) and user of an access token, in
// one store read; a token without a session (issued before sessions) is
// checked against the revocation list instead, with a second read, and
// has no session.
func (s *Service) tokenOwner(ctx context.Context, jti, sub, sid string) (*store.Session, *store.User, error) {
	if sid == "" {
		revoked, err := s.st.IsRevoked(ctx, jti)
		if err != nil {
			return nil, nil, internal(err)
		}
		if revoked {
			return nil, nil, fmt.Errorf("%w: token revoked", ErrUnauthorized)
		}
		u, err := s.st.User(ctx, sub)
		if err != nil {
			return nil, nil, storeErr(err, fmt.Errorf("%w: no such user", ErrUnauthorized))
		}
		return nil, u, nil
	}
	ss, u, err := s.st.SessionWithOwner(ctx, sid)
	if err != nil {
		return nil, nil, storeErr(err, fmt.Errorf("%w: the session has ended", ErrUnauthorized))
	}
	return ss, u, nil
}

// claimTime reads a NumericDate claim; anything else is the zero time.
func claimTime(v any) time.Time {
	f, ok := v.(float64)
	if !ok || f <= 0 || f > 253402300799 || f != float64(int64(f)) {
		return time.Time{}
	}
	return time.Unix(int64(f), 0).UTC()
}

// AuthenticateAPIToken is Authenticate for an API token only (the
// "APIToken" authorization scheme). A malformed or mistyped token is
// refused without a store read; a well-formed one costs one indexed read
// (the token with its owner), or none when the cache holds it, and, at
// most once a minute per token, a write of its last use.
func (s *Service) AuthenticateAPIToken(ctx context.Context, c Client, apiToken string) (_ *Principal, err error) {
	defer s.authenticated(KindAPIToken, &err)
	if len(apiToken) != token.APITokenLen {
		return nil, fmt.Errorf("%w: malformed api token", ErrUnauthorized)
	}
	// A token whose digest is cached was checked when it was cached: a
	// hit needs neither the checksum nor an allocation.
	var d [2 * sha256.Size]byte
	apiTokenDigest(&d, apiToken)
	e, ticket := s.cache.getBytes(d[:])
	if e == nil {
		if err := token.CheckAPIToken(apiToken); err != nil {
			return nil, fmt.Errorf("%w: malformed api token", ErrUnauthorized)
		}
		digest := string(d[:])
		t, u, err := s.st.APITokenWithOwner(ctx, digest)
		if err != nil {
			return nil, storeErr(err, fmt.Errorf("%w: unknown api token", ErrUnauthorized))
		}
		e = &cacheEntry{key: digest, tok: t, user: u, tags: []string{"u" + u.ID}}
		e.touched.Store(t.LastUsedAt.UnixNano())
		defer func() {
			if err == nil && ticket.ok {
				ct := *t
				ct.Permissions = slices.Clip(t.Permissions)
				e.tok, e.user = &ct, cachedUser(u)
				s.cache.put(ticket, e)
			}
		}()
	}
	t, u := e.tok, e.user
	now := s.now()
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return nil, fmt.Errorf("%w: api token expired", ErrUnauthorized)
	}
	if err := s.checkAccount(ctx, c, u); err != nil {
		return nil, err
	}
	if last := e.touched.Load(); now.UnixNano()-last >= int64(apiTokenTouchInterval) && e.touched.CompareAndSwap(last, now.UnixNano()) {
		if err := s.st.TouchAPIToken(ctx, t.ID, store.StorageTime(now)); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "touch_api_token"), slog.Any("error", err))
		}
	}
	return &Principal{
		UserID:      u.ID,
		Username:    u.Username,
		Role:        u.Role,
		Permissions: slices.Clone(narrow(t.Permissions, u.Permissions)),
		Kind:        KindAPIToken,
		TokenID:     t.ID,
		ExpiresAt:   t.ExpiresAt,
	}, nil
}
