package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// scaleoutRounds is how many times each change is measured.
const scaleoutRounds = 50

// scaleoutWait bounds the wait for one change to be honoured: a failure
// bound, far above the change feed's milliseconds.
const scaleoutWait = 10 * time.Second

// status returns the status of GET /me with bearer.
func (s *server) status(bearer string) int {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+"/me", nil)
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := s.client.Do(req)
	require.NoError(s.t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestTwoProcessesOnePostgres runs two server processes on one PostgreSQL
// schema (and one key file). A credential issued by A is used on B until
// B has it cached; then A ends it (logout, API-token revocation,
// disabling the user) and the test measures how long B takes to refuse
// it. It logs p50 and p99 per change and fails only past scaleoutWait.
func TestTwoProcessesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two server processes; skipped with -short")
	}
	t.Parallel()
	dsn := sqltest.OpenPostgresSchema(t)
	bin := buildServer(t)
	dir := t.TempDir()
	const adminPassword = "admin-password-scaleout"
	args := []string{"-addr", "127.0.0.1:0", "-dev", "-db", dsn}
	a := startWith(t, bin, dir, args, "LATCH_ADMIN_PASSWORD="+adminPassword)
	b := startWith(t, bin, dir, args, "LATCH_ADMIN_PASSWORD="+adminPassword)
	defer b.stop()
	defer a.stop()

	var tok struct {
		AccessToken string `json:"access_token"`
	}
	a.do(call{method: "GET", path: "/token", basic: [2]string{"admin", adminPassword}}, 200, &tok)
	admin := tok.AccessToken
	require.Equal(t, http.StatusOK, b.status(admin), "B accepts A's token")

	n := 0
	// fresh creates a user on A and returns its ID and a signed-in token.
	fresh := func() (id, access string) {
		n++
		name := fmt.Sprintf("user%d", n)
		var u struct {
			ID string `json:"id"`
		}
		a.do(call{method: "POST", path: "/users", bearer: admin, body: map[string]any{
			"username": name, "email": name + "@example.com", "password": "a-good-password-1",
		}}, 201, &u)
		var login struct {
			AccessToken string `json:"access_token"`
		}
		a.do(call{method: "POST", path: "/login/password", body: map[string]any{
			"identifier": name, "password": "a-good-password-1",
		}}, 200, &login)
		return u.ID, login.AccessToken
	}
	scenarios := []struct {
		name string
		// prep returns the credential B is to refuse and the change on A.
		prep func() (cred string, change func())
	}{
		{"logout", func() (string, func()) {
			_, access := fresh()
			return access, func() { a.do(call{method: "POST", path: "/logout", bearer: access}, 204, nil) }
		}},
		{"api_token_revocation", func() (string, func()) {
			id, access := fresh()
			var api struct {
				ID    string `json:"id"`
				Token string `json:"token"`
			}
			a.do(call{method: "POST", path: "/users/" + id + "/api-tokens", bearer: access, body: map[string]any{"name": "ci"}}, 201, &api)
			return api.Token, func() {
				a.do(call{method: "DELETE", path: "/users/" + id + "/api-tokens/" + api.ID, bearer: admin}, 204, nil)
			}
		}},
		{"disable", func() (string, func()) {
			id, access := fresh()
			return access, func() {
				a.do(call{method: "PATCH", path: "/users/" + id, bearer: admin, body: map[string]any{"disabled": true}}, 200, nil)
			}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			a.t, b.t = t, t
			var lat, after []time.Duration
			for i := range scaleoutRounds {
				cred, change := sc.prep()
				for range 2 { // the second is served from B's cache
					require.Equal(t, http.StatusOK, b.status(cred), "round %d: B accepts the credential", i)
				}
				start := time.Now()
				change()
				answered := time.Now()
				for {
					st := b.status(cred)
					if st == http.StatusUnauthorized || st == http.StatusForbidden {
						break
					}
					require.Equal(t, http.StatusOK, st, "round %d: neither accepted nor refused", i)
					require.Less(t, time.Since(start), scaleoutWait, "round %d: B still accepts the credential", i)
					time.Sleep(100 * time.Microsecond)
				}
				lat = append(lat, time.Since(start))
				after = append(after, time.Since(answered))
			}
			for _, m := range []struct {
				from string
				d    []time.Duration
			}{{"the start of A's request", lat}, {"A's answer", after}} {
				slices.Sort(m.d)
				t.Logf("%-22s p50 %8v  p99 %8v  max %8v  (n=%d, from %s)", sc.name,
					m.d[len(m.d)/2].Round(time.Microsecond), m.d[(len(m.d)*99)/100].Round(time.Microsecond),
					m.d[len(m.d)-1].Round(time.Microsecond), len(m.d), m.from)
			}
		})
	}
	a.t, b.t = t, t
}
