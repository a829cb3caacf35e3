package auth

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readImport(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "import", name))
	require.NoError(t, err)
	return b
}

type wantUser struct {
	name     string
	prefix   string
	ips      []string
	disabled bool
}

func checkImport(t *testing.T, got *Import, users []wantUser, skipped map[string]string) {
	t.Helper()
	require.Len(t, got.Users, len(users))
	for i, w := range users {
		u := got.Users[i]
		assert.Equal(t, w.name, u.Username)
		assert.True(t, strings.HasPrefix(u.PasswordHash, w.prefix), "%s: hash %q", w.name, u.PasswordHash[:6])
		assert.Equal(t, w.ips, u.AllowedIPs, w.name)
		assert.Equal(t, w.disabled, u.Disabled, w.name)
		assert.Positive(t, u.Line)
	}
	gotSkipped := make(map[string]string)
	for _, s := range got.Skipped {
		gotSkipped[s.Username] = s.Reason
		assert.NotContains(t, s.Reason, "$", "reasons never carry a hash")
	}
	assert.Equal(t, skipped, gotSkipped)
}

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	t.Run("pure-ftpd", func(t *testing.T) {
		t.Parallel()
		got, err := ParsePureFTPd(bytes.NewReader(readImport(t, "pureftpd.passwd")))
		require.NoError(t, err)
		checkImport(t, got, []wantUser{
			{name: "alice", prefix: "$argon2id$", ips: []string{"192.168.1.0/24", "10.0.0.5/32"}},
			{name: "bob", prefix: "$argon2id$"},
			{name: "pat", prefix: "$6$", ips: []string{"10.1.0.0/16"}},
		}, map[string]string{"carol": "refused client IPs are not supported"})
	})
	t.Run("proftpd", func(t *testing.T) {
		t.Parallel()
		got, err := ParseProFTPD(bytes.NewReader(readImport(t, "ftpd.passwd")))
		require.NoError(t, err)
		checkImport(t, got, []wantUser{
			{name: "dave", prefix: "$6$"}, {name: "erin", prefix: "$1$"}, {name: "frank", prefix: "$5$"},
		}, map[string]string{})
	})
	t.Run("htpasswd", func(t *testing.T) {
		t.Parallel()
		got, err := ParseHtpasswd(bytes.NewReader(readImport(t, "htpasswd")))
		require.NoError(t, err)
		checkImport(t, got, []wantUser{
			{name: "grace", prefix: "$2y$05$"}, {name: "heidi", prefix: "$apr1$"}, {name: "ivan", prefix: "{SHA}"}, {name: "judy", prefix: "$6$"},
		}, map[string]string{})
	})
	t.Run("shadow", func(t *testing.T) {
		t.Parallel()
		got, err := ParseShadow(bytes.NewReader(readImport(t, "shadow")))
		require.NoError(t, err)
		checkImport(t, got, []wantUser{
			{name: "kim", prefix: "$6$"}, {name: "leo", prefix: "$5$", disabled: true}, {name: "mia", prefix: "$y$"}, {name: "oli", prefix: "$1$"},
		}, map[string]string{
			"root": "no password hash", "daemon": "no password hash", "ned": "no password hash",
		})
	})
}

func TestParseHostileInput(t *testing.T) {
	t.Parallel()
	const h = "$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21"
	tests := []struct {
		name   string
		input  string
		users  int
		reason string
		err    error
	}{
		{name: "empty", input: ""},
		{name: "comments and blanks", input: "# c\n\n   \n"},
		{name: "crlf", input: "u:" + h + "\r\n", users: 1},
		{name: "too few fields", input: "u\n", reason: "want 2 fields, got 1"},
		{name: "too many fields", input: "u:" + h + ":x\n", reason: "want 2 fields, got 3"},
		{name: "empty user", input: ":" + h + "\n", reason: "empty username"},
		{name: "empty hash", input: "u:\n", reason: "no password hash"},
		{name: "garbage hash", input: "u:$1$\n", reason: "unsupported password hash format"},
		{name: "nul byte", input: "u\x00:" + h + "\n", reason: "not valid UTF-8 text"},
		{name: "invalid utf8", input: "u\xff:" + h + "\n", reason: "not valid UTF-8 text"},
		{name: "duplicate", input: "u:" + h + "\nu:" + h + "\n", users: 1, reason: "duplicate of line 1"},
		{name: "long line", input: "u:" + strings.Repeat("a", MaxImportLineLen) + "\n", err: ErrImportTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseHtpasswd(strings.NewReader(tc.input))
			if tc.err != nil {
				require.True(t, errors.Is(err, tc.err), "got %v", err)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Len(t, got.Users, tc.users)
			if tc.reason == "" {
				assert.Empty(t, got.Skipped)
			} else {
				require.Len(t, got.Skipped, 1)
				assert.Equal(t, tc.reason, got.Skipped[0].Reason)
			}
		})
	}
}

func TestParseIPEntry(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"10.0.0.5", "10.0.0.5/32"},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.1.2.3/16", "10.1.0.0/16"},
		{"10.1.0.0/255.255.0.0", "10.1.0.0/16"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"10.1.0.0/255.0.255.0", ""},
		{"10.1.0.0/ffff::", ""},
		{"host.example", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got, ok := parseIPEntry(tc.in)
		assert.Equal(t, tc.want != "", ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func FuzzParsePasswordFiles(f *testing.F) {
	for _, name := range []string{"pureftpd.passwd", "ftpd.passwd", "htpasswd", "shadow"} {
		b, err := os.ReadFile(filepath.Join("testdata", "import", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, parse := range []func([]byte) (*Import, error){
			func(b []byte) (*Import, error) { return ParseHtpasswd(bytes.NewReader(b)) },
			func(b []byte) (*Import, error) { return ParseShadow(bytes.NewReader(b)) },
			func(b []byte) (*Import, error) { return ParseProFTPD(bytes.NewReader(b)) },
			func(b []byte) (*Import, error) { return ParsePureFTPd(bytes.NewReader(b)) },
		} {
			got, err := parse(b)
			if err != nil {
				if got != nil {
					t.Fatal("result with error")
				}
				continue
			}
			for _, u := range got.Users {
				if u.Username == "" || u.PasswordHash == "" || strings.ContainsAny(u.Username, ":\n") {
					t.Fatalf("bad user %+v", u)
				}
			}
		}
	})
}
