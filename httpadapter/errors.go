package httpadapter

import (
	"errors"
	"fmt"

	"github.com/latchkit/latch/auth"
)

// Error codes the adapter adds to auth's; auth has no notion of body sizes
// or HTTP methods.
const (
	codeRequestTooLarge  = "REQUEST_TOO_LARGE"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
)

var (
	// ErrNilService is returned by New when the service is nil.
	ErrNilService = errors.New("httpadapter: nil service")
	// ErrInvalidConfig is returned by New for a Config it refuses: a trusted
	// proxy that is not an address or CIDR prefix, or a negative limit.
	ErrInvalidConfig = errors.New("httpadapter: invalid config")

	errMethodNotAllowed = &codeError{code: codeMethodNotAllowed, msg: "method not allowed"}
	errNotFound         = fmt.Errorf("%w: no such route", auth.ErrNotFound)
	errNoCredentials    = fmt.Errorf("%w: missing or malformed Authorization header", auth.ErrUnauthorized)
	errNoBasic          = fmt.Errorf("%w: missing or malformed Basic credentials", auth.ErrUnauthorized)
	errPermission       = fmt.Errorf("%w: missing permission", auth.ErrForbidden)
)

// codeError is an error with one of the adapter's own codes.
type codeError struct {
	code string
	msg  string
}

func (e *codeError) Error() string { return "httpadapter: " + e.msg }

// tooLarge is REQUEST_TOO_LARGE for a body over limit bytes.
func tooLarge(limit int64) error {
	msg := fmt.Sprintf("the request body is over this operation's limit of %d bytes", limit)
	return withMessage(&codeError{code: codeRequestTooLarge, msg: msg}, msg)
}

// configError is a Config that New refuses; it wraps ErrInvalidConfig.
type configError struct{ msg string }

func (e *configError) Error() string { return ErrInvalidConfig.Error() + ": " + e.msg }
func (e *configError) Unwrap() error { return ErrInvalidConfig }
