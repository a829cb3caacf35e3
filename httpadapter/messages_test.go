package httpadapter_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
)

// errorOf decodes an error response's code and message.
func errorOf(t *testing.T, r *response) (code, message string) {
	t.Helper()
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(r.body, &body), "%s", r.body)
	return body.Error, body.Message
}

// testErrorMessages: a 400 caused by the request's shape says what to fix;
// authentication and permission failures, 404s and the rest say nothing
// but their code.
func testErrorMessages(t *testing.T, cov *coverage, b backend) {
	e := defaultEnv(t, cov, b)
	uid := e.createUser("mia", "", "mia-password")
	mia := e.login("mia", "mia-password")
	noType := http.Header{"Content-Type": nil}
	const policy = "a password must be 8 to 128 characters (Unicode code points) of valid UTF-8, without NUL, and not a commonly used password, the username, the email address, the service name or a repeated or sequential string"

	tests := []struct {
		name   string
		c      call
		status int
		code   string
		msg    string // "" means the body must be exactly {"error":CODE}
	}{
		{"unknown field", call{method: "POST", path: "/login/password", body: `{"identifier":"mia","pasword":"x"}`},
			400, "INVALID_REQUEST", `request body: unknown field "pasword"`},
		{"missing field", call{method: "POST", path: "/login/password", body: `{"identifier":"mia"}`},
			400, "INVALID_REQUEST", `request body: missing field "password"`},
		{"null", call{method: "POST", path: "/login/password", body: `{"identifier":"mia","password":null}`},
			400, "INVALID_REQUEST", `request body: field "password": null is not accepted; omit the field`},
		{"wrong type", call{method: "PATCH", path: "/users/" + uid, token: e.adminToken, body: `{"permissions":"*"}`},
			400, "INVALID_REQUEST", `request body: field "permissions": want an array, got string`},
		{"broken JSON", call{method: "POST", path: "/login/password", body: `{"identifier":"mia",}`},
			400, "INVALID_REQUEST", `~^request body: malformed JSON near byte (19|20|21): invalid character '[,}]' `}, // the decoder's words and offset vary by Go release
		{"cut short", call{method: "POST", path: "/login/password", body: `{"identifier":`},
			400, "INVALID_REQUEST", `request body: malformed JSON: unexpected end at byte 14`},
		{"trailing data", call{method: "POST", path: "/login/password", body: `{"identifier":"a","password":"b"}x`},
			400, "INVALID_REQUEST", `request body: trailing data after the JSON value, which ends at byte 33`},
		{"no content type", call{method: "POST", path: "/login/password", body: `{}`, header: noType},
			400, "INVALID_REQUEST", `a request body must be JSON, sent with the header Content-Type: application/json; the request has no Content-Type`},
		{"form content type", call{method: "POST", path: "/login/password", body: `identifier=mia`, header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
			400, "INVALID_REQUEST", `a request body must be JSON, sent with the header Content-Type: application/json; the request has Content-Type: "application/x-www-form-urlencoded"`},
		{"two content types", call{method: "POST", path: "/login/password", body: `{}`, header: http.Header{"Content-Type": {"application/json", "application/json"}}},
			400, "INVALID_REQUEST", `a request body must be JSON, sent with the header Content-Type: application/json; the request has 2 Content-Type headers`},
		{"charset", call{method: "POST", path: "/login/password", body: `{}`, header: http.Header{"Content-Type": {"application/json; charset=latin1"}}},
			400, "INVALID_REQUEST", `a JSON request body must be UTF-8: Content-Type: application/json takes no charset but utf-8`},
		{"missing body", call{method: "POST", path: "/login/password"},
			400, "INVALID_REQUEST", `this operation needs a JSON request body`},
		{"body where none is taken", call{method: "POST", path: "/logout", token: mia, body: `{"all":true}`},
			400, "INVALID_REQUEST", `this operation takes no request body: send none, or {}`},
		{"bad limit", call{method: "GET", path: "/users?limit=0", token: e.adminToken},
			400, "INVALID_REQUEST", `limit must be an integer from 1 to 1000`},
		{"too large", call{method: "POST", path: "/login/password", body: `{"identifier":"` + strings.Repeat("a", httpadapter.MaxBodyBytes) + `"}`},
			413, "REQUEST_TOO_LARGE", `the request body is over this operation's limit of 65536 bytes`},
		{"password policy on sign-up", call{method: "POST", path: "/users", token: e.adminToken, body: map[string]any{"username": "short", "password": "1234567"}},
			400, "INVALID_PASSWORD", policy},
		{"password policy on change", call{method: "POST", path: "/users/" + uid + "/password", token: mia, body: map[string]any{"password": "mia-password", "new_password": strings.Repeat("x", 129)}},
			400, "INVALID_PASSWORD", policy},
		{"backup of another shape", call{method: "POST", path: "/admin/restore", token: e.adminToken, body: `{"version":1,"users":{}}`},
			400, "INVALID_REQUEST", `backup: field "users": want an array, got an object`},
		{"empty restore", call{method: "POST", path: "/admin/restore", token: e.adminToken},
			400, "INVALID_REQUEST", `this operation needs a JSON request body: a backup from GET /admin/dump`},

		// No message: sign-in and credential failures, permissions, existence.
		{"wrong password", call{method: "POST", path: "/login/password", body: loginBody("mia", "wrong-password")},
			401, "INVALID_CREDENTIALS", ""},
		{"unknown user", call{method: "POST", path: "/login/password", body: loginBody("nobody", "wrong-password")},
			401, "INVALID_CREDENTIALS", ""},
		{"bad token", call{method: "GET", path: "/me", token: "lt_nope"},
			401, "UNAUTHORIZED", ""},
		{"malformed authorization", call{method: "GET", path: "/me", token: "Bearer"},
			401, "UNAUTHORIZED", ""},
		{"bad token with a broken body", call{method: "POST", path: "/users/" + uid + "/api-tokens", token: "lt_nope", body: `{`},
			401, "UNAUTHORIZED", ""},
		{"wrong basic", call{method: "GET", path: "/token", token: basic("mia", "nope")},
			401, "INVALID_CREDENTIALS", ""},
		{"forbidden", call{method: "GET", path: "/users", token: mia},
			403, "FORBIDDEN", ""},
		{"forbidden with a broken body", call{method: "POST", path: "/admin/restore", token: mia, body: `{`},
			403, "FORBIDDEN", ""},
		{"not found", call{method: "GET", path: "/users/nobody", token: e.adminToken},
			404, "NOT_FOUND", ""},
		{"wrong code", call{method: "POST", path: "/password-reset/nope/verify-email", body: map[string]string{"code": "12345678"}},
			404, "NOT_FOUND", ""},
		{"conflict", call{method: "POST", path: "/users", token: e.adminToken, body: map[string]any{"username": "mia", "password": "mia-password"}},
			409, "USERNAME_ALREADY_USED", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.c)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			code, msg := errorOf(t, r)
			assert.Equal(t, tc.code, code)
			if re, ok := strings.CutPrefix(tc.msg, "~"); ok {
				assert.Regexp(t, re, msg)
				return
			}
			assert.Equal(t, tc.msg, msg)
			if tc.msg == "" {
				assert.JSONEq(t, `{"error":"`+tc.code+`"}`, string(r.body))
			}
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		})
	}
}

// testSealingKeyMismatch: a backup of an installation with another sealing
// key is 409 SEALING_KEY_MISMATCH with a message, changes nothing, and the
// service logs why.
func testSealingKeyMismatch(t *testing.T, cov *coverage, b backend) {
	var logs syncBuffer
	e := defaultEnv(t, cov, b)
	other := newEnv(t, cov, envConfig{backend: b, prefix: prefix, auth: func(c *auth.Config) {
		c.SealingKey = bytes.Repeat([]byte{8}, 32)
	}})
	r := other.do(call{method: "GET", path: "/admin/dump", token: other.adminToken})
	expect(t, r, 200)
	foreign := r.body

	e2 := newEnv(t, cov, envConfig{backend: b, prefix: prefix, auth: func(c *auth.Config) {
		c.Logger = newTextLogger(&logs)
	}})
	before := e2.do(call{method: "GET", path: "/admin/dump", token: e2.adminToken})
	expect(t, before, 200)
	r = e2.do(call{method: "POST", path: "/admin/restore", token: e2.adminToken, body: foreign})
	expect(t, r, 409, "SEALING_KEY_MISMATCH")
	_, msg := errorOf(t, r)
	assert.Equal(t, "the backup's signing keys or TOTP secrets do not open with this server's sealing key: "+
		"it was made by a server with another key; restore it on a server started with that server's sealing key", msg)
	after := e2.do(call{method: "GET", path: "/admin/dump", token: e2.adminToken})
	assert.JSONEq(t, string(before.body), string(after.body), "nothing changed")
	assert.Contains(t, logs.String(), "auth.restore_refused")
	assert.Contains(t, logs.String(), "signing key 0 does not open with this service's sealing key")

	// The installation's own backup still restores.
	expect(t, e.do(call{method: "POST", path: "/admin/restore", token: e.adminToken,
		body: e.do(call{method: "GET", path: "/admin/dump", token: e.adminToken}).body}), 204)
}

func newTextLogger(w *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
