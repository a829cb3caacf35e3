package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/latchkit/latch/store"
)

// codeDigits is the length of email-verification and password-reset codes.
const codeDigits = 8

// newCode returns a uniformly random code of codeDigits decimal digits
// (crypto/rand.Int samples by rejection).
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", internal(err)
	}
	return fmt.Sprintf("%0*d", codeDigits, n), nil
}

// codeDigest is what the store keeps of a request's code: an HMAC keyed
// with a key derived from the sealing key (a plain hash of an 8-digit code
// would be reversed in a second by anyone reading the store), bound to the
// request ID.
func (s *Service) codeDigest(requestID, code string) string {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte(requestID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// codeMatches compares a typed code with a request's digest in constant time.
func (s *Service) codeMatches(r *store.Request, code string) bool {
	if len(code) > maxCodeInput {
		return false
	}
	want, err := hex.DecodeString(r.CodeDigest)
	if err != nil {
		return false
	}
	got, _ := hex.DecodeString(s.codeDigest(r.ID, cleanCode(code)))
	return hmac.Equal(got, want)
}

// liveRequest returns the unexpired request of kind with this ID, or
// ErrNotFound.
func (s *Service) liveRequest(ctx context.Context, id string, kind store.RequestKind) (*store.Request, error) {
	if store.ValidateID(id) != nil {
		return nil, ErrNotFound
	}
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	if r.Kind != kind || !s.now().Before(r.ExpiresAt) {
		return nil, ErrNotFound
	}
	return r, nil
}

// reserveRequestCode counts one check of the request's code before the code is
// compared. FailRequestAttempt, which deletes the request at the
// maxCodeAttempts-th wrong code, counts only after the comparison, so
// without this a burst of parallel guesses (from many client IPs) could
// all be compared before the first is counted. A check beyond
// maxCodeAttempts is ErrNotFound, as after the request's deletion.
func (s *Service) reserveRequestCode(ctx context.Context, r *store.Request) error {
	ctr, err := s.hitRequestCode(ctx, r, 1)
	if err != nil {
		return internal(err)
	}
	if ctr.Count > maxCodeAttempts {
		return ErrNotFound
	}
	return nil
}

// releaseRequestCode gives back the check reserved for a correct code of a
// request that lives on.
func (s *Service) releaseRequestCode(ctx context.Context, r *store.Request) {
	if _, err := s.hitRequestCode(ctx, r, -1); err != nil {
		s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "release_request_code"), slog.Any("error", err))
	}
}

// hitRequestCode adds delta to the request's code-check counter, whose
// window lasts as long as the request (at least a second).
func (s *Service) hitRequestCode(ctx context.Context, r *store.Request, delta int64) (store.Counter, error) {
	now := s.now()
	return s.st.Hit(ctx, keyRequest+r.ID, delta, max(r.ExpiresAt.Sub(now), time.Second), now)
}

// deleteRequest deletes a request. Of concurrent calls exactly one
// succeeds (the store's "use once" step). Its code-check counter is left
// to expire with the request (and to Sweep): deleting it would let a
// check that read the request just before the deletion start a fresh
// count.
func (s *Service) deleteRequest(ctx context.Context, r *store.Request) error {
	if err := s.st.DeleteRequest(ctx, r.ID); err != nil {
		return storeErr(err, ErrNotFound)
	}
	return nil
}

// failRequest counts a wrong code of any kind against the request and
// returns the attempts so far; the request is deleted at the
// maxCodeAttempts-th, and its code-check counter stays (at the limit)
// until the request would have expired, so checks still in flight are
// refused. A request deleted meanwhile is not an error.
func (s *Service) failRequest(ctx context.Context, r *store.Request) (int, error) {
	n, err := s.st.FailRequestAttempt(ctx, r.ID, maxCodeAttempts)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, internal(err)
	}
	return n, nil
}

// failCode counts a wrong code against the request, which is deleted at
// the maxCodeAttempts-th.
func (s *Service) failCode(ctx context.Context, c Client, r *store.Request) error {
	s.failed(ctx, c)
	n, err := s.failRequest(ctx, r)
	if err != nil {
		return err
	}
	s.audit(ctx, slog.LevelWarn, "auth.code_rejected", slog.String("kind", string(r.Kind)), attrRequest(r.ID),
		slog.String("user_id", r.UserID), slog.Int("attempts", n), attrIP(c))
	return ErrIncorrectCode
}

// newRequest creates a request with a fresh code and returns both.
func (s *Service) newRequest(ctx context.Context, kind store.RequestKind, userID, email string, gen int64, usable bool) (*store.Request, string, error) {
	code, err := newCode()
	if err != nil {
		return nil, "", err
	}
	now := s.nowUTC()
	r := &store.Request{ID: newID(), Kind: kind, UserID: userID, Email: email, Generation: gen,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.CodeTTL)}
	r.CodeDigest = s.codeDigest(r.ID, code)
	if !usable {
		// A decoy's stored digest is of another code, so it never completes.
		other, err := newCode()
		if err != nil {
			return nil, "", err
		}
		r.CodeDigest = s.codeDigest(r.ID, "decoy:"+other)
	}
	if err := s.st.CreateRequest(ctx, r); err != nil {
		return nil, "", storeErr(err, ErrNotFound)
	}
	return r, code, nil
}

// ---- email verification

// EmailChangeNotifier is an optional interface of a Notifier: a Notifier
// that implements it is told when a user asks to move its account to a new
// address, and tells the old address (which can then alert the owner).
type EmailChangeNotifier interface {
	SendEmailChangeNotice(ctx context.Context, oldEmail, newEmail string) error
}

// ChangeEmail asks to move the user's own account to a new address (PATCH
// /users/{id} with an email, self): it needs the current password or a
// sign-in within RecentAuthWindow, counts against Limits.EmailChanges and
// the client IP's limit before anything else, and starts an email
// verification of the new address; the address replaces the old one only
// when VerifyEmail gets the code. Whether the address belongs to another
// account is not told here (VerifyEmail refuses it then), so the call
// cannot probe which addresses exist. The old address is told through an
// EmailChangeNotifier. Errors: ErrUnauthorized, ErrForbidden,
// ErrInvalidEmail, ErrReauthenticationRequired, ErrInvalidCredentials (a
// wrong current password), *RateLimitError.
func (s *Service) ChangeEmail(ctx context.Context, c Client, p *Principal, userID, email string, currentPassword *string) (*EmailVerification, error) {
	if p == nil {
		return nil, ErrUnauthorized
	}
	if !p.is(userID) {
		return nil, fmt.Errorf("%w: only the user itself may change its email this way", ErrForbidden)
	}
	if err := validateEmail(email); err != nil {
		return nil, err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	if err := s.reserve(ctx, keyEmailChg+userID, s.cfg.Limits.EmailChanges); err != nil {
		return nil, err
	}
	u, err := s.loadUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if err := s.requireRecentAuth(ctx, c, p, u, currentPassword); err != nil {
		return nil, err
	}
	if err := s.reserveSend(ctx, email, u.ID); err != nil {
		return nil, err
	}
	r, code, err := s.newRequest(ctx, store.KindEmailVerification, u.ID, email, u.Generation, true)
	if err != nil {
		return nil, err
	}
	s.notify(ctx, "email_verification", u.ID, func(n Notifier) error {
		return n.SendEmailVerificationCode(ctx, email, code)
	})
	if u.Email != "" && store.FoldIdentifier(u.Email) != store.FoldIdentifier(email) {
		if n, ok := s.cfg.Notifier.(EmailChangeNotifier); ok {
			if err := n.SendEmailChangeNotice(ctx, u.Email, email); err != nil {
				s.audit(ctx, slog.LevelError, "auth.notice_not_delivered", slog.String("kind", "email_change"),
					slog.String("user_id", u.ID), slog.Any("error", err))
			}
		}
	}
	s.audit(ctx, slog.LevelInfo, "auth.email_change_started", slog.String("user_id", u.ID), attrRequest(r.ID), attrIP(c))
	return &EmailVerification{ID: r.ID, Email: r.Email, ExpiresAt: r.ExpiresAt}, nil
}

// StartEmailVerification starts verifying email (nil: the user's current
// email) for the user (POST /users/{id}/email-verification): self or
// edit_users. For a caller with edit_users the code is in the result;
// otherwise it goes to the Notifier. The request expires after
// Config.CodeTTL. Errors: ErrUnauthorized, ErrForbidden, ErrNotFound,
// ErrInvalidEmail, ErrEmailAlreadyUsed, *RateLimitError.
func (s *Service) StartEmailVerification(ctx context.Context, c Client, p *Principal, userID string, email *string) (*EmailVerification, error) {
	if err := authorize(p, userID, selfSession, PermEditUsers); err != nil {
		return nil, err
	}
	u, err := s.loadManaged(ctx, p, userID)
	if err != nil {
		return nil, err
	}
	target := u.Email
	if email != nil {
		target = *email
	}
	if target == "" {
		return nil, fmt.Errorf("%w: the user has no email", ErrInvalidEmail)
	}
	if p.is(userID) && store.FoldIdentifier(target) != store.FoldIdentifier(u.Email) {
		// Verifying a new address of one's own is an email change.
		return s.ChangeEmail(ctx, c, p, userID, target, nil)
	}
	if err := validateEmail(target); err != nil {
		return nil, err
	}
	// Limits first: a refusal for an address in use must not come
	// cheaper than the limit.
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	if err := s.reserveSend(ctx, target, u.ID); err != nil {
		return nil, err
	}
	if !p.is(userID) {
		if err := s.checkNameClash(ctx, u.ID, "", target); err != nil {
			return nil, err
		}
		if other, err := s.st.UserByEmail(ctx, target); err == nil && other.ID != u.ID {
			return nil, ErrEmailAlreadyUsed
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(err)
		}
	}
	r, code, err := s.newRequest(ctx, store.KindEmailVerification, u.ID, target, u.Generation, true)
	if err != nil {
		return nil, err
	}
	out := &EmailVerification{ID: r.ID, Email: r.Email, ExpiresAt: r.ExpiresAt}
	if p.Can(PermEditUsers) {
		out.Code = code
	} else {
		s.notify(ctx, "email_verification", u.ID, func(n Notifier) error {
			return n.SendEmailVerificationCode(ctx, target, code)
		})
	}
	s.audit(ctx, slog.LevelInfo, "auth.email_verification_started", slog.String("user_id", u.ID), attrRequest(r.ID), attrIP(c))
	return out, nil
}

// notify calls the Notifier, logging (never returning) its error.
func (s *Service) notify(ctx context.Context, what, userID string, send func(Notifier) error) {
	if s.cfg.Notifier == nil {
		s.audit(ctx, slog.LevelWarn, "auth.code_not_delivered", slog.String("kind", what), slog.String("user_id", userID),
			slog.String("reason", "no notifier"))
		return
	}
	if err := send(s.cfg.Notifier); err != nil {
		s.audit(ctx, slog.LevelError, "auth.code_not_delivered", slog.String("kind", what), slog.String("user_id", userID),
			slog.Any("error", err))
	}
}

// userEmailRequest returns the user's live email verification request.
func (s *Service) userEmailRequest(ctx context.Context, p *Principal, userID, requestID string) (*store.Request, error) {
	if err := authorize(p, userID, selfSession, PermEditUsers); err != nil {
		return nil, err
	}
	if _, err := s.loadManaged(ctx, p, userID); err != nil {
		return nil, err
	}
	r, err := s.liveRequest(ctx, requestID, store.KindEmailVerification)
	if err != nil {
		return nil, err
	}
	if r.UserID != userID {
		return nil, ErrNotFound
	}
	return r, nil
}

// GetEmailVerification returns a pending email verification, without its
// code: self or edit_users. Errors: ErrUnauthorized, ErrForbidden,
// ErrNotFound (also when expired).
func (s *Service) GetEmailVerification(ctx context.Context, p *Principal, userID, requestID string) (*EmailVerification, error) {
	r, err := s.userEmailRequest(ctx, p, userID, requestID)
	if err != nil {
		return nil, err
	}
	return &EmailVerification{ID: r.ID, Email: r.Email, ExpiresAt: r.ExpiresAt}, nil
}

// DeleteEmailVerification cancels a pending email verification: self or
// edit_users. Errors as GetEmailVerification.
func (s *Service) DeleteEmailVerification(ctx context.Context, p *Principal, userID, requestID string) error {
	r, err := s.userEmailRequest(ctx, p, userID, requestID)
	if err != nil {
		return err
	}
	return s.deleteRequest(ctx, r)
}

// VerifyEmail completes an email verification (POST /users/{id}/verify-email):
// with the right code the user's email becomes the request's, verified. A
// wrong code is ErrIncorrectCode; the fifth deletes the request, and then
// (as after expiry) the request is ErrNotFound. Single use. Errors:
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrIncorrectCode,
// ErrEmailAlreadyUsed, *RateLimitError.
func (s *Service) VerifyEmail(ctx context.Context, c Client, p *Principal, userID, requestID, code string) (*User, error) {
	r, err := s.userEmailRequest(ctx, p, userID, requestID)
	if err != nil {
		return nil, err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	if err := s.reserveRequestCode(ctx, r); err != nil {
		return nil, err
	}
	if !s.codeMatches(r, code) {
		return nil, s.failCode(ctx, c, r)
	}
	// A refused call changes nothing, so the address's owners are checked
	// before the request is used up (the store's uniqueness of identifiers
	// still decides a race).
	if err := s.checkNameClash(ctx, userID, "", r.Email); err != nil {
		return nil, err
	}
	if other, err := s.st.UserByEmail(ctx, r.Email); err == nil && other.ID != userID {
		return nil, ErrEmailAlreadyUsed
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(err)
	}
	// Deleting the request is what makes the code single use: of two
	// callers racing with the right code, one gets ErrNotFound here.
	if err := s.deleteRequest(ctx, r); err != nil {
		return nil, err
	}
	u, err := s.modifyUser(ctx, userID, func(u *store.User) error {
		u.Email = r.Email
		u.EmailVerified = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, slog.LevelInfo, "auth.email_verified", slog.String("user_id", u.ID), attrIP(c))
	return s.publicUser(ctx, u)
}

// ---- password reset

// StartPasswordReset starts a password reset for the user with this email
// (POST /password-reset). An unknown email gets a request of the same shape
// that can never complete, so callers cannot tell known addresses from
// unknown ones. For a caller with edit_users the code is in the result;
// otherwise it goes to the Notifier (only for a known address: a Notifier
// should queue rather than send, or its latency tells the two apart).
// Errors: ErrInvalidEmail, *RateLimitError.
func (s *Service) StartPasswordReset(ctx context.Context, c Client, p *Principal, email string) (*PasswordResetStarted, error) {
	if err := validateEmail(email); err != nil {
		return nil, err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	// Resets have a bucket of their own per address, so the sequence of
	// answers never depends on the account (a verification code sent to a
	// registered address does not use up one of its resets).
	if err := s.reserve(ctx, keyResetSend+foldDigest(email), s.cfg.Limits.Sends); err != nil {
		return nil, err
	}
	u, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		u = nil
	} else if err != nil {
		return nil, internal(err)
	}
	if u != nil && (u.Disabled || !u.EmailVerified) {
		// A disabled account never completes a reset, and codes go only to
		// verified addresses: both behave as an unknown address.
		u = nil
	}
	userID, target, gen := "", email, int64(0)
	if u != nil {
		userID, target, gen = u.ID, u.Email, u.Generation
	}
	r, code, err := s.newRequest(ctx, store.KindPasswordReset, userID, target, gen, u != nil)
	if err != nil {
		return nil, err
	}
	out := &PasswordResetStarted{ID: r.ID, ExpiresAt: r.ExpiresAt}
	switch {
	case u != nil && p.Can(PermEditUsers) && canManage(p, u):
		// Only an administrator who may manage the account gets its code;
		// any other caller, a lesser administrator included, is answered
		// as an anonymous caller is.
		out.Code = code
	case u != nil:
		s.notify(ctx, "password_reset", u.ID, func(n Notifier) error {
			return n.SendPasswordResetCode(ctx, target, code)
		})
	}
	s.audit(ctx, slog.LevelInfo, "auth.password_reset_started", attrRequest(r.ID),
		slog.String("user_id", userID), attrIP(c))
	return out, nil
}

func resetView(r *store.Request) *PasswordReset {
	return &PasswordReset{ID: r.ID, ExpiresAt: r.ExpiresAt, EmailVerified: r.EmailVerified, SecondFactorVerified: r.SecondFactorVerified}
}

// GetPasswordReset returns a pending password reset, without its code
// (GET /password-reset/{id}); the request ID is the caller's credential.
// Errors: ErrNotFound (also when expired).
func (s *Service) GetPasswordReset(ctx context.Context, requestID string) (*PasswordReset, error) {
	r, err := s.liveRequest(ctx, requestID, store.KindPasswordReset)
	if err != nil {
		return nil, err
	}
	return resetView(r), nil
}

// DeletePasswordReset cancels a pending password reset. Errors: ErrNotFound.
func (s *Service) DeletePasswordReset(ctx context.Context, requestID string) error {
	r, err := s.liveRequest(ctx, requestID, store.KindPasswordReset)
	if err != nil {
		return err
	}
	return s.deleteRequest(ctx, r)
}

// VerifyPasswordResetEmail checks the emailed code of a password reset
// (POST /password-reset/{id}/verify-email). A wrong code is
// ErrIncorrectCode; the fifth deletes the request. Errors: ErrNotFound,
// ErrIncorrectCode, *RateLimitError.
func (s *Service) VerifyPasswordResetEmail(ctx context.Context, c Client, requestID, code string) error {
	r, err := s.liveRequest(ctx, requestID, store.KindPasswordReset)
	if err != nil {
		return err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	if err := s.reserveRequestCode(ctx, r); err != nil {
		return err
	}
	if r.UserID == "" || !s.codeMatches(r, code) {
		return s.failCode(ctx, c, r)
	}
	s.releaseRequestCode(ctx, r)
	if err := s.st.MarkRequestVerified(ctx, r.ID, store.VerifiedEmail); err != nil {
		return storeErr(err, ErrNotFound)
	}
	return nil
}

// resetUser returns the live reset request, checked to have its email
// verified, and its user.
func (s *Service) resetUser(ctx context.Context, requestID string) (*store.Request, *store.User, error) {
	r, err := s.liveRequest(ctx, requestID, store.KindPasswordReset)
	if err != nil {
		return nil, nil, err
	}
	if !r.EmailVerified || r.UserID == "" {
		return nil, nil, ErrEmailNotVerified
	}
	u, err := s.loadUser(ctx, r.UserID)
	if err != nil {
		return nil, nil, err
	}
	if err := resetCurrent(r, u); err != nil {
		return nil, nil, err
	}
	return r, u, nil
}

// resetCurrent refuses a reset request that outlived the account state it
// was issued for: a password change or reset, a disable, a reduction of
// access (the generation moved on), an email change, or a disabled account.
// Such a request is dead, as if it had expired: ErrNotFound.
func resetCurrent(r *store.Request, u *store.User) error {
	if u.Generation != r.Generation || store.FoldIdentifier(u.Email) != store.FoldIdentifier(r.Email) || u.Disabled {
		return ErrNotFound
	}
	return nil
}

// VerifyPasswordResetTOTP checks a TOTP code of the reset's user (POST
// /password-reset/{id}/verify-2fa/totp), after the email code. Errors:
// ErrNotFound, ErrEmailNotVerified, ErrTOTPNotRegistered, ErrIncorrectCode,
// *RateLimitError.
func (s *Service) VerifyPasswordResetTOTP(ctx context.Context, c Client, requestID, code string) error {
	r, u, err := s.resetUser(ctx, requestID)
	if err != nil {
		return err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	if err := s.checkTOTP(ctx, c, u.ID, code); err != nil {
		if errors.Is(err, ErrIncorrectCode) {
			if _, ferr := s.failRequest(ctx, r); ferr != nil {
				return ferr
			}
		}
		return err
	}
	if err := s.st.MarkRequestVerified(ctx, r.ID, store.VerifiedSecondFactor); err != nil {
		return storeErr(err, ErrNotFound)
	}
	return nil
}

// ResetPasswordReset2FA consumes a recovery code of the reset's user and
// removes its TOTP credential (POST /password-reset/{id}/reset-2fa), which
// verifies the second factor of the reset. Errors as
// VerifyPasswordResetTOTP.
func (s *Service) ResetPasswordReset2FA(ctx context.Context, c Client, requestID, recoveryCode string) error {
	r, u, err := s.resetUser(ctx, requestID)
	if err != nil {
		return err
	}
	if on, err := s.totpEnabled(ctx, u.ID); err != nil {
		return err
	} else if !on {
		return ErrTOTPNotRegistered
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	if err := s.useRecoveryCode(ctx, c, u.ID, recoveryCode); err != nil {
		if errors.Is(err, ErrIncorrectCode) {
			if _, ferr := s.failRequest(ctx, r); ferr != nil {
				return ferr
			}
		}
		return err
	}
	if err := s.st.DeleteTOTP(ctx, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return internal(err)
	}
	if err := s.st.MarkRequestVerified(ctx, r.ID, store.VerifiedSecondFactor); err != nil {
		return storeErr(err, ErrNotFound)
	}
	s.audit(ctx, slog.LevelInfo, "auth.totp_disabled", slog.String("user_id", u.ID), slog.String("by", "password_reset"), attrIP(c))
	return nil
}

// ResetPassword completes a password reset (POST /reset-password): the
// email code must be verified, and the second factor too when the user has
// TOTP. The request is used up, the email counts as verified, and every
// access token issued to the user before stops working. Errors:
// ErrNotFound, ErrEmailNotVerified, ErrSecondFactorNotVerified,
// ErrInvalidPassword, *RateLimitError.
func (s *Service) ResetPassword(ctx context.Context, c Client, requestID, newPassword string) error {
	r, u, err := s.resetUser(ctx, requestID)
	if err != nil {
		return err
	}
	if on, err := s.totpEnabled(ctx, u.ID); err != nil {
		return err
	} else if on && !r.SecondFactorVerified {
		return ErrSecondFactorNotVerified
	}
	if err := s.validateNewPassword(newPassword, u.Username, u.Email); err != nil {
		return err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return err
	}
	encoded, err := s.hashPassword(ctx, newPassword)
	if err != nil {
		return err
	}
	// Single use: of concurrent resets only one deletes the request.
	if err := s.deleteRequest(ctx, r); err != nil {
		return err
	}
	// The account must still be in the state the request was issued for
	// when the new password is written: the check and the write are one
	// compare-and-swap, so a change committed in between voids the reset.
	u, err = s.modifyUser(ctx, u.ID, func(u *store.User) error {
		if err := resetCurrent(r, u); err != nil {
			return err
		}
		u.PasswordHash = encoded
		u.EmailVerified = true
		u.Generation++
		return nil
	})
	if err != nil {
		return err
	}
	// Recovery evicts an intruder: the generation ended every session, and
	// the API tokens go too unless the host keeps them.
	if !s.cfg.KeepAPITokensOnReset {
		if err := s.deleteAPITokens(ctx, u.ID); err != nil {
			return err
		}
	}
	// The owner proved control of the address: its identifiers' failure
	// counts start over.
	s.clearIdentifier(ctx, u.Username)
	s.clearIdentifier(ctx, u.Email)
	s.audit(ctx, slog.LevelInfo, "auth.password_reset", slog.String("user_id", u.ID), attrIP(c))
	return nil
}
