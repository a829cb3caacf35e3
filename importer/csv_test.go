package importer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The accounts of users.csv and users.jsonl (testdata/README.md).
var plainUsers = []wantUser{
	{name: "anna", email: "anna@example.com", prefix: "$6$Xq3bX1ZxRz8CaS9H$"},
	{name: "ben", prefix: "$5$"},
	{name: "cleo", email: "cleo@example.com", prefix: "$2y$05$"},
	{name: "dina", email: "dina@example.com", prefix: "$apr1$"},
	{name: "evan", email: "evan@example.com", notes: []string{ // DES crypt
		"password hash in a broken format (des-crypt): imported without a usable password, to be set by a reset",
	}},
	{name: "gaia", email: "gaia@example.com", prefix: "$y$"},
}

// TestPlainFixtures reads a spreadsheet's CSV export (byte-order mark,
// CRLF, quoted fields) and the same accounts as JSON lines.
func TestPlainFixtures(t *testing.T) {
	t.Parallel()
	t.Run("csv", func(t *testing.T) {
		t.Parallel()
		got, err := ReadAll(bytes.NewReader(readFixture(t, "users.csv")), CSV, Options{})
		require.NoError(t, err)
		checkImport(t, got, plainUsers, map[string]string{
			"finn": reasonNoHash,
			"hugo": reasonUnsupported, // clear text
		})
		var lines []int
		for _, u := range got.Users {
			lines = append(lines, u.Line)
		}
		assert.Equal(t, []int{2, 3, 4, 5, 6, 8}, lines)
	})
	t.Run("jsonl", func(t *testing.T) {
		t.Parallel()
		got, err := ReadAll(bytes.NewReader(readFixture(t, "users.jsonl")), JSONL, Options{})
		require.NoError(t, err)
		checkImport(t, got, plainUsers, map[string]string{
			"":     `invalid JSON object: unknown field "disabled"`,
			"hugo": reasonUnsupported,
		})
		assert.Equal(t, 6, got.Skipped[0].Line)
	})
}

func TestCSVInput(t *testing.T) {
	t.Parallel()
	const row = "u,u@example.org," + md5Hash + "\n"
	tests := []struct {
		name    string
		input   string
		users   []wantUser
		skipped []string
		err     string
		tooBig  bool
	}{
		{name: "empty"},
		{name: "header only", input: "username,email,password_hash\n"},
		{name: "columns in another order", input: "password_hash,username\n" + md5Hash + ",u\n", users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "header names in any case", input: " Username ,EMAIL,Password_Hash\n" + row, users: []wantUser{{name: "u", email: "u@example.org", prefix: "$1$"}}},
		{name: "quoted comma and quote", input: "username,email,password_hash\n\"u,\"\"x\",,\"" + md5Hash + "\"\n",
			users: []wantUser{{name: `u,"x`, prefix: "$1$"}}},
		{name: "wrong field count", input: "username,email,password_hash\nu,x\n" + row, users: []wantUser{{name: "u", email: "u@example.org", prefix: "$1$"}},
			skipped: []string{"malformed CSV: wrong number of fields"}},
		{name: "bare quote", input: "username,email,password_hash\nu\"x,,y\n" + row, users: []wantUser{{name: "u", email: "u@example.org", prefix: "$1$"}},
			skipped: []string{`malformed CSV: bare " in non-quoted-field`}},
		{name: "empty username", input: "username,email,password_hash\n,," + md5Hash + "\n", skipped: []string{reasonNoUsername}},
		{name: "no hash", input: "username,password_hash\nu,\n", skipped: []string{reasonNoHash}},
		{name: "control characters", input: "username,password_hash\n\"u\r\nx\"," + md5Hash + "\n", skipped: []string{reasonNotText}},
		{name: "unknown column", input: "username,password_hash,role\n", err: `unknown column "role"`},
		{name: "column twice", input: "username,username,password_hash\n", err: `column "username" given twice`},
		{name: "no hash column", input: "username,email\n", err: "want the columns username and password_hash"},
		{name: "unterminated quote", input: "username,password_hash\n\"u," + md5Hash + "\n", skipped: []string{`malformed CSV: extraneous or missing " in quoted-field`}},
		{name: "long record", input: "username,password_hash\nu," + strings.Repeat("a", MaxLineLen+slack+1) + "\n", tooBig: true},
		{name: "long header", input: strings.Repeat("a", MaxLineLen+slack+1) + "\n", tooBig: true},
		{name: "long quoted record over many lines", input: "username,password_hash\n\"u" + strings.Repeat("\nabc", 40000) + "\",x\n", tooBig: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadAll(strings.NewReader(tc.input), CSV, Options{})
			switch {
			case tc.tooBig:
				require.ErrorIs(t, err, ErrTooLarge)
				return
			case tc.err != "":
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			checkPlain(t, got, tc.users, tc.skipped)
		})
	}
}

func checkPlain(t *testing.T, got *Import, users []wantUser, skipped []string) {
	t.Helper()
	require.Len(t, got.Users, len(users))
	for i, w := range users {
		assert.Equal(t, w.name, got.Users[i].Username)
		assert.Equal(t, w.email, got.Users[i].Email)
		assert.True(t, strings.HasPrefix(got.Users[i].PasswordHash, w.prefix))
	}
	var reasons []string
	for _, s := range got.Skipped {
		reasons = append(reasons, s.Reason)
	}
	assert.Equal(t, skipped, reasons)
}

func TestJSONLInput(t *testing.T) {
	t.Parallel()
	const line = `{"username":"u","email":"u@example.org","password_hash":"` + md5Hash + `"}` + "\n"
	u := []wantUser{{name: "u", email: "u@example.org", prefix: "$1$"}}
	tests := []struct {
		name    string
		input   string
		users   []wantUser
		skipped []string
		tooBig  bool
	}{
		{name: "empty"},
		{name: "blank lines", input: "\n  \n" + line + "\r\n", users: u},
		{name: "no email", input: `{"username":"u","password_hash":"` + md5Hash + `"}`, users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "null email", input: `{"username":"u","email":null,"password_hash":"` + md5Hash + `"}`, users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "escaped", input: `{"username":"\u0075","password_hash":"` + md5Hash + `"}`, users: []wantUser{{name: "u", prefix: "$1$"}}},
		{name: "unknown field", input: `{"username":"u","role":"admin","password_hash":"x"}` + "\n" + line, users: u, skipped: []string{`invalid JSON object: unknown field "role"`}},
		{name: "syntax error", input: `{"username":"u",}` + "\n" + line, users: u, skipped: []string{"invalid JSON object: syntax error at byte 17"}},
		{name: "wrong type", input: `{"username":1}` + "\n" + line, users: u, skipped: []string{`invalid JSON object: "username" has the wrong type`}},
		{name: "not an object", input: `["u"]` + "\n" + line, users: u, skipped: []string{"invalid JSON object: not an object"}},
		{name: "two objects on a line", input: `{"username":"u"} {}` + "\n", skipped: []string{"invalid JSON object: data after the object"}},
		{name: "truncated", input: `{"username":"u"`, skipped: []string{"invalid JSON object: truncated"}},
		{name: "null", input: "null\n", skipped: []string{reasonNoUsername}},
		{name: "no hash", input: `{"username":"u"}`, skipped: []string{reasonNoHash}},
		{name: "control characters", input: `{"username":"u\u0000","password_hash":"` + md5Hash + `"}`, skipped: []string{reasonNotText}},
		{name: "invalid UTF-8", input: "{\"username\":\"u\xff\",\"password_hash\":\"" + md5Hash + "\"}", skipped: []string{reasonNotText}},
		{name: "long line", input: line + `{"username":"` + strings.Repeat("u", MaxLineLen) + `"}`, tooBig: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadAll(strings.NewReader(tc.input), JSONL, Options{})
			if tc.tooBig {
				require.ErrorIs(t, err, ErrTooLarge)
				return
			}
			require.NoError(t, err)
			checkPlain(t, got, tc.users, tc.skipped)
		})
	}
}
