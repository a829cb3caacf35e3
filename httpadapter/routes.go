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

// bodyMode says whether a route takes a request body.
type bodyMode uint8

const (
	// noBody: the operation takes none; anything but an empty body or an
	// empty JSON object is INVALID_REQUEST (over 64 KiB: REQUEST_TOO_LARGE),
	// as for any unknown field.
	noBody bodyMode = iota
	// jsonBody: the handler decodes the body strictly (decodeBody).
	jsonBody
)

// route is one operation of openapi.yaml. path uses the OpenAPI template syntax,
// which is also http.ServeMux's wildcard syntax, so the same string is the
// mux pattern and the openapi.yaml path (a test checks both directions).
type route struct {
	method string
	path   string
	auth   authMode
	body   bodyMode
	handle func(h *Handler, w http.ResponseWriter, r *http.Request, c auth.Client, p *auth.Principal) error
}

// routes is every route the Handler serves, registered from this table only.
var routes = []route{
	// sign-in
	{http.MethodGet, "/token", authNone, noBody, (*Handler).getToken},
	{http.MethodPost, "/login/password", authNone, jsonBody, (*Handler).loginPassword},
	{http.MethodPost, "/login/totp", authNone, jsonBody, (*Handler).loginTOTP},
	{http.MethodPost, "/login/recovery-code", authNone, jsonBody, (*Handler).loginRecoveryCode},
	{http.MethodPost, "/logout", authRequired, noBody, (*Handler).logout},
	// users
	{http.MethodPost, "/users", authOptional, jsonBody, (*Handler).createUser},
	{http.MethodGet, "/users", authRequired, noBody, (*Handler).listUsers},
	{http.MethodGet, "/me", authRequired, noBody, (*Handler).getMe},
	{http.MethodGet, "/users/{user_id}", authRequired, noBody, (*Handler).getUser},
	{http.MethodPatch, "/users/{user_id}", authRequired, jsonBody, (*Handler).updateUser},
	{http.MethodDelete, "/users/{user_id}", authRequired, noBody, (*Handler).deleteUser},
	{http.MethodPost, "/users/{user_id}/password", authRequired, jsonBody, (*Handler).changePassword},
	// email verification
	{http.MethodPost, "/users/{user_id}/email-verification", authRequired, jsonBody, (*Handler).startEmailVerification},
	{http.MethodGet, "/users/{user_id}/email-verification/{request_id}", authRequired, noBody, (*Handler).getEmailVerification},
	{http.MethodDelete, "/users/{user_id}/email-verification/{request_id}", authRequired, noBody, (*Handler).deleteEmailVerification},
	{http.MethodPost, "/users/{user_id}/verify-email", authRequired, jsonBody, (*Handler).verifyEmail},
	// TOTP and recovery codes
	{http.MethodPost, "/users/{user_id}/totp/enrollment", authRequired, noBody, (*Handler).enrollTOTP},
	{http.MethodPost, "/users/{user_id}/totp", authRequired, jsonBody, (*Handler).activateTOTP},
	{http.MethodGet, "/users/{user_id}/totp", authRequired, noBody, (*Handler).getTOTP},
	{http.MethodDelete, "/users/{user_id}/totp", authRequired, jsonBody, (*Handler).deleteTOTP},
	{http.MethodPost, "/users/{user_id}/verify-2fa/totp", authRequired, jsonBody, (*Handler).verifyTOTP},
	{http.MethodGet, "/users/{user_id}/recovery-codes", authRequired, noBody, (*Handler).countRecoveryCodes},
	{http.MethodPost, "/users/{user_id}/recovery-codes", authRequired, jsonBody, (*Handler).regenerateRecoveryCodes},
	{http.MethodPost, "/users/{user_id}/reset-2fa", authRequired, jsonBody, (*Handler).reset2FA},
	// password reset
	{http.MethodPost, "/password-reset", authOptional, jsonBody, (*Handler).startPasswordReset},
	{http.MethodGet, "/password-reset/{request_id}", authNone, noBody, (*Handler).getPasswordReset},
	{http.MethodDelete, "/password-reset/{request_id}", authNone, noBody, (*Handler).deletePasswordReset},
	{http.MethodPost, "/password-reset/{request_id}/verify-email", authNone, jsonBody, (*Handler).verifyPasswordResetEmail},
	{http.MethodPost, "/password-reset/{request_id}/verify-2fa/totp", authNone, jsonBody, (*Handler).verifyPasswordResetTOTP},
	{http.MethodPost, "/password-reset/{request_id}/reset-2fa", authNone, jsonBody, (*Handler).resetPasswordReset2FA},
	{http.MethodPost, "/reset-password", authNone, jsonBody, (*Handler).resetPassword},
	// API tokens
	{http.MethodPost, "/users/{user_id}/api-tokens", authRequired, jsonBody, (*Handler).createAPIToken},
	{http.MethodGet, "/users/{user_id}/api-tokens", authRequired, noBody, (*Handler).listAPITokens},
	{http.MethodDelete, "/users/{user_id}/api-tokens/{token_id}", authRequired, noBody, (*Handler).revokeAPIToken},
	// administration
	{http.MethodPost, "/admin/signing-keys/rotate", authRequired, noBody, (*Handler).rotateSigningKey},
	{http.MethodPost, "/admin/signing-keys/reset", authRequired, noBody, (*Handler).resetSigningKeys},
	{http.MethodGet, "/admin/defender/hosts", authRequired, noBody, (*Handler).listDefenderHosts},
	{http.MethodDelete, "/admin/defender/hosts/{ip}", authRequired, noBody, (*Handler).unbanDefenderHost},
	{http.MethodGet, "/admin/dump", authRequired, noBody, (*Handler).dump},
	{http.MethodPost, "/admin/restore", authRequired, jsonBody, (*Handler).restore},
	// public
	{http.MethodGet, "/openapi.yaml", authNone, noBody, (*Handler).getOpenAPI},
	{http.MethodGet, "/docs", authNone, noBody, (*Handler).getDocs},
	{http.MethodGet, "/docs/{file}", authNone, noBody, (*Handler).getDocsFile},
	{http.MethodGet, "/.well-known/jwks.json", authNone, noBody, (*Handler).getJWKS},
	{http.MethodGet, "/healthz", authNone, noBody, (*Handler).healthz},
	{http.MethodGet, "/readyz", authNone, noBody, (*Handler).readyz},
}
