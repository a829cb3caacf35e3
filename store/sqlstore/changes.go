package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/latchkit/latch/store"
)

var _ store.ChangeFeed = (*Store)(nil)

// Change-feed tuning.
const (
	// pgChannel is the NOTIFY channel of migration 6's triggers.
	pgChannel = "latch_changes"
	// sqlitePoll is how often an SQLite feed looks for new changes
	// (PRAGMA data_version on its own connection, a read of the changes
	// table when it moved).
	sqlitePoll = 2 * time.Millisecond
	// changesKept is how long SQLite keeps rows of latch_changes; a feed
	// that falls further behind is closed (its consumer starts over).
	changesKept = 10 * time.Minute
	// changesBatch is the most rows an SQLite feed reads at once.
	changesBatch = 1000
)

// errFeedGap says an SQLite feed fell behind the pruning of latch_changes.
var errFeedGap = errors.New("sqlstore: change feed fell behind")

// Changes implements [store.ChangeFeed].
//
// On PostgreSQL, migration 6's triggers NOTIFY every change that may
// affect authentication on the channel latch_changes, delivered at commit
// to a dedicated connection that LISTENs (pgx's WaitForNotification);
// that connection is pinged whenever it was quiet for half of
// [store.ChangeSyncInterval], and a ping that fails or takes longer than
// the interval ends the feed. On SQLite the triggers insert rows into the
// latch_changes table in the changing transaction; the feed checks PRAGMA
// data_version every 2 ms on a connection of its own and reads the new
// rows when it moved, so changes made by other processes on the same file
// arrive within milliseconds.
func (s *Store) Changes(ctx context.Context) (<-chan store.Change, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if s.dialect == Postgres {
		return s.pgChanges(ctx)
	}
	return s.sqliteChanges(ctx)
}

// announce records a change inside the transaction of c.
func (s *Store) announce(ctx context.Context, c conn, kind store.ChangeKind) error {
	if s.dialect == Postgres {
		_, err := c.exec(ctx, `SELECT pg_notify($1, current_schema() || chr(31) || $2 || chr(31))`, pgChannel, kind.String())
		return err
	}
	_, err := c.exec(ctx, `INSERT INTO latch_changes (kind, key, at) VALUES ($1, '', $2)`, kind.String(), time.Now().Unix())
	return err
}

// pruneChanges deletes SQLite change rows older than changesKept.
func (s *Store) pruneChanges(ctx context.Context, c conn) error {
	if s.dialect != SQLite {
		return nil
	}
	_, err := c.exec(ctx, `DELETE FROM latch_changes WHERE at < $1`, time.Now().Add(-changesKept).Unix())
	return err
}

// feed is one subscriber's channel.
type feed struct {
	ch       chan store.Change
	lastSync time.Time
}

// send delivers c; false when the consumer fell ChangeBuffer behind.
func (f *feed) send(c store.Change) bool {
	select {
	case f.ch <- c:
		return true
	default:
		return false
	}
}

// sync sends a ChangeSync for at if the last one is half an interval old.
func (f *feed) sync(at time.Time) bool {
	if at.Sub(f.lastSync) < store.ChangeSyncInterval/2 {
		return true
	}
	f.lastSync = at
	return f.send(store.Change{Kind: store.ChangeSync, At: at})
}

// pgListener returns a connection for LISTEN and its release.
func (s *Store) pgListener(ctx context.Context) (*pgx.Conn, func(), error) {
	if s.pgcfg != nil {
		cfg := s.pgcfg.Copy()
		// Named, so that an operator (or a fault test) can tell it apart.
		cfg.RuntimeParams["application_name"] = "latch_changes"
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		return c, func() {
			cctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = c.Close(cctx)
		}, nil
	}
	// A pool handed to New: hold one of its connections, and have the
	// pool discard it afterwards (it is LISTENing).
	sc, err := s.w.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	got := make(chan *pgx.Conn, 1)
	release := make(chan struct{})
	go func() {
		_ = sc.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				got <- nil
				return nil
			}
			got <- c.Conn()
			<-release
			return driver.ErrBadConn
		})
		_ = sc.Close()
	}()
	c := <-got
	if c == nil {
		close(release)
		return nil, nil, fmt.Errorf("sqlstore: change feed: not a pgx connection")
	}
	return c, func() { close(release) }, nil
}

func (s *Store) pgChanges(ctx context.Context) (<-chan store.Change, error) {
	c, release, err := s.pgListener(ctx)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	var schema string
	// No prefix on PostgreSQL (Options.Schema separates stores there), so
	// the rewrites below change nothing; they keep every statement on one
	// path.
	err = c.QueryRow(ctx, s.names.rewrite(`SELECT COALESCE(current_schema(), '')`)).Scan(&schema)
	if err == nil {
		_, err = c.Exec(ctx, s.names.rewrite(`LISTEN `+pgChannel))
	}
	if err != nil {
		release()
		return nil, s.fail(ctx, err)
	}
	f := &feed{ch: make(chan store.Change, store.ChangeBuffer)}
	go func() {
		defer close(f.ch)
		defer release()
		// The subscription holds from LISTEN on: say so at once.
		if !f.sync(time.Now()) {
			return
		}
		prefix := schema + "\x1f"
		for {
			select {
			case <-s.done:
				return
			default:
			}
			wctx, cancel := context.WithTimeout(ctx, store.ChangeSyncInterval/2)
			n, err := c.WaitForNotification(wctx)
			cancel()
			if err == nil {
				rest, ok := strings.CutPrefix(n.Payload, prefix)
				if !ok {
					continue // another schema's
				}
				kind, key, _ := strings.Cut(rest, "\x1f")
				if k := store.ParseChangeKind(kind); k != 0 && !f.send(store.Change{Kind: k, Key: key}) {
					return
				}
				continue
			}
			if ctx.Err() != nil || !pgconnTimeout(err) {
				return
			}
			// Quiet for a while: prove the connection is alive. Whatever
			// was committed before the ping started is delivered before
			// its answer (the server sends pending notifications first).
			at := time.Now()
			pctx, cancel := context.WithTimeout(ctx, store.ChangeSyncInterval)
			err = c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
			if !f.drain(c, prefix) || !f.sync(at) {
				return
			}
		}
	}()
	return f.ch, nil
}

// drain delivers the notifications pgx buffered during a query.
func (f *feed) drain(c *pgx.Conn, prefix string) bool {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		n, _ := c.WaitForNotification(done)
		if n == nil {
			return true
		}
		if rest, ok := strings.CutPrefix(n.Payload, prefix); ok {
			kind, key, _ := strings.Cut(rest, "\x1f")
			if k := store.ParseChangeKind(kind); k != 0 && !f.send(store.Change{Kind: k, Key: key}) {
				return false
			}
		}
	}
}

// pgconnTimeout reports whether err is the deadline of a wait.
func pgconnTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

// sqliteFeedConn returns the connection an SQLite feed polls through and
// its release: a connection of its own for a file opened by Open (so that
// data_version sees every commit), else the reader pool.
func (s *Store) sqliteFeedConn(ctx context.Context) (querier, func(), bool, error) {
	if s.feedDSN == "" {
		return s.r, func() {}, false, nil
	}
	cn, err := sqlite.NewConnector(s.feedDSN)
	if err != nil {
		return nil, nil, false, err
	}
	db := sql.OpenDB(cn)
	db.SetMaxOpenConns(1)
	c, err := db.Conn(ctx)
	if err != nil {
		_ = db.Close()
		return nil, nil, false, err
	}
	return c, func() { _ = c.Close(); _ = db.Close() }, true, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) sqliteChanges(ctx context.Context) (<-chan store.Change, error) {
	q, release, own, err := s.sqliteFeedConn(ctx)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	var last, version int64
	err = q.QueryRowContext(ctx, s.names.rewrite(`SELECT COALESCE(MAX(seq), 0) FROM latch_changes`)).Scan(&last)
	if err == nil && own {
		err = q.QueryRowContext(ctx, s.names.rewrite(`PRAGMA data_version`)).Scan(&version)
	}
	if err != nil {
		release()
		return nil, s.fail(ctx, err)
	}
	f := &feed{ch: make(chan store.Change, store.ChangeBuffer)}
	go func() {
		defer close(f.ch)
		defer release()
		if !f.sync(time.Now()) {
			return
		}
		t := time.NewTicker(sqlitePoll)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			at := time.Now()
			if own {
				var v int64
				if err := q.QueryRowContext(ctx, s.names.rewrite(`PRAGMA data_version`)).Scan(&v); err != nil {
					return
				}
				if v == version {
					if !f.sync(at) {
						return
					}
					continue
				}
				version = v
			}
			for {
				n, err := f.readChanges(ctx, q, s.names, &last)
				if err != nil {
					return
				}
				if n < changesBatch {
					break
				}
			}
			if !f.sync(at) {
				return
			}
		}
	}()
	return f.ch, nil
}

// readChanges delivers the rows after *last, at most changesBatch; names
// is the store's prefixer.
func (f *feed) readChanges(ctx context.Context, q querier, names *prefixer, last *int64) (int, error) {
	rows, err := q.QueryContext(ctx, names.rewrite(`SELECT seq, kind, key FROM latch_changes WHERE seq > $1 ORDER BY seq LIMIT $2`), *last, changesBatch)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			seq       int64
			kind, key string
		)
		if err := rows.Scan(&seq, &kind, &key); err != nil {
			return n, err
		}
		if seq != *last+1 {
			return n, errFeedGap // pruned before it was read
		}
		*last = seq
		n++
		if k := store.ParseChangeKind(kind); k != 0 && !f.send(store.Change{Kind: k, Key: key}) {
			return n, errors.New("sqlstore: change feed consumer fell behind")
		}
	}
	return n, rows.Err()
}
