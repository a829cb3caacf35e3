package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func (x suite) requests(t tb) {
	x.run(t, "CreateAndGet", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		r := request("r1", "u1")
		r.Kind = store.KindLoginChallenge
		r.Attempts = 2
		r.EmailVerified = true
		require.NoError(t, s.CreateRequest(ctx, r))
		decoy := request("decoy", "")
		require.NoError(t, s.CreateRequest(ctx, decoy), "a decoy request has no user")

		for _, want := range []*store.Request{r, decoy} {
			got, err := s.Request(ctx, want.ID)
			require.NoError(t, err)
			equalRequest(t, want, got)
		}
		_, err := s.Request(ctx, "missing")
		notFound(t, err)
		_, err = s.Request(ctx, "R1")
		notFound(t, err, "IDs are compared exactly")
	})

	x.run(t, "CreateRefused", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		first := mustRequest(t, s, "r1", "u1")
		tests := []struct {
			name string
			req  *store.Request
			want error
		}{
			{"same ID", request("r1", ""), store.ErrConflict},
			{"unknown user", request("r2", "nobody"), store.ErrNotFound},
			{"unknown kind", func() *store.Request { r := request("r3", "u1"); r.Kind = "other"; return r }(), store.ErrInvalid},
			{"no code digest", func() *store.Request { r := request("r4", "u1"); r.CodeDigest = ""; return r }(), store.ErrInvalid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				require.ErrorIs(t, s.CreateRequest(ctx, tc.req), tc.want)
				got, err := s.Request(ctx, "r1")
				require.NoError(t, err)
				equalRequest(t, first, got, "the existing request is unchanged")
				if tc.req.ID != "r1" {
					_, err = s.Request(ctx, tc.req.ID)
					notFound(t, err, "the refused request was not stored")
				}
			})
		}
	})

	x.run(t, "FailAttempts", func(t tb, s store.Store) {
		ctx := t.Context()
		r := mustRequest(t, s, "r1", "")
		mustRequest(t, s, "other", "")
		for want := 1; want <= 2; want++ {
			n, err := s.FailRequestAttempt(ctx, "r1", 3)
			require.NoError(t, err)
			require.Equal(t, want, n)
			got, err := s.Request(ctx, "r1")
			require.NoError(t, err, "still there below the maximum")
			w := *r
			w.Attempts = want
			equalRequest(t, &w, got, "only Attempts changes")
		}
		n, err := s.FailRequestAttempt(ctx, "r1", 3)
		require.NoError(t, err)
		require.Equal(t, 3, n, "the attempt that reaches the maximum is counted")
		_, err = s.Request(ctx, "r1")
		notFound(t, err, "deleted at the maximum")
		_, err = s.FailRequestAttempt(ctx, "r1", 3)
		notFound(t, err, "after deletion")
		_, err = s.FailRequestAttempt(ctx, "missing", 3)
		notFound(t, err)

		got, err := s.Request(ctx, "other")
		require.NoError(t, err)
		require.Equal(t, 0, got.Attempts, "other requests are untouched")

		n, err = s.FailRequestAttempt(ctx, "other", 1)
		require.NoError(t, err)
		require.Equal(t, 1, n, "max 1: the first failure is the last")
		_, err = s.Request(ctx, "other")
		notFound(t, err)
	})

	x.run(t, "MarkVerified", func(t tb, s store.Store) {
		ctx := t.Context()
		r := mustRequest(t, s, "r1", "")
		flags := func() (bool, bool) {
			t.Helper()
			got, err := s.Request(ctx, "r1")
			require.NoError(t, err)
			w := *r
			w.EmailVerified, w.SecondFactorVerified = got.EmailVerified, got.SecondFactorVerified
			equalRequest(t, &w, got, "only the flags change")
			return got.EmailVerified, got.SecondFactorVerified
		}
		for _, bad := range []store.Verification{0, store.VerifiedSecondFactor + 1, 255} {
			assert.ErrorIs(t, s.MarkRequestVerified(ctx, "r1", bad), store.ErrInvalid, "step %d", bad)
		}
		e, two := flags()
		assert.False(t, e, "an unknown step set the email flag")
		assert.False(t, two, "an unknown step set the second-factor flag")
		steps := []struct {
			name               string
			step               store.Verification
			wantEmail, wantTwo bool
		}{
			{"email", store.VerifiedEmail, true, false},
			{"email again", store.VerifiedEmail, true, false},
			{"second factor keeps email", store.VerifiedSecondFactor, true, true},
			{"email again keeps second factor", store.VerifiedEmail, true, true},
		}
		for _, st := range steps {
			require.NoError(t, s.MarkRequestVerified(ctx, "r1", st.step), st.name)
			e, two := flags()
			assert.Equal(t, st.wantEmail, e, st.name)
			assert.Equal(t, st.wantTwo, two, st.name)
		}
		notFound(t, s.MarkRequestVerified(ctx, "missing", store.VerifiedEmail))
	})

	x.run(t, "DeleteIsSingleUse", func(t tb, s store.Store) {
		ctx := t.Context()
		mustRequest(t, s, "r1", "")
		mustRequest(t, s, "r2", "")
		require.NoError(t, s.DeleteRequest(ctx, "r1"))
		notFound(t, s.DeleteRequest(ctx, "r1"), "second delete")
		notFound(t, s.DeleteRequest(ctx, "missing"))
		_, err := s.Request(ctx, "r1")
		notFound(t, err)
		_, err = s.Request(ctx, "r2")
		require.NoError(t, err)
		mustRequest(t, s, "r1", "") // the ID is free again
	})

	x.run(t, "DeleteExpired", func(t tb, s store.Store) {
		ctx := t.Context()
		now := at(time.Hour)
		for id, exp := range map[string]time.Time{
			"long-gone":  at(-time.Hour),
			"just-gone":  now,
			"still-ok":   now.Add(time.Microsecond),
			"later":      at(2 * time.Hour),
			"much-later": at(48 * time.Hour),
		} {
			r := request(id, "")
			r.ExpiresAt = exp
			require.NoError(t, s.CreateRequest(ctx, r))
		}
		_, err := s.Request(ctx, "long-gone")
		require.NoError(t, err, "an expired request is returned until it is deleted")

		require.NoError(t, s.DeleteExpiredRequests(ctx, now))
		for _, id := range []string{"long-gone", "just-gone"} {
			_, err := s.Request(ctx, id)
			notFound(t, err, "%s expired at or before now", id)
		}
		for _, id := range []string{"still-ok", "later", "much-later"} {
			_, err := s.Request(ctx, id)
			require.NoError(t, err, "%s has not expired", id)
		}
		require.NoError(t, s.DeleteExpiredRequests(ctx, now), "nothing left to delete")
	})
}
