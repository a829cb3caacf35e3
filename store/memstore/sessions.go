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

// CreateSession implements [store.Sessions].
func (s *Store) CreateSession(ctx context.Context, sess *store.Session, refreshDigest string, maxPerUser int) error {
	if sess == nil {
		return invalid("nil session")
	}
	if err := store.ValidateSession(sess); err != nil {
		return err
	}
	if sess.RefreshSeq != 1 {
		return invalid("a new session's refresh sequence must be 1")
	}
	if err := store.ValidateDigest(refreshDigest); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[sess.UserID]; !ok {
		return fmt.Errorf("%w: no such user", store.ErrNotFound)
	}
	if _, ok := d.sessions[sess.ID]; ok {
		return fmt.Errorf("%w: session id exists", store.ErrConflict)
	}
	if _, ok := d.refresh[refreshDigest]; ok {
		return fmt.Errorf("%w: refresh token digest exists", store.ErrConflict)
	}
	if maxPerUser > 0 {
		own := d.sortedSessions(sess.UserID)
		for i := 0; i <= len(own)-maxPerUser; i++ {
			d.deleteSession(own[i].ID)
		}
	}
	c := sessionIn(sess)
	d.putSession(c)
	d.putRefresh(&store.RefreshToken{Digest: refreshDigest, SessionID: c.ID, Seq: 1, CreatedAt: c.CreatedAt})
	return nil
}

func (d *data) putSession(c *store.Session) {
	d.sessions[c.ID] = c
	set := d.userSessions[c.UserID]
	if set == nil {
		set = map[string]struct{}{}
		d.userSessions[c.UserID] = set
	}
	set[c.ID] = struct{}{}
}

func (d *data) putRefresh(t *store.RefreshToken) {
	d.refresh[t.Digest] = t
	set := d.sessionTokens[t.SessionID]
	if set == nil {
		set = map[string]struct{}{}
		d.sessionTokens[t.SessionID] = set
	}
	set[t.Digest] = struct{}{}
}

// sortedSessions returns the user's stored sessions, oldest first.
func (d *data) sortedSessions(userID string) []*store.Session {
	list := make([]*store.Session, 0, len(d.userSessions[userID]))
	for id := range d.userSessions[userID] {
		list = append(list, d.sessions[id])
	}
	slices.SortFunc(list, func(a, b *store.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list
}

// deleteSession removes a stored session and its refresh tokens.
func (d *data) deleteSession(id string) {
	sess, ok := d.sessions[id]
	if !ok {
		return
	}
	d.hub.publish(store.ChangeSession, id)
	delete(d.sessions, id)
	delete(d.userSessions[sess.UserID], id)
	if len(d.userSessions[sess.UserID]) == 0 {
		delete(d.userSessions, sess.UserID)
	}
	for dg := range d.sessionTokens[id] {
		delete(d.refresh, dg)
	}
	delete(d.sessionTokens, id)
}

// Session implements [store.Sessions].
func (s *Store) Session(ctx context.Context, id string) (*store.Session, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	sess, ok := d.sessions[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneSession(sess), nil
}

// SessionWithOwner implements [store.Sessions].
func (s *Store) SessionWithOwner(ctx context.Context, id string) (*store.Session, *store.User, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.mu.RUnlock()
	sess, ok := d.sessions[id]
	if !ok {
		return nil, nil, store.ErrNotFound
	}
	u, ok := d.users[sess.UserID]
	if !ok { // cannot happen: deleting a user deletes its sessions
		return nil, nil, store.ErrNotFound
	}
	return cloneSession(sess), cloneUser(u), nil
}

// ListSessions implements [store.Sessions].
func (s *Store) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	own := d.sortedSessions(userID)
	list := make([]store.Session, 0, len(own))
	for _, sess := range own {
		list = append(list, *sess)
	}
	return list, nil
}

// RotateRefreshToken implements [store.Sessions]: the whole step runs under
// the store's lock.
func (s *Store) RotateRefreshToken(ctx context.Context, presented, nextDigest string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	if grace < 0 {
		return nil, nil, 0, invalid("negative grace period")
	}
	if err := store.ValidateDigest(nextDigest); err != nil {
		return nil, nil, 0, err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	defer s.mu.Unlock()
	t, ok := d.refresh[presented]
	if !ok {
		return nil, nil, 0, store.ErrNotFound
	}
	sess := d.sessions[t.SessionID]
	u := d.users[sess.UserID]
	if !sess.Live(now) {
		d.deleteSession(sess.ID)
		return nil, nil, 0, store.ErrNotFound
	}
	switch {
	case t.Seq == sess.RefreshSeq:
		if _, ok := d.refresh[nextDigest]; ok {
			return nil, nil, 0, fmt.Errorf("%w: refresh token digest exists", store.ErrConflict)
		}
		at := store.StorageTime(now)
		t.SpentAt = at
		sess.RefreshSeq++
		sess.LastUsedAt = at
		d.putRefresh(&store.RefreshToken{Digest: nextDigest, SessionID: sess.ID, Seq: sess.RefreshSeq, CreatedAt: at})
		d.hub.publish(store.ChangeSession, sess.ID)
		return cloneSession(sess), cloneUser(u), store.Rotated, nil
	case t.Seq == sess.RefreshSeq-1 && now.Sub(t.SpentAt) <= grace:
		return cloneSession(sess), cloneUser(u), store.RotationGrace, nil
	}
	out := cloneSession(sess)
	d.deleteSession(sess.ID)
	return out, cloneUser(u), store.RotationReused, nil
}

// DeleteSession implements [store.Sessions].
func (s *Store) DeleteSession(ctx context.Context, userID, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	sess, ok := d.sessions[id]
	if !ok || sess.UserID != userID {
		return store.ErrNotFound
	}
	d.deleteSession(id)
	return nil
}

// DeleteUserSessions implements [store.Sessions].
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	d, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return d.deleteUserSessions(userID), nil
}

func (d *data) deleteUserSessions(userID string) int {
	n := 0
	for id := range d.userSessions[userID] {
		d.deleteSession(id)
		n++
	}
	return n
}

var _ store.SessionCounter = (*Store)(nil)

// CountLiveSessions implements [store.SessionCounter]: a scan of every
// session under the read lock, linear in their number (memstore's scale).
func (s *Store) CountLiveSessions(ctx context.Context, now time.Time) (int, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	n := 0
	for _, sess := range d.sessions {
		if u := d.users[sess.UserID]; u != nil && !u.Disabled && u.Generation == sess.Generation && sess.Live(now) {
			n++
		}
	}
	return n, nil
}

// DeleteExpiredSessions implements [store.Sessions].
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	for id, sess := range d.sessions {
		if !sess.Live(now) {
			d.deleteSession(id)
		}
	}
	return nil
}
