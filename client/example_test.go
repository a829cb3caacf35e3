package client_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/client"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// Sign in and read the signed-in user, against a Latch server (here one in
// the same process, mounted at /api/v1).
func Example() {
	ctx := context.Background()
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "alice", Password: "alice-password-1",
	}); err != nil {
		panic(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c, err := client.NewClientWithResponses(srv.URL + "/api/v1")
	if err != nil {
		panic(err)
	}
	bad, err := c.LoginPasswordWithResponse(ctx, client.LoginPasswordJSONRequestBody{Identifier: "alice", Password: "wrong"})
	if err != nil {
		panic(err)
	}
	fmt.Println(bad.StatusCode(), bad.JSON401.Error)

	login, err := c.LoginPasswordWithResponse(ctx, client.LoginPasswordJSONRequestBody{Identifier: "alice", Password: "alice-password-1"})
	if err != nil {
		panic(err)
	}
	ok, err := login.JSON200.AsLoginSuccess()
	if err != nil {
		panic(err)
	}
	me, err := c.GetMeWithResponse(ctx, func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+ok.AccessToken)
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(me.JSON200.Username)
	// Output:
	// 401 INVALID_CREDENTIALS
	// alice
}
