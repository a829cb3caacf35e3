package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"unicode/utf8"

	"github.com/latchkit/latch/store"
)

// KindCertificate is the Principal kind of a caller authenticated by a
// client certificate ([Service.AuthenticateCertificate]).
const KindCertificate PrincipalKind = "certificate"

// AuthenticateCertificate returns the user named by a client certificate,
// as SFTPGo's certificate login does. The host must have verified the
// certificate against the certificate authorities it trusts for this
// purpose (in a TLS handshake) and passes the name the certificate gives
// (its subject common name): this method checks the user only.
//
// The user must exist, be enabled and have the client IP in its
// allowed_ips, exactly as for a token. A user with an active TOTP
// credential is refused: a certificate is one factor, and such a user has
// asked for two. The Principal has the user's current permissions, no
// token and no expiry; it is not a session, so operations that need the
// user's own access token (changing its own password, say) are refused.
//
// Errors: ErrUnauthorized (no such user, or the user has TOTP),
// ErrAccountDisabled, ErrIPNotAllowed.
func (s *Service) AuthenticateCertificate(ctx context.Context, c Client, username string) (_ *Principal, err error) {
	defer s.authenticated(KindCertificate, &err)
	if username == "" || len(username) > maxIdentifierLen || !utf8.ValidString(username) {
		return nil, fmt.Errorf("%w: the certificate names no user", ErrUnauthorized)
	}
	u, err := s.st.UserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(ctx, slog.LevelWarn, "auth.certificate_refused", slog.String("reason", "unknown user"), attrIP(c))
		return nil, fmt.Errorf("%w: the certificate names an unknown user", ErrUnauthorized)
	} else if err != nil {
		return nil, internal(err)
	}
	if err := s.checkAccount(ctx, c, u); err != nil {
		return nil, err
	}
	on, err := s.totpEnabled(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if on {
		s.audit(ctx, slog.LevelWarn, "auth.certificate_refused", slog.String("reason", "second factor"),
			slog.String("user_id", u.ID), attrIP(c))
		return nil, fmt.Errorf("%w: a certificate is not enough for a user with a second factor", ErrUnauthorized)
	}
	return &Principal{
		UserID:      u.ID,
		Username:    u.Username,
		Role:        u.Role,
		Permissions: u.Permissions,
		Kind:        KindCertificate,
	}, nil
}
