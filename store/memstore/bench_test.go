package memstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
)

// loaded returns a store holding n users, each with one API token, and the
// usernames and token digests in a shuffled order for lookups.
func loaded(b *testing.B, n int) (s *memstore.Store, usernames, digests []string) {
	b.Helper()
	s = memstore.New()
	ctx := b.Context()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for range n {
		id := fmt.Sprintf("%016x", rand.Uint64())
		sum := sha256.Sum256([]byte(id))
		u := &store.User{
			ID:           id,
			Username:     "user-" + id,
			Email:        "user-" + id + "@example.com",
			Role:         "member",
			Permissions:  []string{"read", "write"},
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
			CreatedAt:    t0,
			UpdatedAt:    t0,
		}
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		tok := &store.APIToken{
			ID: "t" + id, UserID: id, Name: "ci", Prefix: "lt_" + id[:4],
			Digest: hex.EncodeToString(sum[:]), Permissions: []string{"read"},
			CreatedAt: t0, ExpiresAt: t0.Add(365 * 24 * time.Hour),
		}
		if err := s.CreateAPIToken(ctx, tok, 0); err != nil {
			b.Fatal(err)
		}
		usernames = append(usernames, u.Username)
		digests = append(digests, tok.Digest)
	}
	rand.Shuffle(n, func(i, j int) {
		usernames[i], usernames[j] = usernames[j], usernames[i]
		digests[i], digests[j] = digests[j], digests[i]
	})
	return s, packed(usernames), packed(digests)
}

// packed returns keys as substrings of one string, in order, so reading the
// next key is a sequential read that stays in cache, as a key a caller has
// just computed does; only the store's own accesses are random.
func packed(keys []string) []string {
	blob := strings.Join(keys, "")
	out := make([]string, len(keys))
	off := 0
	for i, k := range keys {
		out[i] = blob[off : off+len(k)]
		off += len(k)
	}
	return out
}

var sizes = []struct {
	name string
	n    int
}{{"users=1k", 1_000}, {"users=100k", 100_000}}

// BenchmarkAPITokenByDigest is the store side of authenticating an API
// token: one lookup by digest. Compare the two sizes: the cost is flat.
func BenchmarkAPITokenByDigest(b *testing.B) {
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			s, _, digests := loaded(b, size.n)
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.APITokenByDigest(ctx, digests[i]); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(digests) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkUserByUsername is the store side of a sign-in: one lookup by
// folded username.
func BenchmarkUserByUsername(b *testing.B) {
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			s, usernames, _ := loaded(b, size.n)
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.UserByUsername(ctx, usernames[i]); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(usernames) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkBaselineMap is the floor the two lookups above are measured
// against: a bare map read by digest and a copy of the record, on the same
// keys, with no lock, no context and no deep copy.
func BenchmarkBaselineMap(b *testing.B) {
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			s, _, digests := loaded(b, size.n)
			d, err := s.Dump(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			m := make(map[string]*store.APIToken, len(d.APITokens))
			for _, t := range d.APITokens {
				p := new(store.APIToken) // one allocation each, as in the store
				*p = t
				m[t.Digest] = p
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				t, ok := m[digests[i]]
				if !ok {
					b.Fatal("missing")
				}
				c := new(store.APIToken)
				*c = *t
				sink = c
				if i++; i == len(digests) {
					i = 0
				}
			}
		})
	}
}

var sink *store.APIToken
