package auth_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

// populate fills a service with every kind of record a dump holds.
func populate(t *testing.T, e *env) (access string) {
	e.user("admin", auth.PermAll)
	u := e.user("bea", "reports")
	p := e.principal("bea")
	e.enableTOTP(p)
	_, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "ci", Permissions: []string{"reports"}})
	require.NoError(t, err)
	c := e.user("cal")
	_, err = e.svc.EnrollTOTP(ctx, e.principal("cal"), c.ID) // pending only
	require.NoError(t, err)
	_, err = e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "legacy", PasswordHash: "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/", AllowedIPs: []string{"10.0.0.0/8"}, Disabled: true,
	})
	require.NoError(t, err)
	_, err = e.svc.RotateSigningKey(ctx, auth.System())
	require.NoError(t, err)
	return e.login("admin")
}

func TestDumpRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	src := newEnv(t)
	access := populate(t, src)
	dump, err := src.svc.Dump(ctx, auth.System())
	require.NoError(t, err)
	assert.True(t, json.Valid(dump))
	for _, secret := range []string{goodPassword, "BEGIN", "\"secret\":"} {
		assert.NotContains(t, string(dump), secret)
	}

	// The dump restores into the service that made it and into a fresh
	// one on every backend, each reading src's clock.
	restored := func(t *testing.T, dst *env) {
		require.NoError(t, dst.svc.Restore(ctx, auth.System(), dump))
		again, err := dst.svc.Dump(ctx, auth.System())
		require.NoError(t, err)
		assert.JSONEq(t, string(bumpGenerations(t, dump)), string(again),
			"restore then dump is identical but for every generation, one more than before")

		_, err = dst.svc.Authenticate(ctx, ipA, access)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "a session that predates the restore ends")
		_, err = dst.svc.LoginPassword(ctx, ipA, "admin", goodPassword)
		require.NoError(t, err)
		res, err := dst.svc.LoginPassword(ctx, ipA, "bea", goodPassword)
		require.NoError(t, err)
		assert.True(t, res.SecondFactorRequired, "TOTP survived")
		_, err = dst.svc.LoginPassword(ctx, ipA, "legacy", "myPassword")
		require.ErrorIs(t, err, auth.ErrAccountDisabled)
	}
	t.Run("same service", func(t *testing.T) { restored(t, src) })
	for _, b := range backends {
		t.Run("fresh "+b.name, func(t *testing.T) { restored(t, newEnvClock(t, b.open(t), src.clock)) })
	}
}

func TestRestoreRefusesBadInput(t *testing.T) {
	t.Parallel()
	src := newEnv(t)
	populate(t, src)
	good, err := src.svc.Dump(ctx, auth.System())
	require.NoError(t, err)
	otherKey := newEnv(t, func(c *auth.Config) { c.SealingKey = bytes.Repeat([]byte{7}, 32) })
	otherKey.user("x")
	foreign, err := otherKey.svc.Dump(ctx, auth.System())
	require.NoError(t, err)

	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(good, &m))
		f(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	first := func(m map[string]any, k string) map[string]any { return m[k].([]any)[0].(map[string]any) }
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"not json", []byte("{")},
		{"trailing data", append(append([]byte{}, good...), []byte(" {}")...)},
		{"unknown field", edit(func(m map[string]any) { m["extra"] = 1 })},
		{"version", edit(func(m map[string]any) { m["version"] = 4 })},
		{"version 2 with passkeys", edit(func(m map[string]any) { m["version"] = 2 })},
		{"version 1 with generation", edit(func(m map[string]any) {
			m["version"] = 1
			delete(m, "passkeys")
			delete(m, "passkey_handles")
			first(m, "users")["generation"] = 4
		})},
		{"version 2 with tokens_valid_after", edit(func(m map[string]any) {
			first(m, "users")["tokens_valid_after"] = "2026-03-01T12:00:00Z"
		})},
		{"no keys", edit(func(m map[string]any) { m["signing_keys"] = []any{} })},
		{"foreign keys", foreign},
		{"bad hash", edit(func(m map[string]any) { first(m, "users")["password_hash"] = "$2y$99$x" })},
		{"moved totp", edit(func(m map[string]any) { first(m, "totp")["user_id"] = first(m, "pending_totp")["user_id"] })},
		{"long username", edit(func(m map[string]any) { first(m, "users")["username"] = strings.Repeat("u", 300) })},
		{"token of ghost", edit(func(m map[string]any) { first(m, "api_tokens")["user_id"] = "ghost" })},
		{"case-variant top-level name", edit(func(m map[string]any) { m["VERSION"] = m["version"]; delete(m, "version") })},
		{"case-variant nested name", edit(func(m map[string]any) {
			u := first(m, "users")
			u["UserName"] = u["username"]
			delete(u, "username")
		})},
		{"null list", edit(func(m map[string]any) { m["pending_totp"] = nil })},
		{"null field", edit(func(m map[string]any) { first(m, "users")["email"] = nil })},
		{"duplicate name", []byte(`{"version":1,"version":1,` + string(good[1:]))},
	}
	dst := newEnv(t)
	dst.user("keepme")
	before, err := dst.svc.Dump(ctx, auth.System())
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := dst.svc.Restore(ctx, auth.System(), tc.in)
			require.ErrorIs(t, err, auth.ErrInvalidRequest)
		})
	}
	after, err := dst.svc.Dump(ctx, auth.System())
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "a refused restore changes nothing")

	p := dst.principal("keepme")
	_, err = dst.svc.Dump(ctx, p)
	require.ErrorIs(t, err, auth.ErrForbidden)
	require.ErrorIs(t, dst.svc.Restore(ctx, p, good), auth.ErrForbidden)
	require.ErrorIs(t, dst.svc.Restore(ctx, nil, good), auth.ErrUnauthorized)
}

// TestRestoreKeepsLogouts checks that restoring a dump taken before a
// logout does not bring the logged-out token back: the dump's signing keys
// still verify it, so the revocation must survive.
func TestRestoreKeepsLogouts(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("lou", auth.PermAll)
		tok := e.login("lou")
		p, err := e.svc.Authenticate(ctx, ipA, tok)
		require.NoError(t, err)
		dump, err := e.svc.Dump(ctx, p)
		require.NoError(t, err)
		require.NoError(t, e.svc.Logout(ctx, p))
		require.NoError(t, e.svc.Restore(ctx, auth.System(), dump))
		_, err = e.svc.Authenticate(ctx, ipA, tok)
		require.ErrorIs(t, err, auth.ErrUnauthorized)
		_, err = e.svc.Authenticate(ctx, ipA, e.login("lou"))
		require.NoError(t, err, "a new sign-in works")
	})
}

// bumpGenerations returns the dump with every user's generation one more,
// as Restore writes it.
func bumpGenerations(t *testing.T, dump []byte) []byte {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(dump, &doc))
	for _, u := range doc["users"].([]any) {
		m := u.(map[string]any)
		g, _ := m["generation"].(float64)
		m["generation"] = g + 1
	}
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}
