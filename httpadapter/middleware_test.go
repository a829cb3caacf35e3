package httpadapter_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
)

// whoami is a host handler that reports the principal Require stored.
func whoami(calls *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		p, ok := httpadapter.PrincipalFrom(r.Context())
		if !ok {
			http.Error(w, "no principal", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%s %s %s", p.Username, p.Kind, strings.Join(p.Permissions, ","))
	})
}

func TestRequire(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			testRequire(t, b)
		})
	}
}

func testRequire(t *testing.T, b backend) {
	e := newEnv(t, newCoverage(), envConfig{backend: b, prefix: prefix, adapter: httpadapter.Config{TrustedProxies: []string{"127.0.0.1"}, ClientIPHeader: "X-Client-IP"}})
	var calls atomic.Int64
	e.mux.Handle("GET /reports", e.h.Require("view_reports")(whoami(&calls)))
	e.mux.Handle("GET /both", e.h.Require("view_reports", "edit_reports")(whoami(&calls)))
	e.mux.Handle("GET /any", e.h.Require()(whoami(&calls)))

	uid := e.createUser("uma", "", "uma-password", "view_reports")
	jwt := e.login("uma", "uma-password")
	r := e.do(call{method: "POST", path: "/users/" + uid + "/api-tokens", token: jwt, body: map[string]any{"name": "ci"}})
	expect(t, r, 201)
	apiTok, apiID := r.str(t, "token"), r.str(t, "id")
	r = e.do(call{method: "POST", path: "/users/" + uid + "/api-tokens", token: jwt, body: map[string]any{"name": "none", "permissions": []string{}}})
	expect(t, r, 201)
	powerless := r.str(t, "token")
	e.createUser("vic", "", "vic-password")
	vic := e.login("vic", "vic-password")

	host := func(path, authz string, hdr ...string) *response {
		h := http.Header{}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Set(hdr[i], hdr[i+1])
		}
		return e.doWith(http.DefaultClient, e.srv.URL+path, call{method: "GET", token: authz, header: h})
	}
	refused := func(t *testing.T, r *response, status int, code string) {
		t.Helper()
		expect(t, r, status, code)
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		if status == 401 {
			assert.Equal(t, "Bearer", r.header.Get("WWW-Authenticate"))
		}
	}

	tests := []struct {
		name   string
		path   string
		authz  string
		hdr    []string
		status int
		body   string // for 200: the handler's output; else the error code
	}{
		{"bearer JWT", "/reports", "Bearer " + jwt, nil, 200, "uma access_token view_reports"},
		{"bearer API token", "/reports", "Bearer " + apiTok, nil, 200, "uma api_token view_reports"},
		{"JWT scheme", "/reports", "JWT " + jwt, nil, 200, "uma access_token view_reports"},
		{"APIToken scheme", "/reports", "APIToken " + apiTok, nil, 200, "uma api_token view_reports"},
		{"scheme in other case", "/reports", "BEARER " + jwt, nil, 200, "uma access_token view_reports"},
		{"admin holds *", "/both", "Bearer " + e.adminToken, nil, 200, "admin access_token *"},
		{"no permission needed", "/any", "Bearer " + vic, nil, 200, "vic access_token "},

		{"no header", "/reports", "", nil, 401, "UNAUTHORIZED"},
		{"empty bearer", "/reports", "Bearer ", nil, 401, "UNAUTHORIZED"},
		{"garbage", "/reports", "Bearer garbage", nil, 401, "UNAUTHORIZED"},
		{"basic", "/reports", basic("uma", "uma-password"), nil, 401, "UNAUTHORIZED"},
		{"JWT scheme with an API token", "/reports", "JWT " + apiTok, nil, 401, "UNAUTHORIZED"},
		{"APIToken scheme with a JWT", "/reports", "APIToken " + jwt, nil, 401, "UNAUTHORIZED"},
		{"tampered JWT", "/reports", "Bearer " + jwt[:len(jwt)-2] + "AA", nil, 401, "UNAUTHORIZED"},
		{"oversized credential", "/reports", "Bearer " + strings.Repeat("a", 9000), nil, 401, "UNAUTHORIZED"},
		{"missing permission", "/reports", "Bearer " + vic, nil, 403, "FORBIDDEN"},
		{"one of two permissions", "/both", "Bearer " + jwt, nil, 403, "FORBIDDEN"},
		{"narrowed API token", "/reports", "Bearer " + powerless, nil, 403, "FORBIDDEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			r := host(tc.path, tc.authz, tc.hdr...)
			if tc.status == 200 {
				expect(t, r, 200)
				assert.Equal(t, tc.body, string(r.body))
				assert.Equal(t, before+1, calls.Load())
				return
			}
			refused(t, r, tc.status, tc.body)
			assert.Equal(t, before, calls.Load(), "the host handler must not run")
		})
	}

	t.Run("two authorization headers", func(t *testing.T) {
		req, err := http.NewRequest("GET", e.srv.URL+"/reports", nil)
		require.NoError(t, err)
		req.Header.Add("Authorization", "Bearer "+jwt)
		req.Header.Add("Authorization", "Bearer "+apiTok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 401, resp.StatusCode)
	})

	// Revocation and account state, in order.
	expect(t, e.do(call{method: "DELETE", path: "/users/" + uid + "/api-tokens/" + apiID, token: jwt}), 204)
	refused(t, host("/reports", "Bearer "+apiTok), 401, "UNAUTHORIZED")

	expect(t, e.do(call{method: "PATCH", path: "/users/" + uid, token: e.adminToken, body: map[string]any{"allowed_ips": []string{"10.0.0.0/8"}}}), 200)
	refused(t, host("/reports", "Bearer "+jwt), 403, "IP_NOT_ALLOWED")
	refused(t, host("/reports", "Bearer "+jwt, "X-Client-IP", "10.0.0.9"), 401, "UNAUTHORIZED") // narrowing ended it
	signIn := func() string {
		r := e.do(call{method: "POST", path: "/login/password", body: loginBody("uma", "uma-password"), header: http.Header{"X-Client-Ip": {"10.0.0.9"}}})
		expect(t, r, 200)
		return r.str(t, "access_token")
	}
	jwt = signIn()
	expect(t, host("/reports", "Bearer "+jwt, "X-Client-IP", "10.0.0.9"), 200)

	expect(t, e.do(call{method: "PATCH", path: "/users/" + uid, token: e.adminToken, body: map[string]any{"permissions": []string{}}}), 200)
	refused(t, host("/reports", "Bearer "+jwt, "X-Client-IP", "10.0.0.9"), 401, "UNAUTHORIZED") // a reduction ended it
	jwt = signIn()
	refused(t, host("/reports", "Bearer "+jwt, "X-Client-IP", "10.0.0.9"), 403, "FORBIDDEN")

	expect(t, e.do(call{method: "POST", path: "/logout", token: vic}), 204)
	refused(t, host("/any", "Bearer "+vic), 401, "UNAUTHORIZED")

	expect(t, e.do(call{method: "PATCH", path: "/users/" + uid, token: e.adminToken, body: map[string]any{"disabled": true}}), 200)
	refused(t, host("/any", "Bearer "+jwt, "X-Client-IP", "10.0.0.9"), 403, "ACCOUNT_DISABLED")
	refused(t, host("/any", "Bearer "+powerless, "X-Client-IP", "10.0.0.9"), 403, "ACCOUNT_DISABLED")

	// Enabled again: API tokens work, earlier access tokens stay dead.
	expect(t, e.do(call{method: "PATCH", path: "/users/" + uid, token: e.adminToken, body: map[string]any{"disabled": false}}), 200)
	expect(t, host("/any", "Bearer "+powerless, "X-Client-IP", "10.0.0.9"), 200)
	refused(t, host("/any", "Bearer "+jwt, "X-Client-IP", "10.0.0.9"), 401, "UNAUTHORIZED")
}

func TestPrincipalFrom(t *testing.T) {
	t.Parallel()
	p, ok := httpadapter.PrincipalFrom(context.Background())
	assert.False(t, ok)
	assert.Nil(t, p)
	type otherKey struct{ name string }
	ctx := context.WithValue(context.Background(), &otherKey{"principal"}, &auth.Principal{UserID: "x"})
	_, ok = httpadapter.PrincipalFrom(ctx)
	assert.False(t, ok, "only Require's key counts")
}
