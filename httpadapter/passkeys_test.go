package httpadapter_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/internal/softauthn"
)

const passkeyOrigin = "http://localhost:8080"

func passkeyEnv(t *testing.T, cov *coverage, b backend) *env {
	return newEnv(t, cov, envConfig{backend: b, prefix: prefix, auth: func(c *auth.Config) {
		c.Passkeys = auth.PasskeyConfig{RPOrigins: []string{passkeyOrigin}}
	}})
}

// registerPasskey adds a passkey of a to the user through the API.
func (e *env) registerPasskey(tok, uid string, a *softauthn.Authenticator, name string) map[string]any {
	e.t.Helper()
	r := e.do(call{method: "POST", path: "/users/" + uid + "/passkeys/registration", token: tok})
	expect(e.t, r, 200)
	var reg struct {
		RegistrationID string          `json:"registration_id"`
		Options        json.RawMessage `json:"options"`
	}
	require.NoError(e.t, json.Unmarshal(r.body, &reg))
	cred, err := a.Register(reg.Options)
	require.NoError(e.t, err)
	r = e.do(call{method: "POST", path: "/users/" + uid + "/passkeys", token: tok,
		body: map[string]any{"registration_id": reg.RegistrationID, "credential": json.RawMessage(cred), "name": name}})
	expect(e.t, r, 201)
	return r.json(e.t)
}

// beginPasskey starts a passkey sign-in and returns the login ID and the
// authenticator's answer.
func (e *env) beginPasskey(body map[string]any, a *softauthn.Authenticator) (string, json.RawMessage) {
	e.t.Helper()
	r := e.do(call{method: "POST", path: "/login/passkey/begin", body: body})
	expect(e.t, r, 200)
	var l struct {
		LoginID string          `json:"login_id"`
		Options json.RawMessage `json:"options"`
	}
	require.NoError(e.t, json.Unmarshal(r.body, &l))
	cred, err := a.Login(l.Options)
	require.NoError(e.t, err)
	return l.LoginID, cred
}

func testPasskeys(t *testing.T, cov *coverage, b backend) {
	e := passkeyEnv(t, cov, b)
	uid := e.createUser("pia", "pia@example.com", "pia-password")
	tok := e.login("pia", "pia-password")
	base := "/users/" + uid + "/passkeys"
	a := &softauthn.Authenticator{Origin: passkeyOrigin, UserVerified: true, BackupEligible: true, CounterStep: 1}

	pk := e.registerPasskey(tok, uid, a, "laptop")
	assert.Equal(t, "laptop", pk["name"])
	assert.Equal(t, true, pk["backup_eligible"])
	assert.Nil(t, pk["last_used_at"])
	pid := pk["id"].(string)
	expect(t, e.do(call{method: "POST", path: base + "/registration", token: e.adminToken}), 403, "FORBIDDEN")

	t.Run("passwordless", func(t *testing.T) {
		id, cred := e.beginPasskey(map[string]any{}, a)
		r := e.do(call{method: "POST", path: "/login/passkey", body: map[string]any{"login_id": id, "credential": cred}})
		expect(t, r, 200)
		assert.Equal(t, uid, r.json(t)["user"].(map[string]any)["id"])
		assert.NotEmpty(t, r.str(t, "refresh_token"))
		// The same answer again: the ceremony is used up.
		expect(t, e.do(call{method: "POST", path: "/login/passkey", body: map[string]any{"login_id": id, "credential": cred}}), 401, "INVALID_CREDENTIALS")
		id, cred = e.beginPasskey(map[string]any{"identifier": "pia"}, a)
		expect(t, e.do(call{method: "POST", path: "/login/passkey", body: map[string]any{"login_id": id, "credential": cred}}), 200)
	})
	t.Run("wrong origin", func(t *testing.T) {
		a.Origin = "http://localhost:9999"
		defer func() { a.Origin = passkeyOrigin }()
		id, cred := e.beginPasskey(map[string]any{}, a)
		expect(t, e.do(call{method: "POST", path: "/login/passkey", body: map[string]any{"login_id": id, "credential": cred}}), 401, "INVALID_CREDENTIALS")
	})
	t.Run("second factor", func(t *testing.T) {
		r := e.do(call{method: "POST", path: "/login/password", body: loginBody("pia", "pia-password")})
		expect(t, r, 200)
		ch := r.json(t)
		assert.Equal(t, []any{"passkey"}, ch["methods"])
		id, cred := e.beginPasskey(map[string]any{"challenge_token": ch["challenge_token"]}, a)
		r = e.do(call{method: "POST", path: "/login/passkey", body: map[string]any{"login_id": id, "credential": cred}})
		expect(t, r, 200)
		tok = r.str(t, "access_token")
		expect(t, e.do(call{method: "POST", path: "/login/passkey/begin", body: map[string]any{"challenge_token": ch["challenge_token"]}}), 401, "UNAUTHORIZED")
	})
	t.Run("list, rename, delete", func(t *testing.T) {
		r := e.do(call{method: "GET", path: base, token: tok})
		expect(t, r, 200)
		var list struct {
			Passkeys []map[string]any `json:"passkeys"`
		}
		require.NoError(t, json.Unmarshal(r.body, &list))
		require.Len(t, list.Passkeys, 1)
		assert.NotNil(t, list.Passkeys[0]["last_used_at"])
		r = e.do(call{method: "PATCH", path: base + "/" + pid, token: tok, body: map[string]any{"name": "phone"}})
		expect(t, r, 200)
		assert.Equal(t, "phone", r.str(t, "name"))
		expect(t, e.do(call{method: "PATCH", path: base + "/nope", token: tok, body: map[string]any{"name": "x"}}), 404, "NOT_FOUND")
		e.clock.Advance(auth.RecentAuthWindow + time.Second)
		expect(t, e.do(call{method: "DELETE", path: base + "/" + pid, token: tok}), 403, "REAUTHENTICATION_REQUIRED")
		expect(t, e.do(call{method: "DELETE", path: base + "/" + pid, token: tok, body: map[string]any{"current_password": "pia-password"}}), 204)
		expect(t, e.do(call{method: "DELETE", path: base + "/" + pid, token: e.adminToken}), 404, "NOT_FOUND")
	})
}
