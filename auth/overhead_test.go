package auth

import (
	"context"
	"net/netip"
	"testing"

	"github.com/latchkit/latch/store/memstore"
)

// BenchmarkAccessTokenOverhead separates the service's per-request work
// (revocation, user, state checks) from the keyring's JWT verification, on
// one token in one process.
func BenchmarkAccessTokenOverhead(b *testing.B) {
	ctx := context.Background()
	s, err := New(ctx, memstore.New(), Config{SealingKey: make([]byte, 32)})
	if err != nil {
		b.Fatal(err)
	}
	u, err := s.CreateUser(ctx, Client{}, System(), CreateUserInput{Username: "bench", Password: "a bench password", Permissions: []string{PermViewUsers}})
	if err != nil {
		b.Fatal(err)
	}
	su, _ := s.st.User(ctx, u.ID)
	tr, err := s.issue(ctx, su, s.nowUTC(), "")
	if err != nil {
		b.Fatal(err)
	}
	c := Client{IP: netip.MustParseAddr("192.0.2.1")}
	b.Run("keyring.Verify", func(b *testing.B) {
		b.ReportAllocs()
		loopCPU(b, func() {
			if _, err := s.keys.kr.Verify(tr.AccessToken); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Authenticate", func(b *testing.B) {
		b.ReportAllocs()
		loopCPU(b, func() {
			if _, err := s.Authenticate(ctx, c, tr.AccessToken); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// loopCPU runs f in b.Loop and also reports CPU time per operation, which
// a loaded shared machine disturbs less than wall time.
func loopCPU(b *testing.B, f func()) {
	start, n := cpuTime(), 0
	for b.Loop() {
		f()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}
