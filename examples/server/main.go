// Command server runs Latch standalone: the REST API of
// httpadapter/openapi.yaml at /api/v1, on an SQLite file by default or on
// PostgreSQL, with Prometheus metrics at /metrics.
//
//	go run ./examples/server -dev
//	go run ./examples/server import -format sftpgo dump.json
//
// The import subcommand creates users from another system's file with
// their password hashes (run it with -h for the formats and options).
//
// Flags (each also read from the environment variable in brackets):
//
//	-addr              LATCH_ADDR              listen address (default 127.0.0.1:8080)
//	-db                LATCH_DB                SQLite file, or a postgres:// DSN (default latch.db)
//	-key-file          LATCH_KEY_FILE          sealing key file, created with mode 0600 if missing (default latch.key)
//	-metrics-addr      LATCH_METRICS_ADDR      serve /metrics here (plain HTTP) instead of on -addr
//	-log-format        LATCH_LOG_FORMAT        text (default) or json
//	-log-level         LATCH_LOG_LEVEL         debug, info (default), warn or error
//	-tls-cert          LATCH_TLS_CERT          PEM certificate chain: serve HTTPS (re-read on SIGHUP)
//	-tls-key           LATCH_TLS_KEY           PEM private key of -tls-cert
//	-client-ca         LATCH_CLIENT_CA         PEM CAs that verify the client certificates clients present
//	-client-cert-login LATCH_CLIENT_CERT_LOGIN a verified client certificate signs in the user its CN names
//	-smtp-url          LATCH_SMTP_URL          smtp://user:password@host:port (STARTTLS when offered) or smtps://
//	-mail-from         LATCH_MAIL_FROM         sender of the messages, "Latch <noreply@example.com>"
//	-dev               LATCH_DEV               development mode: codes go to the log; loopback skips per-IP limits
//	-cookie-mode       LATCH_COOKIE_MODE       refresh tokens travel in a __Host- cookie (browser clients)
//	-rp-origins        LATCH_RP_ORIGINS        passkeys: origins of the sign-in pages (default http://localhost:PORT)
//	-rp-id             LATCH_RP_ID             passkeys: relying party ID (default the first origin's host)
//	-shutdown-timeout  LATCH_SHUTDOWN_TIMEOUT  time given to requests in flight on SIGTERM (default 10s)
//	-version                                   print the version and exit
//
// On first start it creates the user "admin" with every permission; the
// password is LATCH_ADMIN_PASSWORD, or a generated one printed once.
// Verification and reset codes go by SMTP (-smtp-url), or, in development
// mode (-dev), to the log; without either they cannot be delivered, and the
// server says so when it starts. -dev also exempts loopback clients from
// the limits per client IP and from the defender (auth.Limits.Exempt), and
// says so when it starts; the limits per account still apply.
//
// Client certificates (-client-ca) are verified when a client presents
// one, and a client without one is served as usual
// (tls.VerifyClientCertIfGiven), so password sign-in keeps working; with
// -client-cert-login a verified certificate whose subject common name is
// a username signs that user in (not a user with TOTP).
//
// On SIGTERM or SIGINT the server stops accepting connections, waits up to
// -shutdown-timeout for requests in flight, closes what is left and exits 0.
// SIGHUP re-reads -tls-cert and -tls-key.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/metrics"
	"github.com/latchkit/latch/seal"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/sqlstore"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "import" {
		if err := runImport(context.Background(), os.Args[2:], os.Stdout, os.Stderr); err != nil {
			slog.New(slog.NewTextHandler(os.Stderr, nil)).Error("import failed", "err", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the server with args and returns the exit status: 0 after a
// clean shutdown (or -help, -version), 2 for bad flags, 1 for a failure.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "latch-server:", err)
		return 2
	}
	if o.version {
		fmt.Fprintln(stdout, versionString())
		return 0
	}
	logger := newLogger(stderr, o.logFormat, o.logLevel)
	if err := serve(ctx, o, logger, stdout); err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// loopback is what -dev exempts from the per-IP limits.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// serve opens the store, starts the listeners and serves until a signal.
func serve(ctx context.Context, o *options, logger *slog.Logger, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	key, err := loadOrCreateKey(o.keyFile, logger)
	if err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, o.dsn)
	if err != nil {
		return fmt.Errorf("opening store: %w", err)
	}
	defer st.Close()

	m, err := metrics.New(metrics.Config{})
	if err != nil {
		return err
	}
	notifier, closeNotifier, err := newNotifier(o, logger)
	if err != nil {
		return err
	}
	acfg := auth.Config{
		SealingKey: key,
		Logger:     logger,
		Notifier:   notifier,
		Observer:   m,
		Passkeys:   passkeyConfig(o),
	}
	if o.dev {
		acfg.Limits.Exempt = loopback
		logger.Warn("development mode: loopback clients (127.0.0.0/8, ::1) skip the per-IP limits and the defender; per-account limits still apply")
	}
	svc, err := auth.New(ctx, st, acfg)
	if err != nil {
		return err
	}
	defer svc.Close() // before the store closes (deferred earlier)
	if err := m.CountSessions(svc.ActiveSessions, 10*time.Second); err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, svc, st, logger, stdout); err != nil {
		return err
	}
	api, err := httpadapter.New(svc, httpadapter.Config{Logger: logger, ClientCertLogin: o.clientCertLogin, RefreshCookie: o.cookieMode})
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", api))
	handlePage(mux)
	if o.metricsAddr == "" {
		mux.Handle("GET /metrics", m.Handler())
	}
	handler := api.Observe(httpadapter.ObserveConfig{
		AccessLog: logger,
		OnRequest: func(_ context.Context, rec httpadapter.RequestRecord) {
			m.ObserveHTTP(rec.Method, rec.Route, rec.Status, rec.Duration)
		},
	})(mux)

	var tlsConfig *tls.Config
	if o.tlsCert != "" {
		certs, err := newCertReloader(o.tlsCert, o.tlsKey)
		if err != nil {
			return err
		}
		if tlsConfig, err = newTLSConfig(certs, o.clientCA); err != nil {
			return err
		}
		handler = hsts(handler)
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for range hup {
				if err := certs.reload(); err != nil {
					logger.Error("TLS certificate not reloaded; serving the previous one", "err", err)
					continue
				}
				logger.Info("TLS certificate reloaded", "file", o.tlsCert)
			}
		}()
	}

	servers := []*listening{}
	primary, err := listen(o.addr, newHTTPServer(handler, logger), tlsConfig)
	if err != nil {
		return err
	}
	servers = append(servers, primary)
	logger.Info("latch listening", "addr", primary.ln.Addr().String(), "api", "/api/v1", "tls", tlsConfig != nil)
	if o.metricsAddr != "" {
		mm := http.NewServeMux()
		mm.Handle("GET /metrics", m.Handler())
		ms, err := listen(o.metricsAddr, newHTTPServer(mm, logger), nil)
		if err != nil {
			_ = primary.ln.Close()
			return err
		}
		servers = append(servers, ms)
		logger.Info("metrics listening", "addr", ms.ln.Addr().String())
	}

	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.serve() }()
	}
	select {
	case err := <-errc:
		for _, s := range servers {
			s.srv.Close()
		}
		return err
	case <-ctx.Done():
	}
	stop() // a second signal ends the process at once
	logger.Info("shutting down", "timeout", o.shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() {
			if err := s.srv.Shutdown(shutdownCtx); err != nil {
				// Requests still running after the timeout: close their
				// connections rather than fail the exit.
				logger.Warn("shutdown timeout: closing the connections still open", "addr", s.ln.Addr().String(), "err", err)
				s.srv.Close()
			}
		})
	}
	wg.Wait()
	for range servers {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	// Deliver the messages still queued, in what is left of the timeout
	// (at least a second).
	notifyCtx, cancelNotify := context.WithTimeout(context.Background(), max(time.Until(deadline(shutdownCtx)), time.Second))
	defer cancelNotify()
	if err := closeNotifier(notifyCtx); err != nil {
		logger.Warn("messages not delivered before exit", "err", err)
	}
	return nil
}

// deadline returns ctx's deadline (ctx has one).
func deadline(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// listening is an http.Server with its listener.
type listening struct {
	srv *http.Server
	ln  net.Listener
	tls bool
}

// listen opens addr for srv, with TLS when tlsConfig is set.
func listen(addr string, srv *http.Server, tlsConfig *tls.Config) (*listening, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv.TLSConfig = tlsConfig
	return &listening{srv: srv, ln: ln, tls: tlsConfig != nil}, nil
}

func (l *listening) serve() error {
	if l.tls {
		return l.srv.ServeTLS(l.ln, "", "") // the certificate comes from TLSConfig.GetCertificate
	}
	return l.srv.Serve(l.ln)
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
func bootstrapAdmin(ctx context.Context, svc *auth.Service, st store.Users, logger *slog.Logger, stdout io.Writer) error {
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
		fmt.Fprintf(stdout, "created user admin with password %s (shown only now)\n", password)
	} else {
		logger.Info("created user admin with the password from LATCH_ADMIN_PASSWORD")
	}
	return nil
}
