package mail_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/mail"
	"github.com/latchkit/latch/mail/mailtest"
)

var _ auth.Notifier = (*mail.Notifier)(nil)

// syncBuffer is a log destination for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newNotifier returns a Notifier for srv, closed when t ends.
func newNotifier(t *testing.T, srv *mailtest.Server, tweak ...func(*mail.Config)) (*mail.Notifier, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg := mail.Config{
		URL:       srv.URL(),
		From:      "Latch <noreply@example.com>",
		TLSConfig: srv.ClientTLSConfig(),
		Timeout:   5 * time.Second,
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
	}
	for _, f := range tweak {
		f(&cfg)
	}
	n, err := mail.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = n.Close(ctx)
	})
	return n, logs
}

// body returns the decoded text body of m.
func body(t *testing.T, m *netmail.Message) string {
	t.Helper()
	var r io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

// TestDelivery sends a verification code through each kind of server
// and checks the envelope, the headers and the body.
func TestDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     mailtest.Config
		wantTLS bool
	}{
		{"plain, no authentication", mailtest.Config{}, false},
		{"STARTTLS with authentication", mailtest.Config{TLS: mailtest.StartTLS, Username: "latch", Password: "p@ss:w/rd"}, true},
		{"implicit TLS with authentication", mailtest.Config{TLS: mailtest.Implicit, Username: "latch", Password: "secret"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mailtest.NewServer(t, tc.cfg)
			n, logs := newNotifier(t, srv)
			before := time.Now().Add(-time.Second)
			require.NoError(t, n.SendEmailVerificationCode(context.Background(), "alice@example.com", "12345678"))
			got := srv.Next(t)
			assert.Equal(t, "noreply@example.com", got.From)
			assert.Equal(t, []string{"alice@example.com"}, got.To)
			assert.Equal(t, tc.wantTLS, got.TLS)
			assert.Equal(t, tc.cfg.Username, got.Username)

			m, err := got.Parse()
			require.NoError(t, err)
			from, err := m.Header.AddressList("From")
			require.NoError(t, err)
			require.Len(t, from, 1)
			assert.Equal(t, "Latch", from[0].Name)
			assert.Equal(t, "noreply@example.com", from[0].Address)
			to, err := m.Header.AddressList("To")
			require.NoError(t, err)
			require.Len(t, to, 1)
			assert.Equal(t, "alice@example.com", to[0].Address)
			assert.Equal(t, "Latch: verify your email address", m.Header.Get("Subject"))
			date, err := m.Header.Date()
			require.NoError(t, err)
			assert.True(t, !date.Before(before) && date.Before(time.Now().Add(time.Second)), "Date %v", date)
			assert.Regexp(t, `^<[A-Z2-7]{26}@example\.com>$`, m.Header.Get("Message-ID"))
			assert.Contains(t, m.Header.Get("Content-Type"), "text/plain")
			assert.NotContains(t, m.Header.Get("Subject"), "12345678", "no code in the subject")
			assert.Contains(t, body(t, m), "12345678")
			assert.Empty(t, logs.String())
		})
	}
}

// TestMessages checks each kind of message.
func TestMessages(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.Config{})
	n, _ := newNotifier(t, srv, func(c *mail.Config) { c.Product = "Acme ID"; c.Workers = 1 })
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name     string
		send     func() error
		to       string
		subject  string
		contains []string
		absent   []string
	}{
		{"verification code", func() error { return n.SendEmailVerificationCode(ctx, "bob@example.com", "11112222") },
			"bob@example.com", "Acme ID: verify your email address", []string{"11112222", "Acme ID"}, nil},
		{"reset code", func() error { return n.SendPasswordResetCode(ctx, "bob@example.com", "33334444") },
			"bob@example.com", "Acme ID: password reset code", []string{"33334444", "reset the password"}, nil},
		{"email change", func() error { return n.SendEmailChangeNotice(ctx, "old@example.com", "new@example.org") },
			"old@example.com", "Acme ID: your email address was changed", []string{"new@example.org"}, nil},
		{"sign-in", func() error {
			return n.SendSignInNotice(ctx, "bob@example.com", "192.0.2.7", "Mozilla/5.0\r\nBcc: eve@example.com\x00"+strings.Repeat("x", 300), at)
		}, "bob@example.com", "Acme ID: new sign-in to your account",
			[]string{"192.0.2.7", "Sun, 01 Mar 2026 11:30:00 UTC", "Mozilla/5.0  Bcc: eve@example.com", "…"},
			[]string{strings.Repeat("x", 201), "\x00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.send())
			got := srv.Next(t)
			assert.Equal(t, []string{tc.to}, got.To)
			m, err := got.Parse()
			require.NoError(t, err)
			assert.Equal(t, tc.subject, m.Header.Get("Subject"))
			assert.Empty(t, m.Header.Get("Bcc"))
			b := body(t, m)
			for _, s := range tc.contains {
				assert.Contains(t, b, s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, b, s)
			}
		})
	}
}

func TestInvalidAddresses(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.Config{})
	n, _ := newNotifier(t, srv)
	for _, addr := range []string{"", "bob", "bob@", "Bob <bob@example.com>", "bob@example.com\r\nBcc: eve@example.com", "a@b.c, d@e.f", strings.Repeat("a", 250) + "@b.cd"} {
		t.Run(addr, func(t *testing.T) {
			err := n.SendPasswordResetCode(context.Background(), addr, "12345678")
			require.ErrorIs(t, err, mail.ErrInvalidAddress)
			assert.NotContains(t, err.Error(), "12345678")
		})
	}
	require.ErrorIs(t, n.SendEmailChangeNotice(context.Background(), "bob@example.com", "not an address"), mail.ErrInvalidAddress)
}

// TestDeliveryFailures checks that a failed delivery is logged without
// the message, and that the Send methods still returned nil.
func TestDeliveryFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   mailtest.Config
		setup func(srv *mailtest.Server, c *mail.Config)
		want  string
	}{
		{"wrong password", mailtest.Config{TLS: mailtest.StartTLS, Username: "latch", Password: "right"}, func(srv *mailtest.Server, c *mail.Config) {
			c.URL = strings.Replace(c.URL, ":right@", ":wrong@", 1)
		}, "delivery failed"},
		{"credentials never sent without TLS", mailtest.Config{Username: "latch", Password: "right"}, func(*mailtest.Server, *mail.Config) {}, "delivery failed"},
		{"untrusted certificate", mailtest.Config{TLS: mailtest.StartTLS}, func(srv *mailtest.Server, c *mail.Config) {
			c.TLSConfig = nil
		}, "certificate"},
		{"message refused", mailtest.Config{}, func(srv *mailtest.Server, c *mail.Config) { srv.Refuse(true) }, "refused by the test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mailtest.NewServer(t, tc.cfg)
			n, logs := newNotifier(t, srv, func(c *mail.Config) { tc.setup(srv, c) })
			require.NoError(t, n.SendPasswordResetCode(context.Background(), "carol@example.com", "55556666"))
			require.NoError(t, n.Close(context.Background()))
			assert.Contains(t, logs.String(), "mail: delivery failed")
			assert.Contains(t, logs.String(), "kind=password_reset")
			assert.Contains(t, logs.String(), tc.want)
			assert.NotContains(t, logs.String(), "55556666")
			assert.NotContains(t, logs.String(), "right")
			select {
			case m := <-srv.Messages():
				t.Fatalf("delivered anyway: %s", m.Data)
			default:
			}
		})
	}
}

// TestQueue fills the queue of a Notifier whose server never answers,
// then checks Close.
func TestQueue(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	var conns sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { _, _ = io.Copy(io.Discard, c); _ = c.Close() }) // never greets
		}
	}()
	n, err := mail.New(mail.Config{URL: "smtp://" + ln.Addr().String(), From: "noreply@example.com",
		Timeout: 200 * time.Millisecond, QueueSize: 1, Workers: 1})
	require.NoError(t, err)
	var full error
	for range 5 {
		if err := n.SendEmailVerificationCode(context.Background(), "dan@example.com", "12345678"); err != nil {
			full = err
			break
		}
	}
	require.ErrorIs(t, full, mail.ErrQueueFull)
	require.NoError(t, n.Close(context.Background()), "the queued messages time out and Close returns")
	require.ErrorIs(t, n.SendEmailVerificationCode(context.Background(), "dan@example.com", "12345678"), mail.ErrClosed)
	require.NoError(t, n.Close(context.Background()), "Close twice")
}

// TestCloseDelivers checks that Close delivers what was queued.
func TestCloseDelivers(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.Config{})
	n, _ := newNotifier(t, srv)
	for _, code := range []string{"10000001", "10000002", "10000003"} {
		require.NoError(t, n.SendPasswordResetCode(context.Background(), "erin@example.com", code))
	}
	require.NoError(t, n.Close(context.Background()))
	var bodies []string
	for range 3 {
		m, err := srv.Next(t).Parse()
		require.NoError(t, err)
		bodies = append(bodies, body(t, m))
	}
	all := strings.Join(bodies, "\n")
	for _, code := range []string{"10000001", "10000002", "10000003"} {
		assert.Contains(t, all, code)
	}
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  mail.Config
	}{
		{"no URL", mail.Config{From: "a@example.com"}},
		{"bad scheme", mail.Config{URL: "http://smtp.example.com", From: "a@example.com"}},
		{"no From", mail.Config{URL: "smtp://smtp.example.com"}},
		{"From not an address", mail.Config{URL: "smtp://smtp.example.com", From: "nobody"}},
		{"Product over two lines", mail.Config{URL: "smtp://smtp.example.com", From: "a@example.com", Product: "A\nB"}},
		{"negative timeout", mail.Config{URL: "smtp://smtp.example.com", From: "a@example.com", Timeout: -1}},
		{"negative queue", mail.Config{URL: "smtp://smtp.example.com", From: "a@example.com", QueueSize: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mail.New(tc.cfg)
			require.ErrorIs(t, err, mail.ErrInvalidConfig)
		})
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want mail.Server
		ok   bool
	}{
		{"smtp default port", "smtp://smtp.example.com", mail.Server{Host: "smtp.example.com", Port: 587}, true},
		{"smtps default port", "smtps://smtp.example.com", mail.Server{Host: "smtp.example.com", Port: 465, Implicit: true}, true},
		{"port and credentials", "smtp://user%40example.com:p%3Ass@mx.example.com:2525/", mail.Server{Host: "mx.example.com", Port: 2525, Username: "user@example.com", Password: "p:ss"}, true},
		{"IPv6", "smtps://[::1]:4650", mail.Server{Host: "::1", Port: 4650, Implicit: true}, true},
		{"user without password", "smtp://user@mx.example.com", mail.Server{Host: "mx.example.com", Port: 587, Username: "user"}, true},
		{"other scheme", "https://mx.example.com", mail.Server{}, false},
		{"no host", "smtp://", mail.Server{}, false},
		{"path", "smtp://mx.example.com/x", mail.Server{}, false},
		{"query", "smtp://mx.example.com?tls=off", mail.Server{}, false},
		{"fragment", "smtp://mx.example.com#x", mail.Server{}, false},
		{"port 0", "smtp://mx.example.com:0", mail.Server{}, false},
		{"port too big", "smtp://mx.example.com:65536", mail.Server{}, false},
		{"empty port", "smtp://mx.example.com:", mail.Server{}, false},
		{"empty user", "smtp://:secret@mx.example.com", mail.Server{}, false},
		{"opaque", "smtp:mx.example.com", mail.Server{}, false},
		{"malformed with password", "smtp://user:secret@mx.example.com:x%zz", mail.Server{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mail.ParseURL(tc.in)
			if !tc.ok {
				require.ErrorIs(t, err, mail.ErrInvalidConfig)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// FuzzParseURL: no panic, errors never quote the password, and a parsed
// server is usable.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"smtp://mx.example.com", "smtps://u:p@[::1]:465", "smtp://u:p@h:0", "smtp://%zz", "smtp://u:secret@h/p?q#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := mail.ParseURL(raw)
		if err != nil {
			if !errors.Is(err, mail.ErrInvalidConfig) {
				t.Fatalf("error %v does not wrap ErrInvalidConfig", err)
			}
			if i := strings.Index(raw, ":"); i >= 0 && len(raw) > 12 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error quotes the URL: %v", err)
			}
			return
		}
		if s.Host == "" || s.Port < 1 || s.Port > 65535 {
			t.Fatalf("parsed %q to %+v", raw, s)
		}
	})
}
