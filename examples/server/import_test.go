package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/importer"
	"github.com/latchkit/latch/store/sqlstore"
)

// tool runs an independent hashing tool (htpasswd from apache2-utils,
// mkpasswd from whois, openssl) and returns its output's first line.
func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (.ci/run installs apache2-utils, whois and openssl)", name)
	}
	out, err := exec.Command(name, args...).Output()
	require.NoError(t, err, "%s %v", name, args)
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// importCase is one account in one format, in a file as that system
// writes it, with a hash made by a tool other than Latch.
type importCase struct {
	format   importer.Format
	user     string
	password string
	file     func(t *testing.T, user, password string) string
	imported string // the summary's start, when not one plain account
}

var importCases = []importCase{
	{importer.SFTPGo, "sftpgo-user", "Sftpgo-Pw-2026", func(t *testing.T, u, pw string) string {
		// SFTPGo hashes with Go's bcrypt, which writes $2a$ for the
		// function libxcrypt labels $2b$.
		h := "$2a$" + strings.TrimPrefix(tool(t, "mkpasswd", "-m", "bcrypt", "-R", "10", pw), "$2b$")
		return `{"users":[{"id":1,"status":1,"username":"` + u + `","email":"` + u + `@example.com","password":"` + h +
			`","home_dir":"/srv/sftpgo/data/` + u + `","uid":0,"gid":0,"max_sessions":0,"quota_size":0,"quota_files":0,` +
			`"permissions":{"/":["*"]},"created_at":1717400000000,"updated_at":1717400000000,` +
			`"filters":{"tls_username":"None","hooks":{"external_auth_disabled":false,"pre_login_disabled":false,"check_password_disabled":false},"totp_config":{}},` +
			`"filesystem":{"provider":0,"osconfig":{},"s3config":{},"gcsconfig":{},"azblobconfig":{},"cryptconfig":{},"sftpconfig":{},"httpconfig":{}}}],` +
			`"groups":[],"folders":[],"admins":[],"api_keys":[],"shares":[],"event_actions":[],"event_rules":[],"roles":[],"ip_lists":[],"version":16}`
	}, ""},
	{importer.LDIF, "ldif-user", "Ldif-Pw-2026", func(t *testing.T, u, pw string) string {
		// slapcat writes userPassword in base64, folded at 76 columns.
		v := base64.StdEncoding.EncodeToString([]byte("{CRYPT}" + tool(t, "mkpasswd", "-m", "sha-512", pw)))
		line := "userPassword:: " + v
		folded := line[:76] + "\n " + line[76:]
		return "dn: ou=people,dc=example,dc=org\nobjectClass: organizationalUnit\nou: people\n\n" +
			"dn: uid=" + u + ",ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\nuid: " + u +
			"\ncn: LDIF User\nsn: User\nmail: " + u + "@example.org\n" + folded + "\nentryUUID: 48a3dc46-834a-1041-97f1-798d8e65789e\n\n"
	}, ""},
	{importer.CSV, "csv-user", "Csv-Pw-2026", func(t *testing.T, u, pw string) string {
		return "username,email,password_hash\r\n" + u + "," + u + "@example.net," + tool(t, "openssl", "passwd", "-6", pw) + "\r\n"
	}, ""},
	{importer.JSONL, "jsonl-user", "Jsonl-Pw-2026", func(t *testing.T, u, pw string) string {
		return `{"username":"` + u + `","email":"","password_hash":"` + tool(t, "openssl", "passwd", "-5", pw) + `"}` + "\n"
	}, ""},
	{importer.Htpasswd, "htpasswd-user", "Htpasswd-Pw-2026", func(t *testing.T, u, pw string) string {
		return tool(t, "htpasswd", "-nbB", "-C", "5", u, pw) + "\n"
	}, ""},
	{importer.Shadow, "shadow-user", "Shadow-Pw-2026", func(t *testing.T, u, pw string) string {
		// Debian's default yescrypt, and a DES crypt hash, whose account
		// comes in without a usable password.
		return "root:*:19000:0:99999:7:::\n" + u + ":" + tool(t, "mkpasswd", "-m", "yescrypt", pw) + ":19000:0:99999:7:::\n" +
			"des-user:" + tool(t, "mkpasswd", "-m", "descrypt", "Des-Pw-1") + ":19000:0:99999:7:::\n"
	}, "imported 2 (0 disabled, 1 without a usable password), skipped 1"},
	{importer.ProFTPD, "proftpd-user", "Proftpd-Pw-2026", func(t *testing.T, u, pw string) string {
		return u + ":" + tool(t, "openssl", "passwd", "-1", pw) + ":2001:2001::/srv/ftp/" + u + ":/bin/false\n"
	}, ""},
	{importer.PureFTPd, "pureftpd-user", "Pureftpd-Pw-2026", func(t *testing.T, u, pw string) string {
		return u + ":" + tool(t, "mkpasswd", "-m", "sha-512", pw) + ":1000:1000::/srv/ftp/" + u + "/./::::::::::::\n"
	}, ""},
}

// runImportCmd runs the built server's import subcommand in dir.
func runImportCmd(t *testing.T, bin, dir string, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"import"}, args...)...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// TestImportCommand imports one account per format through the import
// subcommand (configured by LATCH_DB and LATCH_KEY_FILE), starts the server
// on the same files, signs each account in through the API with its
// password, and reads the store to see each hash re-hashed to argon2id.
func TestImportCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := buildServer(t)
	env := []string{"LATCH_DB=users.db", "LATCH_KEY_FILE=users.key", "LATCH_ADDR=ignored-by-import"}

	for _, c := range importCases {
		name := filepath.Join(dir, string(c.format)+".in")
		require.NoError(t, os.WriteFile(name, []byte(c.file(t, c.user, c.password)), 0o600))
		out, errOut, err := runImportCmd(t, bin, dir, env, "-format", string(c.format), "-role", "member", "-permissions", "files, reports", name)
		require.NoError(t, err, "%s: %s%s", c.format, out, errOut)
		want := c.imported
		if want == "" {
			want = "imported 1 (0 disabled, 0 without a usable password), skipped " + map[bool]string{true: "1", false: "0"}[c.format == importer.LDIF]
		}
		assert.Contains(t, out, want+", conflicts 0, refused 0 in ", c.format)
		if c.format == importer.Shadow {
			assert.Contains(t, out, `line 3: "des-user": password hash in a broken format (des-crypt): imported without a usable password, to be set by a reset`)
		}
		assert.Empty(t, errOut, c.format)
		for _, h := range []string{"$2", "$5$", "$6$", "$1$"} {
			assert.NotContains(t, out, h, "the report never shows a hash")
		}
	}
	shadowOut, _, err := runImportCmd(t, bin, dir, env, "-format", "shadow", filepath.Join(dir, "shadow.in"))
	require.NoError(t, err)
	assert.Contains(t, shadowOut, "line 1: skipped \"root\": no password hash\n")
	// The organizational unit has no password: skipped, with its line.
	ldifOut, _, err := runImportCmd(t, bin, dir, env, "-format", "ldif", filepath.Join(dir, "ldif.in"))
	require.NoError(t, err)
	assert.Contains(t, ldifOut, "line 1: skipped: no uid attribute (dn: ou=people,dc=example,dc=org)\n")
	// A second import of a file finds every account taken: conflicts are
	// reported, and are not an error.
	assert.Regexp(t, `line 5: conflict "ldif-user": (USERNAME|EMAIL)_ALREADY_USED\n`, ldifOut)
	assert.Contains(t, ldifOut, "imported 0 (0 disabled, 0 without a usable password), skipped 1, conflicts 1, refused 0 in ")

	s := startWith(t, bin, dir, []string{"-addr", "127.0.0.1:0", "-db", "users.db", "-key-file", "users.key"})
	for i, c := range importCases {
		var login struct {
			AccessToken string `json:"access_token"`
		}
		if i < 2 { // more failures would get the client IP banned
			s.do(call{method: "POST", path: "/login/password", body: map[string]any{"identifier": c.user, "password": c.password + "x"}}, 401, nil)
		}
		s.do(call{method: "POST", path: "/login/password", body: map[string]any{"identifier": c.user, "password": c.password}}, 200, &login)
		var me struct {
			Username    string   `json:"username"`
			Role        string   `json:"role"`
			Permissions []string `json:"permissions"`
		}
		s.do(call{method: "GET", path: "/me", bearer: login.AccessToken}, 200, &me)
		assert.Equal(t, c.user, me.Username, i)
		assert.Equal(t, "member", me.Role)
		assert.Equal(t, []string{"files", "reports"}, me.Permissions)
	}
	// DES crypt is refused: the account exists, without a usable password.
	s.do(call{method: "POST", path: "/login/password", body: map[string]any{"identifier": "des-user", "password": "Des-Pw-1"}}, 401, nil)
	s.stop()

	// The store as the server left it: every imported hash is now argon2id.
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "users.db"))
	require.NoError(t, err)
	defer st.Close()
	des, err := st.UserByUsername(context.Background(), "des-user")
	require.NoError(t, err)
	assert.Empty(t, des.PasswordHash)
	for _, c := range importCases {
		u, err := st.UserByUsername(context.Background(), c.user)
		require.NoError(t, err, c.user)
		assert.True(t, strings.HasPrefix(u.PasswordHash, "$argon2id$"), "%s: %.12s", c.user, u.PasswordHash)
		assert.False(t, hash.NeedsRehash(u.PasswordHash), c.user)
		ok, err := hash.Verify(c.password, u.PasswordHash)
		require.NoError(t, err)
		assert.True(t, ok, c.user)
	}
}

// TestImportCommandErrors checks the exit status: non-zero only when the
// import cannot go on.
func TestImportCommandErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := buildServer(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte("{\"username\":\""+strings.Repeat("u", importer.MaxLineLen)+"\"}\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ok.htpasswd"), []byte("a:nothash\n"), 0o600))
	tests := []struct {
		name   string
		args   []string
		fail   bool
		stderr string
		stdout string
	}{
		{name: "unknown format", args: []string{"-format", "xml", "x"}, fail: true, stderr: `unknown file format \"xml\"`},
		{name: "no format", args: []string{"x"}, fail: true, stderr: "unknown file format"},
		{name: "no file", args: []string{"-format", "csv"}, fail: true, stderr: "give exactly one file"},
		{name: "missing file", args: []string{"-format", "csv", "nosuch.csv"}, fail: true, stderr: "no such file"},
		{name: "fatal parse error", args: []string{"-format", "jsonl", "bad.jsonl"}, fail: true, stderr: "import file too large", stdout: "imported 0"},
		{name: "bad role", args: []string{"-format", "htpasswd", "-role", "a b", "ok.htpasswd"}, fail: true, stderr: "role"},
		{name: "only skipped lines", args: []string{"-format", "htpasswd", "ok.htpasswd"}, stdout: `line 1: skipped "a": unsupported password hash format`},
		{name: "help", args: []string{"-h"}, stderr: "usage: server import"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runImportCmd(t, bin, dir, nil, tc.args...)
			var exit *exec.ExitError
			if tc.fail {
				require.True(t, errors.As(err, &exit), "want a non-zero exit: %v %s", err, errOut)
			} else {
				require.NoError(t, err, errOut)
			}
			assert.Contains(t, errOut, tc.stderr)
			assert.Contains(t, out, tc.stdout)
		})
	}
}

// TestImportRunReports drives the import loop directly: a large file in
// batches, with progress lines, notes, skipped lines and conflicts in the
// report.
func TestImportRunReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, importDSN(filepath.Join(t.TempDir(), "latch.db")))
	require.NoError(t, err)
	defer st.Close()
	svc := newTestService(t, st)
	const n = 2*importBatch + 7
	var file strings.Builder
	for i := range n {
		fmt.Fprintf(&file, "user%d:%s:19000:0:99999:7:::\n", i, benchHash)
		if i == 3 {
			file.WriteString("broken line\n")
			fmt.Fprintf(&file, "user%d:%s:19000:0:99999:7:::\n", i, benchHash) // a duplicate
			fmt.Fprintf(&file, "old:%s:19000:0:99999:7::1:\n", benchHash)      // expired in 1970
		}
	}
	var out, progress bytes.Buffer
	m := &importRun{svc: svc, role: "user", out: &out, progress: &progress, every: time.Nanosecond}
	r, err := importer.NewReader(strings.NewReader(file.String()), importer.Shadow, importer.Options{})
	require.NoError(t, err)
	require.NoError(t, m.run(ctx, r))
	assert.Equal(t, importSummary{Read: n + 2, Imported: n + 1, Skipped: 1, Conflicts: 1, Disabled: 1}, m.sum)
	assert.Equal(t, "line 5: skipped: want 9 fields, got 1\n"+
		"line 6: conflict \"user3\": USERNAME_ALREADY_USED\n"+
		"line 7: \"old\": account expired on 1970-01-02: imported disabled\n", out.String()[:strings.LastIndex(out.String()[:len(out.String())-1], "\n")+1])
	assert.Regexp(t, `imported 1008 \(1 disabled, 0 without a usable password\), skipped 1, conflicts 1, refused 0 in [0-9.]+s \(\d+ users/s\)\n$`, out.String())
	assert.Equal(t, 3, strings.Count(progress.String(), "import: "), "a progress line after each batch here")

	// Interrupted: the batch being imported stops between users.
	c, cancel := context.WithCancel(ctx)
	cancel()
	m = &importRun{svc: svc, out: io.Discard, progress: io.Discard, every: time.Hour}
	r, err = importer.NewReader(strings.NewReader("late:"+benchHash+":19000:0:99999:7:::\n"), importer.Shadow, importer.Options{})
	require.NoError(t, err)
	require.ErrorContains(t, m.run(c, r), "import interrupted")
}

func newTestService(t *testing.T, st *sqlstore.Store) *auth.Service {
	t.Helper()
	svc, err := auth.New(t.Context(), st, auth.Config{SealingKey: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return svc
}

func TestImportDSN(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"path", "latch.db", "latch.db?_pragma=mmap_size(0)"},
		{"with parameters", "latch.db?_pragma=busy_timeout(100)", "latch.db?_pragma=busy_timeout(100)&_pragma=mmap_size(0)"},
		{"file URI", "file:latch.db?mode=rwc", "file:latch.db?mode=rwc&_pragma=mmap_size(0)"},
		{"mmap chosen", "latch.db?_pragma=mmap_size(1048576)", "latch.db?_pragma=mmap_size(1048576)"},
		{"postgres", "postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable"},
		{"postgresql", "postgresql://u@h/db", "postgresql://u@h/db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, importDSN(tc.in))
		})
	}
}
