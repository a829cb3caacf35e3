// Command server runs Latch standalone: the REST API of httpadapter/openapi.yaml at /api/v1,
// on an SQLite file by default or on PostgreSQL.
//
//	go run ./examples/server
//	go run ./examples/server import -format sftpgo dump.json
//
// The import subcommand creates users from another system's file with
// their password hashes (run it with -h for the formats and options).
//
// Flags (each also read from the environment):
//
//	-addr      LATCH_ADDR      listen address (default 127.0.0.1:8080)
//	-db        LATCH_DB        SQLite file, or a postgres:// DSN (default latch.db)
//	-key-file  LATCH_KEY_FILE  sealing key file, created with mode 0600 if missing (default latch.key)
//
// On first start it creates the user "admin" with every permission; the
// password is LATCH_ADMIN_PASSWORD, or a generated one printed once.
// Verification and reset codes are written to the log (a development
// notifier): a real host plugs in its mailer instead.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/seal"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if len(os.Args) > 1 && os.Args[1] == "import" {
		if err := runImport(context.Background(), os.Args[2:], os.Stdout, os.Stderr); err != nil {
			logger.Error("import failed", "err", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), os.Args[1:], logger); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// flagEnv names the environment variable of each flag.
var flagEnv = map[string]string{
	"addr":     "LATCH_ADDR",
	"db":       "LATCH_DB",
	"key-file": "LATCH_KEY_FILE",
}

// parseFlags parses args; a flag that is not given takes its environment
// variable, if set and not empty, else its default. The environment is
// applied after parsing so that -h never prints it (LATCH_DB may hold a
// PostgreSQL password).
func parseFlags(fl *flag.FlagSet, args []string) error {
	if err := fl.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, variable := range flagEnv {
		if fl.Lookup(name) == nil {
			continue // a subcommand without this flag
		}
		if v := os.Getenv(variable); v != "" && !given[name] {
			if err := fl.Set(name, v); err != nil {
				return fmt.Errorf("%s: %w", variable, err)
			}
		}
	}
	return nil
}

func run(ctx context.Context, args []string, logger *slog.Logger) error {
	fl := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "listen address (LATCH_ADDR)")
	dsn := fl.String("db", "latch.db", "SQLite file or postgres:// DSN (LATCH_DB)")
	keyFile := fl.String("key-file", "latch.key", "sealing key file, created with mode 0600 if missing (LATCH_KEY_FILE)")
	if err := parseFlags(fl, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	key, err := loadOrCreateKey(*keyFile, logger)
	if err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, *dsn)
	if err != nil {
		return fmt.Errorf("opening store: %w", err)
	}
	defer st.Close()

	svc, err := auth.New(st, auth.Config{
		SealingKey: key,
		Logger:     logger,
		Notifier:   logNotifier{logger},
	})
	if err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, svc, st, logger); err != nil {
		return err
	}
	api, err := httpadapter.New(svc, httpadapter.Config{Logger: logger})
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", api))
	srv := newHTTPServer(mux, logger)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger.Info("latch listening", "addr", ln.Addr().String(), "api", "/api/v1")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal ends the process at once
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHTTPServer returns the server for handler, with timeouts that keep
// slow or idle clients from holding connections (and the header size small).
func newHTTPServer(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// loadOrCreateKey reads a hex-encoded 32-byte sealing key, or creates one
// with mode 0600 if the file does not exist.
func loadOrCreateKey(path string, logger *slog.Logger) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, seal.KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("creating key file: %w", err)
		}
		_, err = f.WriteString(hex.EncodeToString(key) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path) // never leave a truncated key behind
			return nil, fmt.Errorf("writing key file: %w", err)
		}
		logger.Info("created sealing key", "file", path)
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		logger.Warn("sealing key file is readable by other users", "file", path, "mode", fi.Mode().Perm().String())
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != seal.KeySize {
		return nil, fmt.Errorf("key file %s: want %d hex-encoded bytes", path, seal.KeySize)
	}
	return key, nil
}

// bootstrapAdmin creates the admin user on first start.
func bootstrapAdmin(ctx context.Context, svc *auth.Service, st store.Users, logger *slog.Logger) error {
	_, err := st.UserByUsername(ctx, "admin")
	if err == nil {
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	password, generated := os.Getenv("LATCH_ADMIN_PASSWORD"), false
	if password == "" {
		password, generated = rand.Text(), true
	}
	_, err = svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
		Username:    "admin",
		Password:    password,
		Role:        "admin",
		Permissions: []string{auth.PermAll},
	})
	if errors.Is(err, auth.ErrUsernameAlreadyUsed) {
		return nil // another instance on the same database created it first
	}
	if err != nil {
		return fmt.Errorf("creating admin user: %w", err)
	}
	if generated {
		// Printed once, on the terminal, never to the log.
		fmt.Fprintf(os.Stdout, "created user admin with password %s (shown only now)\n", password)
	} else {
		logger.Info("created user admin with the password from LATCH_ADMIN_PASSWORD")
	}
	return nil
}

// logNotifier writes codes to the log. For development only: a real host
// sends them by email.
type logNotifier struct{ logger *slog.Logger }

func (n logNotifier) SendEmailVerificationCode(ctx context.Context, email, code string) error {
	n.logger.InfoContext(ctx, "development notifier: email verification code", "email", email, "code", code)
	return nil
}

func (n logNotifier) SendPasswordResetCode(ctx context.Context, email, code string) error {
	n.logger.InfoContext(ctx, "development notifier: password reset code", "email", email, "code", code)
	return nil
}
