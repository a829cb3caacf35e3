package sqlstore

import "errors"

var (
	// ErrClosed is returned by every method of a Store after Close.
	ErrClosed = errors.New("sqlstore: store is closed")
	// ErrDSN is returned by Open for a data source name it cannot use.
	ErrDSN = errors.New("sqlstore: invalid data source name")
	// ErrOptions is returned by OpenWith and NewWith for Options they
	// cannot use: a malformed table prefix or schema, or one given for the
	// other dialect.
	ErrOptions = errors.New("sqlstore: invalid options")
	// ErrDialect is returned by New for a Dialect other than SQLite and
	// Postgres.
	ErrDialect = errors.New("sqlstore: unknown dialect")
	// ErrSchemaTooNew is returned by Open and New when the database was
	// migrated by a newer version of this package, whose schema this one
	// does not know.
	ErrSchemaTooNew = errors.New("sqlstore: database schema is newer than this version")
)
