package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/latchkit/latch/store"
)

const userCols = `id, username, email, email_verified, role, permissions, allowed_ips, disabled,
	password_hash, generation, created_at, updated_at, last_login_at, version`

// userRow receives the columns of userCols.
type userRow struct {
	u                           store.User
	perms, ips                  string
	created, updated, lastLogin int64
}

func (r *userRow) dest() []any {
	return []any{&r.u.ID, &r.u.Username, &r.u.Email, &r.u.EmailVerified, &r.u.Role, &r.perms, &r.ips, &r.u.Disabled,
		&r.u.PasswordHash, &r.u.Generation, &r.created, &r.updated, &r.lastLogin, &r.u.Version}
}

func (r *userRow) record() (*store.User, error) {
	var err error
	if r.u.Permissions, err = decodeList(r.perms); err != nil {
		return nil, err
	}
	if r.u.AllowedIPs, err = decodeList(r.ips); err != nil {
		return nil, err
	}
	r.u.CreatedAt = fromMicros(r.created)
	r.u.UpdatedAt = fromMicros(r.updated)
	r.u.LastLoginAt = fromMicros(r.lastLogin)
	return &r.u, nil
}

func scanUser(sc scanner) (*store.User, error) {
	var r userRow
	if err := sc.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.record()
}

// userArgs returns the values of every column of u, in the order of
// userCols (with version as given) and the folded username and email
// appended.
func userArgs(u *store.User) ([]any, error) {
	if u == nil {
		return nil, fmt.Errorf("%w: nil user", store.ErrInvalid)
	}
	if err := store.ValidateUser(u); err != nil {
		return nil, err
	}
	var ta timeArgs
	created := ta.at("created_at", u.CreatedAt)
	updated := ta.at("updated_at", u.UpdatedAt)
	lastLogin := ta.at("last_login_at", u.LastLoginAt)
	if ta.err != nil {
		return nil, ta.err
	}
	return []any{u.ID, u.Username, u.Email, u.EmailVerified, u.Role, encodeList(u.Permissions),
		encodeList(u.AllowedIPs), u.Disabled, u.PasswordHash, u.Generation, created, updated, lastLogin,
		u.Version, store.FoldIdentifier(u.Username), store.FoldIdentifier(u.Email)}, nil
}

// insertUserQuery inserts the values of userArgs.
const insertUserQuery = `INSERT INTO users (` + userCols + `, username_fold, email_fold)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`

// putIdentifiers records the user's folded username and email in the one
// namespace of identifiers (replacing what it had), so that no identifier
// can reach two users: the primary key refuses the second, whichever
// transaction commits first.
func putIdentifiers(ctx context.Context, c conn, id, username, email string) error {
	if _, err := c.exec(ctx, `DELETE FROM user_identifiers WHERE user_id = $1`, id); err != nil {
		return err
	}
	uf, ef := store.FoldIdentifier(username), store.FoldIdentifier(email)
	if _, err := c.exec(ctx, `INSERT INTO user_identifiers (ident, user_id) VALUES ($1, $2)`, uf, id); err != nil {
		if class, _ := classify(err); class == errUnique {
			return store.ErrUsernameTaken
		}
		return err
	}
	if ef == "" || ef == uf {
		return nil
	}
	if _, err := c.exec(ctx, `INSERT INTO user_identifiers (ident, user_id) VALUES ($1, $2)`, ef, id); err != nil {
		if class, _ := classify(err); class == errUnique {
			return store.ErrEmailTaken
		}
		return err
	}
	return nil
}

// CreateUser implements [store.Users].
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	args[13] = int64(1) // version
	err = s.tx(ctx, func(c conn) error {
		if _, err := c.exec(ctx, insertUserQuery, args...); err != nil {
			return err
		}
		return putIdentifiers(ctx, c, u.ID, u.Username, u.Email)
	})
	if err = s.fail(ctx, err); err == nil {
		u.Version = 1
	}
	return err
}

// User implements [store.Users].
func (s *Store) User(ctx context.Context, id string) (*store.User, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validKey(id, store.MaxIDLen) {
		return nil, store.ErrNotFound
	}
	return s.userBy(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id)
}

// UserByUsername implements [store.Users]. It is one read of the unique
// index on the folded username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	key, ok := store.LookupKey(username, store.MaxUsernameLen)
	if !ok {
		return nil, store.ErrNotFound
	}
	return s.userBy(ctx, `SELECT `+userCols+` FROM users WHERE username_fold = $1`, key)
}

// UserByEmail implements [store.Users]. It is one read of the unique index
// on the folded email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	key, ok := store.LookupKey(email, store.MaxEmailLen)
	if !ok {
		return nil, store.ErrNotFound
	}
	return s.userBy(ctx, `SELECT `+userCols+` FROM users WHERE email_fold = $1 AND email_fold <> ''`, key)
}

func (s *Store) userBy(ctx context.Context, query, key string) (*store.User, error) {
	u, err := scanUser(s.reader().row(ctx, query, key))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return u, nil
}

// UpdateUser implements [store.Users]: one conditional UPDATE on the
// version, and the identifiers rewritten in the same transaction.
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	if !validKey(u.ID, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err = s.tx(ctx, func(c conn) error {
		err := affected(c.exec(ctx, `UPDATE users SET username = $2, email = $3, email_verified = $4, role = $5,
	permissions = $6, allowed_ips = $7, disabled = $8, password_hash = $9, generation = $10,
	updated_at = $11, username_fold = $12, email_fold = $13, version = version + 1
WHERE id = $1 AND version = $14`, u.ID, args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8],
			args[9], args[11], args[14], args[15], u.Version))
		if err == store.ErrNotFound {
			var one int
			if err := c.row(ctx, `SELECT 1 FROM users WHERE id = $1`, u.ID).Scan(&one); err != nil {
				return err // sql.ErrNoRows: no such user
			}
			return store.ErrStale
		}
		if err != nil {
			return err
		}
		return putIdentifiers(ctx, c, u.ID, u.Username, u.Email)
	})
	if err = s.fail(ctx, err); err == nil {
		u.Version++
	}
	return err
}

// SwapPasswordHash implements [store.Users].
func (s *Store) SwapPasswordHash(ctx context.Context, id, oldHash, newHash string, updatedAt time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validText(newHash, store.MaxPasswordHashLen) {
		return fmt.Errorf("%w: password_hash is too long, not UTF-8 or contains NUL", store.ErrInvalid)
	}
	at, err := storedMicros("updated_at", updatedAt)
	if err != nil {
		return err
	}
	if !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	// An oldHash that could not be stored matches no user.
	comparable := validText(oldHash, store.MaxPasswordHashLen)
	err = s.tx(ctx, func(c conn) error {
		if comparable {
			err := affected(c.exec(ctx, `UPDATE users SET password_hash = $3, updated_at = $4, version = version + 1
WHERE id = $1 AND password_hash = $2`, id, oldHash, newHash, at))
			if err != store.ErrNotFound {
				return err
			}
		}
		var one int
		if err := c.row(ctx, `SELECT 1 FROM users WHERE id = $1`, id).Scan(&one); err != nil {
			return err // sql.ErrNoRows: no such user
		}
		return store.ErrConflict
	})
	return s.fail(ctx, err)
}

// SetLastLogin implements [store.Users].
func (s *Store) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	v, err := storedMicros("last_login_at", at)
	if err != nil {
		return err
	}
	if !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err = s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `UPDATE users SET last_login_at = $2 WHERE id = $1`, id, v))
	})
	return s.fail(ctx, err)
}

// DeleteUser implements [store.Users]. The user's API tokens, TOTP
// credentials, recovery codes, requests, sessions and refresh tokens,
// passkeys and passkey handle go with it (ON DELETE CASCADE).
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `DELETE FROM users WHERE id = $1`, id))
	})
	return s.fail(ctx, err)
}

// ListUsers implements [store.Users]: users in ID order (byte order),
// after the ID the cursor holds, so the listing is stable under inserts
// and deletes.
func (s *Store) ListUsers(ctx context.Context, limit int, cursor string) ([]store.User, string, error) {
	if err := s.check(ctx); err != nil {
		return nil, "", err
	}
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
	rows, err := s.reader().query(ctx, `SELECT `+userCols+` FROM users WHERE id > $1 ORDER BY id LIMIT $2`, after, limit+1)
	if err != nil {
		return nil, "", s.fail(ctx, err)
	}
	defer rows.Close()
	users := make([]store.User, 0, min(limit, 64))
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, "", s.fail(ctx, err)
		}
		users = append(users, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, "", s.fail(ctx, err)
	}
	next := ""
	if len(users) > limit {
		users = users[:limit]
		next = store.EncodeCursor(users[limit-1].ID)
	}
	return users, next, nil
}

// CreateUsers implements [store.Users]: one transaction, each user in a
// savepoint of its own, so a user the store refuses leaves the others.
func (s *Store) CreateUsers(ctx context.Context, users []*store.User) ([]error, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	args := make([][]any, len(users))
	var errs []error
	first := make([]error, len(users))
	for i, u := range users {
		a, err := userArgs(u)
		if err != nil {
			first[i] = err
			continue
		}
		a[13] = int64(1) // version
		args[i] = a
	}
	err := s.tx(ctx, func(c conn) error {
		errs = slices.Clone(first)
		for i, u := range users {
			if args[i] == nil {
				continue
			}
			if _, err := c.exec(ctx, `SAVEPOINT latch_user`); err != nil {
				return err
			}
			err := func() error {
				if _, err := c.exec(ctx, insertUserQuery, args[i]...); err != nil {
					return err
				}
				return putIdentifiers(ctx, c, u.ID, u.Username, u.Email)
			}()
			if err != nil {
				if class, _ := classify(err); class != errUnique && !errors.Is(err, store.ErrConflict) {
					return err
				}
				if _, rerr := c.exec(ctx, `ROLLBACK TO SAVEPOINT latch_user`); rerr != nil {
					return rerr
				}
				errs[i] = s.fail(ctx, err)
			}
			if _, err := c.exec(ctx, `RELEASE SAVEPOINT latch_user`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	for i, u := range users {
		if errs[i] == nil {
			u.Version = 1
		}
	}
	return errs, nil
}
