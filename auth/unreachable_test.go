package auth_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/internal/faultproxy"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// viaProxy returns dsn with its host replaced by the proxy's address.
func viaProxy(t *testing.T, dsn, addr string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Host = addr
	return u.String()
}

// outageLease is a wait longer than the cache's lease (five sync
// intervals): once it has passed without a sync, a Service must not trust
// its cache.
const outageLease = 6 * store.ChangeSyncInterval

// TestPostgresUnreachable puts a proxy between Service B and PostgreSQL,
// has B cache a credential, then stalls or cuts the proxy. Once B's
// lease has run out, Service A (connected directly) ends the credential.
// B is polled through the outage and after the proxy is restored: it
// never accepts the credential again; during the outage each attempt
// fails as unavailable or is refused, and after it B refuses it.
//
// A partition cannot be told from a quiet network before the lease runs
// out (store.ChangeSyncInterval times five, 500 ms): a change made in
// that window may be served from B's cache until then, which is the
// bound the cache promises.
func TestPostgresUnreachable(t *testing.T) {
	t.Parallel()
	base := sqltest.PostgresDSN(t)
	upstream, err := url.Parse(base)
	require.NoError(t, err)
	faults := []struct {
		name           string
		start, restore func(p *faultproxy.Proxy)
	}{
		{"stall", (*faultproxy.Proxy).Stall, (*faultproxy.Proxy).Resume},
		{"cut", (*faultproxy.Proxy).Cut, (*faultproxy.Proxy).Restore},
	}
	type change struct {
		name string
		// prep returns B's credential and the change A makes.
		prep func(t *testing.T, a *env, admin *auth.Principal, name string) (cred string, end func())
		// refused is the error B gives once it knows.
		refused error
	}
	changes := []change{
		{"disable", func(t *testing.T, a *env, admin *auth.Principal, name string) (string, func()) {
			u := a.user(name)
			yes := true
			return a.login(name), func() {
				_, err := a.svc.UpdateUser(ctx, admin, u.ID, auth.UpdateUserInput{Disabled: &yes})
				require.NoError(t, err)
			}
		}, auth.ErrAccountDisabled},
		{"api_token_revocation", func(t *testing.T, a *env, admin *auth.Principal, name string) (string, func()) {
			u := a.user(name)
			tok, err := a.svc.CreateAPIToken(ctx, ipA, a.principal(name), u.ID, auth.CreateAPITokenInput{Name: "t"})
			require.NoError(t, err)
			return tok.Token, func() { require.NoError(t, a.svc.RevokeAPIToken(ctx, admin, u.ID, tok.ID)) }
		}, auth.ErrUnauthorized},
	}
	for _, fault := range faults {
		t.Run(fault.name, func(t *testing.T) {
			t.Parallel()
			dsn := sqltest.OpenPostgresSchema(t)
			p := faultproxy.Start(t, upstream.Host)
			a := newEnvOn(t, sqltest.Open(t, dsn), noLimits, realClock)
			b := newEnvOn(t, sqltest.Open(t, viaProxy(t, dsn, p.Addr)), noLimits, realClock,
				func(c *auth.Config) { c.StoreTimeout = 300 * time.Millisecond })
			a.user("admin", auth.PermAll)
			admin := a.principal("admin")
			for i, ch := range changes {
				t.Run(ch.name, func(t *testing.T) {
					cred, end := ch.prep(t, a, admin, fmt.Sprintf("victim%d", i))
					b.synced(t)
					for range 2 { // the second is served from B's cache
						_, err := b.svc.Authenticate(ctx, ipA, cred)
						require.NoError(t, err)
					}

					fault.start(p)
					time.Sleep(outageLease)
					end()
					var unavailable, refused int
					check := func(during bool) bool {
						_, err := b.svc.Authenticate(ctx, ipA, cred)
						require.Error(t, err, "B accepted the ended credential (during the outage: %v)", during)
						switch {
						case errors.Is(err, ch.refused):
							refused++
							return true
						case errors.Is(err, auth.ErrUnavailable):
							unavailable++
							return false
						default:
							t.Fatalf("unexpected error (during the outage: %v): %v", during, err)
						}
						return false
					}
					for start := time.Now(); time.Since(start) < 3*outageLease; {
						check(true)
					}
					t.Logf("during the outage: %d unavailable, %d refused", unavailable, refused)
					require.Positive(t, unavailable, "the outage was not seen")

					fault.restore(p)
					start := time.Now()
					for !check(false) {
						require.Less(t, time.Since(start), honourWait, "B did not recover")
					}
					t.Logf("refused %v after the proxy was restored", time.Since(start).Round(time.Millisecond))
					b.synced(t) // resubscribed: the cache is in use again
					for range 3 {
						_, err := b.svc.Authenticate(ctx, ipA, cred)
						require.ErrorIs(t, err, ch.refused)
					}
				})
			}
		})
	}
}
