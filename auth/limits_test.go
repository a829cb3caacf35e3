package auth_test

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

func TestPerIPLimit(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("xena")
		for i := range 3 {
			_, err := e.svc.LoginPassword(ctx, ipA, "xena", goodPassword)
			require.NoError(t, err, "attempt %d", i)
		}
		e.clock.Advance(10 * time.Second)
		_, err := e.svc.LoginPassword(ctx, ipA, "xena", goodPassword)
		var rl *auth.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, 50*time.Second, rl.RetryAfter)
		_, err = e.svc.LoginPassword(ctx, ipB, "xena", goodPassword)
		require.NoError(t, err, "another client IP is not limited")
		_, err = e.svc.LoginPassword(ctx, auth.Client{}, "xena", goodPassword)
		require.NoError(t, err, "host calls without an IP are not limited")
		e.clock.Advance(50 * time.Second)
		_, err = e.svc.LoginPassword(ctx, ipA, "xena", goodPassword)
		require.NoError(t, err, "the window ended")
	}, func(c *auth.Config) {
		c.Limits.PerIP = auth.Rate{Limit: 3, Window: time.Minute}
		c.Limits.Defender.Disabled = true
	})
}

// TestDefaultLimitsStopGuessing: with every limit at its default, a few
// dozen wrong passwords in a row from one client IP get TOO_MANY_REQUESTS
// with a retry time, and the defender lists and bans the host.
func TestDefaultLimitsStopGuessing(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("yara")
		e.user("defender", auth.PermViewDefender, auth.PermManageDefender)
		admin, err := e.svc.Authenticate(ctx, ipB, e.loginFrom(ipB, "defender"))
		require.NoError(t, err)
		attacker := auth.Client{IP: mustAddr("2001:db8:1:2::1")}
		var first int
		for i := range 36 {
			_, err := e.svc.LoginPassword(ctx, attacker, fmt.Sprintf("user%d", i%3), "guess-"+fmt.Sprint(i))
			if errors.Is(err, auth.ErrTooManyRequests) {
				first = i + 1
				var rl *auth.RateLimitError
				require.ErrorAs(t, err, &rl)
				assert.Equal(t, 30*time.Minute, rl.RetryAfter)
				break
			}
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}
		assert.Equal(t, 9, first, "banned after 8 failures (score 16 >= 15)")
		// The whole /64 is banned, even with the right password.
		_, err = e.svc.LoginPassword(ctx, auth.Client{IP: mustAddr("2001:db8:1:2::99")}, "yara", goodPassword)
		require.ErrorIs(t, err, auth.ErrTooManyRequests)
		_, err = e.svc.LoginPassword(ctx, ipA, "yara", goodPassword)
		require.NoError(t, err, "other hosts are not affected")

		hosts, err := e.svc.DefenderHosts(ctx, admin)
		require.NoError(t, err)
		require.Len(t, hosts, 1)
		assert.Equal(t, "2001:db8:1:2::/64", hosts[0].IP)
		assert.Equal(t, int64(16), hosts[0].Score)
		require.NotNil(t, hosts[0].BannedUntil)
		assert.Equal(t, t0.Add(30*time.Minute), *hosts[0].BannedUntil)

		_, err = e.svc.DefenderHosts(ctx, e.principal("yara"))
		require.ErrorIs(t, err, auth.ErrForbidden)
		require.ErrorIs(t, e.svc.UnbanHost(ctx, admin, "not-an-ip"), auth.ErrInvalidRequest)
		require.ErrorIs(t, e.svc.UnbanHost(ctx, admin, "198.51.100.200"), auth.ErrNotFound)
		require.NoError(t, e.svc.UnbanHost(ctx, admin, "2001:db8:1:2::abcd"))
		_, err = e.svc.LoginPassword(ctx, attacker, "yara", goodPassword)
		require.NoError(t, err, "unbanned")

		// A ban ends by itself.
		for range 8 {
			_, _ = e.svc.LoginPassword(ctx, ipB, "yara", "wrong")
		}
		_, err = e.svc.LoginPassword(ctx, ipB, "yara", goodPassword)
		require.ErrorIs(t, err, auth.ErrTooManyRequests)
		e.clock.Advance(30 * time.Minute)
		_, err = e.svc.LoginPassword(ctx, ipB, "yara", goodPassword)
		require.NoError(t, err)
	})
}

func (e *env) loginFrom(c auth.Client, name string) string {
	e.t.Helper()
	res, err := e.svc.LoginPassword(ctx, c, name, goodPassword)
	require.NoError(e.t, err)
	return res.Token.AccessToken
}

// TestAccountFailures (account security, point 3): the hard limit on
// password checks is per identifier and client network, so guesses from
// other networks never lock the owner out of its own; a ceiling per
// identifier bounds a guesser with many networks; unknown identifiers
// behave exactly as known ones; a success resets the counts.
func TestAccountFailures(t *testing.T) {
	t.Parallel()
	net := func(i int) auth.Client { return auth.Client{IP: mustAddr(fmt.Sprintf("198.51.100.%d", i))} }
	retry := func(t *testing.T, err error) time.Duration {
		t.Helper()
		var rl *auth.RateLimitError
		require.ErrorAs(t, err, &rl)
		return rl.RetryAfter
	}
	for _, name := range []string{"zoe", "ghost"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *auth.Config) { c.Limits.Defender.Disabled = true })
			e.user("zoe")
			// Ten wrong passwords from one network use up that network.
			for i := range 10 {
				_, err := e.svc.LoginPassword(ctx, net(1), name, "wrong password")
				require.ErrorIs(t, err, auth.ErrInvalidCredentials, "attempt %d", i+1)
			}
			_, err := e.svc.LoginPassword(ctx, net(1), name, goodPassword)
			assert.Equal(t, 15*time.Minute, retry(t, err), "the guessing network is refused")
			// A dozen more from three other networks: the owner's own
			// network is untouched.
			for i := range 12 {
				_, err := e.svc.LoginPassword(ctx, net(2+i%3), name, "wrong password")
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			}
			_, err = e.svc.LoginPassword(ctx, ipA, name, goodPassword)
			if name == "zoe" {
				require.NoError(t, err, "the owner signs in from its own network")
			} else {
				require.ErrorIs(t, err, auth.ErrInvalidCredentials, "an unknown name is answered alike")
			}
		})
	}

	for _, name := range []string{"zoe", "ghost"} {
		t.Run(name+" ceiling", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *auth.Config) { c.Limits.Defender.Disabled = true })
			e.user("zoe")
			for i := range 50 {
				_, err := e.svc.LoginPassword(ctx, net(i+1), name, "wrong password")
				require.ErrorIs(t, err, auth.ErrInvalidCredentials, "attempt %d", i+1)
			}
			_, err := e.svc.LoginPassword(ctx, ipA, name, goodPassword)
			assert.Equal(t, 15*time.Minute, retry(t, err), "the ceiling holds for every network, the owner's too")
			e.clock.Advance(15 * time.Minute)
			_, err = e.svc.LoginPassword(ctx, ipA, name, goodPassword)
			if name == "zoe" {
				require.NoError(t, err, "until the window ends")
			} else {
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			}
		})
	}

	t.Run("a success resets", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *auth.Config) { c.Limits.Defender.Disabled = true })
		e.user("zoe")
		for range 9 {
			_, _ = e.svc.LoginPassword(ctx, ipA, "zoe", "wrong password")
		}
		_, err := e.svc.LoginPassword(ctx, ipA, "zoe", goodPassword)
		require.NoError(t, err)
		for range 10 {
			_, err = e.svc.LoginPassword(ctx, ipA, "zoe", "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials, "the success reset the count")
		}
	})

	t.Run("network limit", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *auth.Config) { c.Limits.Defender.Disabled = true })
		e.user("zoe")
		for i := range 50 {
			_, err := e.svc.LoginPassword(ctx, ipB, fmt.Sprintf("name%d", i), "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}
		_, err := e.svc.LoginPassword(ctx, ipB, "zoe", goodPassword)
		assert.Equal(t, 15*time.Minute, retry(t, err), "one network guessing many names is refused")
		_, err = e.svc.LoginPassword(ctx, ipA, "zoe", goodPassword)
		require.NoError(t, err, "other networks are not")
	})
}

// TestSendLimit: codes sent to one address are limited, known or not.
func TestSendLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("amy")
	for _, email := range []string{"amy@example.com", "nobody@example.com"} {
		for i := range 5 {
			c := auth.Client{IP: mustAddr(fmt.Sprintf("203.0.113.%d", i+1))}
			_, err := e.svc.StartPasswordReset(ctx, c, nil, email)
			require.NoError(t, err, "%s %d", email, i)
		}
		_, err := e.svc.StartPasswordReset(ctx, ipA, nil, email)
		require.ErrorIs(t, err, auth.ErrTooManyRequests, email)
	}
}

// TestSignupNameProbesAreLimited checks that sign-up attempts that only
// learn a name is taken count against the client IP's limit, so names and
// emails cannot be enumerated through sign-up without bound.
func TestSignupNameProbesAreLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) {
		c.AllowSignup = true
		c.Limits.PerIP = auth.Rate{Limit: 3, Window: time.Minute}
	})
	e.user("taken")
	for range 3 {
		_, err := e.svc.CreateUser(ctx, ipA, nil, auth.CreateUserInput{Username: "taken", Password: goodPassword})
		require.ErrorIs(t, err, auth.ErrUsernameAlreadyUsed)
	}
	_, err := e.svc.CreateUser(ctx, ipA, nil, auth.CreateUserInput{Username: "taken", Password: goodPassword})
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
	// A username that is another user's email is refused by a check of its
	// own, which is limited too.
	_, err = e.svc.CreateUser(ctx, ipA, nil, auth.CreateUserInput{Username: "taken@example.com", Password: goodPassword})
	require.ErrorAs(t, err, &rl, "a name-clash probe too")
	_, err = e.svc.CreateUser(ctx, ipB, nil, auth.CreateUserInput{Username: "taken@example.com", Password: goodPassword})
	require.NotErrorAs(t, err, &rl, "another client IP has its own budget")
	require.ErrorIs(t, err, auth.ErrUsernameAlreadyUsed)
}

// TestSendsPerUser checks that one user cannot have verification codes
// mailed to any number of addresses: the Sends limit counts per user as
// well as per address.
func TestSendsPerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noLimits, func(c *auth.Config) { c.Limits.Sends = auth.Rate{Limit: 3, Window: 15 * time.Minute} })
	u := e.user("sam")
	p := e.principal("sam")
	for i := range 3 {
		addr := fmt.Sprintf("victim%d@example.net", i)
		_, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, &addr)
		require.NoError(t, err)
	}
	addr := "victim9@example.net"
	_, err := e.svc.StartEmailVerification(ctx, ipA, p, u.ID, &addr)
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
	e.user("tom")
	tom := e.principal("tom")
	_, err = e.svc.StartEmailVerification(ctx, ipA, tom, tom.UserID, &addr)
	require.NoError(t, err, "another user has a budget of its own, and that address one too")
	e.clock.Advance(15 * time.Minute)
	p = e.principal("sam") // an email change needs a recent sign-in
	_, err = e.svc.StartEmailVerification(ctx, ipA, p, u.ID, &addr)
	require.NoError(t, err, "the window passed")
}

func TestExemptNetworks(t *testing.T) {
	t.Parallel()
	loop := auth.Client{IP: mustAddr("127.0.0.1")}
	e := newEnv(t, func(c *auth.Config) {
		c.Limits.Exempt = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		c.Limits.PerIP = auth.Rate{Limit: 2, Window: time.Minute}
		c.Limits.AccountFailures = auth.Rate{Limit: 3, Window: time.Minute}
	})
	e.user("uma")
	t.Run("per-IP limit skipped for the exempt network", func(t *testing.T) {
		for i := range 5 {
			_, err := e.svc.LoginPassword(ctx, loop, "uma", goodPassword)
			require.NoError(t, err, "sign-in %d from loopback", i)
		}
	})
	t.Run("per-account limit still applies", func(t *testing.T) {
		for range 3 {
			_, err := e.svc.LoginPassword(ctx, loop, "uma", "wrong password!")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}
		_, err := e.svc.LoginPassword(ctx, loop, "uma", "wrong password!")
		var rl *auth.RateLimitError
		require.ErrorAs(t, err, &rl)
	})
	t.Run("other networks keep the per-IP limit", func(t *testing.T) {
		other := auth.Client{IP: mustAddr("198.51.100.7")}
		var err error
		for range 3 {
			_, err = e.svc.LoginPassword(ctx, other, "nobody", goodPassword)
		}
		var rl *auth.RateLimitError
		require.ErrorAs(t, err, &rl)
	})
	t.Run("invalid prefix refused", func(t *testing.T) {
		_, err := auth.New(t.Context(), e.st, auth.Config{SealingKey: sealingKey, Limits: auth.Limits{Exempt: []netip.Prefix{{}}}})
		require.ErrorIs(t, err, auth.ErrInvalidConfig)
	})
}
