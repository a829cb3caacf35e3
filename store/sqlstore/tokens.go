package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchkit/latch/store"
)

const tokenCols = `id, user_id, name, prefix, digest, permissions, created_at, expires_at, last_used_at`

// tokenRow receives the columns of tokenCols.
type tokenRow struct {
	t                         store.APIToken
	perms                     string
	created, expires, lastUse int64
}

func (r *tokenRow) dest() []any {
	return []any{&r.t.ID, &r.t.UserID, &r.t.Name, &r.t.Prefix, &r.t.Digest, &r.perms, &r.created, &r.expires, &r.lastUse}
}

func (r *tokenRow) record() (*store.APIToken, error) {
	var err error
	if r.t.Permissions, err = decodeList(r.perms); err != nil {
		return nil, err
	}
	r.t.CreatedAt = fromMicros(r.created)
	r.t.ExpiresAt = fromMicros(r.expires)
	r.t.LastUsedAt = fromMicros(r.lastUse)
	return &r.t, nil
}

func scanToken(sc scanner) (*store.APIToken, error) {
	var r tokenRow
	if err := sc.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.record()
}

// tokenWithOwnerQuery reads a token by digest joined with its owner: the
// columns of tokenCols, then those of userCols.
var tokenWithOwnerQuery = `SELECT ` + qualified("t", tokenCols) + `, ` + qualified("u", userCols) +
	` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = $1`

// qualified prefixes each column of the comma-separated list cols with
// the table alias.
func qualified(alias, cols string) string {
	list := strings.Split(cols, ",")
	for i, c := range list {
		list[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(list, ", ")
}

// tokenArgs validates t and returns the values of tokenCols.
func tokenArgs(t *store.APIToken) ([]any, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil token", store.ErrInvalid)
	}
	if err := store.ValidateAPIToken(t); err != nil {
		return nil, err
	}
	var ta timeArgs
	created := ta.at("created_at", t.CreatedAt)
	expires := ta.at("expires_at", t.ExpiresAt)
	lastUse := ta.at("last_used_at", t.LastUsedAt)
	if ta.err != nil {
		return nil, ta.err
	}
	return []any{t.ID, t.UserID, t.Name, t.Prefix, t.Digest, encodeList(t.Permissions), created, expires, lastUse}, nil
}

// lockUser locks the user's row until the transaction ends (SQLite's
// immediate transactions already hold the database's write lock) and
// returns sql.ErrNoRows if there is no such user.
func (s *Store) lockUser(ctx context.Context, c conn, userID string) error {
	q := `SELECT 1 FROM users WHERE id = $1`
	if s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var one int
	return c.row(ctx, q, userID).Scan(&one)
}

// CreateAPIToken implements [store.APITokens]. With a cap, the owner's row
// is locked (PostgreSQL SELECT ... FOR UPDATE, SQLite BEGIN IMMEDIATE)
// before the count, so concurrent creations are serialised per owner.
func (s *Store) CreateAPIToken(ctx context.Context, t *store.APIToken, maxPerUser int) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := tokenArgs(t)
	if err != nil {
		return err
	}
	const insert = `INSERT INTO api_tokens (` + tokenCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	if maxPerUser <= 0 {
		err = s.write(ctx, func(c conn) error {
			_, err := c.exec(ctx, insert, args...)
			return err
		})
	} else {
		err = s.tx(ctx, func(c conn) error {
			if err := s.lockUser(ctx, c, t.UserID); err != nil {
				return err
			}
			var n int
			if err := c.row(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = $1`, t.UserID).Scan(&n); err != nil {
				return err
			}
			if n >= maxPerUser {
				return store.ErrLimitReached
			}
			_, err := c.exec(ctx, insert, args...)
			return err
		})
	}
	return s.fail(ctx, err)
}

// APITokenByDigest implements [store.APITokens]: one read of the unique
// index on digest, through a prepared statement.
func (s *Store) APITokenByDigest(ctx context.Context, digest string) (*store.APIToken, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validKey(digest, store.MaxDigestLen) {
		return nil, store.ErrNotFound
	}
	t, err := scanToken(s.reader().row(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE digest = $1`, digest))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return t, nil
}

// APITokenWithOwner implements [store.APITokens] with one statement: the
// token's digest index, then the owner's primary key.
func (s *Store) APITokenWithOwner(ctx context.Context, digest string) (*store.APIToken, *store.User, error) {
	if err := s.check(ctx); err != nil {
		return nil, nil, err
	}
	if !validKey(digest, store.MaxDigestLen) {
		return nil, nil, store.ErrNotFound
	}
	var tr tokenRow
	var ur userRow
	if err := s.reader().row(ctx, tokenWithOwnerQuery, digest).Scan(append(tr.dest(), ur.dest()...)...); err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	t, err := tr.record()
	if err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	u, err := ur.record()
	if err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	return t, u, nil
}

// ListAPITokens implements [store.APITokens]: oldest first, ties broken
// by ID.
func (s *Store) ListAPITokens(ctx context.Context, userID string) ([]store.APIToken, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	tokens := []store.APIToken{}
	if !validKey(userID, store.MaxIDLen) {
		return tokens, nil
	}
	rows, err := s.reader().query(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		tokens = append(tokens, *t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return tokens, nil
}

// DeleteAPIToken implements [store.APITokens].
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) || !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID))
	})
	return s.fail(ctx, err)
}

// TouchAPIToken implements [store.APITokens].
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	v, err := storedMicros("last_used_at", at)
	if err != nil {
		return err
	}
	if !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err = s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `UPDATE api_tokens
SET last_used_at = CASE WHEN last_used_at < $2 THEN $2 ELSE last_used_at END WHERE id = $1`, id, v))
	})
	return s.fail(ctx, err)
}

// errNoRows reports whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
