package memstore

import (
	"context"
	"slices"

	"github.com/latchkit/latch/store"
)

func (d *data) setCodes(userID string, digests []string) {
	if len(digests) == 0 {
		delete(d.codes, userID)
		return
	}
	set := make(map[string]struct{}, len(digests))
	for _, dg := range digests {
		set[dg] = struct{}{}
	}
	d.codes[userID] = set
}

// ReplaceRecoveryCodes implements [store.RecoveryCodes]. Repeated digests
// are stored once, so each code is usable once.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, digests []string) error {
	if err := store.ValidateDigests(digests); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[userID]; !ok {
		return store.ErrNotFound
	}
	d.setCodes(userID, digests)
	return nil
}

// ConsumeRecoveryCode implements [store.RecoveryCodes].
func (s *Store) ConsumeRecoveryCode(ctx context.Context, userID, digest string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	set := d.codes[userID]
	if _, ok := set[digest]; !ok {
		return store.ErrNotFound
	}
	delete(set, digest)
	if len(set) == 0 {
		delete(d.codes, userID)
	}
	return nil
}

// RecoveryCodeDigests implements [store.RecoveryCodes]. The digests are
// sorted; a user without codes (or without an account) has none.
func (s *Store) RecoveryCodeDigests(ctx context.Context, userID string) ([]string, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := make([]string, 0, len(d.codes[userID]))
	for dg := range d.codes[userID] {
		list = append(list, dg)
	}
	slices.Sort(list)
	return list, nil
}
