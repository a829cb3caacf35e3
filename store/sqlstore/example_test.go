package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "latch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	// A file path opens SQLite; "postgres://..." would open PostgreSQL.
	s, err := sqlstore.Open(ctx, filepath.Join(dir, "latch.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	err = s.CreateUser(ctx, &store.User{
		ID:          "u1",
		Username:    "Alice",
		Email:       "alice@example.com",
		Permissions: []string{"read"},
		CreatedAt:   now,
		UpdatedAt:   now,
	})
	if err != nil {
		log.Fatal(err)
	}
	u, err := s.UserByUsername(ctx, "ALICE") // usernames compare case-insensitively
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Dialect(), u.ID, u.Username, u.Permissions, u.CreatedAt)
	// Output: sqlite u1 Alice [read] 2025-01-02 03:04:05 +0000 UTC
}

func ExampleStore_CreateUser_errorChecking() {
	dir, err := os.MkdirTemp("", "latch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlstore.Open(ctx, filepath.Join(dir, "latch.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	for _, u := range []*store.User{
		{ID: "u1", Username: "alice", Email: "alice@example.com"},
		{ID: "u2", Username: "Alice"},
		{ID: "u3", Username: "bob", Email: "ALICE@example.com"},
		{ID: "u4", Username: "carol\x00"},
		{ID: "u5", Username: "carol"},
	} {
		err := s.CreateUser(ctx, u)
		switch {
		case err == nil:
			fmt.Println(u.ID, "created")
		case errors.Is(err, store.ErrUsernameTaken):
			fmt.Println(u.ID, "username taken")
		case errors.Is(err, store.ErrEmailTaken):
			fmt.Println(u.ID, "email taken")
		case errors.Is(err, store.ErrInvalid):
			fmt.Println(u.ID, "refused:", err)
		default:
			log.Fatal(err)
		}
	}
	// Output:
	// u1 created
	// u2 username taken
	// u3 email taken
	// u4 refused: store: invalid record: username contains a NUL byte
	// u5 created
}

// A host keeps Latch's tables in its own SQLite database, beside its own
// users table, under the prefix latch_. (On PostgreSQL, give
// Options{Schema: "latch"} instead.)
func ExampleOpenWith() {
	dir, err := os.MkdirTemp("", "latch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "app.db")

	ctx := context.Background()
	s, err := sqlstore.OpenWith(ctx, path, sqlstore.Options{TablePrefix: "latch_"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateUser(ctx, &store.User{ID: "u1", Username: "alice"}); err != nil {
		log.Fatal(err)
	}

	// Another store on the same file, with another prefix, is independent.
	other, err := sqlstore.OpenWith(ctx, path, sqlstore.Options{TablePrefix: "staging_"})
	if err != nil {
		log.Fatal(err)
	}
	defer other.Close()
	_, err = other.UserByUsername(ctx, "alice")
	fmt.Println(errors.Is(err, store.ErrNotFound))

	_, err = sqlstore.OpenWith(ctx, path, sqlstore.Options{TablePrefix: "Latch-"})
	fmt.Println(errors.Is(err, sqlstore.ErrOptions))
	// Output:
	// true
	// true
}
