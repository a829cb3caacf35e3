package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
)

// Defaults of Config.
const (
	DefaultProduct   = "Latch"
	DefaultTimeout   = 30 * time.Second
	DefaultQueueSize = 256
	DefaultWorkers   = 2
)

// maxURLLen bounds the SMTP URL Config and ParseURL accept.
const maxURLLen = 2048

var (
	// ErrInvalidConfig is returned by New and ParseURL for a configuration
	// they refuse; the message says which part, never the password.
	ErrInvalidConfig = errors.New("mail: invalid config")
	// ErrInvalidAddress is returned by the Send methods for a recipient
	// that is not an email address.
	ErrInvalidAddress = errors.New("mail: invalid address")
	// ErrQueueFull is returned by the Send methods when Config.QueueSize
	// messages are waiting already.
	ErrQueueFull = errors.New("mail: queue full")
	// ErrClosed is returned by the Send methods after Close.
	ErrClosed = errors.New("mail: closed")
)

// Config configures a Notifier. URL and From are required.
type Config struct {
	// URL names the SMTP server: smtp://[user:password@]host[:port] (STARTTLS
	// when offered, port 587 by default) or smtps://[user:password@]host[:port]
	// (implicit TLS, port 465 by default). The user and password are
	// percent-encoded, as in any URL. Nothing else (path, query) is allowed.
	URL string
	// From is the sender: "noreply@example.com" or
	// "Example <noreply@example.com>". Message-IDs use its domain.
	From string
	// Product names the service in subjects and bodies; default "Latch".
	Product string
	// TLSConfig verifies the server's certificate; nil means the system
	// roots. Set RootCAs for a private CA. ServerName defaults to the URL's
	// host and MinVersion is raised to TLS 1.2.
	TLSConfig *tls.Config
	// Timeout bounds one delivery, from connecting to QUIT; default 30 s.
	Timeout time.Duration
	// QueueSize is the number of messages that may wait for delivery;
	// default 256.
	QueueSize int
	// Workers is the number of messages delivered at once; default 2.
	Workers int
	// Logger receives delivery failures (the kind of message and the
	// error, never the message); nil logs nothing.
	Logger *slog.Logger
}

// Server is a parsed SMTP URL.
type Server struct {
	Host     string
	Port     int
	Implicit bool // smtps: TLS from the first byte
	Username string
	Password string
}

// ParseURL parses an SMTP URL as Config.URL describes it. Errors wrap
// ErrInvalidConfig and never contain the password.
func ParseURL(raw string) (Server, error) {
	bad := func(what string) (Server, error) {
		return Server{}, fmt.Errorf("%w: smtp url: %s", ErrInvalidConfig, what)
	}
	if len(raw) > maxURLLen {
		return bad("too long")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("malformed") // url's message would quote the password
	}
	var s Server
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.Implicit = 465, true
	default:
		return bad("scheme must be smtp or smtps")
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return bad("only scheme, user, password, host and port are allowed")
	}
	s.Host = u.Hostname()
	if s.Host == "" || strings.ContainsAny(s.Host, " /\\%") {
		return bad("missing or invalid host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("invalid port")
		}
		s.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return bad("invalid port")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" {
			return bad("empty user")
		}
	}
	return s, nil
}

// Notifier sends Latch's messages by SMTP. It implements auth.Notifier.
// It is safe for concurrent use; Close it to stop its workers.
type Notifier struct {
	cfg    Config
	server Server
	from   *netmail.Address
	domain string
	tls    *tls.Config
	log    *slog.Logger
	queue  chan job
	mu     sync.RWMutex // guards closed and sends on queue
	closed bool
	done   chan struct{} // closed when the workers have stopped
}

// job is one queued message.
type job struct {
	ctx  context.Context // the caller's values (a request ID), without its cancellation
	kind string
	msg  *gomail.Msg
}

// New checks cfg, starts the delivery workers and returns the Notifier.
// It does not connect to the server. Errors wrap ErrInvalidConfig.
func New(cfg Config) (*Notifier, error) {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrInvalidConfig, what) }
	server, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil || !validAddress(from.Address) {
		return nil, bad("From is not an email address")
	}
	if cfg.Product == "" {
		cfg.Product = DefaultProduct
	}
	if strings.ContainsFunc(cfg.Product, unicode.IsControl) || utf8.RuneCountInString(cfg.Product) > 64 {
		return nil, bad("Product must be one short line")
	}
	if cfg.Timeout < 0 || cfg.QueueSize < 0 || cfg.Workers < 0 {
		return nil, bad("negative Timeout, QueueSize or Workers")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.QueueSize == 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	tc := &tls.Config{}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = server.Host
	}
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	n := &Notifier{
		cfg:    cfg,
		server: server,
		from:   from,
		domain: from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		tls:    tc,
		log:    cfg.Logger,
		queue:  make(chan job, cfg.QueueSize),
		done:   make(chan struct{}),
	}
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Go(n.work)
	}
	go func() { wg.Wait(); close(n.done) }()
	return n, nil
}

// Close stops taking messages and waits until the queued ones are
// delivered (or failed), or until ctx ends; then it returns ctx's error
// and the remaining messages are dropped as their deliveries time out.
func (n *Notifier) Close(ctx context.Context) error {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		close(n.queue)
	}
	n.mu.Unlock()
	select {
	case <-n.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SendEmailVerificationCode queues the code that verifies email.
func (n *Notifier) SendEmailVerificationCode(ctx context.Context, email, code string) error {
	return n.send(ctx, "email_verification", email,
		n.cfg.Product+": verify your email address",
		"Your "+n.cfg.Product+" verification code is:\n\n    "+code+"\n\n"+
			"Enter it where you asked for it to confirm that this address is yours.\n"+
			"If you did not ask for it, ignore this message.\n")
}

// SendPasswordResetCode queues the code of a password reset to email.
func (n *Notifier) SendPasswordResetCode(ctx context.Context, email, code string) error {
	return n.send(ctx, "password_reset", email,
		n.cfg.Product+": password reset code",
		"Someone, hopefully you, asked to reset the password of your "+n.cfg.Product+" account.\n"+
			"Your password reset code is:\n\n    "+code+"\n\n"+
			"If you did not ask for it, ignore this message: your password stays as it is.\n")
}

// SendEmailChangeNotice tells the old address of an account that its
// email address was changed to newEmail.
func (n *Notifier) SendEmailChangeNotice(ctx context.Context, oldEmail, newEmail string) error {
	if !validAddress(newEmail) {
		return fmt.Errorf("%w: new address", ErrInvalidAddress)
	}
	return n.send(ctx, "email_change_notice", oldEmail,
		n.cfg.Product+": your email address was changed",
		"The email address of your "+n.cfg.Product+" account was changed to "+newEmail+".\n"+
			"Messages about your account now go to that address.\n"+
			"If you did not make this change, contact your administrator at once.\n")
}

// SendSignInNotice tells email about a sign-in to its account at at, from
// network (a client address) with userAgent (as the client sent it,
// shortened and stripped of control characters here).
func (n *Notifier) SendSignInNotice(ctx context.Context, email, network, userAgent string, at time.Time) error {
	return n.send(ctx, "sign_in_notice", email,
		n.cfg.Product+": new sign-in to your account",
		"Your "+n.cfg.Product+" account was signed in to.\n\n"+
			"    When:    "+at.UTC().Format(time.RFC1123)+"\n"+
			"    From:    "+clean(network, 64)+"\n"+
			"    Browser: "+clean(userAgent, 200)+"\n\n"+
			"If this was not you, change your password and contact your administrator.\n")
}

// send builds a message and queues it.
func (n *Notifier) send(ctx context.Context, kind, to, subject, body string) error {
	if !validAddress(to) {
		return ErrInvalidAddress
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.FromFormat(n.from.Name, n.from.Address); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := m.To(to); err != nil {
		return ErrInvalidAddress
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageIDWithValue(rand.Text() + "@" + n.domain)
	m.SetBodyString(gomail.TypeTextPlain, body)
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.closed {
		return ErrClosed
	}
	select {
	case n.queue <- job{ctx: context.WithoutCancel(ctx), kind: kind, msg: m}:
		return nil
	default:
		return ErrQueueFull
	}
}

// work delivers queued messages until the queue is closed and empty.
func (n *Notifier) work() {
	for j := range n.queue {
		if err := n.deliver(j); err != nil && n.log != nil {
			n.log.LogAttrs(j.ctx, slog.LevelError, "mail: delivery failed",
				slog.String("kind", j.kind), slog.String("error", err.Error()))
		}
	}
}

// deliver sends one message on its own connection.
func (n *Notifier) deliver(j job) error {
	ctx, cancel := context.WithTimeout(j.ctx, n.cfg.Timeout)
	defer cancel()
	opts := []gomail.Option{
		gomail.WithPort(n.server.Port),
		gomail.WithTimeout(n.cfg.Timeout),
		gomail.WithTLSConfig(n.tls.Clone()),
	}
	if n.server.Implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if n.server.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(n.server.Username),
			gomail.WithPassword(n.server.Password))
	}
	c, err := gomail.NewClient(n.server.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, j.msg)
}

// validAddress reports whether s is one bare email address, as
// net/mail parses it.
func validAddress(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "<>\r\n") {
		return false
	}
	a, err := netmail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// clean returns s without control characters or invalid UTF-8, cut to at
// most maxRunes runes, for a message body.
func clean(s string, maxRunes int) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n == maxRunes {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	if b.Len() == 0 {
		return "(unknown)"
	}
	return b.String()
}
