package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, e := range auth.Codes() {
		assert.False(t, seen[e.Code()], "duplicate code %s", e.Code())
		seen[e.Code()] = true
		assert.Equal(t, strings.ToUpper(e.Code()), e.Code())
		assert.True(t, strings.HasPrefix(e.Error(), "auth: "), e.Error())
		assert.Equal(t, e.Code(), auth.CodeOf(e))
	}
	assert.Len(t, seen, 24)
	assert.Equal(t, "INTERNAL_ERROR", auth.CodeOf(errors.New("boom")))
	assert.Equal(t, "", auth.CodeOf(nil))
	rl := &auth.RateLimitError{RetryAfter: 3 * time.Second}
	assert.ErrorIs(t, rl, auth.ErrTooManyRequests)
	assert.Equal(t, "TOO_MANY_REQUESTS", auth.CodeOf(rl))
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	st := newEnv(t).st
	tests := []struct {
		name string
		cfg  auth.Config
	}{
		{"no sealing key", auth.Config{}},
		{"short sealing key", auth.Config{SealingKey: []byte("short")}},
		{"negative ttl", auth.Config{SealingKey: sealingKey, AccessTokenTTL: -time.Second}},
		{"zero role ttl", auth.Config{SealingKey: sealingKey, RoleTokenTTL: map[string]time.Duration{"admin": 0}}},
		{"min over max password", auth.Config{SealingKey: sealingKey, MinPasswordLen: 20, MaxPasswordLen: 10}},
		{"bad role", auth.Config{SealingKey: sealingKey, DefaultRole: "a b"}},
		{"negative window", auth.Config{SealingKey: sealingKey, Limits: auth.Limits{PerIP: auth.Rate{Window: -1}}}},
		{"negative pool", auth.Config{SealingKey: sealingKey, Limits: auth.Limits{HashQueue: -1}}},
		{"bad algorithm", auth.Config{SealingKey: sealingKey, SigningAlgorithm: "RS256"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.New(t.Context(), st, tc.cfg)
			require.ErrorIs(t, err, auth.ErrInvalidConfig)
		})
	}
	_, err := auth.New(t.Context(), nil, auth.Config{SealingKey: sealingKey})
	require.ErrorIs(t, err, auth.ErrInvalidConfig)
}

func TestCreateUserValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("taken")
	long := strings.Repeat("a", 129)
	tests := []struct {
		name string
		in   auth.CreateUserInput
		want error
	}{
		{"empty username", auth.CreateUserInput{Password: goodPassword}, auth.ErrInvalidUsername},
		{"long username", auth.CreateUserInput{Username: long, Password: goodPassword}, auth.ErrInvalidUsername},
		{"space in username", auth.CreateUserInput{Username: "a b", Password: goodPassword}, auth.ErrInvalidUsername},
		{"colon in username", auth.CreateUserInput{Username: "a:b", Password: goodPassword}, auth.ErrInvalidUsername},
		{"leading dot", auth.CreateUserInput{Username: ".ab", Password: goodPassword}, auth.ErrInvalidUsername},
		{"non-ascii username", auth.CreateUserInput{Username: "jösé", Password: goodPassword}, auth.ErrInvalidUsername},
		{"nul in username", auth.CreateUserInput{Username: "a\x00b", Password: goodPassword}, auth.ErrInvalidUsername},
		{"bad email", auth.CreateUserInput{Username: "u1", Email: "not-an-email", Password: goodPassword}, auth.ErrInvalidEmail},
		{"display name email", auth.CreateUserInput{Username: "u1", Email: "Bob <bob@example.com>", Password: goodPassword}, auth.ErrInvalidEmail},
		{"undotted domain", auth.CreateUserInput{Username: "u1", Email: "bob@localhost", Password: goodPassword}, auth.ErrInvalidEmail},
		{"quoted email", auth.CreateUserInput{Username: "u1", Email: `"b b"@example.com`, Password: goodPassword}, auth.ErrInvalidEmail},
		{"short password", auth.CreateUserInput{Username: "u1", Password: "1234567"}, auth.ErrInvalidPassword},
		{"long password", auth.CreateUserInput{Username: "u1", Password: strings.Repeat("p", 129)}, auth.ErrInvalidPassword},
		{"invalid utf-8 password", auth.CreateUserInput{Username: "u1", Password: "abcdefgh\xff"}, auth.ErrInvalidPassword},
		{"no password", auth.CreateUserInput{Username: "u1"}, auth.ErrInvalidPassword},
		{"both password forms", auth.CreateUserInput{Username: "u1", Password: goodPassword, PasswordHash: "$1$abc$def"}, auth.ErrInvalidRequest},
		{"unknown hash", auth.CreateUserInput{Username: "u1", PasswordHash: "plaintext"}, auth.ErrInvalidPasswordHash},
		{"malformed hash", auth.CreateUserInput{Username: "u1", PasswordHash: "$2y$10$short"}, auth.ErrInvalidPasswordHash},
		{"hash over limits", auth.CreateUserInput{Username: "u1", PasswordHash: "$2y$31$gqGXHuYGmO6Oasn7PPbefeft1VHWqTaC//mFfk9mm3gq/sITmZnU2"}, auth.ErrInvalidPasswordHash},
		{"bad role", auth.CreateUserInput{Username: "u1", Password: goodPassword, Role: "ad min"}, auth.ErrInvalidRequest},
		{"bad permission", auth.CreateUserInput{Username: "u1", Password: goodPassword, Permissions: []string{""}}, auth.ErrInvalidRequest},
		{"bad allowed ip", auth.CreateUserInput{Username: "u1", Password: goodPassword, AllowedIPs: []string{"10.0.0.300"}}, auth.ErrInvalidRequest},
		{"host bits in prefix", auth.CreateUserInput{Username: "u1", Password: goodPassword, AllowedIPs: []string{"10.0.0.1/8"}}, auth.ErrInvalidRequest},
		{"username taken (case)", auth.CreateUserInput{Username: "TAKEN", Password: goodPassword}, auth.ErrUsernameAlreadyUsed},
		{"email taken (case)", auth.CreateUserInput{Username: "u1", Email: "Taken@Example.com", Password: goodPassword}, auth.ErrEmailAlreadyUsed},
		{"username is another's email", auth.CreateUserInput{Username: "taken@example.com", Password: goodPassword}, auth.ErrUsernameAlreadyUsed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := e.svc.CreateUser(ctx, ipA, auth.System(), tc.in)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, u)
		})
	}
	list, _, err := e.svc.ListUsers(ctx, auth.System(), 0, "")
	require.NoError(t, err)
	assert.Len(t, list, 1, "no refused input created a user")
}

func TestCreateUserCanonicalises(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, err := e.svc.CreateUser(ctx, ipA, auth.System(), auth.CreateUserInput{
		Username:    "bob",
		Password:    goodPassword,
		Permissions: []string{"view_users", "view_users", "custom:thing"},
		AllowedIPs:  []string{"10.0.0.0/8", "::ffff:192.0.2.1", "2001:db8::/32", "10.0.0.0/8"},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"view_users", "custom:thing"}, u.Permissions)
	assert.Equal(t, []string{"10.0.0.0/8", "192.0.2.1", "2001:db8::/32"}, u.AllowedIPs)
	assert.Equal(t, "user", u.Role)
	assert.Equal(t, t0, u.CreatedAt)
	assert.Nil(t, u.LastLoginAt)
	assert.False(t, u.TOTPEnabled)
}

func TestCreateUserAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("adder", auth.PermAddUsers, auth.PermViewUsers)
	e.user("plain")
	adder, plain := e.principal("adder"), e.principal("plain")

	_, err := e.svc.CreateUser(ctx, ipA, nil, auth.CreateUserInput{Username: "anon", Password: goodPassword})
	require.ErrorIs(t, err, auth.ErrUnauthorized, "sign-up is off by default")
	_, err = e.svc.CreateUser(ctx, ipA, plain, auth.CreateUserInput{Username: "x1", Password: goodPassword})
	require.ErrorIs(t, err, auth.ErrForbidden)
	_, err = e.svc.CreateUser(ctx, ipA, adder, auth.CreateUserInput{Username: "x2", Password: goodPassword, Permissions: []string{auth.PermAll}})
	require.ErrorIs(t, err, auth.ErrForbidden, "an adder grants only what it holds")
	_, err = e.svc.CreateUser(ctx, ipA, adder, auth.CreateUserInput{Username: "x3", Password: goodPassword, Permissions: []string{auth.PermViewUsers}})
	require.NoError(t, err)

	signup := newEnv(t, func(c *auth.Config) { c.AllowSignup = true })
	u, err := signup.svc.CreateUser(ctx, ipA, nil, auth.CreateUserInput{Username: "anon", Email: "anon@example.com", Password: goodPassword})
	require.NoError(t, err)
	assert.Empty(t, u.Permissions)
	for _, tc := range []struct {
		name string
		in   auth.CreateUserInput
	}{
		{"permissions", auth.CreateUserInput{Username: "a1", Password: goodPassword, Permissions: []string{"view_users"}}},
		{"role", auth.CreateUserInput{Username: "a2", Password: goodPassword, Role: "admin"}},
		{"hash", auth.CreateUserInput{Username: "a3", PasswordHash: "$1$abcdefgh$QH6qx4dLfAfzNk5kY1lXl/"}},
		{"allowed ips", auth.CreateUserInput{Username: "a4", Password: goodPassword, AllowedIPs: []string{"10.0.0.0/8"}}},
		{"disabled", auth.CreateUserInput{Username: "a5", Password: goodPassword, Disabled: true}},
	} {
		t.Run("sign-up with "+tc.name, func(t *testing.T) {
			_, err := signup.svc.CreateUser(ctx, ipA, nil, tc.in)
			assert.ErrorIs(t, err, auth.ErrForbidden)
		})
	}
}

func TestGetListUpdateDelete(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("admin", auth.PermAll)
		bob := e.user("bob")
		e.user("carol", auth.PermViewUsers, auth.PermEditUsers)
		admin, pbob, carol := e.principal("admin"), e.principal("bob"), e.principal("carol")

		// Get: self or view_users.
		got, err := e.svc.GetUser(ctx, pbob, bob.ID)
		require.NoError(t, err)
		assert.Equal(t, "bob", got.Username)
		require.NotNil(t, got.LastLoginAt, "the sign-in was recorded")
		_, err = e.svc.GetUser(ctx, pbob, admin.UserID)
		require.ErrorIs(t, err, auth.ErrForbidden)
		_, err = e.svc.GetUser(ctx, nil, bob.ID)
		require.ErrorIs(t, err, auth.ErrUnauthorized)
		_, err = e.svc.GetUser(ctx, carol, "nope")
		require.ErrorIs(t, err, auth.ErrNotFound)

		// List: paginated, view_users.
		_, _, err = e.svc.ListUsers(ctx, pbob, 0, "")
		require.ErrorIs(t, err, auth.ErrForbidden)
		page, next, err := e.svc.ListUsers(ctx, carol, 2, "")
		require.NoError(t, err)
		require.Len(t, page, 2)
		require.NotEmpty(t, next)
		page2, next2, err := e.svc.ListUsers(ctx, carol, 2, next)
		require.NoError(t, err)
		require.Len(t, page2, 1)
		assert.Empty(t, next2)
		_, _, err = e.svc.ListUsers(ctx, carol, 1001, "")
		require.ErrorIs(t, err, auth.ErrInvalidRequest)
		_, _, err = e.svc.ListUsers(ctx, carol, 10, "garbage-cursor")
		require.ErrorIs(t, err, auth.ErrInvalidRequest)

		// Update: a user changes its own email through ChangeEmail only,
		// and the address replaces the old one once verified.
		email := "bobby@example.com"
		_, err = e.svc.UpdateUser(ctx, pbob, bob.ID, auth.UpdateUserInput{Email: &email})
		require.ErrorIs(t, err, auth.ErrInvalidRequest)
		v, err := e.svc.ChangeEmail(ctx, ipA, pbob, bob.ID, email, nil)
		require.NoError(t, err)
		u, err := e.svc.GetUser(ctx, pbob, bob.ID)
		require.NoError(t, err)
		assert.Equal(t, "bob@example.com", u.Email, "not before it is verified")
		u, err = e.svc.VerifyEmail(ctx, ipA, pbob, bob.ID, v.ID, e.notes.get("verify:"+email))
		require.NoError(t, err)
		assert.Equal(t, email, u.Email)
		assert.True(t, u.EmailVerified)
		role := "boss"
		_, err = e.svc.UpdateUser(ctx, pbob, bob.ID, auth.UpdateUserInput{Role: &role})
		require.ErrorIs(t, err, auth.ErrForbidden)
		taken := "admin@example.com"
		v, err = e.svc.ChangeEmail(ctx, ipA, pbob, bob.ID, taken, nil)
		require.NoError(t, err, "a taken address is not told at the start")
		_, err = e.svc.VerifyEmail(ctx, ipA, pbob, bob.ID, v.ID, e.notes.get("verify:"+taken))
		require.ErrorIs(t, err, auth.ErrEmailAlreadyUsed)
		bad := "bob@"
		_, err = e.svc.ChangeEmail(ctx, ipA, pbob, bob.ID, bad, nil)
		require.ErrorIs(t, err, auth.ErrInvalidEmail)

		// edit_users edits others, but grants only what it holds and never
		// touches a user with more permissions.
		perms := []string{auth.PermViewUsers}
		u, err = e.svc.UpdateUser(ctx, carol, bob.ID, auth.UpdateUserInput{Role: &role, Permissions: &perms})
		require.NoError(t, err)
		assert.Equal(t, "boss", u.Role)
		assert.Equal(t, perms, u.Permissions)
		all := []string{auth.PermAll}
		_, err = e.svc.UpdateUser(ctx, carol, bob.ID, auth.UpdateUserInput{Permissions: &all})
		require.ErrorIs(t, err, auth.ErrForbidden)
		yes := true
		_, err = e.svc.UpdateUser(ctx, carol, admin.UserID, auth.UpdateUserInput{Disabled: &yes})
		require.ErrorIs(t, err, auth.ErrForbidden)

		// Delete: del_users.
		require.ErrorIs(t, e.svc.DeleteUser(ctx, carol, bob.ID), auth.ErrForbidden)
		require.NoError(t, e.svc.DeleteUser(ctx, admin, bob.ID))
		require.ErrorIs(t, e.svc.DeleteUser(ctx, admin, bob.ID), auth.ErrNotFound)
		_, err = e.svc.GetUser(ctx, admin, bob.ID)
		require.ErrorIs(t, err, auth.ErrNotFound)
	})
}

// TestLesserAdministrator checks that a caller holding the permission a
// method needs, but fewer permissions than the target user, is refused on
// every method that acts on that user, and that nothing changed.
func TestLesserAdministrator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	boss := e.user("boss", auth.PermAll)
	bossP := e.principal("boss")
	key, _ := e.enableTOTP(bossP)
	tok, err := e.svc.CreateAPIToken(ctx, ipA, bossP, boss.ID, auth.CreateAPITokenInput{Name: "ci"})
	require.NoError(t, err)
	ev, err := e.svc.StartEmailVerification(ctx, ipA, bossP, boss.ID, nil)
	require.NoError(t, err)
	e.user("deputy", auth.PermEditUsers, auth.PermManageAPITokens, auth.PermViewUsers)
	deputy := e.principal("deputy")
	e.user("sysadmin", auth.PermManageSystem, auth.PermEditUsers, auth.PermViewUsers)
	sysadmin := e.principal("sysadmin")
	dump, err := e.svc.Dump(ctx, auth.System())
	require.NoError(t, err)

	// Account security, point 1: a reset started by a lesser administrator
	// is answered as an anonymous one is: no code, which goes to the boss.
	pr, err := e.svc.StartPasswordReset(ctx, ipA, deputy, "boss@example.com")
	require.NoError(t, err)
	assert.Empty(t, pr.Code, "no code for a caller who may not manage the account")
	assert.NotEmpty(t, e.notes.get("reset:boss@example.com"), "the owner is told")

	calls := []struct {
		name string
		call func() error
	}{
		{"VerifyTOTP", func() error { return e.svc.VerifyTOTP(ctx, ipA, deputy, boss.ID, "000000") }},
		{"ListAPITokens", func() error {
			_, err := e.svc.ListAPITokens(ctx, deputy, boss.ID)
			return err
		}},
		{"RevokeAPIToken", func() error { return e.svc.RevokeAPIToken(ctx, deputy, boss.ID, tok.ID) }},
		{"CreateAPIToken", func() error {
			_, err := e.svc.CreateAPIToken(ctx, ipA, deputy, boss.ID, auth.CreateAPITokenInput{Name: "x"})
			return err
		}},
		{"StartEmailVerification", func() error {
			_, err := e.svc.StartEmailVerification(ctx, ipA, deputy, boss.ID, nil)
			return err
		}},
		{"GetEmailVerification", func() error {
			_, err := e.svc.GetEmailVerification(ctx, deputy, boss.ID, ev.ID)
			return err
		}},
		{"DeleteEmailVerification", func() error { return e.svc.DeleteEmailVerification(ctx, deputy, boss.ID, ev.ID) }},
		{"VerifyEmail", func() error {
			_, err := e.svc.VerifyEmail(ctx, ipA, deputy, boss.ID, ev.ID, "00000000")
			return err
		}},
		{"DeleteTOTP", func() error { return e.svc.DeleteTOTP(ctx, ipA, deputy, boss.ID, nil, nil) }},
		{"DeleteUser", func() error { return e.svc.DeleteUser(ctx, deputy, boss.ID) }},
		// Account security, point 2: dump and restore are root operations.
		{"Dump", func() error {
			_, err := e.svc.Dump(ctx, sysadmin)
			return err
		}},
		{"Restore", func() error { return e.svc.Restore(ctx, sysadmin, dump) }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.call(), auth.ErrForbidden)
		})
	}
	// Nothing changed: the token works, the request is live, TOTP is on,
	// and the boss's wrong-code budget was not spent.
	_, err = e.svc.Authenticate(ctx, ipA, tok.Token)
	require.NoError(t, err)
	_, err = e.svc.GetEmailVerification(ctx, bossP, boss.ID, ev.ID)
	require.NoError(t, err)
	e.clock.Advance(30 * time.Second)
	require.NoError(t, e.svc.VerifyTOTP(ctx, ipA, bossP, boss.ID, e.code(key)))
}
