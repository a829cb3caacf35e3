package httpadapter_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/metrics"
	"github.com/latchkit/latch/store/memstore"
)

// report reports, per variant after the first (the baseline), its extra
// wall time and extra process CPU time over the baseline's, in percent
// ("<variant>-wall-%", "<variant>-cpu-%"), and the baseline's CPU time
// per request. On a loaded machine the CPU figures are the steadier:
// they do not count the time other processes hold the cores.
func report(b *testing.B, base string, wall, cpu []time.Duration, names []string) {
	n := float64(b.N)
	b.ReportMetric(float64(cpu[0])/n, base+"-cpu-ns")
	for j, name := range names[1:] {
		b.ReportMetric((float64(wall[j+1])/float64(wall[0])-1)*100, name+"-wall-%")
		b.ReportMetric((float64(cpu[j+1])/float64(cpu[0])-1)*100, name+"-cpu-%")
	}
}

// BenchmarkObservePaired measures what operating a host route costs: the
// route behind Require ("plain"), with auth's metrics (an auth.Observer
// feeding Prometheus: "metrics"), with request IDs and a JSON access log
// written to the null device ("accesslog", so every line costs its write
// system call), and with both plus the HTTP request metrics, as the
// example server runs ("both"). Every iteration sends one keep-alive
// request over 127.0.0.1 to each variant, rotating the order, so all see
// the same load; each variant's cost is reported as "<variant>-cost-%",
// its extra time over plain's in percent, by the wall clock and in process
// CPU time (goals: metrics ≤ 2, both ≤ 8). "inprocess" calls ServeHTTP
// directly; "loopback" goes through a real HTTP/1.1 connection, client
// included, as BenchmarkRequirePaired does.
func BenchmarkObservePaired(b *testing.B) {
	ctx := context.Background()
	st := memstore.New()
	b.Cleanup(func() { _ = st.Close() })
	key := bytes.Repeat([]byte{3}, 32)
	plainSvc, err := auth.New(context.Background(), st, auth.Config{SealingKey: key})
	if err != nil {
		b.Fatal(err)
	}
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		b.Fatal(err)
	}
	// A second service on the same store, reporting to m: it verifies the
	// same tokens with the same signing keys.
	metricSvc, err := auth.New(context.Background(), st, auth.Config{SealingKey: key, Observer: m})
	if err != nil {
		b.Fatal(err)
	}
	u, err := plainSvc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "bench", Password: "bench-password", Permissions: []string{"view_reports"},
	})
	if err != nil {
		b.Fatal(err)
	}
	login, err := plainSvc.LoginPassword(ctx, auth.Client{}, "bench", "bench-password")
	if err != nil {
		b.Fatal(err)
	}
	p, err := plainSvc.Authenticate(ctx, auth.Client{}, login.Token.AccessToken)
	if err != nil {
		b.Fatal(err)
	}
	apiTok, err := plainSvc.CreateAPIToken(ctx, auth.Client{}, p, u.ID, auth.CreateAPITokenInput{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = devNull.Close() })
	logger := slog.New(httpadapter.LogHandler(slog.NewJSONHandler(io.Discard, nil)))

	route := func(svc *auth.Service, observe *httpadapter.ObserveConfig) http.Handler {
		h, err := httpadapter.New(svc, httpadapter.Config{})
		if err != nil {
			b.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /reports", h.Require("view_reports")(bareHandler))
		if observe == nil {
			return mux
		}
		return h.Observe(*observe)(mux)
	}
	httpMetrics := func(_ context.Context, rec httpadapter.RequestRecord) {
		m.ObserveHTTP(rec.Method, rec.Route, rec.Status, rec.Duration)
	}
	variants := []variant{
		{"plain", route(plainSvc, nil)},
		{"metrics", route(metricSvc, nil)},
		{"accesslog", route(plainSvc, &httpadapter.ObserveConfig{AccessLog: logger})},
		{"both", route(metricSvc, &httpadapter.ObserveConfig{AccessLog: logger, OnRequest: httpMetrics})},
	}
	creds := []struct{ name, authz string }{
		{"apitoken", "Bearer " + apiTok.Token},
		{"jwt", "Bearer " + login.Token.AccessToken},
	}
	// In process: ServeHTTP on a writer that costs nothing, the CPU time
	// each variant adds, without the network's noise.
	for _, cred := range creds {
		b.Run("inprocess/"+cred.name, func(b *testing.B) {
			reqs := make([]*http.Request, len(variants))
			w := &discardWriter{h: http.Header{}}
			for j, v := range variants {
				reqs[j] = httptest.NewRequest("GET", "/reports", nil)
				reqs[j].RemoteAddr = "192.0.2.1:40000"
				reqs[j].Header.Set("Authorization", cred.authz)
				v.handler.ServeHTTP(w, reqs[j])
				if w.status != 0 && w.status != http.StatusOK {
					b.Fatalf("%s: status %d", v.name, w.status)
				}
			}
			spent, cpu := make([]time.Duration, len(variants)), make([]time.Duration, len(variants))
			i := 0
			for b.Loop() {
				for k := range variants {
					j := (k + i) % len(variants)
					clear(w.h)
					t0, c0 := time.Now(), cpuTime()
					variants[j].handler.ServeHTTP(w, reqs[j])
					cpu[j] += cpuTime() - c0
					spent[j] += time.Since(t0)
				}
				i++
			}
			report(b, variants[0].name, spent, cpu, names(variants))
		})
	}
	for _, cred := range creds {
		b.Run("loopback/"+cred.name, func(b *testing.B) {
			gets := make([]func(), len(variants))
			for j, v := range variants {
				gets[j] = loopbackGet(b, benchCase{v.name, v.handler, cred.authz})
				gets[j]()
			}
			spent, cpu := make([]time.Duration, len(variants)), make([]time.Duration, len(variants))
			i := 0
			for b.Loop() {
				for k := range gets {
					j := (k + i) % len(gets)
					t0, c0 := time.Now(), cpuTime()
					gets[j]()
					cpu[j] += cpuTime() - c0
					spent[j] += time.Since(t0)
				}
				i++
			}
			report(b, variants[0].name, spent, cpu, names(variants))
		})
	}
}

// variant is one way of serving the guarded route.
type variant struct {
	name    string
	handler http.Handler
}

func names(vs []variant) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.name
	}
	return out
}
