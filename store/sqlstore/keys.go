package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/latchkit/latch/store"
)

// keyArgs validates k and returns the values of its columns.
func keyArgs(k *store.SigningKey) ([]any, error) {
	if k == nil {
		return nil, fmt.Errorf("%w: nil key", store.ErrInvalid)
	}
	if err := store.ValidateSigningKey(k); err != nil {
		return nil, err
	}
	created, err := storedMicros("created_at", k.CreatedAt)
	if err != nil {
		return nil, err
	}
	return []any{k.ID, k.Sealed, created}, nil
}

// AddSigningKey implements [store.SigningKeys].
func (s *Store) AddSigningKey(ctx context.Context, k *store.SigningKey) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := keyArgs(k)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO signing_keys (id, sealed, created_at) VALUES ($1, $2, $3)`, args...)
		return err
	})
	return s.fail(ctx, err)
}

// SigningKeys implements [store.SigningKeys].
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	keys, err := signingKeys(ctx, s.reader(), `ORDER BY created_at, id`)
	return keys, s.fail(ctx, err)
}

func signingKeys(ctx context.Context, c conn, order string) ([]store.SigningKey, error) {
	rows, err := c.query(ctx, `SELECT id, sealed, created_at FROM signing_keys `+order)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []store.SigningKey{}
	for rows.Next() {
		var (
			k       store.SigningKey
			created int64
		)
		if err := rows.Scan(&k.ID, &k.Sealed, &created); err != nil {
			return nil, err
		}
		k.CreatedAt = fromMicros(created)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return keys, nil
}

// DeleteSigningKey implements [store.SigningKeys].
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `DELETE FROM signing_keys WHERE id = $1`, id))
	})
	return s.fail(ctx, err)
}

// ResetSigningKeys implements [store.SigningKeys] in one transaction. On
// PostgreSQL it locks the table against other writers first, so two
// concurrent resets leave one key, not two.
func (s *Store) ResetSigningKeys(ctx context.Context, k *store.SigningKey) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := keyArgs(k)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(c conn) error {
		if s.dialect == Postgres {
			if _, err := c.exec(ctx, `LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, `DELETE FROM signing_keys`); err != nil {
			return err
		}
		_, err := c.exec(ctx, `INSERT INTO signing_keys (id, sealed, created_at) VALUES ($1, $2, $3)`, args...)
		return err
	})
	return s.fail(ctx, err)
}

// RevokeToken implements [store.Revocations]. Revoking again keeps the
// later expiry. A jti that is not a valid ID is ErrInvalid.
func (s *Store) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := store.ValidateID(jti); err != nil {
		return err
	}
	exp, err := storedMicros("expires_at", expiresAt)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO revocations (jti, expires_at) VALUES ($1, $2)
ON CONFLICT (jti) DO UPDATE SET expires_at = CASE WHEN excluded.expires_at > revocations.expires_at
	THEN excluded.expires_at ELSE revocations.expires_at END`, jti, exp)
		return err
	})
	return s.fail(ctx, err)
}

// IsRevoked implements [store.Revocations].
func (s *Store) IsRevoked(ctx context.Context, jti string) (bool, error) {
	if err := s.check(ctx); err != nil {
		return false, err
	}
	if !validKey(jti, store.MaxIDLen) {
		return false, nil
	}
	var one int
	err := s.reader().row(ctx, `SELECT 1 FROM revocations WHERE jti = $1`, jti).Scan(&one)
	if errNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, s.fail(ctx, err)
	}
	return true, nil
}

// DeleteExpiredRevocations implements [store.Revocations].
func (s *Store) DeleteExpiredRevocations(ctx context.Context, now time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	err := s.write(ctx, func(c conn) error {
		if _, err := c.exec(ctx, `DELETE FROM revocations WHERE expires_at <= $1`, micros(now)); err != nil {
			return err
		}
		return s.pruneChanges(ctx, c)
	})
	return s.fail(ctx, err)
}
