// Package memstore is an in-memory [store.Store]: the reference backend for
// tests and examples, and a complete store for a single-process host that
// can lose its state on restart (or saves it with Dump and Restore).
//
// Use it where a store is needed:
//
//	st := memstore.New()
//	defer st.Close()
//
// A [Store] is safe for concurrent use and starts no goroutine. One mutex
// guards all of it, so every method is atomic with respect to every other,
// which is how it meets the atomicity contracts of [store.RecoveryCodes],
// [store.TOTP], [store.Requests] and the rest. It passes
// [github.com/latchkit/latch/store/storetest] with the race detector on.
//
// # Performance
//
// Users, API tokens, requests and the other records live in maps keyed the
// way they are looked up (user ID, folded username, folded email, token
// digest), so each lookup is one map read whatever the number of records,
// plus a copy of the record. ListUsers orders users by ID and keeps a sorted
// index that it rebuilds lazily after users are added or deleted. Dead
// rate-limit counters (window ended, no ban) are dropped as new counters
// arrive, so their memory follows the live ones.
//
// # Copies
//
// Records are copied on the way in and on the way out, slices included: a
// caller never holds memory the store also holds. Times are stored as
// [store.StorageTime] returns them (UTC, microseconds), like every backend.
//
// # Closing
//
// [Store.Close] drops the contents; every later call returns [ErrClosed].
//
// # Security
//
// The store keeps what it is given: password hashes, token and code
// digests, and secrets sealed by the caller. Nothing is written to disk.
// The password-hash compare-and-swap compares in constant time.
package memstore
