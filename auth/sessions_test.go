package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

// signIn signs the user in from c and returns the token response.
func (e *env) signIn(name string, c auth.Client) *auth.TokenResponse {
	e.t.Helper()
	res, err := e.svc.LoginPassword(ctx, c, name, goodPassword)
	require.NoError(e.t, err)
	require.NotNil(e.t, res.Token)
	require.NotEmpty(e.t, res.Token.RefreshToken)
	require.NotEmpty(e.t, res.Token.SessionID)
	return res.Token
}

// dead asserts that the access token no longer authenticates.
func (e *env) dead(access string, msg string) {
	e.t.Helper()
	_, err := e.svc.Authenticate(ctx, ipA, access)
	require.ErrorIs(e.t, err, auth.ErrUnauthorized, msg)
}

func TestRefreshRotates(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("rita")
		first := e.signIn("rita", ipA)
		p, err := e.svc.Authenticate(ctx, ipA, first.AccessToken)
		require.NoError(t, err)
		assert.Equal(t, first.SessionID, p.SessionID)
		signedInAt := p.AuthTime

		cur := first
		for i := range 3 {
			e.clock.Advance(10 * time.Minute)
			next, err := e.svc.Refresh(ctx, ipA, cur.RefreshToken)
			require.NoError(t, err, "refresh %d", i)
			require.NotEqual(t, cur.RefreshToken, next.RefreshToken)
			require.NotEmpty(t, next.RefreshToken)
			assert.Equal(t, first.SessionID, next.SessionID)
			p, err := e.svc.Authenticate(ctx, ipA, next.AccessToken)
			require.NoError(t, err)
			assert.Equal(t, signedInAt, p.AuthTime, "a refresh is no new sign-in")
			assert.Equal(t, first.SessionID, p.SessionID)
			require.NotNil(t, next.RefreshExpiresAt)
			assert.Equal(t, e.clock.Now().Add(auth.DefaultSessionIdleTimeout).Truncate(time.Microsecond), next.RefreshExpiresAt.Truncate(time.Microsecond))
			cur = next
		}

		// The first refresh token, spent long ago, is a theft: the whole
		// session ends, the newest tokens included.
		e.clock.Advance(time.Minute)
		_, err = e.svc.Refresh(ctx, ipA, first.RefreshToken)
		require.ErrorIs(t, err, auth.ErrUnauthorized)
		e.dead(cur.AccessToken, "the newest access token of a session ended by reuse")
		_, err = e.svc.Refresh(ctx, ipA, cur.RefreshToken)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "the newest refresh token of a session ended by reuse")
	})
}

func TestRefreshGrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		wait      time.Duration
		usedAgain bool // the successor was used before the racer came
		wantOK    bool
	}{
		{"racer within the grace", time.Second, false, true},
		{"racer at the end of the grace", auth.DefaultRefreshGrace, false, true},
		{"racer after the grace", auth.DefaultRefreshGrace + time.Millisecond, false, false},
		{"racer after the successor was used", time.Second, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.user("gus")
			first := e.signIn("gus", ipA)
			second, err := e.svc.Refresh(ctx, ipA, first.RefreshToken)
			require.NoError(t, err)
			var third *auth.TokenResponse
			if tc.usedAgain {
				third, err = e.svc.Refresh(ctx, ipA, second.RefreshToken)
				require.NoError(t, err)
			}
			e.clock.Advance(tc.wait)
			racer, err := e.svc.Refresh(ctx, ipA, first.RefreshToken)
			if !tc.wantOK {
				require.ErrorIs(t, err, auth.ErrUnauthorized)
				e.dead(second.AccessToken, "the session ended")
				if third != nil {
					e.dead(third.AccessToken, "the session ended")
				}
				return
			}
			require.NoError(t, err)
			assert.Empty(t, racer.RefreshToken, "a racer gets no refresh token of its own")
			assert.Equal(t, first.SessionID, racer.SessionID)
			_, err = e.svc.Authenticate(ctx, ipA, racer.AccessToken)
			require.NoError(t, err)
			// The successor still works: the racer did not spend it.
			_, err = e.svc.Refresh(ctx, ipA, second.RefreshToken)
			require.NoError(t, err)
		})
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		steps   []time.Duration // refreshes after these waits
		wantErr bool
	}{
		{"refreshed within the idle timeout", []time.Duration{13 * 24 * time.Hour, 13 * 24 * time.Hour}, false},
		{"idle exactly the timeout", []time.Duration{auth.DefaultSessionIdleTimeout}, true},
		{"idle just under the timeout", []time.Duration{auth.DefaultSessionIdleTimeout - time.Second}, false},
		{"absolute lifetime reached though refreshed", []time.Duration{10 * 24 * time.Hour, 10 * 24 * time.Hour, 10 * 24 * time.Hour}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.user("ivy")
			tok := e.signIn("ivy", ipA)
			var err error
			for i, d := range tc.steps {
				e.clock.Advance(d)
				var next *auth.TokenResponse
				next, err = e.svc.Refresh(ctx, ipA, tok.RefreshToken)
				if err != nil {
					require.Equal(t, len(tc.steps)-1, i, "only the last step may fail")
					break
				}
				tok = next
			}
			if tc.wantErr {
				require.ErrorIs(t, err, auth.ErrUnauthorized)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestSessionRoleLifetimes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) {
		c.Sessions.RoleIdleTimeout = map[string]time.Duration{"kiosk": time.Hour}
	})
	u, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "kiosk1", Password: goodPassword, Role: "kiosk"})
	require.NoError(t, err)
	tok := e.signIn(u.Username, ipA)
	e.clock.Advance(time.Hour)
	_, err = e.svc.Refresh(ctx, ipA, tok.RefreshToken)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "the kiosk role's idle timeout is an hour")
}

func TestSessionEndingEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(t *testing.T, e *env, tok *auth.TokenResponse)
		want error // what the ended session's tokens get; nil: ErrUnauthorized
	}{
		{"logout", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			p, err := e.svc.Authenticate(ctx, ipA, tok.AccessToken)
			require.NoError(t, err)
			require.NoError(t, e.svc.Logout(ctx, p))
		}, nil},
		{"logout by refresh token", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			require.NoError(t, e.svc.LogoutRefreshToken(ctx, ipA, tok.RefreshToken))
		}, nil},
		{"revoke this session", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			p := e.principal("nat")
			require.NoError(t, e.svc.RevokeSession(ctx, p, p.UserID, tok.SessionID))
		}, nil},
		{"log out everywhere", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			p := e.principal("nat")
			require.NoError(t, e.svc.RevokeSessions(ctx, p, p.UserID))
		}, nil},
		{"password change", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			p := e.principal("nat")
			old := goodPassword
			require.NoError(t, e.svc.ChangePassword(ctx, ipA, p, p.UserID, &old, "a brand new passphrase"))
		}, nil},
		{"disable", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			u := e.lookup("nat")
			yes := true
			_, err := e.svc.UpdateUser(ctx, auth.System(), u.ID, auth.UpdateUserInput{Disabled: &yes})
			require.NoError(t, err)
		}, auth.ErrAccountDisabled},
		{"deletion", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			require.NoError(t, e.svc.DeleteUser(ctx, auth.System(), e.lookup("nat").ID))
		}, nil},
		{"password reset", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			pr, err := e.svc.StartPasswordReset(ctx, ipB, auth.System(), "nat@example.com")
			require.NoError(t, err)
			require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, pr.ID, pr.Code))
			require.NoError(t, e.svc.ResetPassword(ctx, ipB, pr.ID, "another fresh passphrase"))
		}, nil},
		{"restore", func(t *testing.T, e *env, tok *auth.TokenResponse) {
			d, err := e.svc.Dump(ctx, auth.System())
			require.NoError(t, err)
			require.NoError(t, e.svc.Restore(ctx, auth.System(), d))
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.user("nat", auth.PermAll)
			tok := e.signIn("nat", ipA)
			tc.end(t, e, tok)
			want := tc.want
			if want == nil {
				want = auth.ErrUnauthorized
			}
			_, err := e.svc.Authenticate(ctx, ipA, tok.AccessToken)
			require.ErrorIs(t, err, want, "the access token of an ended session")
			_, err = e.svc.Refresh(ctx, ipA, tok.RefreshToken)
			require.ErrorIs(t, err, want, "the refresh token of an ended session")
		})
	}
}

func TestSessionList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("olga")
	e.user("viewer", auth.PermViewUsers)
	e.user("peer")
	a := e.signIn("olga", ipA)
	e.clock.Advance(time.Second)
	b := e.signIn("olga", ipB)
	p, err := e.svc.Authenticate(ctx, ipB, b.AccessToken)
	require.NoError(t, err)

	list, err := e.svc.ListSessions(ctx, p, p.UserID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, a.SessionID, list[0].ID)
	assert.Equal(t, "192.0.2.1", list[0].ClientIP)
	assert.False(t, list[0].Current)
	assert.Equal(t, b.SessionID, list[1].ID)
	assert.True(t, list[1].Current)

	t.Run("view_users sees them", func(t *testing.T) {
		l, err := e.svc.ListSessions(ctx, e.principal("viewer"), p.UserID)
		require.NoError(t, err)
		assert.Len(t, l, 2)
	})
	t.Run("another user does not", func(t *testing.T) {
		_, err := e.svc.ListSessions(ctx, e.principal("peer"), p.UserID)
		require.ErrorIs(t, err, auth.ErrForbidden)
	})
	t.Run("another user cannot revoke", func(t *testing.T) {
		require.ErrorIs(t, e.svc.RevokeSession(ctx, e.principal("peer"), p.UserID, a.SessionID), auth.ErrForbidden)
		require.ErrorIs(t, e.svc.RevokeSessions(ctx, e.principal("peer"), p.UserID), auth.ErrForbidden)
		require.ErrorIs(t, e.svc.RevokeSession(ctx, e.principal("viewer"), p.UserID, a.SessionID), auth.ErrForbidden, "view_users is not edit_users")
	})
	t.Run("a session of another user is not found", func(t *testing.T) {
		peer := e.principal("peer")
		require.ErrorIs(t, e.svc.RevokeSession(ctx, peer, peer.UserID, a.SessionID), auth.ErrNotFound)
		_, err := e.svc.Authenticate(ctx, ipA, a.AccessToken)
		require.NoError(t, err, "olga's session lives on")
	})
	t.Run("revoking one leaves the other", func(t *testing.T) {
		require.NoError(t, e.svc.RevokeSession(ctx, p, p.UserID, a.SessionID))
		e.dead(a.AccessToken, "revoked")
		_, err := e.svc.Authenticate(ctx, ipB, b.AccessToken)
		require.NoError(t, err)
	})
}

func TestSessionCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.Sessions.MaxPerUser = 3 })
	e.user("quinn")
	var toks []*auth.TokenResponse
	for range 4 {
		toks = append(toks, e.signIn("quinn", ipA))
		e.clock.Advance(time.Second)
	}
	e.dead(toks[0].AccessToken, "the oldest session ends beyond the cap")
	for _, tok := range toks[1:] {
		_, err := e.svc.Authenticate(ctx, ipA, tok.AccessToken)
		require.NoError(t, err)
	}
}

func TestSessionBindIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.Sessions.BindIP = true })
	e.user("ray")
	tok := e.signIn("ray", ipA)
	_, err := e.svc.Authenticate(ctx, ipB, tok.AccessToken)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "an access token from another address")
	_, err = e.svc.Authenticate(ctx, ipA, tok.AccessToken)
	require.NoError(t, err, "from its own address")
	_, err = e.svc.Refresh(ctx, ipB, tok.RefreshToken)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "a refresh token from another address")
	_, err = e.svc.Refresh(ctx, ipA, tok.RefreshToken)
	require.ErrorIs(t, err, auth.ErrUnauthorized, "a refresh token presented from elsewhere ends the session")
	e.dead(tok.AccessToken, "the session ended")
}

// other returns a base62 character that is not c.
func other(c byte) string {
	if c == 'x' {
		return "y"
	}
	return "x"
}

func TestRefreshRefusesGarbage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("sol")
	tok := e.signIn("sol", ipA)
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"access token", tok.AccessToken},
		{"API-token shaped", "lt_" + tok.RefreshToken[3:]},
		{"checksum broken", tok.RefreshToken[:20] + other(tok.RefreshToken[20]) + tok.RefreshToken[21:]},
		{"well formed but unknown", "lr_Rf7KqZ2mXw9LpT4vNc8HjB3sDy6GaE1uQo5WiU0tYkSclfuoV"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Refresh(ctx, ipB, tc.in)
			require.ErrorIs(t, err, auth.ErrUnauthorized)
		})
	}
	_, err := e.svc.Refresh(ctx, ipA, tok.RefreshToken)
	require.NoError(t, err, "garbage changed nothing")
}

func TestSessionConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  auth.SessionConfig
	}{
		{"negative idle timeout", auth.SessionConfig{IdleTimeout: -time.Second}},
		{"negative lifetime", auth.SessionConfig{Lifetime: -time.Second}},
		{"grace over the maximum", auth.SessionConfig{RefreshGrace: auth.MaxRefreshGrace + time.Second}},
		{"zero role idle timeout", auth.SessionConfig{RoleIdleTimeout: map[string]time.Duration{"r": 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.New(t.Context(), newEnv(t).st, auth.Config{SealingKey: sealingKey, Sessions: tc.cfg})
			require.ErrorIs(t, err, auth.ErrInvalidConfig)
		})
	}
}

// lookup returns the stored user with this username.
func (e *env) lookup(name string) *auth.User {
	e.t.Helper()
	u, err := e.st.UserByUsername(ctx, name)
	require.NoError(e.t, err)
	pu, err := e.svc.GetUser(ctx, auth.System(), u.ID)
	require.NoError(e.t, err)
	return pu
}

// noticeBox is a Notifier that records sign-in notices.
type noticeBox struct {
	notifier
	mu      sync.Mutex
	notices []string // email + " " + network
}

func (n *noticeBox) SendSignInNotice(_ context.Context, email, network, _ string, _ time.Time) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notices = append(n.notices, email+" "+network)
	return nil
}

func (n *noticeBox) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.notices
	n.notices = nil
	return out
}

func TestSignInNotice(t *testing.T) {
	t.Parallel()
	box := &noticeBox{}
	e := newEnv(t, func(c *auth.Config) { c.Notifier = box })
	e.user("vic")
	from := func(ip string) auth.Client { return auth.Client{IP: mustAddr(ip), UserAgent: "test agent"} }
	steps := []struct {
		name string
		c    auth.Client
		want []string
	}{
		{"first sign-in ever", from("192.0.2.1"), nil},
		{"again from the same address", from("192.0.2.1"), nil},
		{"from the same /24", from("192.0.2.77"), nil},
		{"from a new network", from("198.51.100.9"), []string{"vic@example.com 198.51.100.9"}},
		{"that network again", from("198.51.100.10"), nil},
		{"a new IPv6 network", from("2001:db8:1::5"), []string{"vic@example.com 2001:db8:1::5"}},
		{"the same IPv6 /64", from("2001:db8:1::6"), nil},
	}
	for _, st := range steps {
		_, err := e.svc.LoginPassword(ctx, st.c, "vic", goodPassword)
		require.NoError(t, err, st.name)
		assert.Equal(t, st.want, box.take(), st.name)
	}
	t.Run("no live session from the network any more", func(t *testing.T) {
		p := e.principal("vic")
		box.take()
		require.NoError(t, e.svc.RevokeSessions(ctx, p, p.UserID))
		_, err := e.svc.LoginPassword(ctx, from("192.0.2.1"), "vic", goodPassword)
		require.NoError(t, err)
		assert.Equal(t, []string{"vic@example.com 192.0.2.1"}, box.take())
	})
}
