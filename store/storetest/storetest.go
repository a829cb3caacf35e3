package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// Run checks every store contract against fresh, empty stores made by
// newStore (one per subtest). Subtests run in parallel; the concurrency
// cases of [RunShared] run under "Concurrent" with one handle.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	runAll(testingT{t}, func(t tb) store.Store { return newStore(t.(testingT).T) })
}

// runAll is Run for any tb.
func runAll(t tb, newStore func(t tb) store.Store) {
	t.Helper()
	x := suite{newStore: newStore}
	groups := []struct {
		name string
		run  func(t tb)
	}{
		{"Users", func(t tb) {
			x.users(t)
			x.userVersions(t)
			x.identifiers(t)
			x.createUsers(t)
		}},
		{"ListUsers", x.listUsers},
		{"APITokens", x.apiTokens},
		{"TOTP", x.totp},
		{"RecoveryCodes", x.recoveryCodes},
		{"Requests", func(t tb) { x.requests(t); x.requestGenerations(t) }},
		{"SigningKeys", x.signingKeys},
		{"Revocations", x.revocations},
		{"Counters", x.counters},
		{"Sessions", x.sessions},
		{"Passkeys", x.passkeys},
		{"Backup", func(t tb) { x.backup(t); x.restoreNeverRollsBack(t) }},
		{"Times", x.times},
		{"Aliasing", x.aliasing},
		{"BadInput", x.badInput},
		{"Context", x.context},
		{"Closed", x.closed},
	}
	for _, g := range groups {
		t.Run(g.name, func(t tb) {
			t.Parallel()
			g.run(t)
		})
	}
	t.Run("Concurrent", func(t tb) {
		t.Parallel()
		concurrent(t, func(t tb) (store.Store, store.Store) {
			s := x.open(t)
			return s, s
		})
	})
}

// RunShared runs the concurrency/atomicity cases with two handles on the
// same database (two *sql.DB standing for two service instances); newPair
// returns both handles on one fresh, empty database. In every case half of
// the racing goroutines use each handle.
func RunShared(t *testing.T, newPair func(t *testing.T) (store.Store, store.Store)) {
	t.Helper()
	runShared(testingT{t}, func(t tb) (store.Store, store.Store) { return newPair(t.(testingT).T) })
}

// runShared is RunShared for any tb.
func runShared(t tb, newPair func(t tb) (store.Store, store.Store)) {
	t.Helper()
	concurrent(t, func(t tb) (store.Store, store.Store) {
		a, b := newPair(t)
		require.NotNil(t, a, "newPair returned a nil store")
		require.NotNil(t, b, "newPair returned a nil store")
		t.Cleanup(func() {
			assert.NoError(t, a.Close(), "Close of the first handle")
			assert.NoError(t, b.Close(), "Close of the second handle")
		})
		return a, b
	})
}

type suite struct {
	newStore func(t tb) store.Store
}

// open returns a fresh store that is closed when t ends.
func (x suite) open(t tb) store.Store {
	t.Helper()
	s := x.newStore(t)
	require.NotNil(t, s, "newStore returned a nil store")
	t.Cleanup(func() { assert.NoError(t, s.Close(), "Close") })
	return s
}

// run runs f in a parallel subtest with its own fresh store.
func (x suite) run(t tb, name string, f func(t tb, s store.Store)) {
	t.Helper()
	t.Run(name, func(t tb) {
		t.Parallel()
		f(t, x.open(t))
	})
}

// row is one named case of a table run by runRows.
type row struct {
	name string
	f    func(t tb, s store.Store)
}

// runRows runs the rows in a parallel subtest name, each in a subtest of
// its own, one after another on one store that a Restore of an empty dump
// empties before each row: a fresh store per row would cost the SQL
// backends more than the rows themselves. Revocations survive a restore;
// rows that revoke use jtis of their own.
func (x suite) runRows(t tb, name string, rows []row) {
	t.Helper()
	x.run(t, name, func(t tb, s store.Store) {
		for _, r := range rows {
			t.Run(r.name, func(t tb) {
				require.NoError(t, s.Restore(t.Context(), &store.Dump{}), "emptying the store")
				r.f(t, s)
			})
		}
	})
}

// t0 is the suite's fixed clock: UTC, a whole number of microseconds.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// Fixtures. Every call returns a new record, so tests may modify them.

func user(id string) *store.User {
	return &store.User{
		ID:            id,
		Username:      "User-" + id,
		Email:         "User-" + id + "@Example.com",
		EmailVerified: true,
		Role:          "member",
		Permissions:   []string{"read", "write"},
		AllowedIPs:    []string{"10.0.0.0/8", "192.0.2.1"},
		PasswordHash:  "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo-" + id,
		Generation:    3,
		Version:       1, // what CreateUser sets
		CreatedAt:     t0,
		UpdatedAt:     at(time.Second),
	}
}

func token(id, userID string) *store.APIToken {
	return &store.APIToken{
		ID:          id,
		UserID:      userID,
		Name:        "token " + id,
		Prefix:      "lt_" + id[:min(4, len(id))],
		Digest:      "digest-" + id,
		Permissions: []string{"read"},
		CreatedAt:   t0,
		ExpiresAt:   at(24 * time.Hour),
	}
}

func cred(userID string) *store.TOTPCredential {
	return &store.TOTPCredential{
		UserID:    userID,
		Secret:    []byte("sealed-secret-" + userID),
		Algorithm: "SHA1",
		Digits:    6,
		Period:    30,
		CreatedAt: t0,
	}
}

func request(id, userID string) *store.Request {
	return &store.Request{
		ID:         id,
		Kind:       store.KindPasswordReset,
		UserID:     userID,
		Email:      "someone@example.com",
		CodeDigest: "code-digest-" + id,
		CreatedAt:  t0,
		ExpiresAt:  at(time.Hour),
	}
}

// session returns a session of userID created at t0, live until an hour
// after its last use and at most a day.
func session(id, userID string) *store.Session {
	return &store.Session{
		ID:          id,
		UserID:      userID,
		CreatedAt:   t0,
		LastUsedAt:  t0,
		IdleTimeout: time.Hour,
		ExpiresAt:   at(24 * time.Hour),
		AuthTime:    at(-time.Minute),
		ClientIP:    "192.0.2.7",
		Generation:  3,
		RefreshSeq:  1,
	}
}

// refresh returns the digest the tests give the refresh token of session
// id with sequence number seq.
func refresh(id string, seq int64) string { return fmt.Sprintf("refresh-%s-%d", id, seq) }

// passkey returns a passkey of userID created at t0, with signature
// count 5 and credential ID "cred-"+id.
func passkey(id, userID string) *store.PasskeyCredential {
	return &store.PasskeyCredential{
		ID:                id,
		UserID:            userID,
		CredentialID:      []byte("cred-" + id),
		PublicKey:         []byte("cose-key-" + id),
		SignCount:         5,
		AAGUID:            []byte("0123456789abcdef"),
		Transports:        []string{"internal", "hybrid"},
		BackupEligible:    true,
		BackupState:       true,
		AttestationFormat: "none",
		Name:              "Passkey " + id,
		CreatedAt:         t0,
	}
}

func key(id string, created time.Time) *store.SigningKey {
	return &store.SigningKey{ID: id, Sealed: []byte("sealed-key-" + id), CreatedAt: created}
}

// Helpers that create a record and fail the test on error.

func mustUser(t tb, s store.Store, id string) *store.User {
	t.Helper()
	u := user(id)
	require.NoError(t, s.CreateUser(t.Context(), u), "CreateUser %q", id)
	return u
}

func mustToken(t tb, s store.Store, id, userID string) *store.APIToken {
	t.Helper()
	tok := token(id, userID)
	require.NoError(t, s.CreateAPIToken(t.Context(), tok, 0), "CreateAPIToken %q", id)
	return tok
}

// mustActive gives userID an active TOTP credential with LastStep 100 and
// the recovery codes digests.
func mustActive(t tb, s store.Store, userID string, digests ...string) *store.TOTPCredential {
	t.Helper()
	c := cred(userID)
	require.NoError(t, s.PutPendingTOTP(t.Context(), c))
	require.NoError(t, s.ActivateTOTP(t.Context(), userID, c.Secret, 100, digests, at(time.Minute)))
	c.LastStep, c.CreatedAt = 100, at(time.Minute)
	return c
}

// mustSession creates session(id, userID) with the refresh token
// refresh(id, 1), without a cap.
func mustSession(t tb, s store.Store, id, userID string) *store.Session {
	t.Helper()
	sess := session(id, userID)
	require.NoError(t, s.CreateSession(t.Context(), sess, refresh(id, 1), 0), "CreateSession %q", id)
	return sess
}

func mustPasskey(t tb, s store.Store, id, userID string) *store.PasskeyCredential {
	t.Helper()
	c := passkey(id, userID)
	require.NoError(t, s.CreatePasskey(t.Context(), c, 0), "CreatePasskey %q", id)
	return c
}

func mustRequest(t tb, s store.Store, id, userID string) *store.Request {
	t.Helper()
	r := request(id, userID)
	require.NoError(t, s.CreateRequest(t.Context(), r), "CreateRequest %q", id)
	return r
}

// Comparison. want is normalised as the contract says a backend returns it
// (times in UTC to the microsecond); got is taken as returned, except that
// nil and empty slices are the same. A time in another location, or with
// nanoseconds, fails the comparison.

func empty2nil[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func normUser(u store.User, want bool) store.User {
	u.Permissions, u.AllowedIPs = empty2nil(u.Permissions), empty2nil(u.AllowedIPs)
	if want {
		u.CreatedAt = store.StorageTime(u.CreatedAt)
		u.UpdatedAt, u.LastLoginAt = store.StorageTime(u.UpdatedAt), store.StorageTime(u.LastLoginAt)
	}
	return u
}

func normToken(k store.APIToken, want bool) store.APIToken {
	k.Permissions = empty2nil(k.Permissions)
	if want {
		k.CreatedAt, k.ExpiresAt, k.LastUsedAt = store.StorageTime(k.CreatedAt), store.StorageTime(k.ExpiresAt), store.StorageTime(k.LastUsedAt)
	}
	return k
}

func normTOTP(c store.TOTPCredential, want bool) store.TOTPCredential {
	c.Secret = empty2nil(c.Secret)
	if want {
		c.CreatedAt = store.StorageTime(c.CreatedAt)
	}
	return c
}

func normRequest(r store.Request, want bool) store.Request {
	if want {
		r.CreatedAt, r.ExpiresAt = store.StorageTime(r.CreatedAt), store.StorageTime(r.ExpiresAt)
	}
	return r
}

func normKey(k store.SigningKey, want bool) store.SigningKey {
	k.Sealed = empty2nil(k.Sealed)
	if want {
		k.CreatedAt = store.StorageTime(k.CreatedAt)
	}
	return k
}

func normSession(s store.Session, want bool) store.Session {
	if want {
		s.CreatedAt, s.LastUsedAt = store.StorageTime(s.CreatedAt), store.StorageTime(s.LastUsedAt)
		s.ExpiresAt, s.AuthTime = store.StorageTime(s.ExpiresAt), store.StorageTime(s.AuthTime)
		s.IdleTimeout = s.IdleTimeout.Truncate(time.Microsecond)
	}
	return s
}

func normRefresh(r store.RefreshToken, want bool) store.RefreshToken {
	if want {
		r.CreatedAt, r.SpentAt = store.StorageTime(r.CreatedAt), store.StorageTime(r.SpentAt)
	}
	return r
}

func normPasskey(c store.PasskeyCredential, want bool) store.PasskeyCredential {
	c.CredentialID, c.PublicKey, c.AAGUID = empty2nil(c.CredentialID), empty2nil(c.PublicKey), empty2nil(c.AAGUID)
	c.Transports = empty2nil(c.Transports)
	if want {
		c.CreatedAt, c.LastUsedAt = store.StorageTime(c.CreatedAt), store.StorageTime(c.LastUsedAt)
	}
	return c
}

func normDump(d *store.Dump, want bool) store.Dump {
	out := store.Dump{}
	for _, u := range d.Users {
		out.Users = append(out.Users, normUser(u, want))
	}
	for _, k := range d.APITokens {
		out.APITokens = append(out.APITokens, normToken(k, want))
	}
	for _, c := range d.TOTP {
		out.TOTP = append(out.TOTP, normTOTP(c, want))
	}
	for _, c := range d.PendingTOTP {
		out.PendingTOTP = append(out.PendingTOTP, normTOTP(c, want))
	}
	out.RecoveryCodes = slices.Clone(empty2nil(d.RecoveryCodes))
	for _, k := range d.SigningKeys {
		out.SigningKeys = append(out.SigningKeys, normKey(k, want))
	}
	for _, s := range d.Sessions {
		out.Sessions = append(out.Sessions, normSession(s, want))
	}
	for _, r := range d.RefreshTokens {
		out.RefreshTokens = append(out.RefreshTokens, normRefresh(r, want))
	}
	for _, c := range d.Passkeys {
		out.Passkeys = append(out.Passkeys, normPasskey(c, want))
	}
	for _, h := range d.PasskeyHandles {
		out.PasskeyHandles = append(out.PasskeyHandles, store.PasskeyHandle{UserID: h.UserID, Handle: empty2nil(h.Handle)})
	}
	return out
}

func equalUser(t tb, want *store.User, got *store.User, msgAndArgs ...any) {
	t.Helper()
	require.NotNil(t, got, msgAndArgs...)
	require.Equal(t, normUser(*want, true), normUser(*got, false), msgAndArgs...)
}

func equalToken(t tb, want *store.APIToken, got *store.APIToken, msgAndArgs ...any) {
	t.Helper()
	require.NotNil(t, got, msgAndArgs...)
	require.Equal(t, normToken(*want, true), normToken(*got, false), msgAndArgs...)
}

func equalTOTP(t tb, want *store.TOTPCredential, got *store.TOTPCredential, msgAndArgs ...any) {
	t.Helper()
	require.NotNil(t, got, msgAndArgs...)
	require.Equal(t, normTOTP(*want, true), normTOTP(*got, false), msgAndArgs...)
}

func equalRequest(t tb, want *store.Request, got *store.Request, msgAndArgs ...any) {
	t.Helper()
	require.NotNil(t, got, msgAndArgs...)
	require.Equal(t, normRequest(*want, true), normRequest(*got, false), msgAndArgs...)
}

func equalSession(t tb, want *store.Session, got *store.Session, msgAndArgs ...any) {
	t.Helper()
	require.NotNil(t, got, msgAndArgs...)
	require.Equal(t, normSession(*want, true), normSession(*got, false), msgAndArgs...)
}

func equalPasskey(t tb, want *store.PasskeyCredential, got *store.PasskeyCredential, msgAndArgs ...any) {
	t.Helper()
	require.NotNil(t, got, msgAndArgs...)
	require.Equal(t, normPasskey(*want, true), normPasskey(*got, false), msgAndArgs...)
}

func equalKeys(t tb, want []*store.SigningKey, got []store.SigningKey, msgAndArgs ...any) {
	t.Helper()
	w := make([]store.SigningKey, 0, len(want))
	for _, k := range want {
		w = append(w, normKey(*k, true))
	}
	g := make([]store.SigningKey, 0, len(got))
	for _, k := range got {
		g = append(g, normKey(k, false))
	}
	require.Equal(t, w, g, msgAndArgs...)
}

// restored returns d as a Restore into a store without any of d's users
// writes it: every user's generation and version one more, and no
// sessions or refresh tokens (store.Backup).
func restored(d store.Dump) store.Dump {
	d.Sessions, d.RefreshTokens = nil, nil
	d.Users = slices.Clone(d.Users)
	for i := range d.Users {
		d.Users[i].Generation++
		d.Users[i].Version++
	}
	return d
}

// dump returns the store's dump, normalised for comparison.
func dump(t tb, s store.Store) store.Dump {
	t.Helper()
	d, err := s.Dump(t.Context())
	require.NoError(t, err, "Dump")
	require.NotNil(t, d, "Dump")
	return normDump(d, false)
}

// userIDs lists every user through ListUsers.
func userIDs(t tb, s store.Store) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 1000 {
		page, next, err := s.ListUsers(t.Context(), 1000, cursor)
		require.NoError(t, err, "ListUsers")
		for _, u := range page {
			ids = append(ids, u.ID)
		}
		if next == "" {
			return ids
		}
		cursor = next
	}
	require.FailNow(t, "ListUsers never ended")
	return nil
}

func tokenIDs(t tb, s store.Store, userID string) []string {
	t.Helper()
	list, err := s.ListAPITokens(t.Context(), userID)
	require.NoError(t, err, "ListAPITokens")
	ids := []string{}
	for _, k := range list {
		ids = append(ids, k.ID)
	}
	return ids
}

func codes(t tb, s store.Store, userID string) []string {
	t.Helper()
	d, err := s.RecoveryCodeDigests(t.Context(), userID)
	require.NoError(t, err, "RecoveryCodeDigests")
	d = slices.Clone(d)
	slices.Sort(d)
	return empty2nil(d)
}

func counterKeys(t tb, s store.Store, prefix string, now time.Time) []string {
	t.Helper()
	list, err := s.ListCounters(t.Context(), prefix, now)
	require.NoError(t, err, "ListCounters")
	keys := []string{}
	for _, c := range list {
		keys = append(keys, c.Key)
	}
	return keys
}

func notFound(t tb, err error, msgAndArgs ...any) {
	t.Helper()
	require.ErrorIs(t, err, store.ErrNotFound, msgAndArgs...)
}
