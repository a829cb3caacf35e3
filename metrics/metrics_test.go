package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/metrics"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

// scrape serves m.Handler once and parses the text exposition format
// with the Prometheus parser.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	require.NoError(t, err)
	return fams
}

// value returns the value of the series of family name with exactly the
// labels given (name=value pairs), 0 when absent. Histograms give their
// sample count.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if want[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}

func cheapHasher(t *testing.T) *hash.Hasher {
	h, err := hash.New(hash.Config{InsecureAllowWeakParameters: true, Argon2: hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1}})
	require.NoError(t, err)
	return h
}

// TestMetricsMove signs in, is refused by a limit and gets banned, and
// checks that the scraped metrics appear and move accordingly.
func TestMetricsMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, err := metrics.New(metrics.Config{})
	require.NoError(t, err)
	svc, err := auth.New(t.Context(), memstore.New(), auth.Config{
		SealingKey: make([]byte, 32),
		Hasher:     cheapHasher(t),
		Observer:   m,
		Limits: auth.Limits{
			AccountFailures: auth.Rate{Limit: 2, Window: time.Minute},
			Defender:        auth.DefenderConfig{Threshold: 7, ScoreFailure: 2, ScoreLimitExceeded: 3},
		},
	})
	require.NoError(t, err)
	_, err = svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "alice", Password: "alice-password-1"})
	require.NoError(t, err)

	before := scrape(t, m)
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "latch_store_call_seconds"} {
		assert.Contains(t, before, name)
	}
	for name := range before {
		assert.Regexp(t, `^(latch|go|process)_`, name)
	}

	client := auth.Client{IP: netip.MustParseAddr("192.0.2.7")}
	steps := []struct {
		name  string
		run   func(t *testing.T)
		moved [][]string // family, label pairs...: each grows by one
	}{
		{"sign-in", func(t *testing.T) {
			res, err := svc.LoginPassword(ctx, client, "alice", "alice-password-1")
			require.NoError(t, err)
			_, err = svc.Authenticate(ctx, client, res.Token.AccessToken)
			require.NoError(t, err)
		}, [][]string{
			{"latch_sign_ins_total", "method", "password", "result", "ok"},
			{"latch_authentications_total", "kind", "access_token", "result", "ok"},
			{"latch_password_verify_seconds", "format", "argon2id"},
			{"latch_hash_pool_wait_seconds"},
		}},
		{"wrong passwords", func(t *testing.T) {
			for range 2 {
				_, err := svc.LoginPassword(ctx, client, "alice", "wrong-password")
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			}
		}, [][]string{
			{"latch_sign_ins_total", "method", "password", "result", "invalid_credentials"},
			{"latch_sign_ins_total", "method", "password", "result", "invalid_credentials"},
		}},
		{"refusal and ban", func(t *testing.T) {
			// Score 4 so far; the account limit refuses (score 7: banned).
			_, err := svc.LoginPassword(ctx, client, "alice", "wrong-password")
			require.ErrorIs(t, err, auth.ErrTooManyRequests)
		}, [][]string{
			{"latch_limit_refusals_total", "limit", "account"},
			{"latch_defender_bans_total"},
			{"latch_sign_ins_total", "method", "password", "result", "too_many_requests"},
		}},
		{"banned", func(t *testing.T) {
			_, err := svc.LoginPassword(ctx, client, "alice", "alice-password-1")
			require.ErrorIs(t, err, auth.ErrTooManyRequests)
		}, [][]string{
			{"latch_limit_refusals_total", "limit", "banned"},
		}},
	}
	prev := before
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.run(t)
			now := scrape(t, m)
			grew := map[string]float64{}
			series := map[string][]string{}
			for _, mv := range s.moved {
				key := strings.Join(mv, " ")
				grew[key]++
				series[key] = mv
			}
			for key, mv := range series {
				assert.Equal(t, value(prev, mv[0], mv[1:]...)+grew[key], value(now, mv[0], mv[1:]...), key)
			}
			assert.Greater(t, value(now, "latch_store_call_seconds", "op", "Hit")+value(now, "latch_store_call_seconds", "op", "Counter"),
				value(prev, "latch_store_call_seconds", "op", "Hit")+value(prev, "latch_store_call_seconds", "op", "Counter"))
			assert.Zero(t, value(now, "latch_hash_pool_running"))
			assert.Zero(t, value(now, "latch_hash_pool_queued"))
			prev = now
		})
	}

	// No label value names a user or an address.
	for _, f := range scrape(t, m) {
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				assert.NotContains(t, l.GetValue(), "alice")
				assert.NotContains(t, l.GetValue(), "192.0.2")
			}
		}
	}
}

func TestStoreErrorsAndHTTP(t *testing.T) {
	t.Parallel()
	m, err := metrics.New(metrics.Config{})
	require.NoError(t, err)
	m.StoreCall("User", time.Millisecond, nil)
	m.StoreCall("User", time.Millisecond, store.ErrNotFound)
	m.StoreCall("Hit", time.Millisecond, store.ErrConflict)
	m.StoreCall("Hit", time.Second, context.DeadlineExceeded)
	m.StoreCall("Hit", time.Millisecond, context.Canceled)
	m.StoreCall("Hit", time.Millisecond, errors.New("connection reset"))
	m.ObserveHTTP("GET", "GET /me", 200, time.Millisecond)
	m.ObserveHTTP("BREW", "", 404, time.Millisecond)
	m.ObserveHTTP("GET", "GET /me", 999, time.Millisecond)
	m.HashPool(2, 5)
	m.HashPoolRefused()

	fams := scrape(t, m)
	tests := []struct {
		name   string
		family string
		labels []string
		want   float64
	}{
		{"store calls", "latch_store_call_seconds", []string{"op", "User"}, 2},
		{"not found is no error", "latch_store_errors_total", []string{"op", "User", "error", "other"}, 0},
		{"timeout", "latch_store_errors_total", []string{"op", "Hit", "error", "timeout"}, 1},
		{"canceled", "latch_store_errors_total", []string{"op", "Hit", "error", "canceled"}, 1},
		{"other", "latch_store_errors_total", []string{"op", "Hit", "error", "other"}, 1},
		{"http", "latch_http_requests_total", []string{"method", "GET", "route", "GET /me", "status", "200"}, 1},
		{"odd method, no route", "latch_http_requests_total", []string{"method", "OTHER", "route", "unmatched", "status", "404"}, 1},
		{"odd status", "latch_http_requests_total", []string{"method", "GET", "route", "GET /me", "status", "other"}, 1},
		{"http durations", "latch_http_request_seconds", []string{"route", "GET /me"}, 2},
		{"pool running", "latch_hash_pool_running", nil, 2},
		{"pool queued", "latch_hash_pool_queued", nil, 5},
		{"pool refusals", "latch_hash_pool_refusals_total", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, value(fams, tc.family, tc.labels...))
		})
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m, err := metrics.New(metrics.Config{Registerer: reg, Gatherer: reg})
	require.NoError(t, err)
	m.DefenderBan()
	fams := scrape(t, m)
	assert.Equal(t, 1.0, value(fams, "latch_defender_bans_total"))
	assert.NotContains(t, fams, "go_goroutines", "a host's registry gets only latch_ metrics")

	_, err = metrics.New(metrics.Config{Registerer: reg, Gatherer: reg})
	require.Error(t, err, "registered twice")
	_, err = metrics.New(metrics.Config{Registerer: reg})
	require.Error(t, err)
}

// TestObserveHTTPLabels checks the labels ObserveHTTP gives a request:
// the usual methods as they are, any other as OTHER, statuses 100 to 599
// as numbers, any other as "other", no route as "unmatched". Each request
// is observed twice: once making its series, once finding it.
func TestObserveHTTPLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		method, route         string
		status                int
		wantMethod, wantRoute string
		wantStatus            string
	}{
		{"GET", "GET", "GET /me", 200, "GET", "GET /me", "200"},
		{"HEAD", "HEAD", "GET /me", 200, "HEAD", "GET /me", "200"},
		{"POST", "POST", "POST /login/password", 401, "POST", "POST /login/password", "401"},
		{"PUT", "PUT", "PUT /users/{id}", 204, "PUT", "PUT /users/{id}", "204"},
		{"PATCH", "PATCH", "PATCH /users/{id}", 200, "PATCH", "PATCH /users/{id}", "200"},
		{"DELETE", "DELETE", "DELETE /sessions", 204, "DELETE", "DELETE /sessions", "204"},
		{"OPTIONS", "OPTIONS", "/api/v1/", 204, "OPTIONS", "/api/v1/", "204"},
		{"unusual method", "BREW", "/api/v1/", 418, "OTHER", "/api/v1/", "418"},
		{"lower-case method", "get", "/api/v1/", 404, "OTHER", "/api/v1/", "404"},
		{"no method", "", "/api/v1/", 404, "OTHER", "/api/v1/", "404"},
		{"no route", "GET", "", 404, "GET", "unmatched", "404"},
		{"status 100", "GET", "GET /ws", 100, "GET", "GET /ws", "100"},
		{"status 599", "GET", "GET /me", 599, "GET", "GET /me", "599"},
		{"status 600", "GET", "GET /me", 600, "GET", "GET /me", "other"},
		{"status 99", "GET", "GET /me", 99, "GET", "GET /me", "other"},
		{"nothing written", "GET", "GET /me", 0, "GET", "GET /me", "other"},
		{"negative status", "GET", "GET /me", -200, "GET", "GET /me", "other"},
		{"status past the key's bits", "GET", "GET /me", 1024 + 200, "GET", "GET /me", "other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			m, err := metrics.New(metrics.Config{Registerer: reg, Gatherer: reg})
			require.NoError(t, err)
			m.ObserveHTTP(tc.method, tc.route, tc.status, time.Millisecond)
			m.ObserveHTTP(tc.method, tc.route, tc.status, 2*time.Millisecond)
			fams := scrape(t, m)
			assert.Equal(t, 2.0, value(fams, "latch_http_requests_total", "method", tc.wantMethod, "route", tc.wantRoute, "status", tc.wantStatus))
			assert.Equal(t, 2.0, value(fams, "latch_http_request_seconds", "route", tc.wantRoute))
			assert.Len(t, fams["latch_http_requests_total"].GetMetric(), 1, "one series")
		})
	}
}

// TestObserveHTTPSeries observes every method and status on one route and
// checks that each pair has a series of its own.
func TestObserveHTTPSeries(t *testing.T) {
	t.Parallel()
	m, err := metrics.New(metrics.Config{})
	require.NoError(t, err)
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW"}
	statuses := []int{100, 200, 204, 404, 599, 600}
	for _, method := range methods {
		for _, status := range statuses {
			m.ObserveHTTP(method, "GET /x", status, time.Millisecond)
			m.ObserveHTTP(method, "GET /y", status, time.Millisecond)
		}
	}
	m.ObserveHTTP("GET", "GET /x", 200, time.Millisecond)
	fams := scrape(t, m)
	for _, method := range methods {
		for _, status := range statuses {
			wantMethod, wantStatus := method, strconv.Itoa(status)
			if method == "BREW" {
				wantMethod = "OTHER"
			}
			if status == 600 {
				wantStatus = "other"
			}
			want := 1.0
			if method == "GET" && status == 200 {
				want = 2
			}
			assert.Equal(t, want, value(fams, "latch_http_requests_total", "method", wantMethod, "route", "GET /x", "status", wantStatus), "%s %d", method, status)
			assert.Equal(t, 1.0, value(fams, "latch_http_requests_total", "method", wantMethod, "route", "GET /y", "status", wantStatus), "%s %d", method, status)
		}
	}
	assert.Len(t, fams["latch_http_requests_total"].GetMetric(), 2*len(methods)*len(statuses))
	assert.Equal(t, float64(len(methods)*len(statuses)+1), value(fams, "latch_http_request_seconds", "route", "GET /x"))
}

// noCounter hides the store's SessionCounter.
type noCounter struct{ store.Store }

// TestActiveSessions follows latch_sessions_active through sign-ins, a
// logout and a disabled account, and checks its rate limit, a failing
// count and a store that cannot count.
func TestActiveSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	newService := func(t *testing.T, st store.Store, m *metrics.Metrics) *auth.Service {
		cfg := auth.Config{SealingKey: make([]byte, 32), Hasher: cheapHasher(t)}
		if m != nil {
			cfg.Observer = m
		}
		svc, err := auth.New(t.Context(), st, cfg)
		require.NoError(t, err)
		for _, name := range []string{"alice", "bob"} {
			_, err = svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: name, Password: name + "-password-1"})
			require.NoError(t, err)
		}
		return svc
	}
	signIn := func(t *testing.T, svc *auth.Service, name string) *auth.Principal {
		res, err := svc.LoginPassword(ctx, auth.Client{}, name, name+"-password-1")
		require.NoError(t, err)
		p, err := svc.Authenticate(ctx, auth.Client{}, res.Token.AccessToken)
		require.NoError(t, err)
		return p
	}

	t.Run("follows the sessions", func(t *testing.T) {
		m, err := metrics.New(metrics.Config{})
		require.NoError(t, err)
		svc := newService(t, memstore.New(), m)
		require.NoError(t, m.CountSessions(svc.ActiveSessions, time.Nanosecond))
		gauge := func() float64 { return value(scrape(t, m), "latch_sessions_active") }
		require.Contains(t, scrape(t, m), "latch_sessions_active", "reported with no session")
		assert.Zero(t, gauge())

		alice := signIn(t, svc, "alice")
		signIn(t, svc, "alice")
		bob := signIn(t, svc, "bob")
		assert.Equal(t, 3.0, gauge(), "three sign-ins")
		require.NoError(t, svc.Logout(ctx, alice))
		assert.Equal(t, 2.0, gauge(), "after a logout")
		disabled := true
		_, err = svc.UpdateUser(ctx, auth.System(), bob.UserID, auth.UpdateUserInput{Disabled: &disabled})
		require.NoError(t, err)
		assert.Equal(t, 1.0, gauge(), "a disabled user's session is not live")
		assert.Positive(t, value(scrape(t, m), "latch_store_call_seconds", "op", "CountLiveSessions"))
	})

	t.Run("counts at most once per interval, one at a time", func(t *testing.T) {
		m, err := metrics.New(metrics.Config{})
		require.NoError(t, err)
		svc := newService(t, memstore.New(), m)
		var calls atomic.Int32
		require.NoError(t, m.CountSessions(func(ctx context.Context) (int, error) {
			calls.Add(1)
			return svc.ActiveSessions(ctx)
		}, time.Hour))
		signIn(t, svc, "alice")
		assert.Equal(t, 1.0, value(scrape(t, m), "latch_sessions_active"))
		signIn(t, svc, "bob")
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				assert.Equal(t, 1.0, value(scrape(t, m), "latch_sessions_active"), "the last count, within the interval")
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), calls.Load(), "21 scrapes in one interval, one count")
	})

	t.Run("a failing count leaves the gauge out", func(t *testing.T) {
		m, err := metrics.New(metrics.Config{})
		require.NoError(t, err)
		var fail atomic.Bool
		fail.Store(true)
		require.NoError(t, m.CountSessions(func(ctx context.Context) (int, error) {
			if fail.Load() {
				return 0, errors.New("store down")
			}
			return 4, nil
		}, time.Nanosecond))
		assert.NotContains(t, scrape(t, m), "latch_sessions_active")
		fail.Store(false)
		assert.Equal(t, 4.0, value(scrape(t, m), "latch_sessions_active"), "back once the count succeeds")
	})

	t.Run("a store that cannot count", func(t *testing.T) {
		svc := newService(t, noCounter{memstore.New()}, nil)
		_, err := svc.ActiveSessions(ctx)
		require.ErrorIs(t, err, errors.ErrUnsupported)
	})

	t.Run("refused arguments and a second call", func(t *testing.T) {
		m, err := metrics.New(metrics.Config{})
		require.NoError(t, err)
		count := func(context.Context) (int, error) { return 0, nil }
		require.ErrorContains(t, m.CountSessions(nil, time.Second), "needs a count function")
		require.ErrorContains(t, m.CountSessions(count, 0), "positive interval")
		require.NoError(t, m.CountSessions(count, time.Second))
		var dup prometheus.AlreadyRegisteredError
		require.ErrorAs(t, m.CountSessions(count, time.Second), &dup, "a second call")
	})
}
