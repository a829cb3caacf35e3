package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/latchkit/latch/store"
)

// AddSigningKey implements [store.SigningKeys]. It returns ErrInvalid for a
// key [store.ValidateSigningKey] refuses.
func (s *Store) AddSigningKey(ctx context.Context, k *store.SigningKey) error {
	if k == nil {
		return invalid("nil key")
	}
	if err := store.ValidateSigningKey(k); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.keys[k.ID]; ok {
		return fmt.Errorf("%w: key id exists", store.ErrConflict)
	}
	d.keys[k.ID] = cloneKey(k)
	d.hub.publish(store.ChangeKeys, "")
	return nil
}

// SigningKeys implements [store.SigningKeys].
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := make([]store.SigningKey, 0, len(d.keys))
	for _, k := range d.keys {
		list = append(list, *cloneKey(k))
	}
	slices.SortFunc(list, func(a, b store.SigningKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, nil
}

// DeleteSigningKey implements [store.SigningKeys].
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.keys[id]; !ok {
		return store.ErrNotFound
	}
	delete(d.keys, id)
	d.hub.publish(store.ChangeKeys, "")
	return nil
}

// ResetSigningKeys implements [store.SigningKeys].
func (s *Store) ResetSigningKeys(ctx context.Context, k *store.SigningKey) error {
	if k == nil {
		return invalid("nil key")
	}
	if err := store.ValidateSigningKey(k); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	d.keys = map[string]*store.SigningKey{k.ID: cloneKey(k)}
	d.hub.publish(store.ChangeKeys, "")
	return nil
}
