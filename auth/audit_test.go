package auth_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAuditEvents runs every kind of event through a JSON logger and
// checks the events are there and that no secret ever is.
func TestAuditEvents(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	e := newEnv(t, func(c *auth.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	u := e.user("logan", auth.PermAll)
	secrets := []string{goodPassword, "wrong password typed"}
	_, err := e.svc.LoginPassword(ctx, ipA, "logan", secrets[1])
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	p := e.principal("logan")
	key, codes := e.enableTOTP(p)
	secrets = append(secrets, codes...)
	res, err := e.svc.LoginPassword(ctx, ipA, "logan", goodPassword)
	require.NoError(t, err)
	secrets = append(secrets, res.ChallengeToken)
	code := e.code(key)
	secrets = append(secrets, code)
	_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, "999999")
	require.ErrorIs(t, err, auth.ErrIncorrectCode)
	done, err := e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, code)
	require.NoError(t, err)
	secrets = append(secrets, done.Token.AccessToken)
	tok, err := e.svc.CreateAPIToken(ctx, ipA, p, u.ID, auth.CreateAPITokenInput{Name: "x"})
	require.NoError(t, err)
	secrets = append(secrets, tok.Token)
	require.NoError(t, e.svc.RevokeAPIToken(ctx, p, u.ID, tok.ID))
	pr, err := e.svc.StartPasswordReset(ctx, ipA, p, "logan@example.com")
	require.NoError(t, err)
	secrets = append(secrets, pr.Code, pr.ID) // the reset request's ID is a credential too
	require.ErrorIs(t, e.svc.VerifyPasswordResetEmail(ctx, ipA, pr.ID, "00000000"), auth.ErrIncorrectCode)
	ev, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, nil)
	require.NoError(t, err)
	secrets = append(secrets, ev.ID)
	require.NoError(t, e.svc.ChangePassword(ctx, ipA, p, u.ID, nil, "a new secret password"))
	secrets = append(secrets, "a new secret password")
	_, err = e.svc.RotateSigningKey(ctx, p)
	require.NoError(t, err)

	out := buf.String()
	for _, ev := range []string{"auth.user_created", "auth.sign_in_failed", "auth.sign_in", "auth.totp_enabled",
		"auth.second_factor_required", "auth.code_rejected", "auth.api_token_created", "auth.api_token_revoked",
		"auth.password_reset_started", "auth.email_verification_started", "auth.password_changed", "auth.signing_key_rotated"} {
		assert.Contains(t, out, `"msg":"`+ev+`"`, ev)
	}
	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.NotContains(t, out, s)
	}
	assert.NotContains(t, strings.ToLower(out), "password\":")
}

func TestNoNotifier(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	e := newEnv(t, func(c *auth.Config) {
		c.Notifier = nil
		c.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	})
	e.user("nora")
	pr, err := e.svc.StartPasswordReset(ctx, ipA, nil, "nora@example.com")
	require.NoError(t, err)
	assert.Empty(t, pr.Code)
	assert.Contains(t, buf.String(), "auth.code_not_delivered")
}

// TestOverlongPasswordSignIn checks that a password over the length limit
// is a wrong password, for known and unknown users alike, and not logged
// as a broken stored hash (which anyone could otherwise flood).
func TestOverlongPasswordSignIn(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	e := newEnv(t, func(c *auth.Config) { c.Logger = slog.New(slog.NewJSONHandler(&buf, nil)) })
	e.user("olga")
	long := strings.Repeat("x", 5000)
	for _, who := range []string{"olga", "nobody"} {
		_, err := e.svc.LoginPassword(ctx, ipA, who, long)
		assert.ErrorIs(t, err, auth.ErrInvalidCredentials, who)
	}
	assert.NotContains(t, buf.String(), "auth.password_hash_unusable")
	assert.Contains(t, buf.String(), "auth.sign_in_failed")
	e.login("olga")
}
