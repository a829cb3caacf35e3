package store_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func TestCursor(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"u1", "ünïcødé", "a/b+c=d", "x"} {
		got, err := store.DecodeCursor(store.EncodeCursor(id))
		require.NoError(t, err, id)
		assert.Equal(t, id, got)
	}
	tests := []struct {
		name, cursor string
	}{
		{"not base64", "!!!"},
		{"padded", store.EncodeCursor("u1") + "="},
		{"standard alphabet", "AXUx+/"},
		{"wrong version", "AnUx"},
		{"no id", "AQ"},
		{"NUL id", "AXUAMQ"},
		{"invalid UTF-8 id", "Af8"},
		{"too long", string(make([]byte, 1000))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := store.DecodeCursor(tc.cursor)
			require.ErrorIs(t, err, store.ErrInvalid)
		})
	}
}

func FuzzCursor(f *testing.F) {
	for _, s := range []string{"", "AXUx", "AQ", "Af8", "AXUAMQ", store.EncodeCursor("some-user-id"), "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		id, err := store.DecodeCursor(c)
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("store.DecodeCursor(%q): %v is not ErrInvalid", c, err)
			}
			if id != "" {
				t.Fatalf("store.DecodeCursor(%q) returned %q with an error", c, id)
			}
			return
		}
		if store.ValidateID(id) != nil {
			t.Fatalf("store.DecodeCursor(%q) = %q, not a valid ID", c, id)
		}
		if again := store.EncodeCursor(id); again != c {
			t.Fatalf("store.DecodeCursor(%q) = %q, which encodes to %q", c, id, again)
		}
	})
}

func TestDumpValidate(t *testing.T) {
	t.Parallel()
	user := func(id, name, email string) store.User {
		return store.User{ID: id, Username: name, Email: email}
	}
	good := func() *store.Dump {
		return &store.Dump{
			Users:         []store.User{user("u1", "ann", "ann@example.com"), user("u2", "bob", "")},
			APITokens:     []store.APIToken{{ID: "t1", UserID: "u1", Digest: "d1"}},
			TOTP:          []store.TOTPCredential{{UserID: "u1", Secret: []byte("s")}},
			RecoveryCodes: []store.RecoveryCode{{UserID: "u1", Digest: "c1"}},
			SigningKeys:   []store.SigningKey{{ID: "k1", Sealed: []byte("k")}},
		}
	}
	require.NoError(t, good().Validate())
	require.ErrorIs(t, (*store.Dump)(nil).Validate(), store.ErrInvalid)
	tests := []struct {
		name string
		edit func(d *store.Dump)
		want error
	}{
		{"repeated user id", func(d *store.Dump) { d.Users[1].ID = "u1" }, store.ErrConflict},
		{"username is another's email", func(d *store.Dump) { d.Users[1].Username = "ANN@example.com" }, store.ErrUsernameTaken},
		{"email is another's username", func(d *store.Dump) { d.Users[1].Email = "Ann" }, store.ErrEmailTaken},
		{"empty username", func(d *store.Dump) { d.Users[0].Username = "" }, store.ErrInvalid},
		{"token of a missing user", func(d *store.Dump) { d.APITokens[0].UserID = "ghost" }, store.ErrNotFound},
		{"repeated token digest", func(d *store.Dump) {
			d.APITokens = append(d.APITokens, store.APIToken{ID: "t2", UserID: "u2", Digest: "d1"})
		}, store.ErrConflict},
		{"two active credentials", func(d *store.Dump) { d.TOTP = append(d.TOTP, d.TOTP[0]) }, store.ErrConflict},
		{"credential of a missing user", func(d *store.Dump) { d.TOTP[0].UserID = "ghost" }, store.ErrNotFound},
		{"repeated recovery code", func(d *store.Dump) { d.RecoveryCodes = append(d.RecoveryCodes, d.RecoveryCodes[0]) }, store.ErrConflict},
		{"too many recovery codes", func(d *store.Dump) {
			for i := range store.MaxRecoveryCodes + 1 {
				d.RecoveryCodes = append(d.RecoveryCodes, store.RecoveryCode{UserID: "u2", Digest: string(rune('A'+i%26)) + string(rune('a'+i/26))})
			}
		}, store.ErrInvalid},
		{"repeated key", func(d *store.Dump) { d.SigningKeys = append(d.SigningKeys, d.SigningKeys[0]) }, store.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := good()
			tc.edit(d)
			require.ErrorIs(t, d.Validate(), tc.want)
		})
	}
}
