package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/latchkit/latch/auth"
)

// flagEnv names the environment variable of each flag. Every flag has one,
// except -version, which is a command rather than a setting.
var flagEnv = map[string]string{
	"addr":              "LATCH_ADDR",
	"db":                "LATCH_DB",
	"key-file":          "LATCH_KEY_FILE",
	"metrics-addr":      "LATCH_METRICS_ADDR",
	"log-format":        "LATCH_LOG_FORMAT",
	"log-level":         "LATCH_LOG_LEVEL",
	"tls-cert":          "LATCH_TLS_CERT",
	"tls-key":           "LATCH_TLS_KEY",
	"client-ca":         "LATCH_CLIENT_CA",
	"client-cert-login": "LATCH_CLIENT_CERT_LOGIN",
	"cookie-mode":       "LATCH_COOKIE_MODE",
	"rp-id":             "LATCH_RP_ID",
	"rp-origins":        "LATCH_RP_ORIGINS",
	"smtp-url":          "LATCH_SMTP_URL",
	"mail-from":         "LATCH_MAIL_FROM",
	"dev":               "LATCH_DEV",
	"shutdown-timeout":  "LATCH_SHUTDOWN_TIMEOUT",
}

// options are the server's settings, from flags and the environment.
type options struct {
	addr, dsn, keyFile string
	metricsAddr        string
	logFormat          string
	logLevel           slog.Level
	tlsCert, tlsKey    string
	clientCA           string
	clientCertLogin    bool
	cookieMode         bool
	rpID, rpOrigins    string
	smtpURL, mailFrom  string
	dev                bool
	shutdownTimeout    time.Duration
	version            bool
	logLevelText       string
}

// newFlagSet defines every flag on a new FlagSet writing its usage to out.
func newFlagSet(o *options, out io.Writer) *flag.FlagSet {
	fl := flag.NewFlagSet("server", flag.ContinueOnError)
	fl.SetOutput(out)
	fl.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address")
	fl.StringVar(&o.dsn, "db", "latch.db", "SQLite file or postgres:// DSN")
	fl.StringVar(&o.keyFile, "key-file", "latch.key", "sealing key file, created with mode 0600 if missing")
	fl.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics on this address (plain HTTP) instead of on -addr")
	fl.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&o.logLevelText, "log-level", "info", "lowest level logged: debug, info, warn or error")
	fl.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate chain (with -tls-key; both re-read on SIGHUP)")
	fl.StringVar(&o.tlsKey, "tls-key", "", "PEM private key of -tls-cert")
	fl.StringVar(&o.clientCA, "client-ca", "", "verify TLS client certificates that clients present against these PEM CA certificates")
	fl.BoolVar(&o.clientCertLogin, "client-cert-login", false, "a verified client certificate signs in the user its subject CN names (needs -client-ca)")
	fl.StringVar(&o.smtpURL, "smtp-url", "", "deliver codes by SMTP: smtp://user:password@host:port (STARTTLS when offered) or smtps://... (implicit TLS)")
	fl.StringVar(&o.mailFrom, "mail-from", "", `sender of -smtp-url's messages, e.g. "Latch <noreply@example.com>"`)
	fl.BoolVar(&o.cookieMode, "cookie-mode", false, "keep refresh tokens in a __Host- cookie (HttpOnly, Secure, SameSite=Strict) for browser clients, with cross-site request checks")
	fl.StringVar(&o.rpID, "rp-id", "", "passkeys: the relying party ID, a domain every origin is part of (default: the host of the first -rp-origins)")
	fl.StringVar(&o.rpOrigins, "rp-origins", "", "passkeys: comma-separated origins the sign-in pages run at (default http://localhost:PORT of -addr, https with -tls-cert; browsers refuse passkeys on IP-address origins)")
	fl.BoolVar(&o.dev, "dev", false, "development mode: write verification and reset codes to the log, and relax the per-IP limits for loopback clients")
	fl.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGTERM, wait this long for requests in flight before closing their connections")
	fl.BoolVar(&o.version, "version", false, "print the version and exit")
	fl.VisitAll(func(f *flag.Flag) {
		if v, ok := flagEnv[f.Name]; ok {
			f.Usage += " [$" + v + "]"
		}
	})
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "Usage of latch-server:\n")
		fl.PrintDefaults()
		fmt.Fprintf(fl.Output(), "\nEach setting may also come from the environment variable in brackets; a flag given wins.\n")
	}
	return fl
}

// parseFlags parses args; a flag that is not given takes its environment
// variable, if set and not empty, else its default. The environment is
// applied after parsing so that -h never prints it (LATCH_DB and
// LATCH_SMTP_URL may hold passwords).
func parseFlags(fl *flag.FlagSet, args []string) error {
	if err := fl.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	names := make([]string, 0, len(flagEnv))
	for name := range flagEnv {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		variable := flagEnv[name]
		if fl.Lookup(name) == nil {
			continue
		}
		if v := os.Getenv(variable); v != "" && !given[name] {
			if err := fl.Set(name, v); err != nil {
				// The value may be a secret: name the variable only.
				return fmt.Errorf("%s: invalid value", variable)
			}
		}
	}
	return nil
}

// parseOptions parses args and the environment and checks the result.
func parseOptions(args []string, usage io.Writer) (*options, error) {
	o := &options{}
	fl := newFlagSet(o, usage)
	if err := parseFlags(fl, args); err != nil {
		return nil, err
	}
	if fl.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fl.Arg(0))
	}
	if o.version {
		return o, nil
	}
	if err := o.logLevel.UnmarshalText([]byte(o.logLevelText)); err != nil {
		return nil, fmt.Errorf("-log-level: want debug, info, warn or error")
	}
	switch o.logFormat {
	case "text", "json":
	default:
		return nil, errors.New("-log-format: want text or json")
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	if o.clientCA != "" && o.tlsCert == "" {
		return nil, errors.New("-client-ca needs -tls-cert and -tls-key")
	}
	if o.clientCertLogin && o.clientCA == "" {
		return nil, errors.New("-client-cert-login needs -client-ca")
	}
	if o.clientCertLogin && o.cookieMode {
		return nil, errors.New("-client-cert-login and -cookie-mode exclude each other: browsers send both credentials by themselves, cross-site too")
	}
	if (o.smtpURL == "") != (o.mailFrom == "") {
		return nil, errors.New("-smtp-url and -mail-from go together")
	}
	if o.shutdownTimeout <= 0 {
		return nil, errors.New("-shutdown-timeout must be positive")
	}
	return o, nil
}

// versionString describes the binary from its build information: the
// module version and, when the build stamped it (go build with
// -buildvcs=true in a git checkout; go run never does), the VCS revision.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "latch-server: no build information"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "latch-server %s %s", bi.Main.Path, bi.Main.Version)
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, " revision %s", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(" modified")
		}
	} else {
		b.WriteString(" revision unknown")
	}
	fmt.Fprintf(&b, " %s", bi.GoVersion)
	return b.String()
}

// passkeyConfig is the relying party of the server's passkeys: -rp-origins
// (default http://localhost with the port of -addr, https with
// -tls-cert: browsers refuse WebAuthn on IP-address origins, so the page
// is opened at localhost) and -rp-id (default the first origin's host).
func passkeyConfig(o *options) auth.PasskeyConfig {
	var origins []string
	for _, v := range strings.Split(o.rpOrigins, ",") {
		if v = strings.TrimSpace(v); v != "" {
			origins = append(origins, v)
		}
	}
	if len(origins) == 0 {
		scheme, def := "http", "80"
		if o.tlsCert != "" {
			scheme, def = "https", "443"
		}
		_, port, err := net.SplitHostPort(o.addr)
		if err != nil || port == "" || port == "0" {
			port = "8080"
		}
		origin := scheme + "://localhost"
		if port != def {
			origin += ":" + port
		}
		origins = []string{origin}
	}
	return auth.PasskeyConfig{RPID: o.rpID, RPOrigins: origins}
}
