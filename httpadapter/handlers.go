package httpadapter

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/latchkit/latch/auth"
)

// Every operation is decode → one Service call → encode (op in routes.go);
// the few below need more than that. Permission rules ("self or edit_users"
// and so on) live in auth, which gets the caller; auth's result types are
// the wire format.

//go:embed openapi.yaml
var openAPIDocument []byte

// OpenAPI returns the OpenAPI 3.1 document of the routes Handler serves.
// GET /openapi.yaml serves it with the server URL set to where the Handler
// is reached (see Config.BasePath); this copy names "/api/v1". The caller
// may modify the result.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// ---- request bodies (decoded by op with decodeJSON: exact names, no nulls)

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

type beginPasskeyLoginRequest struct {
	Identifier     string `json:"identifier"`
	ChallengeToken string `json:"challenge_token"`
}

type loginPasskeyRequest struct {
	LoginID    string          `json:"login_id" required:"true"`
	Credential json.RawMessage `json:"credential" required:"true"`
}

type currentPasswordRequest struct {
	CurrentPassword *string `json:"current_password"`
}

type createPasskeyRequest struct {
	RegistrationID string          `json:"registration_id" required:"true"`
	Credential     json.RawMessage `json:"credential" required:"true"`
	Name           string          `json:"name"`
}

type renamePasskeyRequest struct {
	Name string `json:"name" required:"true"`
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

// ---- responses that are not one of auth's types

type secondFactorRequired struct {
	SecondFactorRequired bool      `json:"second_factor_required"`
	ChallengeToken       string    `json:"challenge_token"`
	ExpiresAt            time.Time `json:"expires_at"`
	Methods              []string  `json:"methods"`
}

type loginSuccess struct {
	*auth.TokenResponse
	User *auth.User `json:"user"`
}

// loginResponse is the response of a sign-in step: the token and the
// user, or the second-factor challenge.
func loginResponse(res *auth.LoginResult, err error) (any, error) {
	switch {
	case err != nil:
		return nil, err
	case res.SecondFactorRequired:
		return secondFactorRequired{true, res.ChallengeToken, res.ChallengeExpiresAt, nonNil(res.Methods)}, nil
	}
	return loginSuccess{res.Token, res.User}, nil
}

type recoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func recoveryCodesOut(codes []string, err error) (any, error) {
	if codes == nil {
		codes = []string{}
	}
	return recoveryCodes{codes}, err
}

// getToken answers GET /token: HTTP Basic credentials (and X-OTP) for an
// access token, with the Basic challenge on 401.
func (h *Handler) getToken(x *call) error {
	user, pass, ok := x.r.BasicAuth()
	if !ok {
		x.w.Header().Set("WWW-Authenticate", challengeBasic)
		return errNoBasic
	}
	tok, err := h.svc.TokenBasic(x.ctx(), x.c, user, pass, x.r.Header.Get("X-OTP"))
	if err != nil {
		if status, _ := statusOf(codeOf(err)); status == http.StatusUnauthorized {
			x.w.Header().Set("WWW-Authenticate", challengeBasic)
		}
		return err
	}
	h.keepRefreshToken(x.w, tok)
	h.writeJSON(x.w, x.r, http.StatusOK, tok)
	return nil
}

type userPage struct {
	Users      []auth.User `json:"users"`
	NextCursor *string     `json:"next_cursor"`
}

// listUsers answers GET /users?limit&cursor.
func (h *Handler) listUsers(x *call, _ *none) (any, error) {
	q := x.r.URL.Query()
	limit := 0
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || len(v) != 1 || n < 1 || n > auth.MaxListLimit {
			return nil, invalid("limit must be an integer from 1 to %d", auth.MaxListLimit)
		}
		limit = n
	}
	if v, ok := q["cursor"]; ok && len(v) != 1 {
		return nil, invalid("cursor given more than once")
	}
	users, next, err := h.svc.ListUsers(x.ctx(), x.p, limit, q.Get("cursor"))
	if err != nil {
		return nil, err
	}
	page := userPage{Users: users}
	if page.Users == nil {
		page.Users = []auth.User{}
	}
	if next != "" {
		page.NextCursor = &next
	}
	return page, nil
}

// updateUser answers PATCH /users/{user_id}: 200 with the user, or 202 with
// a verification request when the caller changes its own email.
func (h *Handler) updateUser(x *call, in *updateUserRequest) (any, error) {
	userID := x.param("user_id")
	if in.Email != nil && x.p.UserID == userID && x.p.Kind != auth.KindSystem {
		// One's own email changes only once the new address is verified.
		if in.Role != nil || in.Permissions != nil || in.AllowedIPs != nil || in.Disabled != nil {
			return nil, fmt.Errorf("%w: an email change of one's own account is a request of its own", auth.ErrInvalidRequest)
		}
		v, err := h.svc.ChangeEmail(x.ctx(), x.c, x.p, userID, *in.Email, in.CurrentPassword)
		return withStatus{http.StatusAccepted, v}, err
	}
	if in.CurrentPassword != nil {
		return nil, fmt.Errorf("%w: current_password goes with a change of one's own email only", auth.ErrInvalidRequest)
	}
	return result(h.svc.UpdateUser(x.ctx(), x.p, userID, auth.UpdateUserInput{
		Email:       in.Email,
		Role:        in.Role,
		Permissions: in.Permissions,
		AllowedIPs:  in.AllowedIPs,
		Disabled:    in.Disabled,
	}))
}

// startEmailVerification answers POST /users/{user_id}/email-verification:
// a verification of the current or a given address, or with
// current_password a change of one's own address.
func (h *Handler) startEmailVerification(x *call, in *emailRequest) (any, error) {
	userID := x.param("user_id")
	if in.CurrentPassword != nil {
		if in.Email == nil || x.p.UserID != userID {
			return nil, fmt.Errorf("%w: current_password goes with a new address of one's own", auth.ErrInvalidRequest)
		}
		return result(h.svc.ChangeEmail(x.ctx(), x.c, x.p, userID, *in.Email, in.CurrentPassword))
	}
	return result(h.svc.StartEmailVerification(x.ctx(), x.c, x.p, userID, in.Email))
}

// dump answers GET /admin/dump with the service's backup document.
func (h *Handler) dump(x *call) error {
	b, err := h.svc.Dump(x.ctx(), x.p)
	if err != nil {
		return err
	}
	h.writeRawJSON(x.w, http.StatusOK, b)
	return nil
}

// restore answers POST /admin/restore, whose body (a whole backup) has its
// own limit, Config.MaxRestoreBytes.
func (h *Handler) restore(x *call) error {
	// auth.Restore checks the same permission; checking it first as well
	// keeps callers without it from making the server read a whole backup.
	if !x.p.Can(auth.PermManageSystem) {
		return errPermission
	}
	data, err := readBody(x.w, x.r, h.maxRestore)
	if err != nil {
		return err
	}
	if data == nil {
		return invalid("this operation needs a JSON request body: a backup from GET /admin/dump")
	}
	// Restore decodes the backup with the same strict rules as every body.
	if err := h.svc.Restore(x.ctx(), x.p, data); err != nil {
		return restoreError(err)
	}
	writeNoContent(x.w)
	return nil
}

// ---- public

func (h *Handler) getOpenAPI(x *call) error {
	doc := openAPIFor(h.basePathOf(x.r))
	hdr := x.w.Header()
	setCommonHeaders(hdr)
	hdr.Set("Content-Type", "application/yaml")
	hdr.Set("Content-Length", strconv.Itoa(len(doc)))
	_, _ = x.w.Write(doc)
	return nil
}

func (h *Handler) getJWKS(x *call) error {
	b, err := h.svc.JWKS(x.ctx())
	if err != nil {
		return err
	}
	h.writeRawJSON(x.w, http.StatusOK, b)
	return nil
}

func (h *Handler) healthz(x *call) error {
	h.writeRawJSON(x.w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
