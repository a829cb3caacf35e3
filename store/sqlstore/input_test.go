package sqlstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// TestNilAndOutOfRange checks inputs the conformance suite leaves out: nil
// records, a non-positive window or maximum, and times that do not fit in
// int64 microseconds are ErrInvalid, never a panic and never a write.
func TestNilAndOutOfRange(t *testing.T) {
	t.Parallel()
	for _, b := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"SQLite", func(t *testing.T) store.Store { return sqltest.SQLite(t) }},
		{"Postgres", func(t *testing.T) store.Store { return sqltest.Postgres(t) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			require.NoError(t, s.CreateUser(ctx, &store.User{ID: "u1", Username: "a"}))
			require.NoError(t, s.CreateRequest(ctx, &store.Request{ID: "r1", Kind: store.KindPasswordReset, CodeDigest: "d"}))
			far := time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
			tests := []struct {
				name string
				call func() error
			}{
				{"CreateUser nil", func() error { return s.CreateUser(ctx, nil) }},
				{"UpdateUser nil", func() error { return s.UpdateUser(ctx, nil) }},
				{"CreateAPIToken nil", func() error { return s.CreateAPIToken(ctx, nil, 0) }},
				{"CreateAPIToken nil capped", func() error { return s.CreateAPIToken(ctx, nil, 3) }},
				{"PutPendingTOTP nil", func() error { return s.PutPendingTOTP(ctx, nil) }},
				{"CreateRequest nil", func() error { return s.CreateRequest(ctx, nil) }},
				{"AddSigningKey nil", func() error { return s.AddSigningKey(ctx, nil) }},
				{"ResetSigningKeys nil", func() error { return s.ResetSigningKeys(ctx, nil) }},
				{"Restore nil", func() error { return s.Restore(ctx, nil) }},
				{"FailRequestAttempt max 0", func() error { _, err := s.FailRequestAttempt(ctx, "r1", 0); return err }},
				{"Hit window 0", func() error { _, err := s.Hit(ctx, "k", 1, 0, time.Now()); return err }},
				{"Hit negative window", func() error { _, err := s.Hit(ctx, "k", 1, -time.Second, time.Now()); return err }},
				{"Counter bad key", func() error { _, err := s.Counter(ctx, "\xff", time.Now()); return err }},
				{"CreateUser far future", func() error {
					return s.CreateUser(ctx, &store.User{ID: "u2", Username: "b", CreatedAt: far})
				}},
				{"SetLastLogin far future", func() error { return s.SetLastLogin(ctx, "u1", far) }},
				{"Ban far future", func() error { return s.Ban(ctx, "k", far) }},
			}
			for _, tc := range tests {
				require.ErrorIs(t, tc.call(), store.ErrInvalid, tc.name)
			}
			d, err := s.Dump(ctx)
			require.NoError(t, err)
			require.Len(t, d.Users, 1, "nothing written")
			r, err := s.Request(ctx, "r1")
			require.NoError(t, err)
			require.Zero(t, r.Attempts)
			c, err := s.Counter(ctx, "k", time.Now())
			require.NoError(t, err)
			require.Equal(t, store.Counter{Key: "k"}, c)
		})
	}
}
