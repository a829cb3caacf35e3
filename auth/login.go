package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/token"
)

// JWT claims of access tokens beyond the registered ones.
const (
	// claimGeneration is the private claim holding the user's credential
	// generation (store.User.Generation) read together with the password
	// hash that was verified. A token is accepted only while the user's
	// generation is still that value; every change that must end earlier
	// credentials moves it on in the same write. No clock is involved, so
	// no interleaving of a sign-in with such a change yields a token that
	// outlives the change.
	claimGeneration = "gen"
	// claimAuthTime is OpenID Connect's auth_time: when the user last
	// proved a credential (password or second factor), in Unix seconds.
	claimAuthTime = "auth_time"
)

// challengeTokenLen is the length of a sign-in challenge token: 32 random
// bytes in unpadded base64url.
const challengeTokenLen = 43

// checkPassword is the first factor of every sign-in: limits, lookup by
// username or email, password verification (against the dummy hash for an
// unknown identifier, so both cost the same), re-hash, and the account
// state checks, which come only after a correct password so that they
// reveal nothing to someone without it. It returns the user as read with
// the hash that was verified (its Generation is the one the credentials
// issued from this sign-in carry) and the authentication time.
func (s *Service) checkPassword(ctx context.Context, c Client, identifier, password string) (*store.User, time.Time, error) {
	if err := s.checkIP(ctx, c); err != nil {
		return nil, time.Time{}, err
	}
	authTime := s.nowUTC()
	var u *store.User
	if identifier != "" && len(identifier) <= maxIdentifierLen && utf8.ValidString(identifier) {
		var err error
		u, err = s.st.UserByUsername(ctx, identifier)
		if errors.Is(err, store.ErrNotFound) && strings.Contains(identifier, "@") {
			u, err = s.st.UserByEmail(ctx, identifier)
		}
		if errors.Is(err, store.ErrNotFound) {
			u = nil
		} else if err != nil {
			return nil, time.Time{}, internal(err)
		}
	}
	encoded := ""
	if u != nil {
		encoded = u.PasswordHash
	}
	attempt := s.newPasswordAttempt(c, identifier)
	if err := s.reservePassword(ctx, attempt); err != nil {
		var rl *RateLimitError
		if errors.As(err, &rl) {
			s.audit(ctx, slog.LevelWarn, "auth.rate_limited", slog.String("limit", "account"), attrIP(c))
			if err := s.score(ctx, c, s.cfg.Limits.Defender.ScoreLimitExceeded); err != nil {
				return nil, time.Time{}, err
			}
		}
		return nil, time.Time{}, err
	}
	r, err := s.verifyPassword(ctx, password, encoded)
	if err != nil {
		s.passwordNotChecked(ctx, attempt)
		return nil, time.Time{}, err
	}
	if r.badHash != nil && u != nil && encoded != "" {
		s.audit(ctx, slog.LevelError, "auth.password_hash_unusable", slog.String("user_id", u.ID), slog.Any("error", r.badHash))
	}
	if !r.ok {
		s.failed(ctx, c)
		attrs := []slog.Attr{attrIP(c)}
		if u != nil {
			attrs = append(attrs, slog.String("user_id", u.ID))
		}
		s.audit(ctx, slog.LevelWarn, "auth.sign_in_failed", attrs...)
		return nil, time.Time{}, ErrInvalidCredentials
	}
	s.passwordSucceeded(ctx, attempt)
	if r.rehash != "" {
		s.rehash(ctx, u, r.rehash)
	}
	if err := s.checkAccount(ctx, c, u); err != nil {
		return nil, time.Time{}, err
	}
	return u, authTime, nil
}

// checkAccount refuses a disabled user and a client IP outside the
// user's allowed_ips.
func (s *Service) checkAccount(ctx context.Context, c Client, u *store.User) error {
	if u.Disabled {
		s.audit(ctx, slog.LevelWarn, "auth.account_disabled", slog.String("user_id", u.ID), attrIP(c))
		return ErrAccountDisabled
	}
	if !ipAllowed(u.AllowedIPs, c.IP) {
		s.audit(ctx, slog.LevelWarn, "auth.ip_not_allowed", slog.String("user_id", u.ID), attrIP(c))
		return ErrIPNotAllowed
	}
	return nil
}

// issue signs an access token for u in session sid.
func (s *Service) issue(ctx context.Context, u *store.User, authTime time.Time, sid string) (*TokenResponse, error) {
	now := s.now().UTC()
	exp := now.Add(s.tokenTTL(u.Role)).Truncate(time.Second)
	jwt, err := s.keys.sign(ctx, token.Claims{
		Subject:     u.ID,
		IssuedAt:    now,
		ExpiresAt:   exp,
		Permissions: u.Permissions,
		Extra:       map[string]any{claimGeneration: u.Generation, claimAuthTime: authTime.Unix(), claimSession: sid},
	})
	if err != nil {
		return nil, internal(err)
	}
	return &TokenResponse{AccessToken: jwt, TokenType: "Bearer", ExpiresAt: exp}, nil
}

// finishLogin records the sign-in, starts its session and issues the
// access token and the session's first refresh token.
func (s *Service) finishLogin(ctx context.Context, c Client, u *store.User, authTime time.Time, method string) (*LoginResult, error) {
	now := s.nowUTC()
	if err := s.st.SetLastLogin(ctx, u.ID, now); err != nil {
		return nil, storeErr(err, ErrInvalidCredentials)
	}
	signedInBefore := !u.LastLoginAt.IsZero()
	u.LastLoginAt = now
	if signedInBefore {
		s.noticeNewNetwork(ctx, c, u)
	}
	ss, refresh, err := s.startSession(ctx, c, u, authTime)
	if err != nil {
		return nil, err
	}
	tok, err := s.issue(ctx, u, authTime, ss.ID)
	if err != nil {
		return nil, err
	}
	end := sessionEnd(ss)
	tok.RefreshToken, tok.RefreshExpiresAt, tok.SessionID = refresh, &end, ss.ID
	pu, err := s.publicUser(ctx, u)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, slog.LevelInfo, "auth.sign_in", slog.String("user_id", u.ID), slog.String("method", method), attrIP(c))
	return &LoginResult{Token: tok, User: pu}, nil
}

// TokenBasic signs in with a username (or email) and password (GET /token
// with Basic auth). A user with TOTP must also give the current code in
// otp; a missing or wrong code is ErrInvalidCredentials too. A user whose
// only second factor is a passkey cannot sign in here
// (ErrInvalidCredentials): Basic credentials cannot carry a passkey.
//
// Errors: ErrInvalidCredentials, ErrAccountDisabled, ErrIPNotAllowed,
// *RateLimitError.
func (s *Service) TokenBasic(ctx context.Context, c Client, username, password, otp string) (_ *TokenResponse, err error) {
	defer s.signedIn("basic", &err)
	u, authTime, err := s.checkPassword(ctx, c, username, password)
	if err != nil {
		return nil, err
	}
	on, err := s.totpEnabled(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if !on {
		// A user with a passkey but no TOTP has a second factor that
		// Basic credentials cannot carry.
		if pk, err := s.hasPasskeys(ctx, u.ID); err != nil {
			return nil, err
		} else if pk {
			s.audit(ctx, slog.LevelWarn, "auth.sign_in_failed", slog.String("user_id", u.ID), slog.String("reason", "passkey required"), attrIP(c))
			return nil, fmt.Errorf("%w: a passkey is required: sign in with POST /login/password", ErrInvalidCredentials)
		}
	}
	if on {
		if otp == "" {
			s.audit(ctx, slog.LevelWarn, "auth.sign_in_failed", slog.String("user_id", u.ID), slog.String("reason", "otp missing"), attrIP(c))
			return nil, fmt.Errorf("%w: one-time code required", ErrInvalidCredentials)
		}
		if err := s.checkTOTP(ctx, c, u.ID, otp); err != nil {
			if errors.Is(err, ErrIncorrectCode) || errors.Is(err, ErrTOTPNotRegistered) {
				return nil, ErrInvalidCredentials
			}
			return nil, err
		}
	}
	res, err := s.finishLogin(ctx, c, u, authTime, "basic")
	if err != nil {
		return nil, err
	}
	return res.Token, nil
}

// LoginPassword is the first sign-in step (POST /login/password): identifier
// is a username or an email. Without a second factor the result holds the
// access token and the user; a user with TOTP or a passkey gets a
// challenge token instead (valid for Config.ChallengeTTL, for LoginTOTP,
// LoginRecoveryCode or a passkey through BeginPasskeyLogin), with the
// methods it accepts.
//
// An unknown identifier and a wrong password are both ErrInvalidCredentials
// and take the same time. A correct password stored in a format weaker than
// the Hasher's policy is re-hashed. Errors: ErrInvalidCredentials,
// ErrAccountDisabled, ErrIPNotAllowed, *RateLimitError.
func (s *Service) LoginPassword(ctx context.Context, c Client, identifier, password string) (res *LoginResult, err error) {
	defer s.loggedIn(&res, &err)
	u, authTime, err := s.checkPassword(ctx, c, identifier, password)
	if err != nil {
		return nil, err
	}
	methods, err := s.secondFactors(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if len(methods) == 0 {
		return s.finishLogin(ctx, c, u, authTime, "password")
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	id, digest := challengeID(tok)
	exp := s.nowUTC().Add(s.cfg.ChallengeTTL)
	err = s.st.CreateRequest(ctx, &store.Request{
		ID:         id,
		Kind:       store.KindLoginChallenge,
		UserID:     u.ID,
		CodeDigest: digest,
		Generation: u.Generation,
		CreatedAt:  authTime,
		ExpiresAt:  exp,
	})
	if err != nil {
		return nil, storeErr(err, ErrInvalidCredentials)
	}
	s.audit(ctx, slog.LevelInfo, "auth.second_factor_required", slog.String("user_id", u.ID), attrIP(c))
	return &LoginResult{SecondFactorRequired: true, ChallengeToken: tok, ChallengeExpiresAt: exp, Methods: methods}, nil
}

// challengeID returns the request ID and the digest stored for a
// challenge token.
func challengeID(tok string) (id, digest string) {
	sum := sha256.Sum256([]byte(tok))
	digest = hex.EncodeToString(sum[:])
	return "chl_" + digest[:32], digest
}

// loadChallenge returns the live challenge named by tok and its user.
// Anything wrong with it is ErrUnauthorized.
func (s *Service) loadChallenge(ctx context.Context, c Client, tok string) (*store.Request, *store.User, error) {
	bad := fmt.Errorf("%w: invalid or expired challenge", ErrUnauthorized)
	if len(tok) != challengeTokenLen {
		return nil, nil, bad
	}
	id, digest := challengeID(tok)
	r, err := s.st.Request(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, bad
	} else if err != nil {
		return nil, nil, internal(err)
	}
	if r.Kind != store.KindLoginChallenge || subtle.ConstantTimeCompare([]byte(r.CodeDigest), []byte(digest)) != 1 {
		return nil, nil, bad
	}
	if !s.now().Before(r.ExpiresAt) {
		_ = s.st.DeleteRequest(ctx, r.ID)
		return nil, nil, bad
	}
	u, err := s.st.User(ctx, r.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, bad
	} else if err != nil {
		return nil, nil, internal(err)
	}
	// A password change (or reset, or disabling) since the password was
	// checked voids the challenge. The token it leads to carries the
	// challenge's generation, so a change after this check voids it too.
	if u.Generation != r.Generation {
		return nil, nil, bad
	}
	u.Generation = r.Generation
	if err := s.checkAccount(ctx, c, u); err != nil {
		return nil, nil, err
	}
	return r, u, nil
}

// completeChallenge checks the second factor with check and, on success,
// uses up the challenge and signs the user in.
func (s *Service) completeChallenge(ctx context.Context, c Client, tok, method string, check func(userID string) error) (*LoginResult, error) {
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	r, u, err := s.loadChallenge(ctx, c, tok)
	if err != nil {
		return nil, err
	}
	if err := check(u.ID); err != nil {
		if errors.Is(err, ErrIncorrectCode) {
			if _, ferr := s.st.FailRequestAttempt(ctx, r.ID, maxCodeAttempts); ferr != nil && !errors.Is(ferr, store.ErrNotFound) {
				return nil, internal(ferr)
			}
		}
		return nil, err
	}
	// Single use: of concurrent completions only one deletes the challenge.
	if err := s.st.DeleteRequest(ctx, r.ID); err != nil {
		return nil, storeErr(err, fmt.Errorf("%w: challenge already used", ErrUnauthorized))
	}
	return s.finishLogin(ctx, c, u, s.nowUTC(), method) // the second factor was proved now
}

// LoginTOTP completes a sign-in challenge with a TOTP code (POST
// /login/totp). A code is accepted once only (replay protection through
// the store), and wrong codes count against the account, whatever the
// challenge or client IP. Errors: ErrUnauthorized (bad, used or expired
// challenge), ErrIncorrectCode, ErrAccountDisabled, ErrIPNotAllowed,
// *RateLimitError.
func (s *Service) LoginTOTP(ctx context.Context, c Client, challengeToken, code string) (_ *LoginResult, err error) {
	defer s.signedIn("totp", &err)
	return s.completeChallenge(ctx, c, challengeToken, "totp", func(userID string) error {
		return s.checkTOTP(ctx, c, userID, code)
	})
}

// LoginRecoveryCode completes a sign-in challenge with a recovery code,
// which is consumed (POST /login/recovery-code). Errors as LoginTOTP.
func (s *Service) LoginRecoveryCode(ctx context.Context, c Client, challengeToken, recoveryCode string) (_ *LoginResult, err error) {
	defer s.signedIn("recovery_code", &err)
	return s.completeChallenge(ctx, c, challengeToken, "recovery_code", func(userID string) error {
		return s.useRecoveryCode(ctx, c, userID, recoveryCode)
	})
}

// Logout ends p's session: its access and refresh tokens stop working on
// every instance (POST /logout). An access token without a session (issued
// before sessions existed) is revoked until it expires. Errors:
// ErrUnauthorized, ErrInvalidRequest (p is not an access token).
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil {
		return ErrUnauthorized
	}
	if p.Kind != KindAccessToken || p.TokenID == "" {
		return fmt.Errorf("%w: only an access token can log out", ErrInvalidRequest)
	}
	if p.SessionID != "" {
		if err := s.st.DeleteSession(ctx, p.UserID, p.SessionID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return internal(err)
		}
		s.sessionEvent(SessionEnded)
	} else if err := s.st.RevokeToken(ctx, p.TokenID, p.ExpiresAt); err != nil {
		return internal(err)
	}
	s.maybeSweep(ctx)
	s.audit(ctx, slog.LevelInfo, "auth.sign_out", slog.String("user_id", p.UserID))
	return nil
}
