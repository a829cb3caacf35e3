package memstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

// FuzzListUsersCursor feeds arbitrary cursors to ListUsers: it never
// panics, refuses what it did not produce (line breaks included) with ErrInvalid, and a cursor it
// accepts continues after a user ID, so the page holds only later users.
func FuzzListUsersCursor(f *testing.F) {
	s := memstore.New()
	for _, id := range []string{"a", "b", "c", "é", "\U0001F600"} {
		require.NoError(f, s.CreateUser(f.Context(), &store.User{ID: id, Username: "user-" + id}))
	}
	cursor := ""
	for {
		page, next, err := s.ListUsers(f.Context(), 2, cursor)
		require.NoError(f, err)
		require.NotEmpty(f, page)
		if next == "" {
			break
		}
		f.Add(next)
		cursor = next
	}
	for _, seed := range []string{"", "AAAA", "not a cursor", "\x00", "bWVtc3RvcmUvdXNlcnMvdjE6", "bWVtc3RvcmUvdXNlcnMvdjE6AA", "bWVtc3RvcmUvdXNlcnMvdjE6YQ\r", "bWVtc3Rv\ncmUvdXNlcnMvdjE6YQ"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, c string) {
		page, next, err := s.ListUsers(t.Context(), 1000, c)
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("cursor %q: %v, want ErrInvalid", c, err)
			}
			return
		}
		if strings.ContainsAny(c, "\r\n") {
			t.Fatalf("cursor %q with a line break accepted: cursors have one spelling", c)
		}
		if next != "" {
			t.Fatalf("a page of 1000 from 5 users has a next cursor")
		}
		if c == "" && len(page) != 5 {
			t.Fatalf("first page has %d users", len(page))
		}
	})
}
