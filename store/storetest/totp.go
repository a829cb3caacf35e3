package storetest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func (x suite) totp(t tb) {
	x.run(t, "Pending", func(t tb, s store.Store) {
		ctx := t.Context()
		notFound(t, s.PutPendingTOTP(ctx, cred("nobody")), "unknown user")
		mustUser(t, s, "u1")
		_, err := s.PendingTOTP(ctx, "u1")
		notFound(t, err, "nothing pending yet")

		c := cred("u1")
		c.LastStep = 7
		require.NoError(t, s.PutPendingTOTP(ctx, c))
		got, err := s.PendingTOTP(ctx, "u1")
		require.NoError(t, err)
		equalTOTP(t, c, got)

		c2 := cred("u1")
		c2.Secret, c2.Algorithm, c2.Digits, c2.Period = []byte("another"), "SHA256", 8, 60
		require.NoError(t, s.PutPendingTOTP(ctx, c2), "a second enrollment replaces the first")
		got, err = s.PendingTOTP(ctx, "u1")
		require.NoError(t, err)
		equalTOTP(t, c2, got)

		_, err = s.ActiveTOTP(ctx, "u1")
		notFound(t, err, "pending is not active")
		_, err = s.PendingTOTP(ctx, "nobody")
		notFound(t, err)
	})

	x.run(t, "Activate", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"old1", "old2"}))
		c := cred("u1")
		require.NoError(t, s.PutPendingTOTP(ctx, c))
		require.NoError(t, s.ActivateTOTP(ctx, "u1", c.Secret, 55, []string{"r3", "r1", "r2"}, at(time.Hour)))

		want := *c
		want.LastStep, want.CreatedAt = 55, at(time.Hour)
		got, err := s.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		equalTOTP(t, &want, got, "active credential from the pending one")
		_, err = s.PendingTOTP(ctx, "u1")
		notFound(t, err, "the pending enrollment is consumed")
		assert.Equal(t, []string{"r1", "r2", "r3"}, codes(t, s, "u1"), "recovery codes replaced")
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", "old1"), "old codes are gone")
	})

	x.run(t, "ActivateRefusedChangesNothing", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "none")    // nothing pending, nothing active
		mustUser(t, s, "active")  // active and a new pending enrollment
		mustUser(t, s, "pending") // pending only
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "none", []string{"n1"}))
		active := mustActive(t, s, "active", "a1", "a2")
		newer := cred("active")
		newer.Secret = []byte("newer")
		require.NoError(t, s.PutPendingTOTP(ctx, newer))
		pending := cred("pending")
		require.NoError(t, s.PutPendingTOTP(ctx, pending))
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "pending", []string{"p1"}))

		tests := []struct {
			name    string
			user    string
			secret  []byte
			digests []string
			step    int64
			want    error
		}{
			{"nothing pending", "none", cred("none").Secret, []string{"x"}, 1, store.ErrNotFound},
			{"unknown user", "nobody", cred("nobody").Secret, []string{"x"}, 1, store.ErrNotFound},
			{"already active", "active", newer.Secret, []string{"x"}, 1, store.ErrConflict},
			{"another enrollment pending", "pending", []byte("replaced"), []string{"x"}, 1, store.ErrNotFound},
			{"no secret", "pending", nil, []string{"x"}, 1, store.ErrNotFound},
			{"invalid digest", "pending", pending.Secret, []string{"ok", "bad\x00"}, 1, store.ErrInvalid},
			{"too many digests", "pending", pending.Secret, manyDigests(store.MaxRecoveryCodes + 1), 1, store.ErrInvalid},
			{"negative step", "pending", pending.Secret, []string{"x"}, -1, store.ErrInvalid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t tb) {
				require.ErrorIs(t, s.ActivateTOTP(ctx, tc.user, tc.secret, tc.step, tc.digests, at(time.Hour)), tc.want)

				_, err := s.ActiveTOTP(ctx, "none")
				notFound(t, err)
				assert.Equal(t, []string{"n1"}, codes(t, s, "none"))

				got, err := s.ActiveTOTP(ctx, "active")
				require.NoError(t, err)
				equalTOTP(t, active, got, "the active credential is unchanged")
				got, err = s.PendingTOTP(ctx, "active")
				require.NoError(t, err)
				equalTOTP(t, newer, got, "the pending enrollment stays")
				assert.Equal(t, []string{"a1", "a2"}, codes(t, s, "active"))

				_, err = s.ActiveTOTP(ctx, "pending")
				notFound(t, err)
				got, err = s.PendingTOTP(ctx, "pending")
				require.NoError(t, err)
				equalTOTP(t, pending, got)
				assert.Equal(t, []string{"p1"}, codes(t, s, "pending"))
			})
		}
	})

	x.run(t, "AdvanceStep", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		notFound(t, s.AdvanceTOTPStep(ctx, "u1", 5), "nothing active")
		require.NoError(t, s.PutPendingTOTP(ctx, cred("u1")))
		notFound(t, s.AdvanceTOTPStep(ctx, "u1", 5), "pending is not active")
		require.NoError(t, s.ActivateTOTP(ctx, "u1", cred("u1").Secret, 100, nil, t0))

		steps := []struct {
			step int64
			want error
			last int64
		}{
			{101, nil, 101},
			{101, store.ErrConflict, 101},
			{100, store.ErrConflict, 101},
			{0, store.ErrConflict, 101},
			{-5, store.ErrConflict, 101},
			{200, nil, 200},
			{150, store.ErrConflict, 200},
			{1 << 40, nil, 1 << 40},
		}
		for _, st := range steps {
			err := s.AdvanceTOTPStep(ctx, "u1", st.step)
			if st.want == nil {
				require.NoError(t, err, "step %d", st.step)
			} else {
				require.ErrorIs(t, err, st.want, "step %d", st.step)
			}
			got, err := s.ActiveTOTP(ctx, "u1")
			require.NoError(t, err)
			require.Equal(t, st.last, got.LastStep, "after step %d", st.step)
		}
	})

	x.run(t, "Delete", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		mustActive(t, s, "u1", "c1", "c2")
		require.NoError(t, s.PutPendingTOTP(ctx, cred("u1")))
		mustActive(t, s, "u2", "d1")

		require.NoError(t, s.DeleteTOTP(ctx, "u1"))
		_, err := s.ActiveTOTP(ctx, "u1")
		notFound(t, err)
		_, err = s.PendingTOTP(ctx, "u1")
		notFound(t, err)
		assert.Empty(t, codes(t, s, "u1"), "recovery codes go with the credential")
		notFound(t, s.DeleteTOTP(ctx, "u1"), "nothing active any more")

		// Without an active credential the pending one is removed anyway.
		require.NoError(t, s.PutPendingTOTP(ctx, cred("u1")))
		notFound(t, s.DeleteTOTP(ctx, "u1"))
		_, err = s.PendingTOTP(ctx, "u1")
		notFound(t, err, "pending removed regardless")

		_, err = s.ActiveTOTP(ctx, "u2")
		require.NoError(t, err, "another user's credential stays")
		assert.Equal(t, []string{"d1"}, codes(t, s, "u2"))

		// Enrolling again starts from scratch.
		require.NoError(t, s.PutPendingTOTP(ctx, cred("u1")))
		require.NoError(t, s.ActivateTOTP(ctx, "u1", cred("u1").Secret, 3, []string{"e1"}, t0))
		require.NoError(t, s.AdvanceTOTPStep(ctx, "u1", 4), "the old LastStep is forgotten")
	})

	x.run(t, "PendingWhileActive", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		active := mustActive(t, s, "u1", "c1")
		p := cred("u1")
		p.Secret = []byte("re-enrollment")
		require.NoError(t, s.PutPendingTOTP(ctx, p))
		got, err := s.ActiveTOTP(ctx, "u1")
		require.NoError(t, err)
		equalTOTP(t, active, got, "a pending enrollment leaves the active credential alone")
		got, err = s.PendingTOTP(ctx, "u1")
		require.NoError(t, err)
		equalTOTP(t, p, got)
	})
}

func (x suite) recoveryCodes(t tb) {
	x.run(t, "ReplaceAndConsume", func(t tb, s store.Store) {
		ctx := t.Context()
		notFound(t, s.ReplaceRecoveryCodes(ctx, "nobody", []string{"a"}), "unknown user")
		mustUser(t, s, "u1")
		mustUser(t, s, "u2")
		assert.Empty(t, codes(t, s, "u1"))
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"c", "a", "b"}))
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u2", []string{"a", "z"}))
		assert.Equal(t, []string{"a", "b", "c"}, codes(t, s, "u1"))

		require.NoError(t, s.ConsumeRecoveryCode(ctx, "u1", "b"))
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", "b"), "single use")
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", "z"), "another user's code")
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", "B"), "digests are compared exactly")
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", "%"), "digests are compared exactly")
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", ""), "empty digest")
		notFound(t, s.ConsumeRecoveryCode(ctx, "nobody", "a"), "unknown user")
		assert.Equal(t, []string{"a", "c"}, codes(t, s, "u1"))
		assert.Equal(t, []string{"a", "z"}, codes(t, s, "u2"), "the other user's codes are untouched")

		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"d", "e"}))
		assert.Equal(t, []string{"d", "e"}, codes(t, s, "u1"))
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", "a"), "replaced codes are gone")

		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", nil))
		assert.Empty(t, codes(t, s, "u1"), "replacing with none clears them")
		assert.Empty(t, codes(t, s, "nobody"))
	})

	// Whether a backend refuses repeated digests or stores them once, a code
	// must never be usable twice.
	x.run(t, "RepeatedDigestsAreSingleUse", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"x"}))
		err := s.ReplaceRecoveryCodes(ctx, "u1", []string{"a", "a", "b"})
		if err != nil {
			require.True(t, errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict),
				"repeated digests refused with %v; want ErrInvalid or ErrConflict", err)
			assert.Equal(t, []string{"x"}, codes(t, s, "u1"), "a refused replace changes nothing")
			return
		}
		assert.Equal(t, []string{"a", "b"}, codes(t, s, "u1"))
		require.NoError(t, s.ConsumeRecoveryCode(ctx, "u1", "a"))
		notFound(t, s.ConsumeRecoveryCode(ctx, "u1", "a"), "a repeated digest is still single use")
		assert.Equal(t, []string{"b"}, codes(t, s, "u1"))
	})

	x.run(t, "ReplaceRefusedChangesNothing", func(t tb, s store.Store) {
		ctx := t.Context()
		mustUser(t, s, "u1")
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", []string{"keep"}))
		for name, digests := range map[string][]string{
			"too many":      manyDigests(store.MaxRecoveryCodes + 1),
			"NUL":           {"ok", "a\x00b"},
			"invalid UTF-8": {"\xff"},
			"empty":         {""},
			"too long":      {strings.Repeat("d", store.MaxDigestLen+1)},
		} {
			require.ErrorIs(t, s.ReplaceRecoveryCodes(ctx, "u1", digests), store.ErrInvalid, name)
			assert.Equal(t, []string{"keep"}, codes(t, s, "u1"), name)
		}
		require.NoError(t, s.ReplaceRecoveryCodes(ctx, "u1", manyDigests(store.MaxRecoveryCodes)), "the maximum")
		assert.Len(t, codes(t, s, "u1"), store.MaxRecoveryCodes)
	})
}

func manyDigests(n int) []string {
	d := make([]string, n)
	for i := range d {
		d[i] = fmt.Sprintf("digest-%03d", i)
	}
	return d
}
