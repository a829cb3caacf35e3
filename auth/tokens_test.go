package auth_test

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
	"github.com/latchkit/latch/token"
)

func TestPasswordChangeInvalidatesTokens(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("admin", auth.PermAll)
		u := e.user("kate")
		apiTok, err := e.svc.CreateAPIToken(ctx, ipA, e.principal("kate"), u.ID, auth.CreateAPITokenInput{Name: "ci"})
		require.NoError(t, err)

		// Same instant: sign-in and change in one microsecond.
		old := e.login("kate")
		p, err := e.svc.Authenticate(ctx, ipA, old)
		require.NoError(t, err)
		cur := goodPassword
		require.NoError(t, e.svc.ChangePassword(ctx, ipA, p, u.ID, &cur, "new password 1"))
		_, err = e.svc.Authenticate(ctx, ipA, old)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "a token of the same instant dies")
		_, err = e.svc.Authenticate(ctx, ipA, apiTok.Token)
		require.NoError(t, err, "API tokens survive a password change")

		// Same second, later microseconds.
		e.clock.Advance(100 * time.Millisecond)
		res, err := e.svc.LoginPassword(ctx, ipA, "kate", "new password 1")
		require.NoError(t, err)
		e.clock.Advance(100 * time.Millisecond)
		require.NoError(t, e.svc.ChangePassword(ctx, ipA, e.principal("admin"), u.ID, nil, "new password 2"))
		e.clock.Advance(100 * time.Millisecond)
		_, err = e.svc.Authenticate(ctx, ipA, res.Token.AccessToken)
		require.ErrorIs(t, err, auth.ErrUnauthorized)
		res2, err := e.svc.LoginPassword(ctx, ipA, "kate", "new password 2")
		require.NoError(t, err)
		_, err = e.svc.Authenticate(ctx, ipA, res2.Token.AccessToken)
		require.NoError(t, err, "a token issued after the change, in the same second, lives")
		_, err = e.svc.LoginPassword(ctx, ipA, "kate", "new password 1")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	})
}

func TestChangePasswordRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("admin", auth.PermAll)
	e.user("editor", auth.PermEditUsers)
	u := e.user("leo")
	boss := e.user("boss", auth.PermEditUsers, auth.PermDelUsers)
	leo, editor := e.principal("leo"), e.principal("editor")
	wrong, cur := "not my password", goodPassword
	tests := []struct {
		name    string
		p       *auth.Principal
		target  string
		current *string
		newPw   string
		want    error
	}{
		{"anonymous", nil, u.ID, &cur, "new password", auth.ErrUnauthorized},
		{"self without current", leo, u.ID, nil, "new password", auth.ErrForbidden},
		{"self wrong current", leo, u.ID, &wrong, "new password", auth.ErrInvalidCredentials},
		{"self too short", leo, u.ID, &cur, "short", auth.ErrInvalidPassword},
		{"other user", leo, boss.ID, &cur, "new password", auth.ErrForbidden},
		{"editor on stronger user", editor, boss.ID, nil, "new password", auth.ErrForbidden},
		{"editor unknown user", editor, "nope", nil, "new password", auth.ErrNotFound},
		{"editor", editor, u.ID, nil, "editor set this", nil},
		{"self", leo, u.ID, &cur, "leo set this", auth.ErrInvalidCredentials}, // the editor changed it
	}
	for _, tc := range tests { // in order: the editor's change comes before the last row
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.ChangePassword(ctx, ipA, tc.p, tc.target, tc.current, tc.newPw)
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
	_, err := e.svc.LoginPassword(ctx, ipA, "leo", "editor set this")
	require.NoError(t, err)
}

func TestLogoutDeleteDisable(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("admin", auth.PermAll)
		admin := e.principal("admin")
		u := e.user("mia")
		t1, t2 := e.login("mia"), e.login("mia")
		p1, err := e.svc.Authenticate(ctx, ipA, t1)
		require.NoError(t, err)
		require.NoError(t, e.svc.Logout(ctx, p1))
		_, err = e.svc.Authenticate(ctx, ipA, t1)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "logged out")
		_, err = e.svc.Authenticate(ctx, ipA, t2)
		require.NoError(t, err, "other sessions live on")
		require.ErrorIs(t, e.svc.Logout(ctx, nil), auth.ErrUnauthorized)

		yes, no := true, false
		_, err = e.svc.UpdateUser(ctx, admin, u.ID, auth.UpdateUserInput{Disabled: &yes})
		require.NoError(t, err)
		_, err = e.svc.Authenticate(ctx, ipA, t2)
		require.ErrorIs(t, err, auth.ErrAccountDisabled)
		e.clock.Advance(time.Millisecond)
		_, err = e.svc.UpdateUser(ctx, admin, u.ID, auth.UpdateUserInput{Disabled: &no})
		require.NoError(t, err)
		_, err = e.svc.Authenticate(ctx, ipA, t2)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "disabling ended the session for good")

		p := e.principal("mia")
		api, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "x"})
		require.NoError(t, err)
		t3 := e.login("mia")
		require.NoError(t, e.svc.DeleteUser(ctx, admin, u.ID))
		_, err = e.svc.Authenticate(ctx, ipA, t3)
		require.ErrorIs(t, err, auth.ErrUnauthorized)
		_, err = e.svc.Authenticate(ctx, ipA, api.Token)
		require.ErrorIs(t, err, auth.ErrUnauthorized)
	})
}

func TestAccessTokenChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) {
		c.RoleTokenTTL = map[string]time.Duration{"admin": time.Hour}
	})
	u := e.user("nina", auth.PermViewUsers, auth.PermEditUsers)
	tok := e.login("nina")
	_, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "root", Password: goodPassword, Role: "admin"})
	require.NoError(t, err)
	res, err := e.svc.LoginPassword(ctx, ipA, "root", goodPassword)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Hour), res.Token.ExpiresAt, "validity per role")

	p, err := e.svc.Authenticate(ctx, ipA, tok)
	require.NoError(t, err)
	assert.Equal(t, []string{auth.PermViewUsers, auth.PermEditUsers}, p.Permissions)
	assert.Equal(t, t0.Add(15*time.Minute), p.ExpiresAt)

	// A permission added leaves the token as it was; one removed from the
	// user ends every token issued before (its generation moves on).
	perms := []string{auth.PermViewUsers, auth.PermEditUsers, auth.PermAddUsers}
	_, err = e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Permissions: &perms})
	require.NoError(t, err)
	p, err = e.svc.Authenticate(ctx, ipA, tok)
	require.NoError(t, err, "a wider grant keeps the token")
	assert.Equal(t, []string{auth.PermViewUsers, auth.PermEditUsers}, p.Permissions, "the token's own narrowing stays")
	perms = []string{auth.PermViewUsers}
	_, err = e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Permissions: &perms})
	require.NoError(t, err)
	_, err = e.svc.Authenticate(ctx, ipA, tok)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "a reduction ends the token")
	tok = e.login("nina")
	p, err = e.svc.Authenticate(ctx, ipA, tok)
	require.NoError(t, err)
	assert.Equal(t, []string{auth.PermViewUsers}, p.Permissions)

	parts := strings.Split(tok, ".")
	other := newEnv(t) // another sealing of keys: unknown kid
	otherTok := other.login(func() string { other.user("nina"); return "nina" }())
	for _, tc := range []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "not.a.jwt"},
		{"tampered claims", parts[0] + "." + parts[1] + "x." + parts[2]},
		{"bad signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{"other service", otherTok},
		{"api-ish", "lt_nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Authenticate(ctx, ipA, tc.token)
			assert.ErrorIs(t, err, auth.ErrUnauthorized)
		})
	}
	_, err = e.svc.AuthenticateAPIToken(ctx, ipA, tok)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "a JWT is not an API token")

	e.clock.Advance(15*time.Minute - time.Second)
	_, err = e.svc.Authenticate(ctx, ipA, tok)
	require.NoError(t, err, "one second before expiry")
	e.clock.Advance(time.Second)
	_, err = e.svc.Authenticate(ctx, ipA, tok)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "at expiry")
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("olga", auth.PermViewUsers, "reports")
		e.user("tokenadmin", auth.PermManageAPITokens)
		other := e.user("pete")
		p, ta := e.principal("olga"), e.principal("tokenadmin")

		all, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "all"})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(all.Token, token.APITokenTag))
		assert.Equal(t, all.Token[:len(all.Prefix)], all.Prefix)
		assert.Equal(t, []string{auth.PermViewUsers, "reports"}, all.Permissions)
		assert.Nil(t, all.LastUsedAt)

		exp := t0.Add(time.Hour)
		narrow, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "narrow", Permissions: []string{"reports"}, ExpiresAt: &exp})
		require.NoError(t, err)

		for _, tc := range []struct {
			name string
			p    *auth.Principal
			user string
			in   auth.CreateAPITokenInput
			want error
		}{
			{"widen", p, u.ID, auth.CreateAPITokenInput{Name: "w", Permissions: []string{auth.PermEditUsers}}, auth.ErrForbidden},
			{"star", p, u.ID, auth.CreateAPITokenInput{Name: "w", Permissions: []string{auth.PermAll}}, auth.ErrForbidden},
			{"past expiry", p, u.ID, auth.CreateAPITokenInput{Name: "w", ExpiresAt: &t0}, auth.ErrInvalidRequest},
			{"no name", p, u.ID, auth.CreateAPITokenInput{}, auth.ErrInvalidRequest},
			{"control in name", p, u.ID, auth.CreateAPITokenInput{Name: "a\nb"}, auth.ErrInvalidRequest},
			{"someone else", p, other.ID, auth.CreateAPITokenInput{Name: "w"}, auth.ErrForbidden},
			{"anonymous", nil, u.ID, auth.CreateAPITokenInput{Name: "w"}, auth.ErrUnauthorized},
			{"admin on more", ta, u.ID, auth.CreateAPITokenInput{Name: "w"}, auth.ErrForbidden},
			{"admin no such id", ta, "nope", auth.CreateAPITokenInput{Name: "w"}, auth.ErrNotFound},
		} {
			t.Run("refused "+tc.name, func(t *testing.T) {
				_, err := e.svc.CreateAPIToken(ctx, ipA, tc.p, tc.user, tc.in)
				assert.ErrorIs(t, err, tc.want)
			})
		}
		_, err = e.svc.CreateAPIToken(ctx, ipA, ta, other.ID, auth.CreateAPITokenInput{Name: "for pete"})
		require.NoError(t, err, "manage_api_tokens on a user with fewer permissions")

		ap, err := e.svc.Authenticate(ctx, ipA, narrow.Token)
		require.NoError(t, err)
		assert.Equal(t, auth.KindAPIToken, ap.Kind)
		assert.Equal(t, []string{"reports"}, ap.Permissions)
		assert.Equal(t, exp, ap.ExpiresAt)
		require.ErrorIs(t, e.svc.Logout(ctx, ap), auth.ErrInvalidRequest)

		// last_used_at is written at most once a minute.
		lastUsed := func() *time.Time {
			list, err := e.svc.ListAPITokens(ctx, p, u.ID)
			require.NoError(t, err)
			require.Len(t, list, 2)
			for _, l := range list {
				assert.Empty(t, l.Token, "the secret is shown once")
				if l.ID == narrow.ID {
					return l.LastUsedAt
				}
			}
			t.Fatal("token not listed")
			return nil
		}
		require.NotNil(t, lastUsed())
		assert.Equal(t, t0, *lastUsed())
		e.clock.Advance(59 * time.Second)
		_, err = e.svc.Authenticate(ctx, ipA, narrow.Token)
		require.NoError(t, err)
		assert.Equal(t, t0, *lastUsed())
		e.clock.Advance(time.Second)
		_, err = e.svc.AuthenticateAPIToken(ctx, ipA, narrow.Token)
		require.NoError(t, err)
		assert.Equal(t, t0.Add(time.Minute), *lastUsed())

		// The owner's permissions bound the token's at every use.
		perms := []string{auth.PermViewUsers}
		_, err = e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Permissions: &perms})
		require.NoError(t, err)
		ap, err = e.svc.Authenticate(ctx, ipA, narrow.Token)
		require.NoError(t, err)
		assert.Empty(t, ap.Permissions)

		// Expiry edge.
		e.clock.Advance(time.Hour - time.Minute - time.Microsecond)
		_, err = e.svc.Authenticate(ctx, ipA, narrow.Token)
		require.NoError(t, err)
		e.clock.Advance(time.Microsecond)
		_, err = e.svc.Authenticate(ctx, ipA, narrow.Token)
		require.ErrorIs(t, err, auth.ErrUnauthorized)

		// Revocation.
		require.ErrorIs(t, e.svc.RevokeAPIToken(ctx, p, other.ID, all.ID), auth.ErrForbidden)
		require.NoError(t, e.svc.RevokeAPIToken(ctx, p, u.ID, all.ID))
		require.ErrorIs(t, e.svc.RevokeAPIToken(ctx, p, u.ID, all.ID), auth.ErrNotFound)
		_, err = e.svc.Authenticate(ctx, ipA, all.Token)
		require.ErrorIs(t, err, auth.ErrUnauthorized)

		// Malformed and mistyped tokens.
		typo := []byte(narrow.Token)
		typo[10] ^= 1
		for _, tc := range []struct{ name, token string }{
			{"typo", string(typo)},
			{"short", "lt_abc"},
			{"tag only", "lt_"},
		} {
			t.Run("malformed "+tc.name, func(t *testing.T) {
				_, err := e.svc.Authenticate(ctx, ipA, tc.token)
				assert.ErrorIs(t, err, auth.ErrUnauthorized)
			})
		}
	})
}

func TestAPITokenLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.MaxAPITokensPerUser = 1 })
	u := e.user("quinn")
	p := e.principal("quinn")
	tok, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "one"})
	require.NoError(t, err)
	_, err = e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "two"})
	require.ErrorIs(t, err, auth.ErrAPITokenLimitReached)
	require.NoError(t, e.svc.RevokeAPIToken(ctx, p, u.ID, tok.ID))
	_, err = e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "two"})
	require.NoError(t, err)
}

// countingStore counts reads of the signing keys.
type countingStore struct {
	store.Store
	keyReads atomic.Int64
}

func (c *countingStore) SigningKeys(ctx2 contextT) ([]store.SigningKey, error) {
	c.keyReads.Add(1)
	return c.Store.SigningKeys(ctx2)
}

// TestTwoInstancesShareKeys runs two Services over two handles on one SQLite
// file (and one PostgreSQL schema when configured), as two processes would.
func TestTwoInstancesShareKeys(t *testing.T) {
	t.Parallel()
	pairs := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return sqltest.SQLitePath(t) }},
		{"postgres", func(t *testing.T) string { return sqltest.OpenPostgresSchema(t) }},
	}
	for _, pair := range pairs {
		t.Run(pair.name, func(t *testing.T) {
			t.Parallel()
			dsn := pair.dsn(t)
			clk := auth.NewFakeClock()
			mk := func() *env { return newEnvClock(t, sqltest.Open(t, dsn), clk) }
			a := mk()
			b := mk()
			a.user("admin", auth.PermAll)
			admin := a.principal("admin")

			ta, tb := a.login("admin"), b.login("admin")
			for _, tok := range []string{ta, tb} {
				for _, e := range []*env{a, b} {
					_, err := e.svc.Authenticate(ctx, ipA, tok)
					require.NoError(t, err, "one keyring, every instance")
				}
			}

			// Rotation on A: B verifies A's new tokens at once (unknown kid
			// reloads) and signs with the new key after the reload interval.
			kid, err := a.svc.RotateSigningKey(ctx, admin)
			require.NoError(t, err)
			tNew := a.login("admin")
			assert.Equal(t, kid, kidOf(t, tNew))
			_, err = b.svc.Authenticate(ctx, ipA, tNew)
			require.NoError(t, err)
			_, err = b.svc.Authenticate(ctx, ipA, tb)
			require.NoError(t, err, "old keys verify until their tokens expire")
			clk.Advance(auth.DefaultKeyReloadInterval)
			assert.Equal(t, kid, kidOf(t, b.login("admin")), "B signs with the rotated key")

			// Reset on A: every token fails, on both.
			tb = b.login("admin")
			require.NoError(t, a.svc.ResetSigningKeys(ctx, admin))
			for _, tok := range []string{ta, tb, tNew} {
				_, err := a.svc.Authenticate(ctx, ipA, tok)
				require.ErrorIs(t, err, auth.ErrUnauthorized)
			}
			clk.Advance(auth.DefaultKeyReloadInterval)
			b.synced(t)
			for _, tok := range []string{ta, tb, tNew} {
				_, err := b.svc.Authenticate(ctx, ipA, tok)
				require.ErrorIs(t, err, auth.ErrUnauthorized, "reset on A kills tokens on B")
			}
			tb = b.login("admin")
			_, err = a.svc.Authenticate(ctx, ipA, tb)
			require.NoError(t, err, "B signs with A's new key")

			// Logout on B is seen by A.
			p, err := b.svc.Authenticate(ctx, ipA, tb)
			require.NoError(t, err)
			require.NoError(t, b.svc.Logout(ctx, p))
			a.synced(t)
			_, err = a.svc.Authenticate(ctx, ipA, tb)
			require.ErrorIs(t, err, auth.ErrUnauthorized)

			// A TOTP code accepted on one instance is refused on the other,
			// and of two racing instances exactly one accepts a code.
			u := a.user("tina")
			pa, pb := a.principal("tina"), b.principal("tina")
			key, _ := a.enableTOTP(pa)
			code := a.code(key)
			require.NoError(t, a.svc.VerifyTOTP(ctx, ipA, pa, u.ID, code))
			require.ErrorIs(t, b.svc.VerifyTOTP(ctx, ipA, pb, u.ID, code), auth.ErrIncorrectCode)
			clk.Advance(30 * time.Second)
			code = a.code(key)
			errs := make(chan error, 2)
			go func() { errs <- a.svc.VerifyTOTP(ctx, auth.Client{}, pa, u.ID, code) }()
			go func() { errs <- b.svc.VerifyTOTP(ctx, auth.Client{}, pb, u.ID, code) }()
			e1, e2 := <-errs, <-errs
			assert.True(t, (e1 == nil) != (e2 == nil), "exactly one instance accepts: %v, %v", e1, e2)
		})
	}
}

func kidOf(t *testing.T, jwt string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	seg, err := b64url(strings.Split(jwt, ".")[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(seg, &h))
	return h.Kid
}

// TestUnknownKidReloadIsRateLimited: tokens with kids nobody has make the
// keyring re-read the store at most once per second.
func TestUnknownKidReloadIsRateLimited(t *testing.T) {
	t.Parallel()
	cs := &countingStore{Store: newEnv(t).st}
	e := newEnvOn(t, cs)
	other := newEnv(t)
	other.user("x")
	bogus := other.login("x")
	before := cs.keyReads.Load()
	for range 100 {
		_, err := e.svc.Authenticate(ctx, ipA, bogus)
		require.ErrorIs(t, err, auth.ErrUnauthorized)
	}
	assert.Equal(t, before+1, cs.keyReads.Load())
	e.clock.Advance(time.Second)
	for range 100 {
		_, _ = e.svc.Authenticate(ctx, ipA, bogus)
	}
	assert.Equal(t, before+2, cs.keyReads.Load())
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	hs := newEnv(t)
	b, err := hs.svc.JWKS(ctx)
	require.NoError(t, err)
	assert.JSONEq(t, `{"keys":[]}`, string(b))

	ed := newEnv(t, func(c *auth.Config) { c.SigningAlgorithm = token.AlgEdDSA })
	b, err = ed.svc.JWKS(ctx)
	require.NoError(t, err)
	var set struct {
		Keys []struct {
			Kty, Crv, Alg, Kid string
		} `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(b, &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "EdDSA", set.Keys[0].Alg)
	ed.user("zed")
	assert.Equal(t, set.Keys[0].Kid, kidOf(t, ed.login("zed")))
	_, err = ed.svc.Authenticate(ctx, ipA, ed.login("zed"))
	require.NoError(t, err)
}

// TestAPITokenCannotChangeTheAccount: an API token reads its owner's data
// but cannot change the account's credentials or second factor, nor mint
// tokens; with manage_api_tokens it mints no more than it holds.
func TestAPITokenCannotChangeTheAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("ann", "reports", auth.PermManageAPITokens)
	p := e.principal("ann")
	tok, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "script", Permissions: []string{"reports"}})
	require.NoError(t, err)
	ap, err := e.svc.Authenticate(ctx, ipA, tok.Token)
	require.NoError(t, err)

	_, err = e.svc.GetUser(ctx, ap, u.ID)
	require.NoError(t, err, "GET /me works with an API token")
	_, err = e.svc.ListAPITokens(ctx, ap, u.ID)
	require.NoError(t, err)
	_, err = e.svc.TOTPStatus(ctx, ap, u.ID)
	require.NoError(t, err)

	cur, email := goodPassword, "ann2@example.com"
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"change password", func() error { return e.svc.ChangePassword(ctx, ipA, ap, u.ID, &cur, "stolen password") }},
		{"update email", func() error { return second(e.svc.UpdateUser(ctx, ap, u.ID, auth.UpdateUserInput{Email: &email})) }},
		{"enroll totp", func() error { return second(e.svc.EnrollTOTP(ctx, ap, u.ID)) }},
		{"new codes", func() error { return second(e.svc.RegenerateRecoveryCodes(ctx, ipA, ap, u.ID, "123456")) }},
		{"mint token", func() error {
			return second(e.svc.CreateAPIToken(ctx, ipA, ap, u.ID, auth.CreateAPITokenInput{Name: "more"}))
		}},
		{"verify email", func() error { return second(e.svc.StartEmailVerification(ctx, ipA, ap, u.ID, nil)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.call(), auth.ErrForbidden)
		})
	}

	admin, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "admin", Permissions: []string{auth.PermManageAPITokens}})
	require.NoError(t, err)
	adm, err := e.svc.Authenticate(ctx, ipA, admin.Token)
	require.NoError(t, err)
	_, err = e.svc.CreateAPIToken(ctx, ipA, adm, u.ID, auth.CreateAPITokenInput{Name: "default"})
	require.ErrorIs(t, err, auth.ErrReauthenticationRequired, "an API token minting for its own user needs the password")
	pw := goodPassword
	_, err = e.svc.CreateAPIToken(ctx, ipA, adm, u.ID, auth.CreateAPITokenInput{Name: "wider", Permissions: []string{"reports"}, CurrentPassword: &pw})
	require.ErrorIs(t, err, auth.ErrForbidden, "no wider than the caller")
	minted, err := e.svc.CreateAPIToken(ctx, ipA, adm, u.ID, auth.CreateAPITokenInput{Name: "default", CurrentPassword: &pw})
	require.NoError(t, err)
	assert.Equal(t, []string{auth.PermManageAPITokens}, minted.Permissions, "the default is owner ∩ caller")
}

func second[T any](_ T, err error) error { return err }

// TestRotationPrunesExpiredKeys: a key that stopped signing longer ago than
// any token lives is deleted at the next rotation; a younger one stays.
func TestRotationPrunesExpiredKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("root", auth.PermAll)
	old := e.login("root")
	_, err := e.svc.RotateSigningKey(ctx, auth.System())
	require.NoError(t, err)
	middle := e.login("root")
	keys := func() int {
		ks, err := e.st.SigningKeys(ctx)
		require.NoError(t, err)
		return len(ks)
	}
	require.Equal(t, 2, keys())
	e.clock.Advance(10 * time.Minute)
	_, err = e.svc.RotateSigningKey(ctx, auth.System())
	require.NoError(t, err)
	assert.Equal(t, 3, keys(), "the first key's tokens may still live")
	_, err = e.svc.Authenticate(ctx, ipA, old)
	require.NoError(t, err)
	e.clock.Advance(auth.DefaultAccessTokenTTL + auth.DefaultKeyReloadInterval + time.Minute)
	_, err = e.svc.RotateSigningKey(ctx, auth.System())
	require.NoError(t, err)
	assert.Equal(t, 3, keys(), "the first key was pruned, the second stopped signing too recently")
	_, err = e.svc.Authenticate(ctx, ipA, old)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "(expired anyway)")
	ks, err := e.st.SigningKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, kidOf(t, middle), ks[0].ID, "the oldest key left is the second")
}

// TestWrongSealingKey: a second instance configured with another sealing
// key cannot open the shared signing keys and refuses to start.
func TestWrongSealingKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := auth.New(t.Context(), e.st, auth.Config{SealingKey: []byte("another key of thirty-two bytes!")})
	require.ErrorIs(t, err, auth.ErrInternal)
	assert.Contains(t, err.Error(), "sealing key")
}
