package storetest

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func (x suite) listUsers(t tb) {
	x.run(t, "Empty", func(t tb, s store.Store) {
		page, next, err := s.ListUsers(t.Context(), 10, "")
		require.NoError(t, err)
		assert.Empty(t, page)
		assert.Empty(t, next)
	})

	x.run(t, "Limits", func(t tb, s store.Store) {
		for _, id := range []string{"a", "b", "c"} {
			mustUser(t, s, id)
		}
		for _, limit := range []int{-1, 0, 1001, math.MaxInt} {
			_, _, err := s.ListUsers(t.Context(), limit, "")
			require.ErrorIs(t, err, store.ErrInvalid, "limit %d", limit)
		}
		page, next, err := s.ListUsers(t.Context(), 1, "")
		require.NoError(t, err, "limit 1")
		assert.Len(t, page, 1)
		assert.NotEmpty(t, next, "more users follow")
		page, next, err = s.ListUsers(t.Context(), 1000, "")
		require.NoError(t, err, "limit 1000")
		assert.Len(t, page, 3)
		assert.Empty(t, next)
	})

	x.run(t, "BadCursor", func(t tb, s store.Store) {
		for _, id := range []string{"a", "b", "c"} {
			mustUser(t, s, id)
		}
		_, real, err := s.ListUsers(t.Context(), 1, "")
		require.NoError(t, err)
		require.NotEmpty(t, real)
		for _, c := range []string{
			"not a cursor",
			"%%%%",
			"\x00",
			"\xff\xfe",
			"AAAA",
			real + "\x00",
			real + " ",
			strings.Repeat("A", 1<<16),
		} {
			_, _, err := s.ListUsers(t.Context(), 10, c)
			require.ErrorIs(t, err, store.ErrInvalid, "cursor %.20q", c)
		}
	})

	x.run(t, "Pages", func(t tb, s store.Store) {
		ctx := t.Context()
		want := map[string]*store.User{}
		for i := range 25 {
			// Insertion order differs from any natural order of the IDs.
			id := fmt.Sprintf("user-%02d", (i*7)%25)
			want[id] = mustUser(t, s, id)
		}
		for _, limit := range []int{1, 3, 10, 24, 25, 26} {
			t.Run(fmt.Sprint("limit=", limit), func(t tb) {
				var order []string
				cursor := ""
				for range 100 {
					page, next, err := s.ListUsers(ctx, limit, cursor)
					require.NoError(t, err)
					require.LessOrEqual(t, len(page), limit)
					for i := range page {
						w, ok := want[page[i].ID]
						require.True(t, ok, "unknown user %q", page[i].ID)
						equalUser(t, w, &page[i])
						order = append(order, page[i].ID)
					}
					if next == "" {
						break
					}
					cursor = next
				}
				require.Len(t, order, 25, "every user once")
				require.ElementsMatch(t, slices.Collect(mapKeys(want)), order)
				if limit >= 25 {
					_, next, err := s.ListUsers(ctx, limit, "")
					require.NoError(t, err)
					require.Empty(t, next, "no next cursor when the page holds the rest")
				}
				again := userIDs(t, s)
				assert.Equal(t, order, again, "the order is stable")
			})
		}
	})

	// Users are inserted and deleted between pages. A listing must never
	// repeat a user and never skip one that existed throughout, also when the
	// user a cursor points after is deleted.
	x.run(t, "StableUnderChanges", func(t tb, s store.Store) {
		ctx := t.Context()
		throughout := map[string]bool{}
		churn := map[string]bool{}
		for i := range 60 {
			id := fmt.Sprintf("u%03d", i)
			mustUser(t, s, id)
			if i%3 == 2 {
				churn[id] = true
			} else {
				throughout[id] = true
			}
		}
		seen := map[string]bool{}
		cursor := ""
		added := 0
		for page := 0; ; page++ {
			require.Less(t, page, 200, "listing does not end")
			users, next, err := s.ListUsers(ctx, 6, cursor)
			require.NoError(t, err, "page %d", page)
			for _, u := range users {
				require.False(t, seen[u.ID], "user %q listed twice", u.ID)
				seen[u.ID] = true
			}
			if next == "" {
				break
			}
			cursor = next
			// Delete the last user of the page when it is a churn user, and
			// one churn user not seen yet.
			if last := users[len(users)-1].ID; churn[last] {
				require.NoError(t, s.DeleteUser(ctx, last))
				delete(churn, last)
			}
			for _, id := range sortedKeys(churn) {
				if !seen[id] {
					require.NoError(t, s.DeleteUser(ctx, id))
					delete(churn, id)
					break
				}
			}
			// Insert users before and after the cursor's position.
			var lastID string
			if len(users) > 0 {
				lastID = users[len(users)-1].ID
			}
			for _, id := range []string{lastID + "-a", "u000-" + fmt.Sprint(added), "u999-" + fmt.Sprint(added), "t" + fmt.Sprint(added)} {
				mustUser(t, s, id)
				churn[id] = true
			}
			added++
		}
		for id := range throughout {
			assert.True(t, seen[id], "user %q existed throughout but was skipped", id)
		}
	})
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(mapKeys(m))
}
