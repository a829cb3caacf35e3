// Package mailtest runs an SMTP server on 127.0.0.1 for tests, built on
// github.com/emersion/go-smtp, that keeps every message it receives:
//
//	srv := mailtest.NewServer(t, mailtest.Config{TLS: mailtest.StartTLS, Username: "u", Password: "p"})
//	n, err := mail.New(mail.Config{URL: srv.URL(), From: "noreply@example.com", TLSConfig: srv.ClientTLSConfig()})
//	...
//	msg := srv.Next(t) // waits for the next message
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSMode is how the server offers TLS.
type TLSMode int

const (
	// NoTLS offers no TLS at all.
	NoTLS TLSMode = iota
	// StartTLS offers STARTTLS (an smtp:// URL).
	StartTLS
	// Implicit speaks TLS from the first byte (an smtps:// URL).
	Implicit
)

// Config configures a Server; the zero value is a plain server without
// authentication.
type Config struct {
	TLS TLSMode
	// Username and Password, when set, are required (AUTH PLAIN), and
	// every message must be sent after authenticating.
	Username, Password string
	// MaxMessageBytes bounds a message; default 1 MiB.
	MaxMessageBytes int64
}

// Message is a message the server received.
type Message struct {
	From     string   // MAIL FROM
	To       []string // RCPT TO
	Data     []byte   // the message as sent, headers and body
	Username string   // who authenticated, "" for nobody
	TLS      bool     // received over TLS
}

// Parse parses Data as an RFC 5322 message.
func (m *Message) Parse() (*mail.Message, error) {
	return mail.ReadMessage(bytes.NewReader(m.Data))
}

// Server is a running test SMTP server.
type Server struct {
	cfg    Config
	addr   string
	pool   *x509.CertPool
	msgs   chan *Message
	srv    *smtp.Server
	mu     sync.Mutex
	refuse error // answered to DATA while set
}

// NewServer starts a Server on a free 127.0.0.1 port, closed when t ends.
func NewServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = 1 << 20
	}
	s := &Server{cfg: cfg, msgs: make(chan *Message, 1000)}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "localhost"
	s.srv.MaxMessageBytes = cfg.MaxMessageBytes
	s.srv.MaxRecipients = 10
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.AllowInsecureAuth = cfg.TLS == NoTLS
	var ln net.Listener
	var err error
	if cfg.TLS != NoTLS {
		cert, pool := selfSigned(t)
		s.pool = pool
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if cfg.TLS == Implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL returns the server's smtp:// (or, for Implicit, smtps://) URL, with
// the configured user and password.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.cfg.TLS == Implicit {
		u.Scheme = "smtps"
	}
	if s.cfg.Username != "" {
		u.User = url.UserPassword(s.cfg.Username, s.cfg.Password)
	}
	return u.String()
}

// ClientTLSConfig returns a tls.Config that trusts the server's
// certificate (nil for NoTLS).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.pool == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12}
}

// Refuse makes the server answer every DATA with a permanent error while
// on is true.
func (s *Server) Refuse(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = nil
	if on {
		s.refuse = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "refused by the test"}
	}
}

// Messages is the channel every received message is sent on.
func (s *Server) Messages() <-chan *Message { return s.msgs }

// Next waits up to ten seconds for the next message and fails t without one.
func (s *Server) Next(t testing.TB) *Message {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("mailtest: no message within 10 s")
		return nil
	}
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{s: s, tls: isTLS}, nil
}

type session struct {
	s    *Server
	tls  bool
	user string
	msg  *Message
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}

func (ss *session) AuthMechanisms() []string {
	if ss.s.cfg.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return errors.New("mailtest: identity differs from username")
		}
		if username != ss.s.cfg.Username || password != ss.s.cfg.Password {
			return smtp.ErrAuthFailed
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.cfg.Username != "" && ss.user == "" {
		return errAuthRequired
	}
	ss.msg = &Message{From: from, Username: ss.user, TLS: ss.tls}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.msg == nil {
		return errors.New("mailtest: RCPT before MAIL")
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	refuse := ss.s.refuse
	ss.s.mu.Unlock()
	if refuse != nil {
		return refuse
	}
	if ss.msg == nil {
		return errors.New("mailtest: DATA before MAIL")
	}
	ss.msg.Data = data
	ss.s.msgs <- ss.msg
	ss.msg = nil
	return nil
}

func (ss *session) Reset()        { ss.msg = nil }
func (ss *session) Logout() error { return nil }

// selfSigned returns a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
