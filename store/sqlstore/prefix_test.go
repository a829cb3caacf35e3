package sqlstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testNames are the names the rewriter tests prefix: a table named like an
// SQL function (changes) included.
var testNames = []string{"users", "sessions", "users_email_idx", "changes", "audit_trg", schemaVersionTable}

func TestPrefixerRewrite(t *testing.T) {
	t.Parallel()
	p, err := newPrefixer("latch_", testNames)
	require.NoError(t, err)
	tests := []struct {
		name, in, want string
	}{
		{"select", `SELECT id FROM users WHERE id = $1`, `SELECT id FROM latch_users WHERE id = $1`},
		{"at start and end", `users`, `latch_users`},
		{"qualified column", `SELECT users.id FROM users`, `SELECT latch_users.id FROM latch_users`},
		{"schema qualified", `SELECT 1 FROM main.users`, `SELECT 1 FROM main.latch_users`},
		{"any case", `select 1 from USERS join Sessions on 1`, `select 1 from latch_USERS join latch_Sessions on 1`},
		{"quoted identifiers", "SELECT 1 FROM \"users\", `sessions`, [users]", "SELECT 1 FROM \"latch_users\", `latch_sessions`, [latch_users]"},
		{"string literals", `SELECT 'users', 'it''s users', x'00' FROM users`, `SELECT 'users', 'it''s users', x'00' FROM latch_users`},
		{"comments", "-- users\nSELECT /* sessions */ 1 FROM users", "-- users\nSELECT /* sessions */ 1 FROM latch_users"},
		{"longer identifiers", `SELECT users_id, my_users, users2, usersé FROM users_email_idx2`, `SELECT users_id, my_users, users2, usersé FROM users_email_idx2`},
		{"columns named like nothing", `SELECT username_fold FROM users`, `SELECT username_fold FROM latch_users`},
		{"parameters", `SELECT :users, @users, $users, ?1 FROM users`, `SELECT :users, @users, $users, ?1 FROM latch_users`},
		{"index", `CREATE UNIQUE INDEX users_email_idx ON users (email)`, `CREATE UNIQUE INDEX latch_users_email_idx ON latch_users (email)`},
		{"table before paren", `CREATE TABLE IF NOT EXISTS changes(id INTEGER) ; INSERT INTO changes(id) VALUES (1); CREATE TABLE s (u TEXT REFERENCES users(id)); CREATE INDEX i ON users(id)`,
			`CREATE TABLE IF NOT EXISTS latch_changes(id INTEGER) ; INSERT INTO latch_changes(id) VALUES (1); CREATE TABLE s (u TEXT REFERENCES latch_users(id)); CREATE INDEX i ON latch_users(id)`},
		{"function call", `SELECT changes(), changes ( ) FROM changes`, `SELECT changes(), changes ( ) FROM latch_changes`},
		{"trigger body", `CREATE TRIGGER audit_trg AFTER DELETE ON users BEGIN INSERT INTO changes (tbl, id) VALUES ('users', OLD.id); DELETE FROM sessions WHERE user_id = OLD.id; END`,
			`CREATE TRIGGER latch_audit_trg AFTER DELETE ON latch_users BEGIN INSERT INTO latch_changes (tbl, id) VALUES ('users', OLD.id); DELETE FROM latch_sessions WHERE user_id = OLD.id; END`},
		{"bookkeeping", `SELECT MAX(version) FROM latch_schema_version`, `SELECT MAX(version) FROM latch_latch_schema_version`},
		{"unterminated string", `SELECT 'users FROM users`, `SELECT 'users FROM users`},
		{"unterminated comment", `SELECT 1 FROM users /* users`, `SELECT 1 FROM latch_users /* users`},
		{"escaped quote in identifier", `SELECT 1 FROM "us""ers", "users`, `SELECT 1 FROM "us""ers", "users`},
		{"numbers", `SELECT 1e5, 0x1F, .5users FROM users`, `SELECT 1e5, 0x1F, .5users FROM latch_users`},
		{"empty", ``, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, p.rewrite(tc.in))
			assert.Equal(t, tc.want, p.rewrite(tc.in), "from the cache")
		})
	}
}

func TestPrefixerNil(t *testing.T) {
	t.Parallel()
	p, err := prefixerFor(SQLite, "")
	require.NoError(t, err)
	require.Nil(t, p)
	assert.Equal(t, "SELECT 1 FROM users", p.rewrite("SELECT 1 FROM users"))
}

func TestPrefixerRefusesCollidingPrefix(t *testing.T) {
	t.Parallel()
	_, err := newPrefixer("my_", []string{"users", "my_users"})
	require.ErrorIs(t, err, ErrOptions)
}

func TestPrefixerCacheBounded(t *testing.T) {
	t.Parallel()
	p, err := newPrefixer("latch_", testNames)
	require.NoError(t, err)
	for i := range maxCachedStatements + 10 {
		p.rewrite("SELECT " + strings.Repeat("1,", i) + "1 FROM users")
	}
	p.rewrite("SELECT 1 FROM users " + strings.Repeat(" ", maxCachedLen))
	n := 0
	p.cache.Range(func(any, any) bool { n++; return true })
	assert.Equal(t, maxCachedStatements, n)
}

func TestCreatedNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"table", "CREATE TABLE users (id TEXT)", []string{"users"}},
		{"unique index", "CREATE UNIQUE INDEX users_email_idx ON users (email)", []string{"users_email_idx"}},
		{"if not exists", "create table if not exists Changes (id TEXT)", []string{"changes"}},
		{"temp trigger", "CREATE TEMP TRIGGER t1 AFTER INSERT ON users BEGIN SELECT 1; END", []string{"t1"}},
		{"view", `CREATE VIEW "v1" AS SELECT 1`, []string{"v1"}},
		{"qualified", "CREATE TABLE main.users2 (id TEXT)", []string{"users2"}},
		{"rename", "ALTER TABLE users RENAME TO people; ALTER TABLE people RENAME COLUMN a TO b", []string{"people"}},
		{"not in literals or comments", "-- CREATE TABLE a\nSELECT 'CREATE TABLE b'; /* CREATE INDEX c */", nil},
		{"no name", "CREATE TABLE", nil},
		{"create schema", "CREATE SCHEMA s", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, createdNames(tc.sql))
		})
	}
}

// TestObjectNames checks the names read from the embedded SQLite
// migrations: every table and index, and the schema-version table.
func TestObjectNames(t *testing.T) {
	t.Parallel()
	names, err := SQLite.objectNames()
	require.NoError(t, err)
	for _, n := range []string{schemaVersionTable, "users", "users_username_fold_uniq", "api_tokens", "sessions", "sessions_ends_idx", "user_identifiers", "passkey_handles_handle_uniq"} {
		assert.Contains(t, names, n)
	}
	assert.NotContains(t, names, "username_fold", "a column")
}

// FuzzPrefixerRewrite checks, for any statement text: no panic; the
// rewrite only inserts the prefix (so the output is the input plus whole
// copies of the prefix, in order); rewriting the output changes nothing
// (no prefixed name is itself a name); and the empty prefix changes
// nothing.
func FuzzPrefixerRewrite(f *testing.F) {
	ms, err := SQLite.migrations()
	require.NoError(f, err)
	for _, m := range ms {
		f.Add(m.sql)
	}
	for _, s := range []string{
		`SELECT 'users', "users", [users], ` + "`users`" + ` FROM users -- users`,
		`INSERT INTO changes(id) SELECT changes()`,
		`'`, `"`, `[`, `/*`, `--`, `'a''`, `"a""b"`, "users\x00sessions",
	} {
		f.Add(s)
	}
	p, err := newPrefixer("latch_", testNames)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, q string) {
		out := p.rewrite(q)
		require.Zero(t, (len(out)-len(q))%len("latch_"))
		// Removing inserted prefixes gives q back: walk both texts.
		i, j := 0, 0
		for i < len(q) && j < len(out) {
			if q[i] == out[j] {
				i, j = i+1, j+1
				continue
			}
			require.True(t, strings.HasPrefix(out[j:], "latch_"), "only the prefix is inserted: %q -> %q", q, out)
			j += len("latch_")
		}
		require.Equal(t, len(q), i)
		require.Equal(t, out, p.rewrite(out), "idempotent")
		require.Equal(t, out, p.apply(q), "cache and direct agree")
	})
}

// TestEveryStatementRewritten checks that the package's own code hands
// every statement text to the driver through the prefixer: each call of
// a database/sql method taking SQL text passes it through rewrite. A call
// added without it would run unprefixed under Options.TablePrefix.
func TestEveryStatementRewritten(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	takesSQL := map[string]bool{"ExecContext": true, "QueryContext": true, "QueryRowContext": true, "PrepareContext": true,
		"Exec": true, "Query": true, "QueryRow": true, "Prepare": true}
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !takesSQL[sel.Sel.Name] || len(call.Args) < 2 {
				return true
			}
			if len(call.Args) == 2 && call.Ellipsis.IsValid() {
				return true // a *sql.Stmt's (ctx, args...): no SQL text
			}
			// The statement text is the second argument of the Context
			// methods (ctx first).
			arg := call.Args[1]
			if inner, ok := arg.(*ast.CallExpr); ok {
				if s, ok := inner.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "rewrite" {
					calls++
					return true
				}
			}
			t.Errorf("%s: %s passes SQL text that the prefixer has not rewritten", fset.Position(call.Pos()), sel.Sel.Name)
			return true
		})
	}
	assert.Positive(t, calls)
}

// BenchmarkPrefixerRewrite measures a statement's rewrite: the first
// time (lexing) and every later time (the cache).
func BenchmarkPrefixerRewrite(b *testing.B) {
	names, err := SQLite.objectNames()
	require.NoError(b, err)
	const q = `SELECT u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.ends_at > $2`
	b.Run("first", func(b *testing.B) {
		p, err := newPrefixer("latch_", names)
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			_ = p.apply(q)
		}
	})
	b.Run("cached", func(b *testing.B) {
		p, err := newPrefixer("latch_", names)
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			_ = p.rewrite(q)
		}
	})
}
