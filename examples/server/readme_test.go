package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walkthroughHeading is the README section whose first sh block
// TestREADMEWalkthrough runs.
const walkthroughHeading = "### Walkthrough with curl"

// readmeBlock returns the first ```sh block after heading in the README.
func readmeBlock(t *testing.T, readme, heading string) string {
	t.Helper()
	f, err := os.Open(readme)
	require.NoError(t, err)
	defer f.Close()
	var (
		block             strings.Builder
		inSection, inCode bool
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !inSection:
			inSection = line == heading
		case !inCode && strings.HasPrefix(line, "#"):
			t.Fatalf("%s: no ```sh block under %q", readme, heading)
		case !inCode:
			inCode = line == "```sh"
		case line == "```":
			return block.String()
		default:
			block.WriteString(line + "\n")
		}
	}
	require.NoError(t, sc.Err())
	t.Fatalf("%s: no complete ```sh block under %q", readme, heading)
	return ""
}

// freeAddr returns a loopback address no one listens on (as far as the
// kernel knows right now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestREADMEWalkthrough runs the README's curl walkthrough, as written
// there, with bash (-e -o pipefail, so any refused request fails it), from
// the repository's root with LATCH_ADDR set to a free address, and checks
// what it printed and that it stopped the server cleanly.
func TestREADMEWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	for _, tool := range []string{"bash", "curl", "jq", "oathtool", "grep"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing; .ci/run installs it", tool)
			}
			t.Skipf("the walkthrough needs %s (Debian: apt-get install curl jq oathtool)", tool)
		}
	}
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	script := readmeBlock(t, filepath.Join(root, "README.md"), walkthroughHeading)
	require.Contains(t, script, "kill \"$SERVER_PID\"", "the walkthrough says how to stop the server")

	tmp := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = root
	cmd.Env = cleanEnv("LATCH_ADDR="+addr, "TMPDIR="+tmp)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Its own process group, so that a server left running by a failed run
	// is stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err = cmd.Wait()

	logs, _ := filepath.Glob(filepath.Join(tmp, "*", "server.log"))
	var serverLog []byte
	if len(logs) == 1 {
		serverLog, _ = os.ReadFile(logs[0])
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) || err != nil {
		t.Fatalf("the walkthrough failed: %v\nstdout:\n%s\nstderr:\n%s\nserver.log:\n%s", err, stdout.String(), stderr.String(), serverLog)
	}
	require.Len(t, logs, 1, "the server ran in a fresh directory under TMPDIR")

	out := stdout.String()
	assert.Contains(t, out, `"recovery_codes"`)
	assert.Contains(t, out, "\"alice\"\n", "the API token authenticates as alice")
	assert.Contains(t, out, `{"error":"UNAUTHORIZED"} 401`, "the revoked token is refused")
	assert.Contains(t, out, `{"error":"INVALID_REQUEST","message":"request body: unknown field \"nme\""}`)
	assert.True(t, strings.HasSuffix(out, "alice signed in; TOTP enabled: false\n"), "signed in with the new password, TOTP reset: %s", out)
	assert.Contains(t, string(serverLog), "created user admin with the password from LATCH_ADMIN_PASSWORD")
	assert.Contains(t, string(serverLog), "shutting down", "stopped with SIGTERM")
	assert.Equal(t, 1, bytes.Count(serverLog, []byte("latch listening")))
}
