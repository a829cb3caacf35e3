package storetest

import (
	"bytes"
	"fmt"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func passkeyIDs(t tb, s store.Store, userID string) []string {
	t.Helper()
	list, err := s.ListPasskeys(t.Context(), userID)
	require.NoError(t, err, "ListPasskeys")
	ids := []string{}
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

func getPasskey(t tb, s store.Store, userID, id string) *store.PasskeyCredential {
	t.Helper()
	c, err := s.Passkey(t.Context(), userID, id)
	require.NoError(t, err, "Passkey %q", id)
	return c
}

func (x suite) passkeys(t tb) {
	x.run(t, "CreateAndLookUp", func(t tb, s store.Store) {
		ctx := t.Context()
		u1 := mustUser(t, s, "u1")
		u2 := mustUser(t, s, "u2")
		// Created out of order: ListPasskeys is oldest first.
		p2 := passkey("p2", "u1")
		p2.CreatedAt = at(2 * time.Minute)
		p1 := passkey("p1", "u1")
		p1.CreatedAt, p1.LastUsedAt = at(time.Minute), at(90*time.Second)
		p3 := passkey("p3", "u1")
		p3.CreatedAt = at(3 * time.Minute)
		p3.AAGUID, p3.Transports, p3.BackupEligible, p3.BackupState, p3.AttestationFormat, p3.Name = nil, nil, false, false, "", ""
		p3.SignCount = 1<<32 - 1
		// Credential IDs and keys are bytes, not text.
		p3.CredentialID, p3.PublicKey = []byte{0, 0xff, 'a', 0, 0x80}, []byte{0xa5, 0, 1, 2, 0xff}
		for _, c := range []*store.PasskeyCredential{p2, p3, p1} {
			require.NoError(t, s.CreatePasskey(ctx, c, 0))
		}
		other := mustPasskey(t, s, "o1", "u2")

		for _, c := range []struct {
			want  *store.PasskeyCredential
			owner *store.User
		}{{p1, u1}, {p2, u1}, {p3, u1}, {other, u2}} {
			equalPasskey(t, c.want, getPasskey(t, s, c.want.UserID, c.want.ID), "Passkey %s", c.want.ID)
			got, gotU, err := s.PasskeyByCredentialID(ctx, c.want.CredentialID)
			require.NoError(t, err, "PasskeyByCredentialID %s", c.want.ID)
			equalPasskey(t, c.want, got, "the passkey, as Passkey returns it")
			equalUser(t, c.owner, gotU, "its owner, as User returns it")
		}
		list, err := s.ListPasskeys(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 3)
		for i, want := range []*store.PasskeyCredential{p1, p2, p3} {
			equalPasskey(t, want, &list[i], "ListPasskeys[%d], oldest first", i)
		}
		assert.Equal(t, []string{"o1"}, passkeyIDs(t, s, "u2"))
		assert.Empty(t, passkeyIDs(t, s, "nobody"), "a missing user has no passkeys")

		_, err = s.Passkey(ctx, "u2", "p1")
		notFound(t, err, "another user's passkey")
		_, err = s.Passkey(ctx, "u1", "missing")
		notFound(t, err)
		for _, cid := range [][]byte{nil, {}, []byte("cred-p"), []byte("cred-p1 "), []byte("CRED-P1"), {0, 0xff, 'a', 0}, []byte("cred-p_")} {
			gotP, gotU, err := s.PasskeyByCredentialID(ctx, cid)
			notFound(t, err, "credential ID %q", cid)
			assert.Nil(t, gotP)
			assert.Nil(t, gotU)
		}
	})

	x.run(t, "CreateRefused", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		first := mustPasskey(t, s, "p1", "u1")
		before := dump(t, s)
		tests := []struct {
			name string
			c    func() *store.PasskeyCredential
			want error
		}{
			{"unknown user", func() *store.PasskeyCredential { return passkey("p9", "nobody") }, store.ErrNotFound},
			{"same ID", func() *store.PasskeyCredential {
				c := passkey("p1", "u1")
				c.CredentialID = []byte("other")
				return c
			}, store.ErrConflict},
			{"same ID other user", func() *store.PasskeyCredential {
				c := passkey("p1", "u2")
				c.CredentialID = []byte("other")
				return c
			}, store.ErrConflict},
			{"same credential ID", func() *store.PasskeyCredential {
				c := passkey("p9", "u1")
				c.CredentialID = first.CredentialID
				return c
			}, store.ErrConflict},
			{"same credential ID other user", func() *store.PasskeyCredential {
				c := passkey("p9", "u2")
				c.CredentialID = first.CredentialID
				return c
			}, store.ErrConflict},
		}
		for _, tc := range tests {
			for _, maxPerUser := range []int{0, 5} {
				t.Run(fmt.Sprintf("%s cap %d", tc.name, maxPerUser), func(t tb) {
					require.ErrorIs(t, s.CreatePasskey(ctx, tc.c(), maxPerUser), tc.want)
					assert.Equal(t, before, dump(t, s), "nothing changed")
				})
			}
		}
	})

	x.run(t, "Cap", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		for _, id := range []string{"a", "b", "c"} {
			require.NoError(t, s.CreatePasskey(ctx, passkey(id, "u1"), 3), "passkey %s under the cap", id)
		}
		require.ErrorIs(t, s.CreatePasskey(ctx, passkey("d", "u1"), 3), store.ErrLimitReached)
		require.ErrorIs(t, s.CreatePasskey(ctx, passkey("d", "u1"), 1), store.ErrLimitReached, "a lower cap")
		_, _, err := s.PasskeyByCredentialID(ctx, passkey("d", "u1").CredentialID)
		notFound(t, err, "the refused passkey was not stored")
		require.NoError(t, s.CreatePasskey(ctx, passkey("e", "u2"), 3), "the cap is per user")

		require.NoError(t, s.DeletePasskey(ctx, "u1", "b"))
		require.NoError(t, s.CreatePasskey(ctx, passkey("d", "u1"), 3), "room after a delete")
		require.ErrorIs(t, s.CreatePasskey(ctx, passkey("f", "u1"), 3), store.ErrLimitReached)
		require.NoError(t, s.CreatePasskey(ctx, passkey("f", "u1"), 0), "cap 0 means no cap")
		require.NoError(t, s.CreatePasskey(ctx, passkey("g", "u1"), -1), "a negative cap means no cap")
		assert.ElementsMatch(t, []string{"a", "c", "d", "f", "g"}, passkeyIDs(t, s, "u1"))
	})

	x.run(t, "Rename", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		p := mustPasskey(t, s, "p1", "u1")
		require.NoError(t, s.RenamePasskey(ctx, "u1", "p1", "Work laptop"))
		p.Name = "Work laptop"
		equalPasskey(t, p, getPasskey(t, s, "u1", "p1"), "only the name changed")
		require.NoError(t, s.RenamePasskey(ctx, "u1", "p1", ""), "a name may be empty")
		p.Name = ""
		equalPasskey(t, p, getPasskey(t, s, "u1", "p1"))
		before := dump(t, s)
		notFound(t, s.RenamePasskey(ctx, "u2", "p1", "mine now"), "another user's passkey")
		notFound(t, s.RenamePasskey(ctx, "u1", "missing", "x"))
		for _, name := range []string{over(store.MaxNameLen), nul, badUTF8} {
			require.ErrorIs(t, s.RenamePasskey(ctx, "u1", "p1", name), store.ErrInvalid, "name %.12q", name)
		}
		assert.Equal(t, before, dump(t, s), "nothing changed")
		require.NoError(t, s.RenamePasskey(ctx, "u1", "p1", exactly(store.MaxNameLen)), "a name at the limit")
	})

	x.run(t, "RecordUse", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		p := mustPasskey(t, s, "p1", "u1") // count 5, backed up
		other := mustPasskey(t, s, "p2", "u1")
		steps := []struct {
			name           string
			old, new       uint32
			backup         bool
			at             time.Time
			want           error
			count          uint32
			backedUp       bool
			lastUsed       time.Time
			otherUntouched bool
		}{
			{"first use", 5, 6, true, at(time.Hour), nil, 6, true, at(time.Hour), true},
			{"stale count", 5, 7, false, at(2 * time.Hour), store.ErrConflict, 6, true, at(time.Hour), true},
			{"a count from the future", 9, 10, false, at(2 * time.Hour), store.ErrConflict, 6, true, at(time.Hour), true},
			{"backup state changes", 6, 8, false, at(3 * time.Hour), nil, 8, false, at(3 * time.Hour), true},
			{"the same count (no counter)", 8, 8, true, at(4 * time.Hour), nil, 8, true, at(4 * time.Hour), true},
			{"a lower count is the caller's call", 8, 2, true, at(5 * time.Hour), nil, 2, true, at(5 * time.Hour), true},
			{"the greatest count", 2, 1<<32 - 1, true, at(6 * time.Hour), nil, 1<<32 - 1, true, at(6 * time.Hour), true},
			{"at is as given", 1<<32 - 1, 0, true, at(time.Minute), nil, 0, true, at(time.Minute), true},
		}
		for _, st := range steps {
			err := s.RecordPasskeyUse(ctx, "p1", st.old, st.new, st.backup, st.at)
			if st.want == nil {
				require.NoError(t, err, st.name)
			} else {
				require.ErrorIs(t, err, st.want, st.name)
			}
			p.SignCount, p.BackupState, p.LastUsedAt = st.count, st.backedUp, st.lastUsed
			equalPasskey(t, p, getPasskey(t, s, "u1", "p1"), st.name)
			equalPasskey(t, other, getPasskey(t, s, "u1", "p2"), st.name)
		}
		notFound(t, s.RecordPasskeyUse(ctx, "missing", 5, 6, true, t0))
	})

	x.run(t, "Delete", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		p := mustPasskey(t, s, "p1", "u1")
		mustPasskey(t, s, "p2", "u1")
		notFound(t, s.DeletePasskey(ctx, "u2", "p1"), "another user's passkey")
		equalPasskey(t, p, getPasskey(t, s, "u1", "p1"), "still there")
		notFound(t, s.DeletePasskey(ctx, "u1", "missing"))
		require.NoError(t, s.DeletePasskey(ctx, "u1", "p1"))
		_, err := s.Passkey(ctx, "u1", "p1")
		notFound(t, err, "deleted")
		_, _, err = s.PasskeyByCredentialID(ctx, p.CredentialID)
		notFound(t, err, "deleted")
		notFound(t, s.RecordPasskeyUse(ctx, "p1", 5, 6, true, t0), "deleted")
		notFound(t, s.DeletePasskey(ctx, "u1", "p1"), "second delete")
		assert.Equal(t, []string{"p2"}, passkeyIDs(t, s, "u1"))
		mustPasskey(t, s, "p1", "u2") // ID and credential ID are free again, for any user
	})

	x.run(t, "Handles", func(t tb, s store.Store) {
		ctx := t.Context()
		u1 := mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		_, err := s.PasskeyHandle(ctx, "u1")
		notFound(t, err, "no handle yet")
		h1 := []byte{0, 0xff, 'h', 1, 0x80} // bytes, not text
		require.NoError(t, s.SetPasskeyHandle(ctx, "u1", h1))
		got, err := s.PasskeyHandle(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, h1, got)
		u, err := s.UserByPasskeyHandle(ctx, h1)
		require.NoError(t, err)
		equalUser(t, u1, u)

		before := dump(t, s)
		tests := []struct {
			name   string
			user   string
			handle []byte
			want   error
		}{
			{"set again", "u1", []byte("another"), store.ErrConflict},
			{"set again, the same", "u1", h1, store.ErrConflict},
			{"another user's handle", "u2", h1, store.ErrConflict},
			{"unknown user", "nobody", []byte("fresh"), store.ErrNotFound},
			{"empty", "u2", []byte{}, store.ErrInvalid},
			{"nil", "u2", nil, store.ErrInvalid},
			{"too long", "u2", bytes.Repeat([]byte{1}, store.MaxPasskeyHandleLen+1), store.ErrInvalid},
		}
		for _, tc := range tests {
			require.ErrorIs(t, s.SetPasskeyHandle(ctx, tc.user, tc.handle), tc.want, tc.name)
			assert.Equal(t, before, dump(t, s), "%s: nothing changed", tc.name)
		}
		for _, h := range [][]byte{nil, {}, h1[:4], append(bytes.Clone(h1), 0), []byte("another")} {
			_, err := s.UserByPasskeyHandle(ctx, h)
			notFound(t, err, "handle %q", h)
		}
		_, err = s.PasskeyHandle(ctx, "u2")
		notFound(t, err)
		h2 := bytes.Repeat([]byte{0xab}, store.MaxPasskeyHandleLen)
		require.NoError(t, s.SetPasskeyHandle(ctx, "u2", h2), "a handle at the limit")
		u, err = s.UserByPasskeyHandle(ctx, h2)
		require.NoError(t, err)
		assert.Equal(t, "u2", u.ID)
	})

	x.run(t, "DeleteUserCascades", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		p := mustPasskey(t, s, "p1", "u1")
		mustPasskey(t, s, "p2", "u1")
		o := mustPasskey(t, s, "o1", "u2")
		require.NoError(t, s.SetPasskeyHandle(ctx, "u1", []byte("handle-1")))
		require.NoError(t, s.SetPasskeyHandle(ctx, "u2", []byte("handle-2")))
		require.NoError(t, s.DeleteUser(ctx, "u1"))
		_, _, err := s.PasskeyByCredentialID(ctx, p.CredentialID)
		notFound(t, err)
		_, err = s.UserByPasskeyHandle(ctx, []byte("handle-1"))
		notFound(t, err)
		_, err = s.PasskeyHandle(ctx, "u1")
		notFound(t, err)
		d := dump(t, s)
		require.Len(t, d.Passkeys, 1)
		equalPasskey(t, o, &d.Passkeys[0], "another user's passkey stays")
		assert.Equal(t, []store.PasskeyHandle{{UserID: "u2", Handle: []byte("handle-2")}}, d.PasskeyHandles)
		mustUser(t, s, "u1")
		mustPasskey(t, s, "p1", "u1") // IDs, credential IDs and handles are free again
		require.NoError(t, s.SetPasskeyHandle(ctx, "u1", []byte("handle-1")))
	})
}
