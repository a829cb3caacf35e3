package metrics_test

import (
	"testing"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/metrics"
)

// BenchmarkPerRequest measures what Metrics adds to a request: the HTTP
// request metrics of ObserveHTTP, and the auth.Observer events of a
// token check (the credential check and its store call).
func BenchmarkPerRequest(b *testing.B) {
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ObserveHTTP", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.ObserveHTTP("GET", "GET /reports", 200, 150*time.Microsecond)
		}
	})
	b.Run("token-check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Authenticate(string(auth.KindAPIToken), auth.ResultOK)
			m.StoreCall("APITokenWithOwner", 20*time.Microsecond, nil)
		}
	})
}
