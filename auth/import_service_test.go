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
)

// TestImportUsersAndSignIn imports the fixtures made by htpasswd,
// mkpasswd, ftpasswd and pure-pw, signs each account in with its password,
// and checks that the first sign-in re-hashes it to the service's policy.
func TestImportUsersAndSignIn(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		var all []auth.ImportedUser
		for _, f := range []struct {
			file  string
			parse func(*os.File) (*auth.Import, error)
		}{
			{"htpasswd", func(f *os.File) (*auth.Import, error) { return auth.ParseHtpasswd(f) }},
			{"shadow", func(f *os.File) (*auth.Import, error) { return auth.ParseShadow(f) }},
			{"ftpd.passwd", func(f *os.File) (*auth.Import, error) { return auth.ParseProFTPD(f) }},
			{"pureftpd.passwd", func(f *os.File) (*auth.Import, error) { return auth.ParsePureFTPd(f) }},
		} {
			fh, err := os.Open(filepath.Join("testdata", "import", f.file))
			require.NoError(t, err)
			imp, err := f.parse(fh)
			fh.Close()
			require.NoError(t, err)
			all = append(all, imp.Users...)
		}

		rep, err := e.svc.ImportUsers(ctx, auth.System(), all, "user", []string{"files"})
		require.NoError(t, err)
		// pure-pw's libsodium argon2id hashes use t=511, over the default
		// safety limit (time ≤ 16): refused until the host raises it.
		assert.Equal(t, []auth.ImportFailure{
			{Line: 1, Username: "alice", Code: "INVALID_PASSWORD_HASH"},
			{Line: 2, Username: "bob", Code: "INVALID_PASSWORD_HASH"},
		}, rep.Failed)
		created := map[string]auth.User{}
		for _, u := range rep.Created {
			created[u.Username] = u
		}
		require.Len(t, created, 12)
		assert.Equal(t, []string{"10.1.0.0/16"}, created["pat"].AllowedIPs)
		assert.True(t, created["leo"].Disabled)
		assert.Equal(t, []string{"files"}, created["dave"].Permissions)

		passwords := map[string]string{
			"grace": "gracepw1", "heidi": "heidipw1", "judy": "judypw12", "kim": "kimpw123",
			"oli": "olipw123", "dave": "davepw12", "erin": "erinpw12", "frank": "frankpw1",
		}
		i := byte(0)
		for name, pw := range passwords {
			i++ // one client IP per account, so the defender stays out of the way
			c := auth.Client{IP: netip.AddrFrom4([4]byte{198, 51, 100, i})}
			before, err := e.st.UserByUsername(ctx, name)
			require.NoError(t, err)
			require.True(t, e.cfg.Hasher.NeedsRehash(before.PasswordHash), name)

			_, err = e.svc.LoginPassword(ctx, c, name, pw+"x")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials, name)
			res, err := e.svc.LoginPassword(ctx, c, name, pw)
			require.NoError(t, err, name)
			require.NotNil(t, res.Token, name)

			after, err := e.st.UserByUsername(ctx, name)
			require.NoError(t, err)
			f, err := hash.Identify(after.PasswordHash)
			require.NoError(t, err)
			assert.Equal(t, hash.FormatArgon2id, f, name)
			assert.False(t, e.cfg.Hasher.NeedsRehash(after.PasswordHash), name)
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
		assert.Equal(t, "USERNAME_ALREADY_USED", rep.Failed[0].Code)
	})
}

func TestImportUsersNeedsPermission(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("viewer", auth.PermViewUsers)
	p := e.principal("viewer")
	rep, err := e.svc.ImportUsers(ctx, p, []auth.ImportedUser{{Username: "x", PasswordHash: "$1$RTKcCOGM$o9BODCbsVBKRg2vldO/G21"}}, "user", nil)
	require.ErrorIs(t, err, auth.ErrForbidden)
	assert.Empty(t, rep.Created)
	_, err = e.st.UserByUsername(ctx, "x")
	require.Error(t, err)
}
