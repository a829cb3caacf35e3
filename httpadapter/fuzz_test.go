package httpadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// FuzzHandler sends arbitrary requests through the whole handler: it never
// panics, answers within the documented statuses, always with
// Cache-Control: no-store, and every error body is {"error":"CODE"}, with
// a short "message" only on 400, 409 and 413.
func FuzzHandler(f *testing.F) {
	f.Add("POST", "/login/password", "application/json", `{"identifier":"a","password":"b"}`, "")
	f.Add("POST", "/password-reset", "application/json", `{"email":"a@example.com"}`, "")
	f.Add("POST", "/password-reset/x/verify-email", "application/json", `{"code":"1"}`, "")
	f.Add("POST", "/reset-password", "application/json; charset=utf-8", `{"request_id":"x","password":"12345678"}`, "")
	f.Add("GET", "/users/x", "", "", "Bearer lt_x")
	f.Add("PATCH", "/users/x", "application/json", `{"email":null}`, "JWT a.b.c")
	f.Add("GET", "/token", "", "", "Basic YTpi")
	f.Add("DELETE", "/healthz", "", "", "")
	f.Add("GET", "/../x", "", "", "")
	f.Add("POST", "/users", "text/plain", "\xff", "")

	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{
		SealingKey: bytes.Repeat([]byte{9}, 32),
		Hasher:     fastHasher(f),
		Now:        func() time.Time { return start },
	})
	if err != nil {
		f.Fatal(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{})
	if err != nil {
		f.Fatal(err)
	}
	messageStatuses := map[int]bool{400: true, 409: true, 413: true}
	documented := map[int]bool{200: true, 201: true, 202: true, 204: true, 400: true, 401: true, 403: true, 404: true, 405: true, 409: true, 413: true, 429: true}

	f.Fuzz(func(t *testing.T, method, path, contentType, body, authz string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n?#%") || len(path) > 512 {
			return
		}
		req, err := http.NewRequest(method, "http://latch.test"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.RemoteAddr = "192.0.2.1:1"
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !documented[rec.Code] {
			t.Fatalf("%s %s: status %d %s", method, path, rec.Code, rec.Body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%s %s: no Cache-Control", method, path)
		}
		if rec.Code >= 400 {
			var e map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e["error"] == "" {
				t.Fatalf("%s %s: error body %q", method, path, rec.Body)
			}
			msg, hasMsg := e["message"]
			if len(e) != 1 && !(len(e) == 2 && hasMsg && msg != "" && messageStatuses[rec.Code] && len(msg) <= 512) {
				t.Fatalf("%s %s: error body %q", method, path, rec.Body)
			}
		}
	})
}
