package auth_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
)

// BenchmarkSignInThroughput measures password sign-ins, each issuing an
// access token, with the default argon2id policy and the default hashing
// pool, from more concurrent clients than processors (4×GOMAXPROCS), as
// a server under sign-in load sees them. tokens/s is the whole machine's
// issuance rate.
//
//	go test -run '^$' -bench '^BenchmarkSignInThroughput$' -count 6 ./auth
func BenchmarkSignInThroughput(b *testing.B) {
	e := newEnvOn(b, memstore.New(), noLimits, realClock, func(c *auth.Config) { c.Hasher = nil })
	e.user("bench")
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.svc.LoginPassword(ctx, ipA, "bench", goodPassword); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkSignInThroughputPaired compares the default hashing pool with
// one that keeps a processor free of hashing (HashConcurrency GOMAXPROCS-1,
// at least one: the default before the pool had a memory budget) on a
// loaded machine: every iteration runs a burst of 4×GOMAXPROCS concurrent
// sign-ins on each service, in alternating order, so both see the same
// load. It reports each one's tokens/s over its bursts and their ratio.
//
//	go test -run '^$' -bench '^BenchmarkSignInThroughputPaired$' -benchtime 20x -count 6 ./auth
func BenchmarkSignInThroughputPaired(b *testing.B) {
	newSvc := func(opts ...option) *env {
		e := newEnvOn(b, memstore.New(), append([]option{noLimits, realClock, func(c *auth.Config) { c.Hasher = nil }}, opts...)...)
		e.user("bench")
		return e
	}
	svcs := [2]*env{
		newSvc(),
		newSvc(func(c *auth.Config) { c.Limits.HashConcurrency = max(1, runtime.GOMAXPROCS(0)-1) }),
	}
	burst := 4 * runtime.GOMAXPROCS(0)
	var wall [2]time.Duration
	run := func(e *env) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for range burst {
			wg.Go(func() {
				if _, err := e.svc.LoginPassword(ctx, ipA, "bench", goodPassword); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	i := 0
	for b.Loop() {
		first := i % 2
		wall[first] += run(svcs[first])
		wall[1-first] += run(svcs[1-first])
		i++
	}
	n := float64(i * burst)
	b.ReportMetric(n/wall[0].Seconds(), "tokens/s-default")
	b.ReportMetric(n/wall[1].Seconds(), "tokens/s-one-free")
	b.ReportMetric(wall[1].Seconds()/wall[0].Seconds(), "default/one-free")
}
