package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
)

func TestEmbeddedMux(t *testing.T) {
	t.Parallel()
	svc, err := auth.New(memstore.New(), auth.Config{SealingKey: bytes.Repeat([]byte{9}, 32)})
	require.NoError(t, err)
	for _, u := range []auth.CreateUserInput{
		{Username: "boss", Password: "boss-password", Permissions: []string{"view_reports"}},
		{Username: "intern", Password: "intern-password"},
	} {
		_, err := svc.CreateUser(context.Background(), auth.Client{}, auth.System(), u)
		require.NoError(t, err)
	}
	mux, err := newMux(svc, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path, token string) (int, string, http.Header) {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b), resp.Header
	}
	token := func(user, password string) string {
		body := `{"identifier":"` + user + `","password":"` + password + `"}`
		resp, err := srv.Client().Post(srv.URL+"/auth/login/password", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		var out struct {
			AccessToken string `json:"access_token"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out.AccessToken
	}

	code, body, _ := get("/hello", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "hello\n", body)
	code, body, _ = get("/auth/healthz", "")
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"status":"ok"}`, body)

	code, body, hdr := get("/reports", "")
	assert.Equal(t, 401, code)
	assert.JSONEq(t, `{"error":"UNAUTHORIZED"}`, body)
	assert.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")

	boss := token("boss", "boss-password")
	code, body, _ = get("/reports", "Bearer "+boss)
	assert.Equal(t, 200, code)
	assert.Equal(t, "reports for boss (access_token)\n", body)
	code, body, _ = get("/reports", "JWT "+boss) // SecObserve's scheme
	assert.Equal(t, 200, code)

	intern := token("intern", "intern-password")
	code, body, _ = get("/reports", "Bearer "+intern)
	assert.Equal(t, 403, code)
	assert.JSONEq(t, `{"error":"FORBIDDEN"}`, body)
	code, body, _ = get("/whoami", "Bearer "+intern)
	assert.Equal(t, 200, code)
	assert.Equal(t, "intern\n", body)
}
