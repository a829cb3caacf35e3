// Package storetest is the conformance suite for [store.Store] backends: the
// single definition of the contracts written on the store interfaces.
//
// A backend's test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			return memstore.New()
//		})
//	}
//
// [Run] builds a fresh, empty store for every subtest, so subtests run in
// parallel. [RunShared] repeats the concurrency and atomicity cases with two
// handles on one database, standing for two instances of a service sharing
// it (two *sql.DB on one SQLite file or one PostgreSQL database); a backend
// that cannot be shared passes the same store twice.
//
// [Check] and [CheckShared] run the same cases without the testing
// package, one after another, and return an error naming every failed
// case, as fstest.TestFS and slogtest.TestHandler do: for a host that
// checks its own backend from a program or another test framework.
//
// # Store lifetime
//
// newStore and newPair may be called concurrently (from parallel subtests).
// The suite closes every store it is given when the subtest ends, through
// t.Cleanup, and reports an error from Close; newStore should register with
// t.Cleanup whatever else must go (a temporary database), which then runs
// after the store is closed. A backend whose handles are closed twice (the
// same store passed twice to RunShared) must return nil from the second
// Close.
//
// # What is checked
//
// Not-found and conflict errors for every aggregate, case-insensitive
// uniqueness of usernames and emails (with non-ASCII folding) in one
// namespace of identifiers (a username never equals another user's email),
// overwrite and "conflict changes nothing" rules, compare-and-swap of
// password hashes and of user records (User.Version: which writes advance
// it, a stale update refused), generations stored as given on users and
// requests, cascading deletes, paginated listing stable under inserts and
// deletes, the API-token cap, single-use recovery codes, requests and TOTP steps,
// counters and bans, signing keys, revocations, sessions (the per-user
// cap that ends the oldest, refresh-token rotation with its grace period
// and reuse detection, idle and absolute expiry to the instant), passkeys
// (credential IDs and user handles unique across users and compared as
// bytes, the signature-counter compare-and-swap, a handle set once), dump
// and
// restore (which never rolls generations, versions, TOTP steps or passkey
// signature counts back, and ends every session), time
// normalisation, aliasing of records passed in and out, refusal of
// oversized, invalid UTF-8 and NUL-carrying input without truncation,
// of nil records, windows that are not positive and maxima below 1,
// cancelled contexts and closed stores. The concurrency cases race 50
// goroutines on one record and require exactly one winner (or exactly the
// counts a serial execution would give); the user-record races run 100
// trials of two writers each (an administrator's change against the
// user's own updates, an identifier taken as a username and as an email)
// and require that no write is lost and no identifier reaches two users.
// The refresh-token races run 100 trials of 50 goroutines presenting one
// live token at once and require exactly one rotation, exactly one live
// token afterwards (or none, once a reuse ended the session) and every
// other answer the grace rules give; concurrent capped session creations
// never leave more sessions than the cap; of 50 concurrent recordings of a
// passkey use against one signature count exactly one succeeds, in each of
// 10 rounds.
//
// The suite's own tests run chosen subtests against deliberately broken
// wrappers of the in-memory backend (a case-sensitive username lookup, an
// offset-based cursor, a read-modify-write recovery-code consume, a
// LIKE-pattern prefix match, a version compared apart from the write,
// usernames and emails in separate namespaces, a restore that forgets
// what the store held, a rotation checked apart from its write, a grace
// period without end, a session cap that ends the newest, …) and require
// each break to be caught, and
// the same subtests to pass on the unbroken backend.
//
// # Choices where the contracts leave room
//
// Where a contract allows more than one behaviour the suite accepts each:
// a lookup by a malformed key may return ErrNotFound or ErrInvalid;
// repeated recovery-code digests may be refused (ErrInvalid or ErrConflict)
// or stored once, but a code is never usable twice. Where only one reading
// keeps every call's promise the suite requires it: revoking a jti again
// keeps the later expiry; ListCounters reports each counter as Counter
// does; a revocation's jti is an ID ([store.ValidateID]).
package storetest
