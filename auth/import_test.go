package auth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/importer"
	"github.com/latchkit/latch/store"
)

// TestImportUsersWholeImportErrors checks the refusals that stop an import
// before any user is created: the caller, the role and the permissions
// are the same for every account.
func TestImportUsersWholeImportErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("viewer", auth.PermViewUsers)
	e.user("adder", auth.PermAddUsers)
	batch := []importer.User{{Line: 1, Username: "x", PasswordHash: md5Hash}}
	tests := []struct {
		name  string
		p     *auth.Principal
		role  string
		perms []string
		err   error
	}{
		{name: "anonymous", p: nil, err: auth.ErrUnauthorized},
		{name: "without add_users", p: e.principal("viewer"), err: auth.ErrForbidden},
		{name: "granting a permission the caller lacks", p: e.principal("adder"), perms: []string{auth.PermEditUsers}, err: auth.ErrForbidden},
		{name: "bad role", p: auth.System(), role: "a role", err: auth.ErrInvalidRequest},
		{name: "bad permission", p: auth.System(), perms: []string{"a,b"}, err: auth.ErrInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := e.svc.ImportUsers(ctx, tc.p, batch, tc.role, tc.perms)
			require.ErrorIs(t, err, tc.err)
			require.NotNil(t, rep)
			assert.Empty(t, rep.Created)
			assert.Empty(t, rep.Failed)
			_, err = e.st.UserByUsername(ctx, "x")
			require.ErrorIs(t, err, store.ErrNotFound, "nothing was created")
		})
	}
}

// TestImportUsersGrantsHeldPermissions checks that a caller with add_users
// grants the permissions it holds, and the default role applies.
func TestImportUsersGrantsHeldPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("adder", auth.PermAddUsers, "files")
	rep, err := e.svc.ImportUsers(ctx, e.principal("adder"), []importer.User{
		{Line: 1, Username: "u1", PasswordHash: md5Hash},
		{Line: 2, Username: "u2", PasswordHash: md5Hash},
	}, "", []string{"files", "files"})
	require.NoError(t, err)
	require.Len(t, rep.Created, 2)
	for _, u := range rep.Created {
		assert.Equal(t, []string{"files"}, u.Permissions)
		assert.Equal(t, "user", u.Role, "the default role")
	}
	rep.Created[0].Permissions[0] = "changed"
	assert.Equal(t, []string{"files"}, rep.Created[1].Permissions, "users share no slices")
}

// TestImportUsersCancelled checks that a cancelled context stops the import
// between users, with the report of those already created.
func TestImportUsersCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, cancel := context.WithCancel(ctx)
	cancel()
	rep, err := e.svc.ImportUsers(c, auth.System(), []importer.User{{Line: 1, Username: "u", PasswordHash: md5Hash}}, "", nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, rep.Created)
	_, err = e.st.UserByUsername(ctx, "u")
	require.ErrorIs(t, err, store.ErrNotFound, "nothing was created")
}
