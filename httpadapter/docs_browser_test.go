package httpadapter_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/latchkit/latch/internal/browsertest"
)

// TestDocsInBrowser opens GET /docs of a handler mounted under /auth/ on a
// host mux in headless Chromium: every operation of the served document
// is rendered, nothing is requested outside the server, and "Try it out"
// works, also with a bearer token entered under "Authorize". Skipped when
// no browser is installed and LATCH_TEST_BROWSER is unset.
func TestDocsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	browsertest.Browser(t)
	// Not parallel: it runs before this package's parallel tests, so the
	// browser does not compete with them for the CPU.
	e := newEnv(t, newCoverage(), envConfig{prefix: "/auth"})
	var shot string
	if dir := os.Getenv("LATCH_TEST_SCREENSHOTS"); dir != "" {
		shot = filepath.Join(dir, "httpadapter-docs.png")
	}
	r := browsertest.CheckDocs(t, e.srv.URL+"/auth/docs", browsertest.Options{Token: e.adminToken, Screenshot: shot})
	assert.Positive(t, r.Operations)
	assert.Contains(t, r.Requests, e.srv.URL+"/auth/openapi.yaml")
	assert.Contains(t, r.Requests, e.srv.URL+"/auth/healthz")
	assert.Contains(t, r.Requests, e.srv.URL+"/auth/me")
}
