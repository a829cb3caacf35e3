package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// times checks that every time a store returns is in UTC and truncated to
// the microsecond, whatever location and precision it was given.
func (x suite) times(t tb) {
	loc := time.FixedZone("UTC-3:30", -(3*3600 + 1800))
	// odd returns a time in loc with nanoseconds, and the same instant as the
	// store must return it.
	odd := func(d time.Duration) (given, want time.Time) {
		given = t0.Add(d + 987*time.Nanosecond).In(loc)
		return given, t0.Add(d)
	}
	isUTC := func(t tb, name string, got, want time.Time) {
		t.Helper()
		assert.Equal(t, want, got, name)
		assert.Equal(t, time.UTC, got.Location(), "%s is in UTC", name)
		assert.Zero(t, got.Nanosecond()%1000, "%s is truncated to the microsecond", name)
	}

	x.run(t, "Users", func(t tb, s store.Store) {
		ctx := t.Context()
		u := user("u1")
		var want [4]time.Time
		u.CreatedAt, want[1] = odd(2 * time.Second)
		u.UpdatedAt, want[2] = odd(3 * time.Second)
		u.LastLoginAt, want[3] = odd(4 * time.Second)
		require.NoError(t, s.CreateUser(ctx, u))
		got, err := s.User(ctx, "u1")
		require.NoError(t, err)
		isUTC(t, "CreatedAt", got.CreatedAt, want[1])
		isUTC(t, "UpdatedAt", got.UpdatedAt, want[2])
		isUTC(t, "LastLoginAt", got.LastLoginAt, want[3])

		given, w := odd(time.Hour)
		require.NoError(t, s.SetLastLogin(ctx, "u1", given))
		given2, w2 := odd(2 * time.Hour)
		require.NoError(t, s.SwapPasswordHash(ctx, "u1", u.PasswordHash, "h2", given2))
		got, err = s.User(ctx, "u1")
		require.NoError(t, err)
		isUTC(t, "SetLastLogin", got.LastLoginAt, w)
		isUTC(t, "SwapPasswordHash", got.UpdatedAt, w2)

		page, _, err := s.ListUsers(ctx, 10, "")
		require.NoError(t, err)
		require.Len(t, page, 1)
		isUTC(t, "ListUsers CreatedAt", page[0].CreatedAt, want[1])

		zero := user("u2")
		zero.CreatedAt, zero.UpdatedAt = time.Time{}, time.Time{}
		require.NoError(t, s.CreateUser(ctx, zero))
		got, err = s.User(ctx, "u2")
		require.NoError(t, err)
		for name, tm := range map[string]time.Time{"CreatedAt": got.CreatedAt,
			"UpdatedAt": got.UpdatedAt, "LastLoginAt": got.LastLoginAt} {
			assert.True(t, tm.IsZero(), "the zero %s stays zero, got %v", name, tm)
		}
	})

	x.run(t, "APITokens", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		tok := token("t1", "u1")
		var wc, we, wt time.Time
		tok.CreatedAt, wc = odd(time.Second)
		tok.ExpiresAt, we = odd(time.Hour)
		require.NoError(t, s.CreateAPIToken(ctx, tok, 0))
		var touch time.Time
		touch, wt = odd(time.Minute)
		require.NoError(t, s.TouchAPIToken(ctx, "t1", touch))
		got, err := s.APITokenByDigest(ctx, tok.Digest)
		require.NoError(t, err)
		isUTC(t, "CreatedAt", got.CreatedAt, wc)
		isUTC(t, "ExpiresAt", got.ExpiresAt, we)
		isUTC(t, "LastUsedAt", got.LastUsedAt, wt)
		list, err := s.ListAPITokens(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 1)
		isUTC(t, "ListAPITokens ExpiresAt", list[0].ExpiresAt, we)
	})

	x.run(t, "TOTP", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		c := cred("u1")
		var wp time.Time
		c.CreatedAt, wp = odd(time.Second)
		require.NoError(t, s.PutPendingTOTP(ctx, c))
		got, err := s.PendingTOTP(ctx, "u1")
		require.NoError(t, err)
		isUTC(t, "pending CreatedAt", got.CreatedAt, wp)
		activated, wa := odd(time.Minute)
		require.NoError(t, s.ActivateTOTP(ctx, "u1", c.Secret, 1, nil, activated))
		got, err = s.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		isUTC(t, "active CreatedAt", got.CreatedAt, wa)
	})

	x.run(t, "Requests", func(t tb, s store.Store) {
		ctx := t.Context()
		r := request("r1", "")
		var wc, we time.Time
		r.CreatedAt, wc = odd(time.Second)
		r.ExpiresAt, we = odd(time.Hour)
		require.NoError(t, s.CreateRequest(ctx, r))
		got, err := s.Request(ctx, "r1")
		require.NoError(t, err)
		isUTC(t, "CreatedAt", got.CreatedAt, wc)
		isUTC(t, "ExpiresAt", got.ExpiresAt, we)

		// An expiry with nanoseconds is compared as stored: a request that
		// expires at t is deleted at t's microsecond.
		require.NoError(t, s.DeleteExpiredRequests(ctx, we.Add(-time.Microsecond)))
		_, err = s.Request(ctx, "r1")
		require.NoError(t, err)
		require.NoError(t, s.DeleteExpiredRequests(ctx, we))
		_, err = s.Request(ctx, "r1")
		notFound(t, err)
	})

	x.run(t, "SigningKeys", func(t tb, s store.Store) {
		given, want := odd(time.Second)
		require.NoError(t, s.AddSigningKey(t.Context(), key("k1", given)))
		list, err := s.SigningKeys(t.Context())
		require.NoError(t, err)
		require.Len(t, list, 1)
		isUTC(t, "CreatedAt", list[0].CreatedAt, want)
		require.NoError(t, s.ResetSigningKeys(t.Context(), key("k2", given)))
		list, err = s.SigningKeys(t.Context())
		require.NoError(t, err)
		require.Len(t, list, 1)
		isUTC(t, "CreatedAt after reset", list[0].CreatedAt, want)
	})

	x.run(t, "Counters", func(t tb, s store.Store) {
		ctx := t.Context()
		now, wantNow := odd(0)
		c, err := s.Hit(ctx, "k", 1, time.Minute, now)
		require.NoError(t, err)
		isUTC(t, "Hit ResetAt", c.ResetAt, wantNow.Add(time.Minute))
		until, wantUntil := odd(time.Hour)
		require.NoError(t, s.Ban(ctx, "k", until))
		got, err := s.Counter(ctx, "k", now)
		require.NoError(t, err)
		isUTC(t, "Counter ResetAt", got.ResetAt, wantNow.Add(time.Minute))
		isUTC(t, "Counter BannedUntil", got.BannedUntil, wantUntil)
		list, err := s.ListCounters(ctx, "", now)
		require.NoError(t, err)
		require.Len(t, list, 1)
		isUTC(t, "ListCounters BannedUntil", list[0].BannedUntil, wantUntil)
	})

	x.run(t, "Sessions", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		sess := session("s1", "u1")
		var wc, wl, we, wa time.Time
		sess.CreatedAt, wc = odd(time.Second)
		sess.LastUsedAt, wl = odd(2 * time.Second)
		sess.ExpiresAt, we = odd(24 * time.Hour)
		sess.AuthTime, wa = odd(-time.Minute)
		sess.IdleTimeout = time.Hour + 999*time.Nanosecond
		require.NoError(t, s.CreateSession(ctx, sess, refresh("s1", 1), 0))
		check := func(name string, got *store.Session, lastUsed time.Time) {
			t.Helper()
			isUTC(t, name+" CreatedAt", got.CreatedAt, wc)
			isUTC(t, name+" LastUsedAt", got.LastUsedAt, lastUsed)
			isUTC(t, name+" ExpiresAt", got.ExpiresAt, we)
			isUTC(t, name+" AuthTime", got.AuthTime, wa)
			assert.Equal(t, time.Hour, got.IdleTimeout, "%s IdleTimeout is truncated to the microsecond", name)
		}
		got, err := s.Session(ctx, "s1")
		require.NoError(t, err)
		check("Session", got, wl)
		got, _, err = s.SessionWithOwner(ctx, "s1")
		require.NoError(t, err)
		check("SessionWithOwner", got, wl)

		now, wn := odd(time.Minute)
		got, _ = mustRotate(t, s, refresh("s1", 1), refresh("s1", 2), now, 0, store.Rotated)
		check("RotateRefreshToken", got, wn)
		list, err := s.ListSessions(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 1)
		check("ListSessions", &list[0], wn)
		d, err := s.Dump(ctx)
		require.NoError(t, err)
		require.Len(t, d.Sessions, 1)
		check("dumped", &d.Sessions[0], wn)
		require.Len(t, d.RefreshTokens, 2)
		isUTC(t, "first token CreatedAt", d.RefreshTokens[0].CreatedAt, wc)
		isUTC(t, "first token SpentAt", d.RefreshTokens[0].SpentAt, wn)
		isUTC(t, "second token CreatedAt", d.RefreshTokens[1].CreatedAt, wn)
		assert.True(t, d.RefreshTokens[1].SpentAt.IsZero(), "the live token's SpentAt is zero")

		// The grace period is measured from SpentAt as stored: now is
		// nanoseconds past its microsecond, so a grace of 0 is exceeded.
		mustRotate(t, s, refresh("s1", 1), "unused", wn, 0, store.RotationGrace)
		mustRotate(t, s, refresh("s1", 1), "unused", now, 0, store.RotationReused)
	})

	x.run(t, "Passkeys", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		pk := passkey("p1", "u1")
		var wc, wl time.Time
		pk.CreatedAt, wc = odd(time.Second)
		pk.LastUsedAt, wl = odd(time.Minute)
		require.NoError(t, s.CreatePasskey(ctx, pk, 0))
		got := getPasskey(t, s, "u1", "p1")
		isUTC(t, "Passkey CreatedAt", got.CreatedAt, wc)
		isUTC(t, "Passkey LastUsedAt", got.LastUsedAt, wl)
		used, wu := odd(time.Hour)
		require.NoError(t, s.RecordPasskeyUse(ctx, "p1", 5, 6, true, used))
		got, _, err := s.PasskeyByCredentialID(ctx, pk.CredentialID)
		require.NoError(t, err)
		isUTC(t, "RecordPasskeyUse LastUsedAt", got.LastUsedAt, wu)
		list, err := s.ListPasskeys(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 1)
		isUTC(t, "ListPasskeys CreatedAt", list[0].CreatedAt, wc)
	})

	x.run(t, "Dump", func(t tb, s store.Store) {
		ctx := t.Context()
		u := user("u1")
		var want time.Time
		u.CreatedAt, want = odd(time.Second)
		require.NoError(t, s.CreateUser(ctx, u))
		d, err := s.Dump(ctx)
		require.NoError(t, err)
		require.Len(t, d.Users, 1)
		isUTC(t, "dumped CreatedAt", d.Users[0].CreatedAt, want)
	})
}
