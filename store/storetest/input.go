package storetest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// Hostile text values. over(n) is one byte over a limit of n.
const (
	nul       = "a\x00b"
	badUTF8   = "a\xffb"
	truncUTF8 = "caf\xc3" // a cut multi-byte sequence
	surrogate = "\xed\xa0\x80"
	overlong  = "\xc0\xaf"
)

func over(n int) string { return strings.Repeat("x", n+1) }

// exactly returns a string of exactly n bytes made of multi-byte characters
// (padded with ASCII), so a backend that counts characters, or truncates,
// is caught.
func exactly(n int) string {
	s := strings.Repeat("é", n/2)
	return s + strings.Repeat("e", n-len(s))
}

func (x suite) badInput(t tb) {
	x.run(t, "Users", func(t tb, s store.Store) {
		ctx := t.Context()
		tests := []struct {
			name string
			edit func(u *store.User)
		}{
			{"empty ID", func(u *store.User) { u.ID = "" }},
			{"long ID", func(u *store.User) { u.ID = over(store.MaxIDLen) }},
			{"NUL ID", func(u *store.User) { u.ID = nul }},
			{"empty username", func(u *store.User) { u.Username = "" }},
			{"long username", func(u *store.User) { u.Username = over(store.MaxUsernameLen) }},
			{"long multi-byte username", func(u *store.User) { u.Username = exactly(store.MaxUsernameLen) + "é" }},
			{"NUL username", func(u *store.User) { u.Username = nul }},
			{"NUL username end", func(u *store.User) { u.Username = "alice\x00" }},
			{"invalid UTF-8 username", func(u *store.User) { u.Username = badUTF8 }},
			{"truncated UTF-8 username", func(u *store.User) { u.Username = truncUTF8 }},
			{"surrogate username", func(u *store.User) { u.Username = surrogate }},
			{"overlong UTF-8 username", func(u *store.User) { u.Username = overlong }},
			{"long email", func(u *store.User) { u.Email = over(store.MaxEmailLen) }},
			{"NUL email", func(u *store.User) { u.Email = nul }},
			{"invalid UTF-8 email", func(u *store.User) { u.Email = badUTF8 }},
			{"long role", func(u *store.User) { u.Role = over(store.MaxRoleLen) }},
			{"NUL role", func(u *store.User) { u.Role = nul }},
			{"long permission", func(u *store.User) { u.Permissions = []string{"ok", over(store.MaxPermissionLen)} }},
			{"empty permission", func(u *store.User) { u.Permissions = []string{""} }},
			{"NUL permission", func(u *store.User) { u.Permissions = []string{nul} }},
			{"too many permissions", func(u *store.User) { u.Permissions = manyDigests(store.MaxPermissions + 1) }},
			{"long allowed IP", func(u *store.User) { u.AllowedIPs = []string{over(store.MaxAllowedIPLen)} }},
			{"invalid UTF-8 allowed IP", func(u *store.User) { u.AllowedIPs = []string{badUTF8} }},
			{"too many allowed IPs", func(u *store.User) { u.AllowedIPs = manyDigests(store.MaxAllowedIPs + 1) }},
			{"long password hash", func(u *store.User) { u.PasswordHash = over(store.MaxPasswordHashLen) }},
			{"NUL password hash", func(u *store.User) { u.PasswordHash = nul }},
		}
		existing := mustUser(t, s, "existing")
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				u := user("u1")
				tc.edit(u)
				require.ErrorIs(t, s.CreateUser(ctx, u), store.ErrInvalid, "CreateUser")
				assert.Equal(t, []string{"existing"}, userIDs(t, s), "nothing stored")

				upd := user("existing")
				tc.edit(upd)
				if upd.ID == "existing" {
					require.ErrorIs(t, s.UpdateUser(ctx, upd), store.ErrInvalid, "UpdateUser")
				}
				got, err := s.User(ctx, "existing")
				require.NoError(t, err)
				equalUser(t, existing, got, "nothing changed")
			})
		}
		require.ErrorIs(t, s.SwapPasswordHash(ctx, "existing", existing.PasswordHash, over(store.MaxPasswordHashLen), t0), store.ErrInvalid)
		require.ErrorIs(t, s.SwapPasswordHash(ctx, "existing", existing.PasswordHash, nul, t0), store.ErrInvalid)
		got, err := s.User(ctx, "existing")
		require.NoError(t, err)
		equalUser(t, existing, got, "a refused swap changes nothing")
	})

	x.run(t, "Sessions", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustSession(t, s, "existing", "u1")
		tests := []struct {
			name string
			edit func(sess *store.Session)
		}{
			{"empty ID", func(sess *store.Session) { sess.ID = "" }},
			{"long ID", func(sess *store.Session) { sess.ID = over(store.MaxIDLen) }},
			{"NUL ID", func(sess *store.Session) { sess.ID = nul }},
			{"invalid UTF-8 ID", func(sess *store.Session) { sess.ID = badUTF8 }},
			{"empty user", func(sess *store.Session) { sess.UserID = "" }},
			{"long user", func(sess *store.Session) { sess.UserID = over(store.MaxIDLen) }},
			{"long client IP", func(sess *store.Session) { sess.ClientIP = over(store.MaxClientIPLen) }},
			{"NUL client IP", func(sess *store.Session) { sess.ClientIP = nul }},
			{"invalid UTF-8 client IP", func(sess *store.Session) { sess.ClientIP = truncUTF8 }},
			{"zero idle timeout", func(sess *store.Session) { sess.IdleTimeout = 0 }},
			{"negative idle timeout", func(sess *store.Session) { sess.IdleTimeout = -time.Hour }},
			{"idle timeout under a microsecond", func(sess *store.Session) { sess.IdleTimeout = 999 }},
			{"expires when created", func(sess *store.Session) { sess.ExpiresAt = sess.CreatedAt }},
			{"expires before created", func(sess *store.Session) { sess.ExpiresAt = sess.CreatedAt.Add(-time.Second) }},
			{"no expiry", func(sess *store.Session) { sess.ExpiresAt = time.Time{} }},
			{"negative generation", func(sess *store.Session) { sess.Generation = -1 }},
			{"refresh sequence 0", func(sess *store.Session) { sess.RefreshSeq = 0 }},
			{"refresh sequence 2", func(sess *store.Session) { sess.RefreshSeq = 2 }},
		}
		before := dump(t, s)
		refused := func(sess *store.Session, digest, name string) {
			t.Helper()
			for _, maxPerUser := range []int{0, 1} {
				// With a cap of 1 the existing session would be ended: a
				// refused creation ends nothing.
				require.ErrorIs(t, s.CreateSession(ctx, sess, digest, maxPerUser), store.ErrInvalid, "%s, cap %d", name, maxPerUser)
				assert.Equal(t, before, dump(t, s), "%s, cap %d: nothing changed", name, maxPerUser)
			}
		}
		for _, tc := range tests {
			sess := session("s1", "u1")
			tc.edit(sess)
			refused(sess, refresh("s1", 1), tc.name)
		}
		for _, digest := range []string{"", over(store.MaxDigestLen), nul, badUTF8} {
			refused(session("s1", "u1"), digest, fmt.Sprintf("digest %.12q", digest))
		}
		for _, next := range []string{"", over(store.MaxDigestLen), nul, badUTF8} {
			_, _, _, err := s.RotateRefreshToken(ctx, refresh("existing", 1), next, at(time.Minute), time.Minute)
			require.ErrorIs(t, err, store.ErrInvalid, "next digest %.12q", next)
		}
		_, _, _, err := s.RotateRefreshToken(ctx, refresh("existing", 1), "next", at(time.Minute), -time.Nanosecond)
		require.ErrorIs(t, err, store.ErrInvalid, "negative grace")
		assert.Equal(t, before, dump(t, s), "no refused rotation changed anything")
	})

	x.run(t, "Passkeys", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustPasskey(t, s, "existing", "u1")
		tests := []struct {
			name string
			edit func(c *store.PasskeyCredential)
		}{
			{"empty ID", func(c *store.PasskeyCredential) { c.ID = "" }},
			{"long ID", func(c *store.PasskeyCredential) { c.ID = over(store.MaxIDLen) }},
			{"NUL ID", func(c *store.PasskeyCredential) { c.ID = nul }},
			{"empty user", func(c *store.PasskeyCredential) { c.UserID = "" }},
			{"invalid UTF-8 user", func(c *store.PasskeyCredential) { c.UserID = badUTF8 }},
			{"empty credential ID", func(c *store.PasskeyCredential) { c.CredentialID = nil }},
			{"long credential ID", func(c *store.PasskeyCredential) { c.CredentialID = make([]byte, store.MaxCredentialIDLen+1) }},
			{"empty public key", func(c *store.PasskeyCredential) { c.PublicKey = []byte{} }},
			{"long public key", func(c *store.PasskeyCredential) { c.PublicKey = make([]byte, store.MaxPublicKeyLen+1) }},
			{"short AAGUID", func(c *store.PasskeyCredential) { c.AAGUID = make([]byte, store.AAGUIDLen-1) }},
			{"long AAGUID", func(c *store.PasskeyCredential) { c.AAGUID = make([]byte, store.AAGUIDLen+1) }},
			{"empty transport", func(c *store.PasskeyCredential) { c.Transports = []string{"usb", ""} }},
			{"long transport", func(c *store.PasskeyCredential) { c.Transports = []string{over(store.MaxTransportLen)} }},
			{"NUL transport", func(c *store.PasskeyCredential) { c.Transports = []string{nul} }},
			{"too many transports", func(c *store.PasskeyCredential) { c.Transports = manyDigests(store.MaxTransports + 1) }},
			{"long attestation format", func(c *store.PasskeyCredential) { c.AttestationFormat = over(store.MaxAttestationFormatLen) }},
			{"invalid UTF-8 attestation format", func(c *store.PasskeyCredential) { c.AttestationFormat = truncUTF8 }},
			{"long name", func(c *store.PasskeyCredential) { c.Name = over(store.MaxNameLen) }},
			{"NUL name", func(c *store.PasskeyCredential) { c.Name = nul }},
		}
		before := dump(t, s)
		for _, tc := range tests {
			c := passkey("p1", "u1")
			tc.edit(c)
			for _, maxPerUser := range []int{0, 5} {
				require.ErrorIs(t, s.CreatePasskey(ctx, c, maxPerUser), store.ErrInvalid, "%s, cap %d", tc.name, maxPerUser)
			}
			assert.Equal(t, before, dump(t, s), "%s: nothing stored", tc.name)
		}
	})

	// Values at the limits are stored whole, never truncated.
	x.run(t, "AtTheLimits", func(t tb, s store.Store) {
		ctx := t.Context()
		u := &store.User{
			ID:           exactly(store.MaxIDLen),
			Username:     exactly(store.MaxUsernameLen),
			Email:        exactly(store.MaxEmailLen),
			Role:         exactly(store.MaxRoleLen),
			Permissions:  make([]string, store.MaxPermissions),
			AllowedIPs:   make([]string, store.MaxAllowedIPs),
			PasswordHash: exactly(store.MaxPasswordHashLen),
			CreatedAt:    t0,
		}
		for i := range u.Permissions {
			u.Permissions[i] = exactly(store.MaxPermissionLen-3) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "!"
		}
		for i := range u.AllowedIPs {
			u.AllowedIPs[i] = exactly(store.MaxAllowedIPLen-2) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		}
		require.NoError(t, s.CreateUser(ctx, u))
		got, err := s.User(ctx, u.ID)
		require.NoError(t, err)
		equalUser(t, u, got, "stored whole")
		got, err = s.UserByUsername(ctx, strings.ToUpper(u.Username))
		require.NoError(t, err, "found by its folded username")
		assert.Equal(t, u.ID, got.ID)

		// Folding changes lengths both ways, and a lookup finds the user by
		// any spelling that folds to its key: U+023A is two bytes and folds
		// to three (the folded key is longer than the field's limit), the
		// Kelvin sign is three bytes and folds to "k" (the input is longer).
		for id, tc := range map[string]struct{ name, lookup string }{
			"grows":   {strings.Repeat("\u023a", store.MaxUsernameLen/2), strings.Repeat("\u2c65", store.MaxUsernameLen/2)},
			"shrinks": {strings.Repeat("k", store.MaxUsernameLen), strings.Repeat("\u212a", store.MaxUsernameLen)},
		} {
			fu := user(id)
			fu.Username = tc.name
			require.NoError(t, s.CreateUser(ctx, fu))
			for _, lookup := range []string{tc.name, tc.lookup, store.FoldIdentifier(tc.name)} {
				got, err = s.UserByUsername(ctx, lookup)
				require.NoError(t, err, "%s: lookup by a %d-byte spelling", id, len(lookup))
				assert.Equal(t, id, got.ID)
			}
		}
		// Input no stored name can fold to is not found, also where Fold
		// would map it onto a stored name (invalid UTF-8 becomes U+FFFD).
		bad := user("bad")
		bad.Username = "a\ufffdb"
		require.NoError(t, s.CreateUser(ctx, bad))
		for _, lookup := range []string{"a\xffb", "a\x00b", strings.Repeat("a", 4*store.MaxUsernameLen)} {
			_, err = s.UserByUsername(ctx, lookup)
			notFound(t, err, "lookup of %d bytes", len(lookup))
			_, err = s.UserByEmail(ctx, lookup)
			notFound(t, err, "email lookup of %d bytes", len(lookup))
		}

		tok := &store.APIToken{
			ID:     exactly(store.MaxIDLen),
			UserID: u.ID,
			Name:   exactly(store.MaxNameLen),
			Prefix: exactly(store.MaxIDLen),
			Digest: exactly(store.MaxDigestLen),
		}
		require.NoError(t, s.CreateAPIToken(ctx, tok, 0))
		gotTok, err := s.APITokenByDigest(ctx, tok.Digest)
		require.NoError(t, err)
		equalToken(t, tok, gotTok, "stored whole")

		c := &store.TOTPCredential{UserID: u.ID, Secret: make([]byte, store.MaxSecretLen), Algorithm: exactly(16)}
		for i := range c.Secret {
			c.Secret[i] = byte(i) // every byte value, NUL included: secrets are bytes, not text
		}
		require.NoError(t, s.PutPendingTOTP(ctx, c))
		gotC, err := s.PendingTOTP(ctx, u.ID)
		require.NoError(t, err)
		equalTOTP(t, c, gotC, "stored whole")

		k := &store.SigningKey{ID: exactly(store.MaxIDLen), Sealed: make([]byte, store.MaxSealedKeyLen)}
		for i := range k.Sealed {
			k.Sealed[i] = byte(255 - i)
		}
		require.NoError(t, s.AddSigningKey(ctx, k))
		keys, err := s.SigningKeys(ctx)
		require.NoError(t, err)
		equalKeys(t, []*store.SigningKey{k}, keys, "stored whole")

		r := &store.Request{ID: exactly(store.MaxIDLen), Kind: store.KindEmailVerification, UserID: u.ID,
			Email: exactly(store.MaxEmailLen), CodeDigest: exactly(store.MaxDigestLen)}
		require.NoError(t, s.CreateRequest(ctx, r))
		gotR, err := s.Request(ctx, r.ID)
		require.NoError(t, err)
		equalRequest(t, r, gotR, "stored whole")

		sess := session(exactly(store.MaxIDLen), u.ID)
		sess.ClientIP = exactly(store.MaxClientIPLen)
		digest := exactly(store.MaxDigestLen)
		require.NoError(t, s.CreateSession(ctx, sess, digest, 1))
		gotS, gotU, err := s.SessionWithOwner(ctx, sess.ID)
		require.NoError(t, err)
		equalSession(t, sess, gotS, "stored whole")
		assert.Equal(t, u.ID, gotU.ID)
		next := strings.Repeat("ê", store.MaxDigestLen/2)
		gotS, _ = mustRotate(t, s, digest, next, at(time.Minute), 0, store.Rotated)
		assert.Equal(t, int64(2), gotS.RefreshSeq)
		mustRotate(t, s, next, "next", at(2*time.Minute), 0, store.Rotated)

		pk := &store.PasskeyCredential{
			ID:                exactly(store.MaxIDLen),
			UserID:            u.ID,
			CredentialID:      make([]byte, store.MaxCredentialIDLen),
			PublicKey:         make([]byte, store.MaxPublicKeyLen),
			AAGUID:            make([]byte, store.AAGUIDLen),
			Transports:        make([]string, store.MaxTransports),
			AttestationFormat: exactly(store.MaxAttestationFormatLen),
			Name:              exactly(store.MaxNameLen),
			SignCount:         1<<32 - 1,
		}
		for i := range pk.CredentialID {
			pk.CredentialID[i] = byte(i) // every byte value, NUL included
		}
		for i := range pk.PublicKey {
			pk.PublicKey[i] = byte(255 - i)
		}
		for i := range pk.Transports {
			pk.Transports[i] = exactly(store.MaxTransportLen-1) + string(rune('a'+i))
		}
		require.NoError(t, s.CreatePasskey(ctx, pk, 1))
		gotP, gotOwner, err := s.PasskeyByCredentialID(ctx, pk.CredentialID)
		require.NoError(t, err)
		equalPasskey(t, pk, gotP, "stored whole")
		assert.Equal(t, u.ID, gotOwner.ID)
		handle := make([]byte, store.MaxPasskeyHandleLen)
		for i := range handle {
			handle[i] = byte(200 + i)
		}
		require.NoError(t, s.SetPasskeyHandle(ctx, u.ID, handle))
		gotH, err := s.PasskeyHandle(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, handle, gotH, "stored whole")

		ck := exactly(store.MaxCounterKeyLen)
		_, err = s.Hit(ctx, ck, 1, time.Minute, t0)
		require.NoError(t, err)
		assert.Equal(t, []string{ck}, counterKeys(t, s, "", t0))

		jti := exactly(store.MaxIDLen)
		require.NoError(t, s.RevokeToken(ctx, jti, at(time.Hour)))
		ok, err := s.IsRevoked(ctx, jti)
		require.NoError(t, err)
		assert.True(t, ok)
	})

	x.run(t, "OtherRecords", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustActive(t, s, "u1", "keep")
		mustUser(t, s, "u2") // nothing active: activation reaches the digests
		bad := []string{"", nul, badUTF8, truncUTF8}
		tests := []struct {
			name string
			call func() error
		}{
			{"token long ID", func() error { k := token("t", "u1"); k.ID = over(store.MaxIDLen); return s.CreateAPIToken(ctx, k, 0) }},
			{"token NUL name", func() error { k := token("t", "u1"); k.Name = nul; return s.CreateAPIToken(ctx, k, 0) }},
			{"token long name", func() error {
				k := token("t", "u1")
				k.Name = over(store.MaxNameLen)
				return s.CreateAPIToken(ctx, k, 0)
			}},
			{"token long prefix", func() error {
				k := token("t", "u1")
				k.Prefix = over(store.MaxIDLen)
				return s.CreateAPIToken(ctx, k, 0)
			}},
			{"token empty digest", func() error { k := token("t", "u1"); k.Digest = ""; return s.CreateAPIToken(ctx, k, 0) }},
			{"token long digest", func() error {
				k := token("t", "u1")
				k.Digest = over(store.MaxDigestLen)
				return s.CreateAPIToken(ctx, k, 0)
			}},
			{"token invalid UTF-8 digest", func() error { k := token("t", "u1"); k.Digest = badUTF8; return s.CreateAPIToken(ctx, k, 0) }},
			{"token NUL permission", func() error {
				k := token("t", "u1")
				k.Permissions = []string{nul}
				return s.CreateAPIToken(ctx, k, 0)
			}},
			{"token too many permissions", func() error {
				k := token("t", "u1")
				k.Permissions = manyDigests(store.MaxPermissions + 1)
				return s.CreateAPIToken(ctx, k, 0)
			}},
			{"pending empty secret", func() error { c := cred("u1"); c.Secret = nil; return s.PutPendingTOTP(ctx, c) }},
			{"pending long secret", func() error {
				c := cred("u1")
				c.Secret = make([]byte, store.MaxSecretLen+1)
				return s.PutPendingTOTP(ctx, c)
			}},
			{"pending long algorithm", func() error { c := cred("u1"); c.Algorithm = over(16); return s.PutPendingTOTP(ctx, c) }},
			{"pending NUL algorithm", func() error { c := cred("u1"); c.Algorithm = nul; return s.PutPendingTOTP(ctx, c) }},
			{"pending negative digits", func() error { c := cred("u1"); c.Digits = -6; return s.PutPendingTOTP(ctx, c) }},
			{"pending negative step", func() error { c := cred("u1"); c.LastStep = -1; return s.PutPendingTOTP(ctx, c) }},
			{"request NUL ID", func() error { r := request(nul, ""); return s.CreateRequest(ctx, r) }},
			{"request long ID", func() error { return s.CreateRequest(ctx, request(over(store.MaxIDLen), "")) }},
			{"request invalid UTF-8 email", func() error { r := request("r", ""); r.Email = badUTF8; return s.CreateRequest(ctx, r) }},
			{"request long email", func() error { r := request("r", ""); r.Email = over(store.MaxEmailLen); return s.CreateRequest(ctx, r) }},
			{"request long code digest", func() error {
				r := request("r", "")
				r.CodeDigest = over(store.MaxDigestLen)
				return s.CreateRequest(ctx, r)
			}},
			{"request NUL user", func() error { return s.CreateRequest(ctx, request("r", nul)) }},
			{"key empty", func() error { k := key("k", t0); k.Sealed = nil; return s.AddSigningKey(ctx, k) }},
			{"key long", func() error {
				k := key("k", t0)
				k.Sealed = make([]byte, store.MaxSealedKeyLen+1)
				return s.AddSigningKey(ctx, k)
			}},
			{"key NUL ID", func() error { return s.AddSigningKey(ctx, key(nul, t0)) }},
			{"key long ID", func() error { return s.AddSigningKey(ctx, key(over(store.MaxIDLen), t0)) }},
			{"reset key long", func() error {
				k := key("k", t0)
				k.Sealed = make([]byte, store.MaxSealedKeyLen+1)
				return s.ResetSigningKeys(ctx, k)
			}},
			{"counter long key", func() error { _, err := s.Hit(ctx, over(store.MaxCounterKeyLen), 1, time.Minute, t0); return err }},
			{"ban long key", func() error { return s.Ban(ctx, over(store.MaxCounterKeyLen), at(time.Hour)) }},
			{"revoke long jti", func() error { return s.RevokeToken(ctx, over(store.MaxIDLen), at(time.Hour)) }},
		}
		for _, b := range bad {
			tests = append(tests,
				struct {
					name string
					call func() error
				}{"counter key " + b, func() error { _, err := s.Hit(ctx, b, 1, time.Minute, t0); return err }},
				struct {
					name string
					call func() error
				}{"ban key " + b, func() error { return s.Ban(ctx, b, at(time.Hour)) }},
				struct {
					name string
					call func() error
				}{"revoke jti " + b, func() error { return s.RevokeToken(ctx, b, at(time.Hour)) }},
				struct {
					name string
					call func() error
				}{"recovery digest " + b, func() error { return s.ReplaceRecoveryCodes(ctx, "u1", []string{"ok", b}) }},
				struct {
					name string
					call func() error
				}{"activation digest " + b, func() error {
					if err := s.PutPendingTOTP(ctx, cred("u2")); err != nil {
						return err
					}
					return s.ActivateTOTP(ctx, "u2", cred("u2").Secret, 1, []string{b}, t0)
				}},
			)
		}
		before := dump(t, s)
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				require.ErrorIs(t, tc.call(), store.ErrInvalid)
				d := dump(t, s)
				d.PendingTOTP = nil // the activation rows put a pending enrollment first
				assert.Equal(t, before, d, "nothing stored")
				assert.Empty(t, counterKeys(t, s, "", t0), "no counter stored")
				for _, b := range append(bad, over(store.MaxIDLen)) {
					ok, err := s.IsRevoked(ctx, b)
					if err == nil {
						assert.False(t, ok, "nothing revoked")
					}
				}
				_, err := s.Request(ctx, "r")
				notFound(t, err, "no request stored")
			})
		}
	})

	// Nil records, a window that is not positive and a maximum below 1 are
	// ErrInvalid, never a panic and never a write.
	x.run(t, "NilAndNonPositive", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustRequest(t, s, "r1", "u1")
		mustSession(t, s, "s1", "u1")
		require.NoError(t, s.AddSigningKey(ctx, key("k1", t0)))
		tests := []struct {
			name string
			call func() error
		}{
			{"CreateUser nil", func() error { return s.CreateUser(ctx, nil) }},
			{"UpdateUser nil", func() error { return s.UpdateUser(ctx, nil) }},
			{"CreateAPIToken nil", func() error { return s.CreateAPIToken(ctx, nil, 0) }},
			{"CreateAPIToken nil capped", func() error { return s.CreateAPIToken(ctx, nil, 3) }},
			{"PutPendingTOTP nil", func() error { return s.PutPendingTOTP(ctx, nil) }},
			{"CreateRequest nil", func() error { return s.CreateRequest(ctx, nil) }},
			{"CreateSession nil", func() error { return s.CreateSession(ctx, nil, "d", 0) }},
			{"CreatePasskey nil", func() error { return s.CreatePasskey(ctx, nil, 0) }},
			{"CreatePasskey nil capped", func() error { return s.CreatePasskey(ctx, nil, 3) }},
			{"SetPasskeyHandle nil", func() error { return s.SetPasskeyHandle(ctx, "u1", nil) }},
			{"CreateSession nil capped", func() error { return s.CreateSession(ctx, nil, "d", 3) }},
			{"RotateRefreshToken negative grace", func() error {
				_, _, _, err := s.RotateRefreshToken(ctx, refresh("s1", 1), "d", t0, -time.Second)
				return err
			}},
			{"AddSigningKey nil", func() error { return s.AddSigningKey(ctx, nil) }},
			{"ResetSigningKeys nil", func() error { return s.ResetSigningKeys(ctx, nil) }},
			{"Restore nil", func() error { return s.Restore(ctx, nil) }},
			{"FailRequestAttempt max 0", func() error { _, err := s.FailRequestAttempt(ctx, "r1", 0); return err }},
			{"FailRequestAttempt negative max", func() error { _, err := s.FailRequestAttempt(ctx, "r1", -1); return err }},
			{"Hit window 0", func() error { _, err := s.Hit(ctx, "k", 1, 0, t0); return err }},
			{"Hit negative window", func() error { _, err := s.Hit(ctx, "k", 1, -time.Second, t0); return err }},
		}
		before := dump(t, s)
		for _, tc := range tests {
			var err error
			require.NotPanics(t, func() { err = tc.call() }, tc.name)
			require.ErrorIs(t, err, store.ErrInvalid, tc.name)
		}
		assert.Equal(t, before, dump(t, s), "nothing written")
		r, err := s.Request(ctx, "r1")
		require.NoError(t, err)
		assert.Zero(t, r.Attempts, "no attempt counted")
		assert.Empty(t, counterKeys(t, s, "", t0), "no counter stored")
	})

	// Lookups by hostile keys find nothing: ErrNotFound (or ErrInvalid), never
	// another error and never a panic.
	x.run(t, "HostileLookups", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustToken(t, s, "t1", "u1")
		mustSession(t, s, "s1", "u1")
		mustPasskey(t, s, "p1", "u1")
		require.NoError(t, s.SetPasskeyHandle(ctx, "u1", []byte("handle-u1")))
		for _, k := range []string{nul, badUTF8, truncUTF8, surrogate, overlong, over(64 << 10), "%", "_", "*", "' OR '1'='1"} {
			lookups := map[string]error{}
			_, lookups["User"] = s.User(ctx, k)
			_, lookups["UserByUsername"] = s.UserByUsername(ctx, k)
			_, lookups["UserByEmail"] = s.UserByEmail(ctx, k)
			_, lookups["APITokenByDigest"] = s.APITokenByDigest(ctx, k)
			_, _, lookups["APITokenWithOwner"] = s.APITokenWithOwner(ctx, k)
			_, lookups["Request"] = s.Request(ctx, k)
			_, lookups["PendingTOTP"] = s.PendingTOTP(ctx, k)
			_, lookups["ActiveTOTP"] = s.ActiveTOTP(ctx, k)
			lookups["DeleteUser"] = s.DeleteUser(ctx, k)
			lookups["DeleteAPIToken"] = s.DeleteAPIToken(ctx, "u1", k)
			lookups["DeleteRequest"] = s.DeleteRequest(ctx, k)
			lookups["ConsumeRecoveryCode"] = s.ConsumeRecoveryCode(ctx, "u1", k)
			lookups["AdvanceTOTPStep"] = s.AdvanceTOTPStep(ctx, k, 1)
			lookups["DeleteSigningKey"] = s.DeleteSigningKey(ctx, k)
			lookups["TouchAPIToken"] = s.TouchAPIToken(ctx, k, t0)
			_, lookups["Session"] = s.Session(ctx, k)
			_, _, lookups["SessionWithOwner"] = s.SessionWithOwner(ctx, k)
			_, _, _, lookups["RotateRefreshToken"] = s.RotateRefreshToken(ctx, k, "next", at(time.Minute), time.Minute)
			lookups["DeleteSession"] = s.DeleteSession(ctx, "u1", k)
			lookups["DeleteSession of a hostile user"] = s.DeleteSession(ctx, k, "s1")
			_, lookups["Passkey"] = s.Passkey(ctx, "u1", k)
			_, lookups["Passkey of a hostile user"] = s.Passkey(ctx, k, "p1")
			_, _, lookups["PasskeyByCredentialID"] = s.PasskeyByCredentialID(ctx, []byte(k))
			lookups["RenamePasskey"] = s.RenamePasskey(ctx, "u1", k, "name")
			lookups["RenamePasskey of a hostile user"] = s.RenamePasskey(ctx, k, "p1", "name")
			lookups["RecordPasskeyUse"] = s.RecordPasskeyUse(ctx, k, 5, 6, true, t0)
			lookups["DeletePasskey"] = s.DeletePasskey(ctx, "u1", k)
			lookups["DeletePasskey of a hostile user"] = s.DeletePasskey(ctx, k, "p1")
			_, lookups["PasskeyHandle"] = s.PasskeyHandle(ctx, k)
			_, lookups["UserByPasskeyHandle"] = s.UserByPasskeyHandle(ctx, []byte(k))
			for name, err := range lookups {
				assert.True(t, errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid),
					"%s(%.12q) = %v, want ErrNotFound or ErrInvalid", name, k, err)
			}
			list, err := s.ListAPITokens(ctx, k)
			if err == nil {
				assert.Empty(t, list, "ListAPITokens(%.12q)", k)
			} else {
				assert.ErrorIs(t, err, store.ErrInvalid, "ListAPITokens(%.12q)", k)
			}
			sessions, err := s.ListSessions(ctx, k)
			if err == nil {
				assert.Empty(t, sessions, "ListSessions(%.12q)", k)
			} else {
				assert.ErrorIs(t, err, store.ErrInvalid, "ListSessions(%.12q)", k)
			}
			passkeys, err := s.ListPasskeys(ctx, k)
			if err == nil {
				assert.Empty(t, passkeys, "ListPasskeys(%.12q)", k)
			} else {
				assert.ErrorIs(t, err, store.ErrInvalid, "ListPasskeys(%.12q)", k)
			}
			n, err := s.DeleteUserSessions(ctx, k)
			if err == nil {
				assert.Zero(t, n, "DeleteUserSessions(%.12q)", k)
			} else {
				assert.ErrorIs(t, err, store.ErrInvalid, "DeleteUserSessions(%.12q)", k)
			}
			c, err := s.Counter(ctx, k, t0)
			if err == nil {
				assert.Zero(t, c.Count, "Counter(%.12q)", k)
			} else {
				assert.ErrorIs(t, err, store.ErrInvalid, "Counter(%.12q)", k)
			}
			_, err = s.ListCounters(ctx, k, t0)
			if err != nil {
				assert.ErrorIs(t, err, store.ErrInvalid, "ListCounters(%.12q)", k)
			}
		}
		assert.Equal(t, []string{"u1"}, userIDs(t, s), "nothing was deleted")
		assert.Equal(t, []string{"t1"}, tokenIDs(t, s, "u1"))
		assert.Equal(t, []string{"s1"}, sessionIDs(t, s, "u1"))
		mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), at(time.Minute), 0, store.Rotated)
		assert.Equal(t, []string{"p1"}, passkeyIDs(t, s, "u1"))
		equalPasskey(t, passkey("p1", "u1"), getPasskey(t, s, "u1", "p1"), "nothing changed")
		u, err := s.UserByPasskeyHandle(ctx, []byte("handle-u1"))
		require.NoError(t, err)
		assert.Equal(t, "u1", u.ID)
	})
}
