// Package metrics adapts the events of an [auth.Service] and of the HTTP
// layer to Prometheus (github.com/prometheus/client_golang). The auth
// package reports through its own small [auth.Observer] interface, so a
// host that does not use Prometheus never compiles it; a host that does
// passes a [Metrics] as auth.Config.Observer and serves [Metrics.Handler]:
//
//	m, err := metrics.New(metrics.Config{})
//	svc, err := auth.New(ctx, st, auth.Config{SealingKey: key, Observer: m})
//	mux.Handle("GET /metrics", m.Handler())
//
// # Metrics
//
// Every name starts with latch_; a Metrics with its own registry also
// exports the Go runtime (go_*) and process (process_*) collectors.
//
//	latch_sign_ins_total{method,result}            sign-in attempts by method and outcome
//	latch_second_factor_checks_total{method,result} TOTP and recovery-code checks
//	latch_authentications_total{kind,result}       credential checks of requests
//	latch_limit_refusals_total{limit}              requests refused by an abuse limit or a ban
//	latch_defender_bans_total                      client IPs banned by the defender
//	latch_password_verify_seconds{format}          password verifications, by stored format
//	latch_hash_pool_running, latch_hash_pool_queued  the hashing pool's occupancy
//	latch_hash_pool_refusals_total                 callers refused by a full hashing queue
//	latch_hash_pool_wait_seconds                   time spent waiting for a hashing slot
//	latch_store_call_seconds{op}                   store calls by method
//	latch_store_errors_total{op,error}             failed store calls (error: timeout, canceled, other)
//	latch_http_requests_total{method,route,status} HTTP requests ([Metrics.ObserveHTTP])
//	latch_http_request_seconds{route}              HTTP request durations
//
// # Labels
//
// Every label value comes from a fixed set: auth's methods, kinds, results
// (the lower-case error codes), limits and hash formats, the store's
// method names, route patterns and status codes. No username, email, IP
// address, path or token ever becomes a label, so the number of series is
// bounded and a scrape reveals nothing about users.
package metrics
