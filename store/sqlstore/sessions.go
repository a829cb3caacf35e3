package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/latchkit/latch/store"
)

const sessionCols = `id, user_id, created_at, last_used_at, idle_timeout, expires_at, auth_time, client_ip,
	generation, refresh_seq`

// sessionRow receives the columns of sessionCols.
type sessionRow struct {
	s                                   store.Session
	created, lastUsed, idle, exp, authT int64
}

func (r *sessionRow) dest() []any {
	return []any{&r.s.ID, &r.s.UserID, &r.created, &r.lastUsed, &r.idle, &r.exp, &r.authT, &r.s.ClientIP,
		&r.s.Generation, &r.s.RefreshSeq}
}

func (r *sessionRow) record() *store.Session {
	r.s.CreatedAt = fromMicros(r.created)
	r.s.LastUsedAt = fromMicros(r.lastUsed)
	r.s.IdleTimeout = time.Duration(r.idle) * time.Microsecond
	r.s.ExpiresAt = fromMicros(r.exp)
	r.s.AuthTime = fromMicros(r.authT)
	return &r.s
}

func scanSession(sc scanner) (*store.Session, error) {
	var r sessionRow
	if err := sc.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.record(), nil
}

// endsAt returns the stored ends_at of a session: the earlier of its
// expiry and the end of its idle timeout, all in microseconds (the sum
// saturates rather than wrap).
func endsAt(expires, lastUsed, idle int64) int64 {
	idleEnd := int64(math.MaxInt64)
	if lastUsed <= math.MaxInt64-idle {
		idleEnd = lastUsed + idle
	}
	return min(expires, idleEnd)
}

// sessionArgs validates s and returns the values of sessionCols followed
// by ends_at.
func sessionArgs(s *store.Session) ([]any, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil session", store.ErrInvalid)
	}
	if err := store.ValidateSession(s); err != nil {
		return nil, err
	}
	var ta timeArgs
	created := ta.at("created_at", s.CreatedAt)
	lastUsed := ta.at("last_used_at", s.LastUsedAt)
	expires := ta.at("expires_at", s.ExpiresAt)
	authTime := ta.at("auth_time", s.AuthTime)
	if ta.err != nil {
		return nil, ta.err
	}
	idle := s.IdleTimeout.Microseconds()
	return []any{s.ID, s.UserID, created, lastUsed, idle, expires, authTime, s.ClientIP, s.Generation, s.RefreshSeq,
		endsAt(expires, lastUsed, idle)}, nil
}

// refreshArgs validates t and returns the values of its columns (digest,
// session_id, seq, created_at, spent_at).
func refreshArgs(t *store.RefreshToken) ([]any, error) {
	if err := store.ValidateRefreshToken(t); err != nil {
		return nil, err
	}
	var ta timeArgs
	created := ta.at("created_at", t.CreatedAt)
	spent := ta.at("spent_at", t.SpentAt)
	if ta.err != nil {
		return nil, ta.err
	}
	return []any{t.Digest, t.SessionID, t.Seq, created, spent}, nil
}

const (
	insertSessionQuery = `INSERT INTO sessions (` + sessionCols + `, ends_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	insertRefreshQuery = `INSERT INTO refresh_tokens (digest, session_id, seq, created_at, spent_at) VALUES ($1, $2, $3, $4, $5)`
)

// CreateSession implements [store.Sessions] in one transaction. With a
// cap, the owner's row is locked first (PostgreSQL SELECT ... FOR UPDATE,
// SQLite BEGIN IMMEDIATE), so concurrent creations are serialised per
// user; the new session is inserted before the oldest are deleted, so an
// ID or digest that exists is refused before anything is deleted.
func (s *Store) CreateSession(ctx context.Context, sess *store.Session, refreshDigest string, maxPerUser int) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	args, err := sessionArgs(sess)
	if err != nil {
		return err
	}
	if sess.RefreshSeq != 1 {
		return fmt.Errorf("%w: a new session's refresh sequence must be 1", store.ErrInvalid)
	}
	if err := store.ValidateDigest(refreshDigest); err != nil {
		return err
	}
	err = s.tx(ctx, func(c conn) error {
		if maxPerUser > 0 {
			if err := s.lockUser(ctx, c, sess.UserID); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, insertSessionQuery, args...); err != nil {
			return err
		}
		if _, err := c.exec(ctx, insertRefreshQuery, refreshDigest, sess.ID, int64(1), args[2], zeroMicros); err != nil {
			return err
		}
		if maxPerUser <= 0 {
			return nil
		}
		_, err := c.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2 AND id NOT IN (
	SELECT id FROM sessions WHERE user_id = $1 AND id <> $2 ORDER BY created_at DESC, id DESC LIMIT $3)`,
			sess.UserID, sess.ID, maxPerUser-1)
		return err
	})
	return s.fail(ctx, err)
}

// Session implements [store.Sessions].
func (s *Store) Session(ctx context.Context, id string) (*store.Session, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if !validKey(id, store.MaxIDLen) {
		return nil, store.ErrNotFound
	}
	sess, err := scanSession(s.reader().row(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return sess, nil
}

// sessionWithOwnerQuery reads a session by ID joined with its user: the
// columns of sessionCols, then those of userCols.
var sessionWithOwnerQuery = `SELECT ` + qualified("s", sessionCols) + `, ` + qualified("u", userCols) +
	` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`

// SessionWithOwner implements [store.Sessions] with one statement: the
// session's primary key, then the user's.
func (s *Store) SessionWithOwner(ctx context.Context, id string) (*store.Session, *store.User, error) {
	if err := s.check(ctx); err != nil {
		return nil, nil, err
	}
	if !validKey(id, store.MaxIDLen) {
		return nil, nil, store.ErrNotFound
	}
	var sr sessionRow
	var ur userRow
	if err := s.reader().row(ctx, sessionWithOwnerQuery, id).Scan(append(sr.dest(), ur.dest()...)...); err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	u, err := ur.record()
	if err != nil {
		return nil, nil, s.fail(ctx, err)
	}
	return sr.record(), u, nil
}

// ListSessions implements [store.Sessions]: oldest first, ties broken by
// ID, through the index on (user_id, created_at, id).
func (s *Store) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	list := []store.Session{}
	if !validKey(userID, store.MaxIDLen) {
		return list, nil
	}
	rows, err := s.reader().query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		list = append(list, *sess)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return list, nil
}

// rotationReadQuery reads a refresh token by digest with its session and
// the session's user: seq and spent_at, then the columns of sessionCols,
// then those of userCols.
var rotationReadQuery = `SELECT t.seq, t.spent_at, ` + qualified("s", sessionCols) + `, ` + qualified("u", userCols) +
	` FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id WHERE t.digest = $1`

// rotatePostgres is the write of a rotation on PostgreSQL, one statement:
// the session's refresh_seq moves from $2 to $3 only if it is still $2
// (compare-and-swap: a concurrent rotation of the same token waits for the
// row lock, then finds the new value and changes nothing), and only then
// is the presented token ($6) spent and the next ($7) inserted. It returns
// the number of sessions changed, 0 or 1.
const rotatePostgres = `WITH s AS (
	UPDATE sessions SET refresh_seq = $3, last_used_at = $4, ends_at = $5
	WHERE id = $1 AND refresh_seq = $2
	RETURNING id
), spent AS (
	UPDATE refresh_tokens SET spent_at = $4 WHERE digest = $6 AND EXISTS (SELECT 1 FROM s)
), next AS (
	INSERT INTO refresh_tokens (digest, session_id, seq, created_at, spent_at)
	SELECT $7, id, $3, $4, $8 FROM s
)
SELECT COUNT(*) FROM s`

// errRotationLost says a rotation's compare-and-swap found the session
// changed (or gone) since it was read.
var errRotationLost = errors.New("sqlstore: rotation lost a race")

// RotateRefreshToken implements [store.Sessions]. It reads the token, its
// session and user in one statement and decides there; only a rotation of
// the live token writes, with a compare-and-swap on the session's
// refresh_seq (one statement on PostgreSQL, a write transaction on
// SQLite). A rotation that loses the swap to a concurrent one reads again
// and finds the token spent. A reuse deletes the session (its tokens
// cascade), and so does a session found expired, only if it still is.
func (s *Store) RotateRefreshToken(ctx context.Context, presented, nextDigest string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	if err := s.check(ctx); err != nil {
		return nil, nil, 0, err
	}
	if grace < 0 {
		return nil, nil, 0, fmt.Errorf("%w: negative grace period", store.ErrInvalid)
	}
	if err := store.ValidateDigest(nextDigest); err != nil {
		return nil, nil, 0, err
	}
	if !validKey(presented, store.MaxDigestLen) {
		return nil, nil, 0, store.ErrNotFound
	}
	for range maxAttempts {
		var (
			seq, spent int64
			sr         sessionRow
			ur         userRow
		)
		dest := append(append([]any{&seq, &spent}, sr.dest()...), ur.dest()...)
		if err := s.reader().row(ctx, rotationReadQuery, presented).Scan(dest...); err != nil {
			return nil, nil, 0, s.fail(ctx, err)
		}
		sess := sr.record()
		u, err := ur.record()
		if err != nil {
			return nil, nil, 0, s.fail(ctx, err)
		}
		if !sess.Live(now) {
			err := s.write(ctx, func(c conn) error {
				_, err := c.exec(ctx, `DELETE FROM sessions WHERE id = $1 AND ends_at <= $2`, sess.ID, micros(now))
				return err
			})
			if err != nil {
				return nil, nil, 0, s.fail(ctx, err)
			}
			return nil, nil, 0, store.ErrNotFound
		}
		switch {
		case seq == sess.RefreshSeq:
			err := s.rotate(ctx, sess, presented, nextDigest, now)
			if errors.Is(err, errRotationLost) {
				continue
			}
			if err != nil {
				return nil, nil, 0, s.fail(ctx, err)
			}
			return sess, u, store.Rotated, nil
		case seq == sess.RefreshSeq-1 && now.Sub(fromMicros(spent)) <= grace:
			return sess, u, store.RotationGrace, nil
		}
		err = s.write(ctx, func(c conn) error {
			_, err := c.exec(ctx, `DELETE FROM sessions WHERE id = $1`, sess.ID)
			return err
		})
		if err != nil {
			return nil, nil, 0, s.fail(ctx, err)
		}
		return sess, u, store.RotationReused, nil
	}
	// Unreachable: a lost swap means the token was spent, which the next
	// read sees.
	return nil, nil, 0, fmt.Errorf("sqlstore: %w: refresh token rotation did not settle", store.ErrUnavailable)
}

// rotate writes the rotation of sess's live token presented to next at
// now, if sess's refresh_seq is still the one read, and updates sess to
// the session as written. It returns errRotationLost when the session
// changed or went since it was read.
func (s *Store) rotate(ctx context.Context, sess *store.Session, presented, next string, now time.Time) error {
	at, err := storedMicros("now", now)
	if err != nil {
		return err
	}
	expires := micros(sess.ExpiresAt)
	idle := sess.IdleTimeout.Microseconds()
	seq := sess.RefreshSeq + 1
	ends := endsAt(expires, at, idle)
	if s.dialect == Postgres {
		var n int
		err = s.write(ctx, func(c conn) error {
			return c.row(ctx, rotatePostgres, sess.ID, sess.RefreshSeq, seq, at, ends, presented, next, zeroMicros).Scan(&n)
		})
		if err == nil && n == 0 {
			err = errRotationLost
		}
	} else {
		err = s.tx(ctx, func(c conn) error {
			err := affected(c.exec(ctx, `UPDATE sessions SET refresh_seq = $3, last_used_at = $4, ends_at = $5
WHERE id = $1 AND refresh_seq = $2`, sess.ID, sess.RefreshSeq, seq, at, ends))
			if err == store.ErrNotFound {
				return errRotationLost
			}
			if err != nil {
				return err
			}
			if _, err := c.exec(ctx, `UPDATE refresh_tokens SET spent_at = $2 WHERE digest = $1`, presented, at); err != nil {
				return err
			}
			_, err = c.exec(ctx, insertRefreshQuery, next, sess.ID, seq, at, zeroMicros)
			return err
		})
	}
	if err != nil {
		return err
	}
	sess.RefreshSeq, sess.LastUsedAt = seq, fromMicros(at)
	return nil
}

// DeleteSession implements [store.Sessions]; the tokens cascade.
func (s *Store) DeleteSession(ctx context.Context, userID, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(userID, store.MaxIDLen) || !validKey(id, store.MaxIDLen) {
		return store.ErrNotFound
	}
	err := s.write(ctx, func(c conn) error {
		return affected(c.exec(ctx, `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, id, userID))
	})
	return s.fail(ctx, err)
}

// DeleteUserSessions implements [store.Sessions] with one DELETE; the
// tokens cascade.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if !validKey(userID, store.MaxIDLen) {
		return 0, nil
	}
	var n int64
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, s.fail(ctx, err)
	}
	return int(n), nil
}

var _ store.SessionCounter = (*Store)(nil)

// CountLiveSessions implements [store.SessionCounter]: one count over
// the index on ends_at, joined to the owners.
func (s *Store) CountLiveSessions(ctx context.Context, now time.Time) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := s.reader().row(ctx, `SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.ends_at > $1 AND s.generation = u.generation AND NOT u.disabled`, micros(now)).Scan(&n)
	if err != nil {
		return 0, s.fail(ctx, err)
	}
	return int(n), nil
}

// DeleteExpiredSessions implements [store.Sessions]: one DELETE over the
// index on ends_at. ends_at is a whole microsecond, so comparing it with
// now truncated to the microsecond is exact.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `DELETE FROM sessions WHERE ends_at <= $1`, micros(now))
		return err
	})
	return s.fail(ctx, err)
}
