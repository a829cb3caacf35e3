package main

import (
	"context"
	"log/slog"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/mail"
)

// newNotifier returns the notifier that delivers codes: SMTP with
// -smtp-url, the log in development mode, else none (and says so). close
// delivers the messages still queued.
func newNotifier(o *options, logger *slog.Logger) (n auth.Notifier, closeFn func(context.Context) error, err error) {
	closeFn = func(context.Context) error { return nil }
	switch {
	case o.smtpURL != "":
		m, err := mail.New(mail.Config{URL: o.smtpURL, From: o.mailFrom, Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		s, _ := mail.ParseURL(o.smtpURL)
		logger.Info("codes are delivered by SMTP", "host", s.Host, "port", s.Port, "implicit_tls", s.Implicit)
		if o.dev {
			logger.Warn("development mode: codes still go by SMTP (-smtp-url wins over -dev)")
		}
		return m, m.Close, nil
	case o.dev:
		logger.Warn("development mode: verification and reset codes are written to this log; never use -dev in production")
		return logNotifier{logger}, closeFn, nil
	default:
		logger.Warn("no -smtp-url: verification and reset codes cannot be delivered (-dev writes them to the log while developing)")
		return nil, closeFn, nil
	}
}

// logNotifier writes codes to the log, in development mode (-dev) only.
type logNotifier struct{ logger *slog.Logger }

func (n logNotifier) SendEmailVerificationCode(ctx context.Context, email, code string) error {
	n.logger.InfoContext(ctx, "development notifier: email verification code", "email", email, "code", code)
	return nil
}

func (n logNotifier) SendPasswordResetCode(ctx context.Context, email, code string) error {
	n.logger.InfoContext(ctx, "development notifier: password reset code", "email", email, "code", code)
	return nil
}
