package token

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// MaxLeeway is the largest Config.Leeway NewKeyring accepts.
const MaxLeeway = 5 * time.Minute

// Config configures a Keyring. Algorithm and Audience are required:
// NewKeyring refuses a Config without them rather than guessing.
type Config struct {
	// Algorithm is the algorithm of the keys Rotate and Reset create: AlgHS256
	// (the documented default; pass it explicitly) or AlgEdDSA. Keys passed to
	// NewKeyring or SetKeys may use either; each key verifies only its own.
	Algorithm Algorithm
	// Audience is put in the aud claim of every token Sign makes and must be
	// in the aud claim of every token Verify accepts. Give each binding
	// (access tokens, second-factor challenges, another service) its own
	// audience and its own keys, so none accepts another's tokens.
	Audience string
	// Issuer, when set, is put in the iss claim of every token Sign makes,
	// and Verify accepts only tokens with exactly this iss (ErrIssuer
	// otherwise). Empty means no iss is written or required.
	Issuer string
	// Leeway is the clock skew tolerated when checking exp, nbf and iat:
	// from 0 (the default) to MaxLeeway.
	Leeway time.Duration
	// Now returns the current time; nil means time.Now. It is a testing hook.
	Now func() time.Time
}

// Keyring signs and verifies JWTs with a set of keys identified by kid. The
// newest key (by CreatedAt, ties broken by ID) is the current one and signs;
// every key verifies the tokens it signed, with its own algorithm only.
//
// Make one with NewKeyring; the zero Keyring is not usable. A Keyring is
// safe for concurrent use. Verify and Sign take no lock: they
// read an immutable snapshot of the keys, which Rotate, Reset, Prune and
// SetKeys replace atomically.
type Keyring struct {
	alg      Algorithm
	audience string
	issuer   string // Config.Issuer; "" writes and requires none
	now      func() time.Time
	parsers  map[Algorithm]*jwt.Parser // read-only after NewKeyring

	mu    sync.Mutex // serialises writers of state
	state atomic.Pointer[keyState]
}

// keyState is one immutable set of keys.
type keyState struct {
	keys    []Key // oldest first; the last is current
	byID    map[string]*entry
	current *entry
}

// entry is a key with what verifying with it needs, built once.
type entry struct {
	key     Key
	method  jwt.SigningMethod
	parser  *jwt.Parser
	keyfunc jwt.Keyfunc
}

// NewKeyring returns a keyring holding keys (in any order; at least one,
// else ErrNoKey). It returns ErrInvalidConfig for a Config without a supported
// Algorithm or a valid UTF-8 Audience, or with a Leeway outside
// [0, MaxLeeway]; and ErrInvalidKey for a key that is unusable or repeats a
// kid.
func NewKeyring(cfg Config, keys ...Key) (*Keyring, error) {
	if !cfg.Algorithm.valid() {
		return nil, fmt.Errorf("%w: Algorithm must be HS256 or EdDSA", ErrInvalidConfig)
	}
	if cfg.Audience == "" || !utf8.ValidString(cfg.Audience) {
		return nil, fmt.Errorf("%w: Audience is required", ErrInvalidConfig)
	}
	if cfg.Leeway < 0 || cfg.Leeway > MaxLeeway {
		return nil, fmt.Errorf("%w: Leeway must be between 0 and %v", ErrInvalidConfig, MaxLeeway)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	r := &Keyring{
		alg:      cfg.Algorithm,
		audience: cfg.Audience,
		issuer:   cfg.Issuer,
		now:      now,
		parsers:  make(map[Algorithm]*jwt.Parser, 2),
	}
	if !utf8.ValidString(cfg.Issuer) {
		return nil, fmt.Errorf("%w: Issuer is not valid UTF-8", ErrInvalidConfig)
	}
	for _, alg := range []Algorithm{AlgHS256, AlgEdDSA} {
		opts := []jwt.ParserOption{
			jwt.WithValidMethods([]string{string(alg)}),
			jwt.WithAudience(cfg.Audience),
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithTimeFunc(now),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithStrictDecoding(),
		}
		if cfg.Issuer != "" {
			opts = append(opts, jwt.WithIssuer(cfg.Issuer))
		}
		r.parsers[alg] = jwt.NewParser(opts...)
	}
	st, err := r.newState(keys)
	if err != nil {
		return nil, err
	}
	r.state.Store(st)
	return r, nil
}

// newState validates keys and builds a snapshot, sorted oldest first.
func (r *Keyring) newState(keys []Key) (*keyState, error) {
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	st := &keyState{
		keys: slices.Clone(keys),
		byID: make(map[string]*entry, len(keys)),
	}
	slices.SortStableFunc(st.keys, func(a, b Key) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	for _, k := range st.keys {
		if err := k.check(); err != nil {
			return nil, err
		}
		if _, dup := st.byID[k.ID]; dup {
			return nil, fmt.Errorf("%w: two keys with one kid", ErrInvalidKey)
		}
		e := &entry{key: k, parser: r.parsers[k.Algorithm]}
		if k.Algorithm == AlgEdDSA {
			e.method = jwt.SigningMethodEdDSA
		} else {
			e.method = jwt.SigningMethodHS256
		}
		vk := k.verificationKey()
		e.keyfunc = func(*jwt.Token) (any, error) { return vk, nil }
		st.byID[k.ID] = e
	}
	st.current = st.byID[st.keys[len(st.keys)-1].ID]
	return st, nil
}

// Rotate creates a key with the configured algorithm, makes it current and
// returns it; the other keys keep verifying the tokens they signed. The new
// key's CreatedAt is now, or a microsecond after the current key's if the
// clock says otherwise, so it sorts last everywhere it is stored.
func (r *Keyring) Rotate() (Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.state.Load()
	k, err := NewKey(r.alg, r.now())
	if err != nil {
		return Key{}, err
	}
	if last := old.current.key.CreatedAt; !k.CreatedAt.After(last) {
		k.CreatedAt = last.Add(time.Microsecond)
	}
	st, err := r.newState(append(slices.Clone(old.keys), k))
	if err != nil {
		return Key{}, err
	}
	r.state.Store(st)
	return k, nil
}

// Reset drops every key and makes a fresh one, with the configured
// algorithm, the only and current key; it returns that key. Every token
// signed before fails Verify with ErrUnknownKey.
func (r *Keyring) Reset() (Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, err := NewKey(r.alg, r.now())
	if err != nil {
		return Key{}, err
	}
	st, err := r.newState([]Key{k})
	if err != nil {
		return Key{}, err
	}
	r.state.Store(st)
	return k, nil
}

// Prune drops every key that stopped being current before olderThan, that
// is, whose successor was created before olderThan; the current key always
// stays. Such a key signed nothing at or after olderThan, so with olderThan
// set to now minus the longest token lifetime (plus the leeway and some
// slack for instances that learn of a rotation late), Prune drops only keys
// whose tokens have all expired.
func (r *Keyring) Prune(olderThan time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.state.Load()
	keep := make([]Key, 0, len(old.keys))
	for i, k := range old.keys {
		if i == len(old.keys)-1 || !old.keys[i+1].CreatedAt.Before(olderThan) {
			keep = append(keep, k)
		}
	}
	if len(keep) == len(old.keys) {
		return
	}
	st, err := r.newState(keep)
	if err != nil {
		return // cannot happen: a subset of valid keys is valid
	}
	r.state.Store(st)
}

// Keys returns a copy of the keys, oldest first; the last is the current
// one. Each Key holds its secret material: seal it (SealKey) before it
// leaves the process.
func (r *Keyring) Keys() []Key {
	return slices.Clone(r.state.Load().keys)
}

// Current returns the current signing key.
func (r *Keyring) Current() Key {
	return r.state.Load().current.key
}

// SetKeys replaces the whole set of keys, for example with what the store
// holds after another instance rotated or reset. The newest key becomes
// current. With no keys it returns ErrNoKey, and ErrInvalidKey for an
// unusable key or a repeated kid; the keyring is then unchanged.
func (r *Keyring) SetKeys(keys []Key) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.newState(keys)
	if err != nil {
		return err
	}
	r.state.Store(st)
	return nil
}

// jwk is one public key in a JSON Web Key Set (RFC 7517, RFC 8037).
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS returns the public keys of the keyring's EdDSA keys, oldest first, as
// a JSON Web Key Set: {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,
// "kid":...,"alg":"EdDSA","use":"sig"}]}. HS256 keys are secret and never
// appear, so a keyring of HS256 keys gives {"keys":[]}.
func (r *Keyring) JWKS() ([]byte, error) {
	st := r.state.Load()
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for _, k := range st.keys {
		if k.Algorithm != AlgEdDSA {
			continue
		}
		set.Keys = append(set.Keys, jwk{
			Kty: "OKP",
			Crv: "Ed25519",
			X:   base64.RawURLEncoding.EncodeToString(k.m().pub),
			Kid: k.ID,
			Alg: string(AlgEdDSA),
			Use: "sig",
		})
	}
	return json.Marshal(set)
}
