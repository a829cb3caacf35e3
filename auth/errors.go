package auth

import (
	"errors"
	"time"
)

// Error is a sentinel error of the service. Its Code is the exact error code
// of the REST contract (API.md), so an adapter maps errors to responses with
// one table. Methods wrap sentinels with detail (match them with errors.Is);
// the detail never contains a secret.
type Error struct {
	code string
	msg  string
}

// Error returns the message, prefixed with "auth: ".
func (e *Error) Error() string { return "auth: " + e.msg }

// Code returns the API.md error code, for example "INVALID_CREDENTIALS".
func (e *Error) Code() string { return e.code }

var (
	// ErrInvalidRequest is a malformed or out-of-range argument (INVALID_REQUEST).
	ErrInvalidRequest = &Error{"INVALID_REQUEST", "invalid request"}
	// ErrInvalidUsername is a username outside the username rules (INVALID_USERNAME).
	ErrInvalidUsername = &Error{"INVALID_USERNAME", "invalid username"}
	// ErrInvalidEmail is a malformed email address (INVALID_EMAIL).
	ErrInvalidEmail = &Error{"INVALID_EMAIL", "invalid email"}
	// ErrInvalidPassword is a password outside the length policy (INVALID_PASSWORD).
	ErrInvalidPassword = &Error{"INVALID_PASSWORD", "invalid password"}
	// ErrInvalidPasswordHash is a pre-hashed password in an unknown or
	// malformed format, or over the hash safety limits (INVALID_PASSWORD_HASH).
	ErrInvalidPasswordHash = &Error{"INVALID_PASSWORD_HASH", "invalid password hash"}
	// ErrUsernameAlreadyUsed means another user has this username (USERNAME_ALREADY_USED).
	ErrUsernameAlreadyUsed = &Error{"USERNAME_ALREADY_USED", "username already used"}
	// ErrEmailAlreadyUsed means another user has this email (EMAIL_ALREADY_USED).
	ErrEmailAlreadyUsed = &Error{"EMAIL_ALREADY_USED", "email already used"}
	// ErrInvalidCredentials is an unknown user or a wrong password, never
	// telling which (INVALID_CREDENTIALS).
	ErrInvalidCredentials = &Error{"INVALID_CREDENTIALS", "invalid credentials"}
	// ErrUnauthorized is a missing, malformed, expired, revoked or wrongly
	// signed credential, or an anonymous caller where one is needed (UNAUTHORIZED).
	ErrUnauthorized = &Error{"UNAUTHORIZED", "unauthorized"}
	// ErrForbidden is a valid caller without the needed permission (FORBIDDEN).
	ErrForbidden = &Error{"FORBIDDEN", "forbidden"}
	// ErrIPNotAllowed is a client IP outside the user's allowed_ips (IP_NOT_ALLOWED).
	ErrIPNotAllowed = &Error{"IP_NOT_ALLOWED", "ip not allowed"}
	// ErrAccountDisabled is a disabled user (ACCOUNT_DISABLED).
	ErrAccountDisabled = &Error{"ACCOUNT_DISABLED", "account disabled"}
	// ErrNotFound is a missing (or expired, or used) resource (NOT_FOUND).
	ErrNotFound = &Error{"NOT_FOUND", "not found"}
	// ErrIncorrectCode is a wrong TOTP, recovery, email or reset code (INCORRECT_CODE).
	ErrIncorrectCode = &Error{"INCORRECT_CODE", "incorrect code"}
	// ErrTOTPAlreadyRegistered means the user already has an active TOTP
	// credential (TOTP_ALREADY_REGISTERED).
	ErrTOTPAlreadyRegistered = &Error{"TOTP_ALREADY_REGISTERED", "totp already registered"}
	// ErrTOTPNotRegistered means the user has no active (or, for activation,
	// no pending) TOTP credential (TOTP_NOT_REGISTERED).
	ErrTOTPNotRegistered = &Error{"TOTP_NOT_REGISTERED", "totp not registered"}
	// ErrEmailNotVerified means a password reset's email code was not
	// verified yet (EMAIL_NOT_VERIFIED).
	ErrEmailNotVerified = &Error{"EMAIL_NOT_VERIFIED", "email not verified"}
	// ErrSecondFactorNotVerified means a password reset for a user with TOTP
	// has not verified the second factor (SECOND_FACTOR_NOT_VERIFIED).
	ErrSecondFactorNotVerified = &Error{"SECOND_FACTOR_NOT_VERIFIED", "second factor not verified"}
	// ErrAPITokenLimitReached means the owner has Config.MaxAPITokensPerUser
	// tokens already (API_TOKEN_LIMIT_REACHED).
	ErrAPITokenLimitReached = &Error{"API_TOKEN_LIMIT_REACHED", "api token limit reached"}
	// ErrTooManyRequests is a rate limit, a defender ban or a full hashing
	// queue (TOO_MANY_REQUESTS). It always arrives as a *RateLimitError that
	// carries the retry time.
	ErrTooManyRequests = &Error{"TOO_MANY_REQUESTS", "too many requests"}
	// ErrInternal is an unexpected failure (INTERNAL_ERROR), typically of
	// the store; the cause is wrapped too, for the host's logs only.
	ErrInternal = &Error{"INTERNAL_ERROR", "internal error"}
	// ErrUnavailable means the store did not answer in time (UNAVAILABLE);
	// the cause is wrapped too, for the host's logs only.
	ErrUnavailable = &Error{"UNAVAILABLE", "unavailable"}
)

// Codes returns every sentinel error, in API.md order.
func Codes() []*Error {
	return []*Error{
		ErrInvalidRequest, ErrInvalidUsername, ErrInvalidEmail, ErrInvalidPassword,
		ErrInvalidPasswordHash, ErrUsernameAlreadyUsed, ErrEmailAlreadyUsed,
		ErrInvalidCredentials, ErrUnauthorized, ErrForbidden, ErrIPNotAllowed,
		ErrAccountDisabled, ErrNotFound, ErrIncorrectCode, ErrTOTPAlreadyRegistered,
		ErrTOTPNotRegistered, ErrEmailNotVerified, ErrSecondFactorNotVerified,
		ErrAPITokenLimitReached, ErrTooManyRequests, ErrInternal, ErrUnavailable,
	}
}

// CodeOf returns the API.md code of err: the code of the first *Error (or
// *RateLimitError) in its chain, or "INTERNAL_ERROR" for anything else. It
// returns "" for a nil error.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.code
	}
	return ErrInternal.code
}

// RateLimitError is returned when a rate limit, a defender ban or the
// hashing queue refuses a request. errors.Is(err, ErrTooManyRequests) is true.
type RateLimitError struct {
	// RetryAfter is how long the caller should wait before trying again
	// (at least one second).
	RetryAfter time.Duration
}

// Error returns a message with the retry time.
func (e *RateLimitError) Error() string {
	return "auth: too many requests, retry after " + e.RetryAfter.String()
}

// Unwrap returns ErrTooManyRequests.
func (e *RateLimitError) Unwrap() error { return ErrTooManyRequests }

func retryAfter(d time.Duration) *RateLimitError {
	// Round up to whole seconds (the Retry-After header's unit), at least one.
	d = (d + time.Second - 1) / time.Second * time.Second
	if d < time.Second {
		d = time.Second
	}
	return &RateLimitError{RetryAfter: d}
}
