package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/latchkit/latch/store"
)

// CreateRequest implements [store.Requests]. It returns ErrInvalid for a
// record [store.ValidateRequest] refuses.
func (s *Store) CreateRequest(ctx context.Context, r *store.Request) error {
	if r == nil {
		return invalid("nil request")
	}
	if err := store.ValidateRequest(r); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.requests[r.ID]; ok {
		return fmt.Errorf("%w: request id exists", store.ErrConflict)
	}
	if r.UserID != "" {
		if _, ok := d.users[r.UserID]; !ok {
			return fmt.Errorf("%w: no such user", store.ErrNotFound)
		}
	}
	d.requests[r.ID] = cloneRequest(r)
	return nil
}

// Request implements [store.Requests].
func (s *Store) Request(ctx context.Context, id string) (*store.Request, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	r, ok := d.requests[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneRequest(r), nil
}

// FailRequestAttempt implements [store.Requests]. A max below 1 is
// ErrInvalid.
func (s *Store) FailRequestAttempt(ctx context.Context, id string, max int) (int, error) {
	if max < 1 {
		return 0, invalid("max attempts must be at least 1")
	}
	d, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	r, ok := d.requests[id]
	if !ok {
		return 0, store.ErrNotFound
	}
	n := min(r.Attempts+1, max)
	if n >= max {
		delete(d.requests, id)
		return n, nil
	}
	r.Attempts = n
	return n, nil
}

// MarkRequestVerified implements [store.Requests].
func (s *Store) MarkRequestVerified(ctx context.Context, id string, step store.Verification) error {
	email, secondFactor, err := store.VerificationFlags(step)
	if err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	r, ok := d.requests[id]
	if !ok {
		return store.ErrNotFound
	}
	r.EmailVerified = r.EmailVerified || email
	r.SecondFactorVerified = r.SecondFactorVerified || secondFactor
	return nil
}

// DeleteRequest implements [store.Requests].
func (s *Store) DeleteRequest(ctx context.Context, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.requests[id]; !ok {
		return store.ErrNotFound
	}
	delete(d.requests, id)
	return nil
}

// DeleteExpiredRequests implements [store.Requests]. A request with a zero
// ExpiresAt counts as expired.
func (s *Store) DeleteExpiredRequests(ctx context.Context, now time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	for id, r := range d.requests {
		if !r.ExpiresAt.After(now) {
			delete(d.requests, id)
		}
	}
	return nil
}
