package client_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/client"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

const adminPassword = "admin-password-1"

// newServer runs the real handler on memstore, mounted at /api/v1, with an
// admin user, and returns a generated client for it.
func newServer(t *testing.T) *client.ClientWithResponses {
	t.Helper()
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	svc, err := auth.New(t.Context(), st, auth.Config{SealingKey: bytes.Repeat([]byte{3}, 32)})
	require.NoError(t, err)
	_, err = svc.CreateUser(t.Context(), auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "admin", Password: adminPassword, Permissions: []string{auth.PermAll},
	})
	require.NoError(t, err)
	h, err := httpadapter.New(svc, httpadapter.Config{})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := client.NewClientWithResponses(srv.URL+"/api/v1", client.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	return c
}

// bearer sends token as the request's credential.
func bearer(token string) client.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

func ptr[T any](v T) *T { return &v }

// TestClientEndToEnd: sign in, create a user, enroll TOTP (the code from
// pquerna/otp), sign in with the second factor, create an API token, use
// it, revoke it; and the errors decode with their codes and messages.
func TestClientEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := newServer(t)

	health, err := c.HealthzWithResponse(ctx)
	require.NoError(t, err)
	require.NotNil(t, health.JSON200, "%s", health.Body)
	assert.Equal(t, client.Ok, health.JSON200.Status)

	// Sign in as admin.
	login, err := c.LoginPasswordWithResponse(ctx, client.LoginPasswordJSONRequestBody{Identifier: "admin", Password: adminPassword})
	require.NoError(t, err)
	require.NotNil(t, login.JSON200, "%d %s", login.StatusCode(), login.Body)
	ok, err := login.JSON200.AsLoginSuccess()
	require.NoError(t, err)
	require.Equal(t, client.LoginSuccessTokenTypeBearer, ok.TokenType)
	admin := ok.AccessToken

	// Create a user; a password outside the policy says what the policy is.
	short, err := c.CreateUserWithResponse(ctx, client.CreateUserJSONRequestBody{Username: "alice", Password: ptr("short")}, bearer(admin))
	require.NoError(t, err)
	require.NotNil(t, short.JSON400, "%d %s", short.StatusCode(), short.Body)
	assert.Equal(t, client.INVALIDPASSWORD, short.JSON400.Error)
	require.NotNil(t, short.JSON400.Message)
	assert.Contains(t, *short.JSON400.Message, "a password must be 8 to 128 characters")
	created, err := c.CreateUserWithResponse(ctx, client.CreateUserJSONRequestBody{
		Username: "alice", Email: ptr("alice@example.com"), Password: ptr("alice-password-1"),
	}, bearer(admin))
	require.NoError(t, err)
	require.NotNil(t, created.JSON201, "%d %s", created.StatusCode(), created.Body)
	alice := created.JSON201
	assert.Equal(t, "alice", alice.Username)
	assert.Nil(t, alice.LastLoginAt)

	// Alice signs in and enrolls TOTP.
	login, err = c.LoginPasswordWithResponse(ctx, client.LoginPasswordJSONRequestBody{Identifier: "alice", Password: "alice-password-1"})
	require.NoError(t, err)
	require.NotNil(t, login.JSON200, "%s", login.Body)
	ok, err = login.JSON200.AsLoginSuccess()
	require.NoError(t, err)
	aliceTok := ok.AccessToken
	enrolled, err := c.EnrollTOTPWithResponse(ctx, alice.Id, bearer(aliceTok))
	require.NoError(t, err)
	require.NotNil(t, enrolled.JSON200, "%d %s", enrolled.StatusCode(), enrolled.Body)
	png, err := enrolled.JSON200.QrPng.Bytes()
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))
	code, err := pqtotp.GenerateCode(enrolled.JSON200.Secret, time.Now())
	require.NoError(t, err)
	activated, err := c.ActivateTOTPWithResponse(ctx, alice.Id, client.ActivateTOTPJSONRequestBody{Code: code}, bearer(aliceTok))
	require.NoError(t, err)
	require.NotNil(t, activated.JSON201, "%d %s", activated.StatusCode(), activated.Body)
	require.Len(t, activated.JSON201.RecoveryCodes, 10)

	// Signing in now needs the second factor: here a recovery code.
	login, err = c.LoginPasswordWithResponse(ctx, client.LoginPasswordJSONRequestBody{Identifier: "alice", Password: "alice-password-1"})
	require.NoError(t, err)
	require.NotNil(t, login.JSON200, "%s", login.Body)
	challenge, err := login.JSON200.AsSecondFactorRequired()
	require.NoError(t, err)
	require.NotEmpty(t, challenge.ChallengeToken)
	second, err := c.LoginRecoveryCodeWithResponse(ctx, client.LoginRecoveryCodeJSONRequestBody{
		ChallengeToken: challenge.ChallengeToken, RecoveryCode: activated.JSON201.RecoveryCodes[0],
	})
	require.NoError(t, err)
	require.NotNil(t, second.JSON200, "%d %s", second.StatusCode(), second.Body)
	aliceTok = second.JSON200.AccessToken

	// An API token: create, use, revoke.
	tok, err := c.CreateAPITokenWithResponse(ctx, alice.Id, client.CreateAPITokenJSONRequestBody{Name: "ci"}, bearer(aliceTok))
	require.NoError(t, err)
	require.NotNil(t, tok.JSON201, "%d %s", tok.StatusCode(), tok.Body)
	assert.Equal(t, "ci", tok.JSON201.Name)
	me, err := c.GetMeWithResponse(ctx, bearer(tok.JSON201.Token))
	require.NoError(t, err)
	require.NotNil(t, me.JSON200, "%d %s", me.StatusCode(), me.Body)
	assert.Equal(t, alice.Id, me.JSON200.Id)
	assert.True(t, me.JSON200.TotpEnabled)
	list, err := c.ListAPITokensWithResponse(ctx, alice.Id, bearer(aliceTok))
	require.NoError(t, err)
	require.NotNil(t, list.JSON200, "%s", list.Body)
	require.Len(t, list.JSON200.ApiTokens, 1)
	revoked, err := c.RevokeAPITokenWithResponse(ctx, alice.Id, tok.JSON201.Id, bearer(aliceTok))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, revoked.StatusCode(), "%s", revoked.Body)
	me, err = c.GetMeWithResponse(ctx, bearer(tok.JSON201.Token))
	require.NoError(t, err)
	require.NotNil(t, me.JSON401, "%d %s", me.StatusCode(), me.Body)
	assert.Equal(t, client.UNAUTHORIZED, me.JSON401.Error)
	assert.Equal(t, "Bearer", me.HTTPResponse.Header.Get("WWW-Authenticate"))
}
