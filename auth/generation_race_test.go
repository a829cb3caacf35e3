package auth_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// raceTrials is how many times each change races the sign-ins.
const raceTrials = 100

// raisedLimits lets a test sign in as often as it likes from one address.
func raisedLimits(c *auth.Config) {
	many := auth.Rate{Limit: 1 << 30, Window: time.Hour}
	c.Limits = auth.Limits{PerIP: many, AccountFailures: many, AccountCeiling: many, NetworkFailures: many, CodeFailures: many, Sends: many,
		EmailChanges: many, Enrollments: many,
		Defender: auth.DefenderConfig{Disabled: true}}
}

// sharedPair returns two services on two handles of one database, as two
// instances of a host would run.
func sharedPair(t *testing.T, dsn string) (*env, *env) {
	t.Helper()
	a := newEnvOn(t, sqltest.Open(t, dsn), raisedLimits)
	b := newEnvClock(t, sqltest.Open(t, dsn), a.clock, raisedLimits)
	return a, b
}

// TestGenerationEndsRacingSignIns races sign-ins with the old password on
// one instance against a password change, a reset and a disable on another
// (two handles of one SQLite file and of one PostgreSQL database). Whatever
// the interleaving, no access token and no sign-in challenge obtained with
// the old password is accepted once the change has returned: the sign-in
// reads the generation with the hash it verifies, and the change moves the
// generation on in the same write as the hash or the flag.
func TestGenerationEndsRacingSignIns(t *testing.T) {
	dbs := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return sqltest.SQLitePath(t) }},
		{"postgres", func(t *testing.T) string { return sqltest.OpenPostgresSchema(t) }},
	}
	changes := []struct {
		name string
		// change makes the old password's credentials void; it returns the
		// password that signs in afterwards.
		change func(t *testing.T, e *env, userID string, trial int) string
		// undo puts the account back in a state where only the generation
		// (not the disabled flag) can refuse the old credentials.
		undo func(t *testing.T, e *env, userID string)
	}{
		{"password change", func(t *testing.T, e *env, userID string, trial int) string {
			pw := fmt.Sprintf("changed password %d", trial)
			require.NoError(t, e.svc.ChangePassword(ctx, ipB, auth.System(), userID, nil, pw))
			return pw
		}, nil},
		// (A reset of the user with TOTP would need a fresh TOTP step per
		// trial; its challenges are raced by the other two changes.)
		{"password reset", func(t *testing.T, e *env, userID string, trial int) string {
			u, err := e.svc.GetUser(ctx, auth.System(), userID)
			require.NoError(t, err)
			r, err := e.svc.StartPasswordReset(ctx, ipB, auth.System(), u.Email)
			require.NoError(t, err)
			require.NoError(t, e.svc.VerifyPasswordResetEmail(ctx, ipB, r.ID, r.Code))
			pw := fmt.Sprintf("reset password %d", trial)
			require.NoError(t, e.svc.ResetPassword(ctx, ipB, r.ID, pw))
			return pw
		}, nil},
		{"disable", func(t *testing.T, e *env, userID string, _ int) string {
			yes := true
			_, err := e.svc.UpdateUser(ctx, auth.System(), userID, auth.UpdateUserInput{Disabled: &yes})
			require.NoError(t, err)
			return ""
		}, func(t *testing.T, e *env, userID string) {
			no := false
			_, err := e.svc.UpdateUser(ctx, auth.System(), userID, auth.UpdateUserInput{Disabled: &no})
			require.NoError(t, err)
		}},
	}
	for _, db := range dbs {
		for _, ch := range changes {
			t.Run(db.name+"/"+ch.name, func(t *testing.T) {
				t.Parallel()
				signer, changer := sharedPair(t, db.dsn(t))
				plain := signer.user("plain")
				second := signer.user("second")
				_, recovery := signer.enableTOTP(signer.principal("second"))
				passwords := map[string]string{plain.ID: goodPassword, second.ID: goodPassword}
				name := map[string]string{plain.ID: "plain", second.ID: "second"}
				accepted := 0
				for trial := range raceTrials {
					for _, id := range []string{plain.ID, second.ID} {
						if ch.name == "password reset" && id == second.ID {
							continue
						}
						old := passwords[id]
						tokens, challenges := raceSignIns(t, signer, name[id], old, func() {
							passwords[id] = ch.change(t, changer, id, trial)
						})
						if ch.undo != nil {
							ch.undo(t, changer, id)
						}
						for _, tok := range tokens {
							for _, e := range []*env{signer, changer} {
								_, err := e.svc.Authenticate(ctx, ipA, tok)
								if !assert.ErrorIs(t, err, auth.ErrUnauthorized, "trial %d: a token from the old password", trial) {
									accepted++
								}
							}
						}
						for _, c := range challenges {
							_, err := signer.svc.LoginRecoveryCode(ctx, ipA, c, recovery[0])
							if !assert.ErrorIs(t, err, auth.ErrUnauthorized, "trial %d: a challenge from the old password", trial) {
								accepted++
							}
						}
						if passwords[id] == "" {
							passwords[id] = old
						}
					}
				}
				assert.Zero(t, accepted, "credentials that outlived the change")
			})
		}
	}
}

// raceSignIns signs name in with password from four goroutines, starting
// together with change, until change has returned, and returns the access
// tokens and sign-in challenges they obtained. The sign-ins still running
// when change returns finish and count too.
func raceSignIns(t *testing.T, e *env, name, password string, change func()) (tokens, challenges []string) {
	t.Helper()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		done = make(chan struct{})
		go1  = make(chan struct{})
	)
	for range 4 {
		wg.Go(func() {
			<-go1
			for i := 0; i < 50; i++ {
				select {
				case <-done:
					return
				default:
				}
				res, err := e.svc.LoginPassword(ctx, ipA, name, password)
				if err != nil {
					if !errors.Is(err, auth.ErrInvalidCredentials) && !errors.Is(err, auth.ErrAccountDisabled) {
						t.Errorf("sign-in: %v", err)
					}
					continue
				}
				mu.Lock()
				if res.SecondFactorRequired {
					challenges = append(challenges, res.ChallengeToken)
				} else {
					tokens = append(tokens, res.Token.AccessToken)
				}
				mu.Unlock()
			}
		})
	}
	close(go1)
	change()
	close(done)
	wg.Wait()
	return tokens, challenges
}
