package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	claims, err := s.keys.verify(ctx, jwt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	gen, ok := claims.Extra[claimGeneration].(float64)
	if !ok || gen < 0 || gen != float64(int64(gen)) {
		return nil, fmt.Errorf("%w: not an access token", ErrUnauthorized)
	}
	sid, _ := claims.Extra[claimSession].(string)
	u, err := s.tokenOwner(ctx, c, claims.ID, claims.Subject, sid)
	if err != nil {
		return nil, err
	}
	if int64(gen) != u.Generation {
		return nil, fmt.Errorf("%w: token issued before the credentials changed", ErrUnauthorized)
	}
	return &Principal{
		UserID:      u.ID,
		Username:    u.Username,
		Role:        u.Role,
		Permissions: narrow(claims.Permissions, u.Permissions),
		Kind:        KindAccessToken,
		TokenID:     claims.ID,
		SessionID:   sid,
		ExpiresAt:   claims.ExpiresAt,
		AuthTime:    claimTime(claims.Extra[claimAuthTime]),
	}, nil
}

// tokenOwner returns the user of an access token and checks that its
// session (sid) is live and may be used by c, in one store read; a token
// without a session (issued before sessions) is checked against the
// revocation list instead, with a second read.
func (s *Service) tokenOwner(ctx context.Context, c Client, jti, sub, sid string) (*store.User, error) {
	if sid == "" {
		revoked, err := s.st.IsRevoked(ctx, jti)
		if err != nil {
			return nil, internal(err)
		}
		if revoked {
			return nil, fmt.Errorf("%w: token revoked", ErrUnauthorized)
		}
		u, err := s.st.User(ctx, sub)
		if err != nil {
			return nil, storeErr(err, fmt.Errorf("%w: no such user", ErrUnauthorized))
		}
		return u, s.checkAccount(ctx, c, u)
	}
	ss, u, err := s.st.SessionWithOwner(ctx, sid)
	if err != nil {
		return nil, storeErr(err, fmt.Errorf("%w: the session has ended", ErrUnauthorized))
	}
	if ss.UserID != sub || !ss.Live(s.now()) {
		return nil, fmt.Errorf("%w: the session has ended", ErrUnauthorized)
	}
	return u, s.checkSession(ctx, c, ss, u)
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
// (the token with its owner) and, at most once a minute per token, a
// write of its last use.
func (s *Service) AuthenticateAPIToken(ctx context.Context, c Client, apiToken string) (_ *Principal, err error) {
	defer s.authenticated(KindAPIToken, &err)
	if err := token.CheckAPIToken(apiToken); err != nil {
		return nil, fmt.Errorf("%w: malformed api token", ErrUnauthorized)
	}
	t, u, err := s.st.APITokenWithOwner(ctx, token.Digest(apiToken))
	if err != nil {
		return nil, storeErr(err, fmt.Errorf("%w: unknown api token", ErrUnauthorized))
	}
	now := s.now()
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return nil, fmt.Errorf("%w: api token expired", ErrUnauthorized)
	}
	if err := s.checkAccount(ctx, c, u); err != nil {
		return nil, err
	}
	if now.Sub(t.LastUsedAt) >= apiTokenTouchInterval {
		if err := s.st.TouchAPIToken(ctx, t.ID, store.StorageTime(now)); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "touch_api_token"), slog.Any("error", err))
		}
	}
	return &Principal{
		UserID:      u.ID,
		Username:    u.Username,
		Role:        u.Role,
		Permissions: narrow(t.Permissions, u.Permissions),
		Kind:        KindAPIToken,
		TokenID:     t.ID,
		ExpiresAt:   t.ExpiresAt,
	}, nil
}
