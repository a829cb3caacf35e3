package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

func Example() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()

	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	err := st.CreateUser(ctx, &store.User{
		ID:           "u1",
		Username:     "Alice",
		Email:        "alice@example.com",
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		CreatedAt:    now,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Usernames and emails are unique and looked up case-insensitively.
	u, err := st.UserByUsername(ctx, "ALICE")
	fmt.Println(u.ID, u.Username, err)

	err = st.CreateUser(ctx, &store.User{ID: "u2", Username: "alice"})
	fmt.Println(errors.Is(err, store.ErrUsernameTaken), errors.Is(err, store.ErrConflict))

	// Recovery codes are single use.
	_ = st.ReplaceRecoveryCodes(ctx, "u1", []string{"digest-1", "digest-2"})
	fmt.Println(st.ConsumeRecoveryCode(ctx, "u1", "digest-1"))
	fmt.Println(st.ConsumeRecoveryCode(ctx, "u1", "digest-1"))

	// Output:
	// u1 Alice <nil>
	// true true
	// <nil>
	// store: not found
}

func ExampleStore_Close() {
	st := memstore.New()
	_ = st.Close()
	_, err := st.User(context.Background(), "u1")
	switch {
	case errors.Is(err, memstore.ErrClosed):
		fmt.Println("closed:", err)
	case errors.Is(err, store.ErrNotFound):
		fmt.Println("no such user")
	}
	// Output:
	// closed: memstore: store is closed
}

func ExampleStore_Hit() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()

	now := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	for i := range 3 {
		c, _ := st.Hit(ctx, "login:203.0.113.7", 1, time.Minute, now.Add(time.Duration(i)*time.Second))
		fmt.Println(c.Count, c.ResetAt.Format(time.TimeOnly))
	}
	// The window ended: a new one starts.
	c, _ := st.Hit(ctx, "login:203.0.113.7", 1, time.Minute, now.Add(time.Minute))
	fmt.Println(c.Count, c.ResetAt.Format(time.TimeOnly))
	// Output:
	// 1 15:01:00
	// 2 15:01:00
	// 3 15:01:00
	// 1 15:02:00
}

// A refresh token is rotated on every use; presenting a spent one again
// after the grace period ends the session.
func ExampleStore_RotateRefreshToken() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()

	now := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	_ = st.CreateUser(ctx, &store.User{ID: "u1", Username: "alice"})
	err := st.CreateSession(ctx, &store.Session{
		ID: "s1", UserID: "u1", CreatedAt: now, LastUsedAt: now, AuthTime: now,
		IdleTimeout: time.Hour, ExpiresAt: now.Add(30 * 24 * time.Hour), RefreshSeq: 1,
	}, "digest-1", 5)
	if err != nil {
		fmt.Println(err)
		return
	}

	const grace = 30 * time.Second
	s, _, r, err := st.RotateRefreshToken(ctx, "digest-1", "digest-2", now.Add(10*time.Minute), grace)
	fmt.Println(r, s.RefreshSeq, err)
	// The client lost the answer and sends the old token again at once.
	_, _, r, err = st.RotateRefreshToken(ctx, "digest-1", "digest-3", now.Add(10*time.Minute+time.Second), grace)
	fmt.Println(r, err)
	// Much later, the old token again: someone else holds it.
	_, _, r, err = st.RotateRefreshToken(ctx, "digest-1", "digest-3", now.Add(20*time.Minute), grace)
	fmt.Println(r, err)
	_, err = st.Session(ctx, "s1")
	fmt.Println(err)
	// Output:
	// rotated 2 <nil>
	// grace <nil>
	// reused <nil>
	// store: not found
}

// A passkey's signature counter is recorded by compare-and-swap: of two
// assertions verified against the same stored count, only the first is
// recorded.
func ExampleStore_RecordPasskeyUse() {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()

	now := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	_ = st.CreateUser(ctx, &store.User{ID: "u1", Username: "alice"})
	_ = st.SetPasskeyHandle(ctx, "u1", []byte{0x8f, 0x01, 0x42})
	err := st.CreatePasskey(ctx, &store.PasskeyCredential{
		ID: "pk1", UserID: "u1", CredentialID: []byte{0xca, 0xfe}, PublicKey: []byte{0xa5, 0x01},
		SignCount: 7, Name: "Laptop", CreatedAt: now,
	}, 10)
	if err != nil {
		fmt.Println(err)
		return
	}

	// An assertion names the credential; the store returns it with its user.
	c, u, _ := st.PasskeyByCredentialID(ctx, []byte{0xca, 0xfe})
	fmt.Println(c.Name, c.SignCount, u.Username)
	fmt.Println(st.RecordPasskeyUse(ctx, "pk1", c.SignCount, 8, false, now))
	fmt.Println(errors.Is(st.RecordPasskeyUse(ctx, "pk1", c.SignCount, 8, false, now), store.ErrConflict))
	// A discoverable credential's assertion names the user by its handle.
	u, _ = st.UserByPasskeyHandle(ctx, []byte{0x8f, 0x01, 0x42})
	fmt.Println(u.ID)
	// Output:
	// Laptop 7 alice
	// <nil>
	// true
	// u1
}
