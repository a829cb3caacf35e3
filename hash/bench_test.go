package hash_test

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	gohash "hash"
	"strings"
	"testing"
	"time"

	"github.com/go-crypt/x/yescrypt"
	"golang.org/x/crypto/scrypt"

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
	// setup, when set instead of primitive, decodes the vector's stored
	// values once and returns the bare computation and comparison.
	setup func(b *testing.B, encoded string) func(password string) bool
}

// bare returns c's primitive for the vector's encoded hash.
func (c benchCase) bare(b *testing.B, encoded string) func(string) bool {
	if c.setup != nil {
		return c.setup(b, encoded)
	}
	return func(pw string) bool { return c.primitive(b, pw, encoded) }
}

func field(encoded string, i int) string { return strings.Split(encoded, "$")[i] }

func ctEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

func pbkdf2Bare(newH func() gohash.Hash, salt []byte, iter int, want []byte) func(string) bool {
	return func(pw string) bool {
		key, err := pbkdf2.Key(newH, pw, salt, iter, len(want))
		return err == nil && ctEqual(key, want)
	}
}

func mustB64(b *testing.B, enc *base64.Encoding, s string) []byte {
	out, err := enc.DecodeString(s)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

var benchCases = []benchCase{
	{format: hash.FormatBcrypt, vector: "bcrypt-2y-cost10-htpasswd", primitive: func(b *testing.B, pw, enc string) bool {
		return bcrypt.CompareHashAndPassword([]byte(enc), []byte(pw)) == nil
	}},
	{format: hash.FormatPBKDF2SFTPGo, vector: "pbkdf2-sftpgo-docs-example", primitive: func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.StdEncoding, "R5J62hsSq+pYw00hLLPKBbcGXmq7fj5+/M0IFoYtZbo=")
		key, err := pbkdf2.Key(sha256.New, pw, []byte("E86a9YMX3zC7"), 150000, len(want))
		return err == nil && subtle.ConstantTimeCompare(key, want) == 1
	}},
	{format: hash.FormatPBKDF2Passlib, vector: "pbkdf2-passlib-sha256-29000", primitive: func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.RawStdEncoding, "7xwbY5rCP+qJhnvJ80W3FI7hSRg8wNnl3S9rczjVuCk")
		key, err := pbkdf2.Key(sha256.New, pw, []byte("saltsaltsaltsalt"), 29000, len(want))
		return err == nil && subtle.ConstantTimeCompare(key, want) == 1
	}},
	{format: hash.FormatMD5Crypt, vector: "md5crypt-openssl", primitive: func(b *testing.B, pw, enc string) bool {
		return md5_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{format: hash.FormatApr1, vector: "apr1-openssl", primitive: func(b *testing.B, pw, enc string) bool {
		return apr1_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{format: hash.FormatSHA256Crypt, vector: "sha256crypt-openssl", primitive: func(b *testing.B, pw, enc string) bool {
		return sha256_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{format: hash.FormatSHA512Crypt, vector: "sha512crypt-openssl", primitive: func(b *testing.B, pw, enc string) bool {
		return sha512_crypt.New().Verify(enc, []byte(pw)) == nil
	}},
	{format: hash.FormatArgon2id, vector: "argon2id-owasp", primitive: func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.RawStdEncoding, "T95q7S205tf9WI4HhYOZDIQmMMAbntacGXTIku0gXT8")
		key := argon2.IDKey([]byte(pw), []byte("saltsaltsaltsalt"), 2, 19456, 1, uint32(len(want)))
		return subtle.ConstantTimeCompare(key, want) == 1
	}},
	{format: hash.FormatArgon2i, vector: "argon2i-4mib", primitive: func(b *testing.B, pw, enc string) bool {
		want := mustB64(b, base64.RawStdEncoding, "YTKWRL/tiC9RpwLDdwUhrY8DqxqY0GGMyUxXZY+ncBY")
		key := argon2.Key([]byte(pw), []byte("saltsaltsaltsalt"), 2, 4096, 1, uint32(len(want)))
		return subtle.ConstantTimeCompare(key, want) == 1
	}},
	{format: hash.FormatYescrypt, vector: "yescrypt-mkpasswd-fixed-salt", primitive: func(b *testing.B, pw, enc string) bool {
		out, err := yescrypt.Hash([]byte(pw), []byte(enc))
		return err == nil && subtle.ConstantTimeCompare(out, []byte(enc)) == 1
	}},
	{format: hash.FormatScrypt, vector: "scrypt-mkpasswd-fixed-salt", setup: func(b *testing.B, enc string) func(string) bool {
		want := yescrypt.Decode64([]byte(field(enc, 3))) // $7$BU..../....saltsalt: N=2^13, r=32, p=1
		return func(pw string) bool {
			key, err := scrypt.Key([]byte(pw), []byte("saltsalt"), 1<<13, 32, 1, 32)
			return err == nil && ctEqual(key, want)
		}
	}},
	{format: hash.FormatScryptPasslib, vector: "scrypt-passlib-ln10-r4-p4", setup: func(b *testing.B, enc string) func(string) bool {
		salt, want := mustB64(b, base64.RawStdEncoding, field(enc, 3)), mustB64(b, base64.RawStdEncoding, field(enc, 4))
		return func(pw string) bool {
			key, err := scrypt.Key([]byte(pw), salt, 1<<10, 4, 4, 32)
			return err == nil && ctEqual(key, want)
		}
	}},
	{format: hash.FormatBcryptSHA256, vector: "bcrypt-sha256-passlib-v2-cost10", setup: func(b *testing.B, enc string) func(string) bool {
		salt, sum := field(enc, 3), field(enc, 4)
		inner := []byte("$2b$10$" + salt + sum)
		return func(pw string) bool {
			m := hmac.New(sha256.New, []byte(salt))
			m.Write([]byte(pw))
			return bcrypt.CompareHashAndPassword(inner, []byte(base64.StdEncoding.EncodeToString(m.Sum(nil)))) == nil
		}
	}},
	{format: hash.FormatPhpass, vector: "phpass-H-16", setup: func(b *testing.B, enc string) func(string) bool {
		salt, want := enc[4:12], yescrypt.Decode64([]byte(enc[12:]))
		return func(pw string) bool {
			sum := md5.Sum([]byte(salt + pw))
			for range 1 << 16 {
				sum = md5.Sum(append(sum[:], pw...))
			}
			return ctEqual(sum[:], want)
		}
	}},
	{format: hash.FormatDjangoPBKDF2SHA256, vector: "django-pbkdf2-sha256-emoji", setup: func(b *testing.B, enc string) func(string) bool {
		return pbkdf2Bare(sha256.New, []byte(field(enc, 2)), 20000, mustB64(b, base64.StdEncoding, field(enc, 3)))
	}},
	{format: hash.FormatDjangoArgon2, vector: "django-argon2id", setup: func(b *testing.B, enc string) func(string) bool {
		salt, want := mustB64(b, base64.RawStdEncoding, field(enc, 4)), mustB64(b, base64.RawStdEncoding, field(enc, 5))
		return func(pw string) bool {
			return ctEqual(argon2.IDKey([]byte(pw), salt, 2, 1024, 2, uint32(len(want))), want)
		}
	}},
	{format: hash.FormatASPNetIdentityV3, vector: "aspnet-v3-sha256-10000", setup: func(b *testing.B, enc string) func(string) bool {
		blob := mustB64(b, base64.StdEncoding, enc)
		return pbkdf2Bare(sha256.New, blob[13:29], 10000, blob[29:])
	}},
	{format: hash.FormatLDAPSSHA, vector: "ldap-ssha", setup: func(b *testing.B, enc string) func(string) bool {
		raw := mustB64(b, base64.StdEncoding, strings.TrimPrefix(enc, "{SSHA}"))
		want, salt := raw[:sha1.Size], raw[sha1.Size:]
		return func(pw string) bool {
			h := sha1.New()
			h.Write([]byte(pw))
			h.Write(salt)
			return ctEqual(h.Sum(nil), want)
		}
	}},
	{format: hash.FormatLDAPSHA, vector: "ldap-sha", setup: func(b *testing.B, enc string) func(string) bool {
		want := mustB64(b, base64.StdEncoding, strings.TrimPrefix(enc, "{SHA}"))
		return func(pw string) bool {
			sum := sha1.Sum([]byte(pw))
			return ctEqual(sum[:], want)
		}
	}},
	{format: hash.FormatDjangoSHA1, vector: "django-sha1", setup: func(b *testing.B, enc string) func(string) bool {
		salt := field(enc, 1)
		want, err := hex.DecodeString(field(enc, 2))
		if err != nil {
			b.Fatal(err)
		}
		return func(pw string) bool {
			h := sha1.New()
			h.Write([]byte(salt))
			h.Write([]byte(pw))
			return ctEqual(h.Sum(nil), want)
		}
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
			bare := c.bare(b, v.Encoded)
			for b.Loop() {
				if !bare(v.Password) {
					b.Fatal("primitive did not verify")
				}
			}
		})
	}
}

// BenchmarkPaired alternates Verify and the primitive call on every
// iteration and reports the ratio of their total times, both wall-clock
// ("verify/primitive") and process CPU time ("cpu-verify/primitive"), so that
// load from other processes on a shared machine falls on both alike, and the
// difference per call ("overhead-ns/op"), the measure for single-hash
// schemes ({SHA}, {SSHA}, Django's sha1$) whose primitive takes well under a
// microsecond.
func BenchmarkPaired(b *testing.B) {
	for _, c := range benchCases {
		v := vectorByName(b, c.vector)
		b.Run(string(c.format), func(b *testing.B) {
			bare := c.bare(b, v.Encoded)
			var wall, cpu [2]time.Duration // [0] Verify, [1] primitive
			run := func(which int) {
				c0, t0 := cpuTime(b), time.Now()
				var ok bool
				if which == 0 {
					var err error
					ok, err = hash.Verify(v.Password, v.Encoded)
					ok = ok && err == nil
				} else {
					ok = bare(v.Password)
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
			b.ReportMetric(float64(wall[0]-wall[1])/float64(i), "overhead-ns/op")
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
