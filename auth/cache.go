package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/maphash"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/token"
)

// DefaultCacheEntries is the default of CacheConfig.MaxEntries.
const DefaultCacheEntries = 100_000

// CacheConfig configures the in-process cache of what authentication
// reads from the store (see the package documentation, "Caching").
type CacheConfig struct {
	// MaxEntries bounds the credentials cached: API tokens and access
	// tokens, each with its owner's record (and session); default
	// DefaultCacheEntries (about 1 KiB each, so 100 MiB at most); negative
	// disables the cache. The cache is used only over a store that
	// implements store.ChangeFeed.
	MaxEntries int
}

// Cache tuning.
const (
	cacheShards = 64
	// cacheLease is how long after the feed's last sync the cache is
	// trusted: a feed that stalls without closing (a partitioned network)
	// stops the cache within this time.
	cacheLease = 5 * store.ChangeSyncInterval
	// feedRetryMin and feedRetryMax bound the wait between subscriptions.
	feedRetryMin = 50 * time.Millisecond
	feedRetryMax = time.Second
)

// authCache caches the store records that authenticating a credential
// needs, by a digest of the credential. Entries are only inserted after a
// successful authentication that read the store, so unknown or invalid
// credentials never fill it. It is trusted only while the change feed
// holds a lease (renewed by every sync); a change delivered by the feed
// removes the entries it may affect, and a fill that raced with any
// change is not inserted (epoch).
type authCache struct {
	nshards  uint64 // shards in use: at most MaxEntries, so that the bound holds
	perShard int
	seed     maphash.Seed
	base     time.Time     // monotonic origin of leaseUntil
	lease    atomic.Int64  // nanoseconds since base until which entries may be used; 0: down
	epoch    atomic.Uint64 // moved by every invalidation
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu   sync.RWMutex
	m    map[string]*cacheEntry
	tags map[string]map[*cacheEntry]struct{}
	_    [40]byte // keep shards on their own cache lines
}

// cacheEntry is one credential's records. Every field but touched is
// immutable once inserted.
type cacheEntry struct {
	key  string
	tags []string // "u"+user ID, "s"+session ID, "j"+jti
	jwt  bool
	user *store.User // without password hash and email

	// API token
	tok     *store.APIToken
	touched atomic.Int64 // Unix nanoseconds of the last written last_used_at

	// Access token
	claims *cachedClaims
	sess   *store.Session // nil for a token without a session
}

// cachedClaims are the claims of a verified access token that
// authentication uses.
type cachedClaims struct {
	id, subject, sid string
	gen              int64
	permissions      []string
	expiresAt        time.Time
	authTime         time.Time
}

// fillTicket lets a caller that missed insert what it reads, if nothing
// changed meanwhile.
type fillTicket struct {
	epoch uint64
	ok    bool
}

func newAuthCache(entries int) *authCache {
	n := min(max(entries, 1), cacheShards)
	c := &authCache{nshards: uint64(n), perShard: max(1, entries/n), seed: maphash.MakeSeed(), base: time.Now()}
	for i := range c.shards {
		c.shards[i].m = map[string]*cacheEntry{}
		c.shards[i].tags = map[string]map[*cacheEntry]struct{}{}
	}
	return c
}

func (c *authCache) mono() int64 { return int64(time.Since(c.base)) }

// usable reports whether the lease holds.
func (c *authCache) usable() bool {
	l := c.lease.Load()
	return l != 0 && c.mono() < l
}

func (c *authCache) shard(key string) *cacheShard {
	return &c.shards[maphash.String(c.seed, key)%c.nshards]
}

// get returns the entry for key, or nil and a ticket to fill it.
func (c *authCache) get(key string) (*cacheEntry, fillTicket) {
	if c == nil {
		return nil, fillTicket{}
	}
	ep := c.epoch.Load()
	if !c.usable() {
		return nil, fillTicket{}
	}
	sh := c.shard(key)
	sh.mu.RLock()
	e := sh.m[key]
	sh.mu.RUnlock()
	if e != nil {
		return e, fillTicket{}
	}
	return nil, fillTicket{epoch: ep, ok: true}
}

// getBytes is get for a key held in a byte slice: a hit allocates
// nothing.
func (c *authCache) getBytes(key []byte) (*cacheEntry, fillTicket) {
	if c == nil {
		return nil, fillTicket{}
	}
	ep := c.epoch.Load()
	if !c.usable() {
		return nil, fillTicket{}
	}
	sh := &c.shards[maphash.Bytes(c.seed, key)%c.nshards]
	sh.mu.RLock()
	e := sh.m[string(key)] // no conversion: a map index
	sh.mu.RUnlock()
	if e != nil {
		return e, fillTicket{}
	}
	return nil, fillTicket{epoch: ep, ok: true}
}

// apiTokenDigest writes token.Digest(tok) to dst without allocating, for
// a tok of token.APITokenLen bytes.
func apiTokenDigest(dst *[2 * sha256.Size]byte, tok string) {
	var buf [token.APITokenLen]byte
	n := copy(buf[:], tok)
	sum := sha256.Sum256(buf[:n])
	clear(buf[:n])
	hex.Encode(dst[:], sum[:])
}

// maxStackJWT is the longest access token jwtDigest hashes from a copy on
// the stack; a longer one costs an allocation.
const maxStackJWT = 2 << 10

// jwtDigest writes the SHA-256 of jwt, the cache key of a verified access
// token, to dst; for a jwt of at most maxStackJWT bytes without
// allocating.
func jwtDigest(dst *[sha256.Size]byte, jwt string) {
	if len(jwt) > maxStackJWT {
		*dst = sha256.Sum256([]byte(jwt))
		return
	}
	var buf [maxStackJWT]byte
	n := copy(buf[:], jwt)
	*dst = sha256.Sum256(buf[:n])
	clear(buf[:n]) // as apiTokenDigest: no copy of the credential left behind in this frame
}

// put inserts e unless the ticket is void, a change came since it was
// issued, or the lease ended. A full shard drops an entry at random.
func (c *authCache) put(t fillTicket, e *cacheEntry) {
	if c == nil || !t.ok {
		return
	}
	sh := c.shard(e.key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if c.epoch.Load() != t.epoch || !c.usable() {
		return
	}
	if old, ok := sh.m[e.key]; ok {
		sh.remove(old)
	}
	if len(sh.m) >= c.perShard {
		for _, victim := range sh.m { // map order is random
			sh.remove(victim)
			break
		}
	}
	sh.m[e.key] = e
	for _, tag := range e.tags {
		set := sh.tags[tag]
		if set == nil {
			set = map[*cacheEntry]struct{}{}
			sh.tags[tag] = set
		}
		set[e] = struct{}{}
	}
}

// remove drops e. Called with mu held.
func (sh *cacheShard) remove(e *cacheEntry) {
	if sh.m[e.key] != e {
		return
	}
	delete(sh.m, e.key)
	for _, tag := range e.tags {
		if set := sh.tags[tag]; set != nil {
			delete(set, e)
			if len(set) == 0 {
				delete(sh.tags, tag)
			}
		}
	}
}

// invalidate drops the entries a change may affect.
func (c *authCache) invalidate(ch store.Change) {
	if c == nil {
		return
	}
	c.epoch.Add(1)
	switch ch.Kind {
	case store.ChangeUser:
		c.dropTag("u" + ch.Key)
	case store.ChangeSession:
		c.dropTag("s" + ch.Key)
	case store.ChangeRevocation:
		c.dropTag("j" + ch.Key)
	case store.ChangeAPIToken:
		sh := c.shard(ch.Key)
		sh.mu.Lock()
		if e := sh.m[ch.Key]; e != nil {
			sh.remove(e)
		}
		sh.mu.Unlock()
	case store.ChangeKeys:
		c.drop(func(e *cacheEntry) bool { return e.jwt })
	default:
		c.drop(func(*cacheEntry) bool { return true })
	}
}

func (c *authCache) dropTag(tag string) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for e := range sh.tags[tag] {
			sh.remove(e)
		}
		sh.mu.Unlock()
	}
}

func (c *authCache) drop(match func(*cacheEntry) bool) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for _, e := range sh.m {
			if match(e) {
				sh.remove(e)
			}
		}
		sh.mu.Unlock()
	}
}

// down stops using the cache and empties it: the feed was lost, so
// changes may have been missed.
func (c *authCache) down() {
	c.lease.Store(0)
	c.invalidate(store.Change{Kind: store.ChangeReset})
}

// renew extends the lease after a sync.
func (c *authCache) renew() { c.lease.Store(c.mono() + int64(cacheLease)) }

// cachedUser returns the parts of u that authentication needs.
func cachedUser(u *store.User) *store.User {
	return &store.User{
		ID:          u.ID,
		Username:    u.Username,
		Role:        u.Role,
		Permissions: slices.Clip(u.Permissions),
		AllowedIPs:  slices.Clip(u.AllowedIPs),
		Disabled:    u.Disabled,
		Generation:  u.Generation,
	}
}

// follow consumes the store's change feed until ctx is done or the store
// says it never will work again: every change invalidates what it may
// affect, every sync renews the cache's lease, and a lost feed empties
// the cache until a new subscription has synced.
func (s *Service) follow(ctx context.Context, feed store.ChangeFeed) {
	defer close(s.feedDone)
	wait := feedRetryMin
	for ctx.Err() == nil {
		ch, err := feed.Changes(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !errors.Is(err, store.ErrUnavailable) {
				s.audit(ctx, slog.LevelWarn, "auth.change_feed_stopped", slog.Any("error", err))
				return
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			wait = min(2*wait, feedRetryMax)
			continue
		}
		s.consume(ctx, ch)
		s.cache.down()
		// The signing keys may have changed meanwhile.
		s.keys.loadedAt.Store(0)
		wait = feedRetryMin
	}
}

func (s *Service) consume(ctx context.Context, ch <-chan store.Change) {
	for {
		var c store.Change
		var ok bool
		select {
		case <-ctx.Done():
			return
		case c, ok = <-ch:
			if !ok {
				return
			}
		}
		switch c.Kind {
		case store.ChangeSync:
			s.cache.renew()
			s.syncedAt.Store(c.At.UnixNano())
		case store.ChangeKeys, store.ChangeReset:
			// Reload before invalidating, so that no token verified with
			// the old keys is inserted after the invalidation.
			rctx, cancel := context.WithTimeout(ctx, cacheLease)
			err := s.keys.forceReload(rctx)
			cancel()
			if err != nil {
				s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "reload_keys"), slog.Any("error", err))
				s.keys.loadedAt.Store(0)
				s.cache.down()
				continue
			}
			s.cache.invalidate(c)
		default:
			s.cache.invalidate(c)
		}
	}
}

// waitSynced waits until every change committed before the call has been
// applied to the cache (a sync from after it was consumed), for tests.
func (s *Service) waitSynced(ctx context.Context) error {
	if s.cache == nil {
		return nil
	}
	start := time.Now().UnixNano()
	for s.syncedAt.Load() <= start {
		t := time.NewTimer(time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// Close stops the goroutine that follows the store's change feed (see
// "Caching" in the package documentation) and empties the cache; later
// authentications read the store. It does not close the store. A Service
// over a store without a change feed, or with the cache disabled, starts
// no goroutine and needs no Close. Close is idempotent.
func (s *Service) Close() error {
	if s.stopFeed == nil {
		return nil
	}
	s.stopFeed()
	<-s.feedDone
	s.cache.down()
	return nil
}

// invalidatingStore drops the cache entries that this instance's own
// writes affect as soon as they return, so that the instance that made a
// change honours it at once; other instances learn of it from the feed.
type invalidatingStore struct {
	store.Store
	c *authCache
}

func (st invalidatingStore) drop(kind store.ChangeKind, key string) {
	st.c.invalidate(store.Change{Kind: kind, Key: key})
}

func (st invalidatingStore) UpdateUser(ctx context.Context, u *store.User) error {
	err := st.Store.UpdateUser(ctx, u)
	st.drop(store.ChangeUser, u.ID)
	return err
}

func (st invalidatingStore) SwapPasswordHash(ctx context.Context, id, oldHash, newHash string, updatedAt time.Time) error {
	err := st.Store.SwapPasswordHash(ctx, id, oldHash, newHash, updatedAt)
	st.drop(store.ChangeUser, id)
	return err
}

func (st invalidatingStore) DeleteUser(ctx context.Context, id string) error {
	err := st.Store.DeleteUser(ctx, id)
	st.drop(store.ChangeUser, id)
	return err
}

func (st invalidatingStore) DeleteAPIToken(ctx context.Context, userID, id string) error {
	err := st.Store.DeleteAPIToken(ctx, userID, id)
	st.drop(store.ChangeUser, userID) // the digest is not at hand
	return err
}

func (st invalidatingStore) CreateSession(ctx context.Context, ss *store.Session, refreshDigest string, maxPerUser int) error {
	err := st.Store.CreateSession(ctx, ss, refreshDigest, maxPerUser)
	if maxPerUser > 0 {
		st.drop(store.ChangeUser, ss.UserID) // it may have ended older sessions
	}
	return err
}

func (st invalidatingStore) RotateRefreshToken(ctx context.Context, presented, nextDigest string, now time.Time, grace time.Duration) (*store.Session, *store.User, store.Rotation, error) {
	ss, u, rot, err := st.Store.RotateRefreshToken(ctx, presented, nextDigest, now, grace)
	if ss != nil {
		st.drop(store.ChangeSession, ss.ID)
	}
	return ss, u, rot, err
}

func (st invalidatingStore) DeleteSession(ctx context.Context, userID, id string) error {
	err := st.Store.DeleteSession(ctx, userID, id)
	st.drop(store.ChangeSession, id)
	return err
}

func (st invalidatingStore) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	n, err := st.Store.DeleteUserSessions(ctx, userID)
	st.drop(store.ChangeUser, userID)
	return n, err
}

func (st invalidatingStore) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	err := st.Store.RevokeToken(ctx, jti, expiresAt)
	st.drop(store.ChangeRevocation, jti)
	return err
}

func (st invalidatingStore) ResetSigningKeys(ctx context.Context, k *store.SigningKey) error {
	err := st.Store.ResetSigningKeys(ctx, k)
	st.drop(store.ChangeKeys, "")
	return err
}

func (st invalidatingStore) DeleteSigningKey(ctx context.Context, id string) error {
	err := st.Store.DeleteSigningKey(ctx, id)
	st.drop(store.ChangeKeys, "")
	return err
}

func (st invalidatingStore) Restore(ctx context.Context, d *store.Dump) error {
	err := st.Store.Restore(ctx, d)
	st.drop(store.ChangeReset, "")
	return err
}
