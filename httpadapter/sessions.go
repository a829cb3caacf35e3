package httpadapter

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/latchkit/latch/auth"
)

// RefreshCookie is the name of the cookie that carries the refresh token in
// cookie mode (Config.RefreshCookie). The __Host- prefix makes browsers
// accept it only with Secure, Path=/ and no Domain, so no other host (a
// sibling subdomain included) can set or overwrite it.
const RefreshCookie = "__Host-latch-refresh"

// CSRFHeader is the request header that marks a cookie-mode request as made
// by a script of the host's own pages when the browser sends neither
// Sec-Fetch-Site nor Origin: a cross-site page cannot send a custom header
// without a CORS preflight, which the Handler never grants.
const CSRFHeader = "X-Latch-CSRF"

var (
	errCrossSite      = fmt.Errorf("%w: cross-site request refused", auth.ErrForbidden)
	errNoRefreshToken = fmt.Errorf("%w: no refresh token", auth.ErrUnauthorized)
)

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// refresh answers POST /token/refresh.
func (h *Handler) refresh(x *call, in *refreshRequest) (any, error) {
	tok := in.RefreshToken
	if h.cookieMode && tok == "" {
		if err := h.checkSameOrigin(x.r); err != nil {
			return nil, err
		}
		if c, err := x.r.Cookie(RefreshCookie); err == nil {
			tok = c.Value
		}
	}
	if tok == "" {
		return nil, errNoRefreshToken
	}
	res, err := h.svc.Refresh(x.ctx(), x.c, tok)
	if err != nil {
		if h.cookieMode && errors.Is(err, auth.ErrUnauthorized) {
			h.clearRefreshCookie(x.w)
		}
		return nil, err
	}
	h.keepRefreshToken(x.w, res)
	return res, nil
}

// logout answers POST /logout: the caller's session, or in cookie mode
// the session of the refresh-token cookie.
func (h *Handler) logout(x *call, _ *none) (any, error) {
	if x.p != nil {
		err := h.svc.Logout(x.ctx(), x.p)
		if err == nil && h.cookieMode {
			h.clearRefreshCookie(x.w)
		}
		return nil, err
	}
	if !h.cookieMode {
		return nil, errNoCredentials
	}
	if err := h.checkSameOrigin(x.r); err != nil {
		return nil, err
	}
	c, err := x.r.Cookie(RefreshCookie)
	if err != nil || c.Value == "" {
		return nil, errNoCredentials
	}
	h.clearRefreshCookie(x.w)
	return nil, h.svc.LogoutRefreshToken(x.ctx(), x.c, c.Value)
}

// keepRefreshToken moves the refresh token of res into the cookie in
// cookie mode, so that no script of the page can read it.
func (h *Handler) keepRefreshToken(w http.ResponseWriter, res *auth.TokenResponse) {
	if !h.cookieMode || res == nil || res.RefreshToken == "" {
		return
	}
	c := &http.Cookie{
		Name:     RefreshCookie,
		Value:    res.RefreshToken,
		Path:     "/",
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
	if res.RefreshExpiresAt != nil {
		c.Expires = *res.RefreshExpiresAt
		c.MaxAge = max(1, int(time.Until(*res.RefreshExpiresAt).Seconds()))
	}
	http.SetCookie(w, c)
	res.RefreshToken = ""
}

func (h *Handler) clearRefreshCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: RefreshCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// checkSameOrigin refuses a request that a cookie authenticates unless it
// comes from the host's own pages (OWASP's cross-site request forgery
// rules, checked whatever SameSite did): Sec-Fetch-Site says
// same-origin; or, from a browser that does not send it, Origin is this
// host or one of Config.AllowedOrigins; or, without either header, the
// request carries CSRFHeader.
func (h *Handler) checkSameOrigin(r *http.Request) error {
	if site := r.Header.Values("Sec-Fetch-Site"); len(site) > 0 {
		if len(site) == 1 && site[0] == "same-origin" {
			return nil
		}
		return errCrossSite
	}
	if origin := r.Header.Values("Origin"); len(origin) > 0 {
		if len(origin) == 1 && h.originAllowed(r, origin[0]) {
			return nil
		}
		return errCrossSite
	}
	if r.Header.Get(CSRFHeader) != "" {
		return nil
	}
	return errCrossSite
}

// originAllowed reports whether origin (an Origin header) is r's own host
// or listed in Config.AllowedOrigins.
func (h *Handler) originAllowed(r *http.Request, origin string) bool {
	if slices.Contains(h.origins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Path != "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// loginOut is the response of a sign-in step (see loginResponse), with
// the refresh token moved into the cookie in cookie mode.
func (h *Handler) loginOut(x *call, res *auth.LoginResult, err error) (any, error) {
	if err == nil && res.Token != nil {
		h.keepRefreshToken(x.w, res.Token)
	}
	return loginResponse(res, err)
}
