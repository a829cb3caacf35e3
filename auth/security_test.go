package auth_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/importer"
)

// The tests in this file are named after the points of the account
// security rules they check (see the package documentation).

// TestResetCodeOnlyToManagers (point 1): the code of a reset is handed
// only to an administrator who may manage the account.
func TestResetCodeOnlyToManagers(t *testing.T) {
	e := newEnv(t)
	e.user("root", auth.PermAll)
	e.user("helpdesk", auth.PermEditUsers)
	e.user("member")
	helpdesk := e.principal("helpdesk")
	tests := []struct {
		name     string
		caller   *auth.Principal
		email    string
		wantCode bool
	}{
		{"helpdesk for root", helpdesk, "root@example.com", false},
		{"helpdesk for a member", helpdesk, "member@example.com", true},
		{"root for the helpdesk", e.principal("root"), "helpdesk@example.com", true},
		{"anonymous for root", nil, "root@example.com", false},
		{"a member for itself", e.principal("member"), "member@example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := e.svc.StartPasswordReset(ctx, ipA, tc.caller, tc.email)
			require.NoError(t, err)
			assert.Equal(t, tc.wantCode, pr.Code != "")
		})
	}
}

// TestDumpRestoreNeedRoot (point 2): manage_system alone can neither dump
// nor restore; "*" can.
func TestDumpRestoreNeedRoot(t *testing.T) {
	e := newEnv(t)
	e.user("ops", auth.PermManageSystem)
	ops := e.principal("ops")
	_, err := e.svc.Dump(ctx, ops)
	require.ErrorIs(t, err, auth.ErrForbidden)
	dump, err := e.svc.Dump(ctx, auth.System())
	require.NoError(t, err)
	require.ErrorIs(t, e.svc.Restore(ctx, ops, dump), auth.ErrForbidden)
	e.user("root", auth.PermAll)
	_, err = e.svc.Dump(ctx, e.principal("root"))
	require.NoError(t, err)
}

// TestResetEvicts (point 6): a completed reset ends every session and
// deletes the API tokens, unless the host keeps them.
func TestResetEvicts(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep API tokens %v", keep), func(t *testing.T) {
			e := newEnv(t, func(c *auth.Config) { c.KeepAPITokensOnReset = keep })
			u := e.user("vic")
			p := e.principal("vic")
			session := e.login("vic")
			tok, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "ci"})
			require.NoError(t, err)
			id := e.startReset("vic@example.com")
			require.NoError(t, e.svc.ResetPassword(ctx, ipB, id, "a brand new password"))
			_, err = e.svc.Authenticate(ctx, ipA, session)
			require.ErrorIs(t, err, auth.ErrUnauthorized, "the session ended")
			_, err = e.svc.Authenticate(ctx, ipA, tok.Token)
			if keep {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, auth.ErrUnauthorized, "the API token is gone")
			}
		})
	}
}

// TestResetOnlyToVerifiedAddresses (point 6): an address a user set for
// itself counts only once verified; one set by an administrator counts.
func TestResetOnlyToVerifiedAddresses(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.AllowSignup = true })
	_, err := e.svc.CreateUser(ctx, ipA, nil, auth.CreateUserInput{Username: "sally", Email: "sally@example.com", Password: goodPassword})
	require.NoError(t, err)
	_, err = e.svc.StartPasswordReset(ctx, ipB, nil, "sally@example.com")
	require.NoError(t, err)
	assert.Empty(t, e.notes.get("reset:sally@example.com"), "no code to an unverified address")

	p := e.principal("sally")
	v, err := e.svc.StartEmailVerification(ctx, ipA, p, p.UserID, nil)
	require.NoError(t, err)
	_, err = e.svc.VerifyEmail(ctx, ipA, p, p.UserID, v.ID, e.notes.get("verify:sally@example.com"))
	require.NoError(t, err)
	_, err = e.svc.StartPasswordReset(ctx, ipB, nil, "sally@example.com")
	require.NoError(t, err)
	assert.NotEmpty(t, e.notes.get("reset:sally@example.com"), "verified now")

	u := e.user("adam") // created by an administrator: verified
	assert.True(t, u.EmailVerified)
	_, err = e.svc.StartPasswordReset(ctx, ipB, nil, "adam@example.com")
	require.NoError(t, err)
	assert.NotEmpty(t, e.notes.get("reset:adam@example.com"))
}

// TestRecentSignIn (point 7): a stolen session older than five minutes
// cannot change the email, mint API tokens or remove TOTP without the
// password; the new address replaces the old only once verified, and the
// old one is told.
func TestRecentSignIn(t *testing.T) {
	n := &changeNotifier{notifier: &notifier{}}
	e := newEnv(t, func(c *auth.Config) { c.Notifier = n })
	e.notes = n.notifier
	u := e.user("rob")
	p := e.principal("rob")
	key, _ := e.enableTOTP(p)
	e.clock.Advance(6 * time.Minute)
	wrong, right := "wrong password", goodPassword

	_, err := e.svc.ChangeEmail(ctx, ipA, p, u.ID, "thief@example.net", nil)
	require.ErrorIs(t, err, auth.ErrReauthenticationRequired)
	_, err = e.svc.ChangeEmail(ctx, ipA, p, u.ID, "thief@example.net", &wrong)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	_, err = e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "backdoor"})
	require.ErrorIs(t, err, auth.ErrReauthenticationRequired)
	code := e.code(key)
	require.ErrorIs(t, e.svc.DeleteTOTP(ctx, ipA, p, u.ID, &code, nil), auth.ErrReauthenticationRequired)
	on, err := e.svc.TOTPStatus(ctx, p, u.ID)
	require.NoError(t, err)
	assert.True(t, on.Enabled, "TOTP stays")

	v, err := e.svc.ChangeEmail(ctx, ipA, p, u.ID, "rob@new.example.com", &right)
	require.NoError(t, err)
	got, err := e.svc.GetUser(ctx, p, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "rob@example.com", got.Email, "the old address stays until the new one is verified")
	assert.Equal(t, [][2]string{{"rob@example.com", "rob@new.example.com"}}, n.notices, "the old address is told")
	got, err = e.svc.VerifyEmail(ctx, ipA, p, u.ID, v.ID, e.notes.get("verify:rob@new.example.com"))
	require.NoError(t, err)
	assert.Equal(t, "rob@new.example.com", got.Email)

	res, err := e.svc.LoginPassword(ctx, ipA, "rob", goodPassword)
	require.NoError(t, err)
	e.clock.Advance(30 * time.Second)
	res, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
	require.NoError(t, err)
	fresh, err := e.svc.Authenticate(ctx, ipA, res.Token.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, e.clock.Now(), fresh.AuthTime, "auth_time is when the second factor was proved")
	_, err = e.svc.CreateAPIToken(ctx, ipA, fresh, u.ID, auth.CreateAPITokenInput{Name: "fine"})
	require.NoError(t, err, "a fresh sign-in is recent")
}

// changeNotifier records email-change notices besides the codes.
type changeNotifier struct {
	*notifier
	notices [][2]string
}

func (n *changeNotifier) SendEmailChangeNotice(_ contextT, oldEmail, newEmail string) error {
	n.notices = append(n.notices, [2]string{oldEmail, newEmail})
	return nil
}

// TestEmptyPassword (point 8): the empty password never signs in, and a
// pre-hashed empty password is refused at creation.
func TestEmptyPassword(t *testing.T) {
	e := newEnv(t)
	empty, err := cheapHasher(t).Hash("")
	require.NoError(t, err)
	_, err = e.svc.CreateUser(ctx, ipA, auth.System(), auth.CreateUserInput{Username: "hollow", PasswordHash: empty})
	require.ErrorIs(t, err, auth.ErrInvalidPasswordHash)
	for _, encoded := range []string{empty, "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"} {
		u, err := e.svc.CreateUser(ctx, ipA, auth.System(), auth.CreateUserInput{Username: "u" + encoded[1:5], PasswordHash: "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"})
		require.NoError(t, err)
		_, err = e.svc.LoginPassword(ctx, ipA, u.Username, "")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	// A bulk import does not verify each hash; sign-in still refuses "".
	rep, err := e.svc.ImportUsers(ctx, auth.System(), []importer.User{{Line: 1, Username: "imported", PasswordHash: empty}}, "", nil)
	require.NoError(t, err)
	require.Len(t, rep.Created, 1)
	_, err = e.svc.LoginPassword(ctx, ipA, "imported", "")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
}

// TestSignedInProbing (point 9): an email change answers the same for a
// registered and an unknown address, and is limited per user before
// anything is looked up.
func TestSignedInProbing(t *testing.T) {
	e := newEnv(t)
	e.user("taken")
	u := e.user("probe")
	p := e.principal("probe")
	for i := range 5 {
		addr := fmt.Sprintf("nobody%d@example.com", i)
		if i%2 == 0 {
			addr = "taken@example.com"
		}
		_, err := e.svc.ChangeEmail(ctx, ipA, p, u.ID, addr, nil)
		require.NoError(t, err, "attempt %d: %s", i, addr)
	}
	_, err := e.svc.ChangeEmail(ctx, ipA, p, u.ID, "taken@example.com", nil)
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl, "email changes are limited per user")
}

// TestResetThrottleIgnoresAccountState (point 10): a registered address
// and an unknown one see the same sequence of answers, even right after a
// verification code was sent to the registered one.
func TestResetThrottleIgnoresAccountState(t *testing.T) {
	e := newEnv(t)
	p := e.principal(e.user("ada").Username)
	_, err := e.svc.StartEmailVerification(ctx, ipA, p, p.UserID, nil)
	require.NoError(t, err)
	answers := func(email string) []bool {
		var out []bool
		for i := range 7 {
			c := auth.Client{IP: mustAddr(fmt.Sprintf("203.0.113.%d", i+1))}
			_, err := e.svc.StartPasswordReset(ctx, c, nil, email)
			out = append(out, err == nil)
		}
		return out
	}
	assert.Equal(t, answers("nobody@example.com"), answers("ada@example.com"))
}

// TestPerUserCaps (point 11): API tokens and TOTP enrollments are capped
// per user.
func TestPerUserCaps(t *testing.T) {
	e := newEnv(t)
	u := e.user("mint")
	p := e.principal("mint")
	for i := range 100 {
		_, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: fmt.Sprintf("t%d", i)})
		require.NoError(t, err)
	}
	_, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "one too many"})
	require.ErrorIs(t, err, auth.ErrAPITokenLimitReached)
	for range 10 {
		_, err := e.svc.EnrollTOTP(ctx, p, u.ID)
		require.NoError(t, err)
	}
	_, err = e.svc.EnrollTOTP(ctx, p, u.ID)
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
}

// TestNewPasswordContext (point 13): a new password equal to the username
// or the email's local part (digits or punctuation at its ends ignored) is
// refused at creation, change and reset.
func TestNewPasswordContext(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CreateUser(ctx, ipA, auth.System(), auth.CreateUserInput{Username: "margarethe", Email: "maggie@example.com", Password: "Margarethe2024!"})
	require.ErrorIs(t, err, auth.ErrInvalidPassword, "creation")
	u, err := e.svc.CreateUser(ctx, ipA, auth.System(), auth.CreateUserInput{Username: "margarethe", Email: "maggie@example.com", Password: goodPassword})
	require.NoError(t, err)
	require.ErrorIs(t, e.svc.ChangePassword(ctx, ipA, auth.System(), u.ID, nil, "!!maggie1987"), auth.ErrInvalidPassword, "change")
	id := e.startReset("maggie@example.com")
	require.ErrorIs(t, e.svc.ResetPassword(ctx, ipB, id, "margarethe99"), auth.ErrInvalidPassword, "reset")
	require.NoError(t, e.svc.ResetPassword(ctx, ipB, id, "margarethe-in-the-garden-42"), "not a substring rule")
}

// TestWrapImportedHashes (point 4): a host may have cheap imported hashes
// wrapped in Argon2id at import; the password still signs in, and the
// first sign-in stores a plain Argon2id hash. Costly formats stay as given.
func TestWrapImportedHashes(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.WrapImportedHashes = true })
	md5crypt := "$1$abcdefgh$MkMLP.I5SjnxKXOEtC4oR1" // openssl passwd -1 -salt abcdefgh secretpw
	bcrypt := "$2y$10$2qEnRCAfNknnWsbIsperfuZVZJDWnlKg4lEIUPm4wAQW/c49okDCG"
	rep, err := e.svc.ImportUsers(ctx, auth.System(), []importer.User{
		{Line: 1, Username: "cheap", PasswordHash: md5crypt},
		{Line: 2, Username: "costly", PasswordHash: bcrypt},
	}, "", nil)
	require.NoError(t, err)
	require.Len(t, rep.Created, 2)
	stored := func(name string) string {
		u, err := e.st.UserByUsername(ctx, name)
		require.NoError(t, err)
		return u.PasswordHash
	}
	assert.True(t, strings.HasPrefix(stored("cheap"), "$latch-wrap$"), "the md5crypt checksum is not stored")
	assert.NotContains(t, stored("cheap"), "MkMLP.I5SjnxKXOEtC4oR1")
	assert.Equal(t, bcrypt, stored("costly"))
	_, err = e.svc.LoginPassword(ctx, ipA, "cheap", "wrong password")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	_, err = e.svc.LoginPassword(ctx, ipA, "cheap", "secretpw")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(stored("cheap"), "$argon2id$"), "upgraded at the first sign-in")
}
