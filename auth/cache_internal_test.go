package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/token"
)

// feedStore is a memstore whose change feed the test drives, and which
// counts the reads that authentication makes.
type feedStore struct {
	store.Store
	reads atomic.Int64 // APITokenWithOwner, SessionWithOwner, IsRevoked, User

	mu     sync.Mutex
	hook   func() // run after each counted read, outside mu
	cur    chan store.Change
	closed bool
	subs   int
	ctxs   []context.Context
}

func newFeedStore(t *testing.T) *feedStore {
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	return &feedStore{Store: st}
}

func (f *feedStore) read() {
	f.reads.Add(1)
	f.mu.Lock()
	h := f.hook
	f.mu.Unlock()
	if h != nil {
		h()
	}
}

func (f *feedStore) setHook(h func()) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

func (f *feedStore) APITokenWithOwner(ctx context.Context, digest string) (*store.APIToken, *store.User, error) {
	t, u, err := f.Store.APITokenWithOwner(ctx, digest)
	f.read()
	return t, u, err
}

func (f *feedStore) SessionWithOwner(ctx context.Context, id string) (*store.Session, *store.User, error) {
	s, u, err := f.Store.SessionWithOwner(ctx, id)
	f.read()
	return s, u, err
}

func (f *feedStore) IsRevoked(ctx context.Context, jti string) (bool, error) {
	r, err := f.Store.IsRevoked(ctx, jti)
	f.read()
	return r, err
}

// Changes implements store.ChangeFeed with a channel that only the test
// writes (send) or closes (cut); it is closed when ctx is done.
func (f *feedStore) Changes(ctx context.Context) (<-chan store.Change, error) {
	ch := make(chan store.Change, 64)
	f.mu.Lock()
	f.cur, f.closed = ch, false
	f.subs++
	f.ctxs = append(f.ctxs, ctx)
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.cur == ch && !f.closed {
			close(ch)
			f.closed = true
		}
	}()
	return ch, nil
}

func (f *feedStore) subscriptions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.subs
}

// cut closes the current subscription, as a lost connection does.
func (f *feedStore) cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		close(f.cur)
		f.closed = true
	}
}

// deliver sends the changes and a sync on the current subscription and
// waits until s has applied them all.
func (f *feedStore) deliver(t *testing.T, s *Service, changes ...store.Change) {
	t.Helper()
	at := time.Now()
	f.mu.Lock()
	require.False(t, f.closed, "no live subscription")
	for _, c := range changes {
		f.cur <- c
	}
	f.cur <- store.Change{Kind: store.ChangeSync, At: at}
	f.mu.Unlock()
	for s.syncedAt.Load() < at.UnixNano() {
		time.Sleep(100 * time.Microsecond)
	}
}

// tick sends a sync on the current subscription, if it is live and has
// room, as a healthy feed does every store.ChangeSyncInterval.
func (f *feedStore) tick() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		select {
		case f.cur <- store.Change{Kind: store.ChangeSync, At: time.Now()}:
		default:
		}
	}
}

// waitSubscribed waits until s has subscribed n times.
func (f *feedStore) waitSubscribed(n int) {
	for f.subscriptions() < n {
		time.Sleep(100 * time.Microsecond)
	}
}

// entries returns how many entries the cache holds, after checking that
// its tag index holds exactly their tags.
func (c *authCache) entries(t testing.TB) int {
	t.Helper()
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		tagged := 0
		for _, e := range sh.m {
			tagged += len(e.tags)
		}
		indexed := 0
		for _, set := range sh.tags {
			indexed += len(set)
		}
		sh.mu.RUnlock()
		require.Equal(t, tagged, indexed, "shard %d: tag index out of step with its entries", i)
	}
	return n
}

// holds reports whether the cache holds key, whatever the lease.
func (c *authCache) holds(key string) bool {
	sh := c.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.m[key] != nil
}

func jwtKey(jwt string) string {
	d := sha256.Sum256([]byte(jwt))
	return string(d[:])
}

var cacheClient = Client{IP: netip.MustParseAddr("192.0.2.1")}

const cachePassword = "correct horse battery staple"

// cacheFixture is a Service over a feedStore whose feed has synced.
type cacheFixture struct {
	s *Service
	f *feedStore

	stopOnce sync.Once
	stop     chan struct{}
	stopped  chan struct{}
}

func newCacheFixture(t *testing.T, maxEntries int) *cacheFixture {
	t.Helper()
	h, err := hash.New(hash.Config{InsecureAllowWeakParameters: true, Argon2: hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1}})
	require.NoError(t, err)
	f := newFeedStore(t)
	s, err := New(t.Context(), f, Config{
		SealingKey:          []byte("0123456789abcdef0123456789abcdef"),
		Hasher:              h,
		Cache:               CacheConfig{MaxEntries: maxEntries},
		MaxAPITokensPerUser: -1,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NotNil(t, s.cache)
	f.waitSubscribed(1)
	fx := &cacheFixture{s: s, f: f}
	fx.sync(t)
	fx.keepSynced(t)
	return fx
}

// keepSynced sends a sync every 20 ms, as a healthy feed does, until
// stopSync.
func (fx *cacheFixture) keepSynced(t *testing.T) {
	fx.stopOnce = sync.Once{}
	fx.stop, fx.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(fx.stopped)
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-fx.stop:
				return
			case <-tk.C:
				fx.f.tick()
			}
		}
	}()
	t.Cleanup(fx.stopSync)
}

// stopSync stops the syncs of keepSynced: the lease runs out.
func (fx *cacheFixture) stopSync() {
	fx.stopOnce.Do(func() {
		close(fx.stop)
		<-fx.stopped
	})
}

func (fx *cacheFixture) sync(t *testing.T, changes ...store.Change) {
	t.Helper()
	fx.f.deliver(t, fx.s, changes...)
}

// user creates a user and returns its ID, a fresh access token and an API token.
func (fx *cacheFixture) user(t *testing.T, name string) (id, jwt, api string) {
	t.Helper()
	ctx := t.Context()
	u, err := fx.s.CreateUser(ctx, Client{}, System(), CreateUserInput{Username: name, Password: cachePassword})
	require.NoError(t, err)
	res, err := fx.s.LoginPassword(ctx, cacheClient, name, cachePassword)
	require.NoError(t, err)
	p, err := fx.s.Authenticate(ctx, cacheClient, res.Token.AccessToken)
	require.NoError(t, err)
	tok, err := fx.s.CreateAPIToken(ctx, cacheClient, p, u.ID, CreateAPITokenInput{Name: "t"})
	require.NoError(t, err)
	// A fresh login, so that the access token is not cached yet.
	res, err = fx.s.LoginPassword(ctx, cacheClient, name, cachePassword)
	require.NoError(t, err)
	return u.ID, res.Token.AccessToken, tok.Token
}

// warm authenticates each credential twice (a fill, then a hit) and
// checks that the cache holds it.
func (fx *cacheFixture) warm(t *testing.T, creds ...string) {
	t.Helper()
	for _, c := range creds {
		for range 2 {
			_, err := fx.s.Authenticate(t.Context(), cacheClient, c)
			require.NoError(t, err)
		}
		require.True(t, fx.s.cache.holds(credKey(c)), "credential not cached")
	}
}

func credKey(c string) string {
	if len(c) > len(token.APITokenTag) && c[:len(token.APITokenTag)] == token.APITokenTag {
		return token.Digest(c)
	}
	return jwtKey(c)
}

// TestCacheBounded fills caches far beyond MaxEntries: the entry count
// never exceeds it, and the tag index shrinks with the entries.
func TestCacheBounded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		maxEntries int
	}{
		{"one", 1},
		{"fewer-than-shards", 10},
		{"one-short-of-shards", 63},
		{"shards", cacheShards},
		{"not-a-multiple", 1000},
		{"large", 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newAuthCache(tc.maxEntries)
			c.renew()
			fills := 10*tc.maxEntries + 100
			for i := range fills {
				e := &cacheEntry{key: fmt.Sprint("k", i), tags: []string{fmt.Sprint("u", i%7), fmt.Sprint("s", i)}, user: &store.User{}}
				c.renew() // as the feed's syncs do
				_, ticket := c.get(e.key)
				require.True(t, ticket.ok, "a miss on a live cache gives a ticket")
				c.put(ticket, e)
				require.LessOrEqual(t, c.entries(t), tc.maxEntries, "after %d fills", i+1)
			}
			n := c.entries(t)
			assert.Positive(t, n)
			tags := 0
			for i := range c.shards {
				tags += len(c.shards[i].tags)
			}
			assert.LessOrEqual(t, tags, 2*n, "tags of evicted entries are dropped")
		})
	}
	t.Run("service", func(t *testing.T) {
		t.Parallel()
		const maxEntries = 50
		fx := newCacheFixture(t, maxEntries)
		_, jwt, _ := fx.user(t, "owner")
		p, err := fx.s.Authenticate(t.Context(), cacheClient, jwt)
		require.NoError(t, err)
		for i := range 5 * maxEntries {
			tok, err := fx.s.CreateAPIToken(t.Context(), cacheClient, p, p.UserID, CreateAPITokenInput{Name: fmt.Sprint("t", i)})
			require.NoError(t, err)
			for range 2 {
				_, err = fx.s.Authenticate(t.Context(), cacheClient, tok.Token)
				require.NoError(t, err)
			}
			require.LessOrEqual(t, fx.s.cache.entries(t), maxEntries)
		}
	})
}

// TestCacheMemoryBounded fills a cache of 1,000 entries with 200,000: the
// live heap grows by what 1,000 entries take, not 200,000. Not parallel,
// so that no other test's allocations count.
func TestCacheMemoryBounded(t *testing.T) {
	const maxEntries, fills = 1000, 200_000
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	c := newAuthCache(maxEntries)
	c.renew()
	for i := range fills {
		id := fmt.Sprintf("%026d", i)
		e := &cacheEntry{
			key:  token.Digest(id),
			tags: []string{"u" + id},
			user: &store.User{ID: id, Username: "user" + id, Role: "user", Permissions: []string{"view_users"}},
			tok:  &store.APIToken{ID: id, UserID: id, Name: "token", Prefix: "lat_0123"},
		}
		c.renew()
		_, ticket := c.get(e.key)
		c.put(ticket, e)
	}
	after := heap()
	require.LessOrEqual(t, c.entries(t), maxEntries)
	grown := int64(after) - int64(before)
	t.Logf("heap grew by %d KiB for %d entries (%d filled)", grown/1024, c.entries(t), fills)
	// An entry takes well under 2 KiB; unbounded, 200,000 would take
	// hundreds of MiB.
	assert.Less(t, grown, int64(8<<20), "the cache's memory is not bounded by MaxEntries")
	runtime.KeepAlive(c)
}

// TestCacheRefusesUnknown presents 100,000 random well-formed API tokens
// and 100,000 random or garbage access tokens: all are refused, none is
// cached, and the real credentials' entries stay.
func TestCacheRefusesUnknown(t *testing.T) {
	t.Parallel()
	const n = 100_000
	fx := newCacheFixture(t, 1000)
	_, jwtTok, api := fx.user(t, "real")
	fx.warm(t, jwtTok, api)
	require.Equal(t, 2, fx.s.cache.entries(t))

	foreign := make([]byte, 32)
	_, err := rand.Read(foreign)
	require.NoError(t, err)
	kid := fx.s.keys.kr.Keys()[0].ID
	garbage := func(i int) string {
		switch i % 4 {
		case 0: // random bytes
			b := make([]byte, 1+i%300)
			_, _ = rand.Read(b)
			return string(b)
		case 1: // three random base64url segments
			seg := func() string {
				b := make([]byte, 8+i%64)
				_, _ = rand.Read(b)
				return base64.RawURLEncoding.EncodeToString(b)
			}
			return seg() + "." + seg() + "." + seg()
		case 2: // well-formed, signed with a foreign key under the real kid
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
				"sub": fmt.Sprint("user", i), "jti": fmt.Sprint("jti", i), "aud": []string{DefaultAudience},
				"iss": DefaultIssuer, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
			})
			tok.Header["kid"] = kid
			s, err := tok.SignedString(foreign)
			if err != nil {
				panic(err)
			}
			return s
		default: // the real token with one character of its signature changed
			b := []byte(jwtTok)
			j := len(b) - 1 - i%40
			b[j] = "AB"[i%2]
			if string(b) == jwtTok {
				b[j] = 'C'
			}
			return string(b)
		}
	}
	rows := []struct {
		name string
		cred func(i int) string
	}{
		{"api-tokens", func(int) string {
			tok, _, err := token.GenerateAPIToken()
			if err != nil {
				panic(err)
			}
			return tok
		}},
		{"access-tokens", garbage},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			for i := range n {
				_, err := fx.s.Authenticate(t.Context(), cacheClient, row.cred(i))
				require.ErrorIs(t, err, ErrUnauthorized, "credential %d", i)
			}
			assert.Equal(t, 2, fx.s.cache.entries(t), "unknown credentials filled the cache")
			assert.True(t, fx.s.cache.holds(credKey(api)), "the real API token was evicted")
			assert.True(t, fx.s.cache.holds(credKey(jwtTok)), "the real access token was evicted")
			reads := fx.f.reads.Load()
			fx.warm(t, jwtTok, api)
			assert.Equal(t, reads, fx.f.reads.Load(), "the real credentials are still served from the cache")
		})
	}
}

// TestCacheInvalidation delivers each kind of change, from the feed (made
// by another instance) or by a write of this instance, and checks which
// of two users' cached credentials it drops.
func TestCacheInvalidation(t *testing.T) {
	t.Parallel()
	type creds struct{ jwt, api string }
	rows := []struct {
		name   string
		change func(t *testing.T, fx *cacheFixture, u1 string, c1 creds)
		// dropped says which of (u1 api, u1 jwt, u2 api, u2 jwt) go.
		dropped [4]bool
	}{
		{"feed/user", func(t *testing.T, fx *cacheFixture, u1 string, _ creds) {
			fx.sync(t, store.Change{Kind: store.ChangeUser, Key: u1})
		}, [4]bool{true, true, false, false}},
		{"feed/api_token", func(t *testing.T, fx *cacheFixture, _ string, c1 creds) {
			fx.sync(t, store.Change{Kind: store.ChangeAPIToken, Key: token.Digest(c1.api)})
		}, [4]bool{true, false, false, false}},
		{"feed/session", func(t *testing.T, fx *cacheFixture, _ string, c1 creds) {
			p, err := fx.s.Authenticate(t.Context(), cacheClient, c1.jwt)
			require.NoError(t, err)
			fx.sync(t, store.Change{Kind: store.ChangeSession, Key: p.SessionID})
		}, [4]bool{false, true, false, false}},
		{"feed/keys", func(t *testing.T, fx *cacheFixture, _ string, _ creds) {
			fx.sync(t, store.Change{Kind: store.ChangeKeys})
		}, [4]bool{false, true, false, true}},
		{"feed/reset", func(t *testing.T, fx *cacheFixture, _ string, _ creds) {
			fx.sync(t, store.Change{Kind: store.ChangeReset})
		}, [4]bool{true, true, true, true}},
		{"own-write/disable", func(t *testing.T, fx *cacheFixture, u1 string, _ creds) {
			yes := true
			_, err := fx.s.UpdateUser(t.Context(), System(), u1, UpdateUserInput{Disabled: &yes})
			require.NoError(t, err)
		}, [4]bool{true, true, false, false}},
		{"own-write/logout", func(t *testing.T, fx *cacheFixture, _ string, c1 creds) {
			p, err := fx.s.Authenticate(t.Context(), cacheClient, c1.jwt)
			require.NoError(t, err)
			require.NoError(t, fx.s.Logout(t.Context(), p))
		}, [4]bool{false, true, false, false}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			fx := newCacheFixture(t, 1000)
			u1, jwt1, api1 := fx.user(t, "one")
			_, jwt2, api2 := fx.user(t, "two")
			fx.warm(t, api1, jwt1, api2, jwt2)
			row.change(t, fx, u1, creds{jwt1, api1})
			for i, c := range []string{api1, jwt1, api2, jwt2} {
				assert.Equal(t, !row.dropped[i], fx.s.cache.holds(credKey(c)), "credential %d cached", i)
			}
		})
	}
}

// TestCacheFillRacingInvalidation: a fill whose store read raced with a
// change is not inserted (epoch), so the next authentication reads the
// store again.
func TestCacheFillRacingInvalidation(t *testing.T) {
	t.Parallel()
	t.Run("ticket", func(t *testing.T) {
		t.Parallel()
		c := newAuthCache(100)
		c.renew()
		entry := func(k string) *cacheEntry { return &cacheEntry{key: k, tags: []string{"uU"}, user: &store.User{}} }

		_, ticket := c.get("a")
		c.invalidate(store.Change{Kind: store.ChangeUser, Key: "other"})
		c.put(ticket, entry("a"))
		assert.False(t, c.holds("a"), "a fill older than an invalidation of anything is dropped")

		_, ticket = c.get("b")
		c.put(ticket, entry("b"))
		assert.True(t, c.holds("b"), "a fill with no change since is inserted")

		_, ticket = c.get("c")
		c.down()
		c.renew()
		c.put(ticket, entry("c"))
		assert.False(t, c.holds("c"), "a fill older than a lost feed is dropped")
	})
	for _, row := range []struct {
		name string
		cred func(jwt, api string) string
	}{
		{"api-token", func(_, api string) string { return api }},
		{"access-token", func(jwt, _ string) string { return jwt }},
	} {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			fx := newCacheFixture(t, 1000)
			id, jwt, api := fx.user(t, "racer")
			cred := row.cred(jwt, api)
			// Each read of the store is followed, before the fill, by a
			// change of the owner delivered by the feed.
			fx.f.setHook(func() { fx.sync(t, store.Change{Kind: store.ChangeUser, Key: id}) })
			for i := range 3 {
				before := fx.f.reads.Load()
				_, err := fx.s.Authenticate(t.Context(), cacheClient, cred)
				require.NoError(t, err)
				assert.Equal(t, before+1, fx.f.reads.Load(), "attempt %d read the store", i)
				assert.False(t, fx.s.cache.holds(credKey(cred)), "attempt %d: a raced fill was inserted", i)
			}
			fx.f.setHook(nil)
			fx.warm(t, cred)
		})
	}
}

// TestCacheBypassedWhileFeedDown: with the lease expired (a stalled feed)
// or the feed lost, every authentication reads the store; after a sync
// the cache serves again.
func TestCacheBypassedWhileFeedDown(t *testing.T) {
	t.Parallel()
	for _, row := range []struct {
		name string
		down func(t *testing.T, fx *cacheFixture)
	}{
		{"lease-expired", func(_ *testing.T, fx *cacheFixture) {
			fx.s.cache.lease.Store(1) // one nanosecond after the cache's start
		}},
		{"feed-lost", func(_ *testing.T, fx *cacheFixture) {
			n := fx.f.subscriptions()
			fx.f.cut()
			fx.f.waitSubscribed(n + 1) // the cache was emptied before
		}},
	} {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			fx := newCacheFixture(t, 1000)
			_, jwt, api := fx.user(t, "bypass")
			fx.warm(t, jwt, api)
			fx.stopSync()
			fx.sync(t) // the syncs already sent are applied
			row.down(t, fx)
			require.False(t, fx.s.cache.usable())
			for _, cred := range []string{api, jwt} {
				for i := range 5 {
					before := fx.f.reads.Load()
					_, err := fx.s.Authenticate(t.Context(), cacheClient, cred)
					require.NoError(t, err)
					assert.Equal(t, before+1, fx.f.reads.Load(), "authentication %d did not read the store", i)
				}
			}
			fx.sync(t)
			fx.keepSynced(t)
			require.True(t, fx.s.cache.usable())
			fx.warm(t, jwt, api)
			before := fx.f.reads.Load()
			for _, cred := range []string{api, jwt} {
				_, err := fx.s.Authenticate(t.Context(), cacheClient, cred)
				require.NoError(t, err)
			}
			assert.Equal(t, before, fx.f.reads.Load(), "served from the cache again")
		})
	}
}

// TestServiceCloseStopsFeed: Close cancels the subscription, returns
// after the following goroutine ended, empties the cache, and later
// authentications read the store; a second Close is harmless.
func TestServiceCloseStopsFeed(t *testing.T) {
	t.Parallel()
	fx := newCacheFixture(t, 1000)
	_, jwt, api := fx.user(t, "closer")
	fx.warm(t, jwt, api)
	require.NoError(t, fx.s.Close())
	select {
	case <-fx.s.feedDone:
	default:
		t.Fatal("Close returned before the feed goroutine ended")
	}
	fx.f.mu.Lock()
	ctxs := fx.f.ctxs
	fx.f.mu.Unlock()
	require.Len(t, ctxs, 1)
	assert.ErrorIs(t, ctxs[0].Err(), context.Canceled, "the subscription's context is cancelled")
	assert.Zero(t, fx.s.cache.entries(t))
	assert.False(t, fx.s.cache.usable())
	before := fx.f.reads.Load()
	for _, cred := range []string{api, jwt} {
		_, err := fx.s.Authenticate(t.Context(), cacheClient, cred)
		require.NoError(t, err)
	}
	assert.Equal(t, before+2, fx.f.reads.Load(), "after Close every authentication reads the store")
	assert.Equal(t, 1, fx.f.subscriptions(), "no subscription after Close")
	require.NoError(t, fx.s.Close())
}

// TestAPITokenDigest: the digest the hit path computes is token.Digest,
// and an entry put by it is found by its bytes (the hit path's lookup,
// which allocates nothing: BenchmarkAuthenticateAPIToken reports
// allocations per hit).
func TestAPITokenDigest(t *testing.T) {
	t.Parallel()
	c := newAuthCache(100)
	c.renew()
	for i := range 100 {
		tok, digest, err := token.GenerateAPIToken()
		require.NoError(t, err)
		var d [2 * sha256.Size]byte
		apiTokenDigest(&d, tok)
		require.Equal(t, digest, string(d[:]), "token %d", i)
		require.Equal(t, token.Digest(tok), string(d[:]), "token %d", i)
		_, ticket := c.getBytes(d[:])
		require.True(t, ticket.ok)
		c.put(ticket, &cacheEntry{key: digest, tags: []string{"u1"}, user: &store.User{}})
		e, _ := c.getBytes(d[:])
		require.NotNil(t, e, "token %d: put by its hex digest, found by its bytes", i)
		byString, _ := c.get(digest)
		require.Same(t, byString, e)
	}
}

// TestCacheRefusesAlteredToken alters a cached access token outside its
// signature (a claim, the header), keeping the signature: the cache key
// is the digest of the whole token, so none of them is a hit, and the
// verifier refuses each.
func TestCacheRefusesAlteredToken(t *testing.T) {
	t.Parallel()
	fx := newCacheFixture(t, 1000)
	_, jwtTok, api := fx.user(t, "real")
	fx.warm(t, jwtTok, api)
	parts := strings.Split(jwtTok, ".")
	require.Len(t, parts, 3)
	reencode := func(seg string, edit func(map[string]any)) string {
		raw, err := base64.RawURLEncoding.DecodeString(seg)
		require.NoError(t, err)
		m := map[string]any{}
		require.NoError(t, json.Unmarshal(raw, &m))
		edit(m)
		out, err := json.Marshal(m)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(out)
	}
	rows := []struct {
		name  string
		token string
	}{
		{"another subject", parts[0] + "." + reencode(parts[1], func(m map[string]any) { m["sub"] = "someone-else" }) + "." + parts[2]},
		{"more permissions", parts[0] + "." + reencode(parts[1], func(m map[string]any) { m["permissions"] = []string{"*"} }) + "." + parts[2]},
		{"later expiry", parts[0] + "." + reencode(parts[1], func(m map[string]any) { m["exp"] = time.Now().Add(24 * time.Hour).Unix() }) + "." + parts[2]},
		{"no signature algorithm", reencode(parts[0], func(m map[string]any) { m["alg"] = "none" }) + "." + parts[1] + "." + parts[2]},
		{"signature moved to an empty token", ".." + parts[2]},
		{"trailing dot", jwtTok + "."},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			require.NotEqual(t, jwtTok, row.token)
			_, err := fx.s.Authenticate(t.Context(), cacheClient, row.token)
			require.ErrorIs(t, err, ErrUnauthorized)
			assert.False(t, fx.s.cache.holds(jwtKey(row.token)), "an altered token was cached")
		})
	}
	assert.True(t, fx.s.cache.holds(jwtKey(jwtTok)), "the real token is still cached")
}

// TestJWTDigest: the key the hit path computes, from a stack copy or (past
// maxStackJWT) from the heap, is the SHA-256 of the whole token.
func TestJWTDigest(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 400, maxStackJWT - 1, maxStackJWT, maxStackJWT + 1, 8 << 10} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			tok := strings.Repeat("a.b-", n/4+1)[:n]
			var d [sha256.Size]byte
			jwtDigest(&d, tok)
			assert.Equal(t, jwtKey(tok), string(d[:]))
		})
	}
}
