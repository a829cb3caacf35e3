package main

import (
	"bytes"
	"encoding/base32"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// buildServer compiles this command into dir.
func buildServer(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "latch-server")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// lockedBuffer collects a process's output for concurrent reading.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one run of the example server.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	base   string // http://addr/api/v1
}

var listenRE = regexp.MustCompile(`msg="latch listening" addr=(\S+)`)

// start runs the server in dir on a free loopback port and waits until it
// listens.
func start(t *testing.T, bin, dir string, env ...string) *server {
	t.Helper()
	s := &server{t: t, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	s.cmd = exec.Command(bin, "-addr", "127.0.0.1:0")
	s.cmd.Dir = dir
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	require.NoError(t, s.cmd.Start())
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = "http://" + m[1] + "/api/v1"
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s", s.stderr.String())
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(s.t, err, "exit after SIGTERM: %s", s.stderr.String())
	case <-time.After(20 * time.Second):
		s.t.Fatal("server did not stop after SIGTERM")
	}
	assert.Contains(s.t, s.stderr.String(), "shutting down")
}

// call is one request of the walkthrough, as its curl line would send it.
type call struct {
	method, path string
	bearer       string
	basic        [2]string
	body         any
}

func (s *server) do(c call, wantStatus int, out any) {
	s.t.Helper()
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		require.NoError(s.t, err)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(c.method, s.base+c.path, body)
	require.NoError(s.t, err)
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.basic[0] != "" {
		req.SetBasicAuth(c.basic[0], c.basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	require.Equal(s.t, wantStatus, resp.StatusCode, "%s %s: %s", c.method, c.path, raw)
	if out != nil {
		require.NoError(s.t, json.Unmarshal(raw, out), "%s", raw)
	}
}

var resetCodeRE = regexp.MustCompile(`msg="development notifier: password reset code" email=\S+ code=(\S+)`)

// TestWalkthrough runs the README's curl walkthrough against the real
// server process, stops it with SIGTERM, restarts it on the same files and
// checks that data and signing keys survived.
func TestWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	dir := t.TempDir()
	bin := buildServer(t, dir)
	s := start(t, bin, dir)

	// First start: a sealing key file with mode 0600 and a printed password.
	fi, err := os.Stat(filepath.Join(dir, "latch.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	m := regexp.MustCompile(`created user admin with password (\S+)`).FindStringSubmatch(s.stdout.String())
	require.NotNil(t, m, "admin password not printed: %s", s.stdout.String())
	adminPassword := m[1]
	assert.NotContains(t, s.stderr.String(), adminPassword, "the password never reaches the log")

	// 1. A token with Basic auth (SFTPGo style).
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	s.do(call{method: "GET", path: "/token", basic: [2]string{"admin", adminPassword}}, 200, &tok)
	require.Equal(t, "Bearer", tok.TokenType)
	admin := tok.AccessToken

	// 2. Create a user.
	var alice struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	}
	s.do(call{method: "POST", path: "/users", bearer: admin, body: map[string]any{
		"username": "alice", "email": "alice@example.com", "password": "alice-password-1",
	}}, 201, &alice)
	require.Equal(t, "alice", alice.Username)

	// 3. Sign in.
	var login struct {
		AccessToken string `json:"access_token"`
	}
	s.do(call{method: "POST", path: "/login/password", body: map[string]any{
		"identifier": "alice", "password": "alice-password-1",
	}}, 200, &login)
	aliceTok := login.AccessToken

	// 4. Enroll TOTP and activate it with a code from the secret.
	var enrollment struct {
		Secret string `json:"secret"`
		URI    string `json:"otpauth_uri"`
		QRPNG  []byte `json:"qr_png"`
	}
	s.do(call{method: "POST", path: "/users/" + alice.ID + "/totp/enrollment", bearer: aliceTok}, 200, &enrollment)
	require.True(t, bytes.HasPrefix(enrollment.QRPNG, []byte("\x89PNG")))
	key, err := totp.ParseURI(enrollment.URI)
	require.NoError(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(enrollment.Secret)
	require.NoError(t, err)
	require.Equal(t, key.Secret, secret)
	code, err := totp.Code(key, time.Now())
	require.NoError(t, err)
	var activated struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	s.do(call{method: "POST", path: "/users/" + alice.ID + "/totp", bearer: aliceTok, body: map[string]any{"code": code}}, 201, &activated)
	require.Len(t, activated.RecoveryCodes, 10)

	// 5. Create an API token, use it, revoke it.
	var apiTok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	s.do(call{method: "POST", path: "/users/" + alice.ID + "/api-tokens", bearer: aliceTok, body: map[string]any{"name": "ci"}}, 201, &apiTok)
	require.True(t, strings.HasPrefix(apiTok.Token, "lt_"))
	s.do(call{method: "GET", path: "/me", bearer: apiTok.Token}, 200, nil)
	s.do(call{method: "DELETE", path: "/users/" + alice.ID + "/api-tokens/" + apiTok.ID, bearer: aliceTok}, 204, nil)
	s.do(call{method: "GET", path: "/me", bearer: apiTok.Token}, 401, nil)

	// 6. Password reset: code from the development notifier's log line,
	// second factor with a recovery code.
	var reset struct {
		ID string `json:"id"`
	}
	s.do(call{method: "POST", path: "/password-reset", body: map[string]any{"email": "alice@example.com"}}, 202, &reset)
	var resetCode string
	require.Eventually(t, func() bool {
		m := resetCodeRE.FindStringSubmatch(s.stderr.String())
		if m != nil {
			resetCode = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond)
	s.do(call{method: "POST", path: "/password-reset/" + reset.ID + "/verify-email", body: map[string]any{"code": resetCode}}, 204, nil)
	s.do(call{method: "POST", path: "/reset-password", body: map[string]any{"request_id": reset.ID, "password": "alice-password-2"}}, 403, nil)
	s.do(call{method: "POST", path: "/password-reset/" + reset.ID + "/reset-2fa", body: map[string]any{"recovery_code": activated.RecoveryCodes[0]}}, 204, nil)
	s.do(call{method: "POST", path: "/reset-password", body: map[string]any{"request_id": reset.ID, "password": "alice-password-2"}}, 204, nil)
	s.do(call{method: "GET", path: "/me", bearer: aliceTok}, 401, nil) // older tokens die with the reset

	s.stop()

	// Restart on the same database and key file.
	s2 := start(t, bin, dir)
	assert.NotContains(t, s2.stdout.String(), "created user admin", "admin is created only once")
	var me struct {
		Username string `json:"username"`
	}
	s2.do(call{method: "GET", path: "/me", bearer: admin}, 200, &me) // signing keys survived
	assert.Equal(t, "admin", me.Username)
	s2.do(call{method: "POST", path: "/login/password", body: map[string]any{
		"identifier": "alice", "password": "alice-password-2",
	}}, 200, &login) // users survived
	s2.do(call{method: "GET", path: "/users/" + alice.ID, bearer: admin}, 200, &me)
	assert.Equal(t, "alice", me.Username)
	s2.stop()

	// The key file is the one from the first start.
	b, err := os.ReadFile(filepath.Join(dir, "latch.key"))
	require.NoError(t, err)
	assert.Len(t, strings.TrimSpace(string(b)), 64)
}

func TestLoadOrCreateKeyRejectsBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct{ name, content string }{
		{"not hex", "zz"},
		{"short", "abcd"},
		{"long", strings.Repeat("ab", 33)},
		{"empty", ""},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, tc.name)
		require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
		_, err := loadOrCreateKey(path, slog.New(slog.DiscardHandler))
		require.Error(t, err, tc.name)
		if tc.content != "" {
			assert.NotContains(t, err.Error(), tc.content, "the error never echoes key material")
		}
	}
	path := filepath.Join(dir, "new.key")
	k1, err := loadOrCreateKey(path, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	k2, err := loadOrCreateKey(path, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Equal(t, k1, k2)
	assert.Len(t, k1, 32)
}
