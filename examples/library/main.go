// Command library uses Latch's auth.Service directly, without HTTP: create
// a user, sign in, authenticate the access token, enroll TOTP, sign in with
// the second factor, and issue an API token.
//
//	go run ./examples/library
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/totp"
)

func main() {
	if err := run(context.Background(), os.Stdout, time.Now); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, now func() time.Time) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	// memstore keeps everything in memory; sqlstore.Open("latch.db") or a
	// postgres:// DSN persists it.
	svc, err := auth.New(ctx, memstore.New(), auth.Config{SealingKey: key, Now: now})
	if err != nil {
		return err
	}
	defer svc.Close()
	client := auth.Client{IP: netip.MustParseAddr("192.0.2.10")} // the caller's address, for limits

	// Create a user as the host itself (the system principal).
	u, err := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "alice", Email: "alice@example.com", Password: "alice-password-1",
		Permissions: []string{"read_reports"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created %s\n", u.Username)

	// A wrong password and an unknown user get the same error.
	_, errWrong := svc.LoginPassword(ctx, client, "alice", "wrong-password")
	_, errUnknown := svc.LoginPassword(ctx, client, "mallory", "wrong-password")
	fmt.Fprintln(out, "wrong password:", errors.Is(errWrong, auth.ErrInvalidCredentials),
		"unknown user:", errors.Is(errUnknown, auth.ErrInvalidCredentials))

	// Sign in and authenticate the access token, as a middleware would.
	res, err := svc.LoginPassword(ctx, client, "alice", "alice-password-1")
	if err != nil {
		return err
	}
	p, err := svc.Authenticate(ctx, client, res.Token.AccessToken)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "signed in as %s, can read_reports: %v\n", p.Username, p.Can("read_reports"))

	// Enroll TOTP: the user scans en.QRPNG (or types en.Secret), then
	// proves it with a code.
	en, err := svc.EnrollTOTP(ctx, p, p.UserID)
	if err != nil {
		return err
	}
	k, err := totp.ParseURI(en.OTPAuthURI)
	if err != nil {
		return err
	}
	code, err := totp.Code(k, now())
	if err != nil {
		return err
	}
	recovery, err := svc.ActivateTOTP(ctx, client, p, p.UserID, code)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "TOTP active, %d recovery codes\n", len(recovery))

	// Now sign-in needs a second factor: here a recovery code.
	res, err = svc.LoginPassword(ctx, client, "alice", "alice-password-1")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "second factor required:", res.SecondFactorRequired)
	res, err = svc.LoginRecoveryCode(ctx, client, res.ChallengeToken, recovery[0])
	if err != nil {
		return err
	}
	p, err = svc.Authenticate(ctx, client, res.Token.AccessToken)
	if err != nil {
		return err
	}

	// An API token, shown once; only its digest is stored.
	t, err := svc.CreateAPIToken(ctx, auth.Client{}, p, p.UserID, auth.CreateAPITokenInput{Name: "ci"})
	if err != nil {
		return err
	}
	ap, err := svc.Authenticate(ctx, client, t.Token)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "API token %s... authenticates %s\n", t.Prefix, ap.Username)
	if err := svc.RevokeAPIToken(ctx, p, p.UserID, t.ID); err != nil {
		return err
	}
	_, err = svc.Authenticate(ctx, client, t.Token)
	fmt.Fprintln(out, "after revocation:", errors.Is(err, auth.ErrUnauthorized))
	return nil
}
