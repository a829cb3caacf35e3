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
	svc, err := auth.New(t.Context(), memstore.New(), auth.Config{SealingKey: bytes.Repeat([]byte{9}, 32)})
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
	assert.Equal(t, "reports for boss (access_token)\n", body)

	// An API token created through the mounted API works on host routes
	// until it is revoked there.
	var bossID struct {
		ID string `json:"id"`
	}
	code, body, _ = get("/auth/me", "Bearer "+boss)
	require.Equal(t, http.StatusOK, code, body)
	require.NoError(t, json.Unmarshal([]byte(body), &bossID))
	req, err := http.NewRequest("POST", srv.URL+"/auth/users/"+bossID.ID+"/api-tokens", strings.NewReader(`{"name":"ci"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+boss)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	var apiTok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	require.Equal(t, 201, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&apiTok))
	resp.Body.Close()
	code, body, _ = get("/reports", "APIToken "+apiTok.Token)
	assert.Equal(t, 200, code)
	assert.Equal(t, "reports for boss (api_token)\n", body)
	req, err = http.NewRequest("DELETE", srv.URL+"/auth/users/"+bossID.ID+"/api-tokens/"+apiTok.ID, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+boss)
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 204, resp.StatusCode)
	code, body, _ = get("/reports", "Bearer "+apiTok.Token)
	assert.Equal(t, 401, code)
	assert.JSONEq(t, `{"error":"UNAUTHORIZED"}`, body)

	intern := token("intern", "intern-password")
	code, body, _ = get("/reports", "Bearer "+intern)
	assert.Equal(t, 403, code)
	assert.JSONEq(t, `{"error":"FORBIDDEN"}`, body)
	code, body, _ = get("/whoami", "Bearer "+intern)
	assert.Equal(t, 200, code)
	assert.Equal(t, "intern\n", body)
}
