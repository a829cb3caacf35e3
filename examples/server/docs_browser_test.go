package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/latchkit/latch/internal/browsertest"
)

// TestDocsInBrowser opens the example server's API reference
// (/api/v1/docs) in headless Chromium: every operation is rendered, the
// page requests nothing outside the server, and "Try it out" on
// GET /healthz answers 200. Skipped when no browser is installed and
// LATCH_TEST_BROWSER is unset.
func TestDocsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process and a browser; skipped with -short")
	}
	browsertest.Browser(t)
	// Not parallel: it runs before this package's parallel tests, so the
	// browser does not compete with them for the CPU.
	s := start(t, buildServer(t), t.TempDir())
	var shot string
	if dir := os.Getenv("LATCH_TEST_SCREENSHOTS"); dir != "" {
		shot = filepath.Join(dir, "example-server-docs.png")
	}
	r := browsertest.CheckDocs(t, s.base+"/docs", browsertest.Options{Screenshot: shot})
	assert.Positive(t, r.Operations)
	assert.Contains(t, r.Requests, s.base+"/openapi.yaml")
	assert.Contains(t, r.Requests, s.base+"/healthz")
	s.stop()
}
