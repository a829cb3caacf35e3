package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/latchkit/latch/store"
)

// Dialect is the SQL dialect of a database.
type Dialect int

const (
	// SQLite is SQLite (3.37 or later) through modernc.org/sqlite.
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL (12 or later) through
	// github.com/jackc/pgx/v5/stdlib.
	Postgres
)

// String returns "sqlite", "postgres" or "unknown".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "unknown"
}

// SQLite connection defaults, applied by Open unless the DSN sets them.
const (
	sqliteBusyTimeoutMillis = "5000"
	sqliteJournalMode       = "WAL"
	sqliteSynchronous       = "NORMAL"
	// sqliteMmapSize lets reads of a large database go through memory
	// instead of a pread per page that misses the connection's cache.
	sqliteMmapSize = "mmap_size(1073741824)"
)

// Store is a [store.Store] over database/sql. It is safe for concurrent use.
type Store struct {
	dialect Dialect
	// w runs every write; r runs single-statement reads and Dump. They are
	// the same pool except for an SQLite file, where w holds one connection
	// (writes never wait on each other's file locks in one process) and r
	// holds read-only connections.
	w, r     *sql.DB
	wst, rst *stmtCache
	ownsDB   bool
	closed   atomic.Bool
	done     chan struct{} // closed by Close: change feeds end

	// The change feed's connection (changes.go): PostgreSQL's listener
	// dials pgcfg when set (a Store made by Open) and otherwise takes a
	// connection of w; SQLite's poller opens feedDSN when set (a file
	// opened by Open) and otherwise polls through r.
	pgcfg   *pgx.ConnConfig
	feedDSN string
	// names prefixes table names (Options.TablePrefix); nil for none.
	names *prefixer
	// schema is Options.Schema.
	schema string
}

var _ store.Store = (*Store)(nil)

// Open opens the database named by dsn, applies any pending migrations and
// returns the Store.
//
// A dsn starting with postgres:// or postgresql:// selects PostgreSQL
// through pgx (every parameter pgx understands may be given, including
// runtime parameters such as search_path; default_query_exec_mode must not
// be simple_protocol). Anything else is an SQLite database: a file path or
// a file: URI, optionally followed by modernc.org/sqlite query parameters.
// Open enables foreign keys and immediate write transactions, and sets
// busy_timeout=5000 ms, journal_mode=WAL and synchronous=NORMAL unless the
// DSN sets them, creates a new database file readable by its owner only
// (mode 0600: it holds password hashes), and maps up to 1 GiB of the file into memory for reads
// (mmap_size; give _pragma=mmap_size(0) to turn that off). ":memory:" (or a file: URI with mode=memory) is a private
// in-memory database served by one connection.
//
// To keep Latch's tables apart from the host's in a shared database, use
// [OpenWith].
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// New returns a Store over db, an existing pool for dialect, after applying
// any pending migrations. The caller keeps ownership of db: Close does not
// close it.
//
// For SQLite, db's connections must have foreign keys enabled and should
// have a busy timeout and begin write transactions with BEGIN IMMEDIATE
// (modernc.org/sqlite DSN parameters _foreign_keys=1&_busy_timeout=5000&
// _txlock=immediate); Open does all of this for you. For PostgreSQL, db
// must not use the simple query protocol. [NewWith] takes Options.
func New(ctx context.Context, db *sql.DB, dialect Dialect) (*Store, error) {
	return NewWith(ctx, db, dialect, Options{})
}

func newWith(ctx context.Context, db *sql.DB, dialect Dialect, names *prefixer, schema string) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: nil *sql.DB", ErrDSN)
	}
	s := newStore(dialect, db, db, false, names, schema)
	if err := s.migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func newStore(d Dialect, w, r *sql.DB, owns bool, names *prefixer, schema string) *Store {
	s := &Store{dialect: d, w: w, r: r, ownsDB: owns, names: names, schema: schema, done: make(chan struct{})}
	s.wst = &stmtCache{db: w, names: names}
	s.rst = s.wst
	if r != w {
		s.rst = &stmtCache{db: r, names: names}
	}
	return s
}

// Dialect returns the dialect of the store's database.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the store's prepared statements and, for a Store made by
// Open, its database. Later calls to any method return ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.done)
	err := s.wst.close()
	if s.rst != s.wst {
		err = errors.Join(err, s.rst.close())
	}
	if s.ownsDB {
		err = errors.Join(err, s.w.Close())
		if s.r != s.w {
			err = errors.Join(err, s.r.Close())
		}
	}
	return err
}

func isPostgresDSN(dsn string) bool {
	l := strings.ToLower(dsn)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

func openPostgres(ctx context.Context, dsn, schema string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included; say less.
		return nil, fmt.Errorf("%w: cannot parse the PostgreSQL DSN", ErrDSN)
	}
	if cfg.DefaultQueryExecMode == pgx.QueryExecModeSimpleProtocol {
		return nil, fmt.Errorf("%w: the simple query protocol is not supported", ErrDSN)
	}
	if schema != "" {
		if cfg.RuntimeParams == nil {
			cfg.RuntimeParams = map[string]string{}
		}
		cfg.RuntimeParams["search_path"] = quoteIdent(schema)
	}
	db := stdlib.OpenDB(*cfg)
	n := max(4, 2*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := newStore(Postgres, db, db, true, nil, schema)
	s.pgcfg = cfg
	if err := s.migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// sqliteDSNs returns the writer's and the readers' DSNs for dsn, and
// whether it names an in-memory database.
func sqliteDSNs(dsn string) (writer, reader string, memory bool, err error) {
	if dsn == "" {
		return "", "", false, fmt.Errorf("%w: empty", ErrDSN)
	}
	base, query, _ := strings.Cut(dsn, "?")
	if base == "" {
		return "", "", false, fmt.Errorf("%w: no database path", ErrDSN)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", false, fmt.Errorf("%w: bad query parameters", ErrDSN)
	}
	memory = base == ":memory:" || strings.HasPrefix(base, "file::memory:") ||
		(strings.HasPrefix(base, "file:") && q.Get("mode") == "memory")
	// hasPragma reports whether the DSN sets the pragma through _pragma
	// (the driver runs those before the short forms, so a default given as
	// a short form would override the host's choice).
	hasPragma := func(name string) bool {
		return slices.ContainsFunc(q["_pragma"], func(p string) bool {
			rest, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(p)), name)
			rest = strings.TrimSpace(rest)
			return ok && (strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, "="))
		})
	}
	setDefault := func(key, alias, pragma, value string) {
		if q.Get(key) == "" && q.Get(alias) == "" && !hasPragma(pragma) {
			q.Set(key, value)
		}
	}
	q.Del("_fk")
	q.Set("_foreign_keys", "1")
	setDefault("_busy_timeout", "_timeout", "busy_timeout", sqliteBusyTimeoutMillis)
	setDefault("_synchronous", "_sync", "synchronous", sqliteSynchronous)
	if !memory {
		setDefault("_journal_mode", "_journal", "journal_mode", sqliteJournalMode)
		if !hasPragma("mmap_size") {
			q.Add("_pragma", sqliteMmapSize)
		}
	}
	q.Set("_txlock", "immediate")
	writer = base + "?" + q.Encode()
	q.Del("_txlock")
	q.Del("_journal_mode")
	q.Del("_journal")
	q.Set("_query_only", "1")
	reader = base + "?" + q.Encode()
	return writer, reader, memory, nil
}

func openSQLite(ctx context.Context, dsn string, names *prefixer) (*Store, error) {
	wdsn, rdsn, memory, err := sqliteDSNs(dsn)
	if err != nil {
		return nil, err
	}
	if !memory {
		if err := createPrivate(dsn); err != nil {
			return nil, err
		}
	}
	wc, err := sqlite.NewConnector(wdsn)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDSN, err)
	}
	w := sql.OpenDB(wc)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	r := w
	if !memory {
		rc, err := sqlite.NewConnector(rdsn)
		if err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("%w: %v", ErrDSN, err)
		}
		r = sql.OpenDB(rc)
		n := max(4, runtime.GOMAXPROCS(0))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
	}
	s := newStore(SQLite, w, r, true, names, "")
	if !memory {
		s.feedDSN = rdsn
	}
	if err := s.migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// createPrivate creates the database file of an SQLite DSN, if it is a
// plain path or a file: URI with a path and the file does not exist yet,
// readable by its owner only: it holds password hashes. SQLite gives the
// -wal and -shm files the database file's permissions.
func createPrivate(dsn string) error {
	path, _, _ := strings.Cut(dsn, "?")
	if rest, ok := strings.CutPrefix(path, "file:"); ok {
		if strings.HasPrefix(rest, "//") {
			u, err := url.Parse(path)
			if err != nil || (u.Host != "" && u.Host != "localhost") {
				return nil // let SQLite report what it makes of it
			}
			rest = u.Path
		} else if p, err := url.PathUnescape(rest); err == nil {
			rest = p
		}
		path = rest
	}
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("sqlstore: create database file: %w", err)
	}
	return f.Close()
}

// stmtCache holds the statements prepared on one pool.
type stmtCache struct {
	db     *sql.DB
	names  *prefixer // rewrites each statement once, when it is prepared
	m      sync.Map  // query string -> *sql.Stmt
	mu     sync.Mutex
	closed bool
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, c.names.rewrite(query))
	if err != nil {
		return nil, err
	}
	c.m.Store(query, st)
	return st, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var err error
	c.m.Range(func(k, v any) bool {
		err = errors.Join(err, v.(*sql.Stmt).Close())
		c.m.Delete(k)
		return true
	})
	return err
}

// scanner is a *sql.Row or a row that failed before it ran.
type scanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// conn runs statements on a pool (through cached prepared statements) or
// in a transaction (rewritten by names).
type conn struct {
	cache *stmtCache
	tx    *sql.Tx
	names *prefixer
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if c.tx != nil {
		return c.tx.ExecContext(ctx, c.names.rewrite(query), args...)
	}
	st, err := c.cache.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if c.tx != nil {
		return c.tx.QueryContext(ctx, c.names.rewrite(query), args...)
	}
	st, err := c.cache.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c conn) row(ctx context.Context, query string, args ...any) scanner {
	if c.tx != nil {
		return c.tx.QueryRowContext(ctx, c.names.rewrite(query), args...)
	}
	st, err := c.cache.get(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// affected returns ErrNotFound when res changed no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// check returns ctx's error or ErrClosed, before a method does anything.
func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

func (s *Store) reader() conn { return conn{cache: s.rst} }

// maxAttempts bounds the retries of a write that lost a lock race
// (SQLITE_BUSY, a PostgreSQL serialization failure or deadlock).
const maxAttempts = 20

// write runs fn against the writer pool outside a transaction, retrying it
// when the database reports a transient lock conflict (nothing was written).
func (s *Store) write(ctx context.Context, fn func(c conn) error) error {
	return s.retry(ctx, func() error { return fn(conn{cache: s.wst}) })
}

// tx runs fn in one write transaction, retrying it from the start on a
// transient lock conflict. fn's error rolls the transaction back.
func (s *Store) tx(ctx context.Context, fn func(c conn) error) error {
	return s.retry(ctx, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(conn{tx: tx, names: s.names}); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
}

func (s *Store) retry(ctx context.Context, fn func() error) error {
	delay := time.Millisecond
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == maxAttempts || !transient(err) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// transient reports whether err is a lock conflict after which the whole
// statement or transaction can be run again.
func transient(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// Driver error classes.
const (
	errOther = iota
	errUnique
	errForeignKey
)

// classify returns the class of a driver error and, for a uniqueness
// violation, text that names the constraint or its columns.
func classify(err error) (class int, where string) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errUnique, se.Error()
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errForeignKey, ""
		}
		return errOther, ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return errUnique, pe.ConstraintName
		case "23503":
			return errForeignKey, ""
		}
	}
	return errOther, ""
}

// fail turns err into the error a method returns: a store sentinel for
// missing rows and constraint violations, ctx's error once it is done,
// ErrClosed after Close, and otherwise the driver error with a prefix.
func (s *Store) fail(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	for _, sentinel := range []error{store.ErrNotFound, store.ErrConflict, store.ErrLimitReached, store.ErrInvalid, ErrClosed} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	switch class, where := classify(err); class {
	case errUnique:
		switch {
		case strings.Contains(where, "username_fold"):
			return store.ErrUsernameTaken
		case strings.Contains(where, "email_fold"):
			return store.ErrEmailTaken
		}
		return store.ErrConflict
	case errForeignKey:
		return store.ErrNotFound
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return fmt.Errorf("sqlstore: %w: %w", store.ErrUnavailable, ctxErr)
		}
		return fmt.Errorf("sqlstore: %w", ctxErr)
	}
	if s.closed.Load() {
		return ErrClosed
	}
	if transient(err) || unreachable(err) {
		return fmt.Errorf("sqlstore: %w: %w", store.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlstore: %w", err)
}

// unreachable reports whether err says the database server could not be
// reached or dropped the connection (nothing was committed that the
// caller was told about).
func unreachable(err error) bool {
	var (
		ne net.Error
		ce *pgconn.ConnectError
	)
	return errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || pgconn.Timeout(err)
}
