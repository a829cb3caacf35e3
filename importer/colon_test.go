package importer

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// wantUser is what a test expects of one imported account.
type wantUser struct {
	name     string
	email    string
	prefix   string // of the hash; "" for an account without a usable password
	ips      []string
	disabled bool
	notes    []string
}

func checkImport(t *testing.T, got *Import, users []wantUser, skipped map[string]string) {
	t.Helper()
	require.Len(t, got.Users, len(users))
	for i, w := range users {
		u := got.Users[i]
		assert.Equal(t, w.name, u.Username)
		assert.Equal(t, w.email, u.Email, w.name)
		if w.prefix == "" {
			assert.Empty(t, u.PasswordHash, w.name)
		} else {
			assert.True(t, strings.HasPrefix(u.PasswordHash, w.prefix), "%s: hash %.8q", w.name, u.PasswordHash)
		}
		assert.Equal(t, w.ips, u.AllowedIPs, w.name)
		assert.Equal(t, w.disabled, u.Disabled, w.name)
		assert.Equal(t, w.notes, u.Notes, w.name)
		assert.Positive(t, u.Line)
	}
	gotSkipped := make(map[string]string)
	for _, s := range got.Skipped {
		gotSkipped[s.Username] = s.Reason
		assert.NotContains(t, s.Reason, "$", "reasons never carry a hash")
		assert.Positive(t, s.Line)
	}
	assert.Equal(t, skipped, gotSkipped)
}

func TestColonFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		file    string
		format  Format
		users   []wantUser
		skipped map[string]string
	}{
		{
			name: "pure-ftpd", file: "pureftpd.passwd", format: PureFTPd,
			users: []wantUser{
				{name: "alice", prefix: "$argon2id$", ips: []string{"192.168.1.0/24", "10.0.0.5/32"}},
				{name: "bob", prefix: "$argon2id$"},
				{name: "pat", prefix: "$6$", ips: []string{"10.1.0.0/16"}},
			},
			skipped: map[string]string{"carol": "refused client IPs are not supported"},
		},
		{
			name: "proftpd", file: "ftpd.passwd", format: ProFTPD,
			users:   []wantUser{{name: "dave", prefix: "$6$"}, {name: "erin", prefix: "$1$"}, {name: "frank", prefix: "$5$"}},
			skipped: map[string]string{},
		},
		{
			name: "htpasswd", file: "htpasswd", format: Htpasswd,
			users: []wantUser{
				{name: "grace", prefix: "$2y$05$"}, {name: "heidi", prefix: "$apr1$"}, {name: "ivan", prefix: "{SHA}"}, {name: "judy", prefix: "$6$"},
			},
			skipped: map[string]string{},
		},
		{
			name: "shadow", file: "shadow", format: Shadow,
			users: []wantUser{
				{name: "kim", prefix: "$6$"}, {name: "leo", prefix: "$5$", disabled: true}, {name: "mia", prefix: "$y$"}, {name: "oli", prefix: "$1$"},
			},
			skipped: map[string]string{"root": "no password hash", "daemon": "no password hash", "ned": "no password hash"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadAll(bytes.NewReader(readFixture(t, tc.file)), tc.format, Options{})
			require.NoError(t, err)
			checkImport(t, got, tc.users, tc.skipped)
		})
	}
}

// TestParseFunctions checks that each Parse function reads its format.
func TestParseFunctions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		parse func(io.Reader) (*Import, error)
		users int
	}{
		{"ParseHtpasswd", "htpasswd", ParseHtpasswd, 4},
		{"ParseShadow", "shadow", ParseShadow, 4},
		{"ParseProFTPD", "ftpd.passwd", ParseProFTPD, 3},
		{"ParsePureFTPd", "pureftpd.passwd", ParsePureFTPd, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.parse(bytes.NewReader(readFixture(t, tc.file)))
			require.NoError(t, err)
			assert.Len(t, got.Users, tc.users)
		})
	}
}

func TestColonHostileInput(t *testing.T) {
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
		{name: "no final newline", input: "u:" + h, users: 1},
		{name: "too few fields", input: "u\n", reason: "want 2 fields, got 1"},
		{name: "too many fields", input: "u:" + h + ":x\n", reason: "want 2 fields, got 3"},
		{name: "empty user", input: ":" + h + "\n", reason: "empty username"},
		{name: "empty hash", input: "u:\n", reason: "no password hash"},
		{name: "star", input: "u:*\n", reason: "no password hash"},
		{name: "garbage hash", input: "u:$1$\n", reason: "unsupported password hash format"},
		{name: "des crypt", input: "u:6muEpQ938yjiY\n", users: 1},
		{name: "nul byte", input: "u\x00:" + h + "\n", reason: "not valid UTF-8 text"},
		{name: "control character", input: "u\x1b[2J:" + h + "\n", reason: "not valid UTF-8 text"},
		{name: "invalid utf8", input: "u\xff:" + h + "\n", reason: "not valid UTF-8 text"},
		// Left to the store's uniqueness, which reports a conflict.
		{name: "duplicate", input: "u:" + h + "\nu:" + h + "\n", users: 2},
		{name: "long line", input: "u:" + strings.Repeat("a", MaxLineLen) + "\n", err: ErrTooLarge},
		{name: "long line after users", input: "u:" + h + "\nv:" + strings.Repeat("a", MaxLineLen) + "\n", err: ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseHtpasswd(strings.NewReader(tc.input))
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
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

func TestShadowExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) // day 20513
	const h = "$5$7uXeSROTB9hPW5sN$tdt0k.KYzuzU2M26YmAKru05udhIycCw9o.wLm8GXY."
	tests := []struct {
		name     string
		expire   string
		disabled bool
		notes    []string
	}{
		{name: "none", expire: ""},
		{name: "past", expire: "20000", disabled: true, notes: []string{"account expired on 2024-10-04: imported disabled"}},
		{name: "today", expire: "20513", disabled: true, notes: []string{"account expired on 2026-03-01: imported disabled"}},
		{name: "future", expire: "20600", notes: []string{"account expiry on 2026-05-27 not carried over (Latch accounts do not expire)"}},
		{name: "garbage", expire: "soon", notes: []string{"unparsable account expiry (shadow field 8) not carried over"}},
		{name: "negative", expire: "-1", notes: []string{"unparsable account expiry (shadow field 8) not carried over"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			line := "sam:" + h + ":19000:0:99999:7::" + tc.expire + ":\n"
			got, err := ReadAll(strings.NewReader(line), Shadow, Options{Now: now})
			require.NoError(t, err)
			require.Len(t, got.Users, 1)
			assert.Equal(t, tc.disabled, got.Users[0].Disabled)
			assert.Equal(t, tc.notes, got.Users[0].Notes)
		})
	}
}

func TestParseIPEntry(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"address", "10.0.0.5", "10.0.0.5/32"},
		{"prefix", "10.0.0.0/8", "10.0.0.0/8"},
		{"prefix with host bits", "10.1.2.3/16", "10.1.0.0/16"},
		{"netmask", "10.1.0.0/255.255.0.0", "10.1.0.0/16"},
		{"ipv6 address", "2001:db8::1", "2001:db8::1/128"},
		{"ipv6 prefix", "2001:db8::/32", "2001:db8::/32"},
		{"spaces", " 10.0.0.5 ", "10.0.0.5/32"},
		{"non-contiguous netmask", "10.1.0.0/255.0.255.0", ""},
		{"ipv6 netmask", "10.1.0.0/ffff::", ""},
		{"zone", "fe80::1%eth0", ""},
		{"host name", "host.example", ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseIPEntry(tc.in)
			assert.Equal(t, tc.want != "", ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestReaderStreams reads entries one by one and checks the skip/fatal
// contract of Next.
func TestReaderStreams(t *testing.T) {
	t.Parallel()
	in := "a:$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21\nb:nothash\nc:$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21\n" +
		"d:" + strings.Repeat("x", MaxLineLen+1) + "\n"
	r, err := NewReader(strings.NewReader(in), Htpasswd, Options{})
	require.NoError(t, err)
	u, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, "a", u.Username)
	_, err = r.Next()
	var skip *SkippedLine
	require.ErrorAs(t, err, &skip)
	assert.Equal(t, SkippedLine{Line: 2, Username: "b", Reason: reasonUnsupported}, *skip)
	assert.Equal(t, `line 2 ("b") skipped: unsupported password hash format`, skip.Error())
	u, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, 3, u.Line)
	_, err = r.Next()
	require.ErrorIs(t, err, ErrTooLarge)
	_, err2 := r.Next()
	assert.Equal(t, err, err2, "a fatal error sticks")
	assert.False(t, errors.As(err, &skip))
}

func TestNewReaderUnknownFormat(t *testing.T) {
	t.Parallel()
	_, err := NewReader(strings.NewReader(""), Format("passwd"), Options{})
	require.ErrorIs(t, err, ErrUnknownFormat)
	_, err = ParseFormat("xml")
	require.ErrorIs(t, err, ErrUnknownFormat)
	for _, f := range Formats() {
		got, err := ParseFormat(string(f))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
}

func TestReadAllLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a million lines")
	}
	t.Parallel()
	// MaxUsers+1 entries, all skipped (cheap to parse).
	r := io.MultiReader(strings.NewReader(strings.Repeat("u:\n", MaxUsers)), strings.NewReader("v:\n"))
	_, err := ReadAll(r, Htpasswd, Options{})
	require.ErrorIs(t, err, ErrTooLarge)
}
