package sqlstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"modernc.org/sqlite"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// Benchmark fixtures are loaded once per test binary and dialect/size (a
// 100k-user load takes seconds) and removed by TestMain.
type fixture struct {
	once    sync.Once
	s       *sqlstore.Store
	dsn     string
	err     error
	digests []string
	names   []string
}

type fixtures struct {
	mu       sync.Mutex
	m        map[string]*fixture
	cleanups []func()
}

var benchFixtures = &fixtures{m: map[string]*fixture{}}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range benchFixtures.cleanups {
		f()
	}
	os.Exit(code)
}

func benchDigest(i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "lt_token_%d", i))
	return hex.EncodeToString(sum[:])
}

// fixtureStore returns a store holding n users, each with one API token.
func fixtureStore(b *testing.B, dialect string, n int) *fixture {
	b.Helper()
	key := fmt.Sprint(dialect, n)
	benchFixtures.mu.Lock()
	f, ok := benchFixtures.m[key]
	if !ok {
		f = &fixture{}
		benchFixtures.m[key] = f
	}
	benchFixtures.mu.Unlock()
	f.once.Do(func() { f.err = f.load(dialect, n) })
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f
}

func (f *fixture) load(dialect string, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var dsn string
	switch dialect {
	case "sqlite":
		dir, err := os.MkdirTemp("", "latch-bench")
		if err != nil {
			return err
		}
		benchFixtures.add(func() { _ = os.RemoveAll(dir) })
		dsn = filepath.Join(dir, "latch.db")
	case "postgres":
		var err error
		if dsn, err = benchSchema(ctx); err != nil {
			return err
		}
	}
	s, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	benchFixtures.add(func() { _ = s.Close() })
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d := &store.Dump{Users: make([]store.User, n), APITokens: make([]store.APIToken, n)}
	f.digests, f.names = make([]string, n), make([]string, n)
	for i := range n {
		id := fmt.Sprintf("u%07d", i)
		f.names[i] = fmt.Sprintf("User%07d", i)
		f.digests[i] = benchDigest(i)
		d.Users[i] = store.User{ID: id, Username: f.names[i], Email: f.names[i] + "@example.com", Role: "member",
			Permissions: []string{"read", "write"}, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			CreatedAt: t, UpdatedAt: t}
		d.APITokens[i] = store.APIToken{ID: fmt.Sprintf("t%07d", i), UserID: id, Name: "ci", Prefix: "lt_abcd",
			Digest: f.digests[i], Permissions: []string{"read"}, CreatedAt: t}
	}
	// Restore inserts everything in one transaction through prepared
	// statements.
	if err := s.Restore(ctx, d); err != nil {
		return err
	}
	if dialect == "sqlite" {
		// Reach the steady state of a database written long ago: the rows
		// in the main file, not in the write-ahead log.
		c, err := sqlite.NewConnector(dsn)
		if err != nil {
			return err
		}
		db := sql.OpenDB(c)
		var busy, log, done int
		err = db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &done)
		_ = db.Close()
		if err != nil {
			return err
		}
		if busy != 0 {
			return fmt.Errorf("checkpoint: busy (%d of %d frames)", done, log)
		}
	}
	f.s, f.dsn = s, dsn
	return nil
}

func (fs *fixtures) add(f func()) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.cleanups = append([]func(){f}, fs.cleanups...)
}

// benchSchema creates a schema for the benchmarks in the LATCH_TEST_POSTGRES
// database; TestMain drops it.
func benchSchema(ctx context.Context) (string, error) {
	base := os.Getenv(sqltest.EnvPostgres)
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	schema := "latch_b_" + hex.EncodeToString(r[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", err
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", err
	}
	benchFixtures.add(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if admin, err := pgx.Connect(ctx, base); err == nil {
			_, _ = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			_ = admin.Close(ctx)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

var benchSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}}

func benchDialects(b *testing.B, f func(b *testing.B, dialect string, n int)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, size := range benchSizes {
			b.Run("db="+dialect+"/users="+size.name, func(b *testing.B) {
				if dialect == "postgres" {
					sqltest.PostgresDSN(b)
				}
				f(b, dialect, size.n)
			})
		}
	}
}

// stride visits the keys in a scattered order, so the benchmark does not
// read neighbouring index pages in sequence.
const stride = 7919

// loop runs lookup b.N times on keys in scattered order and reports, next
// to ns/op (wall clock, which a busy shared machine inflates), cpu-ns/op:
// the CPU time of this process per lookup (for PostgreSQL that leaves out
// the server's work).
func loop(b *testing.B, keys []string, lookup func(ctx context.Context, key string) error) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	var cpu0 time.Duration
	for b.Loop() {
		if i == 0 {
			cpu0 = processCPU(b)
		}
		if err := lookup(ctx, keys[i%len(keys)]); err != nil {
			b.Fatal(err)
		}
		i += stride
	}
	if cpu := processCPU(b) - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkAPITokenByDigest(b *testing.B) {
	benchDialects(b, func(b *testing.B, dialect string, n int) {
		f := fixtureStore(b, dialect, n)
		loop(b, f.digests, func(ctx context.Context, digest string) error {
			_, err := f.s.APITokenByDigest(ctx, digest)
			return err
		})
	})
}

func BenchmarkUserByUsername(b *testing.B) {
	benchDialects(b, func(b *testing.B, dialect string, n int) {
		f := fixtureStore(b, dialect, n)
		loop(b, f.names, func(ctx context.Context, name string) error {
			_, err := f.s.UserByUsername(ctx, name)
			return err
		})
	})
}

// BenchmarkRawSQLiteDigestRead is the floor the SQLite lookups are measured
// against: the same indexed read of one column through a prepared
// statement on a plain database/sql pool, with none of the store's work.
func BenchmarkRawSQLiteDigestRead(b *testing.B) {
	for _, size := range benchSizes {
		b.Run("users="+size.name, func(b *testing.B) {
			f := fixtureStore(b, "sqlite", size.n)
			c, err := sqlite.NewConnector(f.dsn + "?_pragma=mmap_size(1073741824)&_query_only=1")
			if err != nil {
				b.Fatal(err)
			}
			db := sql.OpenDB(c)
			defer db.Close()
			st, err := db.Prepare(`SELECT user_id FROM api_tokens WHERE digest = $1`)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			var userID string
			loop(b, f.digests, func(ctx context.Context, digest string) error {
				return st.QueryRowContext(ctx, digest).Scan(&userID)
			})
		})
	}
}

// BenchmarkAPITokenByDigestParallel measures the throughput of digest
// lookups from GOMAXPROCS goroutines at once, as a server's concurrent
// requests make them (SQLite serves reads from a pool of read-only
// connections). ns/op is wall time per lookup across all goroutines, so
// 1e9/ns-op is lookups per second.
func BenchmarkAPITokenByDigestParallel(b *testing.B) {
	benchDialects(b, func(b *testing.B, dialect string, n int) {
		f := fixtureStore(b, dialect, n)
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			i := int(next.Add(1)) * 104729
			for pb.Next() {
				if _, err := f.s.APITokenByDigest(ctx, f.digests[i%len(f.digests)]); err != nil {
					b.Error(err)
					return
				}
				i += stride
			}
		})
	})
}

// BenchmarkRotateRefreshToken measures one refresh: the rotation of a
// session's live refresh token (a read of token, session and user, then
// the compare-and-swap write), and the answer within the grace period to
// a client that sends its previous token again (the read alone).
func BenchmarkRotateRefreshToken(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run("db="+dialect, func(b *testing.B) {
			var s *sqlstore.Store
			if dialect == "sqlite" {
				s = sqltest.Open(b, sqltest.SQLitePath(b))
			} else {
				s = sqltest.Open(b, sqltest.OpenPostgresSchema(b))
			}
			ctx := context.Background()
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := s.CreateUser(ctx, &store.User{ID: "u1", Username: "alice", Permissions: []string{"read"}}); err != nil {
				b.Fatal(err)
			}
			sess := &store.Session{ID: "s1", UserID: "u1", CreatedAt: t0, LastUsedAt: t0, IdleTimeout: time.Hour,
				ExpiresAt: t0.Add(24 * time.Hour), RefreshSeq: 1}
			if err := s.CreateSession(ctx, sess, benchDigest(0), 0); err != nil {
				b.Fatal(err)
			}
			n := 0
			b.Run("rotated", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _, r, err := s.RotateRefreshToken(ctx, benchDigest(n), benchDigest(n+1), t0.Add(time.Second), time.Minute)
					if err != nil || r != store.Rotated {
						b.Fatal(r, err)
					}
					n++
				}
			})
			b.Run("grace", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _, r, err := s.RotateRefreshToken(ctx, benchDigest(n-1), "unused", t0.Add(time.Second), time.Minute)
					if err != nil || r != store.RotationGrace {
						b.Fatal(r, err)
					}
				}
			})
		})
	}
}
