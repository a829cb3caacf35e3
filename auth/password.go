package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/store"
)

// hashPassword hashes a new password with the configured policy in the
// hashing pool.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var (
		encoded string
		herr    error
	)
	if err := s.pool.do(ctx, s.hashCost, func() { encoded, herr = s.hasher.Hash(password) }); err != nil {
		return "", poolErr(err)
	}
	if herr != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidPassword, herr)
	}
	return encoded, nil
}

// poolErr passes a *RateLimitError on and wraps anything else (a context
// error) as internal.
func poolErr(err error) error {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl
	}
	return internal(err)
}

// verifyResult is the outcome of a password check in the pool.
type verifyResult struct {
	ok      bool
	rehash  string // the password hashed with the current policy, when the stored hash needs it
	badHash error  // the stored hash could not be checked
}

// verifyPassword checks password against encoded (the dummy hash when
// encoded is empty, so that an unknown user costs what a known one does)
// in the hashing pool, and re-hashes a good password whose hash is weaker
// than the policy in the same slot.
func (s *Service) verifyPassword(ctx context.Context, password, encoded string) (verifyResult, error) {
	var r verifyResult
	// The empty password never signs in, even against an imported hash of
	// it; it costs what any wrong password costs.
	known := encoded != "" && password != ""
	if !known {
		encoded = s.dummy
	}
	// The slot may also hash with the policy or verify the dummy, one
	// after the other: it needs the larger memory of those.
	cost := max(s.hasher.MemoryCost(encoded), s.hashCost)
	err := s.pool.do(ctx, cost, func() {
		defer s.hashVerified(encoded, time.Now())
		ok, err := s.hasher.Verify(password, encoded)
		switch {
		case errors.Is(err, hash.ErrPasswordTooLong):
			// A wrong password, whoever the user: the stored hash is fine.
		case err != nil:
			r.badHash = err
		default:
			r.ok = ok && known
		}
		weaker := encoded != s.dummy && s.hasher.NeedsRehash(encoded)
		switch {
		case r.ok && weaker:
			// The policy's hash of the good password: what a current
			// hash costs to verify, and the upgrade.
			if h, err := s.hasher.Hash(password); err == nil {
				r.rehash = h
			}
		case !r.ok && (weaker || err != nil):
			// A wrong password against a cheaper (or unusable) stored
			// hash also costs the dummy's verification, so that no
			// account answers faster than an unknown name does, whatever
			// the format it was imported in.
			_, _ = s.hasher.Verify(password, s.dummy)
		}
	})
	if err != nil {
		return r, poolErr(err)
	}
	return r, nil
}

// ChangePassword sets a user's password (POST /users/{id}/password). The
// user itself must give its current password (checked like a sign-in, and
// rate limited alike); a caller with edit_users passes current == nil to
// set the password of a user whose permissions it holds. Every access
// token, sign-in challenge and reset request issued to the user before the
// change is refused afterwards; API tokens survive.
//
// Errors: ErrUnauthorized, ErrForbidden, ErrNotFound, ErrInvalidPassword,
// ErrInvalidCredentials (wrong current password), *RateLimitError.
func (s *Service) ChangePassword(ctx context.Context, c Client, p *Principal, userID string, current *string, newPassword string) error {
	if p == nil {
		return ErrUnauthorized
	}
	self := p.isSession(userID) && current != nil
	if !self && !p.Can(PermEditUsers) {
		if p.isSession(userID) {
			return fmt.Errorf("%w: the current password is required", ErrForbidden)
		}
		return fmt.Errorf("%w: needs %s", ErrForbidden, PermEditUsers)
	}
	if err := s.validatePassword(newPassword); err != nil {
		return err
	}
	u, err := s.loadManaged(ctx, p, userID)
	if err != nil {
		return err
	}
	if err := s.validateNewPassword(newPassword, u.Username, u.Email); err != nil {
		return err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	if self {
		attempt := s.newPasswordAttempt(c, u.Username)
		if err := s.reservePassword(ctx, attempt); err != nil {
			return err
		}
		r, err := s.verifyPassword(ctx, *current, u.PasswordHash)
		if err != nil {
			s.passwordNotChecked(ctx, attempt)
			return err
		}
		if !r.ok {
			s.failed(ctx, c)
			s.audit(ctx, slog.LevelWarn, "auth.password_change_failed", slog.String("user_id", u.ID), attrIP(c))
			return ErrInvalidCredentials
		}
		s.passwordSucceeded(ctx, attempt)
	}
	encoded, err := s.hashPassword(ctx, newPassword)
	if err != nil {
		return err
	}
	if err := s.setPassword(ctx, userID, encoded); err != nil {
		return err
	}
	s.audit(ctx, slog.LevelInfo, "auth.password_changed", slog.String("user_id", userID), slog.String("by", actor(p)), attrIP(c))
	return nil
}

// setPassword stores a new password hash and, in the same write, moves the
// user's generation on, so that every credential issued before (whatever
// its sign-in read, before or after this write) is refused afterwards.
func (s *Service) setPassword(ctx context.Context, userID, encoded string) error {
	_, err := s.modifyUser(ctx, userID, func(u *store.User) error {
		u.PasswordHash = encoded
		u.Generation++
		return nil
	})
	return err
}

// rehash stores a re-hashed password if the stored hash is still the one
// that was verified; a concurrent password change wins.
func (s *Service) rehash(ctx context.Context, u *store.User, encoded string) {
	err := s.st.SwapPasswordHash(ctx, u.ID, u.PasswordHash, encoded, s.nowUTC())
	switch {
	case err == nil:
		s.audit(ctx, slog.LevelInfo, "auth.password_rehashed", slog.String("user_id", u.ID))
		u.PasswordHash = encoded
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
	default:
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "rehash"), slog.Any("error", err))
	}
}
