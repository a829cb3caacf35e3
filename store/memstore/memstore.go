package memstore

import (
	"context"
	"fmt"
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
	hub    *hub // subscribers of Changes
}

// data is the whole contents of a Store; Restore builds a new one and swaps
// it in, so a failed restore changes nothing. Records are changed in place
// under the write lock, and the indexes point at the same records, so a
// lookup is one map read.
type data struct {
	users      map[string]*store.User
	byUsername map[string]*store.User // store.FoldIdentifier(username) → the record in users
	byEmail    map[string]*store.User // store.FoldIdentifier(email) → the record in users; no empty key
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

	sessions      map[string]*store.Session      // by session ID
	userSessions  map[string]map[string]struct{} // user ID → session IDs
	refresh       map[string]*store.RefreshToken // by digest
	sessionTokens map[string]map[string]struct{} // session ID → refresh-token digests

	passkeys     map[string]*store.PasskeyCredential // by passkey ID
	byCredential map[string]*store.PasskeyCredential // string(CredentialID) → the record in passkeys
	userPasskeys map[string]map[string]struct{}      // user ID → passkey IDs
	handles      map[string][]byte                   // user ID → passkey handle
	byHandle     map[string]string                   // string(handle) → user ID
	hub          *hub                                // the Store's; kept by Restore
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

		sessions:      map[string]*store.Session{},
		userSessions:  map[string]map[string]struct{}{},
		refresh:       map[string]*store.RefreshToken{},
		sessionTokens: map[string]map[string]struct{}{},

		passkeys:     map[string]*store.PasskeyCredential{},
		byCredential: map[string]*store.PasskeyCredential{},
		userPasskeys: map[string]map[string]struct{}{},
		handles:      map[string][]byte{},
		byHandle:     map[string]string{},
	}
}

// New returns an empty store.
func New() *Store {
	h := &hub{subs: map[*sub]struct{}{}}
	d := newData()
	d.hub = h
	return &Store{d: d, hub: h}
}

// Close drops the contents; every later call returns [ErrClosed]. Closing
// again returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.d = nil
	s.hub.closeAll()
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
