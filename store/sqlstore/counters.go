package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkit/latch/store"
)

// asOf returns the counter as the contract shows it at now: no hits (and
// a zero ResetAt) once the window ended, no ban once it ended.
func asOf(key string, hits, resetAt, bannedUntil, now int64) store.Counter {
	c := store.Counter{Key: key, Count: hits, ResetAt: fromMicros(resetAt), BannedUntil: fromMicros(bannedUntil)}
	if resetAt <= now {
		c.Count, c.ResetAt = 0, time.Time{}
	}
	if bannedUntil <= now {
		c.BannedUntil = time.Time{}
	}
	return c
}

// Hit implements [store.Counters] with one upsert: the row lock of
// INSERT ... ON CONFLICT DO UPDATE serialises concurrent hits.
func (s *Store) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	if err := s.check(ctx); err != nil {
		return store.Counter{}, err
	}
	if err := store.ValidateCounterKey(key); err != nil {
		return store.Counter{}, err
	}
	if window <= 0 {
		return store.Counter{}, fmt.Errorf("%w: window must be positive", store.ErrInvalid)
	}
	nowUS := micros(now)
	resetUS := micros(now.Add(window))
	var hits, resetAt, bannedUntil int64
	err := s.write(ctx, func(c conn) error {
		return c.row(ctx, `INSERT INTO counters (counter_key, hits, reset_at, banned_until) VALUES ($1, $2, $3, $4)
ON CONFLICT (counter_key) DO UPDATE SET
	hits = CASE WHEN counters.reset_at <= $5 THEN excluded.hits ELSE counters.hits + excluded.hits END,
	reset_at = CASE WHEN counters.reset_at <= $5 THEN excluded.reset_at ELSE counters.reset_at END
RETURNING hits, reset_at, banned_until`, key, delta, resetUS, int64(zeroMicros), nowUS).Scan(&hits, &resetAt, &bannedUntil)
	})
	if err != nil {
		return store.Counter{}, s.fail(ctx, err)
	}
	return asOf(key, hits, resetAt, bannedUntil, nowUS), nil
}

// Counter implements [store.Counters].
func (s *Store) Counter(ctx context.Context, key string, now time.Time) (store.Counter, error) {
	if err := s.check(ctx); err != nil {
		return store.Counter{}, err
	}
	if err := store.ValidateCounterKey(key); err != nil {
		return store.Counter{}, err
	}
	var hits, resetAt, bannedUntil int64
	err := s.reader().row(ctx, `SELECT hits, reset_at, banned_until FROM counters WHERE counter_key = $1`, key).
		Scan(&hits, &resetAt, &bannedUntil)
	if errNoRows(err) {
		return store.Counter{Key: key}, nil
	}
	if err != nil {
		return store.Counter{}, s.fail(ctx, err)
	}
	return asOf(key, hits, resetAt, bannedUntil, micros(now)), nil
}

// Ban implements [store.Counters].
func (s *Store) Ban(ctx context.Context, key string, until time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := store.ValidateCounterKey(key); err != nil {
		return err
	}
	untilUS, err := storedMicros("banned_until", until)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO counters (counter_key, hits, reset_at, banned_until) VALUES ($1, 0, $2, $3)
ON CONFLICT (counter_key) DO UPDATE SET banned_until = excluded.banned_until`, key, int64(zeroMicros), untilUS)
		return err
	})
	return s.fail(ctx, err)
}

// ListCounters implements [store.Counters].
func (s *Store) ListCounters(ctx context.Context, prefix string, now time.Time) ([]store.Counter, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	nowUS := micros(now)
	query := `SELECT counter_key, hits, reset_at, banned_until FROM counters
WHERE (reset_at > $1 OR banned_until > $1)`
	args := []any{nowUS}
	// A prefix that is valid text is matched in SQL as a range of the
	// primary key (byte order in both dialects: BINARY and COLLATE "C"), so
	// the index bounds the scan; any other prefix is matched here, byte by
	// byte, as it cannot be sent to PostgreSQL.
	inSQL := validText(prefix, store.MaxCounterKeyLen)
	if inSQL && prefix != "" {
		query += ` AND counter_key >= $2`
		args = append(args, prefix)
		if end, ok := prefixEnd(prefix); ok {
			query += ` AND counter_key < $3`
			args = append(args, end)
		}
	}
	rows, err := s.reader().query(ctx, query+` ORDER BY counter_key`, args...)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer rows.Close()
	counters := []store.Counter{}
	for rows.Next() {
		var (
			key                        string
			hits, resetAt, bannedUntil int64
		)
		if err := rows.Scan(&key, &hits, &resetAt, &bannedUntil); err != nil {
			return nil, s.fail(ctx, err)
		}
		if !inSQL && !strings.HasPrefix(key, prefix) {
			continue
		}
		counters = append(counters, asOf(key, hits, resetAt, bannedUntil, nowUS))
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return counters, nil
}

// DeleteCounter implements [store.Counters].
func (s *Store) DeleteCounter(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !validKey(key, store.MaxCounterKeyLen) {
		return nil
	}
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `DELETE FROM counters WHERE counter_key = $1`, key)
		return err
	})
	return s.fail(ctx, err)
}

// DeleteDeadCounters implements [store.Counters]; counters_reset_idx
// serves the range on reset_at.
func (s *Store) DeleteDeadCounters(ctx context.Context, now time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	nowUS := micros(now)
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, `DELETE FROM counters WHERE reset_at <= $1 AND banned_until <= $1`, nowUS)
		return err
	})
	return s.fail(ctx, err)
}

// prefixEnd returns the least string greater than every string that
// starts with prefix, in byte order (which for UTF-8 is code point order):
// prefix with its last code point incremented, after dropping trailing
// U+10FFFF. It returns false if there is none (prefix is all U+10FFFF).
func prefixEnd(prefix string) (string, bool) {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		switch {
		case r == utf8.MaxRune:
			continue
		case r == 0xD7FF: // the next code point is past the surrogates
			return prefix + "\uE000", true
		default:
			return prefix + string(r+1), true
		}
	}
	return "", false
}
