package auth_test

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/totp"
)

func TestLoginPassword(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		u := e.user("Alice")
		for _, id := range []string{"Alice", "alice", "ALICE", "alice@example.com", "Alice@Example.COM"} {
			res, err := e.svc.LoginPassword(ctx, ipA, id, goodPassword)
			require.NoError(t, err, id)
			require.False(t, res.SecondFactorRequired)
			assert.Equal(t, u.ID, res.User.ID)
			assert.Equal(t, "Bearer", res.Token.TokenType)
			assert.Equal(t, t0.Add(auth.DefaultAccessTokenTTL), res.Token.ExpiresAt)
			require.NotNil(t, res.User.LastLoginAt)
			p, err := e.svc.Authenticate(ctx, ipA, res.Token.AccessToken)
			require.NoError(t, err)
			assert.Equal(t, u.ID, p.UserID)
			assert.Equal(t, auth.KindAccessToken, p.Kind)
		}
		for _, tc := range []struct{ name, id, password string }{
			{"unknown user", "mallory", goodPassword},
			{"unknown email", "mallory@example.com", goodPassword},
			{"wrong password", "alice", goodPassword + "!"},
			{"empty identifier", "", goodPassword},
			{"empty password", "alice", ""},
			{"overlong password", "alice", strings.Repeat("x", 2000)},
			{"invalid utf-8", "al\xffice", goodPassword},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := e.svc.LoginPassword(ctx, ipB, tc.id, tc.password)
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
				assert.Nil(t, res)
			})
		}
	})
}

func TestLoginAccountState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("admin", auth.PermAll)
	admin := e.principal("admin")
	u := e.user("dave")
	yes := true
	_, err := e.svc.UpdateUser(ctx, admin, u.ID, auth.UpdateUserInput{Disabled: &yes})
	require.NoError(t, err)
	_, err = e.svc.LoginPassword(ctx, ipA, "dave", "wrong password")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials, "the account state is told only to who knows the password")
	_, err = e.svc.LoginPassword(ctx, ipA, "dave", goodPassword)
	require.ErrorIs(t, err, auth.ErrAccountDisabled)

	ips := []string{"192.0.2.0/31", "2001:db8::/64"}
	u2, err := e.svc.CreateUser(ctx, ipA, admin, auth.CreateUserInput{Username: "erin", Password: goodPassword, AllowedIPs: ips})
	require.NoError(t, err)
	res, err := e.svc.LoginPassword(ctx, ipA, "erin", goodPassword)
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		client  auth.Client
		allowed bool
	}{
		{"outside", auth.Client{IP: mustAddr("198.51.100.7")}, false},
		{"no client ip", auth.Client{}, false},
		{"other v6 /64", auth.Client{IP: mustAddr("2001:db8:0:1::1")}, false},
		{"v4-mapped", auth.Client{IP: mustAddr("::ffff:192.0.2.1")}, true},
		{"v6 inside", auth.Client{IP: mustAddr("2001:db8::42")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, lerr := e.svc.LoginPassword(ctx, tc.client, "erin", goodPassword)
			_, aerr := e.svc.Authenticate(ctx, tc.client, res.Token.AccessToken)
			if tc.allowed {
				assert.NoError(t, lerr)
				assert.NoError(t, aerr)
			} else {
				assert.ErrorIs(t, lerr, auth.ErrIPNotAllowed)
				assert.ErrorIs(t, aerr, auth.ErrIPNotAllowed)
			}
		})
	}
	_ = u2
}

// vector is one line of hash/testdata/vectors.jsonl: hashes made by
// independent tools (openssl, htpasswd, mkpasswd, argon2, passlib).
type vector struct {
	Name     string `json:"name"`
	Format   string `json:"format"`
	Password string `json:"password"`
	Encoded  string `json:"encoded"`
}

// legacyVectors returns one vector weaker than the default policy per
// format and variant (the encoding's first "$" field: $2a$, $2b$, $2y$,
// $pbkdf2-sha1$, $pbkdf2-b64salt-sha256$, passlib's $pbkdf2$ ...), keyed
// "format/variant".
func legacyVectors(t *testing.T) map[string]vector {
	f, err := os.Open("../hash/testdata/vectors.jsonl")
	require.NoError(t, err)
	defer f.Close()
	out := map[string]vector{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v vector
		require.NoError(t, json.Unmarshal(sc.Bytes(), &v))
		k := v.Format + "/" + variantOf(v.Encoded)
		if _, err := hash.Identify(v.Encoded); err != nil {
			continue // a broken format, refused at sign-in
		}
		if _, ok := out[k]; !ok && v.Password != "" && hash.NeedsRehash(v.Encoded) {
			out[k] = v
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// variantOf is an encoding's variant: its first "$" field ($2a$), its
// scheme ({SSHA}), what comes before a "$" (Django's pbkdf2_sha256$), or
// nothing (ASP.NET's bare base64).
func variantOf(encoded string) string {
	switch {
	case strings.HasPrefix(encoded, "$"):
		return strings.Split(encoded, "$")[1]
	case strings.HasPrefix(encoded, "{"):
		scheme, _, _ := strings.Cut(encoded, "}")
		return scheme
	}
	before, _, ok := strings.Cut(encoded, "$")
	if !ok {
		return ""
	}
	return before
}

// TestRehashOnLogin signs in with a hash of each legacy format made by an
// independent tool, imported as is, and checks that the password is then
// stored as argon2id under the default policy and still signs in.
func TestRehashOnLogin(t *testing.T) {
	t.Parallel()
	vs := legacyVectors(t)
	for _, f := range []string{"bcrypt/2a", "bcrypt/2b", "bcrypt/2y", "pbkdf2-sftpgo/pbkdf2-sha1", "pbkdf2-sftpgo/pbkdf2-sha256",
		"pbkdf2-sftpgo/pbkdf2-sha512", "pbkdf2-sftpgo/pbkdf2-b64salt-sha256", "pbkdf2-passlib/pbkdf2", "pbkdf2-passlib/pbkdf2-sha256",
		"pbkdf2-passlib/pbkdf2-sha512", "md5-crypt/1", "sha256-crypt/5", "sha512-crypt/6", "apr1/apr1", "argon2i/argon2i", "argon2id/argon2id"} {
		require.Contains(t, vs, f, "a vector weaker than the default policy for every format and variant")
	}
	for _, format := range slices.Sorted(maps.Keys(vs)) {
		v := vs[format]
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *auth.Config) { c.Hasher = nil }) // the default policy
			_, err := e.svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "legacy", PasswordHash: v.Encoded})
			require.NoError(t, err)
			_, err = e.svc.LoginPassword(ctx, ipA, "legacy", v.Password+"x")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			before, err := e.st.UserByUsername(ctx, "legacy")
			require.NoError(t, err)
			assert.Equal(t, v.Encoded, before.PasswordHash, "a failed sign-in changes nothing")

			_, err = e.svc.LoginPassword(ctx, ipA, "legacy", v.Password)
			require.NoError(t, err, v.Name)
			after, err := e.st.UserByUsername(ctx, "legacy")
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(after.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$"), after.PasswordHash)
			assert.False(t, hash.NeedsRehash(after.PasswordHash))
			_, err = e.svc.LoginPassword(ctx, ipA, "legacy", v.Password)
			require.NoError(t, err, "the re-hashed password signs in")
		})
	}
}

func TestSecondFactorLogin(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("frank")
		key, recovery := e.enableTOTP(e.principal("frank"))
		require.Len(t, recovery, 10)

		res, err := e.svc.LoginPassword(ctx, ipA, "frank", goodPassword)
		require.NoError(t, err)
		require.True(t, res.SecondFactorRequired)
		assert.Nil(t, res.Token)
		assert.Equal(t, t0.Add(30*time.Second+auth.DefaultChallengeTTL), res.ChallengeExpiresAt)
		_, err = e.svc.Authenticate(ctx, ipA, res.ChallengeToken)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "a challenge is not an access token")

		code := e.code(key)
		_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, "000000x")
		require.ErrorIs(t, err, auth.ErrIncorrectCode)
		done, err := e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, code)
		require.NoError(t, err)
		require.NotNil(t, done.Token)
		assert.True(t, done.User.TOTPEnabled)
		_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, code)
		require.ErrorIs(t, err, auth.ErrUnauthorized, "a challenge is single use")

		// Replay: the same code on a new challenge.
		res2, err := e.svc.LoginPassword(ctx, ipA, "frank", goodPassword)
		require.NoError(t, err)
		_, err = e.svc.LoginTOTP(ctx, ipA, res2.ChallengeToken, code)
		require.ErrorIs(t, err, auth.ErrIncorrectCode)

		// Recovery code, consumed.
		done, err = e.svc.LoginRecoveryCode(ctx, ipA, res2.ChallengeToken, strings.ToUpper(recovery[0]))
		require.NoError(t, err)
		require.NotNil(t, done.Token)
		res3, err := e.svc.LoginPassword(ctx, ipA, "frank", goodPassword)
		require.NoError(t, err)
		_, err = e.svc.LoginRecoveryCode(ctx, ipA, res3.ChallengeToken, recovery[0])
		require.ErrorIs(t, err, auth.ErrIncorrectCode)
		n, err := e.svc.RecoveryCodesRemaining(ctx, e.principalTOTP("frank", key), done.User.ID)
		require.NoError(t, err)
		assert.Equal(t, 9, n)

		current := e.code(key)
		for _, tc := range []struct{ name, challenge string }{
			{"empty", ""},
			{"garbage", "x"},
			{"right length", strings.Repeat("A", 43)},
		} {
			t.Run("challenge "+tc.name, func(t *testing.T) {
				_, err := e.svc.LoginTOTP(ctx, ipA, tc.challenge, current)
				assert.ErrorIs(t, err, auth.ErrUnauthorized)
			})
		}
	})
}

// principalTOTP signs a TOTP user in (moving the clock to a fresh step).
func (e *env) principalTOTP(name string, key *totp.Key) *auth.Principal {
	e.t.Helper()
	e.clock.Advance(30 * time.Second)
	res, err := e.svc.LoginPassword(ctx, ipA, name, goodPassword)
	require.NoError(e.t, err)
	require.True(e.t, res.SecondFactorRequired)
	done, err := e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
	require.NoError(e.t, err)
	p, err := e.svc.Authenticate(ctx, ipA, done.Token.AccessToken)
	require.NoError(e.t, err)
	return p
}

func TestChallengeExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"just before expiry", auth.DefaultChallengeTTL - time.Microsecond, true},
		{"at expiry", auth.DefaultChallengeTTL, false},
		{"after expiry", auth.DefaultChallengeTTL + time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.user("gina")
			key, _ := e.enableTOTP(e.principal("gina"))
			res, err := e.svc.LoginPassword(ctx, ipA, "gina", goodPassword)
			require.NoError(t, err)
			e.clock.Advance(tc.after)
			_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, auth.ErrUnauthorized)
			}
		})
	}
}

func TestChallengeVoidedByPasswordChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("admin", auth.PermAll)
	u := e.user("hank")
	key, _ := e.enableTOTP(e.principal("hank"))
	res, err := e.svc.LoginPassword(ctx, ipA, "hank", goodPassword)
	require.NoError(t, err)
	require.NoError(t, e.svc.ChangePassword(ctx, ipA, e.principal("admin"), u.ID, nil, "another good password"))
	_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
	require.ErrorIs(t, err, auth.ErrUnauthorized)
}

func TestTokenBasic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("ivan")
	tok, err := e.svc.TokenBasic(ctx, ipA, "ivan", goodPassword, "")
	require.NoError(t, err)
	_, err = e.svc.Authenticate(ctx, ipA, tok.AccessToken)
	require.NoError(t, err)
	_, err = e.svc.TokenBasic(ctx, ipA, "ivan", "nope-nope", "")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)

	key, _ := e.enableTOTP(e.principal("ivan"))
	_, err = e.svc.TokenBasic(ctx, ipA, "ivan", goodPassword, "")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials, "TOTP users need X-OTP")
	_, err = e.svc.TokenBasic(ctx, ipA, "ivan", goodPassword, "123")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	code := e.code(key)
	_, err = e.svc.TokenBasic(ctx, ipA, "ivan", goodPassword, code)
	require.NoError(t, err)
	_, err = e.svc.TokenBasic(ctx, ipA, "ivan", goodPassword, code)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials, "replayed code")
}

// TestWrongCodesPerAccount: wrong second-factor codes count per account,
// across challenges, client IPs and code kinds, and a burst of parallel
// attempts cannot overrun the limit.
func TestWrongCodesPerAccount(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		e.user("judy")
		key, recovery := e.enableTOTP(e.principal("judy"))
		clients := []auth.Client{ipA, ipB, {IP: mustAddr("198.51.100.1")}, {IP: mustAddr("2001:db8::1")}, {IP: mustAddr("203.0.113.9")}}
		for i := range 5 {
			res, err := e.svc.LoginPassword(ctx, clients[i], "judy", goodPassword)
			require.NoError(t, err)
			if i%2 == 0 {
				_, err = e.svc.LoginTOTP(ctx, clients[i], res.ChallengeToken, "000000")
			} else {
				_, err = e.svc.LoginRecoveryCode(ctx, clients[i], res.ChallengeToken, "2222-2222-2222")
			}
			require.ErrorIs(t, err, auth.ErrIncorrectCode, "attempt %d", i)
		}
		res, err := e.svc.LoginPassword(ctx, ipA, "judy", goodPassword)
		require.NoError(t, err)
		_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
		var rl *auth.RateLimitError
		require.ErrorAs(t, err, &rl, "even the right code is refused now")
		assert.Equal(t, 15*time.Minute, rl.RetryAfter)
		_, err = e.svc.LoginRecoveryCode(ctx, ipB, res.ChallengeToken, recovery[0])
		require.ErrorIs(t, err, auth.ErrTooManyRequests)

		e.clock.Advance(15 * time.Minute)
		res, err = e.svc.LoginPassword(ctx, ipA, "judy", goodPassword)
		require.NoError(t, err)
		_, err = e.svc.LoginTOTP(ctx, ipA, res.ChallengeToken, e.code(key))
		require.NoError(t, err, "the window ended")

		// A parallel burst of wrong codes: exactly the limit is checked.
		p := e.principalTOTP("judy", key)
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[string]int{}
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := e.svc.VerifyTOTP(ctx, auth.Client{}, p, p.UserID, "111111")
				mu.Lock()
				counts[auth.CodeOf(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		assert.Equal(t, 5, counts["INCORRECT_CODE"], "%v", counts)
		assert.Equal(t, 15, counts["TOO_MANY_REQUESTS"], "%v", counts)
	})
}
