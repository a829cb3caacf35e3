package hash_test

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/latchkit/latch/hash"
)

// worstCase is, for one format, the most expensive hash the default Limits
// accept and the most expensive password for it: the longest the format's
// verification takes, not NFC, so that Verify retries it in NFC whenever the
// hash is cheap enough for a retry. The checksums are zero: the password is
// wrong, which costs the same work as a right one plus the retry.
type worstCase struct {
	name     string
	encoded  string
	password string
}

// worstPassword is nBytes long, valid UTF-8 and not NFC (it ends in "e" and
// a combining acute accent).
func worstPassword(nBytes int) string {
	return strings.Repeat("a", nBytes-3) + "e\u0301"
}

func zeroCrypt64(n int) string { return strings.Repeat(".", n) }

func worstCases() []worstCase {
	b64 := base64.StdEncoding.EncodeToString
	raw := base64.RawStdEncoding.EncodeToString
	l := new(hash.Hasher).Config().Limits
	crypt := hash.MaxCryptPasswordLength
	long := l.MaxPasswordLength
	two := func(v int) string { return string([]byte{byte('0' + v/10), byte('0' + v%10)}) }
	aspnet := func(prf, iter uint32) string {
		b := []byte{1}
		b = binary.BigEndian.AppendUint32(b, prf)
		b = binary.BigEndian.AppendUint32(b, iter)
		b = binary.BigEndian.AppendUint32(b, 16)
		return b64(append(b, make([]byte, 48)...))
	}
	// 128·N·r = MaxScryptMemory KiB with r = 32 (libxcrypt's).
	logN := 0
	for (1<<(logN+1))*128*32/1024 <= l.MaxScryptMemory {
		logN++
	}
	const hash64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	return []worstCase{
		{"bcrypt", "$2b$" + two(l.MaxBcryptCost) + "$" + zeroCrypt64(22) + zeroCrypt64(31), worstPassword(72)},
		{"bcrypt-sha256", "$bcrypt-sha256$v=2,t=2b,r=" + itoa(l.MaxBcryptCost) + "$" + zeroCrypt64(22) + "$" + zeroCrypt64(31), worstPassword(long)},
		{"pbkdf2-sftpgo-sha512", "$pbkdf2-sha512$" + itoa(l.MaxPBKDF2Iterations) + "$salt$" + b64(make([]byte, 64)), worstPassword(long)},
		{"pbkdf2-passlib-sha512", "$pbkdf2-sha512$" + itoa(l.MaxPBKDF2Iterations) + "$c2FsdA$" + strings.Repeat("A", 85) + "A", worstPassword(long)},
		{"django-pbkdf2-sha256", "pbkdf2_sha256$" + itoa(l.MaxPBKDF2Iterations) + "$salt$" + b64(make([]byte, 32)), worstPassword(long)},
		{"aspnet-identity-v3-sha512", aspnet(2, uint32(l.MaxPBKDF2Iterations)), worstPassword(long)},
		{"md5-crypt", "$1$saltsalt$" + zeroCrypt64(22), worstPassword(crypt)},
		{"apr1", "$apr1$saltsalt$" + zeroCrypt64(22), worstPassword(crypt)},
		// At the most rounds, the longest password they take is 64 bytes;
		// fewer rounds take longer passwords for less work in all.
		{"sha256-crypt", "$5$rounds=" + itoa(l.MaxSHACryptRounds) + "$saltsaltsaltsalt$" + zeroCrypt64(43), worstPassword(64)},
		{"sha512-crypt", "$6$rounds=" + itoa(l.MaxSHACryptRounds) + "$saltsaltsaltsalt$" + zeroCrypt64(86), worstPassword(64)},
		{"sha512-crypt-256-bytes", "$6$rounds=" + itoa(l.MaxSHACryptRounds/4) + "$saltsaltsaltsalt$" + zeroCrypt64(86), worstPassword(crypt)},
		{"phpass", "$P$" + string(hash64[l.MaxPhpassCost]) + "saltsalt" + zeroCrypt64(22), worstPassword(crypt)},
		{"argon2id", "$argon2id$v=19$m=" + itoa(l.MaxArgon2Memory) + ",t=" + itoa(maxArgon2Time(l)) + ",p=1$" + raw(make([]byte, 16)) + "$" + raw(make([]byte, 32)), worstPassword(long)},
		{"yescrypt", "$y$j" + string(hash64[logN-1]) + "T$" + zeroCrypt64(22) + "$" + zeroCrypt64(43), worstPassword(long)},
		{"scrypt", "$7$" + string(hash64[logN]) + "U..../....saltsalt$" + zeroCrypt64(43), worstPassword(long)},
		{"latch-wrap-sha512-crypt", "$latch-wrap$sha512-crypt$$6$rounds=" + itoa(l.MaxSHACryptRounds) + "$saltsaltsaltsalt" +
			"$argon2id$v=19$m=" + itoa(l.MaxArgon2Memory) + ",t=" + itoa(maxArgon2Time(l)/2) + ",p=1$" + raw(make([]byte, 16)) + "$" + raw(make([]byte, 32)), worstPassword(64)},
		{"ldap-ssha512", "{SSHA512}" + b64(make([]byte, 64+16)), worstPassword(long)},
	}
}

// maxArgon2Time is the most passes the limits allow at MaxArgon2Memory.
func maxArgon2Time(l hash.Limits) int {
	return min(l.MaxArgon2Time, l.MaxArgon2MemoryTime/l.MaxArgon2Memory)
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}

// TestWorstCasesAccepted checks that every worst case is within the default
// limits, so BenchmarkWorstCase measures real verifications.
func TestWorstCasesAccepted(t *testing.T) {
	t.Parallel()
	for _, c := range worstCases() {
		_, err := hash.Identify(c.encoded)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// BenchmarkWorstCase measures, for each format, the longest single Verify
// call the default limits allow (see worstCases), with its process CPU time
// per call. Run:
//
//	go test -run '^$' -bench '^BenchmarkWorstCase$' -benchtime 3x -count 3 ./hash
func BenchmarkWorstCase(b *testing.B) {
	for _, c := range worstCases() {
		b.Run(c.name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				c0 := cpuTime(b)
				ok, err := hash.Verify(c.password, c.encoded)
				cpu += cpuTime(b) - c0
				if ok || err != nil {
					b.Fatal(ok, err)
				}
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
