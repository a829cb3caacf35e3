package httpadapter_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// discardWriter is a ResponseWriter that costs nothing, so the in-process
// benchmarks measure the middleware rather than a recorder. It keeps the
// last status written (0 for an implicit 200).
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

var okBody = []byte("ok")

// bareHandler is the host route every variant ends in.
var bareHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(okBody)
})

type benchClaims struct {
	jwt.RegisteredClaims
	Permissions []string `json:"permissions"`
}

type benchKey struct{}

// golangJWT is the comparison: a bare golang-jwt middleware (HS256, audience
// and expiry checked, permission checked) with no revocation checks at all.
func golangJWT(key []byte, perm string, next http.Handler) http.Handler {
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience("latch"), jwt.WithExpirationRequired())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var c benchClaims
		if _, err := parser.ParseWithClaims(raw, &c, keyFunc); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if !slices.Contains(c.Permissions, perm) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), benchKey{}, &c)))
	})
}

type benchCase struct {
	name    string
	handler http.Handler
	authz   string
}

func benchSetup(b *testing.B) []benchCase {
	ctx := context.Background()
	svc, err := auth.New(b.Context(), memstore.New(), auth.Config{SealingKey: bytes.Repeat([]byte{3}, 32)})
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "bench", Password: "bench-password", Permissions: []string{"view_reports"},
	})
	if err != nil {
		b.Fatal(err)
	}
	login, err := svc.LoginPassword(ctx, auth.Client{}, "bench", "bench-password")
	if err != nil {
		b.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, auth.Client{}, login.Token.AccessToken)
	if err != nil {
		b.Fatal(err)
	}
	apiTok, err := svc.CreateAPIToken(ctx, auth.Client{}, p, u.ID, auth.CreateAPITokenInput{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{})
	if err != nil {
		b.Fatal(err)
	}
	guarded := h.Require("view_reports")(bareHandler)

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	now := time.Now()
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, benchClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: u.ID, Audience: jwt.ClaimStrings{"latch"}, ID: "bench-jti",
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Permissions: []string{"view_reports"},
	}).SignedString(key)
	if err != nil {
		b.Fatal(err)
	}
	return []benchCase{
		{"bare", bareHandler, ""},
		{"require-apitoken", guarded, "Bearer " + apiTok.Token},
		{"require-jwt", guarded, "Bearer " + login.Token.AccessToken},
		{"golang-jwt", golangJWT(key, "view_reports", bareHandler), "Bearer " + signed},
	}
}

// BenchmarkRequire compares a host route behind Require (every revocation
// check on: the store is read for the API token or the JWT's revocation and
// user on every request) with the same bare handler and with a bare
// golang-jwt middleware. "inprocess" calls ServeHTTP directly; "loopback"
// goes through a real HTTP/1.1 keep-alive connection on 127.0.0.1.
func BenchmarkRequire(b *testing.B) {
	cases := benchSetup(b)
	b.Run("inprocess", func(b *testing.B) {
		for _, bc := range cases {
			b.Run(bc.name, func(b *testing.B) {
				req := httptest.NewRequest("GET", "/reports", nil)
				req.RemoteAddr = "192.0.2.1:40000"
				if bc.authz != "" {
					req.Header.Set("Authorization", bc.authz)
				}
				w := &discardWriter{h: http.Header{}}
				bc.handler.ServeHTTP(w, req) // warm up, and measure only success
				if w.status != 0 && w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
				b.ReportAllocs()
				for b.Loop() {
					bc.handler.ServeHTTP(w, req)
				}
			})
		}
	})
	b.Run("loopback", func(b *testing.B) {
		for _, bc := range cases {
			b.Run(bc.name, func(b *testing.B) {
				get := loopbackGet(b, bc)
				get()
				b.ReportAllocs()
				for b.Loop() {
					get()
				}
			})
		}
	})
}

// BenchmarkRequirePaired sends, on every iteration, one request to each
// guarded variant and one to the bare handler, over real HTTP/1.1
// keep-alive connections on 127.0.0.1 (rotating the order), so every
// variant sees the same load, and reports each variant's throughput
// relative to the bare handler's (higher is better; 1.0 is the bare
// handler's throughput) two ways:
//
//   - "<variant>/bare": the bare handler receives the very same request,
//     Authorization header included, so the ratio is what the middleware
//     costs (goal: at least 0.9 with an API token and with an HS256 JWT,
//     every revocation check on);
//   - "<variant>/bare-noauth": the bare handler receives the request
//     without the header, so the ratio also charges the middleware for
//     sending and parsing the credential.
func BenchmarkRequirePaired(b *testing.B) {
	cases := benchSetup(b)
	type target struct {
		name  string
		get   func()
		spent time.Duration
		base  *target // the bare handler sent the same request; nil for bare itself
	}
	var targets []*target
	add := func(bc benchCase) *target {
		t := &target{name: bc.name, get: loopbackGet(b, bc)}
		t.get()
		targets = append(targets, t)
		return t
	}
	noauth := add(cases[0])
	for _, bc := range cases[1:] {
		base := add(benchCase{"bare+" + bc.name, bareHandler, bc.authz})
		add(bc).base = base
	}
	i := 0
	for b.Loop() {
		for k := range targets {
			t := targets[(k+i)%len(targets)] // rotate the order
			t0 := time.Now()
			t.get()
			t.spent += time.Since(t0)
		}
		i++
	}
	for _, t := range targets {
		if t.base == nil {
			continue
		}
		b.ReportMetric(float64(t.base.spent)/float64(t.spent), t.name+"/bare")
		b.ReportMetric(float64(noauth.spent)/float64(t.spent), t.name+"/bare-noauth")
	}
}

// loopbackGet serves bc.handler on 127.0.0.1 until b ends and returns a
// function that sends one keep-alive GET /reports with bc's credential and
// fails b unless the answer is 200.
func loopbackGet(b *testing.B, bc benchCase) func() {
	srv := httptest.NewServer(bc.handler)
	b.Cleanup(srv.Close)
	client := srv.Client()
	req, err := http.NewRequest("GET", srv.URL+"/reports", nil)
	if err != nil {
		b.Fatal(err)
	}
	if bc.authz != "" {
		req.Header.Set("Authorization", bc.authz)
	}
	return func() {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: status %d", bc.name, resp.StatusCode)
		}
	}
}
