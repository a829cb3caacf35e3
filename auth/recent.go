package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/latchkit/latch/store"
)

// RecentAuthWindow is how recent a sign-in must be for the actions that
// could turn a stolen session into a permanent takeover (changing the
// account's email, creating API tokens, removing a second factor) when
// the caller does not give its current password.
const RecentAuthWindow = 5 * time.Minute

// requireRecentAuth admits a caller acting on its own account u if it
// gives u's current password (checked like a sign-in: limited, and a
// wrong one is ErrInvalidCredentials) or signed in within
// RecentAuthWindow; otherwise ErrReauthenticationRequired. A caller acting
// on another account (an administrator) and the system principal are not
// asked: the permission rules cover them.
func (s *Service) requireRecentAuth(ctx context.Context, c Client, p *Principal, u *store.User, currentPassword *string) error {
	if !p.is(u.ID) {
		return nil
	}
	if currentPassword == nil {
		if p.Kind == KindAccessToken && !p.AuthTime.IsZero() && s.now().Sub(p.AuthTime) <= RecentAuthWindow {
			return nil
		}
		return ErrReauthenticationRequired
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	attempt := s.newPasswordAttempt(c, u.Username)
	if err := s.reservePassword(ctx, attempt); err != nil {
		return err
	}
	r, err := s.verifyPassword(ctx, *currentPassword, u.PasswordHash)
	if err != nil {
		s.passwordNotChecked(ctx, attempt)
		return err
	}
	if !r.ok {
		s.failed(ctx, c)
		s.audit(ctx, slog.LevelWarn, "auth.reauthentication_failed", slog.String("user_id", u.ID), attrIP(c))
		return ErrInvalidCredentials
	}
	s.passwordSucceeded(ctx, attempt)
	return nil
}
