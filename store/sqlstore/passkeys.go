package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/latchkit/latch/store"
)

const passkeyCols = `id, user_id, credential_id, public_key, sign_count, aaguid, transports, backup_eligible,
	backup_state, attestation_format, name, created_at, last_used_at`

// passkeyRow receives the columns of passkeyCols.
type passkeyRow struct {
	c                 store.PasskeyCredential
	signCount         int64
	transports        string
	created, lastUsed int64
}

func (r *passkeyRow) dest() []any {
	return []any{&r.c.ID, &r.c.UserID, &r.c.CredentialID, &r.c.PublicKey, &r.signCount, &r.c.AAGUID, &r.transports,
		&r.c.BackupEligible, &r.c.BackupState, &r.c.AttestationFormat, &r.c.Name, &r.created, &r.lastUsed}
}

func (r *passkeyRow) record() (*store.PasskeyCredential, error) {
	var err error
	if r.c.Transports, err = decodeList(r.transports); err != nil {
		return nil, err
	}
	if r.signCount < 0 || r.signCount > 1<<32-1 {
		return nil, fmt.Errorf("sqlstore: corrupt sign_count %d", r.signCount)
	}
	r.c.SignCount = uint32(r.signCount)
	if len(r.c.AAGUID) == 0 {
		r.c.AAGUID = nil
	}
	r.c.CreatedAt = fromMicros(r.created)
	r.c.LastUsedAt = fromMicros(r.lastUsed)
	return &r.c, nil
}

func scanPasskey(sc scanner) (*store.PasskeyCredential, error) {
	var r passkeyRow
	if err := sc.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.record()
}

// passkeyArgs validates c and returns the values of passkeyCols.
func passkeyArgs(c *store.PasskeyCredential) ([]any, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: nil passkey", store.ErrInvalid)
	}
	if err := store.ValidatePasskey(c); err != nil {
		return nil, err
	}
	var ta timeArgs
	created := ta.at("created_at", c.CreatedAt)
	lastUsed := ta.at("last_used_at", c.LastUsedAt)
	if ta.err != nil {
		return nil, ta.err
	}
	aaguid := c.AAGUID
	if aaguid == nil {
		aaguid = []byte{} // a nil []byte would be NULL
	}
	return []any{c.ID, c.UserID, c.CredentialID, c.PublicKey, int64(c.SignCount), aaguid, encodeList(c.Transports),
		c.BackupEligible, c.BackupState, c.AttestationFormat, c.Name, created, lastUsed}, nil
}

const insertPasskeyQuery = `INSERT INTO passkeys (` + passkeyCols + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`

// validBytes reports whether b can be a stored key of at most max bytes:
// non-empty. Lookups by any other value find nothing without a query.
func validBytes(b []byte, max int) bool { return len(b) > 0 && len(b) <= max }

// CreatePasskey implements [store.Passkeys]. With a cap, the owner's row
// is locked (PostgreSQL SELECT ... FOR UPDATE, SQLite BEGIN IMMEDIATE)
// before the count, so concurrent creations are serialised per owner.
func (s *Store) CreatePasskey(ctx context.Context, c *store.PasskeyCredential, maxPerUser int) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := passkeyArgs(c)
	if err != nil {
		return err
	}
	if maxPerUser <= 0 {
		err = s.write(ctx, func(w conn) error {
			_, err := w.exec(ctx, insertPasskeyQuery, args...)
			return err
		})
	} else {
		err = s.tx(ctx, func(w conn) error {
			if err := s.lockUser(ctx, w, c.UserID); err != nil {
				return err
			}
			var n int
			if err := w.row(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = $1`, c.UserID).Scan(&n); err != nil {
				return err
			}
			if n >= maxPerUser {
				return store.ErrLimitReached
			}
			_, err := w.exec(ctx, insertPasskeyQuery, args...)
			return err
		})
	}
	return s.fail(ctx, err)
}

// Passkey implements [store.Passkeys].
func (s *Store) Passkey(ctx context.Context, userID, id string) (*store.PasskeyCredential, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validKey(userID, store.MaxIDLen) || !validKey(id, store.MaxIDLen) {
		return nil, store.ErrNotFound
	}
	c, err := scanPasskey(s.reader().row(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return c, nil
}

// passkeyWithOwnerQuery reads a passkey by credential ID joined with its
// user: the columns of passkeyCols, then those of userCols.
var passkeyWithOwnerQuery = `SELECT ` + qualified("p", passkeyCols) + `, ` + qualified("u", userCols) +
	` FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.credential_id = $1`

// PasskeyByCredentialID implements [store.Passkeys] with one statement:
// the unique index on credential_id, then the user's primary key.
func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*store.PasskeyCredential, *store.User, error) {
	if err := s.check(ctx); err != nil {
		return nil, nil, err
	}
	if !validBytes(credentialID, store.MaxCredentialIDLen) {
		return nil, nil, store.ErrNotFound
	}
	var pr passkeyRow
	var ur userRow
	if err := s.reader().row(ctx, passkeyWithOwnerQuery, credentialID).Scan(append(pr.dest(), ur.dest()...)...); err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	c, err := pr.record()
	if err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	u, err := ur.record()
	if err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	return c, u, nil
}

// ListPasskeys implements [store.Passkeys]: oldest first, ties broken by
// ID, through the index on (user_id, created_at, id).
func (s *Store) ListPasskeys(ctx context.Context, userID string) ([]store.PasskeyCredential, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	list := []store.PasskeyCredential{}
	if !validKey(userID, store.MaxIDLen) {
		return list, nil
	}
	rows, err := s.reader().query(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanPasskey(rows)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		list = append(list, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return list, nil
}

// RenamePasskey implements [store.Passkeys].
func (s *Store) RenamePasskey(ctx context.Context, userID, id, name string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := store.ValidatePasskeyName(name); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) || !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `UPDATE passkeys SET name = $3 WHERE id = $1 AND user_id = $2`, id, userID, name))
	})
	return s.fail(ctx, err)
}

// RecordPasskeyUse implements [store.Passkeys] with one conditional UPDATE
// on the signature counter: the row lock it takes makes concurrent calls
// with the same oldCount see each other's write, so exactly one changes
// the row.
func (s *Store) RecordPasskeyUse(ctx context.Context, id string, oldCount, newCount uint32, backupState bool, at time.Time) error {
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
		err := affected(c.exec(ctx, `UPDATE passkeys SET sign_count = $3, backup_state = $4, last_used_at = $5
WHERE id = $1 AND sign_count = $2`, id, int64(oldCount), int64(newCount), backupState, v))
		if err != store.ErrNotFound {
			return err
		}
		var one int
		if err := c.row(ctx, `SELECT 1 FROM passkeys WHERE id = $1`, id).Scan(&one); err != nil {
			return err
		}
		return store.ErrConflict
	})
	return s.fail(ctx, err)
}

// DeletePasskey implements [store.Passkeys].
func (s *Store) DeletePasskey(ctx context.Context, userID, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) || !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `DELETE FROM passkeys WHERE id = $1 AND user_id = $2`, id, userID))
	})
	return s.fail(ctx, err)
}

// SetPasskeyHandle implements [store.Passkeys] with one INSERT: the
// primary key on user_id refuses a second handle for the user, the unique
// index on handle a handle another user has, whichever commits first.
func (s *Store) SetPasskeyHandle(ctx context.Context, userID string, handle []byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := store.ValidatePasskeyHandle(handle); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO passkey_handles (user_id, handle) VALUES ($1, $2)`, userID, handle)
		return err
	})
	return s.fail(ctx, err)
}

// PasskeyHandle implements [store.Passkeys].
func (s *Store) PasskeyHandle(ctx context.Context, userID string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validKey(userID, store.MaxIDLen) {
		return nil, store.ErrNotFound
	}
	var h []byte
	if err := s.reader().row(ctx, `SELECT handle FROM passkey_handles WHERE user_id = $1`, userID).Scan(&h); err != nil {
		return nil, s.fail(ctx, err)
	}
	return h, nil
}

// UserByPasskeyHandle implements [store.Passkeys] with one statement: the
// unique index on handle, then the user's primary key.
func (s *Store) UserByPasskeyHandle(ctx context.Context, handle []byte) (*store.User, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validBytes(handle, store.MaxPasskeyHandleLen) {
		return nil, store.ErrNotFound
	}
	u, err := scanUser(s.reader().row(ctx, `SELECT `+qualified("u", userCols)+
		` FROM passkey_handles h JOIN users u ON u.id = h.user_id WHERE h.handle = $1`, handle))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return u, nil
}
