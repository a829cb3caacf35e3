package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

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
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
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
			Sessions: []store.Session{
				{ID: "s1", UserID: "u1", IdleTimeout: time.Hour, ExpiresAt: t0, RefreshSeq: 2},
				{ID: "s2", UserID: "u2", IdleTimeout: time.Hour, ExpiresAt: t0, RefreshSeq: 1},
			},
			RefreshTokens: []store.RefreshToken{
				{Digest: "r1", SessionID: "s1", Seq: 1, SpentAt: t0},
				{Digest: "r2", SessionID: "s1", Seq: 2},
				{Digest: "r3", SessionID: "s2", Seq: 1},
			},
			Passkeys: []store.PasskeyCredential{
				{ID: "p1", UserID: "u1", CredentialID: []byte{1}, PublicKey: []byte{2}, AAGUID: make([]byte, 16)},
				{ID: "p2", UserID: "u1", CredentialID: []byte{1, 0}, PublicKey: []byte{2}},
			},
			PasskeyHandles: []store.PasskeyHandle{{UserID: "u1", Handle: []byte{0}}, {UserID: "u2", Handle: []byte{0, 0}}},
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
		{"session of a missing user", func(d *store.Dump) { d.Sessions[0].UserID = "ghost" }, store.ErrNotFound},
		{"repeated session", func(d *store.Dump) { d.Sessions[1].ID = "s1" }, store.ErrConflict},
		{"session without idle timeout", func(d *store.Dump) { d.Sessions[0].IdleTimeout = 0 }, store.ErrInvalid},
		{"session without expiry", func(d *store.Dump) { d.Sessions[0].ExpiresAt = time.Time{} }, store.ErrInvalid},
		{"session with a long client IP", func(d *store.Dump) {
			d.Sessions[0].ClientIP = strings.Repeat("1", store.MaxClientIPLen+1)
		}, store.ErrInvalid},
		{"session with refresh sequence 0", func(d *store.Dump) { d.Sessions[1].RefreshSeq = 0 }, store.ErrInvalid},
		{"refresh token of a missing session", func(d *store.Dump) { d.RefreshTokens[0].SessionID = "ghost" }, store.ErrNotFound},
		{"repeated refresh digest", func(d *store.Dump) { d.RefreshTokens[2].Digest = "r1" }, store.ErrConflict},
		{"repeated refresh sequence", func(d *store.Dump) {
			d.RefreshTokens = append(d.RefreshTokens, store.RefreshToken{Digest: "r4", SessionID: "s1", Seq: 1, SpentAt: t0})
		}, store.ErrConflict},
		{"refresh sequence 0", func(d *store.Dump) { d.RefreshTokens[2].Seq = 0 }, store.ErrInvalid},
		{"refresh token after the live one", func(d *store.Dump) { d.RefreshTokens[2].Seq = 2 }, store.ErrInvalid},
		{"spent live token", func(d *store.Dump) { d.RefreshTokens[1].SpentAt = t0 }, store.ErrInvalid},
		{"unspent replaced token", func(d *store.Dump) { d.RefreshTokens[0].SpentAt = time.Time{} }, store.ErrInvalid},
		{"passkey of a missing user", func(d *store.Dump) { d.Passkeys[0].UserID = "ghost" }, store.ErrNotFound},
		{"repeated passkey", func(d *store.Dump) { d.Passkeys[1].ID = "p1" }, store.ErrConflict},
		{"repeated credential ID", func(d *store.Dump) { d.Passkeys[1].CredentialID = []byte{1} }, store.ErrConflict},
		{"passkey without credential ID", func(d *store.Dump) { d.Passkeys[0].CredentialID = nil }, store.ErrInvalid},
		{"passkey with a long credential ID", func(d *store.Dump) {
			d.Passkeys[0].CredentialID = make([]byte, store.MaxCredentialIDLen+1)
		}, store.ErrInvalid},
		{"passkey without public key", func(d *store.Dump) { d.Passkeys[0].PublicKey = nil }, store.ErrInvalid},
		{"passkey with a bad AAGUID", func(d *store.Dump) { d.Passkeys[0].AAGUID = make([]byte, 15) }, store.ErrInvalid},
		{"handle of a missing user", func(d *store.Dump) { d.PasskeyHandles[1].UserID = "ghost" }, store.ErrNotFound},
		{"two handles for a user", func(d *store.Dump) { d.PasskeyHandles[1].UserID = "u1" }, store.ErrConflict},
		{"repeated handle", func(d *store.Dump) { d.PasskeyHandles[1].Handle = []byte{0} }, store.ErrConflict},
		{"long handle", func(d *store.Dump) {
			d.PasskeyHandles[1].Handle = make([]byte, store.MaxPasskeyHandleLen+1)
		}, store.ErrInvalid},
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

func TestSessionLive(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &store.Session{LastUsedAt: t0, IdleTimeout: time.Hour, ExpiresAt: t0.Add(90 * time.Minute)}
	tests := []struct {
		name string
		now  time.Time
		live bool
	}{
		{"at the last use", t0, true},
		{"before the last use", t0.Add(-time.Hour), true},
		{"just before the idle end", t0.Add(time.Hour - time.Nanosecond), true},
		{"at the idle end", t0.Add(time.Hour), false},
		{"after the idle end", t0.Add(80 * time.Minute), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.live, s.Live(tc.now))
		})
	}
	late := &store.Session{LastUsedAt: t0.Add(80 * time.Minute), IdleTimeout: time.Hour, ExpiresAt: t0.Add(90 * time.Minute)}
	assert.True(t, late.Live(t0.Add(90*time.Minute-time.Nanosecond)), "just before ExpiresAt")
	assert.False(t, late.Live(t0.Add(90*time.Minute)), "at ExpiresAt, whatever the last use")
}

func TestRotationString(t *testing.T) {
	t.Parallel()
	for r, want := range map[store.Rotation]string{
		store.Rotated: "rotated", store.RotationGrace: "grace", store.RotationReused: "reused", 0: "unknown", 9: "unknown",
	} {
		assert.Equal(t, want, r.String())
	}
}
