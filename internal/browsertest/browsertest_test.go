package browsertest_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/internal/browsertest"
	"github.com/latchkit/latch/store/memstore"
)

// tamperedDocs serves the real handler under /auth/, with an image from
// another origin (another loopback server) added to the page at
// /auth/docs, and with its Content-Security-Policy kept or removed.
func tamperedDocs(t *testing.T, elsewhere string, keepCSP bool) string {
	t.Helper()
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	svc, err := auth.New(t.Context(), st, auth.Config{SealingKey: bytes.Repeat([]byte{5}, 32)})
	require.NoError(t, err)
	h, err := httpadapter.New(svc, httpadapter.Config{})
	require.NoError(t, err)
	api := http.StripPrefix("/auth", h)
	mux := http.NewServeMux()
	mux.Handle("/auth/", api)
	mux.HandleFunc("GET /auth/docs", func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, r)
		body := strings.Replace(rec.Body.String(), "</body>", `<img alt="" src="`+elsewhere+`/pixel.gif"></body>`, 1)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if !keepCSP {
			w.Header().Del("Content-Security-Policy")
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write([]byte(body))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/auth/docs"
}

// TestInspectSeesOutsideRequests: the checks of CheckDocs notice a page
// that requests something from another origin, and a page whose request
// the Content-Security-Policy blocked.
func TestInspectSeesOutsideRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	browsertest.Browser(t)
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer other.Close()

	t.Run("without the policy, the request is seen", func(t *testing.T) {
		r := browsertest.Inspect(t, tamperedDocs(t, other.URL, false), browsertest.Options{})
		assert.Contains(t, r.Outside, other.URL+"/pixel.gif")
		assert.Equal(t, r.Want, r.Operations)
		assert.Equal(t, "200", r.Tried["#operations-public-healthz"])
	})
	t.Run("with the policy, the browser blocks it and says so", func(t *testing.T) {
		before := hits.Load()
		r := browsertest.Inspect(t, tamperedDocs(t, other.URL, true), browsertest.Options{})
		assert.Equal(t, before, hits.Load(), "the blocked image never reached the other server")
		found := false
		for _, p := range r.Problems {
			found = found || strings.Contains(p, "Content Security Policy")
		}
		assert.True(t, found, "a CSP violation is reported: %q (requests %q)", r.Problems, r.Requests)
	})
}
