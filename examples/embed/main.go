// Command embed shows a host application that mounts Latch's REST API on
// its own mux, at /auth/, next to its own routes, some of them guarded by
// Latch's middleware.
//
//	go run ./examples/embed
//
// It keeps its data in memory (a real host would open store/sqlstore) and
// creates a user "admin" whose password it prints.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err)
	}
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: key, Logger: logger})
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	password := rand.Text()
	if _, err := svc.CreateUser(context.Background(), auth.Client{}, auth.System(), auth.CreateUserInput{
		Username: "admin", Password: password, Permissions: []string{auth.PermAll},
	}); err != nil {
		panic(err)
	}
	fmt.Printf("user admin, password %s\n", password)

	mux, err := newMux(svc, logger)
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Addr: "127.0.0.1:8081", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	logger.Info("listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// newMux is the host's mux: its own routes, Latch's API under /auth/, and
// host routes guarded by Require.
func newMux(svc *auth.Service, logger *slog.Logger) (*http.ServeMux, error) {
	latch, err := httpadapter.New(svc, httpadapter.Config{Logger: logger})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()

	// Latch's REST API, under a prefix of the host's choosing.
	mux.Handle("/auth/", http.StripPrefix("/auth", latch))

	// A public host route.
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})

	// Host routes that need a signed-in caller (a JWT from /auth/token or
	// /auth/login/*, or an API token) with a host-defined permission.
	reports := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := httpadapter.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "reports for %s (%s)\n", p.Username, p.Kind)
	})
	mux.Handle("GET /reports", latch.Require("view_reports")(reports))
	mux.Handle("GET /whoami", latch.Require()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := httpadapter.PrincipalFrom(r.Context())
		fmt.Fprintln(w, p.Username)
	})))
	return mux, nil
}
