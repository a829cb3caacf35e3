package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/token"
)

const defaultAlgorithm = token.AlgHS256

// keyring is the service's view of the signing keys kept (sealed) in the
// store. Verify and Sign use an in-memory token.Keyring; the keys are read
// again from the store every KeyReloadInterval (lazily, by one request) and
// when a token names an unknown kid (at most once per minKeyReload), so
// that rotations and resets made by other instances take effect here.
type keyring struct {
	s  *Service
	kr *token.Keyring

	mu       sync.Mutex           // serialises loads and writes
	opened   map[string]openedKey // kid → key, to open each sealed key once
	gen      atomic.Uint64        // incremented by every load
	loadedAt atomic.Int64         // Unix nanoseconds of the last load
	forcedAt time.Time            // last load caused by an unknown kid; under mu
}

type openedKey struct {
	sealed []byte
	key    token.Key
}

func newKeyring(ctx context.Context, s *Service) (*keyring, error) {
	k := &keyring{s: s, opened: map[string]openedKey{}}
	keys, err := k.storedKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		nk, err := token.NewKey(s.cfg.SigningAlgorithm, s.now())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		sk, err := k.seal(nk)
		if err != nil {
			return nil, err
		}
		if err := s.st.AddSigningKey(ctx, sk); err != nil && !errors.Is(err, store.ErrConflict) {
			return nil, fmt.Errorf("auth: storing the first signing key: %w", err)
		}
		// Read back: another instance may have added its own first key.
		if keys, err = k.storedKeys(ctx); err != nil {
			return nil, err
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("auth: no usable signing key in the store")
	}
	k.kr, err = token.NewKeyring(token.Config{
		Algorithm: s.cfg.SigningAlgorithm,
		Audience:  s.cfg.Audience,
		Issuer:    s.cfg.Issuer,
		Now:       s.now,
	}, keys...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	k.loaded()
	return k, nil
}

func (k *keyring) loaded() {
	k.gen.Add(1)
	k.loadedAt.Store(k.s.now().UnixNano())
}

func (k *keyring) seal(key token.Key) (*store.SigningKey, error) {
	b, err := token.SealKey(k.s.sealer, key)
	if err != nil {
		return nil, internal(err)
	}
	return &store.SigningKey{ID: key.ID, Sealed: b, CreatedAt: key.CreatedAt}, nil
}

// storedKeys reads and opens the stored keys. A key that does not open
// (sealed with another key, or damaged) is logged and skipped; if no key
// opens it is an error.
func (k *keyring) storedKeys(ctx context.Context) ([]token.Key, error) {
	stored, err := k.s.st.SigningKeys(ctx)
	if err != nil {
		return nil, internal(err)
	}
	out := make([]token.Key, 0, len(stored))
	seen := make(map[string]openedKey, len(stored))
	for _, sk := range stored {
		if o, ok := k.opened[sk.ID]; ok && bytes.Equal(o.sealed, sk.Sealed) {
			out = append(out, o.key)
			seen[sk.ID] = o
			continue
		}
		key, err := token.OpenKey(k.s.sealer, sk.Sealed)
		if err != nil || key.ID != sk.ID {
			k.s.audit(ctx, slog.LevelError, "auth.signing_key_unusable", slog.String("kid", sk.ID), slog.Any("error", err))
			continue
		}
		out = append(out, key)
		seen[sk.ID] = openedKey{sealed: sk.Sealed, key: key}
	}
	if len(stored) > 0 && len(out) == 0 {
		return nil, internal(errors.New("no stored signing key opens with the sealing key"))
	}
	k.opened = seen
	return out, nil
}

// reload replaces the in-memory keys with the stored ones. Called with mu held.
func (k *keyring) reload(ctx context.Context) error {
	keys, err := k.storedKeys(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return internal(errors.New("the store holds no signing key"))
	}
	old := k.kr.Keys()
	if err := k.kr.SetKeys(keys); err != nil {
		return internal(err)
	}
	k.loaded()
	if !sameKeys(old, keys) {
		k.s.cache.invalidate(store.Change{Kind: store.ChangeKeys})
	}
	return nil
}

// refresh reloads the keys if KeyReloadInterval has passed since the last
// load. Only one caller reloads; the others go on with the current keys.
func (k *keyring) refresh(ctx context.Context) {
	now := k.s.now().UnixNano()
	if now-k.loadedAt.Load() < int64(k.s.cfg.KeyReloadInterval) || !k.mu.TryLock() {
		return
	}
	defer k.mu.Unlock()
	if now-k.loadedAt.Load() < int64(k.s.cfg.KeyReloadInterval) {
		return
	}
	if err := k.reload(ctx); err != nil {
		k.s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "reload_keys"), slog.Any("error", err))
	}
}

// verify checks an access token's signature and registered claims.
func (k *keyring) verify(ctx context.Context, jwt string) (*token.Claims, error) {
	k.refresh(ctx)
	gen := k.gen.Load()
	c, err := k.kr.Verify(jwt)
	if errors.Is(err, token.ErrUnknownKey) && k.reloadForUnknown(ctx, gen) {
		c, err = k.kr.Verify(jwt)
	}
	return c, err
}

// reloadForUnknown reloads the keys after a token named an unknown kid,
// unless another load happened since gen (then the caller just retries)
// or the last such reload was less than minKeyReload ago (so a flood of
// tokens with made-up kids cannot hammer the store). It reports whether
// the caller should verify again.
func (k *keyring) reloadForUnknown(ctx context.Context, gen uint64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen.Load() != gen {
		return true
	}
	now := k.s.now()
	if !k.forcedAt.IsZero() && now.Sub(k.forcedAt) < minKeyReload && now.Sub(k.forcedAt) >= 0 {
		return false
	}
	k.forcedAt = now
	if err := k.reload(ctx); err != nil {
		k.s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "reload_keys"), slog.Any("error", err))
		return false
	}
	return true
}

func (k *keyring) sign(ctx context.Context, c token.Claims) (string, error) {
	k.refresh(ctx)
	return k.kr.Sign(c)
}

// rotate adds a new current key to the store and prunes keys whose tokens
// have all expired.
func (k *keyring) rotate(ctx context.Context) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	// Start from the stored keys, so the new key sorts after every key any
	// instance added.
	if err := k.reload(ctx); err != nil {
		return "", err
	}
	old := k.kr.Keys()
	nk, err := k.kr.Rotate()
	if err != nil {
		return "", internal(err)
	}
	sk, err := k.seal(nk)
	if err == nil {
		err = k.s.st.AddSigningKey(ctx, sk)
		if err != nil {
			err = internal(err)
		}
	}
	if err != nil {
		_ = k.kr.SetKeys(old)
		return "", err
	}
	k.prune(ctx, append(old, nk))
	if err := k.reload(ctx); err != nil {
		return "", err
	}
	return nk.ID, nil
}

// prune deletes stored keys that stopped being current longer ago than any
// token lives (plus a minute of slack for instances that learn of a
// rotation late).
func (k *keyring) prune(ctx context.Context, keys []token.Key) {
	slices.SortFunc(keys, func(a, b token.Key) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare([]byte(a.ID), []byte(b.ID))
	})
	cutoff := k.s.now().Add(-k.s.maxTokenTTL() - k.s.cfg.KeyReloadInterval - time.Minute)
	for i := 0; i+1 < len(keys); i++ {
		if keys[i+1].CreatedAt.Before(cutoff) {
			if err := k.s.st.DeleteSigningKey(ctx, keys[i].ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				k.s.audit(ctx, slog.LevelError, "auth.store_error", slog.String("op", "prune_keys"), slog.Any("error", err))
			}
		}
	}
}

// reset replaces every stored key with a fresh one.
func (k *keyring) reset(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	old := k.kr.Keys()
	nk, err := k.kr.Reset()
	if err != nil {
		return internal(err)
	}
	sk, err := k.seal(nk)
	if err == nil {
		err = k.s.st.ResetSigningKeys(ctx, sk)
		if err != nil {
			err = internal(err)
		}
	}
	if err != nil {
		_ = k.kr.SetKeys(old)
		return err
	}
	// The keyring already holds only the new key: drop the verified tokens
	// of the old ones now, so none is served from the cache again.
	k.s.cache.invalidate(store.Change{Kind: store.ChangeKeys})
	return k.reload(ctx)
}

// forceReload reloads the keys now (after a restore).
func (k *keyring) forceReload(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reload(ctx)
}

// maxTokenTTL is the longest lifetime of an access token.
func (s *Service) maxTokenTTL() time.Duration {
	m := s.cfg.AccessTokenTTL
	for _, d := range s.cfg.RoleTokenTTL {
		m = max(m, d)
	}
	return m
}

// tokenTTL is the lifetime of access tokens for role.
func (s *Service) tokenTTL(role string) time.Duration {
	if d, ok := s.cfg.RoleTokenTTL[role]; ok {
		return d
	}
	return s.cfg.AccessTokenTTL
}

// sameKeys reports whether a and b hold keys with the same IDs in the
// same order.
func sameKeys(a, b []token.Key) bool {
	return slices.EqualFunc(a, b, func(x, y token.Key) bool { return x.ID == y.ID })
}
