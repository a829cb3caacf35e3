package storetest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// populate fills s through the API with one of everything; tag makes the
// contents differ between stores.
func populate(t tb, s store.Store, tag string) {
	t.Helper()
	ctx := t.Context()
	for _, id := range []string{tag + "-u2", tag + "-u1", tag + "-u3"} {
		mustUser(t, s, id)
	}
	u3 := user(tag + "-u3")
	u3.Email, u3.Permissions, u3.AllowedIPs = "", nil, nil
	u3.LastLoginAt = at(time.Hour)
	require.NoError(t, s.UpdateUser(ctx, u3))
	mustToken(t, s, tag+"-t2", tag+"-u1")
	mustToken(t, s, tag+"-t1", tag+"-u2")
	tok := token(tag+"-t3", tag+"-u1")
	tok.LastUsedAt, tok.ExpiresAt = at(time.Minute), time.Time{}
	require.NoError(t, s.CreateAPIToken(ctx, tok, 0))
	mustActive(t, s, tag+"-u2", "d2", "d1", "d3")
	mustActive(t, s, tag+"-u1", "d9")
	require.NoError(t, s.PutPendingTOTP(ctx, cred(tag+"-u3")))
	require.NoError(t, s.PutPendingTOTP(ctx, cred(tag+"-u1")))
	require.NoError(t, s.ReplaceRecoveryCodes(ctx, tag+"-u3", []string{"x1"}))
	require.NoError(t, s.AddSigningKey(ctx, key(tag+"-k2", t0)))
	require.NoError(t, s.AddSigningKey(ctx, key(tag+"-k1", at(time.Hour))))
	mustSession(t, s, tag+"-s2", tag+"-u1")
	mustSession(t, s, tag+"-s1", tag+"-u2")
	mustRotate(t, s, refresh(tag+"-s1", 1), refresh(tag+"-s1", 2), at(time.Minute), 0, store.Rotated)
	mustPasskey(t, s, tag+"-p2", tag+"-u1")
	mustPasskey(t, s, tag+"-p1", tag+"-u2")
	pk := passkey(tag+"-p3", tag+"-u1")
	pk.AAGUID, pk.Transports, pk.LastUsedAt = nil, nil, at(time.Minute)
	require.NoError(t, s.CreatePasskey(ctx, pk, 0))
	require.NoError(t, s.SetPasskeyHandle(ctx, tag+"-u2", []byte(tag+"-handle-2")))
	require.NoError(t, s.SetPasskeyHandle(ctx, tag+"-u1", []byte(tag+"-handle-1")))
	// Short-lived state, which a dump leaves out and a restore clears.
	mustRequest(t, s, tag+"-r1", tag+"-u1")
	mustRequest(t, s, tag+"-r2", "")
	require.NoError(t, s.RevokeToken(ctx, tag+"-jti", at(time.Hour)))
	_, err := s.Hit(ctx, tag+"-counter", 1, time.Hour, t0)
	require.NoError(t, err)
	require.NoError(t, s.Ban(ctx, tag+"-banned", at(time.Hour)))
}

func (x suite) backup(t tb) {
	x.run(t, "DumpContents", func(t tb, s store.Store) {
		d := dump(t, s)
		assert.Equal(t, store.Dump{}, d, "an empty store dumps empty")

		populate(t, s, "a")
		d = dump(t, s)
		ids := func(n int, f func(i int) string) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = f(i)
			}
			return out
		}
		assert.Equal(t, []string{"a-u1", "a-u2", "a-u3"}, ids(len(d.Users), func(i int) string { return d.Users[i].ID }), "users by ID")
		assert.Equal(t, []string{"a-t1", "a-t2", "a-t3"}, ids(len(d.APITokens), func(i int) string { return d.APITokens[i].ID }), "tokens by ID")
		assert.Equal(t, []string{"a-u1", "a-u2"}, ids(len(d.TOTP), func(i int) string { return d.TOTP[i].UserID }), "credentials by user")
		assert.Equal(t, []string{"a-u1", "a-u3"}, ids(len(d.PendingTOTP), func(i int) string { return d.PendingTOTP[i].UserID }), "pending by user")
		assert.Equal(t, []store.RecoveryCode{
			{UserID: "a-u1", Digest: "d9"},
			{UserID: "a-u2", Digest: "d1"}, {UserID: "a-u2", Digest: "d2"}, {UserID: "a-u2", Digest: "d3"},
			{UserID: "a-u3", Digest: "x1"},
		}, d.RecoveryCodes, "codes by user, then digest")
		assert.Equal(t, []string{"a-k1", "a-k2"}, ids(len(d.SigningKeys), func(i int) string { return d.SigningKeys[i].ID }), "keys by ID")
		assert.Equal(t, []string{"a-s1", "a-s2"}, ids(len(d.Sessions), func(i int) string { return d.Sessions[i].ID }), "sessions by ID")
		assert.Equal(t, []store.RefreshToken{
			{Digest: refresh("a-s1", 1), SessionID: "a-s1", Seq: 1, CreatedAt: t0, SpentAt: at(time.Minute)},
			{Digest: refresh("a-s1", 2), SessionID: "a-s1", Seq: 2, CreatedAt: at(time.Minute)},
			{Digest: refresh("a-s2", 1), SessionID: "a-s2", Seq: 1, CreatedAt: t0},
		}, d.RefreshTokens, "refresh tokens by digest, spent ones included")
		sess, err := s.Session(t.Context(), "a-s1")
		require.NoError(t, err)
		assert.Equal(t, normSession(*sess, false), d.Sessions[0])
		assert.Equal(t, []string{"a-p1", "a-p2", "a-p3"}, ids(len(d.Passkeys), func(i int) string { return d.Passkeys[i].ID }), "passkeys by ID")
		assert.Equal(t, []store.PasskeyHandle{
			{UserID: "a-u1", Handle: []byte("a-handle-1")}, {UserID: "a-u2", Handle: []byte("a-handle-2")},
		}, d.PasskeyHandles, "passkey handles by user")
		pk, err := s.Passkey(t.Context(), "a-u1", "a-p3")
		require.NoError(t, err)
		assert.Equal(t, normPasskey(*pk, false), d.Passkeys[2])

		for i := range d.Users {
			got, err := s.User(t.Context(), d.Users[i].ID)
			require.NoError(t, err)
			assert.Equal(t, normUser(*got, false), d.Users[i], "the dump holds the records as stored")
		}
		active, err := s.ActiveTOTP(t.Context(), "a-u2")
		require.NoError(t, err)
		assert.Equal(t, normTOTP(*active, false), d.TOTP[1])
		assert.Equal(t, dump(t, s), d, "the same contents dump to the same value")
	})

	x.run(t, "RestoreThenDumpIsIdentical", func(t tb, src store.Store) {
		ctx := t.Context()
		populate(t, src, "a")
		d, err := src.Dump(ctx)
		require.NoError(t, err)
		want := dump(t, src)

		dst := x.open(t)
		populate(t, dst, "b")
		require.NoError(t, dst.Restore(ctx, d))
		assert.Equal(t, restored(want), dump(t, dst), "restore then dump: the same records, generations and versions one more")

		// Restore replaced everything, short-lived state included.
		for _, id := range []string{"b-u1", "b-u2", "b-u3"} {
			_, err := dst.User(ctx, id)
			notFound(t, err, "user %s", id)
		}
		_, err = dst.UserByUsername(ctx, "user-b-u1")
		notFound(t, err, "the old username index is gone")
		_, err = dst.APITokenByDigest(ctx, "digest-b-t1")
		notFound(t, err, "the old digest index is gone")
		for _, id := range []string{"b-r1", "b-r2", "a-r1"} {
			_, err := dst.Request(ctx, id)
			notFound(t, err, "request %s", id)
		}
		revoked, err := dst.IsRevoked(ctx, "b-jti")
		require.NoError(t, err)
		assert.True(t, revoked, "revocations are kept: the restored keys may verify a revoked token")
		assert.Empty(t, counterKeys(t, dst, "", t0), "counters and bans cleared")
		// Sessions are not restored and the store's are cleared: a restore
		// ends every session.
		for _, id := range []string{"a-s1", "a-s2", "b-s1", "b-s2"} {
			_, err := dst.Session(ctx, id)
			notFound(t, err, "session %s", id)
		}
		for _, digest := range []string{refresh("a-s1", 2), refresh("b-s1", 2), refresh("a-s2", 1)} {
			_, _, _, err := dst.RotateRefreshToken(ctx, digest, "next", at(2*time.Minute), time.Minute)
			notFound(t, err, "refresh token %s", digest)
		}

		// The restored records work through every index.
		u, err := dst.UserByUsername(ctx, "USER-A-U1")
		require.NoError(t, err)
		assert.Equal(t, "a-u1", u.ID)
		u, err = dst.UserByEmail(ctx, "user-a-u2@example.com")
		require.NoError(t, err)
		assert.Equal(t, "a-u2", u.ID)
		tok, err := dst.APITokenByDigest(ctx, "digest-a-t3")
		require.NoError(t, err)
		assert.Equal(t, "a-u1", tok.UserID)
		require.ErrorIs(t, dst.CreateUser(ctx, user("a-u1")), store.ErrConflict, "restored IDs are taken")
		require.ErrorIs(t, dst.CreateAPIToken(ctx, token("t9", "a-u1"), 2), store.ErrLimitReached, "restored tokens count")
		require.NoError(t, dst.ConsumeRecoveryCode(ctx, "a-u2", "d2"))
		require.NoError(t, dst.AdvanceTOTPStep(ctx, "a-u2", 101))
		require.ErrorIs(t, dst.ActivateTOTP(ctx, "a-u1", cred("a-u1").Secret, 1, nil, t0), store.ErrConflict)
		require.NoError(t, dst.ActivateTOTP(ctx, "a-u3", cred("a-u3").Secret, 1, nil, t0), "restored pending enrollment")
		_, owner, err := dst.PasskeyByCredentialID(ctx, passkey("a-p2", "").CredentialID)
		require.NoError(t, err)
		assert.Equal(t, "a-u1", owner.ID)
		owner, err = dst.UserByPasskeyHandle(ctx, []byte("a-handle-2"))
		require.NoError(t, err)
		assert.Equal(t, "a-u2", owner.ID)
		for _, gone := range [][]byte{passkey("b-p2", "").CredentialID, passkey("b-p1", "").CredentialID} {
			_, _, err = dst.PasskeyByCredentialID(ctx, gone)
			notFound(t, err, "the old credential index is gone")
		}
		_, err = dst.UserByPasskeyHandle(ctx, []byte("b-handle-1"))
		notFound(t, err, "the old handle index is gone")
		require.ErrorIs(t, dst.SetPasskeyHandle(ctx, "a-u1", []byte("fresh")), store.ErrConflict, "restored handles are set")
		require.NoError(t, dst.RecordPasskeyUse(ctx, "a-p1", 5, 6, true, at(time.Hour)), "restored passkeys work")
		mustSession(t, dst, "a-s1", "a-u1")
		require.NoError(t, dst.DeleteUser(ctx, "a-u1"), "restored records cascade")
		gone(t, dst, "a-s1")
		_, err = dst.Passkey(ctx, "a-u1", "a-p2")
		notFound(t, err)
		_, err = dst.UserByPasskeyHandle(ctx, []byte("a-handle-1"))
		notFound(t, err)
		_, err = dst.APITokenByDigest(ctx, "digest-a-t3")
		notFound(t, err)

		// The source is untouched by all of this.
		assert.Equal(t, want, dump(t, src))
	})

	x.run(t, "RestoreNormalises", func(t tb, s store.Store) {
		loc := time.FixedZone("UTC+5:30", 5*3600+1800)
		odd := time.Date(2025, 1, 2, 3, 4, 5, 123456789, loc)
		u1, u2 := user("u1"), user("u2")
		u1.CreatedAt, u2.LastLoginAt = odd, odd
		t1 := token("t1", "u2")
		t1.ExpiresAt = odd
		c := cred("u1")
		c.CreatedAt = odd
		k := key("k", odd)
		pk := passkey("p1", "u1")
		pk.CreatedAt, pk.LastUsedAt = odd, odd
		in := &store.Dump{
			Users:          []store.User{*u2, *u1},
			APITokens:      []store.APIToken{*token("t2", "u1"), *t1},
			TOTP:           []store.TOTPCredential{*cred("u2"), *c},
			RecoveryCodes:  []store.RecoveryCode{{UserID: "u2", Digest: "b"}, {UserID: "u1", Digest: "z"}, {UserID: "u2", Digest: "a"}},
			SigningKeys:    []store.SigningKey{*key("m", t0), *k},
			Passkeys:       []store.PasskeyCredential{*passkey("p2", "u1"), *pk},
			PasskeyHandles: []store.PasskeyHandle{{UserID: "u2", Handle: []byte("h2")}, {UserID: "u1", Handle: []byte("h1")}},
		}
		require.NoError(t, s.Restore(t.Context(), in))
		want := normDump(&store.Dump{
			Users:          []store.User{*u1, *u2},
			APITokens:      []store.APIToken{*t1, *token("t2", "u1")},
			TOTP:           []store.TOTPCredential{*c, *cred("u2")},
			RecoveryCodes:  []store.RecoveryCode{{UserID: "u1", Digest: "z"}, {UserID: "u2", Digest: "a"}, {UserID: "u2", Digest: "b"}},
			SigningKeys:    []store.SigningKey{*k, *key("m", t0)},
			Passkeys:       []store.PasskeyCredential{*pk, *passkey("p2", "u1")},
			PasskeyHandles: []store.PasskeyHandle{{UserID: "u1", Handle: []byte("h1")}, {UserID: "u2", Handle: []byte("h2")}},
		}, true)
		want = restored(want)
		assert.Equal(t, want, dump(t, s), "sorted, times in UTC to the microsecond")
	})

	x.run(t, "RestoreRefusedChangesNothing", func(t tb, s store.Store) {
		ctx := t.Context()
		populate(t, s, "a")
		before := dump(t, s)
		good := func() *store.Dump {
			return &store.Dump{
				Users:          []store.User{*user("u1"), *user("u2")},
				APITokens:      []store.APIToken{*token("t1", "u1")},
				TOTP:           []store.TOTPCredential{*cred("u1")},
				PendingTOTP:    []store.TOTPCredential{*cred("u2")},
				RecoveryCodes:  []store.RecoveryCode{{UserID: "u1", Digest: "d"}},
				SigningKeys:    []store.SigningKey{*key("k1", t0)},
				Passkeys:       []store.PasskeyCredential{*passkey("p1", "u1"), *passkey("p2", "u2")},
				PasskeyHandles: []store.PasskeyHandle{{UserID: "u1", Handle: []byte("h1")}, {UserID: "u2", Handle: []byte("h2")}},
				Sessions:       []store.Session{*session("s1", "u1"), {ID: "s2", UserID: "u2", IdleTimeout: time.Minute, ExpiresAt: t0, RefreshSeq: 2}},
				RefreshTokens: []store.RefreshToken{
					{Digest: "r1", SessionID: "s1", Seq: 1, CreatedAt: t0},
					{Digest: "r2", SessionID: "s2", Seq: 1, SpentAt: t0},
					{Digest: "r3", SessionID: "s2", Seq: 2},
				},
			}
		}
		tests := []struct {
			name string
			edit func(d *store.Dump)
		}{
			{"repeated user ID", func(d *store.Dump) { d.Users[1].ID = "u1" }},
			{"repeated username", func(d *store.Dump) { d.Users[1].Username = strings.ToUpper(d.Users[0].Username) }},
			{"repeated email", func(d *store.Dump) { d.Users[1].Email = strings.ToUpper(d.Users[0].Email) }},
			{"invalid user", func(d *store.Dump) { d.Users[1].Username = "a\x00b" }},
			{"oversized user", func(d *store.Dump) { d.Users[1].Role = strings.Repeat("r", store.MaxRoleLen+1) }},
			{"token without owner", func(d *store.Dump) { d.APITokens[0].UserID = "nobody" }},
			{"repeated token digest", func(d *store.Dump) {
				d.APITokens = append(d.APITokens, *token("t2", "u2"))
				d.APITokens[1].Digest = d.APITokens[0].Digest
			}},
			{"invalid token", func(d *store.Dump) { d.APITokens[0].Digest = "" }},
			{"credential without owner", func(d *store.Dump) { d.TOTP[0].UserID = "nobody" }},
			{"invalid credential", func(d *store.Dump) { d.TOTP[0].Secret = nil }},
			{"pending without owner", func(d *store.Dump) { d.PendingTOTP[0].UserID = "nobody" }},
			{"code without owner", func(d *store.Dump) { d.RecoveryCodes[0].UserID = "nobody" }},
			{"invalid code", func(d *store.Dump) { d.RecoveryCodes[0].Digest = "\xff" }},
			{"repeated code", func(d *store.Dump) { d.RecoveryCodes = append(d.RecoveryCodes, d.RecoveryCodes[0]) }},
			{"too many codes", func(d *store.Dump) {
				for i := range store.MaxRecoveryCodes {
					d.RecoveryCodes = append(d.RecoveryCodes, store.RecoveryCode{UserID: "u1", Digest: fmt.Sprintf("c%d", i)})
				}
			}},
			{"repeated key ID", func(d *store.Dump) { d.SigningKeys = append(d.SigningKeys, *key("k1", at(time.Hour))) }},
			{"invalid key", func(d *store.Dump) { d.SigningKeys[0].Sealed = nil }},
			{"session without owner", func(d *store.Dump) { d.Sessions[0].UserID = "nobody" }},
			{"repeated session ID", func(d *store.Dump) { d.Sessions[1].ID = "s1" }},
			{"invalid session", func(d *store.Dump) { d.Sessions[0].IdleTimeout = 0 }},
			{"session ending before it starts", func(d *store.Dump) { d.Sessions[0].ExpiresAt = d.Sessions[0].CreatedAt }},
			{"refresh token without session", func(d *store.Dump) { d.RefreshTokens[0].SessionID = "nobody" }},
			{"repeated refresh digest", func(d *store.Dump) { d.RefreshTokens[1].Digest = "r1" }},
			{"repeated refresh sequence", func(d *store.Dump) { d.RefreshTokens[1].Seq = 2; d.RefreshTokens[1].SpentAt = time.Time{} }},
			{"refresh token after the live one", func(d *store.Dump) { d.RefreshTokens[0].Seq = 2 }},
			{"spent live token", func(d *store.Dump) { d.RefreshTokens[0].SpentAt = t0 }},
			{"unspent replaced token", func(d *store.Dump) { d.RefreshTokens[1].SpentAt = time.Time{} }},
			{"invalid refresh digest", func(d *store.Dump) { d.RefreshTokens[0].Digest = nul }},
			{"passkey without owner", func(d *store.Dump) { d.Passkeys[0].UserID = "nobody" }},
			{"repeated passkey ID", func(d *store.Dump) { d.Passkeys[1].ID = "p1" }},
			{"repeated credential ID", func(d *store.Dump) { d.Passkeys[1].CredentialID = d.Passkeys[0].CredentialID }},
			{"invalid passkey", func(d *store.Dump) { d.Passkeys[0].AAGUID = []byte("short") }},
			{"oversized passkey", func(d *store.Dump) { d.Passkeys[0].PublicKey = make([]byte, store.MaxPublicKeyLen+1) }},
			{"handle without owner", func(d *store.Dump) { d.PasskeyHandles[0].UserID = "nobody" }},
			{"two handles for a user", func(d *store.Dump) { d.PasskeyHandles[1].UserID = "u1" }},
			{"repeated handle", func(d *store.Dump) { d.PasskeyHandles[1].Handle = []byte("h1") }},
			{"empty handle", func(d *store.Dump) { d.PasskeyHandles[1].Handle = nil }},
		}
		require.NoError(t, x.open(t).Restore(ctx, good()), "the unedited dump restores")
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				d := good()
				tc.edit(d)
				require.Error(t, s.Restore(ctx, d))
				assert.Equal(t, before, dump(t, s), "nothing changed")
				_, err := s.Request(ctx, "a-r1")
				require.NoError(t, err, "requests are kept")
				ok, err := s.IsRevoked(ctx, "a-jti")
				require.NoError(t, err)
				assert.True(t, ok, "revocations are kept")
				assert.Equal(t, []string{"a-banned", "a-counter"}, counterKeys(t, s, "", t0), "counters are kept")
			})
		}
	})

	x.run(t, "RestoreEmpty", func(t tb, s store.Store) {
		populate(t, s, "a")
		require.NoError(t, s.Restore(t.Context(), &store.Dump{}))
		assert.Equal(t, store.Dump{}, dump(t, s))
		assert.Empty(t, userIDs(t, s))
		assert.Empty(t, counterKeys(t, s, "", t0))
		_, err := s.Request(t.Context(), "a-r2")
		notFound(t, err)
	})

	x.run(t, "RestoreLarge", func(t tb, s store.Store) {
		d := &store.Dump{}
		for i := range 500 {
			id := fmt.Sprintf("u%04d", i)
			d.Users = append(d.Users, *user(id))
			d.APITokens = append(d.APITokens, *token("t"+id, id))
		}
		require.NoError(t, s.Restore(t.Context(), d))
		got := dump(t, s)
		require.Len(t, got.Users, 500)
		require.True(t, slices.IsSortedFunc(got.Users, func(a, b store.User) int { return strings.Compare(a.ID, b.ID) }))
		assert.Equal(t, restored(normDump(d, true)), got)
	})
}
