package httpadapter_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// observed is a host with the API under /api/v1, a guarded host route and
// a public one, behind Observe, with JSON logs through LogHandler.
type observed struct {
	svc     *auth.Service
	srv     *httptest.Server
	logs    *syncBuffer
	setup   int // bytes of log written before the first request
	mu      sync.Mutex
	records []httpadapter.RequestRecord
}

func newObserved(t *testing.T) *observed {
	t.Helper()
	o := &observed{logs: &syncBuffer{}}
	logger := slog.New(httpadapter.LogHandler(slog.NewJSONHandler(o.logs, nil)))
	svc, err := auth.New(t.Context(), memstore.New(), auth.Config{SealingKey: make([]byte, 32), Hasher: fastHasher(t), Logger: logger})
	require.NoError(t, err)
	o.svc = svc
	h, err := httpadapter.New(svc, httpadapter.Config{Logger: logger})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", h))
	mux.Handle("GET /reports/{id}", h.Require()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "host route", "id_len", len(r.PathValue("id")))
		_, _ = io.WriteString(w, httpadapter.RequestIDFrom(r.Context()))
	})))
	mux.HandleFunc("GET /public", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	handler := h.Observe(httpadapter.ObserveConfig{
		AccessLog: logger,
		OnRequest: func(_ context.Context, rec httpadapter.RequestRecord) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.records = append(o.records, rec)
		},
	})(mux)
	o.srv = httptest.NewServer(handler)
	t.Cleanup(o.srv.Close)
	_, err = svc.CreateUser(context.Background(), auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "alice", Email: "alice@example.com", Password: "alice-password-1",
	})
	require.NoError(t, err)
	o.setup = len(o.logs.String())
	return o
}

func (o *observed) do(t *testing.T, method, path, body string, header map[string]string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, o.srv.URL+path, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := o.srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// lines decodes every JSON log line.
func (o *observed) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(o.logs.String()[o.setup:]))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	return out
}

func TestObserveRequestID(t *testing.T) {
	t.Parallel()
	o := newObserved(t)
	generated := regexp.MustCompile(`^[A-Z2-7]{10}-[0-9]+$`)
	tests := []struct {
		name   string
		sent   string
		keep   bool
		header bool
	}{
		{"well-formed", "req-1.A_b", true, true},
		{"64 characters", strings.Repeat("a", 64), true, true},
		{"65 characters", strings.Repeat("a", 65), false, true},
		{"space", "req 1", false, true},
		{"newline", "req\n1", false, true},
		{"quote", `req"1`, false, true},
		{"non-ASCII", "réq", false, true},
		{"empty", "", false, true},
		{"absent", "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest("GET", o.srv.URL+"/api/v1/healthz", nil)
			require.NoError(t, err)
			if tc.header {
				req.Header["X-Request-Id"] = []string{tc.sent}
			}
			resp, err := o.srv.Client().Do(req)
			if err != nil {
				// The client refuses to send some values (a newline).
				require.False(t, tc.keep)
				return
			}
			defer resp.Body.Close()
			got := resp.Header.Get("X-Request-ID")
			if tc.keep {
				assert.Equal(t, tc.sent, got)
			} else {
				assert.Regexp(t, generated, got)
			}
		})
	}
}

func TestObserveAccessLog(t *testing.T) {
	t.Parallel()
	o := newObserved(t)

	resp := o.do(t, "POST", "/api/v1/login/password", `{"identifier":"alice","password":"alice-password-1"}`, map[string]string{"X-Request-ID": "login-1"})
	require.Equal(t, 200, resp.StatusCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))

	resp = o.do(t, "POST", "/api/v1/password-reset", `{"email":"alice@example.com"}`, map[string]string{"X-Request-ID": "reset-1"})
	require.Equal(t, 202, resp.StatusCode)
	var reset struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&reset))
	resp = o.do(t, "GET", "/api/v1/password-reset/"+reset.ID, "", map[string]string{"X-Request-ID": "reset-2"})
	require.Equal(t, 200, resp.StatusCode)

	resp = o.do(t, "GET", "/reports/r-42", "", map[string]string{"Authorization": "Bearer " + tok.AccessToken, "X-Request-ID": "report-1"})
	require.Equal(t, 200, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "report-1", string(b), "RequestIDFrom in the host's handler")

	resp = o.do(t, "GET", "/public", "", map[string]string{"X-Request-ID": "public-1"})
	require.Equal(t, http.StatusTeapot, resp.StatusCode)
	resp = o.do(t, "GET", "/api/v1/nowhere", "", map[string]string{"X-Request-ID": "missing-1"})
	require.Equal(t, 404, resp.StatusCode)
	resp = o.do(t, "GET", "/api/v1/me", "", map[string]string{"Authorization": "Bearer not-a-token", "X-Request-ID": "bad-1"})
	require.Equal(t, 401, resp.StatusCode)

	lines := o.lines(t)
	access := map[string]map[string]any{}
	byID := map[string][]string{}
	for _, l := range lines {
		id, _ := l["request_id"].(string)
		require.NotEmpty(t, id, "every line of a request carries its ID: %v", l)
		byID[id] = append(byID[id], l["msg"].(string))
		if l["msg"] == "http request" {
			access[id] = l
		}
	}
	userID := func() string {
		p, err := o.svc.Authenticate(context.Background(), auth.Client{}, tok.AccessToken)
		require.NoError(t, err)
		return p.UserID
	}()
	tests := []struct {
		id, method, route string
		status            float64
		userID            string
	}{
		{"login-1", "POST", "POST /login/password", 200, ""},
		{"reset-1", "POST", "POST /password-reset", 202, ""},
		{"reset-2", "GET", "GET /password-reset/{request_id}", 200, ""},
		{"report-1", "GET", "GET /reports/{id}", 200, userID},
		{"public-1", "GET", "GET /public", 418, ""},
		{"missing-1", "GET", "/api/v1/", 404, ""},
		{"bad-1", "GET", "GET /me", 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			l := access[tc.id]
			require.NotNil(t, l, "one access line for %s", tc.id)
			assert.Equal(t, tc.method, l["method"])
			assert.Equal(t, tc.route, l["route"])
			assert.Equal(t, tc.status, l["status"])
			assert.Equal(t, tc.userID, l["user_id"])
			assert.Equal(t, "127.0.0.1", l["ip"])
			assert.Contains(t, l, "duration")
		})
	}
	assert.Contains(t, byID["login-1"], "auth.sign_in", "auth's audit line carries the request ID")
	assert.Contains(t, byID["report-1"], "host route")
	assert.Len(t, access, len(tests))

	all := o.logs.String()
	for _, secret := range []string{tok.AccessToken, reset.ID, "alice-password-1", "not-a-token", "r-42", "nowhere"} {
		assert.NotContains(t, all, secret)
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	require.Len(t, o.records, len(tests))
	for _, rec := range o.records {
		assert.Equal(t, access[rec.ID]["route"], rec.Route)
		assert.Positive(t, rec.Duration)
		assert.True(t, rec.ClientIP.IsLoopback())
	}
}

// TestLogHandler checks the request_id attribute: once per line, on
// records of any size, and never outside a request.
func TestLogHandler(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(httpadapter.LogHandler(slog.NewTextHandler(&buf, nil))).With("app", "x")
	logger.InfoContext(context.Background(), "no request")
	assert.NotContains(t, buf.String(), "request_id")
	assert.Contains(t, buf.String(), "app=x")
	assert.True(t, logger.Enabled(context.Background(), slog.LevelInfo))
	assert.False(t, logger.Enabled(context.Background(), slog.LevelDebug))

	svc, err := auth.New(t.Context(), memstore.New(), auth.Config{SealingKey: make([]byte, 32)})
	require.NoError(t, err)
	h, err := httpadapter.New(svc, httpadapter.Config{})
	require.NoError(t, err)
	handler := h.Observe(httpadapter.ObserveConfig{})(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		logger.InfoContext(ctx, "small", "a", 1)
		logger.InfoContext(ctx, "large", "a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", 6)
		logger.InfoContext(ctx, "has it", "request_id", httpadapter.RequestIDFrom(ctx), "a", 1)
	}))
	buf.Reset()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-ID", "log-1")
	handler.ServeHTTP(httptest.NewRecorder(), req)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3)
	for _, l := range lines {
		assert.Equal(t, 1, strings.Count(l, "request_id=log-1"), l)
	}
	assert.Contains(t, lines[1], "f=6")
}

// FuzzRequestID sends any X-Request-ID: the response always carries an ID
// that is safe to log, the one sent exactly when it is.
func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"abc", "", strings.Repeat("x", 64), strings.Repeat("x", 65), "a b", "a\x00b", "é", "a.b_c-d"} {
		f.Add(s)
	}
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: make([]byte, 32)})
	require.NoError(f, err)
	h, err := httpadapter.New(svc, httpadapter.Config{})
	require.NoError(f, err)
	handler := h.Observe(httpadapter.ObserveConfig{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, httpadapter.RequestIDFrom(r.Context()))
	}))
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	f.Fuzz(func(t *testing.T, id string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header["X-Request-Id"] = []string{id}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-ID")
		require.Regexp(t, safe, got)
		require.Equal(t, got, rec.Body.String())
		if safe.MatchString(id) {
			require.Equal(t, id, got)
		} else {
			require.NotEqual(t, id, got)
		}
	})
}

// TestObserveClientIP checks the client address of the access line and
// of RequestRecord, for every form of RemoteAddr and through a trusted
// proxy: the canonical text of the address, "" for none.
func TestObserveClientIP(t *testing.T) {
	t.Parallel()
	svc, err := auth.New(t.Context(), memstore.New(), auth.Config{SealingKey: make([]byte, 32)})
	require.NoError(t, err)
	h, err := httpadapter.New(svc, httpadapter.Config{TrustedProxies: []string{"10.0.0.0/8"}})
	require.NoError(t, err)
	var (
		buf  bytes.Buffer
		last httpadapter.RequestRecord
	)
	logger := slog.New(httpadapter.LogHandler(slog.NewJSONHandler(&buf, nil)))
	handler := h.Observe(httpadapter.ObserveConfig{
		AccessLog: logger,
		OnRequest: func(_ context.Context, rec httpadapter.RequestRecord) { last = rec },
	})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tests := []struct {
		name      string
		remote    string
		forwarded string
		want      string
	}{
		{"IPv4", "192.0.2.1:40000", "", "192.0.2.1"},
		{"IPv6", "[2001:db8::1]:443", "", "2001:db8::1"},
		{"IPv6 upper case", "[2001:DB8::A]:443", "", "2001:db8::a"},
		{"IPv6 long form", "[2001:0db8:0:0:0:0:0:1]:443", "", "2001:db8::1"},
		{"IPv4-mapped IPv6", "[::ffff:192.0.2.1]:1", "", "192.0.2.1"},
		{"IPv6 with zone", "[fe80::1%eth0]:1", "", "fe80::1"},
		{"bare IPv4", "192.0.2.7", "", "192.0.2.7"},
		{"bare IPv6", "2001:db8::2", "", "2001:db8::2"},
		{"not an address", "pipe", "", ""},
		{"empty", "", "", ""},
		{"through a trusted proxy", "10.0.0.1:5000", "198.51.100.9", "198.51.100.9"},
		{"from the trusted proxy itself", "10.0.0.1:5000", "", "10.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf.Reset()
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.remote
			if tc.forwarded != "" {
				req.Header.Set("X-Forwarded-For", tc.forwarded)
			}
			handler.ServeHTTP(httptest.NewRecorder(), req)
			var line map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &line), buf.String())
			assert.Equal(t, tc.want, line["ip"])
			if tc.want == "" {
				assert.False(t, last.ClientIP.IsValid())
			} else {
				assert.Equal(t, tc.want, last.ClientIP.String())
			}
		})
	}
}

type parentKey struct{}

// TestObserveContext checks that the request context under Observe is
// the incoming request's: its values, deadline, cancellation and cause
// reach the handler and contexts derived there, next to the request ID.
func TestObserveContext(t *testing.T) {
	t.Parallel()
	svc, err := auth.New(t.Context(), memstore.New(), auth.Config{SealingKey: make([]byte, 32)})
	require.NoError(t, err)
	h, err := httpadapter.New(svc, httpadapter.Config{})
	require.NoError(t, err)
	errGone := errors.New("client gone")
	deadline := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var seen context.Context
	handler := h.Observe(httpadapter.ObserveConfig{})(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = r.Context()
	}))
	base, cancel := context.WithCancelCause(context.WithValue(context.Background(), parentKey{}, "parent value"))
	base, stop := context.WithDeadline(base, deadline)
	defer stop()
	req := httptest.NewRequestWithContext(base, "GET", "/", nil)
	req.Header.Set("X-Request-ID", "ctx-1")
	handler.ServeHTTP(httptest.NewRecorder(), req)
	require.NotNil(t, seen)
	derived, cancelDerived := context.WithCancel(context.WithValue(seen, parentKey{}, "shadowed"))
	defer cancelDerived()

	t.Run("values", func(t *testing.T) {
		assert.Equal(t, "parent value", seen.Value(parentKey{}))
		assert.Equal(t, "ctx-1", httpadapter.RequestIDFrom(seen))
		assert.Equal(t, "ctx-1", httpadapter.RequestIDFrom(derived), "through contexts derived in the handler")
		assert.Empty(t, httpadapter.RequestIDFrom(base))
	})
	t.Run("deadline", func(t *testing.T) {
		got, ok := seen.Deadline()
		assert.True(t, ok)
		assert.Equal(t, deadline, got)
	})
	t.Run("string names no state", func(t *testing.T) {
		s := fmt.Sprint(seen)
		assert.Contains(t, s, "WithValue(httpadapter.request)")
		assert.NotContains(t, s, "ctx-1")
	})
	t.Run("cancellation", func(t *testing.T) {
		require.NoError(t, seen.Err())
		cancel(errGone)
		<-seen.Done()
		<-derived.Done()
		assert.ErrorIs(t, seen.Err(), context.Canceled)
		assert.ErrorIs(t, derived.Err(), context.Canceled)
		assert.ErrorIs(t, context.Cause(seen), errGone)
		assert.ErrorIs(t, context.Cause(derived), errGone)
	})
}
