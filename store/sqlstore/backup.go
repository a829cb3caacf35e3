package sqlstore

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"slices"

	"github.com/latchkit/latch/store"
)

// Dump implements [store.Backup] in one read transaction (a REPEATABLE
// READ snapshot on PostgreSQL, a read snapshot of the WAL on SQLite), so
// the dump is consistent even while other processes write.
func (s *Store) Dump(ctx context.Context) (*store.Dump, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	var d *store.Dump
	err := s.retry(ctx, func() error {
		tx, err := s.r.BeginTx(ctx, opts)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		d, err = dump(ctx, conn{tx: tx, names: s.names})
		if err != nil {
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return d, nil
}

func dump(ctx context.Context, c conn) (*store.Dump, error) {
	d := &store.Dump{}
	err := each(ctx, c, `SELECT `+userCols+` FROM users ORDER BY id`, func(rows *sql.Rows) error {
		u, err := scanUser(rows)
		if err == nil {
			d.Users = append(d.Users, *u)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, c, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id`, func(rows *sql.Rows) error {
		t, err := scanToken(rows)
		if err == nil {
			d.APITokens = append(d.APITokens, *t)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, tc := range []struct {
		table string
		dst   *[]store.TOTPCredential
	}{{"totp", &d.TOTP}, {"totp_pending", &d.PendingTOTP}} {
		err = each(ctx, c, `SELECT `+totpCols+` FROM `+tc.table+` ORDER BY user_id`, func(rows *sql.Rows) error {
			t, err := scanTOTP(rows)
			if err == nil {
				*tc.dst = append(*tc.dst, *t)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	err = each(ctx, c, `SELECT user_id, digest FROM recovery_codes ORDER BY user_id, digest`, func(rows *sql.Rows) error {
		var rc store.RecoveryCode
		err := rows.Scan(&rc.UserID, &rc.Digest)
		if err == nil {
			d.RecoveryCodes = append(d.RecoveryCodes, rc)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	keys, err := signingKeys(ctx, c, `ORDER BY id`)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		d.SigningKeys = keys
	}
	err = each(ctx, c, `SELECT `+sessionCols+` FROM sessions ORDER BY id`, func(rows *sql.Rows) error {
		sess, err := scanSession(rows)
		if err == nil {
			d.Sessions = append(d.Sessions, *sess)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, c, `SELECT digest, session_id, seq, created_at, spent_at FROM refresh_tokens ORDER BY digest`, func(rows *sql.Rows) error {
		var (
			t              store.RefreshToken
			created, spent int64
		)
		if err := rows.Scan(&t.Digest, &t.SessionID, &t.Seq, &created, &spent); err != nil {
			return err
		}
		t.CreatedAt, t.SpentAt = fromMicros(created), fromMicros(spent)
		d.RefreshTokens = append(d.RefreshTokens, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, c, `SELECT `+passkeyCols+` FROM passkeys ORDER BY id`, func(rows *sql.Rows) error {
		p, err := scanPasskey(rows)
		if err == nil {
			d.Passkeys = append(d.Passkeys, *p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, c, `SELECT user_id, handle FROM passkey_handles ORDER BY user_id`, func(rows *sql.Rows) error {
		var h store.PasskeyHandle
		err := rows.Scan(&h.UserID, &h.Handle)
		if err == nil {
			d.PasskeyHandles = append(d.PasskeyHandles, h)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func each(ctx context.Context, c conn, query string, fn func(*sql.Rows) error) error {
	rows, err := c.query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// validateDump checks d as every backend does ([store.Dump.Validate]),
// then what this backend adds: times within the range it stores.
func validateDump(d *store.Dump) error {
	if err := d.Validate(); err != nil {
		return err
	}
	for i := range d.Users {
		if _, err := userArgs(&d.Users[i]); err != nil {
			return err
		}
	}
	for i := range d.APITokens {
		if _, err := tokenArgs(&d.APITokens[i]); err != nil {
			return err
		}
	}
	for _, l := range [][]store.TOTPCredential{d.TOTP, d.PendingTOTP} {
		for i := range l {
			if _, err := totpArgs(&l[i]); err != nil {
				return err
			}
		}
	}
	for i := range d.SigningKeys {
		if _, err := keyArgs(&d.SigningKeys[i]); err != nil {
			return err
		}
	}
	for i := range d.Sessions {
		if _, err := sessionArgs(&d.Sessions[i]); err != nil {
			return err
		}
	}
	for i := range d.RefreshTokens {
		if _, err := refreshArgs(&d.RefreshTokens[i]); err != nil {
			return err
		}
	}
	for i := range d.Passkeys {
		if _, err := passkeyArgs(&d.Passkeys[i]); err != nil {
			return err
		}
	}
	return nil
}

// Tables in the order Restore clears them (children first); revocations
// are kept (store.Backup). Sessions and refresh tokens are cleared and
// never restored.
var restoreTables = []string{"refresh_tokens", "sessions", "passkeys", "passkey_handles", "recovery_codes", "totp",
	"totp_pending", "api_tokens", "requests", "user_identifiers", "users", "signing_keys", "counters"}

// Restore implements [store.Backup] in one transaction; every record is
// validated before anything is written. The dump's sessions and refresh
// tokens are validated but not written, and the store's are deleted;
// passkeys keep the greater signature count of the dump's and the
// store's. On PostgreSQL the tables are
// locked against other writers first (readers go on), so nothing written
// concurrently survives next to the restored contents.
func (s *Store) Restore(ctx context.Context, d *store.Dump) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := validateDump(d); err != nil {
		return err
	}
	err := s.tx(ctx, func(c conn) error {
		if s.dialect == Postgres {
			// In the order the other transactions lock rows, parents first.
			if _, err := c.exec(ctx, `LOCK TABLE users, user_identifiers, api_tokens, totp, totp_pending, recovery_codes,
	requests, sessions, refresh_tokens, passkeys, passkey_handles, signing_keys, revocations, counters
	IN EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		users, active, err := protect(ctx, c, d)
		if err != nil {
			return err
		}
		passkeys, err := protectPasskeys(ctx, c, d)
		if err != nil {
			return err
		}
		for _, t := range restoreTables {
			if _, err := c.exec(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		if err := s.announce(ctx, c, store.ChangeReset); err != nil {
			return err
		}
		if err := insertAll(ctx, c, insertUserQuery, len(users), func(i int) ([]any, error) {
			return userArgs(&users[i])
		}); err != nil {
			return err
		}
		for i := range users {
			if err := putIdentifiers(ctx, c, users[i].ID, users[i].Username, users[i].Email); err != nil {
				return err
			}
		}
		if err := insertAll(ctx, c, `INSERT INTO api_tokens (`+tokenCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			len(d.APITokens), func(i int) ([]any, error) { return tokenArgs(&d.APITokens[i]) }); err != nil {
			return err
		}
		for _, tc := range []struct {
			table string
			l     []store.TOTPCredential
		}{{"totp", active}, {"totp_pending", d.PendingTOTP}} {
			if err := insertAll(ctx, c, `INSERT INTO `+tc.table+` (`+totpCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				len(tc.l), func(i int) ([]any, error) { return totpArgs(&tc.l[i]) }); err != nil {
				return err
			}
		}
		if err := insertAll(ctx, c, `INSERT INTO recovery_codes (user_id, digest) VALUES ($1, $2)`,
			len(d.RecoveryCodes), func(i int) ([]any, error) {
				return []any{d.RecoveryCodes[i].UserID, d.RecoveryCodes[i].Digest}, nil
			}); err != nil {
			return err
		}
		if err := insertAll(ctx, c, insertPasskeyQuery, len(passkeys), func(i int) ([]any, error) {
			return passkeyArgs(&passkeys[i])
		}); err != nil {
			return err
		}
		if err := insertAll(ctx, c, `INSERT INTO passkey_handles (user_id, handle) VALUES ($1, $2)`,
			len(d.PasskeyHandles), func(i int) ([]any, error) {
				return []any{d.PasskeyHandles[i].UserID, d.PasskeyHandles[i].Handle}, nil
			}); err != nil {
			return err
		}
		return insertAll(ctx, c, `INSERT INTO signing_keys (id, sealed, created_at) VALUES ($1, $2, $3)`,
			len(d.SigningKeys), func(i int) ([]any, error) { return keyArgs(&d.SigningKeys[i]) })
	})
	return s.fail(ctx, err)
}

// protectPasskeys returns the dump's passkeys as Restore writes them
// (store.Backup): each one whose user and credential ID the store holds
// at the greater signature count. d is not modified.
func protectPasskeys(ctx context.Context, c conn, d *store.Dump) ([]store.PasskeyCredential, error) {
	type held struct {
		userID string
		count  int64
	}
	have := map[string]held{}
	err := each(ctx, c, `SELECT credential_id, user_id, sign_count FROM passkeys`, func(rows *sql.Rows) error {
		var (
			cid []byte
			h   held
		)
		if err := rows.Scan(&cid, &h.userID, &h.count); err != nil {
			return err
		}
		have[string(cid)] = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := slices.Clone(d.Passkeys)
	for i := range out {
		p := &out[i]
		if h, ok := have[string(p.CredentialID)]; ok && h.userID == p.UserID && h.count > int64(p.SignCount) {
			p.SignCount = uint32(h.count)
		}
	}
	return out, nil
}

// protect returns the dump's users and active TOTP credentials as Restore
// writes them (store.Backup): each user's generation and version one more
// than the greater of the dump's and the store's, and each active
// credential that the store holds with the same secret at the greater
// last step. d is not modified.
func protect(ctx context.Context, c conn, d *store.Dump) ([]store.User, []store.TOTPCredential, error) {
	type counters struct{ generation, version int64 }
	have := map[string]counters{}
	err := each(ctx, c, `SELECT id, generation, version FROM users`, func(rows *sql.Rows) error {
		var (
			id string
			v  counters
		)
		if err := rows.Scan(&id, &v.generation, &v.version); err != nil {
			return err
		}
		have[id] = v
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	users := slices.Clone(d.Users)
	for i := range users {
		u := &users[i]
		if v, ok := have[u.ID]; ok {
			u.Generation, u.Version = max(u.Generation, v.generation), max(u.Version, v.version)
		}
		u.Generation++
		u.Version++
	}
	type step struct {
		secret []byte
		last   int64
	}
	steps := map[string]step{}
	err = each(ctx, c, `SELECT user_id, secret, last_step FROM totp`, func(rows *sql.Rows) error {
		var (
			id string
			v  step
		)
		if err := rows.Scan(&id, &v.secret, &v.last); err != nil {
			return err
		}
		steps[id] = v
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	active := slices.Clone(d.TOTP)
	for i := range active {
		t := &active[i]
		if v, ok := steps[t.UserID]; ok && subtle.ConstantTimeCompare(v.secret, t.Secret) == 1 {
			t.LastStep = max(t.LastStep, v.last)
		}
	}
	return users, active, nil
}

// insertAll runs query once per record through one prepared statement in
// c's transaction.
func insertAll(ctx context.Context, c conn, query string, n int, args func(i int) ([]any, error)) error {
	if n == 0 {
		return nil
	}
	if c.tx == nil {
		return errors.New("sqlstore: insertAll outside a transaction")
	}
	st, err := c.tx.PrepareContext(ctx, c.names.rewrite(query))
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range n {
		a, err := args(i)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, a...); err != nil {
			return err
		}
	}
	return nil
}
