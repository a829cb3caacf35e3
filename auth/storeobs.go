package auth

import (
	"context"
	"time"

	"github.com/latchkit/latch/store"
)

// observedStore reports the duration and error of every store call to an
// Observer. A method the store gains later and this type does not list
// yet reaches the store through the embedded interface, unobserved.
type observedStore struct {
	store.Store
	obs Observer
}

func (o observedStore) CreateUser(ctx context.Context, u *store.User) error {
	start := time.Now()
	err := o.Store.CreateUser(ctx, u)
	o.obs.StoreCall("CreateUser", time.Since(start), err)
	return err
}

func (o observedStore) User(ctx context.Context, id string) (*store.User, error) {
	start := time.Now()
	a, err := o.Store.User(ctx, id)
	o.obs.StoreCall("User", time.Since(start), err)
	return a, err
}

func (o observedStore) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	start := time.Now()
	a, err := o.Store.UserByUsername(ctx, username)
	o.obs.StoreCall("UserByUsername", time.Since(start), err)
	return a, err
}

func (o observedStore) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	start := time.Now()
	a, err := o.Store.UserByEmail(ctx, email)
	o.obs.StoreCall("UserByEmail", time.Since(start), err)
	return a, err
}

func (o observedStore) UpdateUser(ctx context.Context, u *store.User) error {
	start := time.Now()
	err := o.Store.UpdateUser(ctx, u)
	o.obs.StoreCall("UpdateUser", time.Since(start), err)
	return err
}

func (o observedStore) SwapPasswordHash(ctx context.Context, id, oldHash, newHash string, updatedAt time.Time) error {
	start := time.Now()
	err := o.Store.SwapPasswordHash(ctx, id, oldHash, newHash, updatedAt)
	o.obs.StoreCall("SwapPasswordHash", time.Since(start), err)
	return err
}

func (o observedStore) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	start := time.Now()
	err := o.Store.SetLastLogin(ctx, id, at)
	o.obs.StoreCall("SetLastLogin", time.Since(start), err)
	return err
}

func (o observedStore) DeleteUser(ctx context.Context, id string) error {
	start := time.Now()
	err := o.Store.DeleteUser(ctx, id)
	o.obs.StoreCall("DeleteUser", time.Since(start), err)
	return err
}

func (o observedStore) ListUsers(ctx context.Context, limit int, cursor string) ([]store.User, string, error) {
	start := time.Now()
	a, b, err := o.Store.ListUsers(ctx, limit, cursor)
	o.obs.StoreCall("ListUsers", time.Since(start), err)
	return a, b, err
}

func (o observedStore) CreateAPIToken(ctx context.Context, t *store.APIToken, maxPerUser int) error {
	start := time.Now()
	err := o.Store.CreateAPIToken(ctx, t, maxPerUser)
	o.obs.StoreCall("CreateAPIToken", time.Since(start), err)
	return err
}

func (o observedStore) APITokenByDigest(ctx context.Context, digest string) (*store.APIToken, error) {
	start := time.Now()
	a, err := o.Store.APITokenByDigest(ctx, digest)
	o.obs.StoreCall("APITokenByDigest", time.Since(start), err)
	return a, err
}

func (o observedStore) APITokenWithOwner(ctx context.Context, digest string) (*store.APIToken, *store.User, error) {
	start := time.Now()
	a, b, err := o.Store.APITokenWithOwner(ctx, digest)
	o.obs.StoreCall("APITokenWithOwner", time.Since(start), err)
	return a, b, err
}

func (o observedStore) ListAPITokens(ctx context.Context, userID string) ([]store.APIToken, error) {
	start := time.Now()
	a, err := o.Store.ListAPITokens(ctx, userID)
	o.obs.StoreCall("ListAPITokens", time.Since(start), err)
	return a, err
}

func (o observedStore) DeleteAPIToken(ctx context.Context, userID, id string) error {
	start := time.Now()
	err := o.Store.DeleteAPIToken(ctx, userID, id)
	o.obs.StoreCall("DeleteAPIToken", time.Since(start), err)
	return err
}

func (o observedStore) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	start := time.Now()
	err := o.Store.TouchAPIToken(ctx, id, at)
	o.obs.StoreCall("TouchAPIToken", time.Since(start), err)
	return err
}

func (o observedStore) PutPendingTOTP(ctx context.Context, c *store.TOTPCredential) error {
	start := time.Now()
	err := o.Store.PutPendingTOTP(ctx, c)
	o.obs.StoreCall("PutPendingTOTP", time.Since(start), err)
	return err
}

func (o observedStore) PendingTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	start := time.Now()
	a, err := o.Store.PendingTOTP(ctx, userID)
	o.obs.StoreCall("PendingTOTP", time.Since(start), err)
	return a, err
}

func (o observedStore) ActivateTOTP(ctx context.Context, userID string, secret []byte, lastStep int64, recoveryDigests []string, at time.Time) error {
	start := time.Now()
	err := o.Store.ActivateTOTP(ctx, userID, secret, lastStep, recoveryDigests, at)
	o.obs.StoreCall("ActivateTOTP", time.Since(start), err)
	return err
}

func (o observedStore) ActiveTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	start := time.Now()
	a, err := o.Store.ActiveTOTP(ctx, userID)
	o.obs.StoreCall("ActiveTOTP", time.Since(start), err)
	return a, err
}

func (o observedStore) AdvanceTOTPStep(ctx context.Context, userID string, step int64) error {
	start := time.Now()
	err := o.Store.AdvanceTOTPStep(ctx, userID, step)
	o.obs.StoreCall("AdvanceTOTPStep", time.Since(start), err)
	return err
}

func (o observedStore) DeleteTOTP(ctx context.Context, userID string) error {
	start := time.Now()
	err := o.Store.DeleteTOTP(ctx, userID)
	o.obs.StoreCall("DeleteTOTP", time.Since(start), err)
	return err
}

func (o observedStore) ReplaceRecoveryCodes(ctx context.Context, userID string, digests []string) error {
	start := time.Now()
	err := o.Store.ReplaceRecoveryCodes(ctx, userID, digests)
	o.obs.StoreCall("ReplaceRecoveryCodes", time.Since(start), err)
	return err
}

func (o observedStore) ConsumeRecoveryCode(ctx context.Context, userID, digest string) error {
	start := time.Now()
	err := o.Store.ConsumeRecoveryCode(ctx, userID, digest)
	o.obs.StoreCall("ConsumeRecoveryCode", time.Since(start), err)
	return err
}

func (o observedStore) RecoveryCodeDigests(ctx context.Context, userID string) ([]string, error) {
	start := time.Now()
	a, err := o.Store.RecoveryCodeDigests(ctx, userID)
	o.obs.StoreCall("RecoveryCodeDigests", time.Since(start), err)
	return a, err
}

func (o observedStore) CreateRequest(ctx context.Context, r *store.Request) error {
	start := time.Now()
	err := o.Store.CreateRequest(ctx, r)
	o.obs.StoreCall("CreateRequest", time.Since(start), err)
	return err
}

func (o observedStore) Request(ctx context.Context, id string) (*store.Request, error) {
	start := time.Now()
	a, err := o.Store.Request(ctx, id)
	o.obs.StoreCall("Request", time.Since(start), err)
	return a, err
}

func (o observedStore) FailRequestAttempt(ctx context.Context, id string, max int) (attempts int, err error) {
	start := time.Now()
	a, err := o.Store.FailRequestAttempt(ctx, id, max)
	o.obs.StoreCall("FailRequestAttempt", time.Since(start), err)
	return a, err
}

func (o observedStore) MarkRequestVerified(ctx context.Context, id string, step store.Verification) error {
	start := time.Now()
	err := o.Store.MarkRequestVerified(ctx, id, step)
	o.obs.StoreCall("MarkRequestVerified", time.Since(start), err)
	return err
}

func (o observedStore) DeleteRequest(ctx context.Context, id string) error {
	start := time.Now()
	err := o.Store.DeleteRequest(ctx, id)
	o.obs.StoreCall("DeleteRequest", time.Since(start), err)
	return err
}

func (o observedStore) DeleteExpiredRequests(ctx context.Context, now time.Time) error {
	start := time.Now()
	err := o.Store.DeleteExpiredRequests(ctx, now)
	o.obs.StoreCall("DeleteExpiredRequests", time.Since(start), err)
	return err
}

func (o observedStore) AddSigningKey(ctx context.Context, k *store.SigningKey) error {
	start := time.Now()
	err := o.Store.AddSigningKey(ctx, k)
	o.obs.StoreCall("AddSigningKey", time.Since(start), err)
	return err
}

func (o observedStore) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	start := time.Now()
	a, err := o.Store.SigningKeys(ctx)
	o.obs.StoreCall("SigningKeys", time.Since(start), err)
	return a, err
}

func (o observedStore) DeleteSigningKey(ctx context.Context, id string) error {
	start := time.Now()
	err := o.Store.DeleteSigningKey(ctx, id)
	o.obs.StoreCall("DeleteSigningKey", time.Since(start), err)
	return err
}

func (o observedStore) ResetSigningKeys(ctx context.Context, k *store.SigningKey) error {
	start := time.Now()
	err := o.Store.ResetSigningKeys(ctx, k)
	o.obs.StoreCall("ResetSigningKeys", time.Since(start), err)
	return err
}

func (o observedStore) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	start := time.Now()
	err := o.Store.RevokeToken(ctx, jti, expiresAt)
	o.obs.StoreCall("RevokeToken", time.Since(start), err)
	return err
}

func (o observedStore) IsRevoked(ctx context.Context, jti string) (bool, error) {
	start := time.Now()
	a, err := o.Store.IsRevoked(ctx, jti)
	o.obs.StoreCall("IsRevoked", time.Since(start), err)
	return a, err
}

func (o observedStore) DeleteExpiredRevocations(ctx context.Context, now time.Time) error {
	start := time.Now()
	err := o.Store.DeleteExpiredRevocations(ctx, now)
	o.obs.StoreCall("DeleteExpiredRevocations", time.Since(start), err)
	return err
}

func (o observedStore) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	start := time.Now()
	a, err := o.Store.Hit(ctx, key, delta, window, now)
	o.obs.StoreCall("Hit", time.Since(start), err)
	return a, err
}

func (o observedStore) Counter(ctx context.Context, key string, now time.Time) (store.Counter, error) {
	start := time.Now()
	a, err := o.Store.Counter(ctx, key, now)
	o.obs.StoreCall("Counter", time.Since(start), err)
	return a, err
}

func (o observedStore) Ban(ctx context.Context, key string, until time.Time) error {
	start := time.Now()
	err := o.Store.Ban(ctx, key, until)
	o.obs.StoreCall("Ban", time.Since(start), err)
	return err
}

func (o observedStore) ListCounters(ctx context.Context, prefix string, now time.Time) ([]store.Counter, error) {
	start := time.Now()
	a, err := o.Store.ListCounters(ctx, prefix, now)
	o.obs.StoreCall("ListCounters", time.Since(start), err)
	return a, err
}

func (o observedStore) DeleteCounter(ctx context.Context, key string) error {
	start := time.Now()
	err := o.Store.DeleteCounter(ctx, key)
	o.obs.StoreCall("DeleteCounter", time.Since(start), err)
	return err
}

func (o observedStore) DeleteDeadCounters(ctx context.Context, now time.Time) error {
	start := time.Now()
	err := o.Store.DeleteDeadCounters(ctx, now)
	o.obs.StoreCall("DeleteDeadCounters", time.Since(start), err)
	return err
}

func (o observedStore) Dump(ctx context.Context) (*store.Dump, error) {
	start := time.Now()
	a, err := o.Store.Dump(ctx)
	o.obs.StoreCall("Dump", time.Since(start), err)
	return a, err
}

func (o observedStore) Restore(ctx context.Context, d *store.Dump) error {
	start := time.Now()
	err := o.Store.Restore(ctx, d)
	o.obs.StoreCall("Restore", time.Since(start), err)
	return err
}

func (o observedStore) CreateUsers(ctx context.Context, users []*store.User) ([]error, error) {
	start := time.Now()
	errs, err := o.Store.CreateUsers(ctx, users)
	o.obs.StoreCall("CreateUsers", time.Since(start), err)
	return errs, err
}

func (o observedStore) CreateSession(ctx context.Context, s *store.Session, refreshDigest string, maxPerUser int) error {
	start := time.Now()
	err := o.Store.CreateSession(ctx, s, refreshDigest, maxPerUser)
	o.obs.StoreCall("CreateSession", time.Since(start), err)
	return err
}

func (o observedStore) Session(ctx context.Context, id string) (*store.Session, error) {
	start := time.Now()
	a, err := o.Store.Session(ctx, id)
	o.obs.StoreCall("Session", time.Since(start), err)
	return a, err
}

func (o observedStore) SessionWithOwner(ctx context.Context, id string) (*store.Session, *store.User, error) {
	start := time.Now()
	a, b, err := o.Store.SessionWithOwner(ctx, id)
	o.obs.StoreCall("SessionWithOwner", time.Since(start), err)
	return a, b, err
}

func (o observedStore) ListSessions(ctx context.Context, userID string) ([]store.Session, error) {
	start := time.Now()
	a, err := o.Store.ListSessions(ctx, userID)
	o.obs.StoreCall("ListSessions", time.Since(start), err)
	return a, err
}

func (o observedStore) RotateRefreshToken(ctx context.Context, presented, nextDigest string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	start := time.Now()
	a, b, c, err := o.Store.RotateRefreshToken(ctx, presented, nextDigest, now, grace)
	o.obs.StoreCall("RotateRefreshToken", time.Since(start), err)
	return a, b, c, err
}

func (o observedStore) DeleteSession(ctx context.Context, userID, id string) error {
	start := time.Now()
	err := o.Store.DeleteSession(ctx, userID, id)
	o.obs.StoreCall("DeleteSession", time.Since(start), err)
	return err
}

func (o observedStore) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	start := time.Now()
	a, err := o.Store.DeleteUserSessions(ctx, userID)
	o.obs.StoreCall("DeleteUserSessions", time.Since(start), err)
	return a, err
}

func (o observedStore) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	start := time.Now()
	err := o.Store.DeleteExpiredSessions(ctx, now)
	o.obs.StoreCall("DeleteExpiredSessions", time.Since(start), err)
	return err
}

// CountLiveSessions implements store.SessionCounter for a store that does
// (the Service asserts it before it calls).
func (o observedStore) CountLiveSessions(ctx context.Context, now time.Time) (int, error) {
	start := time.Now()
	n, err := o.Store.(store.SessionCounter).CountLiveSessions(ctx, now)
	o.obs.StoreCall("CountLiveSessions", time.Since(start), err)
	return n, err
}

func (o observedStore) CreatePasskey(ctx context.Context, c *store.PasskeyCredential, maxPerUser int) error {
	start := time.Now()
	err := o.Store.CreatePasskey(ctx, c, maxPerUser)
	o.obs.StoreCall("CreatePasskey", time.Since(start), err)
	return err
}

func (o observedStore) Passkey(ctx context.Context, userID, id string) (*store.PasskeyCredential, error) {
	start := time.Now()
	a, err := o.Store.Passkey(ctx, userID, id)
	o.obs.StoreCall("Passkey", time.Since(start), err)
	return a, err
}

func (o observedStore) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*store.PasskeyCredential, *store.User, error) {
	start := time.Now()
	a, b, err := o.Store.PasskeyByCredentialID(ctx, credentialID)
	o.obs.StoreCall("PasskeyByCredentialID", time.Since(start), err)
	return a, b, err
}

func (o observedStore) ListPasskeys(ctx context.Context, userID string) ([]store.PasskeyCredential, error) {
	start := time.Now()
	a, err := o.Store.ListPasskeys(ctx, userID)
	o.obs.StoreCall("ListPasskeys", time.Since(start), err)
	return a, err
}

func (o observedStore) RenamePasskey(ctx context.Context, userID, id, name string) error {
	start := time.Now()
	err := o.Store.RenamePasskey(ctx, userID, id, name)
	o.obs.StoreCall("RenamePasskey", time.Since(start), err)
	return err
}

func (o observedStore) RecordPasskeyUse(ctx context.Context, id string, oldCount, newCount uint32, backupState bool, at time.Time) error {
	start := time.Now()
	err := o.Store.RecordPasskeyUse(ctx, id, oldCount, newCount, backupState, at)
	o.obs.StoreCall("RecordPasskeyUse", time.Since(start), err)
	return err
}

func (o observedStore) DeletePasskey(ctx context.Context, userID, id string) error {
	start := time.Now()
	err := o.Store.DeletePasskey(ctx, userID, id)
	o.obs.StoreCall("DeletePasskey", time.Since(start), err)
	return err
}

func (o observedStore) SetPasskeyHandle(ctx context.Context, userID string, handle []byte) error {
	start := time.Now()
	err := o.Store.SetPasskeyHandle(ctx, userID, handle)
	o.obs.StoreCall("SetPasskeyHandle", time.Since(start), err)
	return err
}

func (o observedStore) PasskeyHandle(ctx context.Context, userID string) ([]byte, error) {
	start := time.Now()
	a, err := o.Store.PasskeyHandle(ctx, userID)
	o.obs.StoreCall("PasskeyHandle", time.Since(start), err)
	return a, err
}

func (o observedStore) UserByPasskeyHandle(ctx context.Context, handle []byte) (*store.User, error) {
	start := time.Now()
	a, err := o.Store.UserByPasskeyHandle(ctx, handle)
	o.obs.StoreCall("UserByPasskeyHandle", time.Since(start), err)
	return a, err
}
