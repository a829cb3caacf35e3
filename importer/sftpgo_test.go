package importer

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
)

// testNow is the instant the tests compare expiration dates with.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var wantSFTPGo = []wantUser{
	{name: "alice", email: "alice@example.com", prefix: "$2a$10$"},
	{name: "bob", email: "bob@example.com", prefix: "$argon2id$v=19$m=65536,t=1,p=2$"},
	{name: "carol", email: "carol@example.com", prefix: "$pbkdf2-sha256$150000$", disabled: true},
	{name: "dave", email: "dave@example.com", prefix: "$6$", disabled: true, notes: []string{
		"account expired on 2025-12-31: imported disabled",
		"1 SSH public key(s) not carried over",
		"denied IPs 203.0.113.0/24 not carried over",
		"denied protocols FTP not carried over",
		"file name patterns not carried over",
		"1 virtual folder(s) not carried over",
		"per-directory permissions not carried over",
	}},
	{name: "erin", email: "erin@example.com", prefix: "$1$", ips: []string{"192.168.1.0/24", "10.0.0.5/32"}, notes: []string{
		"account expiry on 2027-07-01 not carried over (Latch accounts do not expire)",
		"TOTP second factor (secret encrypted by SFTPGo's KMS, AES-256-GCM) not carried over",
		"recovery codes not carried over",
	}},
	{name: "gina", email: "gina@example.com", prefix: "$apr1$", notes: []string{
		"the requirement to change the password not carried over",
		"membership of 1 group(s) not carried over",
	}},
}

// TestSFTPGoDump reads a dump in the shape SFTPGo 2.6 writes, indented as
// dumpdata's indent=1 writes it and compact as its backups are.
func TestSFTPGoDump(t *testing.T) {
	t.Parallel()
	indented := readFixture(t, "sftpgo-dump.json")
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, indented))
	tests := []struct {
		name  string
		input []byte
		lines []int // of each user, then of the one skipped
	}{
		{name: "indented", input: indented, lines: []int{3, 48, 91, 134, 222, 353, 306}},
		{name: "compact", input: compact.Bytes(), lines: []int{1, 1, 1, 1, 1, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadAll(bytes.NewReader(tc.input), SFTPGo, Options{Now: testNow})
			require.NoError(t, err)
			checkImport(t, got, wantSFTPGo, map[string]string{"frank": "no password hash (public-key-only account)"})
			var lines []int
			for _, u := range got.Users {
				lines = append(lines, u.Line)
			}
			assert.Equal(t, tc.lines, append(lines, got.Skipped[0].Line))
		})
	}
}

// sftpgoDoc wraps users in a dump with other sections around them.
func sftpgoDoc(users string) string {
	return `{"folders":[{"name":"f","filesystem":{"provider":0}}],"users":` + users + `,"admins":[{"username":"admin","password":"$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21"}],"version":16}`
}

const md5Hash = "$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21"

func TestSFTPGoHostileInput(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("a", MaxObjectLen+1)
	user := `{"username":"u","password":"` + md5Hash + `","status":1}`
	tests := []struct {
		name    string
		input   string
		users   []string
		skipped []string // reasons
		err     string   // of the fatal error, or ""
		tooBig  bool
	}{
		{name: "users only", input: `{"users":[` + user + `]}`, users: []string{"u"}},
		{name: "other sections around", input: sftpgoDoc(`[` + user + `]`), users: []string{"u"}},
		{name: "two users lists", input: `{"users":[` + user + `],"users":[` + strings.Replace(user, `"u"`, `"v"`, 1) + `]}`, users: []string{"u", "v"}},
		{name: "no users", input: `{"version":16}`},
		{name: "null users", input: `{"users":null,"version":16}`},
		{name: "empty users", input: `{"users":[]}`},
		{name: "not a user object", input: sftpgoDoc(`[1,"x",` + user + `]`), users: []string{"u"}, skipped: []string{"invalid user: not a JSON object", "invalid user: not a JSON object"}},
		{name: "wrong type", input: sftpgoDoc(`[{"username":"w","status":"1"},` + user + `]`), users: []string{"u"}, skipped: []string{`invalid user: "status" has the wrong type`}},
		{name: "null user", input: `{"users":[null]}`, skipped: []string{reasonNoUsername}},
		{name: "no password", input: `{"users":[{"username":"u","status":1}]}`, skipped: []string{reasonNoHash}},
		{name: "plain password", input: `{"users":[{"username":"u","password":"secret","status":1}]}`, skipped: []string{reasonUnsupported}},
		{name: "control characters", input: `{"users":[{"username":"u\u001b[2J","password":"` + md5Hash + `"}]}`, skipped: []string{reasonNotText}},
		{name: "bad allowed IP", input: `{"users":[{"username":"u","password":"` + md5Hash + `","filters":{"allowed_ip":["10.0.0.0/33"]}}]}`, skipped: []string{"unparsable allowed IP"}},
		{name: "not an object", input: `[]`, err: "not an SFTPGo dump"},
		{name: "users not a list", input: `{"users":{}}`, err: `"users" is not a list`},
		{name: "empty", input: ``, err: "unexpected EOF"},
		// encoding/json words the end of input differently across Go releases.
		{name: "truncated", input: `{"users":[` + user, err: `unexpected (EOF|end of JSON input)`},
		{name: "trailing data", input: `{"users":[]} {}`, err: "data after the dump's closing brace"},
		{name: "syntax error", input: `{"users":[{"username":}]}`, err: "invalid character"},
		{name: "deep nesting elsewhere", input: `{"configs":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, err: "nested more than 64 deep"},
		{name: "huge user", input: `{"users":[{"username":"u","description":"` + big + `"}]}`, tooBig: true},
		{name: "far too large a user", input: `{"users":[{"username":"u","description":"` + strings.Repeat(big, 8) + `"}]}`, tooBig: true},
		{name: "huge value elsewhere", input: `{"configs":"` + big + `","users":[` + user + `]}`, tooBig: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadAll(strings.NewReader(tc.input), SFTPGo, Options{Now: testNow})
			switch {
			case tc.tooBig:
				require.ErrorIs(t, err, ErrTooLarge)
				return
			case tc.err != "":
				require.Error(t, err)
				require.Regexp(t, tc.err, err.Error())
				return
			}
			require.NoError(t, err)
			var names, reasons []string
			for _, u := range got.Users {
				names = append(names, u.Username)
			}
			for _, s := range got.Skipped {
				reasons = append(reasons, s.Reason)
			}
			assert.Equal(t, tc.users, names)
			assert.Equal(t, tc.skipped, reasons)
		})
	}
}

// TestSFTPGoLargeSectionsStream passes over sections much larger than
// MaxObjectLen, each value small, and still finds the users after them.
func TestSFTPGoLargeSectionsStream(t *testing.T) {
	t.Parallel()
	folder := `{"id":1,"name":"shared","mapped_path":"/srv/shared","filesystem":{"provider":0,"s3config":{}}},`
	n := 4*MaxObjectLen/len(folder) + 1
	r := io.MultiReader(
		strings.NewReader(`{"folders":[`),
		strings.NewReader(strings.Repeat(folder, n)),
		strings.NewReader(`{}],"users":[{"username":"u","password":"`+md5Hash+`"}]}`),
	)
	got, err := ReadAll(r, SFTPGo, Options{})
	require.NoError(t, err)
	require.Len(t, got.Users, 1)
}

// TestFixturePasswords checks each imported hash against the password it
// was made from (testdata/README.md), so the fixtures hold the tools'
// real output.
func TestFixturePasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		file      string
		format    Format
		passwords map[string]string
	}{
		{"sftpgo", "sftpgo-dump.json", SFTPGo, map[string]string{
			"alice": "alicepw1", "bob": "bobpw123", "carol": "carolpw1", "dave": "davepw12", "erin": "erinpw12", "gina": "ginapw12",
		}},
		{"ldif", "slapcat.ldif", LDIF, map[string]string{
			"alice": "alicepw1", "bob": "bobpw123", "carol": "carolpw1", "dave": "davepw12", "frank": "frankpw1", "henry": "henrypw1",
		}},
		{"csv", "users.csv", CSV, map[string]string{"anna": "annapw12", "ben": "benpw123", "cleo": "cleopw12", "dina": "dinapw12", "gaia": "gaiapw12"}},
		{"jsonl", "users.jsonl", JSONL, map[string]string{"anna": "annapw12", "ben": "benpw123", "cleo": "cleopw12", "dina": "dinapw12", "gaia": "gaiapw12"}},
		{"htpasswd", "htpasswd", Htpasswd, map[string]string{"grace": "gracepw1", "heidi": "heidipw1", "ivan": "ivanpw12", "judy": "judypw12"}},
		{"shadow", "shadow", Shadow, map[string]string{"kim": "kimpw123", "leo": "leopw123", "mia": "miapw123", "oli": "olipw123"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadAll(bytes.NewReader(readFixture(t, tc.file)), tc.format, Options{Now: testNow})
			require.NoError(t, err)
			seen := 0
			for _, u := range got.Users {
				pw, ok := tc.passwords[u.Username]
				if !ok {
					continue
				}
				seen++
				ok, err := hash.Verify(pw, u.PasswordHash)
				require.NoError(t, err, u.Username)
				assert.True(t, ok, u.Username)
				ok, err = hash.Verify(pw+"x", u.PasswordHash)
				require.NoError(t, err, u.Username)
				assert.False(t, ok, u.Username)
			}
			assert.Equal(t, len(tc.passwords), seen)
		})
	}
}
