package hash_test

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"testing"
	"time"

	"github.com/GehirnInc/crypt/apr1_crypt"
	"github.com/GehirnInc/crypt/md5_crypt"
	"github.com/GehirnInc/crypt/sha256_crypt"
	"github.com/GehirnInc/crypt/sha512_crypt"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/latchkit/latch/hash"
)

// benchCase pairs a realistic stored hash with the bare library call that
// computes the same thing, so BenchmarkVerify/<format> and
// BenchmarkPrimitive/<format> measure Latch's overhead. Run:
//
//	go test -run '^$' -bench '^Benchmark(Verify|Primitive)$' -count 6 -benchtime 500ms ./hash
type benchCase struct {
	format    hash.Format
	vector    string
	primitive func(b *testing.B, password, encoded string) bool
}

func mustB64(b *testing.B, enc *base64.Encoding, s string) []byte {
	out, err := enc.DecodeString(s)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

var benchCases = []benchCase{
	{hash.FormatBcrypt, "bcrypt-2y-cost10-htpasswd", func(b *testing.B, pw, enc string) bool {
		return bcrypt.CompareHashAndPassword([]byte(enc), []byte(pw)) == nil
	}},
	{hash.FormatPBKDF2SFTPGo, "pbkdf2-sftpgo-docs-example", func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.StdEncoding, "R5J62hsSq+pYw00hLLPKBbcGXmq7fj5+/M0IFoYtZbo=")
		key, err := pbkdf2.Key(sha256.New, pw, []byte("E86a9YMX3zC7"), 150000, len(want))
		return err == nil && subtle.ConstantTimeCompare(key, want) == 1
	}},
	{hash.FormatPBKDF2Passlib, "pbkdf2-passlib-sha256-29000", func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.RawStdEncoding, "7xwbY5rCP+qJhnvJ80W3FI7hSRg8wNnl3S9rczjVuCk")
		key, err := pbkdf2.Key(sha256.New, pw, []byte("saltsaltsaltsalt"), 29000, len(want))
		return err == nil && subtle.ConstantTimeCompare(key, want) == 1
	}},
	{hash.FormatMD5Crypt, "md5crypt-openssl", func(b *testing.B, pw, enc string) bool {
		return md5_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{hash.FormatApr1, "apr1-openssl", func(b *testing.B, pw, enc string) bool {
		return apr1_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{hash.FormatSHA256Crypt, "sha256crypt-openssl", func(b *testing.B, pw, enc string) bool {
		return sha256_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{hash.FormatSHA512Crypt, "sha512crypt-openssl", func(b *testing.B, pw, enc string) bool {
		return sha512_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{hash.FormatArgon2id, "argon2id-owasp", func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.RawStdEncoding, "T95q7S205tf9WI4HhYOZDIQmMMAbntacGXTIku0gXT8")
		key := argon2.IDKey([]byte(pw), []byte("saltsaltsaltsalt"), 2, 19456, 1, uint32(len(want)))
		return subtle.ConstantTimeCompare(key, want) == 1
	}},
	{hash.FormatArgon2i, "argon2i-4mib", func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.RawStdEncoding, "YTKWRL/tiC9RpwLDdwUhrY8DqxqY0GGMyUxXZY+ncBY")
		key := argon2.Key([]byte(pw), []byte("saltsaltsaltsalt"), 2, 4096, 1, uint32(len(want)))
		return subtle.ConstantTimeCompare(key, want) == 1
	}},
}

// BenchmarkVerify measures the package-level Verify, as the auth service
// calls it, on a right password.
func BenchmarkVerify(b *testing.B) {
	for _, c := range benchCases {
		v := vectorByName(b, c.vector)
		b.Run(string(c.format), func(b *testing.B) {
			for b.Loop() {
				if ok, err := hash.Verify(v.Password, v.Encoded); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// BenchmarkPrimitive measures the bare library call with the parameters of
// the same vector as BenchmarkVerify.
func BenchmarkPrimitive(b *testing.B) {
	for _, c := range benchCases {
		v := vectorByName(b, c.vector)
		b.Run(string(c.format), func(b *testing.B) {
			for b.Loop() {
				if !c.primitive(b, v.Password, v.Encoded) {
					b.Fatal("primitive did not verify")
				}
			}
		})
	}
}

// BenchmarkPaired alternates Verify and the primitive call on every
// iteration and reports the ratio of their total times, both wall-clock
// ("verify/primitive") and process CPU time ("cpu-verify/primitive"), so that
// load from other processes on a shared machine falls on both alike.
func BenchmarkPaired(b *testing.B) {
	for _, c := range benchCases {
		v := vectorByName(b, c.vector)
		b.Run(string(c.format), func(b *testing.B) {
			var wall, cpu [2]time.Duration // [0] Verify, [1] primitive
			run := func(which int) {
				c0, t0 := cpuTime(b), time.Now()
				var ok bool
				if which == 0 {
					var err error
					ok, err = hash.Verify(v.Password, v.Encoded)
					ok = ok && err == nil
				} else {
					ok = c.primitive(b, v.Password, v.Encoded)
				}
				wall[which] += time.Since(t0)
				cpu[which] += cpuTime(b) - c0
				if !ok {
					b.Fatal("did not verify")
				}
			}
			i := 0
			for b.Loop() {
				run(i % 2)
				run(1 - i%2)
				i++
			}
			b.ReportMetric(float64(wall[0])/float64(wall[1]), "verify/primitive")
			b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-verify/primitive")
		})
	}
}

// BenchmarkRefuse measures how fast each hostile hash of hostileCases is
// refused (the goal is well under a millisecond).
func BenchmarkRefuse(b *testing.B) {
	for _, c := range hostileCases() {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := hash.Verify("password", c.encoded); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// BenchmarkIdentify measures the parsing and limit checks Verify does before
// hashing: the whole of Latch's own work in a Verify call.
func BenchmarkIdentify(b *testing.B) {
	for _, c := range benchCases {
		v := vectorByName(b, c.vector)
		b.Run(string(c.format), func(b *testing.B) {
			for b.Loop() {
				if _, err := hash.Identify(v.Encoded); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
