package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Options place Latch's tables in a database it shares with its host. The
// zero value is what Open and New use: unprefixed tables (SQLite), and the
// schema the connection's search_path selects (PostgreSQL).
type Options struct {
	// TablePrefix (SQLite only) is put before the name of every table,
	// index and trigger Latch creates, the latch_schema_version table
	// included, for example "latch_" for latch_users. Stores with
	// different prefixes in one database file are independent.
	TablePrefix string
	// Schema (PostgreSQL only) is the schema holding Latch's tables. Open
	// creates it if it is missing and sets every connection's search_path
	// to it alone, replacing any search_path in the DSN; migrations are
	// recorded, and exclude each other, per schema. Stores on different
	// schemas of one database are independent.
	Schema string
}

// Bounds of Options names: PostgreSQL identifiers are at most 63 bytes,
// and the longest name Latch prefixes is 31.
const (
	maxTablePrefixLen = 32
	maxSchemaLen      = 63
)

// validName reports whether s is a non-empty lower-case SQL identifier:
// [a-z_][a-z0-9_]*, at most max bytes.
func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// check returns an ErrOptions error if o cannot be used with dialect d.
func (o Options) check(d Dialect) error {
	switch {
	case o.TablePrefix != "" && d != SQLite:
		return fmt.Errorf("%w: TablePrefix is for SQLite; use Schema on PostgreSQL", ErrOptions)
	case o.Schema != "" && d != Postgres:
		return fmt.Errorf("%w: Schema is for PostgreSQL; use TablePrefix on SQLite", ErrOptions)
	case o.TablePrefix != "" && !validName(o.TablePrefix, maxTablePrefixLen):
		return fmt.Errorf("%w: TablePrefix must match [a-z_][a-z0-9_]* and be at most %d bytes", ErrOptions, maxTablePrefixLen)
	case len(o.TablePrefix) >= len("sqlite_") && o.TablePrefix[:len("sqlite_")] == "sqlite_":
		return fmt.Errorf("%w: SQLite reserves names starting with sqlite_", ErrOptions)
	case o.Schema != "" && !validName(o.Schema, maxSchemaLen):
		return fmt.Errorf("%w: Schema must match [a-z_][a-z0-9_]* and be at most %d bytes", ErrOptions, maxSchemaLen)
	case len(o.Schema) >= len("pg_") && o.Schema[:len("pg_")] == "pg_":
		return fmt.Errorf("%w: PostgreSQL reserves schema names starting with pg_", ErrOptions)
	}
	return nil
}

// OpenWith is Open with Options: a DSN as for Open, and Latch's tables
// under o.TablePrefix (SQLite) or in o.Schema (PostgreSQL), beside the
// host's own.
func OpenWith(ctx context.Context, dsn string, o Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := SQLite
	if isPostgresDSN(dsn) {
		d = Postgres
	}
	if err := o.check(d); err != nil {
		return nil, err
	}
	names, err := prefixerFor(d, o.TablePrefix)
	if err != nil {
		return nil, err
	}
	if d == Postgres {
		return openPostgres(ctx, dsn, o.Schema)
	}
	return openSQLite(ctx, dsn, names)
}

// NewWith is New with Options. For SQLite, the store rewrites its
// statements to use o.TablePrefix. For PostgreSQL, db's connections must
// already select o.Schema through their search_path (for pgx, the
// search_path runtime parameter); NewWith creates the schema if it is
// missing and refuses, with ErrOptions, a pool whose current schema is
// another.
func NewWith(ctx context.Context, db *sql.DB, dialect Dialect, o Options) (*Store, error) {
	if dialect != SQLite && dialect != Postgres {
		return nil, ErrDialect
	}
	if err := o.check(dialect); err != nil {
		return nil, err
	}
	names, err := prefixerFor(dialect, o.TablePrefix)
	if err != nil {
		return nil, err
	}
	return newWith(ctx, db, dialect, names, o.Schema)
}

// quoteIdent quotes a name validName accepts (which may be a keyword).
func quoteIdent(name string) string { return `"` + name + `"` }
