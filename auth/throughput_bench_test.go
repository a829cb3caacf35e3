package auth_test

import (
	"testing"

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
