package httpadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

// start is the fixed time every test environment starts at.
var start = time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)

// clock is a settable clock for auth.Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mailbox is a Notifier that keeps the last code sent to each address.
type mailbox struct {
	mu    sync.Mutex
	codes map[string]string
}

func (m *mailbox) SendEmailVerificationCode(_ context.Context, email, code string) error {
	return m.put(email, code)
}

func (m *mailbox) SendPasswordResetCode(_ context.Context, email, code string) error {
	return m.put(email, code)
}

func (m *mailbox) put(email, code string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.codes == nil {
		m.codes = map[string]string{}
	}
	m.codes[strings.ToLower(email)] = code
	return nil
}

func (m *mailbox) take(t *testing.T, email string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	code, ok := m.codes[strings.ToLower(email)]
	require.True(t, ok, "no code was sent to %s", email)
	delete(m.codes, strings.ToLower(email))
	return code
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fastHasher keeps the tests quick: Argon2id with tiny parameters.
func fastHasher(t testing.TB) *hash.Hasher {
	h, err := hash.New(hash.Config{
		Argon2:                      hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1},
		InsecureAllowWeakParameters: true,
	})
	require.NoError(t, err)
	return h
}

// backend builds the store of a test environment.
type backend struct {
	name string
	open func(t testing.TB) store.Store
}

func memBackend() backend {
	return backend{"memstore", func(t testing.TB) store.Store {
		st := memstore.New()
		t.Cleanup(func() { _ = st.Close() })
		return st
	}}
}

// envConfig tweaks a test environment.
type envConfig struct {
	backend backend
	prefix  string // mount point; "" mounts at the root
	auth    func(*auth.Config)
	adapter httpadapter.Config
}

// env is a Latch service behind httpadapter on a real loopback server,
// mounted on a host mux with http.StripPrefix, with every request and
// response of its client checked against openapi.yaml.
type env struct {
	t      *testing.T
	svc    *auth.Service
	st     store.Store
	h      *httpadapter.Handler
	mux    *http.ServeMux
	srv    *httptest.Server
	base   string // server URL + prefix
	clock  *clock
	mail   *mailbox
	logs   *syncBuffer
	client *http.Client // validated against the spec
	val    *validator

	admin      string // admin's user ID
	adminToken string // an access token of admin
}

const adminPassword = "admin-password-1"

func newEnv(t *testing.T, cov *coverage, cfg envConfig) *env {
	t.Helper()
	if cfg.backend.open == nil {
		cfg.backend = memBackend()
	}
	e := &env{t: t, clock: &clock{now: start}, mail: &mailbox{}, logs: &syncBuffer{}}
	e.st = cfg.backend.open(t)
	key := bytes.Repeat([]byte{7}, 32)
	acfg := auth.Config{
		SealingKey: key,
		Hasher:     fastHasher(t),
		Now:        e.clock.Now,
		Notifier:   e.mail,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits: auth.Limits{
			PerIP:           auth.Rate{Limit: 10000, Window: time.Minute},
			AccountFailures: auth.Rate{Limit: 10000, Window: time.Minute},
			AccountCeiling:  auth.Rate{Limit: 10000, Window: time.Minute},
			NetworkFailures: auth.Rate{Limit: 10000, Window: time.Minute},
			EmailChanges:    auth.Rate{Limit: 10000, Window: time.Minute},
			Enrollments:     auth.Rate{Limit: 10000, Window: time.Minute},
			CodeFailures:    auth.Rate{Limit: 10000, Window: time.Minute},
			Sends:           auth.Rate{Limit: 10000, Window: time.Minute},
			Defender:        auth.DefenderConfig{Threshold: 1000000},
		},
	}
	if cfg.auth != nil {
		cfg.auth(&acfg)
	}
	svc, err := auth.New(t.Context(), e.st, acfg)
	require.NoError(t, err)
	e.svc = svc
	acfgAdapter := cfg.adapter
	if acfgAdapter.Logger == nil {
		acfgAdapter.Logger = slog.New(slog.NewTextHandler(e.logs, nil))
	}
	e.h, err = httpadapter.New(svc, acfgAdapter)
	require.NoError(t, err)

	e.mux = http.NewServeMux()
	if cfg.prefix == "" {
		e.mux.Handle("/", e.h)
	} else {
		e.mux.Handle(cfg.prefix+"/", http.StripPrefix(cfg.prefix, e.h))
	}
	e.srv = httptest.NewServer(e.mux)
	t.Cleanup(e.srv.Close)
	e.base = e.srv.URL + cfg.prefix
	e.val = newValidator(t, cov, cfg.prefix, e.srv.Client().Transport)
	e.client = &http.Client{Transport: e.val}

	u, err := svc.CreateUser(context.Background(), auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "admin", Email: "admin@example.com", Password: adminPassword, Permissions: []string{auth.PermAll},
	})
	require.NoError(t, err)
	e.admin = u.ID
	e.adminToken = e.login("admin", adminPassword)
	return e
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body %s", r.body)
	return m
}

func (r *response) str(t *testing.T, key string) string {
	t.Helper()
	v, ok := r.json(t)[key].(string)
	require.True(t, ok, "%q is not a string in %s", key, r.body)
	return v
}

// call is a request to make.
type call struct {
	method string
	path   string // relative to the mount point
	token  string // "Bearer " is prepended unless it contains a space
	body   any    // string: sent as is; []byte: as is; else JSON-encoded
	header http.Header
}

func (e *env) do(c call) *response {
	e.t.Helper()
	return e.doWith(e.client, e.base+c.path, c)
}

func (e *env) doWith(client *http.Client, url string, c call) *response {
	e.t.Helper()
	var body io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(e.t, err)
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(c.method, url, body)
	require.NoError(e.t, err)
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		if strings.Contains(c.token, " ") {
			req.Header.Set("Authorization", c.token)
		} else {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
	}
	for k, vs := range c.header {
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := client.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return &response{resp.StatusCode, resp.Header, data}
}

// expect checks a response's status and, for errors, its code (a message
// may come with it; expectMessage checks that).
func expect(t *testing.T, r *response, status int, code ...string) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	if len(code) > 0 {
		var body struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		require.NoError(t, json.Unmarshal(r.body, &body), "body: %s", r.body)
		assert.Equal(t, code[0], body.Error, "body: %s", r.body)
		if body.Message == "" {
			assert.JSONEq(t, `{"error":"`+code[0]+`"}`, string(r.body))
		}
	}
}

func (e *env) login(username, password string) string {
	e.t.Helper()
	r := e.do(call{method: "POST", path: "/login/password", body: map[string]string{"identifier": username, "password": password}})
	expect(e.t, r, 200)
	return r.str(e.t, "access_token")
}

// createUser makes a user through the API (as admin) and returns its ID.
func (e *env) createUser(username, email, password string, perms ...string) string {
	e.t.Helper()
	body := map[string]any{"username": username, "password": password, "permissions": append([]string{}, perms...)}
	if email != "" {
		body["email"] = email
	}
	r := e.do(call{method: "POST", path: "/users", token: e.adminToken, body: body})
	expect(e.t, r, 201)
	return r.str(e.t, "id")
}

// totpCode computes the code of a base32 secret at the environment's time,
// with pquerna/otp (independent of Latch's totp package).
func (e *env) totpCode(secret string) string {
	e.t.Helper()
	code, err := pqtotp.GenerateCode(secret, e.clock.Now())
	require.NoError(e.t, err)
	return code
}

// enrollTOTP enrolls and activates TOTP for userID and returns the secret
// and the recovery codes. It leaves the clock on the next time step.
func (e *env) enrollTOTP(token, userID string) (string, []string) {
	e.t.Helper()
	r := e.do(call{method: "POST", path: "/users/" + userID + "/totp/enrollment", token: token})
	expect(e.t, r, 200)
	secret := r.str(e.t, "secret")
	r = e.do(call{method: "POST", path: "/users/" + userID + "/totp", token: token, body: map[string]string{"code": e.totpCode(secret)}})
	expect(e.t, r, 201)
	var out struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	require.NoError(e.t, json.Unmarshal(r.body, &out))
	e.clock.Advance(30 * time.Second)
	return secret, out.RecoveryCodes
}

// coverage records which operations answered which statuses and which
// error codes were seen across the whole suite.
type coverage struct {
	mu    sync.Mutex
	ops   map[string]map[int]bool // operationId → statuses
	codes map[string]bool
	n     int
}

func newCoverage() *coverage {
	return &coverage{ops: map[string]map[int]bool{}, codes: map[string]bool{}}
}

func (c *coverage) add(op string, status int, code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if op != "" {
		if c.ops[op] == nil {
			c.ops[op] = map[int]bool{}
		}
		c.ops[op][status] = true
	}
	if code != "" {
		c.codes[code] = true
	}
}

// validator is an http.RoundTripper that checks every request and response
// against openapi.yaml with kin-openapi:
//   - a request the document accepts must get a response the document
//     describes (status, headers, body schema);
//   - a request the document rejects must get a 4xx error that the
//     document also describes for the operation;
//   - a path the document lacks must get 404 NOT_FOUND, and a method it
//     lacks 405 METHOD_NOT_ALLOWED with Allow;
//   - every response has Cache-Control: no-store, every error body is
//     exactly {"error":"CODE"}, every 401 has WWW-Authenticate, every 429
//     Retry-After.
type validator struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
	prefix string
	next   http.RoundTripper
	cov    *coverage
}

var errorBody = regexp.MustCompile(`^\{"error":"([A-Z_]+)"(?:,"message":"(?:[^"\\]|\\.)+")?\}$`)

func newValidator(t *testing.T, cov *coverage, prefix string, next http.RoundTripper) *validator {
	doc, err := openapi3.NewLoader().LoadFromData(httpadapter.OpenAPI())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	doc.Servers = nil // match paths relative to the mount point
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return &validator{t: t, doc: doc, router: router, prefix: prefix, next: next, cov: cov}
}

// authenticate is openapi3filter's check of a security scheme: the
// Authorization header has the scheme's form.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	scheme, _, _ := strings.Cut(h, " ")
	var ok bool
	switch in.SecuritySchemeName {
	case "bearerAuth", "apiTokenAuth":
		ok = strings.EqualFold(scheme, "Bearer")
	case "basicAuth":
		ok = strings.EqualFold(scheme, "Basic")
	case "secObserveAuth":
		ok = strings.EqualFold(scheme, "JWT") || strings.EqualFold(scheme, "APIToken")
	}
	if !ok {
		return errors.New("no credential for " + in.SecuritySchemeName)
	}
	return nil
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	t := v.t
	var reqBody []byte
	if req.Body != nil {
		var err error
		reqBody, err = io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rel, underPrefix := strings.CutPrefix(req.URL.Path, v.prefix)
	vreq := req.Clone(context.Background())
	vreq.URL.Path, vreq.URL.RawPath = rel, ""
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	head := vreq.Method == http.MethodHead
	if head {
		vreq.Method = http.MethodGet // served by the GET route, without a body
	}

	var (
		route           *routers.Route
		params          map[string]string
		routeErr        = routers.ErrPathNotFound
		in              *openapi3filter.RequestValidationInput
		reqErr          error
		opts            = &openapi3filter.Options{AuthenticationFunc: authenticate, IncludeResponseStatus: true, ExcludeResponseBody: head}
		canonicalPath   = rel != "" && path.Clean(rel) == rel
		validateRequest = underPrefix && canonicalPath
	)
	if validateRequest {
		route, params, routeErr = v.router.FindRoute(vreq)
		if routeErr == nil {
			in = &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
			reqErr = openapi3filter.ValidateRequest(context.Background(), in)
		}
	}

	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	what := req.Method + " " + req.URL.Path

	if !underPrefix {
		return resp, nil // a host route, not the adapter's
	}
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "%s: Cache-Control", what)
	code := ""
	if resp.StatusCode >= 400 {
		m := errorBody.FindSubmatch(body)
		if assert.NotNil(t, m, "%s: error body %q", what, body) {
			code = string(m[1])
		}
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s", what)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		assert.NotEmpty(t, resp.Header.Get("WWW-Authenticate"), "%s: 401 without WWW-Authenticate", what)
	case http.StatusTooManyRequests:
		assert.Regexp(t, `^[1-9][0-9]*$`, resp.Header.Get("Retry-After"), "%s", what)
	}

	switch {
	case routeErr != nil:
		if allowed := v.allowed(vreq); len(allowed) > 0 && canonicalPath {
			assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "%s: %s", what, body)
			assert.Equal(t, "METHOD_NOT_ALLOWED", code, what)
			assert.ElementsMatch(t, allowed, strings.Split(resp.Header.Get("Allow"), ", "), what)
		} else {
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s: %s", what, body)
			assert.Equal(t, "NOT_FOUND", code, what)
		}
		v.cov.add("", resp.StatusCode, code)
		return resp, nil
	case reqErr != nil:
		assert.True(t, resp.StatusCode >= 400 && resp.StatusCode < 500,
			"%s: the spec rejects the request (%v) but the handler answered %d %s", what, reqErr, resp.StatusCode, body)
	}
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	assert.NoError(t, openapi3filter.ValidateResponse(context.Background(), rin), "%s → %d %s", what, resp.StatusCode, body)
	v.cov.add(route.Operation.OperationID, resp.StatusCode, code)
	return resp, nil
}

// allowed returns the methods the document has for req's path (GET
// implying HEAD), as the Allow header should list them.
func (v *validator) allowed(req *http.Request) []string {
	var out []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		r := req.Clone(context.Background())
		r.Method = m
		if m == "HEAD" {
			r.Method = "GET"
		}
		if _, _, err := v.router.FindRoute(r); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// checkCoverage fails unless every operation of the document answered a
// success status and every error code of the document was seen.
func (c *coverage) check(t *testing.T) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(httpadapter.OpenAPI())
	require.NoError(t, err)
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ok := false
			for status := range c.ops[op.OperationID] {
				ok = ok || status < 300
			}
			assert.True(t, ok, "%s %s (%s) never succeeded; statuses seen: %v", method, p, op.OperationID, slices.Sorted(maps.Keys(c.ops[op.OperationID])))
		}
	}
	for _, v := range doc.Components.Schemas["ErrorCode"].Value.Enum {
		assert.True(t, c.codes[v.(string)], "error code %s never seen", v)
	}
	t.Logf("%d requests validated against openapi.yaml", c.n)
}

func (e *env) String() string { return fmt.Sprintf("env(%s)", e.base) }

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
