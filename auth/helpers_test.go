package auth_test

import (
	"context"
	"encoding/base64"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
	"github.com/latchkit/latch/totp"
)

// t0 is the fixed start of every test clock.
var t0 = auth.FakeClockStart

// notifier records the codes the service hands over.
type notifier struct {
	mu    sync.Mutex
	codes map[string]string // "verify:"+email or "reset:"+email → last code
}

func (n *notifier) SendEmailVerificationCode(_ context.Context, email, code string) error {
	n.put("verify:"+email, code)
	return nil
}

func (n *notifier) SendPasswordResetCode(_ context.Context, email, code string) error {
	n.put("reset:"+email, code)
	return nil
}

func (n *notifier) put(k, v string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.codes == nil {
		n.codes = map[string]string{}
	}
	n.codes[k] = v
}

func (n *notifier) get(k string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.codes[k]
}

// sealingKey is the test sealing key (32 bytes).
var sealingKey = []byte("0123456789abcdef0123456789abcdef")

// cheapHasher is a deliberately weak argon2id policy that keeps tests fast.
func cheapHasher(t testing.TB) *hash.Hasher {
	t.Helper()
	h, err := hash.New(hash.Config{
		InsecureAllowWeakParameters: true,
		Argon2:                      hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1},
	})
	require.NoError(t, err)
	return h
}

// env is one service under test with its store, clock and notifier.
type env struct {
	t     testing.TB
	svc   *auth.Service
	st    store.Store
	clock *auth.FakeClock
	notes *notifier
	cfg   auth.Config
}

type option func(*auth.Config)

// newEnvOn returns a service over st with a clock of its own.
func newEnvOn(t testing.TB, st store.Store, opts ...option) *env {
	t.Helper()
	return newEnvClock(t, st, auth.NewFakeClock(), opts...)
}

// newEnvClock returns a service over st that reads clk, which other
// services of the test may share.
func newEnvClock(t testing.TB, st store.Store, clk *auth.FakeClock, opts ...option) *env {
	t.Helper()
	e := &env{t: t, st: st, clock: clk, notes: &notifier{}}
	e.cfg = auth.Config{
		SealingKey: sealingKey,
		Hasher:     cheapHasher(t),
		Now:        e.clock.Now,
		Notifier:   e.notes,
	}
	for _, o := range opts {
		o(&e.cfg)
	}
	svc, err := auth.New(t.Context(), st, e.cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	e.svc = svc
	return e
}

func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	return newEnvOn(t, st, opts...)
}

// backends are the stores every backend-sensitive test runs against.
var backends = []struct {
	name string
	open func(t testing.TB) store.Store
}{
	{"memstore", func(t testing.TB) store.Store {
		st := memstore.New()
		t.Cleanup(func() { _ = st.Close() })
		return st
	}},
	{"sqlite", sqltest.SQLite},
	{"postgres", sqltest.Postgres},
}

// forEachBackend runs f against a fresh service on every backend.
func forEachBackend(t *testing.T, f func(t *testing.T, e *env), opts ...option) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, newEnvOn(t, b.open(t), opts...))
		})
	}
}

var ctx = context.Background()

var (
	ipA = auth.Client{IP: netip.MustParseAddr("192.0.2.1")}
	ipB = auth.Client{IP: netip.MustParseAddr("192.0.2.2")}
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

const goodPassword = "correct horse battery staple"

// user creates a user with goodPassword as the system.
func (e *env) user(name string, perms ...string) *auth.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username:    name,
		Email:       strings.ToLower(name) + "@example.com",
		Password:    goodPassword,
		Permissions: perms,
	})
	require.NoError(e.t, err)
	return u
}

// login signs a user without TOTP in and returns the access token.
func (e *env) login(name string) string {
	e.t.Helper()
	res, err := e.svc.LoginPassword(ctx, ipA, name, goodPassword)
	require.NoError(e.t, err)
	require.NotNil(e.t, res.Token)
	return res.Token.AccessToken
}

// principal authenticates a fresh access token of the user.
func (e *env) principal(name string) *auth.Principal {
	e.t.Helper()
	p, err := e.svc.Authenticate(ctx, ipA, e.login(name))
	require.NoError(e.t, err)
	return p
}

// enableTOTP enrolls and activates TOTP for the principal's user and
// returns the key and the recovery codes. The clock moves one period past
// the activation step.
func (e *env) enableTOTP(p *auth.Principal) (*totp.Key, []string) {
	e.t.Helper()
	en, err := e.svc.EnrollTOTP(ctx, p, p.UserID)
	require.NoError(e.t, err)
	key, err := totp.ParseURI(en.OTPAuthURI)
	require.NoError(e.t, err)
	code, err := totp.Code(key, e.clock.Now())
	require.NoError(e.t, err)
	codes, err := e.svc.ActivateTOTP(ctx, ipA, p, p.UserID, code)
	require.NoError(e.t, err)
	e.clock.Advance(30 * time.Second)
	return key, codes
}

// code returns the key's current TOTP code.
func (e *env) code(key *totp.Key) string {
	e.t.Helper()
	c, err := totp.Code(key, e.clock.Now())
	require.NoError(e.t, err)
	return c
}

type contextT = context.Context

func b64url(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// synced waits until the service has applied every change committed
// before the call (made by another instance), so that it honours them.
func (e *env) synced(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, e.svc.WaitSynced(ctx))
}
