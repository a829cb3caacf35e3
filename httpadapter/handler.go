package httpadapter

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"time"

	"github.com/latchkit/latch/auth"
)

// DefaultMaxRestoreBytes is the default body limit of POST /admin/restore.
const DefaultMaxRestoreBytes = 32 << 20

// Config configures a Handler. The zero value is valid: no trusted proxies,
// no logging, the default restore limit.
type Config struct {
	// TrustedProxies lists the reverse proxies (CIDR prefixes such as
	// "10.0.0.0/8", or single addresses) whose client-address header is
	// believed: when the TCP peer is one of them, the client IP comes from
	// ClientIPHeader. Empty means the client IP is always the TCP peer,
	// which is right when clients connect directly and wrong (every client
	// shares the proxy's limits) behind a proxy. Never list addresses that
	// clients can connect from directly: they could then choose their IP.
	TrustedProxies []string
	// ClientIPHeader names the one header the trusted proxies set to the
	// client's address, and the only one read:
	//   - "X-Forwarded-For" (the default when empty): the right-most entry
	//     that is not a trusted proxy; entries left of it are the client's
	//     own claims and are ignored.
	//   - "X-Client-IP" (Faroe): a single address, which the proxy must
	//     overwrite rather than pass through from the client.
	// Reading only the header the proxy really sets matters: a proxy that
	// appends to X-Forwarded-For passes a client's own X-Client-IP through
	// untouched, so believing both would let a client choose its IP.
	ClientIPHeader string
	// Logger receives the causes of INTERNAL_ERROR responses (never sent to
	// clients); nil logs nothing.
	Logger *slog.Logger
	// MaxRestoreBytes is the body limit of POST /admin/restore, whose body is
	// a whole backup; 0 means DefaultMaxRestoreBytes (32 MiB). It is only
	// read once the caller was authenticated and holds manage_system. Every
	// other body is limited to MaxBodyBytes (64 KiB).
	MaxRestoreBytes int64
	// RequestTimeout is the budget of one request's work in the service:
	// every route, and the authentication Require does, runs under a
	// context with this deadline, so its store calls share one budget and
	// a store that stops answering gives 503 UNAVAILABLE with Retry-After
	// within it instead of a hang. 0 means DefaultRequestTimeout (5 s); a
	// negative value sets none (the service's own per-call StoreTimeout
	// still applies).
	RequestTimeout time.Duration
	// BasePath is the path at which clients reach the Handler, such as
	// "/api/v1" or "/" (no trailing slash but for "/"). The document served
	// at GET /openapi.yaml names it as its server, so that the reference
	// page at GET /docs and clients generated from the served document
	// call the right URLs. Empty (the default) derives it from each
	// request: the part of the path that the host's mount removed before
	// the Handler saw it (http.StripPrefix), which is right unless a
	// reverse proxy in front of the host rewrites paths too; then set it.
	BasePath string
	// ClientCertLogin makes a verified TLS client certificate a credential
	// for the user its subject common name names, when the request carries
	// no Authorization header (auth.Service.AuthenticateCertificate: the
	// user must be enabled, allowed from the client IP and without TOTP).
	// The host's tls.Config decides which certificates are verified: set
	// ClientCAs to the authorities trusted for this and ClientAuth to
	// tls.VerifyClientCertIfGiven, so clients without a certificate can
	// still sign in with a password. Certificates are only seen where TLS
	// ends in this process, never behind a TLS-terminating proxy.
	ClientCertLogin bool
	// RefreshCookie turns on cookie mode, for hosts whose clients are
	// browsers: the refresh token of every token response travels in the
	// RefreshCookie cookie (HttpOnly, Secure, SameSite=Strict, Path=/)
	// instead of the JSON body, so no script of the page can read it;
	// POST /token/refresh and POST /logout read it from there. Every
	// request the cookie authenticates must come from the host's own
	// pages (see CSRFHeader): a cross-site one is 403 FORBIDDEN whatever
	// the browser did with SameSite. Off (bearer mode) by default. It
	// cannot be combined with ClientCertLogin, another credential that
	// browsers send by themselves.
	RefreshCookie bool
	// AllowedOrigins lists origins ("https://app.example.com") besides the
	// Handler's own host whose pages may make cookie-mode requests.
	AllowedOrigins []string
}

// DefaultRequestTimeout is the default Config.RequestTimeout.
const DefaultRequestTimeout = 5 * time.Second

// Handler serves the REST contract of openapi.yaml for one auth.Service and
// guards a host's own routes with [Handler.Require]. It is an
// http.Handler to mount wherever the host likes; it is safe for concurrent
// use and keeps no state besides its configuration.
type Handler struct {
	svc        *auth.Service
	mux        *http.ServeMux
	trusted    []netip.Prefix
	xClientIP  bool // the client IP header is X-Client-IP, not X-Forwarded-For
	log        *slog.Logger
	maxRestore int64
	budget     time.Duration // <= 0: none
	basePath   string        // Config.BasePath; "" derives it per request
	// passwordMsg states the service's password policy (INVALID_PASSWORD).
	passwordMsg string
	certLogin   bool
	cookieMode  bool     // Config.RefreshCookie
	origins     []string // Config.AllowedOrigins
}

// New returns a Handler serving svc. It returns ErrNilService for a nil
// svc and an error wrapping ErrInvalidConfig for a Config it refuses.
func New(svc *auth.Service, cfg Config) (*Handler, error) {
	if svc == nil {
		return nil, ErrNilService
	}
	trusted, err := parseTrusted(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	var xClientIP bool
	switch http.CanonicalHeaderKey(cfg.ClientIPHeader) {
	case "", "X-Forwarded-For":
	case "X-Client-Ip":
		xClientIP = true
	default:
		return nil, &configError{"ClientIPHeader must be X-Forwarded-For or X-Client-IP"}
	}
	if cfg.MaxRestoreBytes < 0 {
		return nil, &configError{"negative MaxRestoreBytes"}
	}
	if cfg.MaxRestoreBytes == 0 {
		cfg.MaxRestoreBytes = DefaultMaxRestoreBytes
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if err := checkBasePath(cfg.BasePath); err != nil {
		return nil, err
	}
	if cfg.RefreshCookie && cfg.ClientCertLogin {
		return nil, &configError{"RefreshCookie and ClientCertLogin exclude each other: both are credentials a browser sends by itself"}
	}
	for _, o := range cfg.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Path != "" || u.String() != o {
			return nil, &configError{"AllowedOrigins must be origins such as https://app.example.com"}
		}
	}
	h := &Handler{
		svc:        svc,
		mux:        http.NewServeMux(),
		trusted:    trusted,
		xClientIP:  xClientIP,
		log:        cfg.Logger,
		maxRestore: cfg.MaxRestoreBytes,
		budget:     cfg.RequestTimeout,
		basePath:   cfg.BasePath,

		passwordMsg: passwordMessage(svc),
		certLogin:   cfg.ClientCertLogin,
		cookieMode:  cfg.RefreshCookie,
		origins:     slices.Clone(cfg.AllowedOrigins),
	}
	for _, rt := range routes {
		h.mux.Handle(rt.method+" "+rt.path, h.endpoint(rt))
	}
	return h, nil
}

// ServeHTTP serves the routes of openapi.yaml at paths relative to where the host
// mounted h. Unknown paths get 404 NOT_FOUND and known paths with another
// method 405 METHOD_NOT_ALLOWED with an Allow header, as JSON; paths that
// are not in canonical form (a trailing slash, "//", "." or "..") are 404
// rather than redirected, since a redirect would lose the host's prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "" || path.Clean(p) != p {
		h.writeError(w, r, errNotFound)
		return
	}
	if fallback, pattern := h.mux.Handler(r); pattern == "" {
		// The mux would answer 404 or 405 in plain text; run its answer
		// against a recorder to learn which (and its Allow header).
		rec := headerRecorder{header: make(http.Header)}
		fallback.ServeHTTP(&rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			h.writeError(w, r, errMethodNotAllowed)
			return
		}
		h.writeError(w, r, errNotFound)
		return
	}
	if h.budget > 0 {
		ctx := newBudgetContext(r.Context(), h.budget)
		defer ctx.stop()
		r = r.WithContext(ctx)
	}
	h.mux.ServeHTTP(w, r)
}

// headerRecorder captures the status and headers a handler writes and
// discards its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (r *headerRecorder) Header() http.Header { return r.header }
func (r *headerRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *headerRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}

// endpoint adapts a route: it determines the client, authenticates the
// caller as the route requires, runs the route and writes its error.
func (h *Handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noteRoute(r)
		c := auth.Client{IP: h.clientIP(r), UserAgent: r.UserAgent()}
		var p *auth.Principal
		switch rt.auth {
		case authRequired:
			var err error
			if p, err = h.authenticate(r.Context(), r, c); err != nil {
				h.writeError(w, r, err)
				return
			}
		case authOptional:
			if _, cert := h.certificateUser(r); cert || len(r.Header.Values("Authorization")) > 0 {
				var err error
				if p, err = h.authenticate(r.Context(), r, c); err != nil {
					h.writeError(w, r, err)
					return
				}
			}
		}
		notePrincipal(r, p)
		if rt.body == noBody {
			if err := refuseBody(w, r); err != nil {
				h.writeError(w, r, err)
				return
			}
		}
		if err := rt.handle(h, &call{w: w, r: r, c: c, p: p, body: rt.body}); err != nil {
			h.writeError(w, r, err)
		}
	})
}
