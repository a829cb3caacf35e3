package httpadapter

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/latchkit/latch/auth"
)

// maxCredentialLen bounds the credential of an Authorization header; longer
// ones are refused before any parsing.
const maxCredentialLen = 8 << 10

// contextKey is the type of the adapter's context keys; a pointer to an
// unexported type cannot collide with anyone else's key.
type contextKey struct{ name string }

var principalKey = &contextKey{"principal"}

// PrincipalFrom returns the caller that [Handler.Require] authenticated for
// this request's context, and false when there is none.
func PrincipalFrom(ctx context.Context) (*auth.Principal, bool) {
	p, ok := ctx.Value(principalKey).(*auth.Principal)
	return p, ok && p != nil
}

// Require returns middleware that lets a request through only with a valid
// credential holding every permission in perms (none: any authenticated
// caller), and puts the caller in the request context for [PrincipalFrom].
//
// Accepted credentials: "Authorization: Bearer <access token or API
// token>" (API tokens are recognised by their prefix), and SecObserve's
// "JWT <access token>" and "APIToken <API token>"; scheme names are
// case-insensitive. With Config.ClientCertLogin, a request without an
// Authorization header may instead present a verified TLS client
// certificate naming the user (auth.Service.AuthenticateCertificate).
// The checks are those of auth.Service.Authenticate:
// signature, expiry, revocation (logout, password change, signing-key
// reset, revoked or expired API tokens), disabled users and the user's
// allowed IPs against the client IP (see Config.TrustedProxies).
//
// Refusals are JSON, as on the API routes: a missing, malformed, expired,
// revoked or wrongly signed credential is 401 UNAUTHORIZED with
// "WWW-Authenticate: Bearer"; a missing permission is 403 FORBIDDEN; a
// disabled user is 403 ACCOUNT_DISABLED; a client IP outside the user's
// allowed IPs is 403 IP_NOT_ALLOWED; a rate limit is 429 with Retry-After.
func (h *Handler) Require(perms ...string) func(http.Handler) http.Handler {
	perms = slices.Clone(perms)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := h.authenticateWithin(r)
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			notePrincipal(r, p)
			for _, perm := range perms {
				if !p.Can(perm) {
					h.writeError(w, r, errPermission)
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
		})
	}
}

// authenticateWithin authenticates r under a budget of its own
// (Config.RequestTimeout), which the host's handler that follows Require
// is not bound by.
func (h *Handler) authenticateWithin(r *http.Request) (*auth.Principal, error) {
	ctx := r.Context()
	if h.budget > 0 {
		bc := newBudgetContext(ctx, h.budget)
		defer bc.stop()
		ctx = bc
	}
	return h.authenticate(ctx, r, auth.Client{IP: h.clientIP(r)})
}

// authenticate checks the request's Authorization header (or its client
// certificate) under ctx.
func (h *Handler) authenticate(ctx context.Context, r *http.Request, c auth.Client) (*auth.Principal, error) {
	values := r.Header["Authorization"]
	if name, ok := h.certificateUser(r); ok && len(values) == 0 {
		return h.svc.AuthenticateCertificate(ctx, c, name)
	}
	if len(values) != 1 {
		return nil, errNoCredentials
	}
	scheme, cred, ok := strings.Cut(values[0], " ")
	cred = strings.TrimLeft(cred, " ")
	if !ok || cred == "" || len(cred) > maxCredentialLen || strings.IndexByte(cred, ' ') >= 0 || strings.IndexByte(cred, '\t') >= 0 {
		return nil, errNoCredentials
	}
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return h.svc.Authenticate(ctx, c, cred)
	case strings.EqualFold(scheme, "JWT"):
		return h.svc.AuthenticateAccessToken(ctx, c, cred)
	case strings.EqualFold(scheme, "APIToken"):
		return h.svc.AuthenticateAPIToken(ctx, c, cred)
	}
	return nil, errNoCredentials
}
