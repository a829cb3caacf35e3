package httpadapter

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/latchkit/latch/auth"
)

// RequestIDHeader is the header that carries a request's ID, in requests
// and in responses ([Handler.Observe]).
const RequestIDHeader = "X-Request-ID"

// maxRequestIDLen bounds an accepted X-Request-ID.
const maxRequestIDLen = 64

// RequestRecord describes a request that [Handler.Observe] saw served, for
// an access log and metrics. It holds no header value but the request ID,
// no body, no query and no path: a path may name a password-reset request,
// whose ID is a credential; Route is the route's pattern instead.
type RequestRecord struct {
	// ID is the request ID (also in the response's X-Request-ID).
	ID string
	// Method is the request method.
	Method string
	// Route is the pattern of the route that served the request: one of
	// the adapter's, as openapi.yaml writes it relative to the mount point
	// ("POST /login/password"), else the pattern of the host's ServeMux
	// ("GET /metrics"); "" when no pattern matched.
	Route string
	// Status is the response status (200 when the handler wrote a body
	// without calling WriteHeader, 0 when it wrote nothing at all).
	Status int
	// Duration is the time from the request's arrival at the middleware
	// until the handler returned.
	Duration time.Duration
	// ClientIP is the client address, under the Handler's trusted-proxy
	// rules.
	ClientIP netip.Addr
	// UserID is the ID of the authenticated user (by the API's routes or
	// Require); "" for anonymous requests and the system principal.
	UserID string
	// Bytes is the number of response body bytes written.
	Bytes int64
}

// ObserveConfig configures [Handler.Observe]. The zero value assigns
// request IDs and does nothing else.
type ObserveConfig struct {
	// AccessLog receives one line per request, at level Info, with the
	// message "http request" and the attributes method, route, status,
	// duration, ip and user_id (RequestRecord's fields); nil logs
	// nothing. Wrap its handler with [LogHandler] to add request_id to this
	// line and to every other line logged with the request's context.
	AccessLog *slog.Logger
	// OnRequest, if set, is called once per request after it was served,
	// on the request's goroutine (metrics, say).
	OnRequest func(ctx context.Context, rec RequestRecord)
}

// requestState is what the middleware and the adapter learn about a
// request. It is also the request's ResponseWriter, recording the status
// and size the handler writes, and, as a stateContext, the request's
// context: one allocation for all three.
type requestState struct {
	http.ResponseWriter
	parent context.Context // the request's context before Observe
	id     string
	route  string
	userID string
	status int
	bytes  int64
	header [1]string // the response's X-Request-ID value
}

// stateContext is a requestState seen as the request's context: its
// parent's, with the state as the value of requestStateKey (what
// context.WithValue would make, without allocating a context of its own).
type stateContext requestState

var _ context.Context = (*stateContext)(nil)

func (c *stateContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c *stateContext) Done() <-chan struct{}       { return c.parent.Done() }
func (c *stateContext) Err() error                  { return c.parent.Err() }

func (c *stateContext) Value(key any) any {
	if key == any(requestStateKey) {
		return (*requestState)(c)
	}
	return c.parent.Value(key)
}

// String names the context, as context.WithValue's do, without the
// state's fields.
func (c *stateContext) String() string {
	name := "context.Context"
	if s, ok := c.parent.(fmt.Stringer); ok {
		name = s.String()
	}
	return name + ".WithValue(httpadapter.request)"
}

var requestStateKey = &contextKey{"request"}

func stateFrom(ctx context.Context) *requestState {
	if c, ok := ctx.(*stateContext); ok {
		return (*requestState)(c)
	}
	st, _ := ctx.Value(requestStateKey).(*requestState)
	return st
}

// RequestIDFrom returns the ID [Handler.Observe] gave the request whose
// context is ctx, or "" outside that middleware.
func RequestIDFrom(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil {
		return st.id
	}
	return ""
}

// noteRoute records the adapter route serving r for the access log.
func noteRoute(r *http.Request) {
	if st := stateFrom(r.Context()); st != nil {
		st.route = r.Pattern
	}
}

// notePrincipal records the authenticated caller of r for the access log.
func notePrincipal(r *http.Request, p *auth.Principal) {
	if p == nil {
		return
	}
	if st := stateFrom(r.Context()); st != nil {
		st.userID = p.UserID
	}
}

// validRequestID reports whether id is an acceptable request ID: 1 to 64
// characters of A-Z, a-z, 0-9, '.', '_' and '-', which no log format needs
// to escape.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// requestIDs generates request IDs: a random prefix per Handler and a
// counter, unique across instances without a random read per request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	return &requestIDs{prefix: rand.Text()[:10] + "-"}
}

func (g *requestIDs) next() string {
	var b [32]byte
	return string(strconv.AppendUint(append(b[:0], g.prefix...), g.n.Add(1), 10))
}

// Observe returns middleware for the host's outermost handler (around the
// mux that mounts h, and any routes behind [Handler.Require]). For every
// request it:
//
//   - takes the request's X-Request-ID when it is 1 to 64 characters of
//     A-Z, a-z, 0-9, '.', '_' and '-', or else generates an ID, echoes it
//     in the response's X-Request-ID and puts it in the request context
//     ([RequestIDFrom], and the request_id attribute of [LogHandler]);
//   - after the request, writes one access-log line and calls OnRequest
//     with a [RequestRecord]: method, route pattern, status, duration,
//     client IP, user ID and size. Never a header value, a body, a path or
//     a query, so never a credential, a code or a token.
//
// An X-Request-ID from the client is taken as given: it correlates log
// lines, it authorizes nothing.
func (h *Handler) Observe(cfg ObserveConfig) func(http.Handler) http.Handler {
	ids := newRequestIDs()
	var logTo slog.Handler
	if cfg.AccessLog != nil {
		logTo = cfg.AccessLog.Handler()
		if lh, ok := logTo.(*logHandler); ok {
			// The access line starts with its request ID: LogHandler
			// would pass it on unchanged.
			logTo = lh.next
		}
	}
	observe := logTo != nil || cfg.OnRequest != nil
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			st := &requestState{ResponseWriter: w, parent: r.Context()}
			if v := r.Header[canonicalRequestID]; len(v) == 1 && validRequestID(v[0]) {
				st.id = v[0]
			} else {
				st.id = ids.next()
			}
			st.header[0] = st.id
			w.Header()[canonicalRequestID] = st.header[:]
			ctx := (*stateContext)(st)
			r = r.WithContext(ctx)
			next.ServeHTTP(st, r)
			if !observe {
				return
			}
			end := time.Now()
			rec := RequestRecord{
				ID:       st.id,
				Method:   r.Method,
				Route:    st.route,
				Status:   st.status,
				Duration: end.Sub(start),
				ClientIP: h.clientIP(r),
				UserID:   st.userID,
				Bytes:    st.bytes,
			}
			if rec.Route == "" {
				rec.Route = r.Pattern // the host mux's, set on r as it routed it
			}
			if logTo != nil {
				accessLog(ctx, logTo, end, &rec, r.RemoteAddr)
			}
			if cfg.OnRequest != nil {
				cfg.OnRequest(ctx, rec)
			}
		})
	}
}

// canonicalRequestID is RequestIDHeader as net/http keys it, so that a
// request costs no canonicalization.
var canonicalRequestID = http.CanonicalHeaderKey(RequestIDHeader)

// accessLog writes rec's access-log line, stamped t, to h. It builds the
// record itself rather than calling Logger.LogAttrs: an access line has no
// use for its caller's program counter, which costs a stack walk.
// remoteAddr is the request's RemoteAddr, whose text the ip attribute
// reuses when it can.
func accessLog(ctx context.Context, h slog.Handler, t time.Time, rec *RequestRecord, remoteAddr string) {
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(t, slog.LevelInfo, "http request", 0)
	r.AddAttrs(
		slog.String(requestIDKey, rec.ID), // first, so that LogHandler need not add it
		slog.String("method", rec.Method),
		slog.String("route", rec.Route),
		slog.Int("status", rec.Status),
		slog.Duration("duration", rec.Duration),
		slog.String("ip", addrText(rec.ClientIP, remoteAddr)),
		slog.String("user_id", rec.UserID),
	)
	_ = h.Handle(ctx, r)
}

// addrText returns a's text ("" for the zero Addr), as a.String does.
// When the client is the TCP peer, RemoteAddr ("ip:port", as net/http sets
// it) holds that text already; it is reused rather than allocated again.
func addrText(a netip.Addr, remoteAddr string) string {
	if !a.IsValid() {
		return ""
	}
	host := remoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	var buf [64]byte
	if string(a.AppendTo(buf[:0])) == host {
		return host
	}
	return a.String()
}

func (w *requestState) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *requestState) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush flushes the underlying writer, when it can.
func (w *requestState) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *requestState) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// LogHandler returns a slog.Handler that adds the request ID of each
// record's context ([RequestIDFrom]) as the attribute request_id (unless
// the record's first attribute is that already), then passes the record
// to next. Log through it with the request's context
// (Logger.InfoContext, LogAttrs) and every line of a request carries its
// ID: auth's audit events, the adapter's and the access log's.
func LogHandler(next slog.Handler) slog.Handler {
	return &logHandler{next: next}
}

type logHandler struct{ next slog.Handler }

// requestIDKey is the attribute that carries the request ID.
const requestIDKey = "request_id"

// startsWithID reports whether rec's first attribute is already the
// request ID (as in the access log's lines).
func startsWithID(rec slog.Record, id string) bool {
	found := false
	rec.Attrs(func(a slog.Attr) bool {
		found = a.Key == requestIDKey && a.Value.Kind() == slog.KindString && a.Value.String() == id
		return false
	})
	return found
}

// inlineAttrs is the number of attributes a slog.Record holds in itself
// (log/slog's nAttrsInline); a copy of a record with fewer can take one
// more without touching the original.
const inlineAttrs = 5

func (l *logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return l.next.Enabled(ctx, level)
}

func (l *logHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" && !startsWithID(rec, id) {
		if rec.NumAttrs() >= inlineAttrs {
			// Attributes past the record's inline ones live in a slice
			// that copies of the record share: copy it before adding.
			rec = rec.Clone()
		}
		rec.AddAttrs(slog.String(requestIDKey, id))
	}
	return l.next.Handle(ctx, rec)
}

func (l *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logHandler{next: l.next.WithAttrs(attrs)}
}

func (l *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{next: l.next.WithGroup(name)}
}
