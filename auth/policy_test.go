package auth_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
)

// TestNewPasswordsAreChecked: creation, sign-up, change (by an
// administrator and by the user) and reset all refuse a common password
// with a reason that does not echo it, and accept a good one.
func TestNewPasswordsAreChecked(t *testing.T) {
	t.Parallel()
	const bad = "Sunshine2024!"
	e := newEnv(t, func(c *auth.Config) { c.AllowSignup = true })
	e.user("admin", auth.PermAll)
	u := e.user("pia")
	boss := e.principal("admin")
	current := goodPassword

	// Rows run in order: each good password is pia's from then on (a
	// change ends her sessions and reset requests, so each row starts
	// what it needs).
	for _, tc := range []struct {
		name, good string
		set        func(t *testing.T, pw string) error
	}{
		{"create", "quinn's good password", func(t *testing.T, pw string) error {
			_, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "quinn", Password: pw})
			return err
		}},
		{"sign-up", "rosa's good password", func(t *testing.T, pw string) error {
			_, err := e.svc.CreateUser(ctx, ipA, nil, auth.CreateUserInput{Username: "rosa", Password: pw})
			return err
		}},
		{"change by the user", "pia's first new password", func(t *testing.T, pw string) error {
			return e.svc.ChangePassword(ctx, ipA, e.principalWith("pia", current), u.ID, &current, pw)
		}},
		{"change by an administrator", "pia's second new password", func(t *testing.T, pw string) error {
			return e.svc.ChangePassword(ctx, ipA, boss, u.ID, nil, pw)
		}},
		{"reset", "pia's third new password", func(t *testing.T, pw string) error {
			pr, err := e.svc.StartPasswordReset(ctx, ipA, nil, "pia@example.com")
			require.NoError(t, err)
			require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipA, pr.ID, e.notes.get("reset:pia@example.com")))
			return e.svc.ResetPassword(ctx, ipA, pr.ID, pw)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.set(t, bad)
			require.ErrorIs(t, err, auth.ErrInvalidPassword)
			assert.Equal(t, "auth: invalid password: is a commonly used password", err.Error())
			assert.NotContains(t, err.Error(), "unshine")
			require.NoError(t, tc.set(t, tc.good))
			if tc.name != "create" && tc.name != "sign-up" {
				current = tc.good
			}
		})
	}
	_, err := e.svc.LoginPassword(ctx, ipA, "pia", current)
	require.NoError(t, err, "the reset set the good password")
}

// principalWith authenticates a fresh access token of the user signed in
// with password.
func (e *env) principalWith(name, password string) *auth.Principal {
	e.t.Helper()
	res, err := e.svc.LoginPassword(ctx, ipA, name, password)
	require.NoError(e.t, err)
	p, err := e.svc.Authenticate(ctx, ipA, res.Token.AccessToken)
	require.NoError(e.t, err)
	return p
}

// TestExistingPasswordsAreNotChecked: a pre-hashed import of a common
// password is accepted, and signing in with it works (and re-hashes it).
func TestExistingPasswordsAreNotChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	encoded, err := cheapHasher(t).Hash("password")
	require.NoError(t, err)
	_, err = e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "old", PasswordHash: encoded})
	require.NoError(t, err)
	for range 2 {
		res, err := e.svc.LoginPassword(ctx, ipA, "old", "password")
		require.NoError(t, err)
		require.NotNil(t, res.Token)
	}
}

func TestPasswordPolicyConfig(t *testing.T) {
	t.Parallel()
	create := func(e *env, pw string) error {
		_, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "tess", Password: pw})
		return err
	}
	for _, tc := range []struct {
		name string
		cfg  func(*auth.Config)
		pw   string
		want string // the reason; "" for accepted
	}{
		{"default issuer", nil, "Latch-2026", "is the service name"},
		{"own issuer", func(c *auth.Config) { c.Issuer = "Acme Files" }, "acme files 2026!", "is the service name"},
		{"default issuer allowed with another", func(c *auth.Config) { c.Issuer = "Acme Files" }, "Latch-2026", ""},
		{"extra word", func(c *auth.Config) { c.PasswordPolicy.ExtraWords = []string{"Globex"} }, "globex!2026", "is a word this service refuses"},
		{"common by default", nil, "iloveyou2", "is a commonly used password"},
		{"sequence by default", nil, "0987654321", "is a repeated or sequential string"},
		{"AllowCommon: common", func(c *auth.Config) { c.PasswordPolicy.AllowCommon = true }, "iloveyou2", ""},
		{"AllowCommon: sequence", func(c *auth.Config) { c.PasswordPolicy.AllowCommon = true }, "0987654321", ""},
		{"AllowCommon: issuer", func(c *auth.Config) { c.PasswordPolicy.AllowCommon = true }, "Latch-2026", ""},
		{"AllowCommon keeps the length", func(c *auth.Config) { c.PasswordPolicy.AllowCommon = true }, "1234567", "must be 8 to 128 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []option
			if tc.cfg != nil {
				opts = append(opts, tc.cfg)
			}
			err := create(newEnv(t, opts...), tc.pw)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, auth.ErrInvalidPassword)
			assert.Equal(t, "auth: invalid password: "+tc.want, err.Error())
		})
	}
}

// New passwords are checked against a list of common passwords, the
// service's name and trivial patterns; the error says why, without the
// password.
func ExamplePasswordPolicy() {
	ctx := context.Background()
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{
		SealingKey:     exampleKey,
		Issuer:         "Acme Files",
		PasswordPolicy: auth.PasswordPolicy{ExtraWords: []string{"Globex"}},
	})
	if err != nil {
		panic(err)
	}
	for _, pw := range []string{"Password1!", "acme files 2026", "globex-2026", "abcd1234efgh", "Tr0ub4dor&3"} {
		_, err := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "dana", Password: pw})
		fmt.Println(err)
	}
	// Output:
	// auth: invalid password: is a commonly used password
	// auth: invalid password: is the service name
	// auth: invalid password: is a word this service refuses
	// auth: invalid password: is a repeated or sequential string
	// <nil>
}
