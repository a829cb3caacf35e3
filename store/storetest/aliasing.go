package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// aliasing checks that records passed in are not retained and records
// returned are the caller's: changing either's slices changes nothing stored.
func (x suite) aliasing(t tb) {
	x.run(t, "Users", func(t tb, s store.Store) {
		ctx := t.Context()
		u := user("u1")
		want := user("u1")
		require.NoError(t, s.CreateUser(ctx, u))
		u.Permissions[0], u.AllowedIPs[0] = "changed", "changed"
		got, err := s.User(ctx, "u1")
		require.NoError(t, err)
		equalUser(t, want, got, "the record passed in is not retained")

		got.Permissions[0], got.AllowedIPs[0] = "changed", "changed"
		got.Permissions = append(got.Permissions[:1], "appended")
		again, err := s.UserByUsername(ctx, want.Username)
		require.NoError(t, err)
		equalUser(t, want, again, "the record returned is the caller's")

		page, _, err := s.ListUsers(ctx, 10, "")
		require.NoError(t, err)
		page[0].Permissions[0] = "changed"
		again, err = s.UserByEmail(ctx, want.Email)
		require.NoError(t, err)
		equalUser(t, want, again, "ListUsers records are the caller's")

		upd := user("u1")
		require.NoError(t, s.UpdateUser(ctx, upd))
		want.Version = 2
		upd.Permissions[1] = "changed"
		again, err = s.User(ctx, "u1")
		require.NoError(t, err)
		equalUser(t, want, again, "the record passed to UpdateUser is not retained")
	})

	x.run(t, "APITokens", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		tok, want := token("t1", "u1"), token("t1", "u1")
		require.NoError(t, s.CreateAPIToken(ctx, tok, 0))
		tok.Permissions[0] = "changed"
		got, err := s.APITokenByDigest(ctx, want.Digest)
		require.NoError(t, err)
		equalToken(t, want, got)
		got.Permissions[0] = "changed"
		list, err := s.ListAPITokens(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 1)
		equalToken(t, want, &list[0])
		list[0].Permissions[0] = "changed"
		got, err = s.APITokenByDigest(ctx, want.Digest)
		require.NoError(t, err)
		equalToken(t, want, got)
	})

	x.run(t, "TOTP", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		c, want := cred("u1"), cred("u1")
		require.NoError(t, s.PutPendingTOTP(ctx, c))
		c.Secret[0] = 'X'
		got, err := s.PendingTOTP(ctx, "u1")
		require.NoError(t, err)
		equalTOTP(t, want, got)
		got.Secret[0] = 'X'
		got, err = s.PendingTOTP(ctx, "u1")
		require.NoError(t, err)
		equalTOTP(t, want, got)

		digests := []string{"a", "b"}
		require.NoError(t, s.ActivateTOTP(ctx, "u1", cred("u1").Secret, 1, digests, t0))
		digests[0] = "changed"
		got, err = s.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		got.Secret[0] = 'X'
		got, err = s.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, want.Secret, got.Secret)
		assert.Equal(t, []string{"a", "b"}, codes(t, s, "u1"))

		list, err := s.RecoveryCodeDigests(ctx, "u1")
		require.NoError(t, err)
		list[0] = "changed"
		digests = []string{"c", "d"}
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", digests))
		digests[0] = "changed"
		assert.Equal(t, []string{"c", "d"}, codes(t, s, "u1"))
	})

	x.run(t, "SigningKeys", func(t tb, s store.Store) {
		ctx := t.Context()
		k, want := key("k1", t0), key("k1", t0)
		require.NoError(t, s.AddSigningKey(ctx, k))
		k.Sealed[0] = 'X'
		list, err := s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{want}, list)
		list[0].Sealed[0] = 'X'
		list, err = s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{want}, list)

		r := key("k2", t0)
		require.NoError(t, s.ResetSigningKeys(ctx, r))
		r.Sealed[0] = 'X'
		list, err = s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{key("k2", t0)}, list)
	})

	x.run(t, "Sessions", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		sess, want := session("s1", "u1"), session("s1", "u1")
		require.NoError(t, s.CreateSession(ctx, sess, refresh("s1", 1), 0))
		sess.ClientIP, sess.RefreshSeq = "changed", 9
		got, err := s.Session(ctx, "s1")
		require.NoError(t, err)
		equalSession(t, want, got, "the record passed in is not retained")
		got.ClientIP, got.ExpiresAt = "changed", at(48*time.Hour)
		again, u, err := s.SessionWithOwner(ctx, "s1")
		require.NoError(t, err)
		equalSession(t, want, again, "the record returned is the caller's")
		u.Permissions[0] = "changed"
		list, err := s.ListSessions(ctx, "u1")
		require.NoError(t, err)
		list[0].ClientIP = "changed"
		rotated, owner := mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), at(time.Minute), 0, store.Rotated)
		equalUser(t, user("u1"), owner, "the owner returned before is the caller's")
		want.RefreshSeq, want.LastUsedAt = 2, at(time.Minute)
		equalSession(t, want, rotated)
		rotated.RefreshSeq = 1
		owner.Permissions[0] = "changed"
		got, err = s.Session(ctx, "s1")
		require.NoError(t, err)
		equalSession(t, want, got, "the rotated record returned is the caller's")
		_, owner = mustRotate(t, s, refresh("s1", 1), "unused", at(time.Minute), 0, store.RotationGrace)
		equalUser(t, user("u1"), owner, "the owner is the caller's")
	})

	x.run(t, "Passkeys", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		pk, want := passkey("p1", "u1"), passkey("p1", "u1")
		require.NoError(t, s.CreatePasskey(ctx, pk, 0))
		pk.CredentialID[0], pk.PublicKey[0], pk.AAGUID[0], pk.Transports[0] = 'X', 'X', 'X', "changed"
		got := getPasskey(t, s, "u1", "p1")
		equalPasskey(t, want, got, "the record passed in is not retained")
		got.CredentialID[0], got.PublicKey[0], got.AAGUID[0], got.Transports[0] = 'X', 'X', 'X', "changed"
		again, _, err := s.PasskeyByCredentialID(ctx, want.CredentialID)
		require.NoError(t, err)
		equalPasskey(t, want, again, "the record returned is the caller's")
		again.PublicKey[1] = 'X'
		list, err := s.ListPasskeys(ctx, "u1")
		require.NoError(t, err)
		equalPasskey(t, want, &list[0])
		list[0].Transports[1] = "changed"
		equalPasskey(t, want, getPasskey(t, s, "u1", "p1"), "ListPasskeys records are the caller's")

		handle := []byte("handle")
		require.NoError(t, s.SetPasskeyHandle(ctx, "u1", handle))
		handle[0] = 'X'
		h, err := s.PasskeyHandle(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, []byte("handle"), h, "the handle passed in is not retained")
		h[0] = 'X'
		h, err = s.PasskeyHandle(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, []byte("handle"), h, "the handle returned is the caller's")
		u, err := s.UserByPasskeyHandle(ctx, []byte("handle"))
		require.NoError(t, err)
		assert.Equal(t, "u1", u.ID)
	})

	x.run(t, "Backup", func(t tb, s store.Store) {
		ctx := t.Context()
		populate(t, s, "a")
		want := dump(t, s)
		d, err := s.Dump(ctx)
		require.NoError(t, err)
		d.Users[0].Permissions[0] = "changed"
		d.TOTP[0].Secret[0] = 'X'
		d.SigningKeys[0].Sealed[0] = 'X'
		d.Users[1].ID = "changed"
		d.Passkeys[0].CredentialID[0] = 'X'
		d.PasskeyHandles[0].Handle[0] = 'X'
		assert.Equal(t, want, dump(t, s), "the dump is the caller's")

		d2, err := s.Dump(ctx)
		require.NoError(t, err)
		require.NoError(t, s.Restore(ctx, d2))
		d2.Users[0].Permissions[0] = "changed"
		d2.TOTP[0].Secret[0] = 'X'
		d2.SigningKeys[0].Sealed[0] = 'X'
		d2.APITokens[0].Permissions[0] = "changed"
		d2.Passkeys[0].PublicKey[0] = 'X'
		d2.PasskeyHandles[0].Handle[0] = 'X'
		assert.Equal(t, restored(want), dump(t, s), "the restored dump is not retained")
	})
}
