package memstore

import (
	"context"
	"time"

	"github.com/latchkit/latch/store"
)

// RevokeToken implements [store.Revocations]. The jti must pass
// [store.ValidateID]. Revoking again keeps the later expiry.
func (s *Store) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	if err := store.ValidateID(jti); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	expiresAt = store.StorageTime(expiresAt)
	if old, ok := d.revoked[jti]; !ok || expiresAt.After(old) {
		d.revoked[jti] = expiresAt
		d.hub.publish(store.ChangeRevocation, jti)
	}
	return nil
}

// IsRevoked implements [store.Revocations].
func (s *Store) IsRevoked(ctx context.Context, jti string) (bool, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return false, err
	}
	defer s.mu.RUnlock()
	_, ok := d.revoked[jti]
	return ok, nil
}

// DeleteExpiredRevocations implements [store.Revocations].
func (s *Store) DeleteExpiredRevocations(ctx context.Context, now time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	for jti, exp := range d.revoked {
		if !exp.After(now) {
			delete(d.revoked, jti)
		}
	}
	return nil
}
