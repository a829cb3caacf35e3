package importer

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLDIFSlapcat reads what OpenLDAP's slapcat wrote for a directory
// loaded with slapadd (testdata/README.md): folded lines, base64 values,
// operational attributes, a jpegPhoto, organizational entries.
func TestLDIFSlapcat(t *testing.T) {
	t.Parallel()
	got, err := ReadAll(bytes.NewReader(readFixture(t, "slapcat.ldif")), LDIF, Options{})
	require.NoError(t, err)
	checkImport(t, got, []wantUser{
		{name: "alice", email: "alice@example.org", prefix: "{SSHA}"},
		{name: "bob", email: "bob@example.org", prefix: "$6$V1ePburDwwAQ50u1$"},
		{name: "carol", email: "carol@example.org", prefix: "$1$Pa2ZLBDN$", notes: []string{"1 more mail address(es) not carried over"}},
		{name: "dave", email: "dave@example.org", prefix: "$y$j9T$"},
		{name: "frank", email: "frank@example.org", prefix: "$5$", disabled: true, notes: []string{
			"locked by the password policy (pwdAccountLockedTime): imported disabled",
		}},
		{name: "gina", email: "gina@example.org", notes: []string{
			"password hash in a broken format (des-crypt): imported without a usable password, to be set by a reset",
		}},
		{name: "henry", email: "henry@example.org", prefix: "$argon2i$v=19$m=4096,t=3,p=1$"},
	}, map[string]string{
		"":     "no uid attribute (dn: ou=people,dc=example,dc=org)",
		"erin": "no userPassword attribute",
		"jose": reasonUnsupported, // a clear-text userPassword
	})
	var lines []int
	for _, u := range got.Users {
		lines = append(lines, u.Line)
	}
	assert.Equal(t, []int{25, 48, 71, 93, 135, 158, 179}, lines, "the dn line of each entry")
	var skipped []SkippedLine
	for _, s := range got.Skipped {
		skipped = append(skipped, SkippedLine{Line: s.Line, Username: s.Username})
	}
	assert.Equal(t, []SkippedLine{{Line: 1}, {Line: 14}, {Line: 115, Username: "erin"}, {Line: 228, Username: "jose"}}, skipped)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestLDIFSyntax(t *testing.T) {
	t.Parallel()
	const crypt = "{CRYPT}" + md5Hash
	entry := func(lines ...string) string {
		return "dn: uid=u,ou=people,dc=example,dc=org\n" + strings.Join(lines, "\n") + "\n"
	}
	tests := []struct {
		name    string
		input   string
		users   []wantUser
		skipped []string // reasons
		err     error
	}{
		{name: "empty"},
		{name: "comments only", input: "# slapcat output\n#  of nothing\n"},
		{name: "plain", input: entry("uid: u", "userPassword: "+crypt), users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "base64", input: entry("uid:: "+b64("u"), "mail:: "+b64("u@example.org"), "userPassword:: "+b64(crypt)),
			users: []wantUser{{name: "u", email: "u@example.org", prefix: "$1$"}}},
		{name: "folded everywhere", input: "dn: uid=u,ou=people,\n dc=example,dc=org\nui\n d: \n u\nuserPassword:: " +
			b64(crypt)[:10] + "\n " + b64(crypt)[10:20] + "\n " + b64(crypt)[20:] + "\n",
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "crlf and no final newline", input: "dn: uid=u\r\nuid: u\r\nuserPassword: " + crypt,
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "version line", input: "version: 1\n" + entry("uid: u", "userPassword: "+crypt) + "\n" + entry("uid: v", "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$"}, {name: "v", prefix: "$1$"}}},
		{name: "version line and blank", input: "version: 1\n\n" + entry("uid: u", "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "names and options in any case", input: entry("UID: u", "userPassword;binary: "+crypt, "MAIL: u@example.org"),
			users: []wantUser{{name: "u", email: "u@example.org", prefix: "$1$"}}},
		{name: "comment inside an entry", input: entry("uid: u", "# a comment", " folded into the comment", "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "blank lines between entries", input: "\n\n" + entry("uid: u", "userPassword: "+crypt) + "\n\n\n" + entry("uid: v", "userPassword: "+crypt) + "\n\n",
			users: []wantUser{{name: "u", prefix: "$1$"}, {name: "v", prefix: "$1$"}}},
		{name: "crypt scheme in lower case", input: entry("uid: u", "userPassword: {crypt}"+md5Hash), users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "first usable password", input: entry("uid: u", "userPassword: secret", "userPassword: "+crypt), users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "many uids", input: entry("uid: u", "uid: u2", "uid: u3", "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$", notes: []string{"2 more uid value(s) not carried over"}}}},
		{name: "more values than kept", input: entry(append(strings.Split(strings.Repeat("uid: x\n", 20), "\n")[:20], "userPassword: "+crypt)...),
			users: []wantUser{{name: "x", prefix: "$1$", notes: []string{"19 more uid value(s) not carried over"}}}},
		{name: "no uid", input: "dn: ou=people,dc=example,dc=org\nou: people\n", skipped: []string{"no uid attribute (dn: ou=people,dc=example,dc=org)"}},
		{name: "root DSE", input: "dn:\nobjectClass: top\n", skipped: []string{"no uid attribute (dn: (root DSE))"}},
		{name: "no password", input: entry("uid: u"), skipped: []string{"no userPassword attribute"}},
		{name: "clear-text password", input: entry("uid: u", "userPassword: secret"), skipped: []string{reasonUnsupported}},
		{name: "cleartext scheme", input: entry("uid: u", "userPassword: {CLEARTEXT}secret"), users: []wantUser{{name: "u", notes: []string{
			"password hash in a broken format (plaintext): imported without a usable password, to be set by a reset",
		}}}},
		{name: "usable hash after a broken one", input: entry("uid: u", "userPassword: {CRYPT}teCg7A1kq0rKE", "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "bad base64", input: entry("uid: u", "userPassword:: not*base64"), skipped: []string{"invalid base64 in userpassword"}},
		{name: "url value", input: entry("uid: u", "userPassword:< file:///etc/passwd"), skipped: []string{"userpassword given as a URL (:<), which is not supported"}},
		{name: "url value of an ignored attribute", input: entry("uid: u", "jpegPhoto:< file:///tmp/p.jpg", "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "change record", input: entry("changetype: add", "uid: u", "userPassword: "+crypt), skipped: []string{"change records (changetype:) are not supported"}},
		{name: "no dn", input: "uid: u\nuserPassword: " + crypt + "\n", skipped: []string{"entry does not start with dn:"}},
		{name: "missing blank line", input: entry("uid: u", "userPassword: "+crypt, "dn: uid=v", "uid: v"), skipped: []string{"two dn lines in one entry (a blank line is missing)"}},
		{name: "not an attribute line", input: entry("uid: u", "-", "userPassword: "+crypt), skipped: []string{"line 3 is not an attribute line"}},
		{name: "control characters", input: entry("uid:: "+b64("u\x1b[2J"), "userPassword: "+crypt), skipped: []string{reasonNotText}},
		{name: "bad mail", input: entry("uid: u", "mail:: "+b64("u\x00@example.org"), "userPassword: "+crypt), skipped: []string{reasonNotText}},
		{name: "long password value", input: entry("uid: u", "userPassword: "+strings.Repeat("a", MaxLineLen+1)), skipped: []string{"userpassword value longer than 4096 bytes"}},
		{name: "long base64 password value", input: entry("uid: u", "userPassword:: "+b64(strings.Repeat("a", MaxLineLen+1))), skipped: []string{"userpassword value longer than 4096 bytes"}},
		{name: "long folded value", input: entry("uid: u", "userPassword: x"+strings.Repeat("\n "+strings.Repeat("a", 75), 100)), skipped: []string{"userpassword value longer than 4096 bytes"}},
		{name: "huge ignored attribute on one line", input: entry("uid: u", "jpegPhoto:: "+strings.Repeat("QUFB", 1<<18), "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "huge ignored attribute folded", input: entry("uid: u", "description: x"+strings.Repeat("\n "+strings.Repeat("a", 75), 20000), "userPassword: "+crypt),
			users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "huge uid line", input: entry("uid: "+strings.Repeat("u", 1<<17), "userPassword: "+crypt), skipped: []string{"uid value longer than 4096 bytes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadAll(strings.NewReader(tc.input), LDIF, Options{})
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, got.Users, len(tc.users))
			for i, w := range tc.users {
				u := got.Users[i]
				assert.Equal(t, w.name, u.Username)
				assert.Equal(t, w.email, u.Email)
				assert.True(t, strings.HasPrefix(u.PasswordHash, w.prefix), u.PasswordHash)
				assert.Equal(t, w.notes, u.Notes)
			}
			var reasons []string
			for _, s := range got.Skipped {
				reasons = append(reasons, s.Reason)
			}
			assert.Equal(t, tc.skipped, reasons)
		})
	}
}

// TestLDIFReadError checks that a failing reader is a fatal error.
func TestLDIFReadError(t *testing.T) {
	t.Parallel()
	r, err := NewReader(io.MultiReader(strings.NewReader("dn: uid=u\nuid: u\n"), errReader{}), LDIF, Options{})
	require.NoError(t, err)
	_, err = r.Next()
	require.ErrorIs(t, err, errBoom)
}

var errBoom = io.ErrClosedPipe

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBoom }
