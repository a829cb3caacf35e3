package auth_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/importer"
)

// readImport reads one of the importer package's fixtures, made by the
// systems' own tools (importer/testdata/README.md).
func readImport(t *testing.T, name string, f importer.Format) []importer.User {
	t.Helper()
	fh, err := os.Open(filepath.Join("..", "importer", "testdata", name))
	require.NoError(t, err)
	defer fh.Close()
	imp, err := importer.ReadAll(fh, f, importer.Options{})
	require.NoError(t, err)
	return imp.Users
}

// TestImportUsersAndSignIn imports the fixtures made by htpasswd ({SHA},
// bcrypt, apr1, sha512crypt), mkpasswd (yescrypt, sha-crypt, md5crypt),
// ftpasswd and pure-pw, signs each account in with its password,
// and checks that the first sign-in re-hashes it to the service's policy.
func TestImportUsersAndSignIn(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		var all []importer.User
		for _, f := range []struct {
			file   string
			format importer.Format
		}{
			{"htpasswd", importer.Htpasswd},
			{"shadow", importer.Shadow},
			{"ftpd.passwd", importer.ProFTPD},
			{"pureftpd.passwd", importer.PureFTPd},
		} {
			all = append(all, readImport(t, f.file, f.format)...)
		}

		rep, err := e.svc.ImportUsers(ctx, auth.System(), all, "user", []string{"files"})
		require.NoError(t, err)
		// pure-pw's libsodium argon2id hashes use t=511, over the default
		// safety limit (time ≤ 16): refused until the host raises it.
		assert.Equal(t, []auth.ImportFailure{
			{Index: 11, Line: 1, Username: "alice", Code: "INVALID_PASSWORD_HASH"},
			{Index: 12, Line: 2, Username: "bob", Code: "INVALID_PASSWORD_HASH"},
		}, rep.Failed)
		created := map[string]auth.User{}
		for _, u := range rep.Created {
			created[u.Username] = u
		}
		require.Len(t, created, 12)
		assert.Equal(t, []string{"10.1.0.0/16"}, created["pat"].AllowedIPs)
		assert.True(t, created["leo"].Disabled)
		assert.Equal(t, []string{"files"}, created["dave"].Permissions)
		assert.Equal(t, "user", created["dave"].Role)

		for i, tc := range []struct{ username, password string }{
			{"grace", "gracepw1"}, {"heidi", "heidipw1"}, {"ivan", "ivanpw12"}, {"judy", "judypw12"}, {"kim", "kimpw123"},
			{"mia", "miapw123"}, {"oli", "olipw123"}, {"dave", "davepw12"}, {"erin", "erinpw12"}, {"frank", "frankpw1"},
		} {
			t.Run("rehash "+tc.username, func(t *testing.T) {
				// One client IP per account, so the defender stays out of the way.
				c := auth.Client{IP: netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)})}
				before, err := e.st.UserByUsername(ctx, tc.username)
				require.NoError(t, err)
				require.True(t, e.cfg.Hasher.NeedsRehash(before.PasswordHash))

				_, err = e.svc.LoginPassword(ctx, c, tc.username, tc.password+"x")
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
				res, err := e.svc.LoginPassword(ctx, c, tc.username, tc.password)
				require.NoError(t, err)
				require.NotNil(t, res.Token)

				after, err := e.st.UserByUsername(ctx, tc.username)
				require.NoError(t, err)
				f, err := hash.Identify(after.PasswordHash)
				require.NoError(t, err)
				assert.Equal(t, hash.FormatArgon2id, f)
				assert.False(t, e.cfg.Hasher.NeedsRehash(after.PasswordHash))
			})
		}

		_, err = e.svc.LoginPassword(ctx, ipA, "leo", "leopw123")
		require.ErrorIs(t, err, auth.ErrAccountDisabled)
		_, err = e.svc.LoginPassword(ctx, ipA, "pat", "patpw123")
		require.ErrorIs(t, err, auth.ErrIPNotAllowed)
		_, err = e.svc.LoginPassword(ctx, auth.Client{IP: mustAddr("10.1.2.3")}, "pat", "patpw123")
		require.NoError(t, err)

		// A second import of the same file reports every account as taken.
		rep, err = e.svc.ImportUsers(ctx, auth.System(), all[:1], "user", nil)
		require.NoError(t, err)
		assert.Equal(t, []auth.ImportFailure{{Line: all[0].Line, Username: all[0].Username, Code: "USERNAME_ALREADY_USED"}}, rep.Failed)
	})
}

const md5Hash = "$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21" // erinpw12

// TestImportUsersRefusals imports one account per rule of CreateUser and
// checks each is refused alone, with its code, while the others are
// created.
func TestImportUsersRefusals(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("taken")
		_, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
			Username: "owner", Email: "owner@example.com", Password: goodPassword,
		})
		require.NoError(t, err)
		tests := []struct {
			name string
			user importer.User
			code string // "" when created
		}{
			{name: "created", user: importer.User{Username: "ok", Email: "ok@example.com", PasswordHash: md5Hash}},
			{name: "username taken", user: importer.User{Username: "TAKEN", PasswordHash: md5Hash}, code: "USERNAME_ALREADY_USED"},
			{name: "email taken", user: importer.User{Username: "other", Email: "Owner@example.com", PasswordHash: md5Hash}, code: "EMAIL_ALREADY_USED"},
			{name: "username is an email in use", user: importer.User{Username: "owner@example.com", PasswordHash: md5Hash}, code: "USERNAME_ALREADY_USED"},
			{name: "duplicate in the batch", user: importer.User{Username: "ok", PasswordHash: md5Hash}, code: "USERNAME_ALREADY_USED"},
			{name: "bad username", user: importer.User{Username: "a b", PasswordHash: md5Hash}, code: "INVALID_USERNAME"},
			{name: "bad email", user: importer.User{Username: "c", Email: "not-an-address", PasswordHash: md5Hash}, code: "INVALID_EMAIL"},
			{name: "bad hash", user: importer.User{Username: "d", PasswordHash: "$1$short"}, code: "INVALID_PASSWORD_HASH"},
			{name: "bad allowed IP", user: importer.User{Username: "e", PasswordHash: md5Hash, AllowedIPs: []string{"10.0.0.1/8"}}, code: "INVALID_REQUEST"},
			{name: "no usable password", user: importer.User{Username: "nopw", Email: "nopw@example.com"}},
		}
		batch := make([]importer.User, len(tests))
		for i, tc := range tests {
			batch[i] = tc.user
			batch[i].Line = i + 1
		}
		rep, err := e.svc.ImportUsers(ctx, auth.System(), batch, "", nil)
		require.NoError(t, err)
		failed := map[int]string{}
		for _, f := range rep.Failed {
			assert.Equal(t, f.Index+1, f.Line)
			failed[f.Line] = f.Code
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				assert.Equal(t, tc.code, failed[i+1])
			})
		}
		require.Len(t, rep.Created, 2)
		assert.Equal(t, "ok", rep.Created[0].Username)
		assert.Equal(t, "nopw", rep.Created[1].Username)

		// No password signs the account without one in, not even the empty
		// one, and it costs what a wrong password costs.
		stored, err := e.st.UserByUsername(ctx, "nopw")
		require.NoError(t, err)
		assert.Empty(t, stored.PasswordHash)
		for _, pw := range []string{"", "x", goodPassword} {
			_, err = e.svc.LoginPassword(ctx, ipB, "nopw", pw)
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}
		// An administrator gives it one.
		require.NoError(t, e.svc.ChangePassword(ctx, auth.Client{}, auth.System(), stored.ID, nil, goodPassword))
		_, err = e.svc.LoginPassword(ctx, ipB, "nopw", goodPassword)
		require.NoError(t, err)
	})
}
