package httpadapter_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/httpadapter"
)

// TestAccountSecurityOverHTTP plays the account-security rules end to end
// as an attacker would, one subtest per rule.
func TestAccountSecurityOverHTTP(t *testing.T) {
	t.Parallel()
	from := func(ip string) http.Header { return http.Header{"X-Forwarded-For": {ip}} }

	t.Run("point 1: a helpdesk user gets no reset code for root", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, newCoverage(), envConfig{prefix: prefix})
		e.createUser("helpdesk", "helpdesk@example.com", "helpdesk-password", auth.PermEditUsers)
		tok := e.login("helpdesk", "helpdesk-password")
		r := e.do(call{method: "POST", path: "/password-reset", token: tok, body: map[string]any{"email": "admin@example.com"}})
		expect(t, r, 202)
		assert.NotContains(t, r.json(t), "code", "answered as an anonymous caller is")
		assert.NotEmpty(t, e.mail.take(t, "admin@example.com"), "the owner is told")
	})

	t.Run("point 2: manage_system cannot dump or restore", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, newCoverage(), envConfig{prefix: prefix})
		e.createUser("ops", "", "ops-password", auth.PermManageSystem)
		tok := e.login("ops", "ops-password")
		expect(t, e.do(call{method: "GET", path: "/admin/dump", token: tok}), 403, "FORBIDDEN")
		r := e.do(call{method: "GET", path: "/admin/dump", token: e.adminToken})
		expect(t, r, 200)
		expect(t, e.do(call{method: "POST", path: "/admin/restore", token: tok, body: r.body}), 403, "FORBIDDEN")
	})

	t.Run("point 3: guesses from three networks do not lock the owner out", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, newCoverage(), envConfig{prefix: prefix,
			auth:    func(c *auth.Config) { c.Limits = auth.Limits{Defender: auth.DefenderConfig{Disabled: true}} },
			adapter: httpadapter.Config{TrustedProxies: []string{"127.0.0.1"}}})
		e.createUser("owner", "owner@example.com", "owner-password")
		for i := range 12 {
			r := e.do(call{method: "POST", path: "/login/password", body: loginBody("owner", "guess"), header: from(fmt.Sprintf("198.51.100.%d", 1+i%3))})
			expect(t, r, 401, "INVALID_CREDENTIALS")
		}
		expect(t, e.do(call{method: "POST", path: "/login/password", body: loginBody("owner", "owner-password"), header: from("192.0.2.10")}), 200)
		for range 6 { // four came from this network already: ten in all
			expect(t, e.do(call{method: "POST", path: "/login/password", body: loginBody("owner", "guess"), header: from("198.51.100.1")}), 401, "INVALID_CREDENTIALS")
		}
		expect(t, e.do(call{method: "POST", path: "/login/password", body: loginBody("owner", "owner-password"), header: from("198.51.100.1")}), 429, "TOO_MANY_REQUESTS")
		expect(t, e.do(call{method: "POST", path: "/login/password", body: loginBody("owner@example.com", "owner-password"), header: from("198.51.100.1")}), 200)
	})

	t.Run("point 6: a reset evicts the intruder", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, newCoverage(), envConfig{prefix: prefix})
		uid := e.createUser("vera", "vera@example.com", "vera-password")
		session := e.login("vera", "vera-password")
		r := e.do(call{method: "POST", path: "/users/" + uid + "/api-tokens", token: session, body: map[string]any{"name": "intruder"}})
		expect(t, r, 201)
		apiTok := r.str(t, "token")
		r = e.do(call{method: "POST", path: "/password-reset", body: map[string]any{"email": "vera@example.com"}})
		expect(t, r, 202)
		id := r.str(t, "id")
		expect(t, e.do(call{method: "POST", path: "/password-reset/" + id + "/verify-email", body: map[string]any{"code": e.mail.take(t, "vera@example.com")}}), 204)
		expect(t, e.do(call{method: "POST", path: "/reset-password", body: map[string]any{"request_id": id, "password": "vera-new-password"}}), 204)
		expect(t, e.do(call{method: "GET", path: "/me", token: session}), 401, "UNAUTHORIZED")
		expect(t, e.do(call{method: "GET", path: "/me", token: apiTok}), 401, "UNAUTHORIZED")
	})

	t.Run("point 8: the empty password", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, newCoverage(), envConfig{prefix: prefix})
		empty, err := hash.Hash("")
		require.NoError(t, err)
		expect(t, e.do(call{method: "POST", path: "/users", token: e.adminToken, body: map[string]any{"username": "hollow", "password_hash": empty}}), 400, "INVALID_PASSWORD_HASH")
		expect(t, e.do(call{method: "POST", path: "/login/password", body: loginBody("admin", "")}), 401, "INVALID_CREDENTIALS")
	})

	t.Run("point 10: registered and unknown addresses get the same answers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, newCoverage(), envConfig{prefix: prefix,
			auth:    func(c *auth.Config) { c.Limits = auth.Limits{Defender: auth.DefenderConfig{Disabled: true}} },
			adapter: httpadapter.Config{TrustedProxies: []string{"127.0.0.1"}}})
		uid := e.createUser("ada", "ada@example.com", "ada-password")
		expect(t, e.do(call{method: "POST", path: "/users/" + uid + "/email-verification", token: e.login("ada", "ada-password")}), 201)
		statuses := func(email string) []int {
			var out []int
			for i := range 7 {
				r := e.do(call{method: "POST", path: "/password-reset", body: map[string]any{"email": email}, header: from(fmt.Sprintf("203.0.113.%d", i+1))})
				out = append(out, r.status)
			}
			return out
		}
		assert.Equal(t, statuses("nobody@example.com"), statuses("ada@example.com"))
	})
}
