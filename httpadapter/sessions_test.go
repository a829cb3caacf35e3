package httpadapter_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
)

// signInFull signs in and returns the whole token response.
func (e *env) signInFull(username, password string) map[string]any {
	e.t.Helper()
	r := e.do(call{method: "POST", path: "/login/password", body: map[string]string{"identifier": username, "password": password}})
	expect(e.t, r, 200)
	return r.json(e.t)
}

func testSessions(t *testing.T, cov *coverage, b backend) {
	e := defaultEnv(t, cov, b)
	mk := e.do(call{method: "POST", path: "/users", token: e.adminToken, body: map[string]any{
		"username": "sam", "email": "sam@example.com", "password": "sam's passphrase",
	}})
	expect(t, mk, 201)
	sam := mk.str(t, "id")

	first := e.signInFull("sam", "sam's passphrase")
	sid := first["session_id"].(string)
	access := first["access_token"].(string)
	refresh := first["refresh_token"].(string)
	require.Regexp(t, `^lr_[0-9A-Za-z]{49}$`, refresh)

	// Three rotations, each with a new refresh token.
	tokens := []string{refresh}
	for range 3 {
		e.clock.Advance(time.Minute)
		r := e.do(call{method: "POST", path: "/token/refresh", body: map[string]string{"refresh_token": tokens[len(tokens)-1]}})
		expect(t, r, 200)
		m := r.json(t)
		assert.Equal(t, sid, m["session_id"])
		tokens = append(tokens, m["refresh_token"].(string))
		access = m["access_token"].(string)
	}
	expect(t, e.do(call{method: "GET", path: "/me", token: access}), 200)

	// The session list marks the caller's own.
	r := e.do(call{method: "GET", path: "/users/" + sam + "/sessions", token: access})
	expect(t, r, 200)
	assert.Contains(t, string(r.body), `"current":true`)

	// Replaying the first refresh token ends the session: every token dies.
	e.clock.Advance(time.Minute)
	expect(t, e.do(call{method: "POST", path: "/token/refresh", body: map[string]string{"refresh_token": tokens[0]}}), 401, "UNAUTHORIZED")
	expect(t, e.do(call{method: "GET", path: "/me", token: access}), 401, "UNAUTHORIZED")
	expect(t, e.do(call{method: "POST", path: "/token/refresh", body: map[string]string{"refresh_token": tokens[3]}}), 401, "UNAUTHORIZED")

	// Logout ends the refresh token too.
	s2 := e.signInFull("sam", "sam's passphrase")
	expect(t, e.do(call{method: "POST", path: "/logout", token: s2["access_token"].(string)}), 204)
	expect(t, e.do(call{method: "POST", path: "/token/refresh", body: map[string]string{"refresh_token": s2["refresh_token"].(string)}}), 401, "UNAUTHORIZED")

	// Revoking one session; a stranger cannot.
	s3 := e.signInFull("sam", "sam's passphrase")
	s4 := e.signInFull("sam", "sam's passphrase")
	expect(t, e.do(call{method: "POST", path: "/users", token: e.adminToken, body: map[string]any{
		"username": "tom", "email": "tom@example.com", "password": "tom's passphrase",
	}}), 201)
	tom := e.login("tom", "tom's passphrase")
	expect(t, e.do(call{method: "DELETE", path: "/users/" + sam + "/sessions/" + s3["session_id"].(string), token: tom}), 403, "FORBIDDEN")
	expect(t, e.do(call{method: "GET", path: "/users/" + sam + "/sessions", token: tom}), 403, "FORBIDDEN")
	expect(t, e.do(call{method: "DELETE", path: "/users/" + sam + "/sessions/nope", token: s4["access_token"].(string)}), 404, "NOT_FOUND")
	expect(t, e.do(call{method: "DELETE", path: "/users/" + sam + "/sessions/" + s3["session_id"].(string), token: s4["access_token"].(string)}), 204)
	expect(t, e.do(call{method: "GET", path: "/me", token: s3["access_token"].(string)}), 401, "UNAUTHORIZED")
	expect(t, e.do(call{method: "GET", path: "/me", token: s4["access_token"].(string)}), 200)

	// A password change ends every session.
	s5 := e.signInFull("sam", "sam's passphrase")
	expect(t, e.do(call{method: "POST", path: "/users/" + sam + "/password", token: s5["access_token"].(string), body: map[string]string{
		"password": "sam's passphrase", "new_password": "sam's new passphrase",
	}}), 204)
	for _, s := range []map[string]any{s4, s5} {
		expect(t, e.do(call{method: "GET", path: "/me", token: s["access_token"].(string)}), 401, "UNAUTHORIZED")
		expect(t, e.do(call{method: "POST", path: "/token/refresh", body: map[string]string{"refresh_token": s["refresh_token"].(string)}}), 401, "UNAUTHORIZED")
	}

	// Log out everywhere.
	s6 := e.signInFull("sam", "sam's new passphrase")
	s7 := e.signInFull("sam", "sam's new passphrase")
	expect(t, e.do(call{method: "DELETE", path: "/users/" + sam + "/sessions", token: s6["access_token"].(string)}), 204)
	expect(t, e.do(call{method: "GET", path: "/me", token: s7["access_token"].(string)}), 401, "UNAUTHORIZED")
	expect(t, e.do(call{method: "POST", path: "/logout"}), 401, "UNAUTHORIZED")
	expect(t, e.do(call{method: "POST", path: "/token/refresh", body: map[string]string{}}), 401, "UNAUTHORIZED")
}

// cookieEnv is an environment in cookie mode.
func cookieEnv(t *testing.T, cov *coverage, b backend) *env {
	return newEnv(t, cov, envConfig{backend: b, prefix: prefix, adapter: httpadapter.Config{
		RefreshCookie: true, AllowedOrigins: []string{"https://app.example.com"},
	}})
}

func refreshCookieOf(t *testing.T, r *response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == httpadapter.RefreshCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", httpadapter.RefreshCookie, r.header)
	return nil
}

func testCookieMode(t *testing.T, cov *coverage, b backend) {
	e := cookieEnv(t, cov, b)
	r := e.do(call{method: "POST", path: "/login/password", body: map[string]string{"identifier": "admin", "password": adminPassword}})
	expect(t, r, 200)
	assert.NotContains(t, r.json(t), "refresh_token", "cookie mode keeps the refresh token out of the body")
	c := refreshCookieOf(t, r)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure)
	assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain)
	assert.Regexp(t, `^lr_`, c.Value)

	cookie := func(v string) http.Header {
		return http.Header{"Cookie": {httpadapter.RefreshCookie + "=" + v}}
	}
	with := func(h http.Header, kv ...string) http.Header {
		h = h.Clone()
		for i := 0; i < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	// Requests the cookie authenticates, from elsewhere: refused, and the
	// cookie's token is not spent. Same-site-but-cross-origin is what
	// SameSite=Strict lets through; the server's own check stops it.
	refused := []struct {
		name   string
		header http.Header
	}{
		{"no origin information at all", cookie(c.Value)},
		{"cross-site fetch", with(cookie(c.Value), "Sec-Fetch-Site", "cross-site")},
		{"same-site sibling origin", with(cookie(c.Value), "Sec-Fetch-Site", "same-site", "Origin", "https://evil.example.com")},
		{"user typed it", with(cookie(c.Value), "Sec-Fetch-Site", "none")},
		{"foreign Origin without Sec-Fetch-Site", with(cookie(c.Value), "Origin", "https://evil.example")},
		{"null Origin", with(cookie(c.Value), "Origin", "null")},
		{"two Sec-Fetch-Site values", with(cookie(c.Value), "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Site", "cross-site")},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, e.do(call{method: "POST", path: "/token/refresh", header: tc.header}), 403, "FORBIDDEN")
			expect(t, e.do(call{method: "POST", path: "/logout", header: tc.header}), 403, "FORBIDDEN")
		})
	}
	// From the host's own pages the refresh works and sets the next cookie.
	accepted := []struct {
		name   string
		header func(v string) http.Header
	}{
		{"same-origin fetch", func(v string) http.Header { return with(cookie(v), "Sec-Fetch-Site", "same-origin") }},
		{"own Origin", func(v string) http.Header {
			return with(cookie(v), "Origin", strings.TrimSuffix(e.srv.URL, "/"))
		}},
		{"allowed Origin", func(v string) http.Header { return with(cookie(v), "Origin", "https://app.example.com") }},
		{"custom header", func(v string) http.Header { return with(cookie(v), httpadapter.CSRFHeader, "1") }},
	}
	cur := c.Value
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(call{method: "POST", path: "/token/refresh", header: tc.header(cur)})
			expect(t, r, 200)
			assert.NotContains(t, r.json(t), "refresh_token")
			next := refreshCookieOf(t, r)
			assert.NotEqual(t, cur, next.Value)
			cur = next.Value
		})
	}
	// Logout by cookie ends the session and clears the cookie.
	r = e.do(call{method: "POST", path: "/logout", header: with(cookie(cur), "Sec-Fetch-Site", "same-origin")})
	expect(t, r, 204)
	assert.Equal(t, -1, refreshCookieOf(t, r).MaxAge)
	expect(t, e.do(call{method: "POST", path: "/token/refresh", header: with(cookie(cur), "Sec-Fetch-Site", "same-origin")}), 401, "UNAUTHORIZED")
}

func TestCookieModeConfig(t *testing.T) {
	t.Parallel()
	svc, err := auth.New(t.Context(), memBackend().open(t), auth.Config{SealingKey: make([]byte, 32)})
	require.NoError(t, err)
	tests := []struct {
		name string
		cfg  httpadapter.Config
	}{
		{"with client certificates", httpadapter.Config{RefreshCookie: true, ClientCertLogin: true}},
		{"origin with a path", httpadapter.Config{RefreshCookie: true, AllowedOrigins: []string{"https://a.example/x"}}},
		{"origin without scheme", httpadapter.Config{RefreshCookie: true, AllowedOrigins: []string{"a.example"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := httpadapter.New(svc, tc.cfg)
			require.ErrorIs(t, err, httpadapter.ErrInvalidConfig)
		})
	}
}
