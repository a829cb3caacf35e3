// Package store defines the records Latch keeps and the small interfaces,
// one per aggregate, that a storage backend implements.
//
// A backend implements [Store]: [Users], [APITokens], [TOTP],
// [RecoveryCodes], [Requests], [SigningKeys], [Revocations], [Counters],
// [Sessions], [Passkeys] and [Backup]. The package holds no logic beyond the contracts written on those
// methods; the business rules live in package auth.
//
// Backends: [github.com/latchkit/latch/store/memstore] (in memory, for tests
// and single-process hosts) and [github.com/latchkit/latch/store/sqlstore]
// (SQLite, the embedded default, and PostgreSQL, for many instances sharing
// one database). [github.com/latchkit/latch/store/storetest] is the
// conformance suite: the single definition of the semantics below, which
// every backend passes.
//
// # Atomicity
//
// Every rule that must hold under concurrency is one method with that
// meaning, done atomically by the backend even when several processes share
// the database: [RecoveryCodes.ConsumeRecoveryCode],
// [TOTP.AdvanceTOTPStep], [Requests.FailRequestAttempt],
// [Requests.DeleteRequest] (single use), [APITokens.CreateAPIToken] (cap per
// owner), [Counters.Hit], [Users.SwapPasswordHash],
// [Sessions.CreateSession] (cap per user, oldest ended first) and
// [Sessions.RotateRefreshToken] (one rotation per refresh token, reuse
// ends the session), [Passkeys.CreatePasskey] (cap per user),
// [Passkeys.RecordPasskeyUse] (compare-and-swap on the signature counter)
// and [Passkeys.SetPasskeyHandle] (set once).
//
// # Errors
//
// Missing records are [ErrNotFound]; uniqueness violations are [ErrConflict]
// ([ErrUsernameTaken] and [ErrEmailTaken] say which); records over the size
// limits, with invalid UTF-8 or NUL bytes are [ErrInvalid] and are never
// stored truncated. Match them with errors.Is.
//
// # Secrets
//
// The store never sees a secret in the clear: passwords arrive hashed, API
// tokens, refresh tokens, recovery codes and request codes as digests, TOTP secrets and
// signing keys sealed by the caller.
//
// # Change feed
//
// A store may implement [ChangeFeed]: every change that may affect
// authentication (a user updated or deleted, an API token deleted, a
// session refreshed or ended, a token revoked, the signing keys changed,
// a restore) is delivered in commit order to every subscriber, in every
// process sharing the database, with a [ChangeSync] at least every
// [ChangeSyncInterval] so that a silent stall is noticed. The auth
// service caches authentication over such a store and falls back to
// reading it whenever the feed is lost. memstore publishes in process;
// sqlstore uses NOTIFY/LISTEN on PostgreSQL and a trigger-filled table
// polled through PRAGMA data_version on SQLite (schema version 6).
package store
