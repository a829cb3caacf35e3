package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// buildServer compiles this command once per test binary.
func buildServer(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "latch-server-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "latch-server")
		args := []string{"build", "-o", buildBin}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return buildBin
}

// cleanEnv is the test's environment without any LATCH_ variable, so that
// a developer's own settings (a PostgreSQL DSN in LATCH_DB, say) never
// reach the server under test.
func cleanEnv(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LATCH_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
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
	base   string       // http://addr/api/v1 (https with TLS)
	root   string       // http://addr
	client *http.Client // trusts the server's certificate when it has one
}

var listenRE = regexp.MustCompile(`msg="latch listening" addr=(\S+) api=\S+ tls=(\w+)`)

// listenedOn finds the "latch listening" line in a text or JSON log.
func listenedOn(log string) (addr string, tls, ok bool) {
	if m := listenRE.FindStringSubmatch(log); m != nil {
		return m[1], m[2] == "true", true
	}
	for line := range strings.Lines(log) {
		var l struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
			TLS  bool   `json:"tls"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "latch listening" {
			return l.Addr, l.TLS, true
		}
	}
	return "", false, false
}

// start runs the server in dir on a free loopback port, in development
// mode (codes in the log), and waits until it listens.
func start(t *testing.T, bin, dir string) *server {
	t.Helper()
	return startWith(t, bin, dir, []string{"-addr", "127.0.0.1:0", "-dev"})
}

// startWith runs the server in dir with args and extra environment
// variables (and no others of Latch's) and waits until it listens.
func startWith(t *testing.T, bin, dir string, args []string, env ...string) *server {
	t.Helper()
	s := &server{t: t, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, client: http.DefaultClient}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir
	s.cmd.Env = cleanEnv(env...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	require.NoError(t, s.cmd.Start())
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if addr, tls, ok := listenedOn(s.stderr.String()); ok {
			scheme := "http://"
			if tls {
				scheme = "https://"
			}
			s.root = scheme + addr
			s.base = s.root + "/api/v1"
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
	s.stopWith(syscall.SIGTERM)
}

// stopWith sends sig and waits for a clean exit.
func (s *server) stopWith(sig os.Signal) {
	s.t.Helper()
	require.NoError(s.t, s.cmd.Process.Signal(sig))
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
	header       map[string]string
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
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
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

// TestWalkthrough takes the steps of the README's curl walkthrough with Go's
// HTTP client against the real server process (readme_test.go runs the
// README's own block), stops it with SIGTERM, restarts it on the same files
// and checks that data and signing keys survived.
func TestWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := buildServer(t)
	s := start(t, bin, dir)

	// First start: a sealing key file with mode 0600 and a printed password.
	fi, err := os.Stat(filepath.Join(dir, "latch.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	// The line is printed before the server listens, but stdout and stderr
	// are copied by separate goroutines: wait for it to arrive.
	passwordRE := regexp.MustCompile(`created user admin with password (\S+)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		m = passwordRE.FindStringSubmatch(s.stdout.String())
	}
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
	uri, err := url.Parse(enrollment.URI)
	require.NoError(t, err)
	require.Equal(t, "otpauth", uri.Scheme)
	require.Equal(t, enrollment.Secret, uri.Query().Get("secret"))
	// The code as an authenticator app (or the README's oathtool) computes
	// it, with pquerna/otp rather than Latch's own totp package.
	code, err := pqtotp.GenerateCode(enrollment.Secret, time.Now())
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

	// An API token to use after the restart.
	var kept struct {
		Token string `json:"token"`
	}
	s.do(call{method: "POST", path: "/users/" + alice.ID + "/api-tokens", bearer: admin, body: map[string]any{"name": "kept"}}, 201, &kept)

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
	s2.do(call{method: "GET", path: "/me", bearer: kept.Token}, 200, &me) // API tokens survived
	assert.Equal(t, "alice", me.Username)
	s2.do(call{method: "GET", path: "/me", bearer: apiTok.Token}, 401, nil) // and so did the revocation
	s2.stop()

	// The key file is the one from the first start.
	b, err := os.ReadFile(filepath.Join(dir, "latch.key"))
	require.NoError(t, err)
	assert.Len(t, strings.TrimSpace(string(b)), 64)
}

var verifyCodeRE = regexp.MustCompile(`msg="development notifier: email verification code" email=\S+ code=(\S+)`)

// TestEnvironment starts the server configured only through LATCH_*
// variables and checks each one took effect, that the development notifier
// logs verification codes, and that SIGINT shuts it down cleanly.
func TestEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := buildServer(t)
	const adminPassword = "admin-password-from-env"
	s := startWith(t, bin, dir, nil,
		"LATCH_ADDR=127.0.0.1:0", "LATCH_DB=store.db", "LATCH_KEY_FILE=secret.key", "LATCH_DEV=1",
		"LATCH_ADMIN_PASSWORD="+adminPassword)

	fi, err := os.Stat(filepath.Join(dir, "secret.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	_, err = os.Stat(filepath.Join(dir, "store.db"))
	require.NoError(t, err)
	for _, name := range []string{"latch.key", "latch.db"} {
		_, err := os.Stat(filepath.Join(dir, name))
		assert.ErrorIs(t, err, os.ErrNotExist, name)
	}
	assert.Empty(t, s.stdout.String(), "no password is printed when LATCH_ADMIN_PASSWORD is set")
	assert.Contains(t, s.stderr.String(), "LATCH_ADMIN_PASSWORD")
	assert.NotContains(t, s.stderr.String(), adminPassword, "the password never reaches the log")

	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.do(call{method: "GET", path: "/token", basic: [2]string{"admin", adminPassword}}, 200, &tok)
	var bob struct {
		ID string `json:"id"`
	}
	s.do(call{method: "POST", path: "/users", bearer: tok.AccessToken, body: map[string]any{
		"username": "bob", "email": "bob@example.com", "password": "bob-password-1",
	}}, 201, &bob)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	s.do(call{method: "POST", path: "/login/password", body: map[string]any{
		"identifier": "bob", "password": "bob-password-1",
	}}, 200, &login)

	// Self-service verification: the code reaches bob only through the
	// notifier, here the log.
	var req struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	}
	s.do(call{method: "POST", path: "/users/" + bob.ID + "/email-verification", bearer: login.AccessToken}, 201, &req)
	assert.Empty(t, req.Code)
	var code string
	require.Eventually(t, func() bool {
		m := verifyCodeRE.FindStringSubmatch(s.stderr.String())
		if m != nil {
			code = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond)
	var verified struct {
		EmailVerified bool `json:"email_verified"`
	}
	s.do(call{method: "POST", path: "/users/" + bob.ID + "/verify-email", bearer: login.AccessToken, body: map[string]any{
		"request_id": req.ID, "code": code,
	}}, 200, &verified)
	assert.True(t, verified.EmailVerified)

	s.stopWith(os.Interrupt)
}

// TestParseFlags checks that each flag falls back to its environment
// variable and then to its default, that a flag given wins over the
// environment, and that -h shows no environment value.
func TestParseFlags(t *testing.T) {
	newSet := func() (*flag.FlagSet, *bytes.Buffer, map[string]*string) {
		fl := flag.NewFlagSet("server", flag.ContinueOnError)
		var usage bytes.Buffer
		fl.SetOutput(&usage)
		vals := map[string]*string{
			"addr":     fl.String("addr", "127.0.0.1:8080", ""),
			"db":       fl.String("db", "latch.db", ""),
			"key-file": fl.String("key-file", "latch.key", ""),
		}
		return fl, &usage, vals
	}
	get := func(vals map[string]*string) map[string]string {
		out := map[string]string{}
		for k, v := range vals {
			out[k] = *v
		}
		return out
	}
	for _, v := range flagEnv {
		t.Setenv(v, "")
	}

	fl, _, vals := newSet()
	require.NoError(t, parseFlags(fl, nil))
	assert.Equal(t, map[string]string{"addr": "127.0.0.1:8080", "db": "latch.db", "key-file": "latch.key"}, get(vals))

	t.Setenv("LATCH_ADDR", "127.0.0.1:9999")
	t.Setenv("LATCH_DB", "postgres://latch:s3cret@db.example/latch")
	t.Setenv("LATCH_KEY_FILE", "/etc/latch/key")
	fl, _, vals = newSet()
	require.NoError(t, parseFlags(fl, nil))
	assert.Equal(t, map[string]string{"addr": "127.0.0.1:9999", "db": "postgres://latch:s3cret@db.example/latch", "key-file": "/etc/latch/key"}, get(vals))

	fl, _, vals = newSet()
	require.NoError(t, parseFlags(fl, []string{"-db", "other.db", "-addr", "[::1]:0"}))
	assert.Equal(t, map[string]string{"addr": "[::1]:0", "db": "other.db", "key-file": "/etc/latch/key"}, get(vals))

	fl, usage, _ := newSet()
	require.ErrorIs(t, parseFlags(fl, []string{"-h"}), flag.ErrHelp)
	assert.NotContains(t, usage.String(), "s3cret")
	assert.Contains(t, usage.String(), "latch.db")
}

func TestHTTPServerTimeouts(t *testing.T) {
	t.Parallel()
	srv := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout,
		"ReadTimeout":       srv.ReadTimeout,
		"WriteTimeout":      srv.WriteTimeout,
		"IdleTimeout":       srv.IdleTimeout,
	} {
		assert.Positive(t, d, name)
		assert.LessOrEqual(t, d, 5*time.Minute, name)
	}
	assert.LessOrEqual(t, srv.ReadHeaderTimeout, srv.ReadTimeout)
	assert.Positive(t, srv.MaxHeaderBytes)
	assert.LessOrEqual(t, srv.MaxHeaderBytes, 64<<10)
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
