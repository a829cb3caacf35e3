package client_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var generateLine = regexp.MustCompile(`(?m)^//go:generate go run (\S+@v\S+) -config oapi-codegen.yaml ../httpadapter/openapi.yaml$`)

// TestGeneratedCodeIsCurrent runs the generator of generate.go, at its
// version, on httpadapter/openapi.yaml into a temporary directory and
// fails when client.gen.go is not what it writes: change the document,
// then run go generate ./client.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator; skipped with -short")
	}
	t.Parallel()
	src, err := os.ReadFile("generate.go")
	require.NoError(t, err)
	m := generateLine.FindSubmatch(src)
	require.NotNil(t, m, "generate.go has no go:generate line of the expected form")
	tool := string(m[1])

	cfg, err := os.ReadFile("oapi-codegen.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	out := filepath.Join(dir, "client.gen.go")
	tmpCfg := bytes.Replace(cfg, []byte("\noutput: client.gen.go\n"), []byte("\noutput: "+out+"\n"), 1)
	require.NotEqual(t, cfg, tmpCfg, "oapi-codegen.yaml names no output: client.gen.go")
	cfgPath := filepath.Join(dir, "oapi-codegen.yaml")
	require.NoError(t, os.WriteFile(cfgPath, tmpCfg, 0o644))
	spec, err := filepath.Abs(filepath.Join("..", "httpadapter", "openapi.yaml"))
	require.NoError(t, err)

	// Outside the module (dir has no go.mod), so the generator's own
	// dependencies are used, as with go generate.
	cmd := exec.Command("go", "run", tool, "-config", cfgPath, spec)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	combined, err := cmd.CombinedOutput()
	require.NoError(t, err, "go run %s: %s", tool, combined)

	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("client.gen.go")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got),
		"client/client.gen.go is stale: run go generate ./client (the generator's output differs; %d bytes, committed %d)", len(want), len(got))
}
