package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/latchkit/latch/store"
)

// PutPendingTOTP implements [store.TOTP].
func (s *Store) PutPendingTOTP(ctx context.Context, c *store.TOTPCredential) error {
	if c == nil {
		return invalid("nil credential")
	}
	if err := store.ValidateTOTP(c); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[c.UserID]; !ok {
		return store.ErrNotFound
	}
	d.pending[c.UserID] = cloneTOTP(c)
	return nil
}

// PendingTOTP implements [store.TOTP].
func (s *Store) PendingTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	return s.getTOTP(ctx, userID, false)
}

// ActiveTOTP implements [store.TOTP].
func (s *Store) ActiveTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	return s.getTOTP(ctx, userID, true)
}

func (s *Store) getTOTP(ctx context.Context, userID string, active bool) (*store.TOTPCredential, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	m := d.pending
	if active {
		m = d.totp
	}
	c, ok := m[userID]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneTOTP(c), nil
}

// ActivateTOTP implements [store.TOTP]. When a credential is active and
// nothing is pending it returns ErrConflict.
func (s *Store) ActivateTOTP(ctx context.Context, userID string, secret []byte, lastStep int64, recoveryDigests []string, at time.Time) error {
	if lastStep < 0 {
		return invalid("negative step")
	}
	if err := store.ValidateDigests(recoveryDigests); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.totp[userID]; ok {
		return fmt.Errorf("%w: totp already active", store.ErrConflict)
	}
	p, ok := d.pending[userID]
	if !ok || !bytes.Equal(p.Secret, secret) {
		return store.ErrNotFound
	}
	c := cloneTOTP(p)
	c.LastStep = lastStep
	c.CreatedAt = store.StorageTime(at)
	d.totp[userID] = c
	delete(d.pending, userID)
	d.setCodes(userID, recoveryDigests)
	return nil
}

// AdvanceTOTPStep implements [store.TOTP].
func (s *Store) AdvanceTOTPStep(ctx context.Context, userID string, step int64) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	c, ok := d.totp[userID]
	if !ok {
		return store.ErrNotFound
	}
	if step <= c.LastStep {
		return fmt.Errorf("%w: step already used", store.ErrConflict)
	}
	c.LastStep = step
	return nil
}

// DeleteTOTP implements [store.TOTP]. When nothing is active only the
// pending enrollment is removed; recovery codes stay.
func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(d.pending, userID)
	if _, ok := d.totp[userID]; !ok {
		return store.ErrNotFound
	}
	delete(d.totp, userID)
	delete(d.codes, userID)
	return nil
}
