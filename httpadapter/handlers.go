package httpadapter

import (
	_ "embed"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/latchkit/latch/auth"
)

// Every handler is decode → one Service call → encode. Permission rules
// ("self or edit_users" and so on) live in auth, which gets the caller.

//go:embed openapi.yaml
var openAPIDocument []byte

// OpenAPI returns the OpenAPI 3.1 document of the routes Handler serves.
// GET /openapi.yaml serves it with the server URL set to where the Handler
// is reached (see Config.BasePath); this copy names "/api/v1". The caller
// may modify the result.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// ---- request bodies (decoded by decodeJSON: exact names, no nulls)

type loginPasswordRequest struct {
	Identifier string `json:"identifier" required:"true"`
	Password   string `json:"password" required:"true"`
}

type loginTOTPRequest struct {
	ChallengeToken string `json:"challenge_token" required:"true"`
	Code           string `json:"code" required:"true"`
}

type loginRecoveryRequest struct {
	ChallengeToken string `json:"challenge_token" required:"true"`
	RecoveryCode   string `json:"recovery_code" required:"true"`
}

type createUserRequest struct {
	Username     string   `json:"username" required:"true"`
	Email        string   `json:"email"`
	Password     string   `json:"password"`
	PasswordHash string   `json:"password_hash"`
	Role         string   `json:"role"`
	Permissions  []string `json:"permissions"`
	AllowedIPs   []string `json:"allowed_ips"`
}

type updateUserRequest struct {
	Email           *string   `json:"email"`
	CurrentPassword *string   `json:"current_password"`
	Role            *string   `json:"role"`
	Permissions     *[]string `json:"permissions"`
	AllowedIPs      *[]string `json:"allowed_ips"`
	Disabled        *bool     `json:"disabled"`
}

type changePasswordRequest struct {
	Password    *string `json:"password"`
	NewPassword string  `json:"new_password" required:"true"`
}

type emailRequest struct {
	Email           *string `json:"email"`
	CurrentPassword *string `json:"current_password"`
}

type requiredEmailRequest struct {
	Email string `json:"email" required:"true"`
}

type verifyEmailRequest struct {
	RequestID string `json:"request_id" required:"true"`
	Code      string `json:"code" required:"true"`
}

type codeRequest struct {
	Code string `json:"code" required:"true"`
}

type optionalCodeRequest struct {
	Code            *string `json:"code"`
	CurrentPassword *string `json:"current_password"`
}

type recoveryCodeRequest struct {
	RecoveryCode string `json:"recovery_code" required:"true"`
}

type resetPasswordRequest struct {
	RequestID string `json:"request_id" required:"true"`
	Password  string `json:"password" required:"true"`
}

type createAPITokenRequest struct {
	Name            string     `json:"name" required:"true"`
	Permissions     []string   `json:"permissions"`
	ExpiresAt       *time.Time `json:"expires_at"`
	CurrentPassword *string    `json:"current_password"`
}

// ---- response bodies that are not auth's types

type loginSuccess struct {
	AccessToken string     `json:"access_token"`
	TokenType   string     `json:"token_type"`
	ExpiresAt   time.Time  `json:"expires_at"`
	User        *auth.User `json:"user"`
}

type secondFactorRequired struct {
	SecondFactorRequired bool      `json:"second_factor_required"`
	ChallengeToken       string    `json:"challenge_token"`
	ExpiresAt            time.Time `json:"expires_at"`
}

type passwordResetCreated struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
	Code      string    `json:"code,omitempty"`
}

type passwordResetState struct {
	ID                   string    `json:"id"`
	ExpiresAt            time.Time `json:"expires_at"`
	EmailVerified        bool      `json:"email_verified"`
	SecondFactorVerified bool      `json:"second_factor_verified"`
}

// ---- normalisation: arrays are [] rather than null, times are UTC

func userOut(u *auth.User) *auth.User {
	if u == nil {
		return nil
	}
	v := *u
	v.Permissions = nonNil(v.Permissions)
	v.AllowedIPs = nonNil(v.AllowedIPs)
	v.CreatedAt = v.CreatedAt.UTC()
	v.UpdatedAt = v.UpdatedAt.UTC()
	v.LastLoginAt = utcPtr(v.LastLoginAt)
	return &v
}

func apiTokenOut(t *auth.APIToken) *auth.APIToken {
	v := *t
	v.Permissions = nonNil(v.Permissions)
	v.CreatedAt = v.CreatedAt.UTC()
	v.ExpiresAt = utcPtr(v.ExpiresAt)
	v.LastUsedAt = utcPtr(v.LastUsedAt)
	return &v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func (h *Handler) loginResult(w http.ResponseWriter, r *http.Request, res *auth.LoginResult) {
	if res.SecondFactorRequired {
		h.writeJSON(w, r, http.StatusOK, secondFactorRequired{true, res.ChallengeToken, res.ChallengeExpiresAt.UTC()})
		return
	}
	h.writeJSON(w, r, http.StatusOK, loginSuccess{
		AccessToken: res.Token.AccessToken,
		TokenType:   res.Token.TokenType,
		ExpiresAt:   res.Token.ExpiresAt.UTC(),
		User:        userOut(res.User),
	})
}

// ---- sign-in

func (h *Handler) getToken(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	user, pass, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", challengeBasic)
		return errNoBasic
	}
	tok, err := h.svc.TokenBasic(r.Context(), c, user, pass, r.Header.Get("X-OTP"))
	if err != nil {
		if status, _ := statusOf(codeOf(err)); status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", challengeBasic)
		}
		return err
	}
	h.writeJSON(w, r, http.StatusOK, &auth.TokenResponse{AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresAt: tok.ExpiresAt.UTC()})
	return nil
}

func (h *Handler) loginPassword(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	var req loginPasswordRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	res, err := h.svc.LoginPassword(r.Context(), c, req.Identifier, req.Password)
	if err != nil {
		return err
	}
	h.loginResult(w, r, res)
	return nil
}

func (h *Handler) loginTOTP(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	var req loginTOTPRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	res, err := h.svc.LoginTOTP(r.Context(), c, req.ChallengeToken, req.Code)
	if err != nil {
		return err
	}
	h.loginResult(w, r, res)
	return nil
}

func (h *Handler) loginRecoveryCode(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	var req loginRecoveryRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	res, err := h.svc.LoginRecoveryCode(r.Context(), c, req.ChallengeToken, req.RecoveryCode)
	if err != nil {
		return err
	}
	h.loginResult(w, r, res)
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	if err := h.svc.Logout(r.Context(), p); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

// ---- users

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req createUserRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	u, err := h.svc.CreateUser(r.Context(), c, p, auth.CreateUserInput{
		Username:     req.Username,
		Email:        req.Email,
		Password:     req.Password,
		PasswordHash: req.PasswordHash,
		Role:         req.Role,
		Permissions:  req.Permissions,
		AllowedIPs:   req.AllowedIPs,
	})
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusCreated, userOut(u))
	return nil
}

type userPage struct {
	Users      []*auth.User `json:"users"`
	NextCursor *string      `json:"next_cursor"`
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	q := r.URL.Query()
	limit := 0
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || len(v) != 1 || n < 1 || n > 1000 {
			return invalid("limit must be an integer from 1 to 1000")
		}
		limit = n
	}
	if v, ok := q["cursor"]; ok && len(v) != 1 {
		return invalid("cursor given more than once")
	}
	users, next, err := h.svc.ListUsers(r.Context(), p, limit, q.Get("cursor"))
	if err != nil {
		return err
	}
	page := userPage{Users: make([]*auth.User, len(users))}
	for i := range users {
		page.Users[i] = userOut(&users[i])
	}
	if next != "" {
		page.NextCursor = &next
	}
	h.writeJSON(w, r, http.StatusOK, page)
	return nil
}

func (h *Handler) getMe(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	u, err := h.svc.GetUser(r.Context(), p, p.UserID)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, userOut(u))
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	u, err := h.svc.GetUser(r.Context(), p, r.PathValue("user_id"))
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, userOut(u))
	return nil
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req updateUserRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	userID := r.PathValue("user_id")
	if req.Email != nil && p.UserID == userID && p.Kind != auth.KindSystem {
		// One's own email changes only once the new address is verified:
		// 202 with the verification request.
		if req.Role != nil || req.Permissions != nil || req.AllowedIPs != nil || req.Disabled != nil {
			return fmt.Errorf("%w: an email change of one's own account is a request of its own", auth.ErrInvalidRequest)
		}
		v, err := h.svc.ChangeEmail(r.Context(), c, p, userID, *req.Email, req.CurrentPassword)
		if err != nil {
			return err
		}
		h.writeJSON(w, r, http.StatusAccepted, emailVerificationOut(v))
		return nil
	}
	if req.CurrentPassword != nil {
		return fmt.Errorf("%w: current_password goes with a change of one's own email only", auth.ErrInvalidRequest)
	}
	u, err := h.svc.UpdateUser(r.Context(), p, userID, auth.UpdateUserInput{
		Email:       req.Email,
		Role:        req.Role,
		Permissions: req.Permissions,
		AllowedIPs:  req.AllowedIPs,
		Disabled:    req.Disabled,
	})
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, userOut(u))
	return nil
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	if err := h.svc.DeleteUser(r.Context(), p, r.PathValue("user_id")); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req changePasswordRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	if err := h.svc.ChangePassword(r.Context(), c, p, r.PathValue("user_id"), req.Password, req.NewPassword); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

// ---- email verification

func emailVerificationOut(v *auth.EmailVerification) *auth.EmailVerification {
	out := *v
	out.ExpiresAt = out.ExpiresAt.UTC()
	return &out
}

func (h *Handler) startEmailVerification(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req emailRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	userID := r.PathValue("user_id")
	var (
		v   *auth.EmailVerification
		err error
	)
	if req.CurrentPassword != nil {
		if req.Email == nil || p.UserID != userID {
			return fmt.Errorf("%w: current_password goes with a new address of one's own", auth.ErrInvalidRequest)
		}
		v, err = h.svc.ChangeEmail(r.Context(), c, p, userID, *req.Email, req.CurrentPassword)
	} else {
		v, err = h.svc.StartEmailVerification(r.Context(), c, p, userID, req.Email)
	}
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusCreated, emailVerificationOut(v))
	return nil
}

func (h *Handler) getEmailVerification(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	v, err := h.svc.GetEmailVerification(r.Context(), p, r.PathValue("user_id"), r.PathValue("request_id"))
	if err != nil {
		return err
	}
	out := emailVerificationOut(v)
	out.Code = "" // never after creation
	h.writeJSON(w, r, http.StatusOK, out)
	return nil
}

func (h *Handler) deleteEmailVerification(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	if err := h.svc.DeleteEmailVerification(r.Context(), p, r.PathValue("user_id"), r.PathValue("request_id")); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req verifyEmailRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	u, err := h.svc.VerifyEmail(r.Context(), c, p, r.PathValue("user_id"), req.RequestID, req.Code)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, userOut(u))
	return nil
}

// ---- TOTP and recovery codes

type recoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func (h *Handler) enrollTOTP(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	e, err := h.svc.EnrollTOTP(r.Context(), p, r.PathValue("user_id"))
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, e)
	return nil
}

func (h *Handler) activateTOTP(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req codeRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	codes, err := h.svc.ActivateTOTP(r.Context(), c, p, r.PathValue("user_id"), req.Code)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusCreated, recoveryCodes{nonNil(codes)})
	return nil
}

func (h *Handler) getTOTP(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	st, err := h.svc.TOTPStatus(r.Context(), p, r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := *st
	out.CreatedAt = utcPtr(out.CreatedAt)
	h.writeJSON(w, r, http.StatusOK, &out)
	return nil
}

func (h *Handler) deleteTOTP(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req optionalCodeRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	if err := h.svc.DeleteTOTP(r.Context(), c, p, r.PathValue("user_id"), req.Code, req.CurrentPassword); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) verifyTOTP(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req codeRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	if err := h.svc.VerifyTOTP(r.Context(), c, p, r.PathValue("user_id"), req.Code); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) countRecoveryCodes(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	n, err := h.svc.RecoveryCodesRemaining(r.Context(), p, r.PathValue("user_id"))
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		Remaining int `json:"remaining"`
	}{n})
	return nil
}

func (h *Handler) regenerateRecoveryCodes(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req codeRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	codes, err := h.svc.RegenerateRecoveryCodes(r.Context(), c, p, r.PathValue("user_id"), req.Code)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, recoveryCodes{nonNil(codes)})
	return nil
}

func (h *Handler) reset2FA(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req recoveryCodeRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	if err := h.svc.Reset2FA(r.Context(), c, p, r.PathValue("user_id"), req.RecoveryCode); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

// ---- password reset

func (h *Handler) startPasswordReset(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req requiredEmailRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	pr, err := h.svc.StartPasswordReset(r.Context(), c, p, req.Email)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusAccepted, passwordResetCreated{pr.ID, pr.ExpiresAt.UTC(), pr.Code})
	return nil
}

func (h *Handler) getPasswordReset(w http.ResponseWriter, r *http.Request, _ auth.Client, _ *auth.Principal) error {
	pr, err := h.svc.GetPasswordReset(r.Context(), r.PathValue("request_id"))
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, passwordResetState{pr.ID, pr.ExpiresAt.UTC(), pr.EmailVerified, pr.SecondFactorVerified})
	return nil
}

func (h *Handler) deletePasswordReset(w http.ResponseWriter, r *http.Request, _ auth.Client, _ *auth.Principal) error {
	if err := h.svc.DeletePasswordReset(r.Context(), r.PathValue("request_id")); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) verifyPasswordResetEmail(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	var req codeRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	if err := h.svc.VerifyPasswordResetEmail(r.Context(), c, r.PathValue("request_id"), req.Code); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) verifyPasswordResetTOTP(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	var req codeRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	if err := h.svc.VerifyPasswordResetTOTP(r.Context(), c, r.PathValue("request_id"), req.Code); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) resetPasswordReset2FA(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	var req recoveryCodeRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	if err := h.svc.ResetPasswordReset2FA(r.Context(), c, r.PathValue("request_id"), req.RecoveryCode); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request, c auth.Client, _ *auth.Principal) error {
	var req resetPasswordRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	if err := h.svc.ResetPassword(r.Context(), c, req.RequestID, req.Password); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

// ---- API tokens

func (h *Handler) createAPIToken(w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error {
	var req createAPITokenRequest
	if err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	t, err := h.svc.CreateAPIToken(r.Context(), c, p, r.PathValue("user_id"), auth.CreateAPITokenInput{
		Name:            req.Name,
		Permissions:     req.Permissions,
		ExpiresAt:       req.ExpiresAt,
		CurrentPassword: req.CurrentPassword,
	})
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusCreated, apiTokenOut(t))
	return nil
}

func (h *Handler) listAPITokens(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	list, err := h.svc.ListAPITokens(r.Context(), p, r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := struct {
		APITokens []*auth.APIToken `json:"api_tokens"`
	}{make([]*auth.APIToken, len(list))}
	for i := range list {
		out.APITokens[i] = apiTokenOut(&list[i])
		out.APITokens[i].Token = "" // only ever in the creation response
	}
	h.writeJSON(w, r, http.StatusOK, out)
	return nil
}

func (h *Handler) revokeAPIToken(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	if err := h.svc.RevokeAPIToken(r.Context(), p, r.PathValue("user_id"), r.PathValue("token_id")); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

// ---- administration

func (h *Handler) rotateSigningKey(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	kid, err := h.svc.RotateSigningKey(r.Context(), p)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		KID string `json:"kid"`
	}{kid})
	return nil
}

func (h *Handler) resetSigningKeys(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	if err := h.svc.ResetSigningKeys(r.Context(), p); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) listDefenderHosts(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	hosts, err := h.svc.DefenderHosts(r.Context(), p)
	if err != nil {
		return err
	}
	if hosts == nil {
		hosts = []auth.DefenderHost{}
	}
	for i := range hosts {
		hosts[i].BannedUntil = utcPtr(hosts[i].BannedUntil)
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		Hosts []auth.DefenderHost `json:"hosts"`
	}{hosts})
	return nil
}

func (h *Handler) unbanDefenderHost(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	if err := h.svc.UnbanHost(r.Context(), p, r.PathValue("ip")); err != nil {
		return err
	}
	writeNoContent(w)
	return nil
}

func (h *Handler) dump(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	b, err := h.svc.Dump(r.Context(), p)
	if err != nil {
		return err
	}
	h.writeRawJSON(w, http.StatusOK, b)
	return nil
}

func (h *Handler) restore(w http.ResponseWriter, r *http.Request, _ auth.Client, p *auth.Principal) error {
	// auth.Restore checks the same permission; checking it first as well
	// keeps callers without it from making the server read a whole backup.
	if !p.Can(auth.PermManageSystem) {
		return errPermission
	}
	data, err := readBody(w, r, h.maxRestore)
	if err != nil {
		return err
	}
	if data == nil {
		return invalid("this operation needs a JSON request body: a backup from GET /admin/dump")
	}
	// Restore decodes the backup with the same strict rules as every body.
	if err := h.svc.Restore(r.Context(), p, data); err != nil {
		return restoreError(err)
	}
	writeNoContent(w)
	return nil
}

// ---- public

func (h *Handler) getOpenAPI(w http.ResponseWriter, r *http.Request, _ auth.Client, _ *auth.Principal) error {
	doc := openAPIFor(h.basePathOf(r))
	hdr := w.Header()
	setCommonHeaders(hdr)
	hdr.Set("Content-Type", "application/yaml")
	hdr.Set("Content-Length", strconv.Itoa(len(doc)))
	_, _ = w.Write(doc)
	return nil
}

func (h *Handler) getJWKS(w http.ResponseWriter, r *http.Request, _ auth.Client, _ *auth.Principal) error {
	b, err := h.svc.JWKS(r.Context())
	if err != nil {
		return err
	}
	h.writeRawJSON(w, http.StatusOK, b)
	return nil
}

func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request, _ auth.Client, _ *auth.Principal) error {
	h.writeRawJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}
