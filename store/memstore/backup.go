package memstore

import (
	"cmp"
	"context"
	"crypto/subtle"
	"fmt"
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
	slices.SortFunc(out.Users, func(a, b store.User) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(out.APITokens, func(a, b store.APIToken) int { return strings.Compare(a.ID, b.ID) })
	byUser := func(a, b store.TOTPCredential) int { return strings.Compare(a.UserID, b.UserID) }
	slices.SortFunc(out.TOTP, byUser)
	slices.SortFunc(out.PendingTOTP, byUser)
	slices.SortFunc(out.RecoveryCodes, func(a, b store.RecoveryCode) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.Digest, b.Digest))
	})
	slices.SortFunc(out.SigningKeys, func(a, b store.SigningKey) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Restore implements [store.Backup]. Every record is checked as the single
// writes check it: a record [store] validation refuses is ErrInvalid, a
// repeated ID, digest, username, email or recovery code is ErrConflict
// (ErrUsernameTaken, ErrEmailTaken), and a record naming a user the dump
// does not hold is ErrNotFound.
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
	// move past both sides, and a TOTP step accepted since the dump stays
	// accepted.
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
	*d = *nd
	return nil
}

func build(dump *store.Dump) (*data, error) {
	d := newData()
	for i := range dump.Users {
		u := &dump.Users[i]
		if err := store.ValidateUser(u); err != nil {
			return nil, err
		}
		if _, ok := d.users[u.ID]; ok {
			return nil, fmt.Errorf("%w: user id repeated", store.ErrConflict)
		}
		if err := d.checkUnique(u); err != nil {
			return nil, err
		}
		d.putUser(userIn(u))
	}
	for i := range dump.APITokens {
		t := &dump.APITokens[i]
		if err := store.ValidateAPIToken(t); err != nil {
			return nil, err
		}
		if _, ok := d.users[t.UserID]; !ok {
			return nil, fmt.Errorf("%w: token owner missing", store.ErrNotFound)
		}
		if _, ok := d.tokens[t.ID]; ok {
			return nil, fmt.Errorf("%w: token id repeated", store.ErrConflict)
		}
		if _, ok := d.byDigest[t.Digest]; ok {
			return nil, fmt.Errorf("%w: token digest repeated", store.ErrConflict)
		}
		d.putToken(tokenIn(t))
	}
	for _, set := range []struct {
		list []store.TOTPCredential
		m    map[string]*store.TOTPCredential
	}{{dump.TOTP, d.totp}, {dump.PendingTOTP, d.pending}} {
		for i := range set.list {
			c := &set.list[i]
			if err := store.ValidateTOTP(c); err != nil {
				return nil, err
			}
			if _, ok := d.users[c.UserID]; !ok {
				return nil, fmt.Errorf("%w: totp owner missing", store.ErrNotFound)
			}
			if _, ok := set.m[c.UserID]; ok {
				return nil, fmt.Errorf("%w: totp credential repeated", store.ErrConflict)
			}
			set.m[c.UserID] = cloneTOTP(c)
		}
	}
	perUser := map[string]int{}
	for _, rc := range dump.RecoveryCodes {
		if err := store.ValidateDigests([]string{rc.Digest}); err != nil {
			return nil, err
		}
		if _, ok := d.users[rc.UserID]; !ok {
			return nil, fmt.Errorf("%w: recovery code owner missing", store.ErrNotFound)
		}
		if perUser[rc.UserID]++; perUser[rc.UserID] > store.MaxRecoveryCodes {
			return nil, invalid(fmt.Sprintf("more than %d recovery codes", store.MaxRecoveryCodes))
		}
		set := d.codes[rc.UserID]
		if set == nil {
			set = map[string]struct{}{}
			d.codes[rc.UserID] = set
		}
		if _, ok := set[rc.Digest]; ok {
			return nil, fmt.Errorf("%w: recovery code repeated", store.ErrConflict)
		}
		set[rc.Digest] = struct{}{}
	}
	for i := range dump.SigningKeys {
		k := &dump.SigningKeys[i]
		if err := store.ValidateSigningKey(k); err != nil {
			return nil, err
		}
		if _, ok := d.keys[k.ID]; ok {
			return nil, fmt.Errorf("%w: key id repeated", store.ErrConflict)
		}
		d.keys[k.ID] = cloneKey(k)
	}
	return d, nil
}
