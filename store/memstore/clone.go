package memstore

import (
	"slices"
	"time"

	"github.com/latchkit/latch/store"
)

// The clone functions copy a record with its slices, so that nothing the
// caller holds aliases stored state. The in functions also normalise the
// times (store.StorageTime) for storing; records handed out are copied from stored
// ones, whose times are normalised already.

// userBox holds a User and room for its slices, so that a copy with few
// permissions and addresses is one allocation.
type userBox struct {
	u   store.User
	buf [6]string
}

func cloneUser(u *store.User) *store.User {
	var c *store.User
	if len(u.Permissions)+len(u.AllowedIPs) <= len(userBox{}.buf) {
		b := &userBox{u: *u}
		c = &b.u
		c.Permissions = cloneInto(b.buf[:0], u.Permissions)
		c.AllowedIPs = cloneInto(b.buf[len(u.Permissions):len(u.Permissions)], u.AllowedIPs)
	} else {
		c = new(store.User)
		*c = *u
		c.Permissions = slices.Clone(u.Permissions)
		c.AllowedIPs = slices.Clone(u.AllowedIPs)
	}
	return c
}

func userIn(u *store.User) *store.User {
	c := cloneUser(u)
	c.CreatedAt = store.StorageTime(u.CreatedAt)
	c.UpdatedAt = store.StorageTime(u.UpdatedAt)
	c.LastLoginAt = store.StorageTime(u.LastLoginAt)
	return c
}

// cloneInto copies src into the buffer behind dst, a zero-length slice with
// room for src, and caps the result so that appending to it cannot reach
// the rest of the buffer. nil stays nil.
func cloneInto(dst, src []string) []string {
	if src == nil {
		return nil
	}
	dst = dst[:len(src):len(src)]
	copy(dst, src)
	return dst
}

// tokenBox is userBox for APIToken.
type tokenBox struct {
	t   store.APIToken
	buf [4]string
}

func cloneToken(t *store.APIToken) *store.APIToken {
	var c *store.APIToken
	if len(t.Permissions) <= len(tokenBox{}.buf) {
		b := &tokenBox{t: *t}
		c = &b.t
		c.Permissions = cloneInto(b.buf[:0], t.Permissions)
	} else {
		c = new(store.APIToken)
		*c = *t
		c.Permissions = slices.Clone(t.Permissions)
	}
	return c
}

func tokenIn(t *store.APIToken) *store.APIToken {
	c := cloneToken(t)
	c.CreatedAt = store.StorageTime(t.CreatedAt)
	c.ExpiresAt = store.StorageTime(t.ExpiresAt)
	c.LastUsedAt = store.StorageTime(t.LastUsedAt)
	return c
}

func cloneTOTP(t *store.TOTPCredential) *store.TOTPCredential {
	c := *t
	c.Secret = slices.Clone(t.Secret)
	c.CreatedAt = store.StorageTime(t.CreatedAt)
	return &c
}

func cloneRequest(r *store.Request) *store.Request {
	c := *r
	c.CreatedAt = store.StorageTime(r.CreatedAt)
	c.ExpiresAt = store.StorageTime(r.ExpiresAt)
	return &c
}

func cloneKey(k *store.SigningKey) *store.SigningKey {
	c := *k
	c.Sealed = slices.Clone(k.Sealed)
	c.CreatedAt = store.StorageTime(k.CreatedAt)
	return &c
}

// sessionIn returns a copy of s as stored: times normalised, the idle
// timeout truncated to the microsecond.
func sessionIn(s *store.Session) *store.Session {
	c := *s
	c.CreatedAt = store.StorageTime(s.CreatedAt)
	c.LastUsedAt = store.StorageTime(s.LastUsedAt)
	c.ExpiresAt = store.StorageTime(s.ExpiresAt)
	c.AuthTime = store.StorageTime(s.AuthTime)
	c.IdleTimeout = s.IdleTimeout.Truncate(time.Microsecond)
	return &c
}

func cloneSession(s *store.Session) *store.Session {
	c := *s
	return &c
}

func clonePasskey(c *store.PasskeyCredential) *store.PasskeyCredential {
	out := *c
	out.CredentialID = slices.Clone(c.CredentialID)
	out.PublicKey = slices.Clone(c.PublicKey)
	out.AAGUID = slices.Clone(c.AAGUID)
	out.Transports = slices.Clone(c.Transports)
	return &out
}

func passkeyIn(c *store.PasskeyCredential) *store.PasskeyCredential {
	out := clonePasskey(c)
	out.CreatedAt = store.StorageTime(c.CreatedAt)
	out.LastUsedAt = store.StorageTime(c.LastUsedAt)
	return out
}
