package auth

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/totp"
)

// maxCodeInput bounds any code a caller types, before any work.
const maxCodeInput = 64

// totpAD binds a sealed TOTP secret to its user.
func totpAD(userID string) []byte { return []byte("latch/auth/totp-secret/v1\x00" + userID) }

func (s *Service) openTOTP(c *store.TOTPCredential) (*totp.Key, error) {
	secret, err := s.sealer.Open(c.Secret, totpAD(c.UserID))
	if err != nil {
		return nil, internal(fmt.Errorf("opening the totp secret: %w", err))
	}
	return &totp.Key{Secret: secret, Algorithm: totp.Algorithm(c.Algorithm), Digits: c.Digits, Period: c.Period}, nil
}

// cleanCode drops the spaces users type inside codes; an overlong input
// gives "" (which matches nothing).
func cleanCode(code string) string {
	if len(code) > maxCodeInput {
		return ""
	}
	return strings.ReplaceAll(code, " ", "")
}

// wrongCode records a wrong second-factor code.
func (s *Service) wrongCode(ctx context.Context, c Client, userID, what string) error {
	s.failed(ctx, c)
	s.audit(ctx, slog.LevelWarn, "auth.code_rejected", slog.String("user_id", userID), slog.String("kind", what), attrIP(c))
	return ErrIncorrectCode
}

// checkTOTP accepts a TOTP code of the user's active credential once:
// the matched step must advance the stored one atomically, so a code is
// never accepted twice, on any instance. Attempts count against the
// account's CodeFailures limit before they are checked.
func (s *Service) checkTOTP(ctx context.Context, c Client, userID, code string) (err error) {
	defer s.secondFactorChecked("totp", &err)
	cred, err := s.st.ActiveTOTP(ctx, userID)
	if err != nil {
		return storeErr(err, ErrTOTPNotRegistered)
	}
	if err := s.reserveCode(ctx, c, userID); err != nil {
		return err
	}
	key, err := s.openTOTP(cred)
	if err != nil {
		return err
	}
	step, err := totp.Validate(cleanCode(code), key, s.now(), cred.LastStep, s.totpCfg.Skew)
	clear(key.Secret)
	if err != nil {
		if !errors.Is(err, totp.ErrInvalidCode) && !errors.Is(err, totp.ErrReplay) {
			return internal(err)
		}
		return s.wrongCode(ctx, c, userID, "totp")
	}
	switch err := s.st.AdvanceTOTPStep(ctx, userID, step); {
	case errors.Is(err, store.ErrConflict):
		return s.wrongCode(ctx, c, userID, "totp_replay")
	case err != nil:
		return storeErr(err, ErrTOTPNotRegistered)
	}
	s.clear(ctx, keyCode+userID)
	return nil
}

// useRecoveryCode consumes one of the user's recovery codes, atomically
// (keyed digest first, then the legacy one: see recovery.go).
func (s *Service) useRecoveryCode(ctx context.Context, c Client, userID, code string) (err error) {
	defer s.secondFactorChecked("recovery_code", &err)
	if err := s.reserveCode(ctx, c, userID); err != nil {
		return err
	}
	legacy, err := s.consumeRecoveryCode(ctx, userID, code)
	switch {
	case errors.Is(err, errNoRecoveryCode):
		return s.wrongCode(ctx, c, userID, "recovery_code")
	case err != nil:
		return internal(err)
	}
	s.clear(ctx, keyCode+userID)
	s.audit(ctx, slog.LevelInfo, "auth.recovery_code_used", slog.String("user_id", userID), slog.Bool("legacy_digest", legacy), attrIP(c))
	return nil
}

// EnrollTOTP starts a TOTP enrollment for the caller itself (POST
// /users/{id}/totp/enrollment), replacing an earlier pending one, and
// returns the secret, its otpauth URI and a QR PNG of it, to show once.
// Errors: ErrUnauthorized, ErrForbidden, ErrNotFound,
// ErrTOTPAlreadyRegistered.
func (s *Service) EnrollTOTP(ctx context.Context, p *Principal, userID string) (*TOTPEnrollment, error) {
	if err := authorize(p, userID, selfSession); err != nil {
		return nil, err
	}
	u, err := s.loadUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if on, err := s.totpEnabled(ctx, userID); err != nil {
		return nil, err
	} else if on {
		return nil, ErrTOTPAlreadyRegistered
	}
	if err := s.reserve(ctx, keyEnroll+userID, s.cfg.Limits.Enrollments); err != nil {
		return nil, err
	}
	key, err := totp.Generate(s.totpCfg, u.Username)
	if err != nil {
		return nil, internal(err)
	}
	defer clear(key.Secret)
	sealed, err := s.sealer.Seal(key.Secret, totpAD(userID))
	if err != nil {
		return nil, internal(err)
	}
	png, err := key.QRPNG(0)
	if err != nil {
		return nil, internal(err)
	}
	err = s.st.PutPendingTOTP(ctx, &store.TOTPCredential{
		UserID:    userID,
		Secret:    sealed,
		Algorithm: string(key.Algorithm),
		Digits:    key.Digits,
		Period:    key.Period,
		CreatedAt: s.nowUTC(),
	})
	if err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	s.audit(ctx, slog.LevelInfo, "auth.totp_enrollment_started", slog.String("user_id", userID))
	return &TOTPEnrollment{
		Secret:     base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key.Secret),
		OTPAuthURI: key.URI(),
		QRPNG:      png,
	}, nil
}

// ActivateTOTP activates the caller's pending enrollment if code is valid
// for it (POST /users/{id}/totp) and returns the new recovery codes, shown
// only here. The activation code cannot be used again. Errors:
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrTOTPNotRegistered (nothing
// pending), ErrTOTPAlreadyRegistered, ErrIncorrectCode, *RateLimitError.
func (s *Service) ActivateTOTP(ctx context.Context, c Client, p *Principal, userID, code string) ([]string, error) {
	if err := authorize(p, userID, selfSession); err != nil {
		return nil, err
	}
	if on, err := s.totpEnabled(ctx, userID); err != nil {
		return nil, err
	} else if on {
		return nil, ErrTOTPAlreadyRegistered
	}
	cred, err := s.st.PendingTOTP(ctx, userID)
	if err != nil {
		return nil, storeErr(err, ErrTOTPNotRegistered)
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	if err := s.reserveCode(ctx, c, userID); err != nil {
		return nil, err
	}
	key, err := s.openTOTP(cred)
	if err != nil {
		return nil, err
	}
	step, err := totp.Validate(cleanCode(code), key, s.now(), -1, s.totpCfg.Skew)
	clear(key.Secret)
	if err != nil {
		return nil, s.wrongCode(ctx, c, userID, "totp_activation")
	}
	codes, digests, err := s.newRecoveryCodes(userID)
	if err != nil {
		return nil, err
	}
	switch err := s.st.ActivateTOTP(ctx, userID, cred.Secret, step, digests, s.nowUTC()); {
	case errors.Is(err, store.ErrConflict):
		return nil, ErrTOTPAlreadyRegistered
	case err != nil:
		return nil, storeErr(err, ErrTOTPNotRegistered)
	}
	s.clear(ctx, keyCode+userID)
	s.audit(ctx, slog.LevelInfo, "auth.totp_enabled", slog.String("user_id", userID), attrIP(c))
	return codes, nil
}

// TOTPStatus describes the user's TOTP credential (GET /users/{id}/totp):
// self or view_users. Errors: ErrUnauthorized, ErrForbidden, ErrNotFound.
func (s *Service) TOTPStatus(ctx context.Context, p *Principal, userID string) (*TOTPStatus, error) {
	if err := authorize(p, userID, selfAny, PermViewUsers); err != nil {
		return nil, err
	}
	if _, err := s.loadUser(ctx, userID); err != nil {
		return nil, err
	}
	cred, err := s.st.ActiveTOTP(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return &TOTPStatus{}, nil
	} else if err != nil {
		return nil, internal(err)
	}
	at := cred.CreatedAt
	return &TOTPStatus{Enabled: true, CreatedAt: &at, Algorithm: cred.Algorithm, Digits: cred.Digits, Period: cred.Period}, nil
}

// DeleteTOTP removes the user's TOTP credential and recovery codes (DELETE
// /users/{id}/totp): the user itself with a current code, or a caller with
// edit_users (code nil) on a user whose permissions it holds. Errors:
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrTOTPNotRegistered,
// ErrIncorrectCode, *RateLimitError.
func (s *Service) DeleteTOTP(ctx context.Context, c Client, p *Principal, userID string, code, currentPassword *string) error {
	if p == nil {
		return ErrUnauthorized
	}
	self := p.isSession(userID) && code != nil
	if !self && !p.Can(PermEditUsers) {
		if p.isSession(userID) {
			return fmt.Errorf("%w: a current code is required", ErrForbidden)
		}
		return fmt.Errorf("%w: needs %s", ErrForbidden, PermEditUsers)
	}
	u, err := s.loadManaged(ctx, p, userID)
	if err != nil {
		return err
	}
	if self {
		if err := s.requireRecentAuth(ctx, c, p, u, currentPassword); err != nil {
			return err
		}
		if err := s.checkIP(ctx, c); err != nil {
			return err
		}
		if err := s.checkTOTP(ctx, c, userID, *code); err != nil {
			return err
		}
	}
	if err := s.st.DeleteTOTP(ctx, userID); err != nil {
		return storeErr(err, ErrTOTPNotRegistered)
	}
	s.audit(ctx, slog.LevelInfo, "auth.totp_disabled", slog.String("user_id", userID), slog.String("by", actor(p)), attrIP(c))
	return nil
}

// VerifyTOTP checks a TOTP code of the user (POST /users/{id}/verify-2fa/totp):
// self or edit_users. A code accepted once is never accepted again, on any
// instance. Errors: ErrUnauthorized, ErrForbidden, ErrNotFound,
// ErrTOTPNotRegistered, ErrIncorrectCode, *RateLimitError.
func (s *Service) VerifyTOTP(ctx context.Context, c Client, p *Principal, userID, code string) error {
	if err := authorize(p, userID, selfSession, PermEditUsers); err != nil {
		return err
	}
	// Wrong codes count against the user's own budget, so only those who
	// may manage the user can spend it.
	if _, err := s.loadManaged(ctx, p, userID); err != nil {
		return err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	return s.checkTOTP(ctx, c, userID, code)
}

// RecoveryCodesRemaining counts the user's unused recovery codes (GET
// /users/{id}/recovery-codes): self or view_users. Errors: ErrUnauthorized,
// ErrForbidden, ErrNotFound, ErrTOTPNotRegistered.
func (s *Service) RecoveryCodesRemaining(ctx context.Context, p *Principal, userID string) (int, error) {
	if err := authorize(p, userID, selfAny, PermViewUsers); err != nil {
		return 0, err
	}
	if _, err := s.loadUser(ctx, userID); err != nil {
		return 0, err
	}
	if on, err := s.totpEnabled(ctx, userID); err != nil {
		return 0, err
	} else if !on {
		return 0, ErrTOTPNotRegistered
	}
	d, err := s.st.RecoveryCodeDigests(ctx, userID)
	if err != nil {
		return 0, storeErr(err, ErrNotFound)
	}
	return len(d), nil
}

// RegenerateRecoveryCodes replaces the caller's recovery codes with a new
// set, returned only here (POST /users/{id}/recovery-codes); the old set
// stops working. It takes a current TOTP code, as DeleteTOTP does: a new
// set is a second factor (and, with Reset2FA, a way to remove TOTP), so a
// stolen session alone must not be able to mint one. Errors:
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrTOTPNotRegistered,
// ErrIncorrectCode, *RateLimitError.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, c Client, p *Principal, userID, code string) ([]string, error) {
	if err := authorize(p, userID, selfSession); err != nil {
		return nil, err
	}
	if _, err := s.loadUser(ctx, userID); err != nil {
		return nil, err
	}
	if on, err := s.totpEnabled(ctx, userID); err != nil {
		return nil, err
	} else if !on {
		return nil, ErrTOTPNotRegistered
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	if err := s.checkTOTP(ctx, c, userID, code); err != nil {
		return nil, err
	}
	codes, digests, err := s.newRecoveryCodes(userID)
	if err != nil {
		return nil, err
	}
	if err := s.st.ReplaceRecoveryCodes(ctx, userID, digests); err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	s.audit(ctx, slog.LevelInfo, "auth.recovery_codes_regenerated", slog.String("user_id", userID), attrIP(c))
	return codes, nil
}

// Reset2FA consumes one of the caller's recovery codes and removes its
// TOTP credential (POST /users/{id}/reset-2fa). Errors: ErrUnauthorized,
// ErrForbidden, ErrNotFound, ErrTOTPNotRegistered, ErrIncorrectCode,
// *RateLimitError.
func (s *Service) Reset2FA(ctx context.Context, c Client, p *Principal, userID, recoveryCode string) error {
	if err := authorize(p, userID, selfSession); err != nil {
		return err
	}
	if on, err := s.totpEnabled(ctx, userID); err != nil {
		return err
	} else if !on {
		return ErrTOTPNotRegistered
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	if err := s.useRecoveryCode(ctx, c, userID, recoveryCode); err != nil {
		return err
	}
	if err := s.st.DeleteTOTP(ctx, userID); err != nil {
		return storeErr(err, ErrTOTPNotRegistered)
	}
	s.audit(ctx, slog.LevelInfo, "auth.totp_disabled", slog.String("user_id", userID), slog.String("by", "recovery_code"), attrIP(c))
	return nil
}
