package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/totp"
)

// exampleKey is a sealing key for the examples; use 32 bytes from
// crypto/rand, kept secret and the same on every instance.
var exampleKey = []byte("an example key of 32 bytes......")

func Example() {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{
		SealingKey: exampleKey,
		Now:        func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	client := auth.Client{IP: netip.MustParseAddr("192.0.2.10")}

	// Host code creates the first administrator on its own authority.
	_, err = svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username:    "alice",
		Email:       "alice@example.com",
		Password:    "correct horse battery staple",
		Permissions: []string{auth.PermViewUsers, auth.PermAddUsers},
	})
	if err != nil {
		panic(err)
	}

	res, err := svc.LoginPassword(ctx, client, "alice@example.com", "correct horse battery staple")
	if err != nil {
		panic(err)
	}
	fmt.Println("token expires:", res.Token.ExpiresAt)

	p, err := svc.Authenticate(ctx, client, res.Token.AccessToken)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Username, p.Can(auth.PermViewUsers), p.Can(auth.PermDelUsers))
	// Output:
	// token expires: 2026-01-02 03:19:05 +0000 UTC
	// alice true false
}

// Sign-in with a TOTP second factor: enrollment, activation, then the
// two-step sign-in.
func ExampleService_LoginTOTP() {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svc, _ := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: exampleKey, Now: func() time.Time { return now }})
	client := auth.Client{IP: netip.MustParseAddr("192.0.2.10")}
	u, _ := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{Username: "bob", Password: "bob sings in the rain"})
	res, _ := svc.LoginPassword(ctx, client, "bob", "bob sings in the rain")
	p, _ := svc.Authenticate(ctx, client, res.Token.AccessToken)

	enrollment, _ := svc.EnrollTOTP(ctx, p, u.ID)
	key, _ := totp.ParseURI(enrollment.OTPAuthURI) // what the authenticator app scans
	code, _ := totp.Code(key, now)
	recovery, err := svc.ActivateTOTP(ctx, client, p, u.ID, code)
	fmt.Println("recovery codes:", len(recovery), err)

	now = now.Add(30 * time.Second) // the next code
	res, _ = svc.LoginPassword(ctx, client, "bob", "bob sings in the rain")
	fmt.Println("second factor required:", res.SecondFactorRequired)
	code, _ = totp.Code(key, now)
	res, err = svc.LoginTOTP(ctx, client, res.ChallengeToken, code)
	fmt.Println("signed in:", err == nil && res.Token != nil)
	_, err = svc.LoginTOTP(ctx, client, res.ChallengeToken, code)
	fmt.Println("challenge reused:", auth.CodeOf(err))
	// Output:
	// recovery codes: 10 <nil>
	// second factor required: true
	// signed in: true
	// challenge reused: UNAUTHORIZED
}

// Mapping errors: match sentinels with errors.Is, or get the REST error code
// with CodeOf; rate limits carry the time to wait.
func ExampleService_Authenticate_errorChecking() {
	ctx := context.Background()
	svc, _ := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: exampleKey})
	client := auth.Client{IP: netip.MustParseAddr("192.0.2.10")}

	_, err := svc.Authenticate(ctx, client, "eyJhbGciOiJub25lIn0.e30.")
	var rl *auth.RateLimitError
	switch {
	case errors.As(err, &rl):
		fmt.Println("retry after", rl.RetryAfter)
	case errors.Is(err, auth.ErrUnauthorized):
		fmt.Println("401", auth.CodeOf(err))
	case errors.Is(err, auth.ErrAccountDisabled), errors.Is(err, auth.ErrIPNotAllowed):
		fmt.Println("403", auth.CodeOf(err))
	case err != nil:
		fmt.Println("500", auth.CodeOf(err))
	}
	// Output:
	// 401 UNAUTHORIZED
}

// API tokens: shown once, narrowed to the owner's permissions.
func ExampleService_CreateAPIToken() {
	ctx := context.Background()
	svc, _ := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: exampleKey})
	client := auth.Client{IP: netip.MustParseAddr("192.0.2.10")}
	u, _ := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "ci-bot", Password: "a long bot password", Permissions: []string{"deploy", "read"},
	})
	owner, _ := svc.LoginPassword(ctx, client, "ci-bot", "a long bot password")
	p, _ := svc.Authenticate(ctx, client, owner.Token.AccessToken)

	tok, _ := svc.CreateAPIToken(ctx, auth.Client{}, p, u.ID, auth.CreateAPITokenInput{Name: "deploys", Permissions: []string{"deploy"}})
	ap, _ := svc.Authenticate(ctx, client, tok.Token)
	fmt.Println(ap.Kind, ap.Permissions, tok.Prefix == tok.Token[:len(tok.Prefix)])

	_, err := svc.CreateAPIToken(ctx, auth.Client{}, p, u.ID, auth.CreateAPITokenInput{Name: "more", Permissions: []string{"admin"}})
	fmt.Println(auth.CodeOf(err))
	// Output:
	// api_token [deploy] true
	// FORBIDDEN
}

// printNotifier delivers codes by printing where they would go.
type printNotifier struct{}

func (printNotifier) SendEmailVerificationCode(_ context.Context, email, _ string) error {
	fmt.Println("verification code sent to", email)
	return nil
}

func (printNotifier) SendPasswordResetCode(_ context.Context, email, _ string) error {
	fmt.Println("reset code sent to", email)
	return nil
}

// Password reset: a known and an unknown address look the same to the
// caller; only the known one gets a code.
func ExampleService_StartPasswordReset() {
	ctx := context.Background()
	svc, _ := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: exampleKey, Notifier: printNotifier{}})
	client := auth.Client{IP: netip.MustParseAddr("192.0.2.10")}
	_, _ = svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "carol", Email: "carol@example.com", Password: "carol's password",
	})
	for _, email := range []string{"carol@example.com", "nobody@example.com"} {
		r, err := svc.StartPasswordReset(ctx, client, nil, email)
		fmt.Println(err == nil, r.ID != "", r.Code == "")
	}
	// Output:
	// reset code sent to carol@example.com
	// true true true
	// true true true
}
