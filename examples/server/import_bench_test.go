package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/importer"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
)

// genUsers is an import file of n accounts made as it is read, so the
// benchmark's input takes no memory: CSV with an email per account, or an
// SFTPGo dump of users shaped like the ones SFTPGo writes.
type genUsers struct {
	format importer.Format
	n, i   int
	buf    []byte
	done   bool
}

// A sha512crypt hash from mkpasswd (importer/testdata/shadow, kim),
// stored as given for every account.
const benchHash = "$6$eRLm3P5n1OX6gddm$nKzC5/G3BmBH90xNGH.y9XYvJxoxowvnspLVnabnn3FOXYNIjABVE5eNCCsfVEQX4h8Ylcz4Epw5Zvmaf75.Y1"

func (g *genUsers) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && !g.done {
		g.fill()
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// fill appends the next account (or the file's head or tail).
func (g *genUsers) fill() {
	csv := g.format == importer.CSV
	if g.i == 0 {
		if csv {
			g.buf = append(g.buf, "username,email,password_hash\n"...)
		} else {
			g.buf = append(g.buf, "{\n  \"users\": [\n"...)
		}
	}
	if g.i == g.n {
		if !csv {
			g.buf = append(g.buf, "\n  ],\n  \"folders\": [],\n  \"version\": 16\n}"...)
		}
		g.done = true
		return
	}
	name := "user" + strconv.Itoa(g.i)
	if csv {
		g.buf = append(g.buf, name+","+name+"@example.com,"+benchHash+"\n"...)
	} else {
		if g.i > 0 {
			g.buf = append(g.buf, ",\n"...)
		}
		g.buf = fmt.Appendf(g.buf, `    {"id": %d, "status": 1, "username": %q, "email": "%s@example.com", "password": %q, `+
			`"home_dir": "/srv/sftpgo/data/%s", "uid": 0, "gid": 0, "max_sessions": 0, "quota_size": 0, "quota_files": 0, `+
			`"permissions": {"/": ["*"]}, "created_at": 1717400000000, "updated_at": 1717400000000, `+
			`"filters": {"tls_username": "None", "hooks": {"external_auth_disabled": false, "pre_login_disabled": false, "check_password_disabled": false}, "totp_config": {}}, `+
			`"filesystem": {"provider": 0, "osconfig": {}, "s3config": {}, "gcsconfig": {}, "azblobconfig": {}, "cryptconfig": {}, "sftpconfig": {}, "httpconfig": {}}}`,
			g.i+1, name, name, benchHash, name)
	}
	g.i++
}

// peakHeap samples the Go heap while an import runs.
type peakHeap struct {
	stop    chan struct{}
	wg      sync.WaitGroup
	objects atomic.Uint64 // peak of heap object bytes (live and not yet swept)
	live    atomic.Uint64 // peak of the heap marked live by the last GC
}

func startPeakHeap() *peakHeap {
	p := &peakHeap{stop: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			if v := samples[0].Value.Uint64(); v > p.objects.Load() {
				p.objects.Store(v)
			}
			if v := samples[1].Value.Uint64(); v > p.live.Load() {
				p.live.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) end() (objects, live float64) {
	close(p.stop)
	p.wg.Wait()
	return float64(p.objects.Load()) / (1 << 20), float64(p.live.Load()) / (1 << 20)
}

// BenchmarkImport runs the import command's pipeline (Reader, batches of
// ImportUsers, report) into a fresh SQLite file, for files of 1k to 100k
// accounts, and reports users/s and the peak Go heap. Run with
// -benchtime 1x: one iteration imports the whole file.
func BenchmarkImport(b *testing.B) {
	for _, format := range []importer.Format{importer.CSV, importer.SFTPGo} {
		for _, n := range []int{1_000, 10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/users=%d", format, n), func(b *testing.B) {
				benchImport(b, format, n)
			})
		}
	}
}

func benchImport(b *testing.B, format importer.Format, n int) {
	ctx := context.Background()
	dir := b.TempDir()
	var objects, live float64
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		st, err := sqlstore.Open(ctx, importDSN(filepath.Join(dir, fmt.Sprintf("latch-%d.db", i))))
		require.NoError(b, err)
		svc, err := auth.New(b.Context(), st, auth.Config{SealingKey: make([]byte, 32), Logger: slog.New(slog.DiscardHandler)})
		require.NoError(b, err)
		r, err := importer.NewReader(&genUsers{format: format, n: n}, format, importer.Options{})
		require.NoError(b, err)
		m := &importRun{svc: svc, role: "user", out: io.Discard, progress: io.Discard, every: time.Hour}
		runtime.GC()
		peak := startPeakHeap()
		start := time.Now()
		b.StartTimer()
		require.NoError(b, m.run(ctx, r))
		b.StopTimer()
		elapsed += time.Since(start)
		o, l := peak.end()
		objects, live = max(objects, o), max(live, l)
		require.Equal(b, n, m.sum.Imported)
		require.NoError(b, st.Close())
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "users/s")
	b.ReportMetric(objects, "peak-heap-MiB")
	b.ReportMetric(live, "peak-live-MiB")
}

// BenchmarkCreateUserSQLite is the ceiling BenchmarkImport works under:
// the store's CreateUser alone, one transaction per user, with records like
// the import's.
func BenchmarkCreateUserSQLite(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, importDSN(filepath.Join(b.TempDir(), "latch.db")))
	require.NoError(b, err)
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	i := 0
	for b.Loop() {
		name := "user" + strconv.Itoa(i)
		require.NoError(b, st.CreateUser(ctx, &store.User{
			ID: rand.Text(), Username: name, Email: name + "@example.com", Role: "user",
			Permissions: []string{}, AllowedIPs: []string{}, PasswordHash: benchHash, CreatedAt: now, UpdatedAt: now,
		}))
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
}
