package auth

import (
	"context"
	"time"

	"github.com/latchkit/latch/store"
)

// timedStore bounds every store call that has no deadline of its own by
// Config.StoreTimeout, so a database that stops answering is an error
// (ErrUnavailable), never a hang. A caller's deadline (the HTTP adapter
// gives each request one budget for all its store calls) is kept as is.
type timedStore struct {
	store.Store
	timeout time.Duration
}

func (t timedStore) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || t.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, t.timeout)
}

func (ts timedStore) CreateUser(ctx context.Context, u *store.User) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.CreateUser(ctx, u)
}

func (ts timedStore) User(ctx context.Context, id string) (*store.User, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.User(ctx, id)
}

func (ts timedStore) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.UserByUsername(ctx, username)
}

func (ts timedStore) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.UserByEmail(ctx, email)
}

func (ts timedStore) UpdateUser(ctx context.Context, u *store.User) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.UpdateUser(ctx, u)
}

func (ts timedStore) SwapPasswordHash(ctx context.Context, id, oldHash, newHash string, updatedAt time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.SwapPasswordHash(ctx, id, oldHash, newHash, updatedAt)
}

func (ts timedStore) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.SetLastLogin(ctx, id, at)
}

func (ts timedStore) DeleteUser(ctx context.Context, id string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteUser(ctx, id)
}

func (ts timedStore) ListUsers(ctx context.Context, limit int, cursor string) (users []store.User, next string, err error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ListUsers(ctx, limit, cursor)
}

func (ts timedStore) CreateAPIToken(ctx context.Context, t *store.APIToken, maxPerUser int) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.CreateAPIToken(ctx, t, maxPerUser)
}

func (ts timedStore) APITokenByDigest(ctx context.Context, digest string) (*store.APIToken, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.APITokenByDigest(ctx, digest)
}

func (ts timedStore) APITokenWithOwner(ctx context.Context, digest string) (*store.APIToken, *store.User, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.APITokenWithOwner(ctx, digest)
}

func (ts timedStore) ListAPITokens(ctx context.Context, userID string) ([]store.APIToken, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ListAPITokens(ctx, userID)
}

func (ts timedStore) DeleteAPIToken(ctx context.Context, userID, id string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteAPIToken(ctx, userID, id)
}

func (ts timedStore) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.TouchAPIToken(ctx, id, at)
}

func (ts timedStore) PutPendingTOTP(ctx context.Context, c *store.TOTPCredential) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.PutPendingTOTP(ctx, c)
}

func (ts timedStore) PendingTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.PendingTOTP(ctx, userID)
}

func (ts timedStore) ActivateTOTP(ctx context.Context, userID string, secret []byte, lastStep int64, recoveryDigests []string, at time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ActivateTOTP(ctx, userID, secret, lastStep, recoveryDigests, at)
}

func (ts timedStore) ActiveTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ActiveTOTP(ctx, userID)
}

func (ts timedStore) AdvanceTOTPStep(ctx context.Context, userID string, step int64) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.AdvanceTOTPStep(ctx, userID, step)
}

func (ts timedStore) DeleteTOTP(ctx context.Context, userID string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteTOTP(ctx, userID)
}

func (ts timedStore) ReplaceRecoveryCodes(ctx context.Context, userID string, digests []string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ReplaceRecoveryCodes(ctx, userID, digests)
}

func (ts timedStore) ConsumeRecoveryCode(ctx context.Context, userID, digest string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ConsumeRecoveryCode(ctx, userID, digest)
}

func (ts timedStore) RecoveryCodeDigests(ctx context.Context, userID string) ([]string, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.RecoveryCodeDigests(ctx, userID)
}

func (ts timedStore) CreateRequest(ctx context.Context, r *store.Request) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.CreateRequest(ctx, r)
}

func (ts timedStore) Request(ctx context.Context, id string) (*store.Request, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Request(ctx, id)
}

func (ts timedStore) FailRequestAttempt(ctx context.Context, id string, max int) (attempts int, err error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.FailRequestAttempt(ctx, id, max)
}

func (ts timedStore) MarkRequestVerified(ctx context.Context, id string, step store.Verification) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.MarkRequestVerified(ctx, id, step)
}

func (ts timedStore) DeleteRequest(ctx context.Context, id string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteRequest(ctx, id)
}

func (ts timedStore) DeleteExpiredRequests(ctx context.Context, now time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteExpiredRequests(ctx, now)
}

func (ts timedStore) AddSigningKey(ctx context.Context, k *store.SigningKey) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.AddSigningKey(ctx, k)
}

func (ts timedStore) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.SigningKeys(ctx)
}

func (ts timedStore) DeleteSigningKey(ctx context.Context, id string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteSigningKey(ctx, id)
}

func (ts timedStore) ResetSigningKeys(ctx context.Context, k *store.SigningKey) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ResetSigningKeys(ctx, k)
}

func (ts timedStore) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.RevokeToken(ctx, jti, expiresAt)
}

func (ts timedStore) IsRevoked(ctx context.Context, jti string) (bool, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.IsRevoked(ctx, jti)
}

func (ts timedStore) DeleteExpiredRevocations(ctx context.Context, now time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteExpiredRevocations(ctx, now)
}

func (ts timedStore) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Hit(ctx, key, delta, window, now)
}

func (ts timedStore) Counter(ctx context.Context, key string, now time.Time) (store.Counter, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Counter(ctx, key, now)
}

func (ts timedStore) Ban(ctx context.Context, key string, until time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Ban(ctx, key, until)
}

func (ts timedStore) ListCounters(ctx context.Context, prefix string, now time.Time) ([]store.Counter, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ListCounters(ctx, prefix, now)
}

func (ts timedStore) DeleteCounter(ctx context.Context, key string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteCounter(ctx, key)
}

func (ts timedStore) DeleteDeadCounters(ctx context.Context, now time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteDeadCounters(ctx, now)
}

func (ts timedStore) Dump(ctx context.Context) (*store.Dump, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Dump(ctx)
}

func (ts timedStore) Restore(ctx context.Context, d *store.Dump) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Restore(ctx, d)
}

func (ts timedStore) CreateUsers(ctx context.Context, users []*store.User) ([]error, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.CreateUsers(ctx, users)
}

func (ts timedStore) CreateSession(ctx context.Context, s *store.Session, refreshDigest string, maxPerUser int) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.CreateSession(ctx, s, refreshDigest, maxPerUser)
}

func (ts timedStore) Session(ctx context.Context, id string) (*store.Session, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Session(ctx, id)
}

func (ts timedStore) SessionWithOwner(ctx context.Context, id string) (*store.Session, *store.User, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.SessionWithOwner(ctx, id)
}

func (ts timedStore) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ListSessions(ctx, userID)
}

func (ts timedStore) RotateRefreshToken(ctx context.Context, presented, nextDigest string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.RotateRefreshToken(ctx, presented, nextDigest, now, grace)
}

func (ts timedStore) DeleteSession(ctx context.Context, userID, id string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteSession(ctx, userID, id)
}

func (ts timedStore) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteUserSessions(ctx, userID)
}

func (ts timedStore) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeleteExpiredSessions(ctx, now)
}

// CountLiveSessions implements store.SessionCounter for a store that does
// (the Service asserts it before it calls).
func (ts timedStore) CountLiveSessions(ctx context.Context, now time.Time) (int, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.(store.SessionCounter).CountLiveSessions(ctx, now)
}

func (ts timedStore) CreatePasskey(ctx context.Context, c *store.PasskeyCredential, maxPerUser int) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.CreatePasskey(ctx, c, maxPerUser)
}

func (ts timedStore) Passkey(ctx context.Context, userID, id string) (*store.PasskeyCredential, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.Passkey(ctx, userID, id)
}

func (ts timedStore) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*store.PasskeyCredential, *store.User, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.PasskeyByCredentialID(ctx, credentialID)
}

func (ts timedStore) ListPasskeys(ctx context.Context, userID string) ([]store.PasskeyCredential, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.ListPasskeys(ctx, userID)
}

func (ts timedStore) RenamePasskey(ctx context.Context, userID, id, name string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.RenamePasskey(ctx, userID, id, name)
}

func (ts timedStore) RecordPasskeyUse(ctx context.Context, id string, oldCount, newCount uint32, backupState bool, at time.Time) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.RecordPasskeyUse(ctx, id, oldCount, newCount, backupState, at)
}

func (ts timedStore) DeletePasskey(ctx context.Context, userID, id string) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.DeletePasskey(ctx, userID, id)
}

func (ts timedStore) SetPasskeyHandle(ctx context.Context, userID string, handle []byte) error {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.SetPasskeyHandle(ctx, userID, handle)
}

func (ts timedStore) PasskeyHandle(ctx context.Context, userID string) ([]byte, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.PasskeyHandle(ctx, userID)
}

func (ts timedStore) UserByPasskeyHandle(ctx context.Context, handle []byte) (*store.User, error) {
	ctx, cancel := ts.bound(ctx)
	defer cancel()
	return ts.Store.UserByPasskeyHandle(ctx, handle)
}
