package token

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// bareClaims is what a plain golang-jwt user would decode the same token
// into: the registered claims plus permissions.
type bareClaims struct {
	jwt.RegisteredClaims
	Permissions []string `json:"permissions,omitempty"`
}

// benchToken signs typical access-token claims with the fixture's key of
// algorithm alg.
func benchToken(b *testing.B, f *fixture, k Key) string {
	b.Helper()
	ring, err := NewKeyring(Config{Algorithm: k.Algorithm, Audience: testAud, Leeway: testLeeway, Now: func() time.Time { return testNow }}, k)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := ring.Sign(Claims{
		Subject:     "01JD3W8Z6V2K9Q4N7R5T1X0Y3B",
		ExpiresAt:   testNow.Add(15 * time.Minute),
		Permissions: []string{"view_users", "manage_api_tokens"},
	})
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

func BenchmarkSign(b *testing.B) {
	f := newFixture(b)
	for _, k := range []Key{f.hs, f.ed} {
		ring, err := NewKeyring(Config{Algorithm: k.Algorithm, Audience: testAud, Now: func() time.Time { return testNow }}, k)
		if err != nil {
			b.Fatal(err)
		}
		c := Claims{
			Subject:     "01JD3W8Z6V2K9Q4N7R5T1X0Y3B",
			ExpiresAt:   testNow.Add(15 * time.Minute),
			Permissions: []string{"view_users", "manage_api_tokens"},
		}
		b.Run(string(k.Algorithm), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ring.Sign(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify compares Keyring.Verify ("latch") with golang-jwt
// parsing the same token on its own ("jwt"): the same claims struct shape,
// the same validation options, a Keyfunc returning the key.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	for _, k := range []Key{f.hs, f.ed} {
		tok := benchToken(b, f, k)
		ring, err := NewKeyring(Config{Algorithm: k.Algorithm, Audience: testAud, Leeway: testLeeway, Now: func() time.Time { return testNow }}, k)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(k.Algorithm)+"/latch", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ring.Verify(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
		parser := jwt.NewParser(
			jwt.WithValidMethods([]string{string(k.Algorithm)}),
			jwt.WithAudience(testAud),
			jwt.WithLeeway(testLeeway),
			jwt.WithTimeFunc(func() time.Time { return testNow }),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		)
		vk := k.verificationKey()
		keyfunc := func(*jwt.Token) (any, error) { return vk, nil }
		b.Run(string(k.Algorithm)+"/jwt", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var c bareClaims
				if _, err := parser.ParseWithClaims(tok, &c, keyfunc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyPaired times Keyring.Verify and the bare golang-jwt parse
// of BenchmarkVerify alternately on the same token, so both see the same
// load on a shared machine, and reports their ratio (latch/jwt).
func BenchmarkVerifyPaired(b *testing.B) {
	f := newFixture(b)
	for _, k := range []Key{f.hs, f.ed} {
		tok := benchToken(b, f, k)
		ring, err := NewKeyring(Config{Algorithm: k.Algorithm, Audience: testAud, Leeway: testLeeway, Now: func() time.Time { return testNow }}, k)
		if err != nil {
			b.Fatal(err)
		}
		parser := jwt.NewParser(
			jwt.WithValidMethods([]string{string(k.Algorithm)}),
			jwt.WithAudience(testAud),
			jwt.WithLeeway(testLeeway),
			jwt.WithTimeFunc(func() time.Time { return testNow }),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		)
		vk := k.verificationKey()
		keyfunc := func(*jwt.Token) (any, error) { return vk, nil }
		latch := func() {
			if _, err := ring.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
		bare := func() {
			var c bareClaims
			if _, err := parser.ParseWithClaims(tok, &c, keyfunc); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(string(k.Algorithm), func(b *testing.B) {
			var tl, tj time.Duration
			i := 0
			for b.Loop() {
				// Alternate the order so neither always runs with a warm cache.
				first, second := latch, bare
				if i%2 == 1 {
					first, second = bare, latch
				}
				t0 := time.Now()
				first()
				t1 := time.Now()
				second()
				t2 := time.Now()
				if i%2 == 0 {
					tl, tj = tl+t1.Sub(t0), tj+t2.Sub(t1)
				} else {
					tj, tl = tj+t1.Sub(t0), tl+t2.Sub(t1)
				}
				i++
			}
			b.ReportMetric(float64(tl.Nanoseconds())/float64(i), "latch-ns/op")
			b.ReportMetric(float64(tj.Nanoseconds())/float64(i), "jwt-ns/op")
			b.ReportMetric(float64(tl)/float64(tj), "latch/jwt")
		})
	}
}

func BenchmarkAPIToken(b *testing.B) {
	b.Run("Generate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := GenerateAPIToken(); err != nil {
				b.Fatal(err)
			}
		}
	})
	tok, _, err := GenerateAPIToken()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := CheckAPIToken(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	// What authenticating a request costs before the store read.
	b.Run("CheckAndDigest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := CheckAPIToken(tok); err != nil {
				b.Fatal(err)
			}
			_ = Digest(tok)
		}
	})
}

// BenchmarkParse times the JSON work of Verify on a typical token without
// the signature: the header checks (precheck) and decoding the claims
// (wireClaims.UnmarshalJSON), which golang-jwt calls.
func BenchmarkParse(b *testing.B) {
	f := newFixture(b)
	tok := benchToken(b, f, f.hs)
	seg := tok[strings.IndexByte(tok, '.')+1 : strings.LastIndexByte(tok, '.')]
	claims, err := strictB64.DecodeString(seg)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("header", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := precheck(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("claims", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w wireClaims
			if err := w.UnmarshalJSON(claims); err != nil {
				b.Fatal(err)
			}
		}
	})
}
