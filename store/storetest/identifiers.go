package storetest

import (
	"context"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// namedUser is the fixture user id with the given username and email.
func namedUser(id, username, email string) *store.User {
	u := user(id)
	u.Username, u.Email = username, email
	return u
}

// identUsers are the users of the identifier cases: usernames that look
// like emails, and a user whose username is its own email.
func identUsers() []*store.User {
	return []*store.User{
		namedUser("kim", "Kimberly", "Kim@Example.COM"),
		namedUser("bob", "bob@example.org", "robert@example.org"),
		namedUser("own", "Own@Example.net", "own@example.NET"),
		namedUser("mover", "mover", "mover@example.com"),
	}
}

func mustIdentUsers(t tb, s store.Store) {
	t.Helper()
	for _, u := range identUsers() {
		require.NoError(t, s.CreateUser(t.Context(), u), "CreateUser %q", u.ID)
	}
}

// reaches requires the lookup of ident by username to find the user
// byUsername and by email to find byEmail ("" for none).
func reaches(t tb, s store.Store, ident, byUsername, byEmail string) {
	t.Helper()
	for _, c := range []struct {
		field  string
		lookup func(context.Context, string) (*store.User, error)
		want   string
	}{
		{"username", s.UserByUsername, byUsername},
		{"email", s.UserByEmail, byEmail},
	} {
		u, err := c.lookup(t.Context(), ident)
		if c.want == "" {
			require.ErrorIs(t, err, store.ErrNotFound, "by %s %q", c.field, ident)
			continue
		}
		require.NoError(t, err, "by %s %q", c.field, ident)
		require.Equal(t, c.want, u.ID, "by %s %q", c.field, ident)
	}
}

// ownIf returns id if the user's username and email fold to the same
// identifier (the lookup by the other field finds it too), else "".
func ownIf(u *store.User, id string) string {
	if store.FoldIdentifier(u.Username) == store.FoldIdentifier(u.Email) {
		return id
	}
	return ""
}

// distinctIdentifiers requires that no folded username or email of one
// stored user equals a folded username or email of another.
func distinctIdentifiers(t tb, s store.Store, msgAndArgs ...any) {
	t.Helper()
	owner := map[string]string{}
	for _, u := range dump(t, s).Users {
		for _, ident := range []string{u.Username, u.Email} {
			if ident == "" {
				continue
			}
			k := store.FoldIdentifier(ident)
			if o, ok := owner[k]; ok && o != u.ID {
				require.Failf(t, "one identifier, two users", "%q is an identifier of %s and %s: %v", k, o, u.ID, msgAndArgs)
			}
			owner[k] = u.ID
		}
	}
}

// identifiers checks that usernames and emails are one namespace of
// folded identifiers (store.User).
func (x suite) identifiers(t tb) {
	t.Helper()
	x.runRows(t, "Identifiers", []row{
		{"LookupsStayByField", func(t tb, s store.Store) {
			mustIdentUsers(t, s)
			reaches(t, s, "BOB@example.org", "bob", "")    // a username is not found as an email
			reaches(t, s, "kim@example.com", "", "kim")    // an email is not found as a username
			reaches(t, s, "own@EXAMPLE.net", "own", "own") // a user's own username and email may be equal
			distinctIdentifiers(t, s)
		}},

		{"Create", func(t tb, s store.Store) {
			ctx := t.Context()
			mustIdentUsers(t, s)
			tests := []struct {
				name            string
				username, email string
				want            error // nil: created
			}{
				{"username is another's email", "Kim@Example.COM", "", store.ErrUsernameTaken},
				{"username is another's email other case", "kim@example.com", "new@example.com", store.ErrUsernameTaken},
				// strings.ToLower maps the Kelvin sign U+212A to an ASCII k.
				{"username is another's email Kelvin sign", "\u212Aim@example.com", "", store.ErrUsernameTaken},
				{"username is another's username and email", "OWN@example.net", "", store.ErrUsernameTaken},
				{"username is another's username", "KIMBERLY", "", store.ErrUsernameTaken},
				{"email is another's username", "new", "BOB@example.org", store.ErrEmailTaken},
				{"email is another's username and email", "new", "own@example.net", store.ErrEmailTaken},
				{"email is another's username Kelvin sign", "new", "\u212Aimberly", store.ErrEmailTaken},
				{"email is another's email", "new", "kim@EXAMPLE.com", store.ErrEmailTaken},
				{"own username is own email", "New@Example.com", "new@example.COM", nil},
				{"username looks like a free email", "free@example.com", "", nil},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t tb) {
					before := dump(t, s)
					u := namedUser("new", tc.username, tc.email)
					err := s.CreateUser(ctx, u)
					if tc.want != nil {
						require.ErrorIs(t, err, tc.want)
						require.ErrorIs(t, err, store.ErrConflict)
						assert.Equal(t, before, dump(t, s), "nothing changed")
						return
					}
					require.NoError(t, err)
					reaches(t, s, tc.username, "new", ownIf(u, "new"))
					distinctIdentifiers(t, s)
					require.NoError(t, s.DeleteUser(ctx, "new"))
				})
			}
		}},

		{"Update", func(t tb, s store.Store) {
			ctx := t.Context()
			mustIdentUsers(t, s)
			tests := []struct {
				name string
				edit func(u *store.User)
				want error // nil: updated
			}{
				{"username to another's email", func(u *store.User) { u.Username = "kim@EXAMPLE.com" }, store.ErrUsernameTaken},
				{"username to another's username and email", func(u *store.User) { u.Username = "OWN@EXAMPLE.NET" }, store.ErrUsernameTaken},
				{"email to another's username", func(u *store.User) { u.Email = "Bob@Example.org" }, store.ErrEmailTaken},
				{"email to another's username Kelvin sign", func(u *store.User) { u.Email = "\u212Aimberly" }, store.ErrEmailTaken},
				{"email to another's username and email", func(u *store.User) { u.Email = "own@example.net" }, store.ErrEmailTaken},
				{"username to own email", func(u *store.User) { u.Username = "Mover@Example.COM" }, nil},
				{"email to own username", func(u *store.User) { u.Email = "MOVER" }, nil},
				{"username and email swapped", func(u *store.User) { u.Username, u.Email = u.Email, u.Username }, nil},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t tb) {
					before := dump(t, s)
					u := getUser(t, s, "mover")
					tc.edit(u)
					err := s.UpdateUser(ctx, u)
					if tc.want != nil {
						require.ErrorIs(t, err, tc.want)
						require.NotErrorIs(t, err, store.ErrStale)
						assert.Equal(t, before, dump(t, s), "nothing changed")
						reaches(t, s, "mover", "mover", "")
						reaches(t, s, "mover@example.com", "", "mover")
						return
					}
					require.NoError(t, err)
					reaches(t, s, u.Username, "mover", ownIf(u, "mover"))
					reaches(t, s, u.Email, ownIf(u, "mover"), "mover")
					distinctIdentifiers(t, s)
					u.Username, u.Email = "mover", "mover@example.com"
					require.NoError(t, s.UpdateUser(ctx, u), "back to the original identifiers")
				})
			}
		}},

		{"Restore", func(t tb, s store.Store) {
			ctx := t.Context()
			populate(t, s, "a")
			good := func() *store.Dump {
				d := &store.Dump{}
				for _, u := range identUsers() {
					d.Users = append(d.Users, *u)
				}
				return d
			}
			tests := []struct {
				name string
				edit func(d *store.Dump)
				ok   bool
			}{
				{"username is another's email", func(d *store.Dump) { d.Users[3].Username = "kim@example.com" }, false},
				{"username is another's email Kelvin sign", func(d *store.Dump) { d.Users[3].Username = "\u212AIM@EXAMPLE.COM" }, false},
				{"email is another's username", func(d *store.Dump) { d.Users[3].Email = "BOB@EXAMPLE.ORG" }, false},
				{"email is another's username and email", func(d *store.Dump) { d.Users[0].Email = "own@example.net" }, false},
				{"username is another's username and email", func(d *store.Dump) { d.Users[0].Username = "Own@Example.Net" }, false},
				{"own username is own email", func(d *store.Dump) { d.Users[3].Username = "MOVER@example.com" }, true},
				{"as given", func(*store.Dump) {}, true},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t tb) {
					before := dump(t, s)
					d := good()
					tc.edit(d)
					err := s.Restore(ctx, d)
					if !tc.ok {
						require.ErrorIs(t, err, store.ErrConflict)
						assert.Equal(t, before, dump(t, s), "nothing changed")
						return
					}
					require.NoError(t, err)
					distinctIdentifiers(t, s)
					for _, u := range d.Users {
						reaches(t, s, u.Username, u.ID, ownIf(&u, u.ID))
						reaches(t, s, u.Email, ownIf(&u, u.ID), u.ID)
					}
					created := namedUser("new", "new", d.Users[1].Username)
					require.ErrorIs(t, s.CreateUser(ctx, created), store.ErrEmailTaken, "the restored identifiers are one namespace")
					created = namedUser("new", d.Users[0].Email, "")
					require.ErrorIs(t, s.CreateUser(ctx, created), store.ErrUsernameTaken, "the restored identifiers are one namespace")
				})
			}
		}},

		{"FreedByChange", func(t tb, s store.Store) {
			ctx := t.Context()
			mustIdentUsers(t, s)
			steps := []struct {
				name   string
				change func(t tb)
				freed  *store.User // may now be created
				taken  *store.User // still refused
				err    error       // taken's error
			}{
				{
					"email changed frees it as a username",
					func(t tb) { update(t, s, "kim", func(u *store.User) { u.Email = "kim@other.example" }) },
					namedUser("n1", "kim@example.com", ""),
					namedUser("n1", "KIM@other.example", ""), store.ErrUsernameTaken,
				},
				{
					"username changed frees it as an email",
					func(t tb) { update(t, s, "bob", func(u *store.User) { u.Username = "bob" }) },
					namedUser("n2", "n2", "BOB@example.org"),
					namedUser("n2", "n2", "Robert@Example.org"), store.ErrEmailTaken,
				},
				{
					"email cleared keeps the same username",
					func(t tb) { update(t, s, "own", func(u *store.User) { u.Email = "" }) },
					nil,
					namedUser("n3", "n3", "own@example.net"), store.ErrEmailTaken,
				},
				{
					"then username changed frees it",
					func(t tb) { update(t, s, "own", func(u *store.User) { u.Username = "own" }) },
					namedUser("n3", "n3", "own@example.net"),
					namedUser("n4", "OWN", ""), store.ErrUsernameTaken,
				},
				{
					"deleted user frees both",
					func(t tb) { require.NoError(t, s.DeleteUser(ctx, "kim")) },
					namedUser("n5", "kim@other.example", "kimberly"),
					nil, nil,
				},
			}
			for _, st := range steps {
				t.Run(st.name, func(t tb) {
					st.change(t)
					if st.taken != nil {
						require.ErrorIs(t, s.CreateUser(ctx, st.taken), st.err)
					}
					if st.freed != nil {
						require.NoError(t, s.CreateUser(ctx, st.freed))
					}
					distinctIdentifiers(t, s)
				})
			}
		}},
	})
}

// update reads user id, applies edit and writes it back.
func update(t tb, s store.Store, id string, edit func(u *store.User)) {
	t.Helper()
	u := getUser(t, s, id)
	edit(u)
	require.NoError(t, s.UpdateUser(t.Context(), u), "UpdateUser %q", id)
}
