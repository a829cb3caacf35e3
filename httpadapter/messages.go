package httpadapter

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/internal/strictjson"
)

// publicError is an error whose message is safe to show the client: it
// says what is wrong with the shape of the request, and nothing about
// accounts, credentials or the server's internals. writeError sends it as
// "message".
type publicError struct {
	err error // wraps the sentinel of the code
	msg string
}

func (e *publicError) Error() string { return e.err.Error() }
func (e *publicError) Unwrap() error { return e.err }

// withMessage attaches the client-safe msg to err.
func withMessage(err error, msg string) error { return &publicError{err: err, msg: msg} }

// invalidMsg is an INVALID_REQUEST error whose text is also its message.
func invalidMsg(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return withMessage(fmt.Errorf("%w: %s", auth.ErrInvalidRequest, msg), msg)
}

// messageStatuses are the statuses whose errors may carry a message: the
// request's own shape, a policy the caller can read anyway, a limit.
// Authentication and permission failures (401, 403) never do, nor do
// 404 (whether something exists), 429 and 500.
var messageStatuses = map[int]bool{
	http.StatusBadRequest:            true,
	http.StatusConflict:              true,
	http.StatusRequestEntityTooLarge: true,
}

const msgSealingKeyMismatch = "the backup's signing keys or TOTP secrets do not open with this server's sealing key: " +
	"it was made by a server with another key; restore it on a server started with that server's sealing key"

// publicMessage returns the message of an error with the given code and
// status, or "" when it has none.
func (h *Handler) publicMessage(err error, code string, status int) string {
	if !messageStatuses[status] {
		return ""
	}
	if pe, ok := errors.AsType[*publicError](err); ok {
		return pe.msg
	}
	switch code {
	case auth.ErrInvalidPassword.Code():
		return h.passwordMsg
	case auth.ErrSealingKeyMismatch.Code():
		return msgSealingKeyMismatch
	}
	return ""
}

// passwordMessage states the password policy of svc.
func passwordMessage(svc *auth.Service) string {
	p := svc.PasswordRules()
	msg := fmt.Sprintf("a password must be %d to %d characters (Unicode code points) of valid UTF-8, without NUL", p.MinLen, p.MaxLen)
	if p.RefusesCommon {
		msg += ", and not a commonly used password, the username, the email address, the service name or a repeated or sequential string"
	}
	return msg
}

// jsonMessage is the message of a strictjson error of a request body.
func jsonMessage(err error) string {
	if se, ok := errors.AsType[*strictjson.Error](err); ok {
		return "request body: " + se.Msg
	}
	return "request body: invalid JSON"
}

// restoreError adds the message of a backup that is not valid JSON of the
// backup's shape to an error of auth's Restore.
func restoreError(err error) error {
	if se, ok := errors.AsType[*strictjson.Error](err); ok && errors.Is(err, auth.ErrInvalidRequest) {
		return withMessage(err, "backup: "+se.Msg)
	}
	return err
}
