package httpadapter

import (
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

// route is one operation of API.md. path uses the OpenAPI template syntax,
// which is also http.ServeMux's wildcard syntax, so the same string is the
// mux pattern and the openapi.yaml path (a test checks both directions).
type route struct {
	method string
	path   string
	auth   authMode
	handle func(h *Handler, w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error
}

// routes is every route the Handler serves, registered from this table only.
var routes = []route{
	// sign-in
	{http.MethodGet, "/token", authNone, (*Handler).getToken},
	{http.MethodPost, "/login/password", authNone, (*Handler).loginPassword},
	{http.MethodPost, "/login/totp", authNone, (*Handler).loginTOTP},
	{http.MethodPost, "/login/recovery-code", authNone, (*Handler).loginRecoveryCode},
	{http.MethodPost, "/logout", authRequired, (*Handler).logout},
	// users
	{http.MethodPost, "/users", authOptional, (*Handler).createUser},
	{http.MethodGet, "/users", authRequired, (*Handler).listUsers},
	{http.MethodGet, "/me", authRequired, (*Handler).getMe},
	{http.MethodGet, "/users/{user_id}", authRequired, (*Handler).getUser},
	{http.MethodPatch, "/users/{user_id}", authRequired, (*Handler).updateUser},
	{http.MethodDelete, "/users/{user_id}", authRequired, (*Handler).deleteUser},
	{http.MethodPost, "/users/{user_id}/password", authRequired, (*Handler).changePassword},
	// email verification
	{http.MethodPost, "/users/{user_id}/email-verification", authRequired, (*Handler).startEmailVerification},
	{http.MethodGet, "/users/{user_id}/email-verification/{request_id}", authRequired, (*Handler).getEmailVerification},
	{http.MethodDelete, "/users/{user_id}/email-verification/{request_id}", authRequired, (*Handler).deleteEmailVerification},
	{http.MethodPost, "/users/{user_id}/verify-email", authRequired, (*Handler).verifyEmail},
	// TOTP and recovery codes
	{http.MethodPost, "/users/{user_id}/totp/enrollment", authRequired, (*Handler).enrollTOTP},
	{http.MethodPost, "/users/{user_id}/totp", authRequired, (*Handler).activateTOTP},
	{http.MethodGet, "/users/{user_id}/totp", authRequired, (*Handler).getTOTP},
	{http.MethodDelete, "/users/{user_id}/totp", authRequired, (*Handler).deleteTOTP},
	{http.MethodPost, "/users/{user_id}/verify-2fa/totp", authRequired, (*Handler).verifyTOTP},
	{http.MethodGet, "/users/{user_id}/recovery-codes", authRequired, (*Handler).countRecoveryCodes},
	{http.MethodPost, "/users/{user_id}/recovery-codes", authRequired, (*Handler).regenerateRecoveryCodes},
	{http.MethodPost, "/users/{user_id}/reset-2fa", authRequired, (*Handler).reset2FA},
	// password reset
	{http.MethodPost, "/password-reset", authOptional, (*Handler).startPasswordReset},
	{http.MethodGet, "/password-reset/{request_id}", authNone, (*Handler).getPasswordReset},
	{http.MethodDelete, "/password-reset/{request_id}", authNone, (*Handler).deletePasswordReset},
	{http.MethodPost, "/password-reset/{request_id}/verify-email", authNone, (*Handler).verifyPasswordResetEmail},
	{http.MethodPost, "/password-reset/{request_id}/verify-2fa/totp", authNone, (*Handler).verifyPasswordResetTOTP},
	{http.MethodPost, "/password-reset/{request_id}/reset-2fa", authNone, (*Handler).resetPasswordReset2FA},
	{http.MethodPost, "/reset-password", authNone, (*Handler).resetPassword},
	// API tokens
	{http.MethodPost, "/users/{user_id}/api-tokens", authRequired, (*Handler).createAPIToken},
	{http.MethodGet, "/users/{user_id}/api-tokens", authRequired, (*Handler).listAPITokens},
	{http.MethodDelete, "/users/{user_id}/api-tokens/{token_id}", authRequired, (*Handler).revokeAPIToken},
	// administration
	{http.MethodPost, "/admin/signing-keys/rotate", authRequired, (*Handler).rotateSigningKey},
	{http.MethodPost, "/admin/signing-keys/reset", authRequired, (*Handler).resetSigningKeys},
	{http.MethodGet, "/admin/defender/hosts", authRequired, (*Handler).listDefenderHosts},
	{http.MethodDelete, "/admin/defender/hosts/{ip}", authRequired, (*Handler).unbanDefenderHost},
	{http.MethodGet, "/admin/dump", authRequired, (*Handler).dump},
	{http.MethodPost, "/admin/restore", authRequired, (*Handler).restore},
	// public
	{http.MethodGet, "/openapi.yaml", authNone, (*Handler).getOpenAPI},
	{http.MethodGet, "/.well-known/jwks.json", authNone, (*Handler).getJWKS},
	{http.MethodGet, "/healthz", authNone, (*Handler).healthz},
}
