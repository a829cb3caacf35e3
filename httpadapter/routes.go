package httpadapter

import (
	"context"
	"net/http"

	"github.com/latchkit/latch/auth"
)

// authMode says how a route authenticates its caller.
type authMode uint8

const (
	// authNone: public; an Authorization header is ignored.
	authNone authMode = iota
	// authOptional: anonymous, or a valid credential (an invalid one is 401).
	authOptional
	// authRequired: a valid credential (401 otherwise).
	authRequired
)

// bodyMode says whether a route takes a request body. It is the one place
// the rule lives: the endpoint refuses a body where there is none, and op
// decodes one where there is.
type bodyMode uint8

const (
	// noBody: the operation takes none; anything but an empty body or an
	// empty JSON object is INVALID_REQUEST (over 64 KiB: REQUEST_TOO_LARGE),
	// as for any unknown field.
	noBody bodyMode = iota
	// optionalBody: a JSON body, decoded strictly; an empty one leaves the
	// operation's input at its zero value.
	optionalBody
	// requiredBody: a JSON body, decoded strictly; an empty one is
	// INVALID_REQUEST.
	requiredBody
)

// call is one request to an operation, as the endpoint prepared it.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	c    auth.Client     // the client, after the trusted-proxy rules
	p    *auth.Principal // the caller; nil when anonymous
	body bodyMode        // the route's
}

func (x *call) ctx() context.Context { return x.r.Context() }

// param returns the path parameter name.
func (x *call) param(name string) string { return x.r.PathValue(name) }

// route is one operation of openapi.yaml. path uses the OpenAPI template
// syntax, which is also http.ServeMux's wildcard syntax, so the same string
// is the mux pattern and the openapi.yaml path (a test checks both
// directions, and that body matches the document's requestBody).
type route struct {
	method string
	path   string
	auth   authMode
	body   bodyMode
	handle func(h *Handler, x *call) error
}

// none is the input of an operation without a request body.
type none struct{}

// op makes the handler of an operation: decode the body into In (as the
// route's bodyMode says), call f, and answer status with f's result as
// JSON, which auth's types already have in the shape of the contract
// (auth owns the wire format). A status of 204 answers no body; f's result
// is then ignored. A withStatus result answers its own status. f's error
// becomes the error response.
func op[In any](status int, f func(h *Handler, x *call, in *In) (any, error)) func(*Handler, *call) error {
	return func(h *Handler, x *call) error {
		var in In
		if x.body != noBody {
			if err := decodeBody(x.w, x.r, &in, x.body == requiredBody); err != nil {
				return err
			}
		}
		out, err := f(h, x, &in)
		switch {
		case err != nil:
			return err
		case status == http.StatusNoContent:
			writeNoContent(x.w)
		default:
			code := status
			if ws, ok := out.(withStatus); ok {
				code, out = ws.status, ws.body
			}
			h.writeJSON(x.w, x.r, code, out)
		}
		return nil
	}
}

// withStatus is an operation's result answered with another status than
// the route's usual one (202 for an email change that awaits
// verification).
type withStatus struct {
	status int
	body   any
}

// result turns a service call's (value, error) into op's result.
func result[T any](v T, err error) (any, error) { return v, err }

// done turns a service call's error into op's result (for 204 routes).
func done(err error) (any, error) { return nil, err }

// routes is every route the Handler serves, registered from this table only.
var routes = []route{
	// sign-in
	{http.MethodGet, "/token", authNone, noBody, (*Handler).getToken},
	{http.MethodPost, "/login/password", authNone, requiredBody, op(200, func(h *Handler, x *call, in *loginPasswordRequest) (any, error) {
		res, err := h.svc.LoginPassword(x.ctx(), x.c, in.Identifier, in.Password)
		return h.loginOut(x, res, err)
	})},
	{http.MethodPost, "/login/totp", authNone, requiredBody, op(200, func(h *Handler, x *call, in *loginTOTPRequest) (any, error) {
		res, err := h.svc.LoginTOTP(x.ctx(), x.c, in.ChallengeToken, in.Code)
		return h.loginOut(x, res, err)
	})},
	{http.MethodPost, "/login/recovery-code", authNone, requiredBody, op(200, func(h *Handler, x *call, in *loginRecoveryRequest) (any, error) {
		res, err := h.svc.LoginRecoveryCode(x.ctx(), x.c, in.ChallengeToken, in.RecoveryCode)
		return h.loginOut(x, res, err)
	})},
	{http.MethodPost, "/login/passkey/begin", authNone, optionalBody, op(200, func(h *Handler, x *call, in *beginPasskeyLoginRequest) (any, error) {
		return result(h.svc.BeginPasskeyLogin(x.ctx(), x.c, in.Identifier, in.ChallengeToken))
	})},
	{http.MethodPost, "/login/passkey", authNone, requiredBody, op(200, func(h *Handler, x *call, in *loginPasskeyRequest) (any, error) {
		res, err := h.svc.LoginPasskey(x.ctx(), x.c, in.LoginID, in.Credential)
		return h.loginOut(x, res, err)
	})},
	{http.MethodPost, "/token/refresh", authNone, optionalBody, op(200, (*Handler).refresh)},
	{http.MethodPost, "/logout", authOptional, noBody, op(204, (*Handler).logout)},
	// users
	{http.MethodPost, "/users", authOptional, requiredBody, op(201, func(h *Handler, x *call, in *createUserRequest) (any, error) {
		return result(h.svc.CreateUser(x.ctx(), x.c, x.p, auth.CreateUserInput{
			Username: in.Username, Email: in.Email, Password: in.Password, PasswordHash: in.PasswordHash,
			Role: in.Role, Permissions: in.Permissions, AllowedIPs: in.AllowedIPs,
		}))
	})},
	{http.MethodGet, "/users", authRequired, noBody, op(200, (*Handler).listUsers)},
	{http.MethodGet, "/me", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		return result(h.svc.GetUser(x.ctx(), x.p, x.p.UserID))
	})},
	{http.MethodGet, "/users/{user_id}", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		return result(h.svc.GetUser(x.ctx(), x.p, x.param("user_id")))
	})},
	{http.MethodPatch, "/users/{user_id}", authRequired, requiredBody, op(200, (*Handler).updateUser)},
	{http.MethodDelete, "/users/{user_id}", authRequired, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.DeleteUser(x.ctx(), x.p, x.param("user_id")))
	})},
	{http.MethodPost, "/users/{user_id}/password", authRequired, requiredBody, op(204, func(h *Handler, x *call, in *changePasswordRequest) (any, error) {
		return done(h.svc.ChangePassword(x.ctx(), x.c, x.p, x.param("user_id"), in.Password, in.NewPassword))
	})},
	// email verification
	{http.MethodPost, "/users/{user_id}/email-verification", authRequired, optionalBody, op(201, (*Handler).startEmailVerification)},
	{http.MethodGet, "/users/{user_id}/email-verification/{request_id}", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		return result(h.svc.GetEmailVerification(x.ctx(), x.p, x.param("user_id"), x.param("request_id")))
	})},
	{http.MethodDelete, "/users/{user_id}/email-verification/{request_id}", authRequired, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.DeleteEmailVerification(x.ctx(), x.p, x.param("user_id"), x.param("request_id")))
	})},
	{http.MethodPost, "/users/{user_id}/verify-email", authRequired, requiredBody, op(200, func(h *Handler, x *call, in *verifyEmailRequest) (any, error) {
		return result(h.svc.VerifyEmail(x.ctx(), x.c, x.p, x.param("user_id"), in.RequestID, in.Code))
	})},
	// TOTP and recovery codes
	{http.MethodPost, "/users/{user_id}/totp/enrollment", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		return result(h.svc.EnrollTOTP(x.ctx(), x.p, x.param("user_id")))
	})},
	{http.MethodPost, "/users/{user_id}/totp", authRequired, requiredBody, op(201, func(h *Handler, x *call, in *codeRequest) (any, error) {
		return recoveryCodesOut(h.svc.ActivateTOTP(x.ctx(), x.c, x.p, x.param("user_id"), in.Code))
	})},
	{http.MethodGet, "/users/{user_id}/totp", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		return result(h.svc.TOTPStatus(x.ctx(), x.p, x.param("user_id")))
	})},
	{http.MethodDelete, "/users/{user_id}/totp", authRequired, optionalBody, op(204, func(h *Handler, x *call, in *optionalCodeRequest) (any, error) {
		return done(h.svc.DeleteTOTP(x.ctx(), x.c, x.p, x.param("user_id"), in.Code, in.CurrentPassword))
	})},
	{http.MethodPost, "/users/{user_id}/verify-2fa/totp", authRequired, requiredBody, op(204, func(h *Handler, x *call, in *codeRequest) (any, error) {
		return done(h.svc.VerifyTOTP(x.ctx(), x.c, x.p, x.param("user_id"), in.Code))
	})},
	{http.MethodGet, "/users/{user_id}/recovery-codes", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		n, err := h.svc.RecoveryCodesRemaining(x.ctx(), x.p, x.param("user_id"))
		return struct {
			Remaining int `json:"remaining"`
		}{n}, err
	})},
	{http.MethodPost, "/users/{user_id}/recovery-codes", authRequired, requiredBody, op(200, func(h *Handler, x *call, in *codeRequest) (any, error) {
		return recoveryCodesOut(h.svc.RegenerateRecoveryCodes(x.ctx(), x.c, x.p, x.param("user_id"), in.Code))
	})},
	{http.MethodPost, "/users/{user_id}/reset-2fa", authRequired, requiredBody, op(204, func(h *Handler, x *call, in *recoveryCodeRequest) (any, error) {
		return done(h.svc.Reset2FA(x.ctx(), x.c, x.p, x.param("user_id"), in.RecoveryCode))
	})},
	// passkeys
	{http.MethodPost, "/users/{user_id}/passkeys/registration", authRequired, optionalBody, op(200, func(h *Handler, x *call, in *currentPasswordRequest) (any, error) {
		return result(h.svc.BeginPasskeyRegistration(x.ctx(), x.c, x.p, x.param("user_id"), in.CurrentPassword))
	})},
	{http.MethodPost, "/users/{user_id}/passkeys", authRequired, requiredBody, op(201, func(h *Handler, x *call, in *createPasskeyRequest) (any, error) {
		return result(h.svc.FinishPasskeyRegistration(x.ctx(), x.c, x.p, x.param("user_id"), in.RegistrationID, in.Credential, in.Name))
	})},
	{http.MethodGet, "/users/{user_id}/passkeys", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		list, err := h.svc.ListPasskeys(x.ctx(), x.p, x.param("user_id"))
		return struct {
			Passkeys []auth.Passkey `json:"passkeys"`
		}{list}, err
	})},
	{http.MethodPatch, "/users/{user_id}/passkeys/{passkey_id}", authRequired, requiredBody, op(200, func(h *Handler, x *call, in *renamePasskeyRequest) (any, error) {
		return result(h.svc.RenamePasskey(x.ctx(), x.p, x.param("user_id"), x.param("passkey_id"), in.Name))
	})},
	{http.MethodDelete, "/users/{user_id}/passkeys/{passkey_id}", authRequired, optionalBody, op(204, func(h *Handler, x *call, in *currentPasswordRequest) (any, error) {
		return done(h.svc.DeletePasskey(x.ctx(), x.c, x.p, x.param("user_id"), x.param("passkey_id"), in.CurrentPassword))
	})},
	// password reset
	{http.MethodPost, "/password-reset", authOptional, requiredBody, op(202, func(h *Handler, x *call, in *requiredEmailRequest) (any, error) {
		return result(h.svc.StartPasswordReset(x.ctx(), x.c, x.p, in.Email))
	})},
	{http.MethodGet, "/password-reset/{request_id}", authNone, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		return result(h.svc.GetPasswordReset(x.ctx(), x.param("request_id")))
	})},
	{http.MethodDelete, "/password-reset/{request_id}", authNone, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.DeletePasswordReset(x.ctx(), x.param("request_id")))
	})},
	{http.MethodPost, "/password-reset/{request_id}/verify-email", authNone, requiredBody, op(204, func(h *Handler, x *call, in *codeRequest) (any, error) {
		return done(h.svc.VerifyPasswordResetEmail(x.ctx(), x.c, x.param("request_id"), in.Code))
	})},
	{http.MethodPost, "/password-reset/{request_id}/verify-2fa/totp", authNone, requiredBody, op(204, func(h *Handler, x *call, in *codeRequest) (any, error) {
		return done(h.svc.VerifyPasswordResetTOTP(x.ctx(), x.c, x.param("request_id"), in.Code))
	})},
	{http.MethodPost, "/password-reset/{request_id}/reset-2fa", authNone, requiredBody, op(204, func(h *Handler, x *call, in *recoveryCodeRequest) (any, error) {
		return done(h.svc.ResetPasswordReset2FA(x.ctx(), x.c, x.param("request_id"), in.RecoveryCode))
	})},
	{http.MethodPost, "/reset-password", authNone, requiredBody, op(204, func(h *Handler, x *call, in *resetPasswordRequest) (any, error) {
		return done(h.svc.ResetPassword(x.ctx(), x.c, in.RequestID, in.Password))
	})},
	// sessions
	{http.MethodGet, "/users/{user_id}/sessions", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		list, err := h.svc.ListSessions(x.ctx(), x.p, x.param("user_id"))
		return struct {
			Sessions []auth.Session `json:"sessions"`
		}{list}, err
	})},
	{http.MethodDelete, "/users/{user_id}/sessions", authRequired, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.RevokeSessions(x.ctx(), x.p, x.param("user_id")))
	})},
	{http.MethodDelete, "/users/{user_id}/sessions/{session_id}", authRequired, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.RevokeSession(x.ctx(), x.p, x.param("user_id"), x.param("session_id")))
	})},
	// API tokens
	{http.MethodPost, "/users/{user_id}/api-tokens", authRequired, requiredBody, op(201, func(h *Handler, x *call, in *createAPITokenRequest) (any, error) {
		return result(h.svc.CreateAPIToken(x.ctx(), x.c, x.p, x.param("user_id"), auth.CreateAPITokenInput(*in)))
	})},
	{http.MethodGet, "/users/{user_id}/api-tokens", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		list, err := h.svc.ListAPITokens(x.ctx(), x.p, x.param("user_id"))
		return struct {
			APITokens []auth.APIToken `json:"api_tokens"`
		}{list}, err
	})},
	{http.MethodDelete, "/users/{user_id}/api-tokens/{token_id}", authRequired, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.RevokeAPIToken(x.ctx(), x.p, x.param("user_id"), x.param("token_id")))
	})},
	// administration
	{http.MethodPost, "/admin/signing-keys/rotate", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		kid, err := h.svc.RotateSigningKey(x.ctx(), x.p)
		return struct {
			KID string `json:"kid"`
		}{kid}, err
	})},
	{http.MethodPost, "/admin/signing-keys/reset", authRequired, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.ResetSigningKeys(x.ctx(), x.p))
	})},
	{http.MethodGet, "/admin/defender/hosts", authRequired, noBody, op(200, func(h *Handler, x *call, _ *none) (any, error) {
		hosts, err := h.svc.DefenderHosts(x.ctx(), x.p)
		return struct {
			Hosts []auth.DefenderHost `json:"hosts"`
		}{hosts}, err
	})},
	{http.MethodDelete, "/admin/defender/hosts/{ip}", authRequired, noBody, op(204, func(h *Handler, x *call, _ *none) (any, error) {
		return done(h.svc.UnbanHost(x.ctx(), x.p, x.param("ip")))
	})},
	{http.MethodGet, "/admin/dump", authRequired, noBody, (*Handler).dump},
	{http.MethodPost, "/admin/restore", authRequired, requiredBody, (*Handler).restore},
	// public
	{http.MethodGet, "/openapi.yaml", authNone, noBody, (*Handler).getOpenAPI},
	{http.MethodGet, "/docs", authNone, noBody, (*Handler).getDocs},
	{http.MethodGet, "/docs/{file}", authNone, noBody, (*Handler).getDocsFile},
	{http.MethodGet, "/.well-known/jwks.json", authNone, noBody, (*Handler).getJWKS},
	{http.MethodGet, "/healthz", authNone, noBody, (*Handler).healthz},
	{http.MethodGet, "/readyz", authNone, noBody, (*Handler).readyz},
}
