package httpadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// ExampleNew_mount mounts the REST API under /api/v1 of a host's mux with
// http.StripPrefix, next to a host route guarded by Require.
func ExampleNew_mount() {
	// A fixed clock keeps the output stable; real hosts leave Now nil.
	now := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{
		SealingKey: bytes.Repeat([]byte{1}, 32), // 32 random bytes from the host's secrets in practice
		Now:        now,
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = svc.CreateUser(context.Background(), auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "admin", Password: "correct horse battery staple", Permissions: []string{auth.PermAll},
	})
	if err != nil {
		log.Fatal(err)
	}

	h, err := httpadapter.New(svc, httpadapter.Config{})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", h))
	mux.Handle("GET /reports", h.Require("view_reports")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := httpadapter.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "reports for %s", p.Username)
	})))

	serve := func(method, path, token, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.RemoteAddr = "192.0.2.1:50000"
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}

	rec := serve("GET", "/api/v1/healthz", "", "")
	fmt.Println(rec.Code, rec.Body.String())

	rec = serve("POST", "/api/v1/login/password", "", `{"identifier":"admin","password":"correct horse battery staple"}`)
	var login struct {
		AccessToken string    `json:"access_token"`
		TokenType   string    `json:"token_type"`
		ExpiresAt   time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &login); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, login.TokenType, login.ExpiresAt, rec.Header().Get("Cache-Control"))

	rec = serve("GET", "/reports", "", "")
	fmt.Println(rec.Code, rec.Body.String(), rec.Header().Get("WWW-Authenticate"))
	rec = serve("GET", "/reports", login.AccessToken, "")
	fmt.Println(rec.Code, rec.Body.String())
	rec = serve("GET", "/api/v1/nope", "", "")
	fmt.Println(rec.Code, rec.Body.String())

	// Output:
	// 200 {"status":"ok"}
	// 200 Bearer 2030-01-02 03:19:05 +0000 UTC no-store
	// 401 {"error":"UNAUTHORIZED"} Bearer
	// 200 reports for admin
	// 404 {"error":"NOT_FOUND"}
}

// ExampleHandler_Require guards a host route with the permissions it needs;
// the handler behind it finds the caller with PrincipalFrom.
func ExampleHandler_Require() {
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		log.Fatal(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{})
	if err != nil {
		log.Fatal(err)
	}
	reports := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := httpadapter.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "hello %s", p.Username)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /reports", h.Require("view_reports")(reports))

	req := httptest.NewRequest("GET", "/reports", nil)
	req.Header.Set("Authorization", "APIToken lt_not-a-real-token")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 401 {"error":"UNAUTHORIZED"}
}
