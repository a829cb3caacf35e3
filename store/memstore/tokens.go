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

// CreateAPIToken implements [store.APITokens].
func (s *Store) CreateAPIToken(ctx context.Context, t *store.APIToken, maxPerUser int) error {
	if t == nil {
		return invalid("nil token")
	}
	if err := store.ValidateAPIToken(t); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[t.UserID]; !ok {
		return fmt.Errorf("%w: no such user", store.ErrNotFound)
	}
	if _, ok := d.tokens[t.ID]; ok {
		return fmt.Errorf("%w: token id exists", store.ErrConflict)
	}
	if _, ok := d.byDigest[t.Digest]; ok {
		return fmt.Errorf("%w: token digest exists", store.ErrConflict)
	}
	if maxPerUser > 0 && len(d.userTokens[t.UserID]) >= maxPerUser {
		return store.ErrLimitReached
	}
	d.putToken(tokenIn(t))
	return nil
}

func (d *data) putToken(c *store.APIToken) {
	d.tokens[c.ID] = c
	d.byDigest[c.Digest] = c
	set := d.userTokens[c.UserID]
	if set == nil {
		set = map[string]struct{}{}
		d.userTokens[c.UserID] = set
	}
	set[c.ID] = struct{}{}
}

// APITokenByDigest implements [store.APITokens].
func (s *Store) APITokenByDigest(ctx context.Context, digest string) (*store.APIToken, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	t, ok := d.byDigest[digest]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneToken(t), nil
}

// APITokenWithOwner implements [store.APITokens].
func (s *Store) APITokenWithOwner(ctx context.Context, digest string) (*store.APIToken, *store.User, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.mu.RUnlock()
	t, ok := d.byDigest[digest]
	if !ok {
		return nil, nil, store.ErrNotFound
	}
	u, ok := d.users[t.UserID]
	if !ok { // cannot happen: deleting a user deletes its tokens
		return nil, nil, store.ErrNotFound
	}
	return cloneToken(t), cloneUser(u), nil
}

// ListAPITokens implements [store.APITokens]. Tokens created at the same
// instant are ordered by ID.
func (s *Store) ListAPITokens(ctx context.Context, userID string) ([]store.APIToken, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := make([]store.APIToken, 0, len(d.userTokens[userID]))
	for id := range d.userTokens[userID] {
		list = append(list, *cloneToken(d.tokens[id]))
	}
	slices.SortFunc(list, func(a, b store.APIToken) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, nil
}

// DeleteAPIToken implements [store.APITokens].
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	t, ok := d.tokens[id]
	if !ok || t.UserID != userID {
		return store.ErrNotFound
	}
	d.hub.publish(store.ChangeAPIToken, t.Digest)
	delete(d.tokens, id)
	delete(d.byDigest, t.Digest)
	delete(d.userTokens[userID], id)
	if len(d.userTokens[userID]) == 0 {
		delete(d.userTokens, userID)
	}
	return nil
}

// TouchAPIToken implements [store.APITokens].
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	t, ok := d.tokens[id]
	if !ok {
		return store.ErrNotFound
	}
	if at = store.StorageTime(at); at.After(t.LastUsedAt) {
		t.LastUsedAt = at
	}
	return nil
}
