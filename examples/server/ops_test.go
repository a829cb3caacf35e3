package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/mail/mailtest"
)

// logLines decodes the JSON lines of a log.
func logLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(log) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "not a JSON line: %q", line)
		out = append(out, m)
	}
	return out
}

// mailCode waits for the next message of srv to addr and returns the
// 8-digit code in its body.
func mailCode(t *testing.T, srv *mailtest.Server, addr, subject string) string {
	t.Helper()
	got := srv.Next(t)
	require.Equal(t, []string{addr}, got.To)
	m, err := got.Parse()
	require.NoError(t, err)
	require.Equal(t, subject, m.Header.Get("Subject"))
	require.NotEmpty(t, m.Header.Get("Date"))
	require.NotEmpty(t, m.Header.Get("Message-ID"))
	from, err := m.Header.AddressList("From")
	require.NoError(t, err)
	require.Equal(t, "noreply@example.com", from[0].Address)
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	code := regexp.MustCompile(`\b\d{8}\b`).FindString(string(b))
	require.NotEmpty(t, code, "no code in %q", b)
	return code
}

// TestOperations runs the README walkthrough against the server with JSON
// logs and codes delivered by SMTP (a test server that keeps every
// message), each request with its own X-Request-ID. Every log line of a
// request carries its ID, every request has one access-log line, and no
// line holds a password, a token, a code or a TOTP secret. /metrics and
// /api/v1/readyz answer.
func TestOperations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := buildServer(t)
	smtp := mailtest.NewServer(t, mailtest.Config{})
	const adminPassword = "admin-password-ops-1"
	s := startWith(t, bin, dir, []string{"-addr", "127.0.0.1:0", "-log-format", "json", "-log-level", "debug"},
		"LATCH_ADMIN_PASSWORD="+adminPassword, "LATCH_SMTP_URL="+smtp.URL(), "LATCH_MAIL_FROM=Latch <noreply@example.com>")

	secrets := []string{adminPassword, "alice-password-1", "alice-password-2"}
	type sent struct {
		id     string
		status int
	}
	var calls []sent
	do := func(c call, status int, out any) {
		t.Helper()
		id := fmt.Sprintf("ops-%02d", len(calls)+1)
		c.header = map[string]string{"X-Request-ID": id}
		s.do(c, status, out)
		calls = append(calls, sent{id, status})
	}

	var tok struct {
		AccessToken string `json:"access_token"`
	}
	do(call{method: "GET", path: "/token", basic: [2]string{"admin", adminPassword}}, 200, &tok)
	admin := tok.AccessToken
	secrets = append(secrets, admin)
	var alice struct {
		ID string `json:"id"`
	}
	do(call{method: "POST", path: "/users", bearer: admin, body: map[string]any{
		"username": "alice", "email": "alice@example.com", "password": "alice-password-1",
	}}, 201, &alice)
	do(call{method: "POST", path: "/login/password", body: map[string]any{"identifier": "alice", "password": "wrong-password"}}, 401, nil)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	do(call{method: "POST", path: "/login/password", body: map[string]any{"identifier": "alice", "password": "alice-password-1"}}, 200, &login)
	aliceTok := login.AccessToken
	secrets = append(secrets, aliceTok)

	// Email verification: the code arrives by mail only.
	var verification struct {
		ID string `json:"id"`
	}
	do(call{method: "POST", path: "/users/" + alice.ID + "/email-verification", bearer: aliceTok}, 201, &verification)
	vcode := mailCode(t, smtp, "alice@example.com", "Latch: verify your email address")
	secrets = append(secrets, vcode)
	do(call{method: "POST", path: "/users/" + alice.ID + "/verify-email", bearer: aliceTok, body: map[string]any{
		"request_id": verification.ID, "code": vcode,
	}}, 200, nil)

	var enrollment struct {
		Secret string `json:"secret"`
	}
	do(call{method: "POST", path: "/users/" + alice.ID + "/totp/enrollment", bearer: aliceTok}, 200, &enrollment)
	code, err := pqtotp.GenerateCode(enrollment.Secret, time.Now())
	require.NoError(t, err)
	secrets = append(secrets, enrollment.Secret, code)
	var activated struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	do(call{method: "POST", path: "/users/" + alice.ID + "/totp", bearer: aliceTok, body: map[string]any{"code": code}}, 201, &activated)
	secrets = append(secrets, activated.RecoveryCodes...)

	var apiTok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	do(call{method: "POST", path: "/users/" + alice.ID + "/api-tokens", bearer: aliceTok, body: map[string]any{"name": "ci"}}, 201, &apiTok)
	secrets = append(secrets, apiTok.Token)
	do(call{method: "GET", path: "/me", bearer: apiTok.Token}, 200, nil)
	do(call{method: "DELETE", path: "/users/" + alice.ID + "/api-tokens/" + apiTok.ID, bearer: aliceTok}, 204, nil)
	do(call{method: "GET", path: "/me", bearer: apiTok.Token}, 401, nil)

	var reset struct {
		ID string `json:"id"`
	}
	do(call{method: "POST", path: "/password-reset", body: map[string]any{"email": "alice@example.com"}}, 202, &reset)
	resetCode := mailCode(t, smtp, "alice@example.com", "Latch: password reset code")
	secrets = append(secrets, reset.ID, resetCode)
	do(call{method: "POST", path: "/password-reset/" + reset.ID + "/verify-email", body: map[string]any{"code": resetCode}}, 204, nil)
	do(call{method: "POST", path: "/password-reset/" + reset.ID + "/reset-2fa", body: map[string]any{"recovery_code": activated.RecoveryCodes[0]}}, 204, nil)
	do(call{method: "POST", path: "/reset-password", body: map[string]any{"request_id": reset.ID, "password": "alice-password-2"}}, 204, nil)
	do(call{method: "GET", path: "/me", bearer: aliceTok}, 401, nil)
	do(call{method: "GET", path: "/readyz"}, 200, nil)

	// The request ID comes back; a malformed one is replaced.
	for _, tc := range []struct{ sent, want string }{{"client-id-1", "^client-id-1$"}, {"no spaces allowed", `^[A-Z2-7]{10}-\d+$`}} {
		req, err := http.NewRequest("GET", s.base+"/healthz", nil)
		require.NoError(t, err)
		req.Header.Set("X-Request-ID", tc.sent)
		resp, err := s.client.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Regexp(t, tc.want, resp.Header.Get("X-Request-ID"))
	}

	// Metrics on the root, parsed as Prometheus parses them.
	resp, err := s.client.Get(s.root + "/metrics")
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	_ = resp.Body.Close()
	require.NoError(t, err)
	for _, name := range []string{"latch_sign_ins_total", "latch_authentications_total", "latch_store_call_seconds",
		"latch_http_requests_total", "latch_password_verify_seconds", "latch_sessions_active", "go_goroutines", "process_resident_memory_bytes"} {
		assert.Contains(t, fams, name)
	}
	var okSignIns, failedSignIns float64
	for _, m := range fams["latch_sign_ins_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		switch {
		case labels["method"] == "password" && labels["result"] == "ok":
			okSignIns = m.GetCounter().GetValue()
		case labels["method"] == "password" && labels["result"] == "invalid_credentials":
			failedSignIns = m.GetCounter().GetValue()
		}
	}
	assert.Equal(t, 1.0, okSignIns)
	assert.Equal(t, 1.0, failedSignIns)

	s.stop()

	// The log: JSON lines; between "latch listening" and "shutting down"
	// every line belongs to a request and names it.
	lines := logLines(t, s.stderr.String())
	from := slices.IndexFunc(lines, func(l map[string]any) bool { return l["msg"] == "latch listening" })
	to := slices.IndexFunc(lines, func(l map[string]any) bool { return l["msg"] == "shutting down" })
	require.True(t, from >= 0 && to > from)
	access := map[string]map[string]any{}
	msgs := map[string][]string{}
	for _, l := range lines[from+1 : to] {
		id, _ := l["request_id"].(string)
		require.NotEmpty(t, id, "a line without request_id: %v", l)
		msgs[id] = append(msgs[id], l["msg"].(string))
		if l["msg"] == "http request" {
			require.NotContains(t, access, id, "one access line per request")
			access[id] = l
		}
	}
	for _, c := range calls {
		l := access[c.id]
		require.NotNil(t, l, "access line of %s", c.id)
		assert.Equal(t, float64(c.status), l["status"], c.id)
		assert.NotEmpty(t, l["route"], c.id)
		assert.Equal(t, "127.0.0.1", l["ip"], c.id)
		assert.Contains(t, l, "duration")
	}
	assert.Equal(t, "GET /token", access["ops-01"]["route"])
	assert.Contains(t, msgs["ops-01"], "auth.sign_in")
	assert.Contains(t, msgs["ops-03"], "auth.sign_in_failed")
	assert.Empty(t, access["ops-04"]["user_id"], "sign-in is anonymous")
	assert.Contains(t, msgs["ops-04"], "auth.sign_in")
	assert.Regexp(t, `^[A-Z2-7]{26}$`, access["ops-02"]["user_id"], "the admin's user ID")
	assert.Contains(t, msgs, "client-id-1")

	log := s.stderr.String()
	for _, secret := range secrets {
		require.NotEmpty(t, secret)
		assert.NotContains(t, log, secret)
	}
	assert.NotContains(t, log, "Authorization")
	assert.NotContains(t, log, "Bearer")
	assert.Contains(t, log, "codes are delivered by SMTP")
}

// TestMetricsAddr serves /metrics on its own address; without SMTP or -dev
// the server says that codes cannot be delivered.
func TestMetricsAddr(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	bin := buildServer(t)
	s := startWith(t, bin, t.TempDir(), []string{"-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0"}, "LATCH_ADMIN_PASSWORD=admin-password-2")
	assert.Contains(t, s.stderr.String(), "codes cannot be delivered")
	// The metrics listener's line comes just after the API's listening
	// line that startWith waited for, and may not be written yet.
	var m []string
	require.Eventually(t, func() bool {
		m = regexp.MustCompile(`msg="metrics listening" addr=(\S+)`).FindStringSubmatch(s.stderr.String())
		return m != nil
	}, 30*time.Second, 10*time.Millisecond, "the metrics listener's address is logged")

	resp, err := http.Get(s.root + "/metrics")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode, "not on the API's address")
	resp, err = http.Get("http://" + m[1] + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), "latch_store_call_seconds")
	s.stop()
}

// certs are a CA and the certificates a test makes with it.
type certs struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA(t *testing.T, name string) *certs {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &certs{cert, key}
}

// issue returns a leaf certificate (server or client) with this serial.
func (ca *certs) issue(t *testing.T, cn string, serial int64, server bool) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func (ca *certs) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// writePair writes a certificate and its key as PEM files.
func writePair(t *testing.T, c tls.Certificate, certFile, keyFile string) {
	t.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
}

// TestTLS serves HTTPS with client certificates: HSTS, TLS 1.2 at least,
// password sign-in without a certificate, certificate login (a known user
// is signed in, an unknown one is 401, a disabled one 403, another CA's
// certificate fails the handshake), and a new certificate after SIGHUP.
func TestTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := buildServer(t)
	serverCA, clientCA, otherCA := newCA(t, "server CA"), newCA(t, "client CA"), newCA(t, "other CA")
	certFile, keyFile := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	writePair(t, serverCA.issue(t, "latch", 100, true), certFile, keyFile)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "client-ca.pem"), clientCA.pem(), 0o600))
	const adminPassword = "admin-password-tls-1"
	s := startWith(t, bin, dir, []string{"-addr", "127.0.0.1:0", "-tls-cert", "server.pem", "-tls-key", "server.key", "-client-ca", "client-ca.pem"},
		"LATCH_CLIENT_CERT_LOGIN=true", "LATCH_ADMIN_PASSWORD="+adminPassword)
	require.True(t, strings.HasPrefix(s.base, "https://"))

	roots := x509.NewCertPool()
	roots.AddCert(serverCA.cert)
	client := func(cfg func(*tls.Config)) *http.Client {
		tc := &tls.Config{RootCAs: roots}
		if cfg != nil {
			cfg(tc)
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}
	}
	withCert := func(c tls.Certificate) *http.Client {
		return client(func(tc *tls.Config) {
			tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }
		})
	}
	s.client = client(nil)

	resp, err := s.client.Get(s.base + "/healthz")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "max-age=31536000", resp.Header.Get("Strict-Transport-Security"))
	assert.Equal(t, uint16(tls.VersionTLS13), resp.TLS.Version)
	assert.Equal(t, big.NewInt(100), resp.TLS.PeerCertificates[0].SerialNumber)

	_, err = client(func(tc *tls.Config) { tc.MaxVersion = tls.VersionTLS11 }).Get(s.base + "/healthz")
	require.Error(t, err, "TLS 1.1 is refused")

	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.do(call{method: "GET", path: "/token", basic: [2]string{"admin", adminPassword}}, 200, &tok)
	var dora struct {
		ID string `json:"id"`
	}
	s.do(call{method: "POST", path: "/users", bearer: tok.AccessToken, body: map[string]any{"username": "dora", "password": "dora-password-1"}}, 201, &dora)
	s.do(call{method: "PATCH", path: "/users/" + dora.ID, bearer: tok.AccessToken, body: map[string]any{"disabled": true}}, 200, nil)

	tests := []struct {
		name   string
		client *http.Client
		status int
		body   string
	}{
		{"admin's certificate", withCert(clientCA.issue(t, "admin", 2, false)), 200, `"username":"admin"`},
		{"unknown user", withCert(clientCA.issue(t, "ghost", 3, false)), 401, `{"error":"UNAUTHORIZED"}`},
		{"disabled user", withCert(clientCA.issue(t, "dora", 4, false)), 403, `{"error":"ACCOUNT_DISABLED"}`},
		{"no certificate", client(nil), 401, `{"error":"UNAUTHORIZED"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.client.Get(s.base + "/me")
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.NoError(t, err)
			assert.Equal(t, tc.status, resp.StatusCode, "%s", body)
			assert.Contains(t, string(body), strings.Trim(tc.body, "{}"))
		})
	}
	_, err = withCert(otherCA.issue(t, "admin", 5, false)).Get(s.base + "/me")
	require.Error(t, err, "another CA's certificate fails the handshake")

	// A renewed certificate is served after SIGHUP.
	writePair(t, serverCA.issue(t, "latch", 200, true), certFile, keyFile)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(s.stderr.String(), "TLS certificate reloaded") }, 10*time.Second, 10*time.Millisecond)
	resp, err = client(nil).Get(s.base + "/healthz")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, big.NewInt(200), resp.TLS.PeerCertificates[0].SerialNumber)

	// A broken pair is refused and the current one stays.
	require.NoError(t, os.WriteFile(keyFile, []byte("not a key"), 0o600))
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(s.stderr.String(), "TLS certificate not reloaded") }, 10*time.Second, 10*time.Millisecond)
	resp, err = client(nil).Get(s.base + "/healthz")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, big.NewInt(200), resp.TLS.PeerCertificates[0].SerialNumber)
	assert.NotContains(t, s.stderr.String(), adminPassword)
	s.stop()
}

// TestShutdownSlowClient: a client that sent half a request does not
// hold the server past -shutdown-timeout, and the exit status is 0.
func TestShutdownSlowClient(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	bin := buildServer(t)
	s := startWith(t, bin, t.TempDir(), []string{"-addr", "127.0.0.1:0", "-shutdown-timeout", "1s"}, "LATCH_ADMIN_PASSWORD=admin-password-3")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.root, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /api/v1/login/password HTTP/1.1\r\nHost: latch\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"identifier\":")
	require.NoError(t, err)
	// Let the handler start reading the body that never completes.
	require.Eventually(t, func() bool {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "exit status 0: %s", s.stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("still running 15 s after SIGTERM with -shutdown-timeout 1s")
	}
	assert.Contains(t, s.stderr.String(), "closing the connections still open")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(conn)
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the connection was closed")
}

// TestVersion builds the server with VCS stamping and checks that
// -version prints the module and the checked-out revision.
func TestVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server; skipped with -short")
	}
	t.Parallel()
	out, err := exec.Command("git", "rev-parse", "HEAD", "--show-toplevel").Output()
	if err != nil {
		t.Skip("not in a git checkout")
	}
	head, top, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if fi, err := os.Stat(filepath.Join(top, ".git")); err != nil || !fi.IsDir() {
		// The go command finds git checkouts by a .git directory; in a
		// git worktree .git is a file, and builds are not stamped.
		t.Skip("a git worktree: the go command stamps no revision here")
	}
	bin := filepath.Join(t.TempDir(), "latch-server")
	build, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", build)
	got, err := exec.Command(bin, "-version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^latch-server github\.com/latchkit/latch \S+ revision `+head+` \(\S+\)( modified)? `+regexp.QuoteMeta(runtime.Version())+`\n$`, string(got))
}

func TestRunFlags(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-version"}, &stdout, &stderr))
	assert.True(t, strings.HasPrefix(stdout.String(), "latch-server github.com/latchkit/latch "), stdout.String())

	stdout.Reset()
	require.Equal(t, 0, run(context.Background(), []string{"-h"}, &stdout, &stderr))
	help := stderr.String()
	for name, env := range flagEnv {
		assert.Contains(t, help, "-"+name, name)
		assert.Contains(t, help, "[$"+env+"]", name)
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	newFlagSet(&options{}, io.Discard).VisitAll(func(f *flag.Flag) {
		assert.True(t, strings.Contains(string(readme), "`-"+f.Name+"`"), "README lists -%s", f.Name)
		if f.Name == "version" {
			return
		}
		env, ok := flagEnv[f.Name]
		require.True(t, ok, "-%s has an environment variable", f.Name)
		assert.True(t, strings.Contains(string(readme), "`"+env+"`"), "README lists %s", env)
	})

	stderr.Reset()
	require.Equal(t, 2, run(context.Background(), []string{"-log-format", "xml"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "-log-format")
}

func TestParseOptions(t *testing.T) {
	for _, v := range flagEnv {
		t.Setenv(v, "")
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"defaults", nil, nil, ""},
		{"everything", []string{"-tls-cert", "c", "-tls-key", "k", "-client-ca", "ca", "-client-cert-login", "-smtp-url", "smtps://mx", "-mail-from", "a@b.c", "-log-format", "json", "-log-level", "debug", "-dev", "-shutdown-timeout", "3s"}, nil, ""},
		{"environment", nil, map[string]string{"LATCH_DEV": "1", "LATCH_LOG_LEVEL": "warn", "LATCH_SHUTDOWN_TIMEOUT": "2s"}, ""},
		{"bad level", []string{"-log-level", "loud"}, nil, "-log-level"},
		{"bad format", []string{"-log-format", "xml"}, nil, "-log-format"},
		{"cert without key", []string{"-tls-cert", "c"}, nil, "-tls-key"},
		{"client CA without TLS", []string{"-client-ca", "ca"}, nil, "-client-ca"},
		{"certificate login without CA", []string{"-tls-cert", "c", "-tls-key", "k", "-client-cert-login"}, nil, "-client-cert-login"},
		{"SMTP without sender", []string{"-smtp-url", "smtp://mx"}, nil, "-mail-from"},
		{"zero shutdown timeout", []string{"-shutdown-timeout", "0s"}, nil, "-shutdown-timeout"},
		{"bad environment value", nil, map[string]string{"LATCH_SHUTDOWN_TIMEOUT": "soon"}, "LATCH_SHUTDOWN_TIMEOUT"},
		{"stray argument", []string{"serve"}, nil, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			o, err := parseOptions(tc.args, io.Discard)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			if tc.name == "environment" {
				assert.True(t, o.dev)
				assert.Equal(t, "WARN", o.logLevel.String())
				assert.Equal(t, 2*time.Second, o.shutdownTimeout)
			}
		})
	}
}

func TestHSTS(t *testing.T) {
	t.Parallel()
	h := hsts(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	req := httptest.NewRequest("GET", "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Empty(t, rec.Header().Get("Strict-Transport-Security"), "not over plain HTTP")
	req.TLS = &tls.ConnectionState{}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, "max-age=31536000", rec.Header().Get("Strict-Transport-Security"))
}
