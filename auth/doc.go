// Package auth is the Latch authentication service: users, sign-in with a
// second factor, access and API tokens, email verification, password
// reset, and abuse limits, over a [store.Store]. Every route of the REST
// contract (httpadapter/openapi.yaml) is one [Service] method, which enforces that route's
// rules itself, so a host can use the package without HTTP and the
// httpadapter package only decodes, calls and encodes.
//
// # Use
//
//	svc, err := auth.New(ctx, memstore.New(), auth.Config{SealingKey: key}) // 32 random bytes
//	u, err := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
//		Username: "alice", Password: "correct horse battery staple",
//	})
//	res, err := svc.LoginPassword(ctx, auth.Client{IP: ip}, "alice", password)
//	// res.SecondFactorRequired → svc.LoginTOTP(ctx, client, res.ChallengeToken, code)
//	p, err := svc.Authenticate(ctx, auth.Client{IP: ip}, res.Token.AccessToken)
//	if p.Can(auth.PermViewUsers) { ... }
//
// Methods that act for someone take the acting [*Principal] (nil for an
// anonymous caller; [System] for host code) and a [Client] with the client
// IP where the method hashes a password, checks a code or sends one.
//
// # Authorization
//
// The rules are the REST contract's ("permission or self"), plus one: an
// administrator acts with its permission only on users whose permissions it
// holds all of (editing, deleting, setting a password, minting an API
// token, starting an email verification), and grants only permissions it
// holds. So no one gains powers through another account. A user acting on
// itself with an API token may read its own data but not change its
// password, email or second factor, nor mint API tokens: those need a
// signed-in session (an access token). The effective
// permissions of a token are its own narrowed to the user's current ones,
// so removing a permission takes effect at once.
//
// # Sign-in
//
// [Service.LoginPassword] (and [Service.TokenBasic]) look the identifier
// up as a username, then as an email. An unknown identifier is verified
// against a dummy hash made by the configured Hasher at [New], so it costs
// what a wrong password costs, and both are [ErrInvalidCredentials]. A
// disabled account ([ErrAccountDisabled]) and a client IP outside the
// user's allowed_ips ([ErrIPNotAllowed]) are told only after a correct
// password. A correct password whose stored hash is weaker than the
// policy (any legacy format the hash package reads) is re-hashed, with a
// compare-and-swap so a concurrent password change wins. With TOTP active
// the first step returns a challenge token (32 random bytes, stored as a
// SHA-256 digest, valid for Config.ChallengeTTL, single use), completed by
// [Service.LoginTOTP] or [Service.LoginRecoveryCode].
//
// A new password (creation, change, reset; never a pre-hashed import,
// never a sign-in) must meet the length rules and [PasswordPolicy]: not a
// commonly used password (an embedded list, no network call), not the
// username, the email address or the service name, not a repeated or
// sequential string. A refused one is [ErrInvalidPassword], saying why.
//
// # Access tokens
//
// Access tokens are JWTs from a [token.Keyring] (HS256 by default, EdDSA
// with JWKS optional) with sub, jti, aud, iat, exp, the user's permissions
// and two more claims: "auth_time" (OpenID Connect's: when a credential was
// last proved, in Unix seconds) and a private "gen", the user's credential
// generation read together with the password hash that was verified.
// Validity is Config.AccessTokenTTL or per role. [Service.Authenticate]
// checks the signature and claims, the revocation of the jti
// ([Service.Logout]), that the user exists and is enabled, that "gen" is
// still the user's generation, and allowed_ips. Over a store without a
// change feed it reads the store on every call; with one, it reads the
// cache described below, and a logout, password change or deletion on any
// instance takes effect everywhere within milliseconds.
//
// # Caching
//
// Over a store that implements [store.ChangeFeed] (memstore and sqlstore
// do), each Service keeps a bounded in-process cache (Config.Cache,
// default 100,000 entries; negative disables it) of the records that
// authenticating a credential reads: an API token by its digest with its
// owner, and a verified access token by the SHA-256 of the token with its
// session (or revocation state) and user, until its exp. A hit skips the
// store, the signature check and the claims parsing; every rule (expiry,
// session liveness, disabled, allowed_ips, IP binding, generation, the
// narrowing of permissions) still runs on the cached records for each
// request. Entries are inserted only after a successful check against the
// store, so unknown or invalid credentials never fill the cache; a full
// shard evicts an entry at random.
//
// A goroutine follows the store's change feed (stop it with
// [Service.Close]): each change drops what it may affect (a user's
// entries, a token, a session, a jti; every access token when the signing
// keys change, after reloading them), and a fill that raced with any
// change is discarded. The cache is trusted only while the feed proves
// itself alive: its syncs (every store.ChangeSyncInterval) renew a 500 ms
// lease, and a feed that is lost or stalls (a killed listener, an
// unreachable database) empties the cache and makes authentication read
// the store until a new subscription has synced. Changes made by this
// Service invalidate its own cache before the call returns; other
// instances honour them when the feed delivers them (milliseconds on
// every backend, at most the lease when the database becomes unreachable).
//
// # Credential generations and concurrent changes
//
// Every user has a credential generation (store.User.Generation). A
// password change or reset, disabling, removing permissions or allowed IPs,
// and a restore move it on in the same atomic write as the change itself;
// access tokens, second-factor challenges and password-reset requests carry
// the generation they were issued under and are refused once it moved on,
// even if the change is undone later. Since a sign-in reads the generation
// in the same row read as the hash it verifies, no interleaving of a
// sign-in with such a change can yield a credential that outlives the
// change, and no clock plays a part. A reset request also dies when the
// account's email changes to another address or the account is disabled;
// a disabled account is treated as unknown by [Service.StartPasswordReset].
//
// Changes to a user are never lost: every update reads the user, applies
// the change (and its permission checks) to that record and writes it with
// the store's compare-and-swap on the record's version, reading again when
// another write came first. The store also guarantees that one identifier
// (a username, or an email, compared folded) never reaches two users, so
// the name-clash checks before a write only produce the nicer error.
//
// # Store budget
//
// A store call without a deadline of its own is bounded by
// Config.StoreTimeout (5 s); the HTTP adapter gives each request one
// budget for all its store calls. A store that does not answer in time
// (an SQLite file locked by another process, an unreachable PostgreSQL)
// makes the call fail with [ErrUnavailable], which the adapter answers with
// 503 and Retry-After.
//
// The signing keys live in the store, sealed (XChaCha20-Poly1305) with a
// key derived from Config.SealingKey, so every instance sharing the store
// verifies every other's tokens. Each instance re-reads them every
// Config.KeyReloadInterval (5 s), and at once when a token names an unknown
// kid (at most once per second, so tokens with made-up kids cannot hammer
// the store). [Service.RotateSigningKey] adds a key (older ones verify
// until their tokens expire, then are pruned); [Service.ResetSigningKeys]
// replaces them all, so every token issued by any instance fails: at once
// here, elsewhere as soon as the change feed announces it (within
// KeyReloadInterval over a store without one).
//
// # API tokens
//
// [Service.CreateAPIToken] returns the secret once ("lt_" + 256 random
// bits + a checksum); the store keeps its SHA-256 digest. Authentication
// checks the checksum without I/O, then reads the token by digest (one
// indexed read) and its owner; last_used_at is written at most once a
// minute. Permissions can only narrow the owner's, and are narrowed to the
// owner's current ones at every use. Config.MaxAPITokensPerUser caps them.
//
// # Second factor, email verification, password reset
//
// TOTP secrets are sealed before they reach the store. A TOTP code is
// accepted only if its time step advances the stored one atomically, so a
// code is never accepted twice on any instance. Recovery codes (10 of about
// 59 bits, stored as HMAC digests keyed from the sealing key; plain
// SHA-256 digests stored by earlier versions keep working until used or
// regenerated) are consumed atomically. Email-verification
// and password-reset codes are 8 random digits, stored as an HMAC keyed
// from the sealing key, valid for Config.CodeTTL (15 min); the fifth wrong
// code deletes the request (checks are counted before the comparison, so
// parallel guesses compare no more than five codes), and each is single
// use. Codes go to the host's
// [Notifier]; callers with edit_users get them in the result instead. A
// reset for an unknown email returns a request of the same shape that
// never completes.
//
// # Limits
//
// All limits are on by default and kept in the store's counters, so they
// hold across every instance sharing the store. Defaults (see [Limits]):
//
//   - per client IP (IPv6 per /64): 60 operations a minute that hash a
//     password, check a code or send one;
//   - per account: 10 failed passwords per 15 minutes (an unknown identifier
//     is counted alike, so the limit reveals nothing); a success resets it;
//   - per account: 5 wrong TOTP or recovery codes per 15 minutes, whatever
//     the challenge, client IP or code; a correct code resets it;
//   - per address and per user: 5 verification or reset codes sent to one
//     address, and 5 verification codes started by one user, per 15 minutes;
//   - defender (after SFTPGo's): every failure scores 2 and every refusal
//     by a limit 3 for the client IP, over 30 minutes; a score of 15 bans
//     the IP for 30 minutes, so about eight wrong passwords in a row get
//     TOO_MANY_REQUESTS. [Service.DefenderHosts] lists, [Service.UnbanHost]
//     forgives;
//   - hashing pool: hashes run while the memory of those running (19 MiB
//     each with the default argon2id policy; see hash.Hasher.MemoryCost)
//     fits a budget of 64 MiB (a quarter of GOMEMLIMIT if less), at most
//     GOMAXPROCS at once; a hash over the budget runs alone. 64 callers
//     wait, served in arrival order, and the rest are refused at once, so
//     a flood of sign-ins holds a bounded hash memory whatever the number
//     of processors.
//
// Attempts are counted before they are checked, so a burst of parallel
// attempts can never exceed a limit. A refusal is a [*RateLimitError] with
// the time to wait; errors.Is(err, [ErrTooManyRequests]) holds.
//
// # Errors
//
// Every error a method returns wraps one of the sentinels in errors.go,
// whose [Error.Code] is the REST contract's error code; [CodeOf] returns it. Unexpected
// failures (the store) wrap [ErrInternal] and the cause, for the host's
// logs. No error message contains a password, code, token or secret.
//
// # Audit
//
// Config.Logger receives events named "auth.*" (sign-in and its failures,
// second factor, tokens created and revoked, password and 2FA changes,
// bans, administration), with user IDs and client IPs, never a secret.
// Events are logged with the caller's context, so a handler that reads
// the context (httpadapter.LogHandler) can add a request ID to each.
//
// # Operations
//
// Config.Observer receives counts and timings for metrics ([Observer]:
// sign-ins, authentications, limit refusals, bans, the hashing pool and
// every store call), with label values from fixed sets only; the metrics
// package adapts it to Prometheus. [Service.Ready] is a readiness check
// (one store read under [ReadyTimeout], else [ErrUnavailable]).
// [Service.AuthenticateCertificate] signs in the user a verified TLS
// client certificate names, for hosts that verify client certificates.
//
// # Caveats
//
//   - The store updates a user by rewriting the whole record; the service
//     re-reads the user just before each write (after any slow hashing), but
//     two administrators editing one user at the same instant can still
//     lose one of the edits.
//   - [Service.Restore] brings back the users as dumped, password hashes
//     and "tokens valid after" times included: an access token issued
//     before a password change made after the dump works again (as does the
//     old password). Revocations (logouts) are kept. Reset the signing keys
//     after a restore to end every session.
//   - [Service.StartPasswordReset] calls the Notifier only for a known
//     address; a Notifier should queue the message rather than send it
//     inline, or its latency tells known addresses from unknown ones.
//   - A user whose stored hash is in a legacy format (or has other costs than
//     the policy) takes that format's time to check until the first sign-in
//     re-hashes it, so the dummy-hash timing protection covers users with
//     current hashes.
//   - Instances must have roughly synchronised clocks: token expiry and
//     request expiry are compared across them (credential generations are
//     not times, so ending credentials does not depend on clocks).
package auth
