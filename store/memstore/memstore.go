package memstore

import (
	"bytes"
	"cmp"
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/latchkit/latch/store"
)

var _ store.Store = (*Store)(nil)

// Store is an in-memory [store.Store]. It is safe for concurrent use and
// starts no goroutine. The zero value is not usable; call [New].
type Store struct {
	mu     sync.RWMutex
	closed bool
	d      *data
}

// data is the whole contents of a Store; Restore builds a new one and swaps
// it in, so a failed restore changes nothing. Records are changed in place
// under the write lock, and the indexes point at the same records, so a
// lookup is one map read.
type data struct {
	users      map[string]*store.User
	byUsername map[string]*store.User // store.Fold(username) → the record in users
	byEmail    map[string]*store.User // store.Fold(email) → the record in users; no empty key
	sortedIDs  []string               // user IDs in ListUsers order; nil when stale

	tokens     map[string]*store.APIToken     // by token ID
	byDigest   map[string]*store.APIToken     // digest → the record in tokens
	userTokens map[string]map[string]struct{} // user ID → token IDs

	totp    map[string]*store.TOTPCredential // active, by user ID
	pending map[string]*store.TOTPCredential // pending, by user ID
	codes   map[string]map[string]struct{}   // user ID → recovery-code digests

	requests map[string]*store.Request
	keys     map[string]*store.SigningKey
	revoked  map[string]time.Time // jti → expiry

	counters map[string]*store.Counter
	sweepAt  int // len(counters) at which dead counters are next swept
}

// minSweep is the counter-map size below which dead counters are kept.
const minSweep = 1024

func newData() *data {
	return &data{
		users:      map[string]*store.User{},
		byUsername: map[string]*store.User{},
		byEmail:    map[string]*store.User{},
		tokens:     map[string]*store.APIToken{},
		byDigest:   map[string]*store.APIToken{},
		userTokens: map[string]map[string]struct{}{},
		totp:       map[string]*store.TOTPCredential{},
		pending:    map[string]*store.TOTPCredential{},
		codes:      map[string]map[string]struct{}{},
		requests:   map[string]*store.Request{},
		keys:       map[string]*store.SigningKey{},
		revoked:    map[string]time.Time{},
		counters:   map[string]*store.Counter{},
		sweepAt:    minSweep,
	}
}

// New returns an empty store.
func New() *Store { return &Store{d: newData()} }

// Close drops the contents; every later call returns [ErrClosed]. Closing
// again returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.d = nil
	return nil
}

// lock takes the write lock and returns the contents; on error the lock is
// not held.
func (s *Store) lock(ctx context.Context) (*data, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	return s.d, nil
}

// rlock is lock for readers; release with s.mu.RUnlock.
func (s *Store) rlock(ctx context.Context) (*data, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, ErrClosed
	}
	return s.d, nil
}

func invalid(what string) error { return fmt.Errorf("%w: %s", store.ErrInvalid, what) }

// ---- users

// CreateUser implements [store.Users].
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u == nil {
		return invalid("nil user")
	}
	if err := store.ValidateUser(u); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[u.ID]; ok {
		return fmt.Errorf("%w: user id exists", store.ErrConflict)
	}
	if err := d.checkUnique(u); err != nil {
		return err
	}
	c := userIn(u)
	c.Version = 1
	d.putUser(c)
	d.sortedIDs = nil
	u.Version = 1
	return nil
}

func (d *data) putUser(c *store.User) {
	d.users[c.ID] = c
	d.byUsername[store.Fold(c.Username)] = c
	if c.Email != "" {
		d.byEmail[store.Fold(c.Email)] = c
	}
}

// checkUnique reports whether u's username or email is another user's
// username or email: usernames and emails share one namespace of folded
// identifiers (store.User).
func (d *data) checkUnique(u *store.User) error {
	if d.taken(u.ID, store.Fold(u.Username)) {
		return store.ErrUsernameTaken
	}
	if u.Email != "" && d.taken(u.ID, store.Fold(u.Email)) {
		return store.ErrEmailTaken
	}
	return nil
}

// taken reports whether a user other than id has the folded identifier key
// as its username or email.
func (d *data) taken(id, key string) bool {
	if o, ok := d.byUsername[key]; ok && o.ID != id {
		return true
	}
	if o, ok := d.byEmail[key]; ok && o.ID != id {
		return true
	}
	return false
}

// User implements [store.Users].
func (s *Store) User(ctx context.Context, id string) (*store.User, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	u, ok := d.users[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneUser(u), nil
}

// UserByUsername implements [store.Users].
func (s *Store) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	key, valid := store.LookupKey(username, store.MaxUsernameLen)
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	u, ok := d.byUsername[key]
	if !valid || !ok {
		return nil, store.ErrNotFound
	}
	return cloneUser(u), nil
}

// UserByEmail implements [store.Users].
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	key, valid := store.LookupKey(email, store.MaxEmailLen)
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	u, ok := d.byEmail[key]
	if !valid || !ok {
		return nil, store.ErrNotFound
	}
	return cloneUser(u), nil
}

// UpdateUser implements [store.Users].
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	if u == nil {
		return invalid("nil user")
	}
	if err := store.ValidateUser(u); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	old, ok := d.users[u.ID]
	if !ok {
		return store.ErrNotFound
	}
	if old.Version != u.Version {
		return store.ErrStale
	}
	if err := d.checkUnique(u); err != nil {
		return err
	}
	delete(d.byUsername, store.Fold(old.Username))
	if old.Email != "" {
		delete(d.byEmail, store.Fold(old.Email))
	}
	c := userIn(u)
	c.CreatedAt, c.LastLoginAt = old.CreatedAt, old.LastLoginAt
	c.Version = old.Version + 1
	d.putUser(c)
	u.Version = c.Version
	return nil
}

// SwapPasswordHash implements [store.Users].
func (s *Store) SwapPasswordHash(ctx context.Context, id, oldHash, newHash string, updatedAt time.Time) error {
	if err := store.ValidateUser(&store.User{ID: "x", Username: "x", PasswordHash: newHash}); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	u, ok := d.users[id]
	if !ok {
		return store.ErrNotFound
	}
	if subtle.ConstantTimeCompare([]byte(u.PasswordHash), []byte(oldHash)) != 1 {
		return fmt.Errorf("%w: password hash changed", store.ErrConflict)
	}
	u.PasswordHash = newHash
	u.UpdatedAt = store.Time(updatedAt)
	u.Version++
	return nil
}

// SetLastLogin implements [store.Users].
func (s *Store) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	u, ok := d.users[id]
	if !ok {
		return store.ErrNotFound
	}
	u.LastLoginAt = store.Time(at)
	return nil
}

// DeleteUser implements [store.Users].
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	u, ok := d.users[id]
	if !ok {
		return store.ErrNotFound
	}
	delete(d.users, id)
	delete(d.byUsername, store.Fold(u.Username))
	if u.Email != "" {
		delete(d.byEmail, store.Fold(u.Email))
	}
	d.sortedIDs = nil
	for tid := range d.userTokens[id] {
		delete(d.byDigest, d.tokens[tid].Digest)
		delete(d.tokens, tid)
	}
	delete(d.userTokens, id)
	delete(d.totp, id)
	delete(d.pending, id)
	delete(d.codes, id)
	for rid, r := range d.requests {
		if r.UserID == id {
			delete(d.requests, rid)
		}
	}
	return nil
}

// ListUsers implements [store.Users]. Users are ordered by ID (byte-wise);
// the cursor is the last ID of the page, encoded, so it stays valid whatever
// is inserted or deleted.
func (s *Store) ListUsers(ctx context.Context, limit int, cursor string) ([]store.User, string, error) {
	if err := store.CheckListLimit(limit); err != nil {
		return nil, "", err
	}
	after := ""
	if cursor != "" {
		var err error
		if after, err = store.DecodeCursor(cursor); err != nil {
			return nil, "", err
		}
	}
	// The write lock, because the sorted index may need rebuilding.
	d, err := s.lock(ctx)
	if err != nil {
		return nil, "", err
	}
	defer s.mu.Unlock()
	if d.sortedIDs == nil {
		d.sortedIDs = make([]string, 0, len(d.users))
		for id := range d.users {
			d.sortedIDs = append(d.sortedIDs, id)
		}
		slices.Sort(d.sortedIDs)
	}
	i := 0
	if cursor != "" {
		var found bool
		i, found = slices.BinarySearch(d.sortedIDs, after)
		if found {
			i++
		}
	}
	ids := d.sortedIDs[i:min(i+limit, len(d.sortedIDs))]
	users := make([]store.User, 0, len(ids))
	for _, id := range ids {
		users = append(users, *cloneUser(d.users[id]))
	}
	next := ""
	if i+len(ids) < len(d.sortedIDs) {
		next = store.EncodeCursor(ids[len(ids)-1])
	}
	return users, next, nil
}

// ---- API tokens

// CreateAPIToken implements [store.APITokens].
func (s *Store) CreateAPIToken(ctx context.Context, t *store.APIToken, maxPerUser int) error {
	if t == nil {
		return invalid("nil token")
	}
	if err := store.ValidateAPIToken(t); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[t.UserID]; !ok {
		return fmt.Errorf("%w: no such user", store.ErrNotFound)
	}
	if _, ok := d.tokens[t.ID]; ok {
		return fmt.Errorf("%w: token id exists", store.ErrConflict)
	}
	if _, ok := d.byDigest[t.Digest]; ok {
		return fmt.Errorf("%w: token digest exists", store.ErrConflict)
	}
	if maxPerUser > 0 && len(d.userTokens[t.UserID]) >= maxPerUser {
		return store.ErrLimitReached
	}
	d.putToken(tokenIn(t))
	return nil
}

func (d *data) putToken(c *store.APIToken) {
	d.tokens[c.ID] = c
	d.byDigest[c.Digest] = c
	set := d.userTokens[c.UserID]
	if set == nil {
		set = map[string]struct{}{}
		d.userTokens[c.UserID] = set
	}
	set[c.ID] = struct{}{}
}

// APITokenByDigest implements [store.APITokens].
func (s *Store) APITokenByDigest(ctx context.Context, digest string) (*store.APIToken, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	t, ok := d.byDigest[digest]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneToken(t), nil
}

// APITokenWithOwner implements [store.APITokens].
func (s *Store) APITokenWithOwner(ctx context.Context, digest string) (*store.APIToken, *store.User, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.mu.RUnlock()
	t, ok := d.byDigest[digest]
	if !ok {
		return nil, nil, store.ErrNotFound
	}
	u, ok := d.users[t.UserID]
	if !ok { // cannot happen: deleting a user deletes its tokens
		return nil, nil, store.ErrNotFound
	}
	return cloneToken(t), cloneUser(u), nil
}

// ListAPITokens implements [store.APITokens]. Tokens created at the same
// instant are ordered by ID.
func (s *Store) ListAPITokens(ctx context.Context, userID string) ([]store.APIToken, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := make([]store.APIToken, 0, len(d.userTokens[userID]))
	for id := range d.userTokens[userID] {
		list = append(list, *cloneToken(d.tokens[id]))
	}
	slices.SortFunc(list, func(a, b store.APIToken) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, nil
}

// DeleteAPIToken implements [store.APITokens].
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	t, ok := d.tokens[id]
	if !ok || t.UserID != userID {
		return store.ErrNotFound
	}
	delete(d.tokens, id)
	delete(d.byDigest, t.Digest)
	delete(d.userTokens[userID], id)
	if len(d.userTokens[userID]) == 0 {
		delete(d.userTokens, userID)
	}
	return nil
}

// TouchAPIToken implements [store.APITokens].
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	t, ok := d.tokens[id]
	if !ok {
		return store.ErrNotFound
	}
	if at = store.Time(at); at.After(t.LastUsedAt) {
		t.LastUsedAt = at
	}
	return nil
}

// ---- TOTP

// PutPendingTOTP implements [store.TOTP].
func (s *Store) PutPendingTOTP(ctx context.Context, c *store.TOTPCredential) error {
	if c == nil {
		return invalid("nil credential")
	}
	if err := store.ValidateTOTP(c); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[c.UserID]; !ok {
		return store.ErrNotFound
	}
	d.pending[c.UserID] = cloneTOTP(c)
	return nil
}

// PendingTOTP implements [store.TOTP].
func (s *Store) PendingTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	return s.getTOTP(ctx, userID, false)
}

// ActiveTOTP implements [store.TOTP].
func (s *Store) ActiveTOTP(ctx context.Context, userID string) (*store.TOTPCredential, error) {
	return s.getTOTP(ctx, userID, true)
}

func (s *Store) getTOTP(ctx context.Context, userID string, active bool) (*store.TOTPCredential, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	m := d.pending
	if active {
		m = d.totp
	}
	c, ok := m[userID]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneTOTP(c), nil
}

// ActivateTOTP implements [store.TOTP]. When a credential is active and
// nothing is pending it returns ErrConflict.
func (s *Store) ActivateTOTP(ctx context.Context, userID string, secret []byte, lastStep int64, recoveryDigests []string, at time.Time) error {
	if lastStep < 0 {
		return invalid("negative step")
	}
	if err := store.ValidateDigests(recoveryDigests); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.totp[userID]; ok {
		return fmt.Errorf("%w: totp already active", store.ErrConflict)
	}
	p, ok := d.pending[userID]
	if !ok || !bytes.Equal(p.Secret, secret) {
		return store.ErrNotFound
	}
	c := cloneTOTP(p)
	c.LastStep = lastStep
	c.CreatedAt = store.Time(at)
	d.totp[userID] = c
	delete(d.pending, userID)
	d.setCodes(userID, recoveryDigests)
	return nil
}

// AdvanceTOTPStep implements [store.TOTP].
func (s *Store) AdvanceTOTPStep(ctx context.Context, userID string, step int64) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	c, ok := d.totp[userID]
	if !ok {
		return store.ErrNotFound
	}
	if step <= c.LastStep {
		return fmt.Errorf("%w: step already used", store.ErrConflict)
	}
	c.LastStep = step
	return nil
}

// DeleteTOTP implements [store.TOTP]. When nothing is active only the
// pending enrollment is removed; recovery codes stay.
func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(d.pending, userID)
	if _, ok := d.totp[userID]; !ok {
		return store.ErrNotFound
	}
	delete(d.totp, userID)
	delete(d.codes, userID)
	return nil
}

// ---- recovery codes

func (d *data) setCodes(userID string, digests []string) {
	if len(digests) == 0 {
		delete(d.codes, userID)
		return
	}
	set := make(map[string]struct{}, len(digests))
	for _, dg := range digests {
		set[dg] = struct{}{}
	}
	d.codes[userID] = set
}

// ReplaceRecoveryCodes implements [store.RecoveryCodes]. Repeated digests
// are stored once, so each code is usable once.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, digests []string) error {
	if err := store.ValidateDigests(digests); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.users[userID]; !ok {
		return store.ErrNotFound
	}
	d.setCodes(userID, digests)
	return nil
}

// ConsumeRecoveryCode implements [store.RecoveryCodes].
func (s *Store) ConsumeRecoveryCode(ctx context.Context, userID, digest string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	set := d.codes[userID]
	if _, ok := set[digest]; !ok {
		return store.ErrNotFound
	}
	delete(set, digest)
	if len(set) == 0 {
		delete(d.codes, userID)
	}
	return nil
}

// RecoveryCodeDigests implements [store.RecoveryCodes]. The digests are
// sorted; a user without codes (or without an account) has none.
func (s *Store) RecoveryCodeDigests(ctx context.Context, userID string) ([]string, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := make([]string, 0, len(d.codes[userID]))
	for dg := range d.codes[userID] {
		list = append(list, dg)
	}
	slices.Sort(list)
	return list, nil
}

// ---- requests

// CreateRequest implements [store.Requests]. It returns ErrInvalid for a
// record [store.ValidateRequest] refuses.
func (s *Store) CreateRequest(ctx context.Context, r *store.Request) error {
	if r == nil {
		return invalid("nil request")
	}
	if err := store.ValidateRequest(r); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.requests[r.ID]; ok {
		return fmt.Errorf("%w: request id exists", store.ErrConflict)
	}
	if r.UserID != "" {
		if _, ok := d.users[r.UserID]; !ok {
			return fmt.Errorf("%w: no such user", store.ErrNotFound)
		}
	}
	d.requests[r.ID] = cloneRequest(r)
	return nil
}

// Request implements [store.Requests].
func (s *Store) Request(ctx context.Context, id string) (*store.Request, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	r, ok := d.requests[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneRequest(r), nil
}

// FailRequestAttempt implements [store.Requests]. A max below 1 is
// ErrInvalid.
func (s *Store) FailRequestAttempt(ctx context.Context, id string, max int) (int, error) {
	if max < 1 {
		return 0, invalid("max attempts must be at least 1")
	}
	d, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	r, ok := d.requests[id]
	if !ok {
		return 0, store.ErrNotFound
	}
	n := min(r.Attempts+1, max)
	if n >= max {
		delete(d.requests, id)
		return n, nil
	}
	r.Attempts = n
	return n, nil
}

// MarkRequestVerified implements [store.Requests].
func (s *Store) MarkRequestVerified(ctx context.Context, id string, email, secondFactor bool) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	r, ok := d.requests[id]
	if !ok {
		return store.ErrNotFound
	}
	r.EmailVerified = r.EmailVerified || email
	r.SecondFactorVerified = r.SecondFactorVerified || secondFactor
	return nil
}

// DeleteRequest implements [store.Requests].
func (s *Store) DeleteRequest(ctx context.Context, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.requests[id]; !ok {
		return store.ErrNotFound
	}
	delete(d.requests, id)
	return nil
}

// DeleteExpiredRequests implements [store.Requests]. A request with a zero
// ExpiresAt counts as expired.
func (s *Store) DeleteExpiredRequests(ctx context.Context, now time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	for id, r := range d.requests {
		if !r.ExpiresAt.After(now) {
			delete(d.requests, id)
		}
	}
	return nil
}

// ---- signing keys

// AddSigningKey implements [store.SigningKeys]. It returns ErrInvalid for a
// key [store.ValidateSigningKey] refuses.
func (s *Store) AddSigningKey(ctx context.Context, k *store.SigningKey) error {
	if k == nil {
		return invalid("nil key")
	}
	if err := store.ValidateSigningKey(k); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.keys[k.ID]; ok {
		return fmt.Errorf("%w: key id exists", store.ErrConflict)
	}
	d.keys[k.ID] = cloneKey(k)
	return nil
}

// SigningKeys implements [store.SigningKeys].
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := make([]store.SigningKey, 0, len(d.keys))
	for _, k := range d.keys {
		list = append(list, *cloneKey(k))
	}
	slices.SortFunc(list, func(a, b store.SigningKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, nil
}

// DeleteSigningKey implements [store.SigningKeys].
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := d.keys[id]; !ok {
		return store.ErrNotFound
	}
	delete(d.keys, id)
	return nil
}

// ResetSigningKeys implements [store.SigningKeys].
func (s *Store) ResetSigningKeys(ctx context.Context, k *store.SigningKey) error {
	if k == nil {
		return invalid("nil key")
	}
	if err := store.ValidateSigningKey(k); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	d.keys = map[string]*store.SigningKey{k.ID: cloneKey(k)}
	return nil
}

// ---- revocations

// RevokeToken implements [store.Revocations]. The jti must pass
// [store.ValidateID]. Revoking again keeps the later expiry.
func (s *Store) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	if err := store.ValidateID(jti); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	expiresAt = store.Time(expiresAt)
	if old, ok := d.revoked[jti]; !ok || expiresAt.After(old) {
		d.revoked[jti] = expiresAt
	}
	return nil
}

// IsRevoked implements [store.Revocations].
func (s *Store) IsRevoked(ctx context.Context, jti string) (bool, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return false, err
	}
	defer s.mu.RUnlock()
	_, ok := d.revoked[jti]
	return ok, nil
}

// DeleteExpiredRevocations implements [store.Revocations].
func (s *Store) DeleteExpiredRevocations(ctx context.Context, now time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	for jti, exp := range d.revoked {
		if !exp.After(now) {
			delete(d.revoked, jti)
		}
	}
	return nil
}

// ---- counters

// view returns c as of now: no count once its window ended, no ban once the
// ban ended.
func view(c *store.Counter, now time.Time) store.Counter {
	v := *c
	if !v.ResetAt.After(now) {
		v.Count, v.ResetAt = 0, time.Time{}
	}
	if !v.BannedUntil.After(now) {
		v.BannedUntil = time.Time{}
	}
	return v
}

func dead(c *store.Counter, now time.Time) bool {
	return !c.ResetAt.After(now) && !c.BannedUntil.After(now)
}

// counter returns the stored counter for key, creating it.
func (d *data) counter(key string) *store.Counter {
	c, ok := d.counters[key]
	if !ok {
		c = &store.Counter{Key: key}
		d.counters[key] = c
	}
	return c
}

// sweep drops the counters that are dead as of now once the map has doubled
// since the last sweep, so memory stays proportional to the live counters at
// an amortised O(1) cost per Hit. Dropping a dead counter changes no result.
func (d *data) sweep(now time.Time) {
	if len(d.counters) >= d.sweepAt {
		d.dropDead(now)
	}
}

// dropDead deletes every counter that is dead as of now.
func (d *data) dropDead(now time.Time) {
	for k, c := range d.counters {
		if dead(c, now) {
			delete(d.counters, k)
		}
	}
	d.sweepAt = max(2*len(d.counters), minSweep)
}

// Hit implements [store.Counters]. A window that is not positive is
// ErrInvalid. The counter is returned as [Store.Counter] would return it.
func (s *Store) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	if err := store.ValidateCounterKey(key); err != nil {
		return store.Counter{}, err
	}
	if window <= 0 {
		return store.Counter{}, invalid("window must be positive")
	}
	d, err := s.lock(ctx)
	if err != nil {
		return store.Counter{}, err
	}
	defer s.mu.Unlock()
	d.sweep(now)
	c := d.counter(key)
	if !c.ResetAt.After(now) {
		c.Count = delta
		c.ResetAt = store.Time(now.Add(window))
	} else {
		c.Count += delta
	}
	return view(c, now), nil
}

// Counter implements [store.Counters]. The ResetAt of a counter whose window
// ended is zero.
func (s *Store) Counter(ctx context.Context, key string, now time.Time) (store.Counter, error) {
	if err := store.ValidateCounterKey(key); err != nil {
		return store.Counter{}, err
	}
	d, err := s.rlock(ctx)
	if err != nil {
		return store.Counter{}, err
	}
	defer s.mu.RUnlock()
	c, ok := d.counters[key]
	if !ok {
		return store.Counter{Key: key}, nil
	}
	return view(c, now), nil
}

// Ban implements [store.Counters].
func (s *Store) Ban(ctx context.Context, key string, until time.Time) error {
	if err := store.ValidateCounterKey(key); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	d.counter(key).BannedUntil = store.Time(until)
	return nil
}

// ListCounters implements [store.Counters]. Counters are returned as
// [Store.Counter] would return them.
func (s *Store) ListCounters(ctx context.Context, prefix string, now time.Time) ([]store.Counter, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := []store.Counter{}
	for k, c := range d.counters {
		if strings.HasPrefix(k, prefix) && !dead(c, now) {
			list = append(list, view(c, now))
		}
	}
	slices.SortFunc(list, func(a, b store.Counter) int { return strings.Compare(a.Key, b.Key) })
	return list, nil
}

// DeleteDeadCounters implements [store.Counters]. Hit also drops dead
// counters by itself whenever the map has doubled.
func (s *Store) DeleteDeadCounters(ctx context.Context, now time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	d.dropDead(now)
	return nil
}

// DeleteCounter implements [store.Counters].
func (s *Store) DeleteCounter(ctx context.Context, key string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(d.counters, key)
	return nil
}
