package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/latchkit/latch/store"
)

const totpCols = `user_id, secret, algorithm, digits, period, last_step, created_at`

func scanTOTP(sc scanner) (*store.TOTPCredential, error) {
	var (
		c       store.TOTPCredential
		created int64
	)
	if err := sc.Scan(&c.UserID, &c.Secret, &c.Algorithm, &c.Digits, &c.Period, &c.LastStep, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
}

// totpArgs validates c and returns the values of totpCols.
func totpArgs(c *store.TOTPCredential) ([]any, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: nil credential", store.ErrInvalid)
	}
	if err := store.ValidateTOTP(c); err != nil {
		return nil, err
	}
	created, err := storedMicros("created_at", c.CreatedAt)
	if err != nil {
		return nil, err
	}
	return []any{c.UserID, c.Secret, c.Algorithm, c.Digits, c.Period, c.LastStep, created}, nil
}

// PutPendingTOTP implements [store.TOTP].
func (s *Store) PutPendingTOTP(ctx context.Context, c *store.TOTPCredential) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := totpArgs(c)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(w conn) error {
		_, err := w.exec(ctx, `INSERT INTO totp_pending (`+totpCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, algorithm = excluded.algorithm,
	digits = excluded.digits, period = excluded.period, last_step = excluded.last_step,
	created_at = excluded.created_at`,
			args...)
		return err
	})
	return s.fail(ctx, err)
}

// PendingTOTP implements [store.TOTP].
func (s *Store) PendingTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	return s.totpBy(ctx, `SELECT `+totpCols+` FROM totp_pending WHERE user_id = $1`, userID)
}

// ActiveTOTP implements [store.TOTP].
func (s *Store) ActiveTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	return s.totpBy(ctx, `SELECT `+totpCols+` FROM totp WHERE user_id = $1`, userID)
}

func (s *Store) totpBy(ctx context.Context, query, userID string) (*store.TOTPCredential, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validKey(userID, store.MaxIDLen) {
		return nil, store.ErrNotFound
	}
	c, err := scanTOTP(s.reader().row(ctx, query, userID))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return c, nil
}

// ActivateTOTP implements [store.TOTP], in one transaction that holds the
// user's row.
func (s *Store) ActivateTOTP(ctx context.Context, userID string, secret []byte, lastStep int64, recoveryDigests []string, at time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if lastStep < 0 {
		return fmt.Errorf("%w: negative last step", store.ErrInvalid)
	}
	if err := store.ValidateDigests(recoveryDigests); err != nil {
		return err
	}
	created, err := storedMicros("created_at", at)
	if err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err = s.tx(ctx, func(c conn) error {
		if err := s.lockUser(ctx, c, userID); err != nil {
			return err
		}
		var one int
		err := c.row(ctx, `SELECT 1 FROM totp WHERE user_id = $1`, userID).Scan(&one)
		switch {
		case err == nil:
			return store.ErrConflict
		case !errNoRows(err):
			return err
		}
		// Take the pending row and activate exactly what was taken: an
		// enrollment replaced or removed concurrently (PutPendingTOTP and
		// DeleteTOTP do not lock the user) is either the one deleted here or
		// waits for this transaction, never lost between two statements.
		var (
			algorithm      string
			digits, period int
		)
		err = c.row(ctx, `DELETE FROM totp_pending WHERE user_id = $1 AND secret = $2 RETURNING algorithm, digits, period`, userID, secret).
			Scan(&algorithm, &digits, &period)
		switch {
		case errNoRows(err):
			return store.ErrNotFound
		case err != nil:
			return err
		}
		if _, err := c.exec(ctx, `INSERT INTO totp (`+totpCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			userID, secret, algorithm, digits, period, lastStep, created); err != nil {
			return err
		}
		return replaceCodes(ctx, c, userID, recoveryDigests)
	})
	return s.fail(ctx, err)
}

// AdvanceTOTPStep implements [store.TOTP] with one conditional UPDATE:
// the row lock it takes makes concurrent calls with the same step see each
// other's write, so exactly one changes the row.
func (s *Store) AdvanceTOTPStep(ctx context.Context, userID string, step int64) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		err := affected(c.exec(ctx, `UPDATE totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step))
		if err != store.ErrNotFound {
			return err
		}
		var one int
		if err := c.row(ctx, `SELECT 1 FROM totp WHERE user_id = $1`, userID).Scan(&one); err != nil {
			return err
		}
		return store.ErrConflict
	})
	return s.fail(ctx, err)
}

// DeleteTOTP implements [store.TOTP]. The pending enrollment is removed
// even when nothing was active; the recovery codes only with an active
// credential.
func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) {
		return store.ErrNotFound
	}
	var active bool
	err := s.tx(ctx, func(c conn) error {
		if _, err := c.exec(ctx, `DELETE FROM totp_pending WHERE user_id = $1`, userID); err != nil {
			return err
		}
		res, err := c.exec(ctx, `DELETE FROM totp WHERE user_id = $1`, userID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		active = true
		_, err = c.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return err
	})
	if err == nil && !active {
		err = store.ErrNotFound
	}
	return s.fail(ctx, err)
}

// ReplaceRecoveryCodes implements [store.RecoveryCodes], in one
// transaction that holds the user's row. Duplicate digests are stored once.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, digests []string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := store.ValidateDigests(digests); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.tx(ctx, func(c conn) error {
		if err := s.lockUser(ctx, c, userID); err != nil {
			return err
		}
		return replaceCodes(ctx, c, userID, digests)
	})
	return s.fail(ctx, err)
}

// replaceCodes deletes the user's codes and inserts digests, in c's
// transaction.
func replaceCodes(ctx context.Context, c conn, userID string, digests []string) error {
	if _, err := c.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	if len(digests) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO recovery_codes (user_id, digest) VALUES `)
	args := make([]any, 0, len(digests)+1)
	args = append(args, userID)
	for i, d := range digests {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($1, $%d)", i+2)
		args = append(args, d)
	}
	b.WriteString(` ON CONFLICT DO NOTHING`)
	_, err := c.exec(ctx, b.String(), args...)
	return err
}

// ConsumeRecoveryCode implements [store.RecoveryCodes] with one DELETE:
// of concurrent calls only one deletes the row.
func (s *Store) ConsumeRecoveryCode(ctx context.Context, userID, digest string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) || !validKey(digest, store.MaxDigestLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1 AND digest = $2`, userID, digest))
	})
	return s.fail(ctx, err)
}

// RecoveryCodeDigests implements [store.RecoveryCodes]; the digests are in
// byte order.
func (s *Store) RecoveryCodeDigests(ctx context.Context, userID string) ([]string, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	digests := []string{}
	if !validKey(userID, store.MaxIDLen) {
		return digests, nil
	}
	rows, err := s.reader().query(ctx, `SELECT digest FROM recovery_codes WHERE user_id = $1 ORDER BY digest`, userID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, s.fail(ctx, err)
		}
		digests = append(digests, d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return slices.Clip(digests), nil
}
