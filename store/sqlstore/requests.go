package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/latchkit/latch/store"
)

const requestCols = `id, kind, COALESCE(user_id, ''), email, code_digest, attempts, email_verified,
	second_factor_verified, generation, created_at, expires_at`

func scanRequest(sc scanner) (*store.Request, error) {
	var (
		r                store.Request
		created, expires int64
	)
	if err := sc.Scan(&r.ID, &r.Kind, &r.UserID, &r.Email, &r.CodeDigest, &r.Attempts, &r.EmailVerified,
		&r.SecondFactorVerified, &r.Generation, &created, &expires); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicros(created)
	r.ExpiresAt = fromMicros(expires)
	return &r, nil
}

// CreateRequest implements [store.Requests]. A request without a user
// stores NULL, which the foreign key lets through.
func (s *Store) CreateRequest(ctx context.Context, r *store.Request) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("%w: nil request", store.ErrInvalid)
	}
	if err := store.ValidateRequest(r); err != nil {
		return err
	}
	var ta timeArgs
	created := ta.at("created_at", r.CreatedAt)
	expires := ta.at("expires_at", r.ExpiresAt)
	if ta.err != nil {
		return ta.err
	}
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO requests (id, kind, user_id, email, code_digest, attempts, email_verified,
	second_factor_verified, generation, created_at, expires_at)
VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.ID, r.Kind, r.UserID, r.Email, r.CodeDigest, r.Attempts, r.EmailVerified, r.SecondFactorVerified,
			r.Generation, created, expires)
		return err
	})
	return s.fail(ctx, err)
}

// Request implements [store.Requests].
func (s *Store) Request(ctx context.Context, id string) (*store.Request, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validKey(id, store.MaxIDLen) {
		return nil, store.ErrNotFound
	}
	r, err := scanRequest(s.reader().row(ctx, `SELECT `+requestCols+` FROM requests WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return r, nil
}

// FailRequestAttempt implements [store.Requests] (a max below 1 is
// ErrInvalid) in one transaction: the
// UPDATE ... RETURNING locks the row (concurrent calls wait and then see
// the new count, or no row once it is deleted), and the DELETE at max
// follows before the lock is released.
func (s *Store) FailRequestAttempt(ctx context.Context, id string, max int) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if max < 1 {
		return 0, fmt.Errorf("%w: max attempts must be at least 1", store.ErrInvalid)
	}
	if !validKey(id, store.MaxIDLen) {
		return 0, store.ErrNotFound
	}
	var attempts int
	err := s.tx(ctx, func(c conn) error {
		if err := c.row(ctx, `UPDATE requests SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, id).Scan(&attempts); err != nil {
			return err
		}
		if attempts >= max {
			// A request stored with more attempts than this max still
			// reports max: the count never passes it.
			attempts = max
			_, err := c.exec(ctx, `DELETE FROM requests WHERE id = $1`, id)
			return err
		}
		return nil
	})
	if err != nil {
		return 0, s.fail(ctx, err)
	}
	return attempts, nil
}

// MarkRequestVerified implements [store.Requests].
func (s *Store) MarkRequestVerified(ctx context.Context, id string, step store.Verification) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	email, secondFactor, err := store.VerificationFlags(step)
	if err != nil {
		return err
	}
	if !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err = s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `UPDATE requests SET email_verified = (email_verified OR $2),
	second_factor_verified = (second_factor_verified OR $3) WHERE id = $1`, id, email, secondFactor))
	})
	return s.fail(ctx, err)
}

// DeleteRequest implements [store.Requests] with one DELETE: of concurrent
// calls only one deletes the row.
func (s *Store) DeleteRequest(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `DELETE FROM requests WHERE id = $1`, id))
	})
	return s.fail(ctx, err)
}

// DeleteExpiredRequests implements [store.Requests].
func (s *Store) DeleteExpiredRequests(ctx context.Context, now time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `DELETE FROM requests WHERE expires_at <= $1`, micros(now))
		return err
	})
	return s.fail(ctx, err)
}
