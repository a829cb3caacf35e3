package sqlstore

import (
	"database/sql"
	"slices"
)

// Pools returns the store's writer and reader pools (the same pool except
// for an SQLite file).
func Pools(s *Store) (w, r *sql.DB) { return s.w, s.r }

// PreparedQueries returns, sorted, the text of every statement the store
// has prepared on its pools: every statement it runs outside a
// transaction.
func PreparedQueries(s *Store) []string {
	var qs []string
	for _, c := range []*stmtCache{s.wst, s.rst} {
		c.m.Range(func(k, _ any) bool {
			qs = append(qs, k.(string))
			return true
		})
	}
	slices.Sort(qs)
	return slices.Compact(qs)
}
