package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// pragma returns the value of an SQLite pragma on one connection of db.
func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	require.NoError(t, db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v), name)
	return v
}

// TestSQLiteConnectionSettings checks the settings Open promises on the
// connections themselves, not only in the DSN: WAL, a busy timeout and
// foreign keys on every connection, read-only reader connections.
func TestSQLiteConnectionSettings(t *testing.T) {
	t.Parallel()
	t.Run("File", func(t *testing.T) {
		t.Parallel()
		s := sqltest.Open(t, sqltest.SQLitePath(t))
		w, r := sqlstore.Pools(s)
		require.NotSame(t, w, r, "a file has a reader pool of its own")
		for name, db := range map[string]*sql.DB{"writer": w, "reader": r} {
			assert.Equal(t, "wal", pragma(t, db, "journal_mode"), name)
			assert.Equal(t, "5000", pragma(t, db, "busy_timeout"), name)
			assert.Equal(t, "1", pragma(t, db, "foreign_keys"), name)
			assert.Equal(t, "1", pragma(t, db, "synchronous"), name+": NORMAL")
		}
		assert.Equal(t, "0", pragma(t, w, "query_only"), "writer")
		assert.Equal(t, "1", pragma(t, r, "query_only"), "reader")
	})
	t.Run("OwnBusyTimeout", func(t *testing.T) {
		t.Parallel()
		s := sqltest.Open(t, sqltest.SQLitePath(t)+"?_busy_timeout=1234")
		w, r := sqlstore.Pools(s)
		assert.Equal(t, "1234", pragma(t, w, "busy_timeout"), "writer")
		assert.Equal(t, "1234", pragma(t, r, "busy_timeout"), "reader")
		assert.Equal(t, "wal", pragma(t, w, "journal_mode"))
	})
	t.Run("OwnPragmas", func(t *testing.T) {
		t.Parallel()
		// Settings given as _pragma win over the defaults too.
		s := sqltest.Open(t, sqltest.SQLitePath(t)+"?_pragma=synchronous(FULL)&_pragma=busy_timeout%3D777&_pragma=journal_mode(DELETE)")
		w, r := sqlstore.Pools(s)
		for name, db := range map[string]*sql.DB{"writer": w, "reader": r} {
			assert.Equal(t, "2", pragma(t, db, "synchronous"), name+": FULL")
			assert.Equal(t, "777", pragma(t, db, "busy_timeout"), name)
		}
		assert.Equal(t, "delete", pragma(t, w, "journal_mode"))
	})
	t.Run("Memory", func(t *testing.T) {
		t.Parallel()
		s := sqltest.Open(t, ":memory:")
		w, r := sqlstore.Pools(s)
		require.Same(t, w, r, "one connection serves a private in-memory database")
		assert.Equal(t, "5000", pragma(t, w, "busy_timeout"))
		assert.Equal(t, "1", pragma(t, w, "foreign_keys"))
	})
}

// exercise calls every method that runs its statements outside a
// transaction, so that each is prepared on the store's pools.
func exercise(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	u := &store.User{ID: "u1", Username: "Alice", Email: "alice@example.com", PasswordHash: "h", CreatedAt: t0}
	require.NoError(t, s.CreateUser(ctx, u))
	require.NoError(t, s.CreateAPIToken(ctx, &store.APIToken{ID: "t1", UserID: "u1", Digest: "d1", CreatedAt: t0}, 0))
	require.NoError(t, s.PutPendingTOTP(ctx, &store.TOTPCredential{UserID: "u1", Secret: []byte("s"), CreatedAt: t0}))
	require.NoError(t, s.ActivateTOTP(ctx, "u1", []byte("s"), 1, []string{"c1", "c2"}, t0))
	require.NoError(t, s.CreateRequest(ctx, &store.Request{ID: "r1", Kind: store.KindPasswordReset, UserID: "u1",
		CodeDigest: "cd", ExpiresAt: t0.Add(time.Hour)}))
	require.NoError(t, s.AddSigningKey(ctx, &store.SigningKey{ID: "k1", Sealed: []byte("k"), CreatedAt: t0}))
	require.NoError(t, s.RevokeToken(ctx, "j1", t0.Add(time.Hour)))

	_, err := s.User(ctx, "u1")
	require.NoError(t, err)
	_, err = s.UserByUsername(ctx, "alice")
	require.NoError(t, err)
	_, err = s.UserByEmail(ctx, "ALICE@example.com")
	require.NoError(t, err)
	u.Role = "admin"
	require.NoError(t, s.UpdateUser(ctx, u))
	require.NoError(t, s.SetLastLogin(ctx, "u1", t0))
	_, _, err = s.ListUsers(ctx, 10, "")
	require.NoError(t, err)
	_, err = s.APITokenByDigest(ctx, "d1")
	require.NoError(t, err)
	_, _, err = s.APITokenWithOwner(ctx, "d1")
	require.NoError(t, err)
	_, err = s.ListAPITokens(ctx, "u1")
	require.NoError(t, err)
	require.NoError(t, s.TouchAPIToken(ctx, "t1", t0))
	_, err = s.PendingTOTP(ctx, "u1")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.ActiveTOTP(ctx, "u1")
	require.NoError(t, err)
	require.NoError(t, s.AdvanceTOTPStep(ctx, "u1", 2))
	require.ErrorIs(t, s.AdvanceTOTPStep(ctx, "u1", 2), store.ErrConflict)
	_, err = s.RecoveryCodeDigests(ctx, "u1")
	require.NoError(t, err)
	require.NoError(t, s.ConsumeRecoveryCode(ctx, "u1", "c1"))
	_, err = s.Request(ctx, "r1")
	require.NoError(t, err)
	require.NoError(t, s.MarkRequestVerified(ctx, "r1", store.VerifiedEmail))
	require.NoError(t, s.DeleteRequest(ctx, "r1"))
	require.NoError(t, s.DeleteExpiredRequests(ctx, t0))
	_, err = s.SigningKeys(ctx)
	require.NoError(t, err)
	require.NoError(t, s.DeleteSigningKey(ctx, "k1"))
	_, err = s.IsRevoked(ctx, "j1")
	require.NoError(t, err)
	require.NoError(t, s.DeleteExpiredRevocations(ctx, t0))
	_, err = s.Hit(ctx, "c", 1, time.Minute, t0)
	require.NoError(t, err)
	_, err = s.Counter(ctx, "c", t0)
	require.NoError(t, err)
	require.NoError(t, s.Ban(ctx, "c", t0.Add(time.Hour)))
	_, err = s.ListCounters(ctx, "c", t0)
	require.NoError(t, err)
	require.NoError(t, s.DeleteCounter(ctx, "c"))
	require.NoError(t, s.DeleteDeadCounters(ctx, t0))
	require.NoError(t, s.DeleteAPIToken(ctx, "u1", "t1"))

	sess := &store.Session{ID: "s1", UserID: "u1", CreatedAt: t0, LastUsedAt: t0, IdleTimeout: time.Hour,
		ExpiresAt: t0.Add(24 * time.Hour), RefreshSeq: 1}
	require.NoError(t, s.CreateSession(ctx, sess, "r1", 0))
	_, err = s.Session(ctx, "s1")
	require.NoError(t, err)
	_, _, err = s.SessionWithOwner(ctx, "s1")
	require.NoError(t, err)
	_, err = s.ListSessions(ctx, "u1")
	require.NoError(t, err)
	_, _, r, err := s.RotateRefreshToken(ctx, "r1", "r2", t0.Add(time.Minute), time.Minute)
	require.NoError(t, err)
	require.Equal(t, store.Rotated, r)
	_, _, r, err = s.RotateRefreshToken(ctx, "r1", "r3", t0.Add(time.Minute), 0)
	require.NoError(t, err)
	require.Equal(t, store.RotationGrace, r)
	_, _, r, err = s.RotateRefreshToken(ctx, "r1", "r3", t0.Add(2*time.Minute), 0)
	require.NoError(t, err)
	require.Equal(t, store.RotationReused, r)
	require.NoError(t, s.CreateSession(ctx, sess, "r1", 0))
	_, _, _, err = s.RotateRefreshToken(ctx, "r1", "r2", t0.Add(48*time.Hour), 0)
	require.ErrorIs(t, err, store.ErrNotFound, "expired: deleted")
	require.NoError(t, s.CreateSession(ctx, sess, "r1", 0))
	require.NoError(t, s.DeleteSession(ctx, "u1", "s1"))
	_, err = s.DeleteUserSessions(ctx, "u1")
	require.NoError(t, err)
	require.NoError(t, s.DeleteExpiredSessions(ctx, t0))

	pk := &store.PasskeyCredential{ID: "p1", UserID: "u1", CredentialID: []byte("c1"), PublicKey: []byte("k"), CreatedAt: t0}
	require.NoError(t, s.CreatePasskey(ctx, pk, 0))
	_, err = s.Passkey(ctx, "u1", "p1")
	require.NoError(t, err)
	_, _, err = s.PasskeyByCredentialID(ctx, []byte("c1"))
	require.NoError(t, err)
	_, err = s.ListPasskeys(ctx, "u1")
	require.NoError(t, err)
	require.NoError(t, s.RenamePasskey(ctx, "u1", "p1", "laptop"))
	require.NoError(t, s.RecordPasskeyUse(ctx, "p1", 0, 1, true, t0))
	require.ErrorIs(t, s.RecordPasskeyUse(ctx, "p1", 0, 1, true, t0), store.ErrConflict)
	require.NoError(t, s.SetPasskeyHandle(ctx, "u1", []byte("h1")))
	_, err = s.PasskeyHandle(ctx, "u1")
	require.NoError(t, err)
	_, err = s.UserByPasskeyHandle(ctx, []byte("h1"))
	require.NoError(t, err)
	require.NoError(t, s.DeletePasskey(ctx, "u1", "p1"))
	require.NoError(t, s.DeleteUser(ctx, "u1"))
}

// fullScans are the statements that read a whole table by design: listing
// every signing key, and the live counters (an administrative listing).
var fullScans = []string{
	"SELECT id, sealed, created_at FROM signing_keys ",
	"SELECT counter_key, hits, reset_at, banned_until FROM counters\nWHERE (reset_at",
}

// lookups are statements that must be among the prepared ones: the
// lookups by digest, username, email and request ID.
var lookups = []string{
	"FROM api_tokens WHERE digest = $1",
	"FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = $1",
	"FROM users WHERE username_fold = $1",
	"FROM users WHERE email_fold = $1",
	"FROM requests WHERE id = $1",
	"FROM sessions WHERE id = $1",
	"FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
	"FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id WHERE t.digest = $1",
	"DELETE FROM sessions WHERE ends_at <= $1",
	"FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.credential_id = $1",
	"FROM passkey_handles h JOIN users u ON u.id = h.user_id WHERE h.handle = $1",
}

var paramRE = regexp.MustCompile(`\$(\d+)`)

func numParams(q string) int {
	n := 0
	for _, m := range paramRE.FindAllStringSubmatch(q, -1) {
		v, _ := strconv.Atoi(m[1])
		n = max(n, v)
	}
	return n
}

// TestIndexedLookups checks that every statement the store prepares reads
// through an index, on tables far too small for the planner to prefer an
// index on its own: SQLite plans by the schema (and must not sort either),
// and PostgreSQL is told to avoid sequential scans and to plan for any
// argument, so a missing index shows as a sequential scan. (PostgreSQL may
// still sort the few rows of one user that an index found.)
func TestIndexedLookups(t *testing.T) {
	t.Parallel()
	dialectDSNs(t, func(t *testing.T, dsn string) {
		s := sqltest.Open(t, dsn)
		exercise(t, s)
		queries := sqlstore.PreparedQueries(s)
		for _, l := range lookups {
			assert.True(t, strings.Contains(strings.Join(queries, "\n"), l), "%q was prepared", l)
		}
		explain := explainSQLite
		if s.Dialect() == sqlstore.Postgres {
			explain = explainPostgres
		}
		db := openRaw(t, dsn)
		conn, err := db.Conn(t.Context())
		require.NoError(t, err)
		defer conn.Close()
		if s.Dialect() == sqlstore.Postgres {
			_, err := conn.ExecContext(t.Context(), `SET enable_seqscan = off`)
			require.NoError(t, err)
			_, err = conn.ExecContext(t.Context(), `SET plan_cache_mode = force_generic_plan`)
			require.NoError(t, err)
		}
		for i, q := range queries {
			plan := explain(t, conn, i, q)
			allowed := false
			for _, f := range fullScans {
				allowed = allowed || strings.HasPrefix(q, f)
			}
			if allowed {
				continue
			}
			for _, bad := range []string{"SCAN ", "USE TEMP B-TREE", "Seq Scan"} {
				assert.NotContains(t, plan, bad, "statement:\n%s\nplan:\n%s", q, plan)
			}
		}
	})
}

func explainSQLite(t *testing.T, conn *sql.Conn, _ int, q string) string {
	t.Helper()
	rows, err := conn.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, make([]any, numParams(q))...)
	require.NoError(t, err, q)
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		fmt.Fprintln(&b, detail)
	}
	require.NoError(t, rows.Err())
	return b.String()
}

func explainPostgres(t *testing.T, conn *sql.Conn, i int, q string) string {
	t.Helper()
	ctx := t.Context()
	name := fmt.Sprintf("latch_plan_%d", i)
	_, err := conn.ExecContext(ctx, "PREPARE "+name+" AS "+q)
	require.NoError(t, err, q)
	defer func() {
		_, err := conn.ExecContext(context.Background(), "DEALLOCATE "+name)
		assert.NoError(t, err)
	}()
	exec := "EXPLAIN EXECUTE " + name
	if n := numParams(q); n > 0 {
		exec += "(" + strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ") + ")"
	}
	rows, err := conn.QueryContext(ctx, exec)
	require.NoError(t, err, q)
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		fmt.Fprintln(&b, line)
	}
	require.NoError(t, rows.Err())
	return b.String()
}
