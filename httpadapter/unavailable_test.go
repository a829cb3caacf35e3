package httpadapter_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/internal/faultproxy"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// stallStore answers every rate-limit hit (the first store call of every
// credential check) only when its context ends while stalled is set: a
// database that stopped answering.
type stallStore struct {
	store.Store
	stalled atomic.Bool
}

func (s *stallStore) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	if s.stalled.Load() {
		<-ctx.Done()
		return store.Counter{}, ctx.Err()
	}
	return s.Store.Hit(ctx, key, delta, window, now)
}

// budget is the request budget of the unavailability tests, and slack what
// the answer may take beyond it (a loaded CI machine under -race).
const (
	budget = 2 * time.Second
	slack  = 3 * time.Second
)

// expectUnavailable sends a sign-in and checks that it is answered 503
// UNAVAILABLE with Retry-After, within the budget (plus slack), and that the
// answer says nothing of the cause.
func expectUnavailable(t *testing.T, e *env) {
	t.Helper()
	began := time.Now()
	r := e.do(call{method: "POST", path: "/login/password", body: loginBody("admin", adminPassword)})
	took := time.Since(began)
	expect(t, r, 503, "UNAVAILABLE")
	retry, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After")
	assert.Positive(t, retry)
	assert.Less(t, took, budget+slack, "answered within the request budget")
}

// expectRecovers signs in until the service answers again, for at most a
// few seconds: it recovers by itself, nothing is restarted.
func expectRecovers(t *testing.T, e *env) {
	t.Helper()
	var r *response
	for range 40 {
		r = e.do(call{method: "POST", path: "/login/password", body: loginBody("admin", adminPassword)})
		if r.status == 200 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the service did not recover: %d %s", r.status, r.body)
}

// testUnavailable: a store that stops answering gives 503 UNAVAILABLE with
// Retry-After within the request budget, on every backend.
func testUnavailable(t *testing.T, cov *coverage, b backend) {
	var st *stallStore
	wrapped := backend{b.name, func(t testing.TB) store.Store {
		st = &stallStore{Store: b.open(t)}
		return st
	}}
	e := newEnv(t, cov, envConfig{backend: wrapped, prefix: prefix, adapter: httpadapter.Config{RequestTimeout: budget}})
	st.stalled.Store(true)
	expectUnavailable(t, e)
	st.stalled.Store(false)
	expectRecovers(t, e)
}

// TestUnavailableSQLiteLocked locks the SQLite file from another
// connection, as another process holding a write transaction would.
func TestUnavailableSQLiteLocked(t *testing.T) {
	t.Parallel()
	path := sqltest.SQLitePath(t)
	e := newEnv(t, newCoverage(), envConfig{
		backend: backend{"sqlite", func(t testing.TB) store.Store { return sqltest.Open(t, path) }},
		prefix:  prefix,
		adapter: httpadapter.Config{RequestTimeout: budget},
	})
	other, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	conn, err := other.Conn(t.Context())
	require.NoError(t, err)
	_, err = conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE")
	require.NoError(t, err)

	expectUnavailable(t, e)
	assert.Contains(t, e.logs.String(), "store unavailable", "the cause is logged")

	_, err = conn.ExecContext(t.Context(), "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	expectRecovers(t, e)
}

// TestUnavailablePostgresStalls puts a TCP proxy between the store and
// PostgreSQL and stops it forwarding, as a server that stops answering
// (or a network that drops everything) would look. The shared server is
// never touched.
func TestUnavailablePostgresStalls(t *testing.T) {
	t.Parallel()
	if os.Getenv(sqltest.EnvPostgres) == "" {
		t.Skip(sqltest.EnvPostgres + " not set")
	}
	dsn, err := url.Parse(sqltest.OpenPostgresSchema(t))
	require.NoError(t, err)
	p := faultproxy.Start(t, dsn.Host)
	dsn.Host = p.Addr
	e := newEnv(t, newCoverage(), envConfig{
		backend: backend{"postgres", func(t testing.TB) store.Store { return sqltest.Open(t, dsn.String()) }},
		prefix:  prefix,
		adapter: httpadapter.Config{RequestTimeout: budget},
	})
	p.Stall()
	expectUnavailable(t, e)
	expectUnavailable(t, e)
	p.Resume()
	expectRecovers(t, e)
}
