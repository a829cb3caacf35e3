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

// BenchmarkObservePaired measures what operating a host route costs. The
// variants serve the same route behind Require:
//
//   - "plain": nothing else;
//   - "metrics": auth's metrics (an auth.Observer feeding Prometheus);
//   - "ids": Observe with nothing to report: request IDs alone (taken or
//     generated, put in the context, echoed in the response);
//   - "allmetrics": auth's metrics plus the HTTP request metrics, which
//     take Observe (so request IDs too) with OnRequest calling
//     ObserveHTTP: what the HTTP metrics add is allmetrics' cost over
//     ids' and metrics';
//   - "accesslog": Observe with a JSON access log, through LogHandler, to
//     io.Discard (the cost of building and formatting the line);
//   - "both": all the metrics and that access log, as the example server
//     runs;
//   - "both-devnull": "both" with the log written to the null device, so
//     that every line also costs the write system call of a real,
//     unbuffered log.
//
// Every iteration sends one request to each variant, rotating the order,
// so all see the same load; each variant's cost is reported as its extra
// time over plain's in percent, by the wall clock ("<variant>-wall-%")
// and in process CPU time ("<variant>-cpu-%"; goals: metrics ≤ 2, both
// ≤ 8). "inprocess" calls ServeHTTP directly, on a writer that costs
// nothing; "loopback" sends keep-alive requests over 127.0.0.1, through a
// real HTTP/1.1 connection, client included, as BenchmarkRequirePaired
// does.
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
	devNullLogger := slog.New(httpadapter.LogHandler(slog.NewJSONHandler(devNull, nil)))

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
		{"ids", route(plainSvc, &httpadapter.ObserveConfig{})},
		{"allmetrics", route(metricSvc, &httpadapter.ObserveConfig{OnRequest: httpMetrics})},
		{"accesslog", route(plainSvc, &httpadapter.ObserveConfig{AccessLog: logger})},
		{"both", route(metricSvc, &httpadapter.ObserveConfig{AccessLog: logger, OnRequest: httpMetrics})},
		{"both-devnull", route(metricSvc, &httpadapter.ObserveConfig{AccessLog: devNullLogger, OnRequest: httpMetrics})},
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

// BenchmarkObserve measures Observe alone, around a handler that writes
// "ok", called in process: what request IDs, the access log (JSON,
// discarded) and the HTTP request metrics add to every request, in time,
// process CPU time (steadier on a loaded machine) and allocations.
func BenchmarkObserve(b *testing.B) {
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: make([]byte, 32)})
	if err != nil {
		b.Fatal(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{})
	if err != nil {
		b.Fatal(err)
	}
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(httpadapter.LogHandler(slog.NewJSONHandler(io.Discard, nil)))
	httpMetrics := func(_ context.Context, rec httpadapter.RequestRecord) {
		m.ObserveHTTP(rec.Method, rec.Route, rec.Status, rec.Duration)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /reports", bareHandler)
	for _, bc := range []struct {
		name string
		cfg  *httpadapter.ObserveConfig
	}{
		{"none", nil},
		{"ids", &httpadapter.ObserveConfig{}},
		{"metrics", &httpadapter.ObserveConfig{OnRequest: httpMetrics}},
		{"accesslog", &httpadapter.ObserveConfig{AccessLog: logger}},
		{"both", &httpadapter.ObserveConfig{AccessLog: logger, OnRequest: httpMetrics}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var handler http.Handler = mux
			if bc.cfg != nil {
				handler = h.Observe(*bc.cfg)(mux)
			}
			req := httptest.NewRequest("GET", "/reports", nil)
			req.RemoteAddr = "192.0.2.1:40000"
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				clear(w.h)
				handler.ServeHTTP(w, req)
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}
