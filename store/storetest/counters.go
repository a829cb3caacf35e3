package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func (x suite) counters(t tb) {
	x.run(t, "HitWindows", func(t tb, s store.Store) {
		ctx := t.Context()
		const w = time.Minute
		steps := []struct {
			name      string
			now       time.Time
			delta     int64
			wantCount int64
			wantReset time.Time
		}{
			{"first hit opens a window", t0, 1, 1, at(w)},
			{"same window adds", at(30 * time.Second), 2, 3, at(w)},
			{"last microsecond of the window", at(w - time.Microsecond), 1, 4, at(w)},
			{"window end opens a new window", at(w), 5, 5, at(2 * w)},
			{"long after opens a new window", at(10 * w), 1, 1, at(11 * w)},
			{"zero delta", at(10*w + time.Second), 0, 1, at(11 * w)},
		}
		for _, st := range steps {
			c, err := s.Hit(ctx, "k", st.delta, w, st.now)
			require.NoError(t, err, st.name)
			assert.Equal(t, store.Counter{Key: "k", Count: st.wantCount, ResetAt: st.wantReset}, c, st.name)
			got, err := s.Counter(ctx, "k", st.now)
			require.NoError(t, err, st.name)
			assert.Equal(t, st.wantCount, got.Count, "Counter after %s", st.name)
			assert.Equal(t, st.wantReset, got.ResetAt, "Counter after %s", st.name)
		}
		got, err := s.Counter(ctx, "k", at(11*w))
		require.NoError(t, err)
		assert.Equal(t, int64(0), got.Count, "no count once the window ended")
		assert.Equal(t, "k", got.Key)
	})

	x.run(t, "Missing", func(t tb, s store.Store) {
		got, err := s.Counter(t.Context(), "nothing", t0)
		require.NoError(t, err)
		assert.Equal(t, store.Counter{Key: "nothing"}, got)
	})

	x.run(t, "Keys", func(t tb, s store.Store) {
		ctx := t.Context()
		for _, k := range []string{"a", "A", "a:b", "a%", "a_"} {
			_, err := s.Hit(ctx, k, 1, time.Minute, t0)
			require.NoError(t, err, k)
		}
		for k, want := range map[string]int64{"a": 1, "A": 1, "a:b": 1, "a%": 1, "a_": 1, "ab": 0, "a:": 0} {
			got, err := s.Counter(ctx, k, t0)
			require.NoError(t, err)
			assert.Equal(t, want, got.Count, "counter %q: keys are compared exactly", k)
		}
	})

	x.run(t, "Bans", func(t tb, s store.Store) {
		ctx := t.Context()
		const w = time.Minute
		_, err := s.Hit(ctx, "ip", 3, w, t0)
		require.NoError(t, err)
		require.NoError(t, s.Ban(ctx, "ip", at(10*w)))
		got, err := s.Counter(ctx, "ip", at(time.Second))
		require.NoError(t, err)
		assert.Equal(t, store.Counter{Key: "ip", Count: 3, ResetAt: at(w), BannedUntil: at(10 * w)}, got)

		c, err := s.Hit(ctx, "ip", 1, w, at(5*w))
		require.NoError(t, err)
		assert.Equal(t, store.Counter{Key: "ip", Count: 1, ResetAt: at(6 * w), BannedUntil: at(10 * w)}, c,
			"a new window keeps the ban")
		got, err = s.Counter(ctx, "ip", at(10*w-time.Microsecond))
		require.NoError(t, err)
		assert.Equal(t, at(10*w), got.BannedUntil, "banned until the end")
		got, err = s.Counter(ctx, "ip", at(10*w))
		require.NoError(t, err)
		assert.True(t, got.BannedUntil.IsZero(), "the ban ended")

		require.NoError(t, s.Ban(ctx, "fresh", at(w)), "a ban creates the counter")
		got, err = s.Counter(ctx, "fresh", t0)
		require.NoError(t, err)
		assert.Equal(t, int64(0), got.Count)
		assert.Equal(t, at(w), got.BannedUntil)
		c, err = s.Hit(ctx, "fresh", 2, w, t0)
		require.NoError(t, err)
		assert.Equal(t, store.Counter{Key: "fresh", Count: 2, ResetAt: at(w), BannedUntil: at(w)}, c)

		require.NoError(t, s.Ban(ctx, "fresh", at(3*w)), "a later ban extends it")
		got, err = s.Counter(ctx, "fresh", t0)
		require.NoError(t, err)
		assert.Equal(t, at(3*w), got.BannedUntil)
	})

	x.run(t, "List", func(t tb, s store.Store) {
		ctx := t.Context()
		const w = time.Minute
		now := at(30 * time.Second)
		for _, k := range []string{"ip:2", "ip:1", "IP:3", "ipx", "ip_a", "ip%a", "user:a", "ip:dead"} {
			start := t0
			if k == "ip:dead" {
				start = at(-time.Hour)
			}
			_, err := s.Hit(ctx, k, 1, w, start)
			require.NoError(t, err, k)
		}
		_, err := s.Hit(ctx, "ip:banned", 1, w, at(-time.Hour))
		require.NoError(t, err)
		require.NoError(t, s.Ban(ctx, "ip:banned", at(time.Hour)))
		require.NoError(t, s.Ban(ctx, "ip:old-ban", at(-time.Minute)))

		tests := []struct {
			prefix string
			want   []string
		}{
			{"ip:", []string{"ip:1", "ip:2", "ip:banned"}},
			{"ip", []string{"ip%a", "ip:1", "ip:2", "ip:banned", "ip_a", "ipx"}},
			{"IP", []string{"IP:3"}},
			{"ip_", []string{"ip_a"}},
			{"ip%", []string{"ip%a"}},
			{"%", []string{}},
			{"_", []string{}},
			{"user:a", []string{"user:a"}},
			{"user:ab", []string{}},
			{"", []string{"IP:3", "ip%a", "ip:1", "ip:2", "ip:banned", "ip_a", "ipx", "user:a"}},
		}
		for _, tc := range tests {
			assert.Equal(t, tc.want, counterKeys(t, s, tc.prefix, now), "prefix %q, ordered by key", tc.prefix)
		}

		list, err := s.ListCounters(ctx, "ip:", now)
		require.NoError(t, err)
		for _, c := range list {
			got, err := s.Counter(ctx, c.Key, now)
			require.NoError(t, err)
			assert.Equal(t, got, c, "ListCounters shows %q as Counter does", c.Key)
		}
	})

	x.run(t, "Delete", func(t tb, s store.Store) {
		ctx := t.Context()
		_, err := s.Hit(ctx, "k", 4, time.Minute, t0)
		require.NoError(t, err)
		require.NoError(t, s.Ban(ctx, "k", at(time.Hour)))
		_, err = s.Hit(ctx, "other", 1, time.Minute, t0)
		require.NoError(t, err)

		require.NoError(t, s.DeleteCounter(ctx, "k"))
		got, err := s.Counter(ctx, "k", t0)
		require.NoError(t, err)
		assert.Equal(t, store.Counter{Key: "k"}, got, "count and ban removed")
		require.NoError(t, s.DeleteCounter(ctx, "k"), "deleting a missing counter")
		require.NoError(t, s.DeleteCounter(ctx, "never"), "deleting a missing counter")
		assert.Equal(t, []string{"other"}, counterKeys(t, s, "", t0))

		c, err := s.Hit(ctx, "k", 1, time.Minute, at(time.Second))
		require.NoError(t, err)
		assert.Equal(t, store.Counter{Key: "k", Count: 1, ResetAt: at(time.Second + time.Minute)}, c, "starts afresh")
	})

	x.run(t, "DeleteDead", func(t tb, s store.Store) {
		ctx := t.Context()
		const w = time.Minute
		_, err := s.Hit(ctx, "ended", 3, w, t0)
		require.NoError(t, err)
		_, err = s.Hit(ctx, "live", 2, w, at(30*time.Second))
		require.NoError(t, err)
		_, err = s.Hit(ctx, "banned", 9, w, t0)
		require.NoError(t, err)
		require.NoError(t, s.Ban(ctx, "banned", at(time.Hour)))
		require.NoError(t, s.Ban(ctx, "ban-ended", at(w)))

		now := at(w) // "ended" and "ban-ended" end exactly now
		before := map[string]store.Counter{}
		for _, k := range []string{"ended", "live", "banned", "ban-ended"} {
			before[k], err = s.Counter(ctx, k, now)
			require.NoError(t, err)
		}
		require.NoError(t, s.DeleteDeadCounters(ctx, now))
		for k, want := range before {
			got, err := s.Counter(ctx, k, now)
			require.NoError(t, err)
			assert.Equal(t, want, got, "Counter(%q) unchanged by DeleteDeadCounters", k)
		}
		assert.Equal(t, []string{"banned", "live"}, counterKeys(t, s, "", now))
		c, err := s.Hit(ctx, "live", 1, w, now)
		require.NoError(t, err)
		assert.Equal(t, int64(3), c.Count, "a live counter keeps its hits")
		c, err = s.Hit(ctx, "ended", 1, w, now)
		require.NoError(t, err)
		assert.Equal(t, store.Counter{Key: "ended", Count: 1, ResetAt: at(2 * w)}, c, "a dead counter starts afresh")
		require.NoError(t, s.DeleteDeadCounters(ctx, at(time.Hour+w)))
		assert.Empty(t, counterKeys(t, s, "", at(time.Hour+w)))
	})
}
