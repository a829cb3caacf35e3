package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store"
)

// Config configures Metrics. The zero value is a new registry with the Go
// runtime and process collectors.
type Config struct {
	// Registerer receives the latch_ collectors and Gatherer is what
	// Handler serves; set both to use an existing registry (for example
	// prometheus.DefaultRegisterer and prometheus.DefaultGatherer), or
	// neither for a registry of the Metrics' own.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
}

// Metrics is an auth.Observer that keeps Prometheus metrics, plus the HTTP
// request metrics of ObserveHTTP. It is safe for concurrent use.
type Metrics struct {
	gatherer   prometheus.Gatherer
	registerer prometheus.Registerer

	signIns         *prometheus.CounterVec
	secondFactor    *prometheus.CounterVec
	authentications *prometheus.CounterVec
	limitRefusals   *prometheus.CounterVec
	defenderBans    prometheus.Counter
	passwordVerify  *prometheus.HistogramVec
	hashRunning     prometheus.Gauge
	hashQueued      prometheus.Gauge
	hashRefusals    prometheus.Counter
	hashWait        prometheus.Histogram
	storeCalls      *prometheus.HistogramVec
	storeErrors     *prometheus.CounterVec
	sessions        *prometheus.CounterVec
	httpRequests    *prometheus.CounterVec
	httpDuration    *prometheus.HistogramVec

	// Children by label values, for the events of every request.
	authn      *cache[[2]string, prometheus.Counter]
	storeOps   *cache[string, prometheus.Observer]
	httpRoutes *cache[string, *routeSeries]
}

// routeSeries holds the HTTP request series of one route: its duration
// histogram, and its request counters by method and status (httpKey).
type routeSeries struct {
	duration prometheus.Observer
	counts   *cache[uint32, prometheus.Counter]
}

var _ auth.Observer = (*Metrics)(nil)

// Buckets, in seconds.
var (
	// hashBuckets spans the hash formats: sha-crypt's milliseconds to a
	// slow bcrypt's second.
	hashBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	// storeBuckets spans an in-memory read to a slow database.
	storeBuckets = []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	// httpBuckets spans a token check to a sign-in under load.
	httpBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
)

// New returns Metrics registered as cfg says. It returns an error if
// registration fails (a registry that already has latch_ metrics) or if
// only one of Registerer and Gatherer is set.
func New(cfg Config) (*Metrics, error) {
	reg, gat := cfg.Registerer, cfg.Gatherer
	switch {
	case reg == nil && gat == nil:
		r := prometheus.NewRegistry()
		if err := r.Register(collectors.NewGoCollector()); err != nil {
			return nil, err
		}
		if err := r.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, err
		}
		reg, gat = r, r
	case reg == nil || gat == nil:
		return nil, errors.New("metrics: set both Registerer and Gatherer, or neither")
	}
	m := &Metrics{
		gatherer:   gat,
		registerer: reg,
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_sign_ins_total",
			Help: "Sign-in attempts by method (basic, password, totp, recovery_code) and result (ok, second_factor_required or the lower-case error code).",
		}, []string{"method", "result"}),
		secondFactor: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_second_factor_checks_total",
			Help: "TOTP and recovery-code checks in any operation, by method (totp, recovery_code) and result.",
		}, []string{"method", "result"}),
		authentications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_authentications_total",
			Help: "Credential checks of requests by kind (access_token, api_token, certificate) and result.",
		}, []string{"kind", "result"}),
		limitRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_limit_refusals_total",
			Help: "Requests refused by an abuse limit (ip, account, code, send) or a defender ban (banned).",
		}, []string{"limit"}),
		defenderBans: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "latch_defender_bans_total",
			Help: "Client IPs (IPv6: /64 prefixes) banned by the defender.",
		}),
		passwordVerify: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "latch_password_verify_seconds",
			Help:    "Password verifications in the hashing pool, by the stored hash's format.",
			Buckets: hashBuckets,
		}, []string{"format"}),
		hashRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "latch_hash_pool_running",
			Help: "Password hashes running in the hashing pool.",
		}),
		hashQueued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "latch_hash_pool_queued",
			Help: "Callers waiting for a slot of the hashing pool.",
		}),
		hashRefusals: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "latch_hash_pool_refusals_total",
			Help: "Callers refused because the hashing queue was full.",
		}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "latch_hash_pool_wait_seconds",
			Help:    "Time callers waited for a slot of the hashing pool.",
			Buckets: hashBuckets,
		}),
		storeCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "latch_store_call_seconds",
			Help:    "Store calls by method.",
			Buckets: storeBuckets,
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_store_errors_total",
			Help: "Store calls that failed, by method and error (timeout, canceled, other); not-found and conflict answers are not failures.",
		}, []string{"op", "error"}),
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_session_events_total",
			Help: "Session events: started (sign-in), refreshed, grace (a racing refresh), reused (a spent refresh token came back; the session ended), refused, ended (logout, revocation).",
		}, []string{"event"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latch_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "latch_http_request_seconds",
			Help:    "HTTP request durations by route pattern.",
			Buckets: httpBuckets,
		}, []string{"route"}),
	}
	m.authn = newCache(func(k [2]string) prometheus.Counter { return m.authentications.WithLabelValues(k[0], k[1]) })
	m.storeOps = newCache(func(op string) prometheus.Observer { return m.storeCalls.WithLabelValues(op) })
	m.httpRoutes = newCache(m.newRouteSeries)
	for _, c := range []prometheus.Collector{
		m.signIns, m.secondFactor, m.authentications, m.limitRefusals, m.defenderBans,
		m.passwordVerify, m.hashRunning, m.hashQueued, m.hashRefusals, m.hashWait,
		m.storeCalls, m.storeErrors, m.sessions, m.httpRequests, m.httpDuration,
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Session implements auth.Observer.
func (m *Metrics) Session(event string) { m.sessions.WithLabelValues(event).Inc() }

// Handler serves the gathered metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{})
}

// SignIn implements auth.Observer.
func (m *Metrics) SignIn(method, result string) {
	m.signIns.WithLabelValues(method, result).Inc()
}

// SecondFactor implements auth.Observer.
func (m *Metrics) SecondFactor(method, result string) {
	m.secondFactor.WithLabelValues(method, result).Inc()
}

// Authenticate implements auth.Observer.
func (m *Metrics) Authenticate(kind, result string) {
	m.authn.get([2]string{kind, result}).Inc()
}

// LimitRefused implements auth.Observer.
func (m *Metrics) LimitRefused(limit string) {
	m.limitRefusals.WithLabelValues(limit).Inc()
}

// DefenderBan implements auth.Observer.
func (m *Metrics) DefenderBan() { m.defenderBans.Inc() }

// HashVerify implements auth.Observer.
func (m *Metrics) HashVerify(format string, d time.Duration) {
	m.passwordVerify.WithLabelValues(format).Observe(d.Seconds())
}

// HashPool implements auth.Observer.
func (m *Metrics) HashPool(running, queued int) {
	m.hashRunning.Set(float64(running))
	m.hashQueued.Set(float64(queued))
}

// HashPoolRefused implements auth.Observer.
func (m *Metrics) HashPoolRefused() { m.hashRefusals.Inc() }

// HashWait implements auth.Observer.
func (m *Metrics) HashWait(d time.Duration) { m.hashWait.Observe(d.Seconds()) }

// StoreCall implements auth.Observer.
func (m *Metrics) StoreCall(op string, d time.Duration, err error) {
	m.storeOps.get(op).Observe(d.Seconds())
	if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return
	}
	kind := "other"
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		kind = "timeout"
	case errors.Is(err, context.Canceled):
		kind = "canceled"
	}
	m.storeErrors.WithLabelValues(op, kind).Inc()
}

// ObserveHTTP records one HTTP request: its method (an unusual one counts
// as "OTHER"), the route pattern that served it ("" counts as
// "unmatched"; never pass a raw path, which would make the series
// unbounded), its status and its duration. It fits
// httpadapter.ObserveConfig.OnRequest.
func (m *Metrics) ObserveHTTP(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	s := m.httpRoutes.get(route)
	s.counts.get(httpKey(method, status)).Inc()
	s.duration.Observe(d.Seconds())
}

func (m *Metrics) newRouteSeries(route string) *routeSeries {
	return &routeSeries{
		duration: m.httpDuration.WithLabelValues(route),
		counts: newCache(func(k uint32) prometheus.Counter {
			return m.httpRequests.WithLabelValues(httpMethods[k>>10], route, statusLabel(int(k&1023)))
		}),
	}
}

// httpMethods are the method labels; the last one stands for any other
// method.
var httpMethods = [...]string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, "OTHER",
}

// httpKey packs a request's method label (its index in httpMethods) and
// status label (the status itself, 0 for "other") into a key that costs
// less to look up than the labels would.
func httpKey(method string, status int) uint32 {
	i := len(httpMethods) - 1
	switch method {
	case http.MethodGet:
		i = 0
	case http.MethodHead:
		i = 1
	case http.MethodPost:
		i = 2
	case http.MethodPut:
		i = 3
	case http.MethodPatch:
		i = 4
	case http.MethodDelete:
		i = 5
	case http.MethodOptions:
		i = 6
	}
	if status < 100 || status >= len(statusLabels) {
		status = 0
	}
	return uint32(i)<<10 | uint32(status)
}

// statusLabels holds the label of every status from 100 to 599, so that a
// request allocates none.
var statusLabels = func() []string {
	l := make([]string, 600)
	for i := 100; i < len(l); i++ {
		l[i] = strconv.Itoa(i)
	}
	return l
}()

func statusLabel(status int) string {
	if status >= 100 && status < len(statusLabels) {
		return statusLabels[status]
	}
	return "other"
}

// SessionsTimeout bounds one count of the live sessions.
const SessionsTimeout = 2 * time.Second

// CountSessions makes the Metrics report latch_sessions_active, the
// number of live sessions, by calling count when scraped: pass an
// auth.Service's ActiveSessions. It counts every session in the store, so
// instances sharing a database report the same value (aggregate with max,
// not sum). A count runs at most once per every (a scrape in between
// reports the last one), one at a time and for at most SessionsTimeout, so
// that frequent or concurrent scrapes do not load the store. A count that
// fails leaves the gauge out of the scrape: auth's store metrics record a
// store failure, and a store that cannot count (ActiveSessions' error
// wraps errors.ErrUnsupported) never reports the gauge. It returns an
// error if every is not positive, and the registry's
// prometheus.AlreadyRegisteredError when called a second time.
func (m *Metrics) CountSessions(count func(context.Context) (int, error), every time.Duration) error {
	if count == nil || every <= 0 {
		return errors.New("metrics: CountSessions needs a count function and a positive interval")
	}
	return m.registerer.Register(&sessionsCollector{
		desc:  prometheus.NewDesc("latch_sessions_active", "Live sessions in the store (every instance sharing it reports the same number).", nil, nil),
		count: count,
		every: every,
	})
}

// sessionsCollector is the latch_sessions_active gauge.
type sessionsCollector struct {
	desc  *prometheus.Desc
	count func(context.Context) (int, error)
	every time.Duration

	mu sync.Mutex // held while counting: one count at a time
	at time.Time  // when the last count ran; zero before the first
	n  int
	ok bool // the last count succeeded
}

func (c *sessionsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sessionsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= c.every {
		ctx, cancel := context.WithTimeout(context.Background(), SessionsTimeout)
		n, err := c.count(ctx)
		cancel()
		c.at, c.n, c.ok = time.Now(), n, err == nil
	}
	if c.ok {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(c.n))
	}
}
