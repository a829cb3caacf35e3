package memstore

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/latchkit/latch/store"
)

// CreateUser implements [store.Users].
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u == nil {
		return invalid("nil user")
	}
	if err := store.ValidateUser(u); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[u.ID]; ok {
		return fmt.Errorf("%w: user id exists", store.ErrConflict)
	}
	if err := d.checkUnique(u); err != nil {
		return err
	}
	c := userIn(u)
	c.Version = 1
	d.putUser(c)
	d.sortedIDs = nil
	u.Version = 1
	return nil
}

func (d *data) putUser(c *store.User) {
	d.users[c.ID] = c
	d.byUsername[store.FoldIdentifier(c.Username)] = c
	if c.Email != "" {
		d.byEmail[store.FoldIdentifier(c.Email)] = c
	}
}

// checkUnique reports whether u's username or email is another user's
// username or email: usernames and emails share one namespace of folded
// identifiers (store.User).
func (d *data) checkUnique(u *store.User) error {
	if d.taken(u.ID, store.FoldIdentifier(u.Username)) {
		return store.ErrUsernameTaken
	}
	if u.Email != "" && d.taken(u.ID, store.FoldIdentifier(u.Email)) {
		return store.ErrEmailTaken
	}
	return nil
}

// taken reports whether a user other than id has the folded identifier key
// as its username or email.
func (d *data) taken(id, key string) bool {
	if o, ok := d.byUsername[key]; ok && o.ID != id {
		return true
	}
	if o, ok := d.byEmail[key]; ok && o.ID != id {
		return true
	}
	return false
}

// User implements [store.Users].
func (s *Store) User(ctx context.Context, id string) (*store.User, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	u, ok := d.users[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneUser(u), nil
}

// UserByUsername implements [store.Users].
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	key, valid := store.LookupKey(username, store.MaxUsernameLen)
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	u, ok := d.byUsername[key]
	if !valid || !ok {
		return nil, store.ErrNotFound
	}
	return cloneUser(u), nil
}

// UserByEmail implements [store.Users].
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	key, valid := store.LookupKey(email, store.MaxEmailLen)
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	u, ok := d.byEmail[key]
	if !valid || !ok {
		return nil, store.ErrNotFound
	}
	return cloneUser(u), nil
}

// UpdateUser implements [store.Users].
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	if u == nil {
		return invalid("nil user")
	}
	if err := store.ValidateUser(u); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	old, ok := d.users[u.ID]
	if !ok {
		return store.ErrNotFound
	}
	if old.Version != u.Version {
		return store.ErrStale
	}
	if err := d.checkUnique(u); err != nil {
		return err
	}
	delete(d.byUsername, store.FoldIdentifier(old.Username))
	if old.Email != "" {
		delete(d.byEmail, store.FoldIdentifier(old.Email))
	}
	c := userIn(u)
	c.CreatedAt, c.LastLoginAt = old.CreatedAt, old.LastLoginAt
	c.Version = old.Version + 1
	d.putUser(c)
	u.Version = c.Version
	d.hub.publish(store.ChangeUser, c.ID)
	return nil
}

// SwapPasswordHash implements [store.Users].
func (s *Store) SwapPasswordHash(ctx context.Context, id, oldHash, newHash string, updatedAt time.Time) error {
	if err := store.ValidateUser(&store.User{ID: "x", Username: "x", PasswordHash: newHash}); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	u, ok := d.users[id]
	if !ok {
		return store.ErrNotFound
	}
	if subtle.ConstantTimeCompare([]byte(u.PasswordHash), []byte(oldHash)) != 1 {
		return fmt.Errorf("%w: password hash changed", store.ErrConflict)
	}
	u.PasswordHash = newHash
	u.UpdatedAt = store.StorageTime(updatedAt)
	u.Version++
	d.hub.publish(store.ChangeUser, id)
	return nil
}

// SetLastLogin implements [store.Users].
func (s *Store) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	u, ok := d.users[id]
	if !ok {
		return store.ErrNotFound
	}
	u.LastLoginAt = store.StorageTime(at)
	return nil
}

// DeleteUser implements [store.Users].
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	u, ok := d.users[id]
	if !ok {
		return store.ErrNotFound
	}
	d.hub.publish(store.ChangeUser, id)
	delete(d.users, id)
	delete(d.byUsername, store.FoldIdentifier(u.Username))
	if u.Email != "" {
		delete(d.byEmail, store.FoldIdentifier(u.Email))
	}
	d.sortedIDs = nil
	for tid := range d.userTokens[id] {
		delete(d.byDigest, d.tokens[tid].Digest)
		delete(d.tokens, tid)
	}
	delete(d.userTokens, id)
	delete(d.totp, id)
	delete(d.pending, id)
	delete(d.codes, id)
	d.deleteUserSessions(id)
	d.deleteUserPasskeys(id)
	for rid, r := range d.requests {
		if r.UserID == id {
			delete(d.requests, rid)
		}
	}
	return nil
}

// ListUsers implements [store.Users]. Users are ordered by ID (byte-wise);
// the cursor is the last ID of the page, encoded, so it stays valid whatever
// is inserted or deleted.
func (s *Store) ListUsers(ctx context.Context, limit int, cursor string) ([]store.User, string, error) {
	if err := store.CheckListLimit(limit); err != nil {
		return nil, "", err
	}
	after := ""
	if cursor != "" {
		var err error
		if after, err = store.DecodeCursor(cursor); err != nil {
			return nil, "", err
		}
	}
	// The write lock, because the sorted index may need rebuilding.
	d, err := s.lock(ctx)
	if err != nil {
		return nil, "", err
	}
	defer s.mu.Unlock()
	if d.sortedIDs == nil {
		d.sortedIDs = make([]string, 0, len(d.users))
		for id := range d.users {
			d.sortedIDs = append(d.sortedIDs, id)
		}
		slices.Sort(d.sortedIDs)
	}
	i := 0
	if cursor != "" {
		var found bool
		i, found = slices.BinarySearch(d.sortedIDs, after)
		if found {
			i++
		}
	}
	ids := d.sortedIDs[i:min(i+limit, len(d.sortedIDs))]
	users := make([]store.User, 0, len(ids))
	for _, id := range ids {
		users = append(users, *cloneUser(d.users[id]))
	}
	next := ""
	if i+len(ids) < len(d.sortedIDs) {
		next = store.EncodeCursor(ids[len(ids)-1])
	}
	return users, next, nil
}

// CreateUsers implements [store.Users].
func (s *Store) CreateUsers(ctx context.Context, users []*store.User) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	errs := make([]error, len(users))
	for i, u := range users {
		if err := s.CreateUser(ctx, u); err != nil {
			if errors.Is(err, ErrClosed) || ctx.Err() != nil {
				return nil, err
			}
			errs[i] = err
		}
	}
	return errs, nil
}
