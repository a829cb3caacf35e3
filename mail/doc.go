// Package mail delivers Latch's messages by SMTP: the email-verification
// and password-reset codes of an [auth.Notifier], and notices of an email
// change and of a sign-in. It sends plain-text messages with
// github.com/wneessen/go-mail.
//
//	n, err := mail.New(mail.Config{
//		URL:  os.Getenv("LATCH_SMTP_URL"), // smtps://user:password@smtp.example.com
//		From: "Latch <noreply@example.com>",
//	})
//	defer n.Close(ctx)
//	svc, err := auth.New(ctx, st, auth.Config{SealingKey: key, Notifier: n})
//
// # Delivery
//
// The Send methods check the recipient and queue the message, then return:
// they never wait for the SMTP server. auth calls its Notifier while it
// answers a request, and a password reset must take as long for an
// unknown address (no message) as for a known one, so sending inline
// would tell the two apart. Background workers deliver the queue, one
// connection per message, each attempt bounded by Config.Timeout; a
// failed delivery is logged (without the message) and not retried: the
// user asks for a new code. [Notifier.Close] stops taking messages and
// delivers those queued.
//
// # Security
//
//   - smtps:// uses implicit TLS (RFC 8314, port 465 by default). smtp://
//     uses STARTTLS when the server offers it (port 587 by default) and
//     sends in clear text otherwise, which an attacker on the path can
//     force by hiding the offer: prefer smtps:// across networks you do
//     not control. Certificates are verified (Config.TLSConfig for a
//     private CA); TLS 1.2 at least.
//   - The URL's user and password authenticate with the strongest SMTP
//     AUTH mechanism the server offers; over a connection without TLS only
//     challenge-response mechanisms (SCRAM, CRAM-MD5) are used, never
//     PLAIN or LOGIN, so a server without STARTTLS that offers only those
//     gets no password and no message.
//   - Codes appear in the message body only, never in a subject (which
//     lock screens show) and never in a log.
//   - Values that come from a request (the user agent of a sign-in) are
//     stripped of control characters and shortened before they reach a
//     body; every header is built by go-mail from checked addresses.
package mail
