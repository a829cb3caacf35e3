package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/latchkit/latch/store"
)

// CreatePasskey implements [store.Passkeys].
func (s *Store) CreatePasskey(ctx context.Context, c *store.PasskeyCredential, maxPerUser int) error {
	if c == nil {
		return invalid("nil passkey")
	}
	if err := store.ValidatePasskey(c); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[c.UserID]; !ok {
		return fmt.Errorf("%w: no such user", store.ErrNotFound)
	}
	if _, ok := d.passkeys[c.ID]; ok {
		return fmt.Errorf("%w: passkey id exists", store.ErrConflict)
	}
	if _, ok := d.byCredential[string(c.CredentialID)]; ok {
		return fmt.Errorf("%w: passkey credential id exists", store.ErrConflict)
	}
	if maxPerUser > 0 && len(d.userPasskeys[c.UserID]) >= maxPerUser {
		return store.ErrLimitReached
	}
	d.putPasskey(passkeyIn(c))
	return nil
}

func (d *data) putPasskey(c *store.PasskeyCredential) {
	d.passkeys[c.ID] = c
	d.byCredential[string(c.CredentialID)] = c
	set := d.userPasskeys[c.UserID]
	if set == nil {
		set = map[string]struct{}{}
		d.userPasskeys[c.UserID] = set
	}
	set[c.ID] = struct{}{}
}

func (d *data) deletePasskey(c *store.PasskeyCredential) {
	delete(d.passkeys, c.ID)
	delete(d.byCredential, string(c.CredentialID))
	delete(d.userPasskeys[c.UserID], c.ID)
	if len(d.userPasskeys[c.UserID]) == 0 {
		delete(d.userPasskeys, c.UserID)
	}
}

// deleteUserPasskeys removes the user's passkeys and handle.
func (d *data) deleteUserPasskeys(userID string) {
	for id := range d.userPasskeys[userID] {
		d.deletePasskey(d.passkeys[id])
	}
	if h, ok := d.handles[userID]; ok {
		delete(d.byHandle, string(h))
		delete(d.handles, userID)
	}
}

// ownPasskey returns the user's passkey with this ID, or nil.
func (d *data) ownPasskey(userID, id string) *store.PasskeyCredential {
	c, ok := d.passkeys[id]
	if !ok || c.UserID != userID {
		return nil
	}
	return c
}

// Passkey implements [store.Passkeys].
func (s *Store) Passkey(ctx context.Context, userID, id string) (*store.PasskeyCredential, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	c := d.ownPasskey(userID, id)
	if c == nil {
		return nil, store.ErrNotFound
	}
	return clonePasskey(c), nil
}

// PasskeyByCredentialID implements [store.Passkeys].
func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*store.PasskeyCredential, *store.User, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.mu.RUnlock()
	c, ok := d.byCredential[string(credentialID)]
	if !ok {
		return nil, nil, store.ErrNotFound
	}
	u, ok := d.users[c.UserID]
	if !ok { // cannot happen: deleting a user deletes its passkeys
		return nil, nil, store.ErrNotFound
	}
	return clonePasskey(c), cloneUser(u), nil
}

// ListPasskeys implements [store.Passkeys].
func (s *Store) ListPasskeys(ctx context.Context, userID string) ([]store.PasskeyCredential, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := make([]store.PasskeyCredential, 0, len(d.userPasskeys[userID]))
	for id := range d.userPasskeys[userID] {
		list = append(list, *clonePasskey(d.passkeys[id]))
	}
	slices.SortFunc(list, func(a, b store.PasskeyCredential) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, nil
}

// RenamePasskey implements [store.Passkeys].
func (s *Store) RenamePasskey(ctx context.Context, userID, id, name string) error {
	if err := store.ValidatePasskeyName(name); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	c := d.ownPasskey(userID, id)
	if c == nil {
		return store.ErrNotFound
	}
	c.Name = name
	return nil
}

// RecordPasskeyUse implements [store.Passkeys].
func (s *Store) RecordPasskeyUse(ctx context.Context, id string, oldCount, newCount uint32, backupState bool, at time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	c, ok := d.passkeys[id]
	if !ok {
		return store.ErrNotFound
	}
	if c.SignCount != oldCount {
		return fmt.Errorf("%w: signature counter changed", store.ErrConflict)
	}
	c.SignCount, c.BackupState, c.LastUsedAt = newCount, backupState, store.StorageTime(at)
	return nil
}

// DeletePasskey implements [store.Passkeys].
func (s *Store) DeletePasskey(ctx context.Context, userID, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	c := d.ownPasskey(userID, id)
	if c == nil {
		return store.ErrNotFound
	}
	d.deletePasskey(c)
	return nil
}

// SetPasskeyHandle implements [store.Passkeys].
func (s *Store) SetPasskeyHandle(ctx context.Context, userID string, handle []byte) error {
	if err := store.ValidatePasskeyHandle(handle); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[userID]; !ok {
		return fmt.Errorf("%w: no such user", store.ErrNotFound)
	}
	if _, ok := d.handles[userID]; ok {
		return fmt.Errorf("%w: the user has a passkey handle", store.ErrConflict)
	}
	if _, ok := d.byHandle[string(handle)]; ok {
		return fmt.Errorf("%w: passkey handle taken", store.ErrConflict)
	}
	d.putHandle(userID, handle)
	return nil
}

func (d *data) putHandle(userID string, handle []byte) {
	d.handles[userID] = slices.Clone(handle)
	d.byHandle[string(handle)] = userID
}

// PasskeyHandle implements [store.Passkeys].
func (s *Store) PasskeyHandle(ctx context.Context, userID string) ([]byte, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	h, ok := d.handles[userID]
	if !ok {
		return nil, store.ErrNotFound
	}
	return slices.Clone(h), nil
}

// UserByPasskeyHandle implements [store.Passkeys].
func (s *Store) UserByPasskeyHandle(ctx context.Context, handle []byte) (*store.User, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	id, ok := d.byHandle[string(handle)]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneUser(d.users[id]), nil
}
