package auth_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
	"github.com/latchkit/latch/token"
)

// noLimits keeps the limits' store work but never refuses (benchmarks
// repeat one sign-in far more often than the limits allow).
func noLimits(c *auth.Config) {
	c.Limits.PerIP = auth.Rate{Limit: 1 << 30, Window: time.Hour}
	c.Limits.AccountFailures = auth.Rate{Limit: 1 << 30, Window: time.Hour}
	c.Limits.AccountCeiling = c.Limits.AccountFailures
	c.Limits.NetworkFailures = c.Limits.AccountFailures
	c.Limits.Defender.Threshold = 1 << 30
}

func realClock(c *auth.Config) { c.Now = nil }

// cpuTime returns the process's user+system CPU time (0 where the
// platform does not tell).
func cpuTime() time.Duration { return auth.CPUTime() }

// loopCPU runs f in b.Loop and also reports CPU time per operation.
var loopCPU = auth.LoopCPU

// BenchmarkSignIn measures a password sign-in with the default argon2id
// policy beside the bare hash.Verify of the same stored hash.
func BenchmarkSignIn(b *testing.B) {
	e := newEnvOn(b, memstore.New(), noLimits, realClock, func(c *auth.Config) { c.Hasher = nil })
	e.user("bench")
	u, err := e.st.UserByUsername(ctx, "bench")
	require.NoError(b, err)
	b.Run("hash.Verify", func(b *testing.B) {
		loopCPU(b, func() {
			ok, err := hash.Verify(goodPassword, u.PasswordHash)
			if !ok || err != nil {
				b.Fatal(ok, err)
			}
		})
	})
	b.Run("LoginPassword", func(b *testing.B) {
		loopCPU(b, func() {
			if _, err := e.svc.LoginPassword(ctx, ipA, "bench", goodPassword); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("LoginPassword-unknown", func(b *testing.B) {
		loopCPU(b, func() {
			if _, err := e.svc.LoginPassword(ctx, ipA, "nobody", goodPassword); !errors.Is(err, auth.ErrInvalidCredentials) {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkSignInPaired alternates a password sign-in and the bare
// hash.Verify of the same stored hash on every iteration, so both see the
// same load and garbage-collector rhythm, and reports the ratio of their
// total times, wall clock ("login/verify") and process CPU
// ("cpu-login/verify"). The goal is a sign-in within 1.05x the hash time.
func BenchmarkSignInPaired(b *testing.B) {
	e := newEnvOn(b, memstore.New(), noLimits, realClock, func(c *auth.Config) { c.Hasher = nil })
	e.user("bench")
	u, err := e.st.UserByUsername(ctx, "bench")
	require.NoError(b, err)
	for _, id := range []string{"bench", "nobody"} {
		b.Run("identifier="+id, func(b *testing.B) {
			var wall, cpu [2]time.Duration // [0] LoginPassword, [1] hash.Verify
			run := func(which int) {
				c0, t0 := cpuTime(), time.Now()
				if which == 0 {
					_, err := e.svc.LoginPassword(ctx, ipA, id, goodPassword)
					if id == "bench" && err != nil || id != "bench" && !errors.Is(err, auth.ErrInvalidCredentials) {
						b.Fatal(err)
					}
				} else if ok, err := hash.Verify(goodPassword, u.PasswordHash); !ok || err != nil {
					b.Fatal(ok, err)
				}
				wall[which] += time.Since(t0)
				cpu[which] += cpuTime() - c0
			}
			i := 0
			for b.Loop() {
				run(i % 2)
				run(1 - i%2)
				i++
			}
			b.ReportMetric(float64(wall[0])/float64(wall[1]), "login/verify")
			b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-login/verify")
		})
	}
}

// benchStores are the stores the benchmarks run on, in a fixed order.
var benchStores = []struct {
	name string
	open func(testing.TB) store.Store
}{
	{"memstore", func(testing.TB) store.Store { return memstore.New() }},
	{"sqlite", sqltest.SQLite},
	{"postgres", sqltest.Postgres}, // skipped without LATCH_TEST_POSTGRES
}

// BenchmarkAuthenticateAccessToken measures Authenticate of an HS256 access
// token with every check (signature, claims, revocation, user state,
// tokens_valid_after, allowed_ips), beside a bare golang-jwt parse of an
// HS256 token of the same shape with no revocation check.
func BenchmarkAuthenticateAccessToken(b *testing.B) {
	b.Run("bare-golang-jwt", func(b *testing.B) {
		key := []byte("0123456789abcdef0123456789abcdef")
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"sub": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "jti": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "aud": []string{"latch"},
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(), "permissions": []string{"view_users"},
			"auth_time_us": time.Now().UnixMicro(),
		})
		tok.Header["kid"] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		s, err := tok.SignedString(key)
		require.NoError(b, err)
		p := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience("latch"), jwt.WithExpirationRequired())
		kf := func(*jwt.Token) (any, error) { return key, nil }
		b.ReportAllocs()
		loopCPU(b, func() {
			if _, err := p.Parse(s, kf); err != nil {
				b.Fatal(err)
			}
		})
	})
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			e := newEnvOn(b, bs.open(b), noLimits, realClock)
			e.user("bench", auth.PermViewUsers)
			tok := e.login("bench")
			e.synced(b)
			b.ReportAllocs()
			loopCPU(b, func() {
				if _, err := e.svc.Authenticate(ctx, ipA, tok); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// apiTokenFixture returns a service over st holding n API tokens of one
// user, and one of them. All but that one are written in one Restore of
// the store (inserting 100,000 tokens one by one through the service
// takes minutes on SQLite and PostgreSQL); the one is created by the
// service afterwards.
func apiTokenFixture(b *testing.B, st store.Store, n int) (*auth.Service, string) {
	e := newEnvOn(b, st, noLimits, realClock, func(c *auth.Config) { c.MaxAPITokensPerUser = -1 })
	u := e.user("bench", auth.PermViewUsers)
	if n > 1 {
		bk, ok := st.(store.Backup)
		require.True(b, ok, "the store cannot restore")
		d, err := bk.Dump(ctx)
		require.NoError(b, err)
		now := store.StorageTime(time.Now())
		for range n - 1 {
			tok, digest, err := token.GenerateAPIToken()
			require.NoError(b, err)
			d.APITokens = append(d.APITokens, store.APIToken{
				ID: rand.Text(), UserID: u.ID, Name: "t", Prefix: token.APITokenPrefix(tok), Digest: digest, CreatedAt: now,
			})
		}
		require.NoError(b, bk.Restore(ctx, d))
	}
	owner := e.principal("bench") // after the restore, which ends earlier tokens
	t, err := e.svc.CreateAPIToken(ctx, ipA, owner, u.ID, auth.CreateAPITokenInput{Name: "t"})
	require.NoError(b, err)
	e.synced(b) // the cache is in use from here
	return e.svc, t.Token
}

// apiTokenSizes gives the token counts the API-token benchmarks load.
func apiTokenSizes(string) []int { return []int{1_000, 100_000} }

// BenchmarkAuthenticateAPIToken measures Authenticate of an API token
// (checksum, one read by digest, the owner) on one goroutine.
func BenchmarkAuthenticateAPIToken(b *testing.B) {
	for _, bs := range benchStores {
		for _, n := range apiTokenSizes(bs.name) {
			b.Run(fmt.Sprintf("%s/%d", bs.name, n), func(b *testing.B) {
				svc, tok := apiTokenFixture(b, bs.open(b), n)
				b.ReportAllocs()
				loopCPU(b, func() {
					if _, err := svc.Authenticate(ctx, ipA, tok); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}

// BenchmarkAuthenticateAPITokenParallel measures the same from GOMAXPROCS
// goroutines, as a server's concurrent requests make it: 1e9/(ns/op) is
// authentications per second for the whole machine.
func BenchmarkAuthenticateAPITokenParallel(b *testing.B) {
	for _, bs := range benchStores {
		for _, n := range apiTokenSizes(bs.name) {
			b.Run(fmt.Sprintf("%s/%d", bs.name, n), func(b *testing.B) {
				svc, tok := apiTokenFixture(b, bs.open(b), n)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := svc.Authenticate(ctx, ipA, tok); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// peakMemory samples the Go runtime's memory while f runs and returns the
// peak heap in use and the peak memory obtained from the OS (an upper
// bound of the process's RSS for Go memory).
func peakMemory(f func()) (heapInuse, sys uint64) {
	runtime.GC()
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for !stop.Load() {
			runtime.ReadMemStats(&ms)
			heapInuse, sys = max(heapInuse, ms.HeapInuse), max(sys, ms.Sys)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	f()
	stop.Store(true)
	wg.Wait()
	return heapInuse, sys
}

// signInFlood runs 1,000 concurrent sign-ins with the default pool and the
// default argon2id policy, and returns how many succeeded and how many the
// full queue refused.
func signInFlood(t testing.TB, opts ...option) (ok, refused int64, heap, sys uint64, p99 time.Duration) {
	e := newEnvOn(t, memstore.New(), append([]option{noLimits, realClock, func(c *auth.Config) { c.Hasher = nil }}, opts...)...)
	e.user("flood")
	tok := e.login("flood")
	heap, sys = peakMemory(func() {
		// Token checks go on during the flood; their latency is measured.
		var lat []time.Duration
		stop := make(chan struct{})
		checked := make(chan struct{})
		go func() {
			defer close(checked)
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				if _, err := e.svc.Authenticate(ctx, ipA, tok); err != nil {
					t.Error(err)
					return
				}
				lat = append(lat, time.Since(start))
				time.Sleep(time.Millisecond)
			}
		}()
		defer func() {
			close(stop)
			<-checked
			slices.Sort(lat)
			if len(lat) > 0 {
				p99 = lat[len(lat)*99/100]
			}
		}()
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c := auth.Client{IP: mustAddr(fmt.Sprintf("10.%d.%d.1", i/256, i%256))}
				_, err := e.svc.LoginPassword(ctx, c, "flood", goodPassword)
				switch {
				case err == nil:
					atomic.AddInt64(&ok, 1)
				case errors.Is(err, auth.ErrTooManyRequests):
					atomic.AddInt64(&refused, 1)
				default:
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
	})
	return ok, refused, heap, sys, p99
}

// BenchmarkConcurrentSignInPeakMemory reports the peak memory of 1,000
// concurrent sign-ins (goal: under 512 MiB), with the default pool and with
// one processor kept out of it (the token checks' latency during the flood
// is the difference).
func BenchmarkConcurrentSignInPeakMemory(b *testing.B) {
	b.Run("default-pool", func(b *testing.B) { benchFlood(b) })
	b.Run("one-processor-free", func(b *testing.B) {
		benchFlood(b, func(c *auth.Config) { c.Limits.HashConcurrency = max(1, runtime.GOMAXPROCS(0)-1) })
	})
}

func benchFlood(b *testing.B, opts ...option) {
	for b.Loop() {
		ok, refused, heap, sys, p99 := signInFlood(b, opts...)
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(sys)/(1<<20), "peak-sys-MiB")
		b.ReportMetric(float64(ok), "signed-in")
		b.ReportMetric(float64(refused), "refused")
		b.ReportMetric(float64(p99.Microseconds())/1000, "token-check-p99-ms")
	}
}

// TestConcurrentSignInMemory: 1,000 concurrent sign-ins with the default
// pool stay far below 512 MiB, because the hashes running at once fit in
// the pool's memory budget and the queue is bounded; the overflow is
// refused with TOO_MANY_REQUESTS.
func TestConcurrentSignInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 argon2id sign-ins")
	}
	ok, refused, heap, sys, p99 := signInFlood(t)
	t.Logf("signed in %d, refused %d, peak heap %d MiB, peak sys %d MiB, token check p99 %v", ok, refused, heap>>20, sys>>20, p99)
	assert.Equal(t, int64(1000), ok+refused)
	// At least one ran and a full queue waited before the first refusal.
	assert.GreaterOrEqual(t, ok, int64(1+auth.DefaultHashQueue), "the queue was served")
	assert.Positive(t, refused, "the bounded queue refuses the overflow")
	assert.Less(t, sys, uint64(512<<20))
}

// BenchmarkWrongPasswordPerFormat (account security, point 4) measures a
// sign-in with a wrong password against a user whose stored hash is in
// each format, beside one for an unknown name, with the default argon2id
// policy. No account may answer faster than an unknown name: a wrong
// password against a format cheaper than the policy also costs the dummy.
// The hashes are from openssl passwd and htpasswd (password "secretpw").
//
//	go test -run '^$' -bench '^BenchmarkWrongPasswordPerFormat$' -count 6 ./auth
func BenchmarkWrongPasswordPerFormat(b *testing.B) {
	e := newEnvOn(b, memstore.New(), noLimits, realClock, func(c *auth.Config) { c.Hasher = nil })
	formats := []struct{ name, encoded string }{
		{"md5-crypt", "$1$abcdefgh$MkMLP.I5SjnxKXOEtC4oR1"},
		{"apr1", "$apr1$abcdefgh$Ux9OpQMmHFXnAvB1NMEVw/"},
		{"sha256-crypt", "$5$abcdefghijklmnop$fU7vapumufR1uBVybcMxdjeu0Du6SDF/kKPLAnbC021"},
		{"sha512-crypt", "$6$abcdefghijklmnop$F6nycZzBbl4F8Bmfp35.L9DKeKgX9qfz4g4rqgiziCuyz57zZx6ODBYEjaeZNWPfIjuPK34mrAGU5U18mbiJN/"},
		{"bcrypt-10", "$2y$10$2qEnRCAfNknnWsbIsperfuZVZJDWnlKg4lEIUPm4wAQW/c49okDCG"},
	}
	for _, f := range formats {
		_, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: f.name, PasswordHash: f.encoded})
		require.NoError(b, err)
	}
	e.user("argon2id-policy")
	signIn := func(b *testing.B, name string) {
		loopCPU(b, func() {
			if _, err := e.svc.LoginPassword(ctx, ipA, name, "wrong password"); !errors.Is(err, auth.ErrInvalidCredentials) {
				b.Fatal(err)
			}
		})
	}
	b.Run("unknown", func(b *testing.B) { signIn(b, "nobody") })
	b.Run("argon2id-policy", func(b *testing.B) { signIn(b, "argon2id-policy") })
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) { signIn(b, f.name) })
	}
}

// BenchmarkRefresh measures Refresh: the checksum, one atomic store step
// that spends the presented refresh token and stores its successor (with
// the session and its owner), and the new access token's signature. Each
// iteration presents the token the previous one returned.
func BenchmarkRefresh(b *testing.B) {
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			e := newEnvOn(b, bs.open(b), noLimits, realClock)
			e.user("bench", auth.PermViewUsers)
			res, err := e.svc.LoginPassword(ctx, ipA, "bench", goodPassword)
			require.NoError(b, err)
			refresh := res.Token.RefreshToken
			b.ReportAllocs()
			loopCPU(b, func() {
				tok, err := e.svc.Refresh(ctx, ipA, refresh)
				if err != nil {
					b.Fatal(err)
				}
				refresh = tok.RefreshToken
			})
		})
	}
}

// BenchmarkPasskeySignIn compares the server time of a passwordless
// passkey sign-in (BeginPasskeyLogin and LoginPasskey with a discoverable
// passkey, ES256; the software authenticator's signing is not counted)
// with a password sign-in with the default argon2id policy, alternating
// them on every iteration, and reports the ratio.
func BenchmarkPasskeySignIn(b *testing.B) {
	e := newEnvOn(b, memstore.New(), noLimits, realClock, withPasskeys, func(c *auth.Config) { c.Hasher = nil })
	e.user("pw")
	e.user("pk")
	a := authenticator()
	e.register(e.principal("pk"), a, "bench")
	var pw, pk time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.svc.LoginPassword(ctx, ipA, "pw", goodPassword); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		begin, err := e.svc.BeginPasskeyLogin(ctx, ipA, "", "")
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		cred, err := a.Login(begin.Options)
		if err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		if _, err := e.svc.LoginPasskey(ctx, ipA, begin.LoginID, cred); err != nil {
			b.Fatal(err)
		}
		pw += t1.Sub(t0)
		pk += t2.Sub(t1) + time.Since(t3)
		n++
	}
	b.ReportMetric(float64(pw)/float64(n), "password-ns/op")
	b.ReportMetric(float64(pk)/float64(n), "passkey-ns/op")
	b.ReportMetric(float64(pk)/float64(pw), "passkey/password")
}
