package auth_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// propagationRounds is how many times each change is measured.
const propagationRounds = 20

// honourWait bounds the wait for one change to be honoured: a failure
// bound, far above the feeds' milliseconds.
const honourWait = 10 * time.Second

// TestPropagation makes each change that ends or narrows a credential on
// one Service and measures when another Service over the same database
// (two handles: two processes' worth of connections) honours it, after
// the second one had the credential in its cache. It logs p50 and p99 per
// change; it fails only if a change is not honoured within honourWait.
func TestPropagation(t *testing.T) {
	t.Parallel()
	pairs := []struct {
		name string
		open func(t *testing.T) (*env, *env)
	}{
		{"memstore", func(t *testing.T) (*env, *env) {
			st := memstore.New()
			t.Cleanup(func() { _ = st.Close() })
			return newEnvOn(t, st, noLimits, realClock), newEnvOn(t, st, noLimits, realClock)
		}},
		{"sqlite", func(t *testing.T) (*env, *env) {
			path := sqltest.SQLitePath(t)
			return newEnvOn(t, sqltest.Open(t, path), noLimits, realClock), newEnvOn(t, sqltest.Open(t, path), noLimits, realClock)
		}},
		{"postgres", func(t *testing.T) (*env, *env) {
			dsn := sqltest.OpenPostgresSchema(t)
			return newEnvOn(t, sqltest.Open(t, dsn), noLimits, realClock), newEnvOn(t, sqltest.Open(t, dsn), noLimits, realClock)
		}},
	}
	for _, pair := range pairs {
		t.Run(pair.name, func(t *testing.T) {
			t.Parallel()
			a, b := pair.open(t)
			a.user("admin", auth.PermAll)
			admin := a.principal("admin")
			n := 0
			fresh := func(perms ...string) (*auth.User, string) {
				n++
				name := fmt.Sprintf("user%d", n)
				return a.user(name, perms...), name
			}
			// Each scenario prepares a credential, returns the change and
			// the check that B honours it.
			type scenario struct {
				name string
				prep func(t *testing.T) (change func(), honoured func() bool)
			}
			refused := func(tok string) func() bool {
				return func() bool { _, err := b.svc.Authenticate(ctx, ipA, tok); return err != nil }
			}
			scenarios := []scenario{
				{"logout", func(t *testing.T) (func(), func() bool) {
					_, name := fresh()
					tok := a.login(name)
					return func() {
						p, err := a.svc.Authenticate(ctx, ipA, tok)
						require.NoError(t, err)
						require.NoError(t, a.svc.Logout(ctx, p))
					}, refused(tok)
				}},
				{"api_token_revocation", func(t *testing.T) (func(), func() bool) {
					u, name := fresh()
					owner := a.principal(name)
					tok, err := a.svc.CreateAPIToken(ctx, ipA, owner, u.ID, auth.CreateAPITokenInput{Name: "t"})
					require.NoError(t, err)
					return func() { require.NoError(t, a.svc.RevokeAPIToken(ctx, admin, u.ID, tok.ID)) }, refused(tok.Token)
				}},
				{"session_end", func(t *testing.T) (func(), func() bool) {
					u, name := fresh()
					tok := a.login(name)
					p, err := a.svc.Authenticate(ctx, ipA, tok)
					require.NoError(t, err)
					return func() { require.NoError(t, a.svc.RevokeSession(ctx, admin, u.ID, p.SessionID)) }, refused(tok)
				}},
				{"disable", func(t *testing.T) (func(), func() bool) {
					u, name := fresh()
					tok := a.login(name)
					yes := true
					return func() {
						_, err := a.svc.UpdateUser(ctx, admin, u.ID, auth.UpdateUserInput{Disabled: &yes})
						require.NoError(t, err)
					}, refused(tok)
				}},
				{"password_change", func(t *testing.T) (func(), func() bool) {
					u, name := fresh()
					tok := a.login(name)
					return func() {
						require.NoError(t, a.svc.ChangePassword(ctx, ipA, admin, u.ID, nil, "quite another passphrase 42"))
					}, refused(tok)
				}},
				{"permission_change", func(t *testing.T) (func(), func() bool) {
					u, name := fresh(auth.PermViewUsers)
					owner := a.principal(name)
					tok, err := a.svc.CreateAPIToken(ctx, ipA, owner, u.ID, auth.CreateAPITokenInput{Name: "t"})
					require.NoError(t, err)
					none := []string{}
					return func() {
							_, err := a.svc.UpdateUser(ctx, admin, u.ID, auth.UpdateUserInput{Permissions: &none})
							require.NoError(t, err)
						}, func() bool {
							p, err := b.svc.Authenticate(ctx, ipA, tok.Token)
							return err != nil || !p.Can(auth.PermViewUsers)
						}
				}},
				{"key_rotation", func(t *testing.T) (func(), func() bool) {
					_, name := fresh()
					var kid string
					return func() {
							var err error
							kid, err = a.svc.RotateSigningKey(ctx, admin)
							require.NoError(t, err)
						}, func() bool {
							return kidOf(t, b.login(name)) == kid
						}
				}},
				{"key_reset", func(t *testing.T) (func(), func() bool) {
					_, name := fresh()
					tok := b.login(name)
					return func() { require.NoError(t, a.svc.ResetSigningKeys(ctx, admin)) }, refused(tok)
				}},
			}
			for _, sc := range scenarios {
				var lat []time.Duration
				for range propagationRounds {
					change, honoured := sc.prep(t)
					// B has the credential cached (or, for keys, loaded).
					b.synced(t)
					require.False(t, honoured(), "%s: the credential works on B before the change", sc.name)
					require.False(t, honoured(), "%s: and again, from B's cache", sc.name)
					start := time.Now()
					change()
					for !honoured() {
						if time.Since(start) > honourWait {
							t.Fatalf("%s: not honoured by B within %v", sc.name, honourWait)
						}
						time.Sleep(20 * time.Microsecond)
					}
					lat = append(lat, time.Since(start))
				}
				slices.Sort(lat)
				t.Logf("%s %-22s p50 %8v  p99 %8v  max %8v  (n=%d)", pair.name, sc.name,
					lat[len(lat)/2].Round(time.Microsecond), lat[(len(lat)*99)/100].Round(time.Microsecond),
					lat[len(lat)-1].Round(time.Microsecond), len(lat))
			}
		})
	}
}

// TestFeedLost kills the listener connection of one Service
// (pg_terminate_backend) while it has a credential cached, and ends the
// credential on another Service at once: the first never accepts it
// after it was refused once, refuses it within honourWait, resubscribes,
// and caches credentials again.
func TestFeedLost(t *testing.T) {
	t.Parallel()
	sqltest.PostgresDSN(t)
	dsn := sqltest.OpenPostgresSchema(t)
	a := newEnvOn(t, sqltest.Open(t, dsn), noLimits, realClock)
	b := newEnvOn(t, sqltest.Open(t, dsn), noLimits, realClock)
	a.user("admin", auth.PermAll)
	admin := a.principal("admin")
	for i := range 5 {
		u := a.user(fmt.Sprintf("victim%d", i))
		tok := a.login(u.Username)
		b.synced(t)
		for range 2 { // the second is served from B's cache
			_, err := b.svc.Authenticate(ctx, ipA, tok)
			require.NoError(t, err)
		}
		// Kill B's listener (and A's: they share the schema, both recover).
		killListeners(t, dsn)
		yes := true
		_, err := a.svc.UpdateUser(ctx, admin, u.ID, auth.UpdateUserInput{Disabled: &yes})
		require.NoError(t, err)
		start := time.Now()
		for {
			_, err := b.svc.Authenticate(ctx, ipA, tok)
			if err != nil {
				require.ErrorIs(t, err, auth.ErrAccountDisabled)
				break
			}
			require.Less(t, time.Since(start), honourWait, "the disabled account was served for too long")
			time.Sleep(20 * time.Microsecond)
		}
		t.Logf("round %d: honoured after %v", i, time.Since(start).Round(time.Microsecond))
		b.synced(t) // resubscribed and caught up
		for range 3 {
			_, err := b.svc.Authenticate(ctx, ipA, tok)
			require.ErrorIs(t, err, auth.ErrAccountDisabled, "never served again")
		}
	}
}

// killListeners terminates the change-feed connections of the database
// of dsn (application_name latch_changes) and waits until one came back.
func killListeners(t *testing.T, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE application_name = 'latch_changes' AND datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n))
	require.Positive(t, n, "no listener found")
}
