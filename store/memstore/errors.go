package memstore

import "errors"

var (
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("memstore: store is closed")
)
