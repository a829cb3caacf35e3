package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

// recorder is an Observer that counts events as "method arg arg" strings.
type recorder struct {
	mu        sync.Mutex
	events    map[string]int
	pool      [2]int // the last HashPool report
	poolCalls int
	waits     int
	storeErrs map[string]int
}

func newRecorder() *recorder {
	return &recorder{events: map[string]int{}, storeErrs: map[string]int{}}
}

func (r *recorder) add(ev string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[ev]++
}

func (r *recorder) SignIn(method, result string) { r.add("sign_in " + method + " " + result) }
func (r *recorder) SecondFactor(method, result string) {
	r.add("second_factor " + method + " " + result)
}
func (r *recorder) Authenticate(kind, result string) { r.add("authenticate " + kind + " " + result) }
func (r *recorder) LimitRefused(limit string)        { r.add("limit " + limit) }
func (r *recorder) DefenderBan()                     { r.add("ban") }
func (r *recorder) HashVerify(format string, d time.Duration) {
	if d <= 0 {
		format += " without duration"
	}
	r.add("hash_verify " + format)
}
func (r *recorder) HashPool(running, queued int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pool = [2]int{running, queued}
	r.poolCalls++
}
func (r *recorder) HashPoolRefused() { r.add("hash_pool_refused") }
func (r *recorder) HashWait(time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits++
}
func (r *recorder) Session(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events["session "+event]++
}

func (r *recorder) StoreCall(op string, _ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events["store "+op]++
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
		r.storeErrs[op]++
	}
}

// take returns the events so far and forgets them.
func (r *recorder) take() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = map[string]int{}
	return ev
}

// only returns the events with prefix.
func only(ev map[string]int, prefix string) map[string]int {
	out := map[string]int{}
	for k, v := range ev {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

func TestObserverEvents(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	e := newEnv(t, func(c *auth.Config) {
		c.Observer = rec
		c.Limits.AccountFailures = auth.Rate{Limit: 2, Window: time.Minute}
		c.Limits.Defender = auth.DefenderConfig{Threshold: 10, ScoreFailure: 2, ScoreLimitExceeded: 3}
	})
	e.user("alice")
	bob := e.principal(func() string { e.user("bob"); return "bob" }())
	key, recovery := e.enableTOTP(bob)
	rec.take()

	type step struct {
		name string
		run  func(t *testing.T)
		want map[string]int // events with these prefixes, exactly
	}
	steps := []step{
		{"password sign-in", func(t *testing.T) {
			_, err := e.svc.LoginPassword(ctx, ipA, "alice", goodPassword)
			require.NoError(t, err)
		}, map[string]int{"sign_in": 0, "sign_in password ok": 1, "hash_verify argon2id": 1, "store UserByUsername": 1}},
		{"basic sign-in", func(t *testing.T) {
			_, err := e.svc.TokenBasic(ctx, ipA, "alice", goodPassword, "")
			require.NoError(t, err)
		}, map[string]int{"sign_in basic ok": 1}},
		{"wrong password", func(t *testing.T) {
			_, err := e.svc.LoginPassword(ctx, ipB, "alice", "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}, map[string]int{"sign_in password invalid_credentials": 1, "hash_verify argon2id": 1, "limit": 0, "ban": 0}},
		{"unknown user", func(t *testing.T) {
			_, err := e.svc.LoginPassword(ctx, ipB, "nobody", "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}, map[string]int{"sign_in password invalid_credentials": 1, "hash_verify argon2id": 1}},
		{"second factor required", func(t *testing.T) {
			res, err := e.svc.LoginPassword(ctx, ipA, "bob", goodPassword)
			require.NoError(t, err)
			require.True(t, res.SecondFactorRequired)
			_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, "000000")
			require.ErrorIs(t, err, auth.ErrIncorrectCode)
			_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
			require.NoError(t, err)
		}, map[string]int{
			"sign_in password second_factor_required": 1, "sign_in totp incorrect_code": 1, "sign_in totp ok": 1,
			"second_factor totp incorrect_code": 1, "second_factor totp ok": 1,
		}},
		{"recovery code", func(t *testing.T) {
			res, err := e.svc.LoginPassword(ctx, ipA, "bob", goodPassword)
			require.NoError(t, err)
			_, err = e.svc.LoginRecoveryCode(ctx, ipA, res.ChallengeToken, recovery[0])
			require.NoError(t, err)
		}, map[string]int{"sign_in password second_factor_required": 1, "sign_in recovery_code ok": 1, "second_factor recovery_code ok": 1}},
		{"authentication", func(t *testing.T) {
			_, err := e.svc.Authenticate(ctx, ipA, e.login("alice"))
			require.NoError(t, err)
			_, err = e.svc.Authenticate(ctx, ipA, "not-a-token")
			require.ErrorIs(t, err, auth.ErrUnauthorized)
			_, err = e.svc.Authenticate(ctx, ipA, "lt_garbage")
			require.ErrorIs(t, err, auth.ErrUnauthorized)
		}, map[string]int{"authenticate access_token ok": 1, "authenticate access_token unauthorized": 1, "authenticate api_token unauthorized": 1}},
		{"account limit and ban", func(t *testing.T) {
			// ipB has scored 4 (two failures). The limit of two per
			// identifier and network, for alice's email (not yet tried),
			// takes two wrong passwords (score 8), the third is refused
			// (score 11: banned), and the ban refuses even the right
			// password.
			for range 2 {
				_, err := e.svc.LoginPassword(ctx, ipB, "alice@example.com", "wrong password")
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			}
			_, err := e.svc.LoginPassword(ctx, ipB, "alice@example.com", "wrong password")
			require.ErrorIs(t, err, auth.ErrTooManyRequests)
			_, err = e.svc.LoginPassword(ctx, ipB, "alice@example.com", goodPassword)
			require.ErrorIs(t, err, auth.ErrTooManyRequests)
		}, map[string]int{
			"sign_in password invalid_credentials": 2, "sign_in password too_many_requests": 2,
			"limit account": 1, "limit banned": 1, "ban": 1,
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.run(t)
			got := rec.take()
			for prefix := range s.want {
				if strings.Contains(prefix, " ") {
					continue
				}
				// A bare prefix: no event of that family beyond those listed.
				for k, v := range only(got, prefix+" ") {
					assert.Equal(t, s.want[k], v, "event %q", k)
				}
			}
			for k, v := range s.want {
				if strings.Contains(k, " ") {
					assert.Equal(t, v, got[k], "event %q in %v", k, got)
				}
			}
		})
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, [2]int{0, 0}, rec.pool, "the pool is idle at the end")
	assert.Positive(t, rec.poolCalls)
	assert.Positive(t, rec.waits)
	assert.Empty(t, rec.storeErrs)
}

// TestObserverValues checks that every value reported comes from the
// documented sets: never a username, an email, an IP address or a token.
func TestObserverValues(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	e := newEnv(t, func(c *auth.Config) { c.Observer = rec })
	p := e.principal(func() string { e.user("carol"); return "carol" }())
	_, err := e.svc.LoginPassword(ctx, ipA, "carol@example.com", "a wrong password")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	_, err = e.svc.StartPasswordReset(ctx, ipA, nil, "carol@example.com")
	require.NoError(t, err)
	_, err = e.svc.AuthenticateCertificate(ctx, ipA, "carol")
	require.NoError(t, err)
	_, err = e.svc.AuthenticateCertificate(ctx, ipA, "dave")
	require.ErrorIs(t, err, auth.ErrUnauthorized)
	tok, err := e.svc.CreateAPIToken(ctx, ipA, p, p.UserID, auth.CreateAPITokenInput{Name: "x"})
	require.NoError(t, err)
	_, err = e.svc.Authenticate(ctx, ipA, tok.Token)
	require.NoError(t, err)

	codes := []string{auth.ResultOK, auth.ResultSecondFactor}
	for _, c := range auth.Codes() {
		codes = append(codes, strings.ToLower(c.Code()))
	}
	allowed := map[string][]string{
		"sign_in":       {"basic", "password", "totp", "recovery_code"},
		"second_factor": {"totp", "recovery_code"},
		"authenticate":  {string(auth.KindAccessToken), string(auth.KindAPIToken), string(auth.KindCertificate)},
		"limit":         {auth.LimitBanned, auth.LimitIP, auth.LimitAccount, auth.LimitCode, auth.LimitSend},
		"hash_verify":   {"argon2id"},
		"session":       {auth.SessionStarted, auth.SessionRefreshed, auth.SessionGrace, auth.SessionReused, auth.SessionRefused, auth.SessionEnded},
	}
	ev := rec.take()
	require.NotEmpty(t, ev)
	for k := range ev {
		for _, secret := range []string{"carol", "dave", "example.com", "192.0.2", tok.Token, "wrong"} {
			assert.NotContains(t, k, secret)
		}
		f := strings.Fields(k)
		switch f[0] {
		case "store":
			assert.Regexp(t, `^[A-Z][A-Za-z]+$`, f[1])
		case "sign_in", "second_factor", "authenticate":
			require.Len(t, f, 3, k)
			assert.Contains(t, allowed[f[0]], f[1], k)
			assert.Contains(t, codes, f[2], k)
		default:
			if len(f) > 1 {
				assert.Contains(t, allowed[f[0]], f[1], k)
			}
		}
	}
	assert.Equal(t, 1, ev["authenticate certificate ok"])
	assert.Equal(t, 1, ev["authenticate certificate unauthorized"])
	assert.Equal(t, 1, ev["authenticate api_token ok"])
}

// TestObserverLimits checks the per-IP, send and code limits and the
// hashing queue.
func TestObserverLimits(t *testing.T) {
	t.Parallel()
	t.Run("ip and send", func(t *testing.T) {
		t.Parallel()
		rec := newRecorder()
		e := newEnv(t, func(c *auth.Config) {
			c.Observer = rec
			c.Limits.PerIP = auth.Rate{Limit: 3, Window: time.Minute}
			c.Limits.Sends = auth.Rate{Limit: 1, Window: time.Minute}
			c.Limits.Defender.Disabled = true
		})
		e.user("erin")
		_, err := e.svc.StartPasswordReset(ctx, ipA, nil, "erin@example.com")
		require.NoError(t, err)
		_, err = e.svc.StartPasswordReset(ctx, ipA, nil, "erin@example.com")
		require.ErrorIs(t, err, auth.ErrTooManyRequests)
		_, err = e.svc.StartPasswordReset(ctx, ipA, nil, "other@example.com")
		require.NoError(t, err)
		_, err = e.svc.StartPasswordReset(ctx, ipA, nil, "third@example.com")
		require.ErrorIs(t, err, auth.ErrTooManyRequests)
		ev := rec.take()
		assert.Equal(t, map[string]int{"limit send": 1, "limit ip": 1}, only(ev, "limit "))
	})
	t.Run("code", func(t *testing.T) {
		t.Parallel()
		rec := newRecorder()
		e := newEnv(t, func(c *auth.Config) {
			c.Observer = rec
			c.Limits.CodeFailures = auth.Rate{Limit: 1, Window: time.Minute}
			c.Limits.Defender.Disabled = true
		})
		p := e.principal(func() string { e.user("frank"); return "frank" }())
		e.enableTOTP(p)
		rec.take()
		require.ErrorIs(t, e.svc.VerifyTOTP(ctx, ipA, p, p.UserID, "000000"), auth.ErrIncorrectCode)
		require.ErrorIs(t, e.svc.VerifyTOTP(ctx, ipA, p, p.UserID, "000000"), auth.ErrTooManyRequests)
		ev := rec.take()
		assert.Equal(t, map[string]int{"limit code": 1}, only(ev, "limit "))
		assert.Equal(t, map[string]int{"second_factor totp incorrect_code": 1, "second_factor totp too_many_requests": 1}, only(ev, "second_factor "))
	})
}

// failingStore fails every counter and user read once fail is set.
type failingStore struct {
	store.Store
	fail atomic.Bool
}

var errBroken = errors.New("test: store broken")

func (f *failingStore) Counter(ctx context.Context, key string, now time.Time) (store.Counter, error) {
	if f.fail.Load() {
		return store.Counter{}, errBroken
	}
	return f.Store.Counter(ctx, key, now)
}

func (f *failingStore) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	if f.fail.Load() {
		return store.Counter{}, errBroken
	}
	return f.Store.Hit(ctx, key, delta, window, now)
}

func (f *failingStore) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	if f.fail.Load() {
		return nil, errBroken
	}
	return f.Store.UserByUsername(ctx, username)
}

// TestObserverStoreErrors checks that a failing store call is reported
// with its error.
func TestObserverStoreErrors(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	fs := &failingStore{Store: memstore.New()}
	t.Cleanup(func() { _ = fs.Close() })
	e := newEnvOn(t, fs, func(c *auth.Config) { c.Observer = rec })
	e.user("hank")
	fs.fail.Store(true)
	_, err := e.svc.LoginPassword(ctx, ipA, "hank", goodPassword)
	require.ErrorIs(t, err, auth.ErrInternal)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Positive(t, rec.storeErrs["Counter"]+rec.storeErrs["Hit"]+rec.storeErrs["UserByUsername"], "%v", rec.storeErrs)
	assert.Positive(t, rec.events["sign_in password internal_error"])
}

// TestNopObserver checks that NopObserver is embeddable as documented.
func TestNopObserver(t *testing.T) {
	t.Parallel()
	type signIns struct {
		auth.NopObserver
		n int
	}
	var o signIns
	var obs auth.Observer = &o
	obs.StoreCall("User", time.Millisecond, nil)
	obs.DefenderBan()
	assert.Zero(t, o.n)
}
