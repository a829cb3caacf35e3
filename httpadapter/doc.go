// Package httpadapter serves an [auth.Service] as the Latch REST API and
// guards a host's own routes with the same credentials.
//
// The common case is one [Handler], mounted under a prefix of the host's
// mux, plus [Handler.Require] in front of the host's routes:
//
//	svc, err := auth.New(ctx, st, auth.Config{SealingKey: key})
//	h, err := httpadapter.New(svc, httpadapter.Config{Logger: logger})
//	mux := http.NewServeMux()
//	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", h))
//	mux.Handle("GET /reports", h.Require("view_reports")(reports))
//
// Inside a guarded handler, [PrincipalFrom] returns the caller.
//
// The handler uses http.ServeMux patterns internally and sees paths relative
// to its mount point, so it must receive the path with the host's prefix
// removed: http.StripPrefix on a ServeMux as above; with chi,
// r.Mount("/api/v1", http.StripPrefix("/api/v1", h)); with gorilla/mux,
// r.PathPrefix("/api/v1/").Handler(http.StripPrefix("/api/v1", h)).
//
// The routes, bodies, statuses and error codes are the OpenAPI 3.1 document [OpenAPI]
// (httpadapter/openapi.yaml), the REST contract, also served at
// GET /openapi.yaml with its server URL set to where the handler is reached
// (derived from the host's mount, or [Config.BasePath]). GET /docs is an
// interactive reference of it (Swagger UI, built in: the page loads nothing
// from elsewhere) whose "Try it out" calls this server. Every route is
// decode, one Service call, encode: the permission rules ("self or
// edit_users" and so on) are auth's.
//
// # Configuration
//
// [New] takes a [Config] whose zero value is valid (no trusted proxies, no
// logging): one Config struct per package, as auth and hash have.
//
// # Security
//
//   - Request bodies are limited to 64 KiB (413 REQUEST_TOO_LARGE; a
//     backup for POST /admin/restore has its own limit and is read only
//     from a caller holding *) and decoded strictly:
//     Content-Type must be application/json, and unknown fields, duplicate
//     keys, keys that differ from a field name only in case (which
//     encoding/json would accept), null values, invalid UTF-8, unpaired
//     surrogate escapes and trailing data are 400 INVALID_REQUEST.
//   - Every error is {"error":"CODE"}; no internal detail reaches a client.
//     A 400 caused by the request's shape (an unknown field, a body that is
//     not JSON, the offset where the JSON breaks, the password policy), a
//     409 SEALING_KEY_MISMATCH and a 413 add a "message" for the developer;
//     authentication and permission failures never do. The cause of a 500
//     INTERNAL_ERROR goes to Config.Logger only.
//   - Every response of the handler carries Cache-Control: no-store, since
//     many carry tokens, codes or TOTP secrets.
//   - The client IP, which rate limits, the defender and users' allowed IPs
//     depend on, is the TCP peer unless Config.TrustedProxies says
//     otherwise; list only proxies that clients cannot bypass.
//   - Unknown users cost sign-in the same time as known ones; that is
//     auth's rule, and the adapter adds no early exit of its own.
//
// # Operations
//
// GET /healthz is a liveness check and GET /readyz a readiness check (the
// store answers). [Handler.Observe] gives every request an ID, writes an
// access log and reports each request to the host's metrics; [LogHandler]
// puts the ID on every log line of the request, auth's included. With
// Config.ClientCertLogin, a TLS client certificate the host's server
// verified is a credential for the user it names. CORS and TLS themselves
// are the host's: wrap the Handler and configure the http.Server.
package httpadapter
