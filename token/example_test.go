package token_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchkit/latch/seal"
	"github.com/latchkit/latch/token"
)

// exampleClock is a fixed, settable clock so the examples' output is stable.
type exampleClock struct{ t time.Time }

func (c *exampleClock) Now() time.Time { return c.t }

func ExampleNewKeyring() {
	clock := &exampleClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	key, err := token.NewKey(token.AlgHS256, clock.Now())
	if err != nil {
		panic(err)
	}
	ring, err := token.NewKeyring(token.Config{
		Algorithm: token.AlgHS256,
		Audience:  "example-api",
		Leeway:    30 * time.Second,
		Now:       clock.Now,
	}, key)
	if err != nil {
		panic(err)
	}

	jwt, err := ring.Sign(token.Claims{
		Subject:     "user-42",
		ExpiresAt:   clock.Now().Add(15 * time.Minute), // lifetime chosen per token kind
		Permissions: []string{"view_users"},
	})
	if err != nil {
		panic(err)
	}
	claims, err := ring.Verify(jwt)
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Subject, claims.Permissions, claims.Audience, claims.ExpiresAt.Format(time.RFC3339))
	fmt.Println("jti set:", claims.ID != "")
	// Output:
	// user-42 [view_users] [example-api] 2026-01-02T03:19:05Z
	// jti set: true
}

func ExampleKeyring_Verify_errorChecking() {
	clock := &exampleClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	key, _ := token.NewKey(token.AlgHS256, clock.Now())
	ring, _ := token.NewKeyring(token.Config{Algorithm: token.AlgHS256, Audience: "example-api", Now: clock.Now}, key)
	jwt, _ := ring.Sign(token.Claims{Subject: "user-42", ExpiresAt: clock.Now().Add(time.Hour)})

	clock.t = clock.t.Add(2 * time.Hour)
	for _, tok := range []string{jwt, jwt + "=", "eyJhbGciOiJub25lIn0.e30."} {
		_, err := ring.Verify(tok)
		switch {
		case err == nil:
			fmt.Println("valid")
		case errors.Is(err, token.ErrExpired):
			fmt.Println("expired: sign in again")
		case errors.Is(err, token.ErrNoneAlg):
			fmt.Println("unsigned token refused")
		case errors.Is(err, token.ErrMalformed):
			fmt.Println("malformed")
		default:
			fmt.Println("invalid:", err)
		}
	}
	// Output:
	// expired: sign in again
	// malformed
	// unsigned token refused
}

func ExampleKeyring_Rotate() {
	clock := &exampleClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	key, _ := token.NewKey(token.AlgHS256, clock.Now())
	ring, _ := token.NewKeyring(token.Config{Algorithm: token.AlgHS256, Audience: "example-api", Now: clock.Now}, key)
	old, _ := ring.Sign(token.Claims{Subject: "user-42", ExpiresAt: clock.Now().Add(time.Hour)})

	clock.t = clock.t.Add(time.Minute)
	if _, err := ring.Rotate(); err != nil {
		panic(err)
	}
	_, err := ring.Verify(old)
	fmt.Println("after rotate:", len(ring.Keys()), "keys, old token error:", err)

	if _, err := ring.Reset(); err != nil {
		panic(err)
	}
	_, err = ring.Verify(old)
	fmt.Println("after reset:", len(ring.Keys()), "key, old token error:", err)
	// Output:
	// after rotate: 2 keys, old token error: <nil>
	// after reset: 1 key, old token error: token: unknown key
}

func ExampleKeyring_JWKS() {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hs, _ := token.NewKey(token.AlgHS256, now)
	ring, _ := token.NewKeyring(token.Config{Algorithm: token.AlgHS256, Audience: "example-api"}, hs)
	set, _ := ring.JWKS()
	fmt.Println(string(set))

	ed, _ := token.NewKey(token.AlgEdDSA, now)
	if err := ring.SetKeys([]token.Key{ed}); err != nil {
		panic(err)
	}
	set, _ = ring.JWKS()
	var jwks struct {
		Keys []struct {
			Kty, Crv, Alg, Use, Kid string
		}
	}
	if err := json.Unmarshal(set, &jwks); err != nil {
		panic(err)
	}
	k := jwks.Keys[0]
	fmt.Println(len(jwks.Keys), k.Kty, k.Crv, k.Alg, k.Use, k.Kid == ed.ID)
	// Output:
	// {"keys":[]}
	// 1 OKP Ed25519 EdDSA sig true
}

func ExampleSealKey() {
	// The sealing key comes from the host's configuration (32 random bytes).
	sealer, err := seal.New(bytes.Repeat([]byte{0x42}, seal.KeySize))
	if err != nil {
		panic(err)
	}
	key, _ := token.NewKey(token.AlgEdDSA, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	sealed, err := token.SealKey(sealer, key) // store this, with key.ID and key.CreatedAt
	if err != nil {
		panic(err)
	}
	opened, err := token.OpenKey(sealer, sealed)
	if err != nil {
		panic(err)
	}
	fmt.Println(opened.ID == key.ID, opened.Algorithm, opened.CreatedAt.Format(time.RFC3339))

	other, _ := seal.New(bytes.Repeat([]byte{0x43}, seal.KeySize))
	_, err = token.OpenKey(other, sealed)
	fmt.Println(errors.Is(err, token.ErrInvalidKey))
	// Output:
	// true EdDSA 2026-01-02T03:04:05Z
	// true
}

func ExampleGenerateAPIToken() {
	tok, digest, err := token.GenerateAPIToken()
	if err != nil {
		panic(err)
	}
	// Show tok to the user once; store only digest and the display prefix.
	fmt.Println(strings.HasPrefix(tok, token.APITokenTag), len(tok), len(digest), len(token.APITokenPrefix(tok)))

	// Authenticating a request: format and checksum first, then one store
	// read by digest.
	if err := token.CheckAPIToken(tok); err != nil {
		panic(err)
	}
	fmt.Println(token.Digest(tok) == digest)
	// Output:
	// true 52 64 10
	// true
}

func ExampleCheckAPIToken() {
	typo := "lt_EpItU5gHsLwX8jKvOzaBmNyR2dEpQU5gHsTX8jKvWaBVZ5bUz"
	err := token.CheckAPIToken(typo)
	fmt.Println(errors.Is(err, token.ErrMalformed))
	// Output:
	// true
}
