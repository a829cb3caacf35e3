package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store/sqlstore"
)

// TestDeleteDeadCountersRows checks that DeleteDeadCounters removes the
// rows of dead counters (not only hides them) and keeps the live ones, on
// SQLite and PostgreSQL.
func TestDeleteDeadCountersRows(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 50 {
			_, err := s.Hit(ctx, fmt.Sprintf("ip:%d", i), 1, time.Minute, t0)
			require.NoError(t, err)
		}
		_, err := s.Hit(ctx, "live", 1, time.Hour, t0)
		require.NoError(t, err)
		require.NoError(t, s.Ban(ctx, "banned", t0.Add(time.Hour)))
		rows := func() int {
			w, _ := sqlstore.Pools(s)
			var n int
			require.NoError(t, w.QueryRowContext(ctx, `SELECT count(*) FROM counters`).Scan(&n))
			return n
		}
		require.Equal(t, 52, rows())
		require.NoError(t, s.DeleteDeadCounters(ctx, t0.Add(time.Minute)))
		assert.Equal(t, 2, rows(), "only the live window and the live ban remain")
	})
}
