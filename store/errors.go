package store

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound is returned when the record a method names does not exist
	// (or, for single-use records, was already used).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned when a write would break a uniqueness rule or a
	// compare-and-swap precondition does not hold.
	ErrConflict = errors.New("store: conflict")
	// ErrUsernameTaken is returned when another user has the same username,
	// compared case-insensitively. errors.Is(err, ErrConflict) is true.
	ErrUsernameTaken = fmt.Errorf("%w: username taken", ErrConflict)
	// ErrEmailTaken is returned when another user has the same email, compared
	// case-insensitively. errors.Is(err, ErrConflict) is true.
	ErrEmailTaken = fmt.Errorf("%w: email taken", ErrConflict)
	// ErrStale is returned by UpdateUser when the stored record's Version is
	// not the one the caller read: another write came first. The caller
	// reads the record again and reapplies its change.
	// errors.Is(err, ErrConflict) is true.
	ErrStale = fmt.Errorf("%w: record changed since it was read", ErrConflict)
	// ErrUnavailable is returned when the database does not answer in time:
	// a lock held by another process past the store's wait, or a server
	// that cannot be reached. Nothing was written; the call may be retried
	// later.
	ErrUnavailable = errors.New("store: unavailable")
	// ErrLimitReached is returned by CreateAPIToken when the owner already has
	// the maximum number of tokens.
	ErrLimitReached = errors.New("store: limit reached")
	// ErrInvalid is returned for a record a backend refuses to store: a field
	// over its size limit, invalid UTF-8 or a NUL byte in a text field, or a
	// missing required field. Nothing is written.
	ErrInvalid = errors.New("store: invalid record")
)
