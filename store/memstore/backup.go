package memstore

import (
	"cmp"
	"context"
	"crypto/subtle"
	"slices"
	"strings"

	"github.com/latchkit/latch/store"
)

// Dump implements [store.Backup].
func (s *Store) Dump(ctx context.Context) (*store.Dump, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := &store.Dump{}
	for _, u := range d.users {
		out.Users = append(out.Users, *cloneUser(u))
	}
	for _, t := range d.tokens {
		out.APITokens = append(out.APITokens, *cloneToken(t))
	}
	for _, c := range d.totp {
		out.TOTP = append(out.TOTP, *cloneTOTP(c))
	}
	for _, c := range d.pending {
		out.PendingTOTP = append(out.PendingTOTP, *cloneTOTP(c))
	}
	for uid, set := range d.codes {
		for dg := range set {
			out.RecoveryCodes = append(out.RecoveryCodes, store.RecoveryCode{UserID: uid, Digest: dg})
		}
	}
	for _, k := range d.keys {
		out.SigningKeys = append(out.SigningKeys, *cloneKey(k))
	}
	for _, sess := range d.sessions {
		out.Sessions = append(out.Sessions, *sess)
	}
	for _, t := range d.refresh {
		out.RefreshTokens = append(out.RefreshTokens, *t)
	}
	for _, c := range d.passkeys {
		out.Passkeys = append(out.Passkeys, *clonePasskey(c))
	}
	for uid, h := range d.handles {
		out.PasskeyHandles = append(out.PasskeyHandles, store.PasskeyHandle{UserID: uid, Handle: slices.Clone(h)})
	}
	slices.SortFunc(out.Users, func(a, b store.User) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(out.APITokens, func(a, b store.APIToken) int { return strings.Compare(a.ID, b.ID) })
	byUser := func(a, b store.TOTPCredential) int { return strings.Compare(a.UserID, b.UserID) }
	slices.SortFunc(out.TOTP, byUser)
	slices.SortFunc(out.PendingTOTP, byUser)
	slices.SortFunc(out.RecoveryCodes, func(a, b store.RecoveryCode) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.Digest, b.Digest))
	})
	slices.SortFunc(out.SigningKeys, func(a, b store.SigningKey) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(out.Sessions, func(a, b store.Session) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(out.RefreshTokens, func(a, b store.RefreshToken) int { return strings.Compare(a.Digest, b.Digest) })
	slices.SortFunc(out.Passkeys, func(a, b store.PasskeyCredential) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(out.PasskeyHandles, func(a, b store.PasskeyHandle) int { return strings.Compare(a.UserID, b.UserID) })
	return out, nil
}

// Restore implements [store.Backup]; the dump is checked by
// [store.Dump.Validate] before anything changes. Sessions and refresh
// tokens are not restored: the store's are dropped, the dump's ignored.
func (s *Store) Restore(ctx context.Context, dump *store.Dump) error {
	if dump == nil {
		return invalid("nil dump")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	nd, err := build(dump)
	if err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	nd.revoked = d.revoked // kept (store.Backup)
	// Protection never rolls back (store.Backup): generations and versions
	// move past both sides, and a TOTP step or passkey signature count
	// accepted since the dump stays accepted.
	for id, u := range nd.users {
		if old, ok := d.users[id]; ok {
			u.Generation = max(u.Generation, old.Generation)
			u.Version = max(u.Version, old.Version)
		}
		u.Generation++
		u.Version++
	}
	for id, c := range nd.totp {
		if old, ok := d.totp[id]; ok && subtle.ConstantTimeCompare(old.Secret, c.Secret) == 1 {
			c.LastStep = max(c.LastStep, old.LastStep)
		}
	}
	for cid, c := range nd.byCredential {
		if old, ok := d.byCredential[cid]; ok && old.UserID == c.UserID {
			c.SignCount = max(c.SignCount, old.SignCount)
		}
	}
	nd.hub = d.hub
	*d = *nd
	d.hub.publish(store.ChangeReset, "")
	return nil
}

func build(dump *store.Dump) (*data, error) {
	if err := dump.Validate(); err != nil {
		return nil, err
	}
	d := newData()
	for i := range dump.Users {
		d.putUser(userIn(&dump.Users[i]))
	}
	for i := range dump.APITokens {
		d.putToken(tokenIn(&dump.APITokens[i]))
	}
	for i := range dump.TOTP {
		d.totp[dump.TOTP[i].UserID] = cloneTOTP(&dump.TOTP[i])
	}
	for i := range dump.PendingTOTP {
		d.pending[dump.PendingTOTP[i].UserID] = cloneTOTP(&dump.PendingTOTP[i])
	}
	for _, rc := range dump.RecoveryCodes {
		set := d.codes[rc.UserID]
		if set == nil {
			set = map[string]struct{}{}
			d.codes[rc.UserID] = set
		}
		set[rc.Digest] = struct{}{}
	}
	for i := range dump.SigningKeys {
		d.keys[dump.SigningKeys[i].ID] = cloneKey(&dump.SigningKeys[i])
	}
	for i := range dump.Passkeys {
		d.putPasskey(passkeyIn(&dump.Passkeys[i]))
	}
	for _, h := range dump.PasskeyHandles {
		d.putHandle(h.UserID, h.Handle)
	}
	return d, nil
}
