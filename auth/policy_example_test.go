package auth_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
)

// A host tells the user why a password was refused.
func ExampleService_PasswordRules() {
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: exampleKey, MinPasswordLen: 12})
	if err != nil {
		panic(err)
	}
	_, err = svc.CreateUser(context.Background(), auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "bob", Password: "too short",
	})
	if errors.Is(err, auth.ErrInvalidPassword) {
		p := svc.PasswordRules()
		fmt.Printf("a password must be %d to %d characters\n", p.MinLen, p.MaxLen)
	}
	// Output:
	// a password must be 12 to 128 characters
}
