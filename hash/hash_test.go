package hash_test

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/alexedwards/argon2id"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
)

const (
	nfcPassword = "p\u00e4ssw\u00f6rd"   // "pässwörd", precomposed
	nfdPassword = "pa\u0308sswo\u0308rd" // the same characters, decomposed
)

// fast is a policy cheap enough to hash in every test.
func fast(t *testing.T, cfg hash.Config) *hash.Hasher {
	t.Helper()
	cfg.InsecureAllowWeakParameters = true
	if cfg.Argon2 == (hash.Argon2Params{}) {
		cfg.Argon2 = hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1}
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = 4
	}
	if cfg.PBKDF2.Iterations == 0 {
		cfg.PBKDF2.Iterations = 1000
	}
	h, err := hash.New(cfg)
	require.NoError(t, err)
	return h
}

func TestVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			if raceDetector && heavyVector.MatchString(v.Name) {
				t.Skip("realistic-cost vector: verified by go test without -race, whose runs of a KDF's loop take seconds, not minutes")
			}
			f, err := hash.Identify(v.Encoded)
			switch v.Error {
			case "limit":
				require.ErrorIs(t, err, hash.ErrLimit)
				assert.Empty(t, f)
				ok, err := hash.Verify(v.Password, v.Encoded)
				require.ErrorIs(t, err, hash.ErrLimit)
				assert.False(t, ok)
				assert.True(t, hash.NeedsRehash(v.Encoded))
				return
			case "insecure":
				require.ErrorIs(t, err, hash.ErrInsecureFormat)
				assert.Equal(t, hash.Format(v.Format), f, "Identify names a broken format")
				ok, err := hash.Verify(v.Password, v.Encoded)
				require.ErrorIs(t, err, hash.ErrInsecureFormat)
				assert.False(t, ok)
				assert.True(t, hash.NeedsRehash(v.Encoded))
				assertSingleSentinel(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, hash.Format(v.Format), f)

			canon, err := hash.Decode(v.Encoded)
			require.NoError(t, err)
			assert.Equal(t, v.Encoded, canon, "decode then encode is the identity")

			ok, err := hash.Verify(v.Password, v.Encoded)
			require.NoError(t, err)
			if v.Wrong {
				assert.False(t, ok, "wrong password (%s)", v.Command)
				return
			}
			assert.True(t, ok, "right password (%s)", v.Command)
			if f != hash.FormatArgon2id {
				assert.True(t, hash.NeedsRehash(v.Encoded))
			}

			wrong := []string{flipFirst(v.Password)}
			if !expensive[v.Name] && !strings.Contains(v.Name, "-R") {
				wrong = append(wrong, "wrong password")
				if len(v.Password) < 72 {
					wrong = append(wrong, v.Password+"x")
				}
			}
			for _, w := range wrong {
				ok, err := hash.Verify(w, v.Encoded)
				require.NoError(t, err)
				assert.False(t, ok, "wrong password %q", w)
			}
		})
	}
}

// heavyVector matches the vectors at realistic cost (16 MiB and more of
// scrypt or yescrypt, 100,000 and more PBKDF2 iterations, Django's default
// Argon2 of 100 MiB, phpass 2^19, bcrypt 10 and 12), which the race-enabled
// run skips: lighter vectors of every format run there.
var heavyVector = regexp.MustCompile(`^(yescrypt-mkpasswd-(R[5-9]|fixed-salt)|scrypt-mkpasswd-(R[6-9]|fixed-salt)|` +
	`scrypt-passlib-ln1[46].*|ldap-crypt-(scrypt|yescrypt)|django-argon2id-default-cost|django-pbkdf2-sha256-870000|` +
	`aspnet-v3-sha512-100000|phpass-P-19|bcrypt-mkpasswd-R12|bcrypt-sha256-passlib-v2-cost10)(-wrong)?$`)

// expensive vectors, at realistic cost, get one wrong password instead of
// three so that the race-enabled test run stays short.
var expensive = map[string]bool{
	"bcrypt-2y-cost10-htpasswd":         true,
	"pbkdf2-sftpgo-docs-example":        true,
	"pbkdf2-sftpgo-b64salt-sha256-600k": true,
	"argon2id-owasp":                    true,
}

// flipFirst changes the first byte's ASCII case (or returns "x" for "").
func flipFirst(s string) string {
	if s == "" {
		return "x"
	}
	return string(s[0]^0x20) + s[1:]
}

func TestSFTPGoDocsExample(t *testing.T) {
	t.Parallel()
	// From SFTPGo's password documentation, quoted in issue 2.
	const encoded = "$pbkdf2-sha256$150000$E86a9YMX3zC7$R5J62hsSq+pYw00hLLPKBbcGXmq7fj5+/M0IFoYtZbo="
	f, err := hash.Identify(encoded)
	require.NoError(t, err)
	assert.Equal(t, hash.FormatPBKDF2SFTPGo, f)
	ok, err := hash.Verify("password", encoded)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = hash.Verify("Password", encoded)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestBcrypt72Bytes(t *testing.T) {
	t.Parallel()
	v := vectorByName(t, "bcrypt-2y-80-bytes-htpasswd") // htpasswd -B with an 80-byte password
	require.Len(t, v.Password, 80)
	for _, tc := range []struct {
		name     string
		password string
		want     bool
	}{
		{"as hashed", v.Password, true},
		{"first 72 bytes", v.Password[:72], true},
		{"other bytes after 72", v.Password[:72] + "different tail", true},
		{"71 bytes", v.Password[:71], false},
		{"byte 72 changed", v.Password[:71] + "x" + v.Password[72:], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, err := hash.Verify(tc.password, v.Encoded)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ok)
		})
	}

	t.Run("Hash refuses over 72 bytes", func(t *testing.T) {
		t.Parallel()
		h := fast(t, hash.Config{Algorithm: hash.FormatBcrypt})
		_, err := h.Hash(strings.Repeat("a", 73))
		require.ErrorIs(t, err, hash.ErrPasswordTooLong)
		enc, err := h.Hash(strings.Repeat("a", 72))
		require.NoError(t, err)
		ok, err := h.Verify(strings.Repeat("a", 72), enc)
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestUnicode(t *testing.T) {
	t.Parallel()
	require.NotEqual(t, nfcPassword, nfdPassword)
	nfcHash := vectorByName(t, "sha512crypt-openssl-nfc-bytes").Encoded // openssl over the NFC bytes
	nfdHash := vectorByName(t, "sha512crypt-openssl-nfd-bytes").Encoded // openssl over the NFD bytes
	for _, tc := range []struct {
		name, password, encoded string
		want                    bool
	}{
		{"NFC input, NFC hash", nfcPassword, nfcHash, true},
		{"NFD input, NFC hash (retried as NFC)", nfdPassword, nfcHash, true},
		{"NFD input, raw NFD hash", nfdPassword, nfdHash, true},
		{"NFC input, raw NFD hash (bytes differ)", nfcPassword, nfdHash, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, err := hash.Verify(tc.password, tc.encoded)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ok)
		})
	}

	t.Run("Hash stores NFC", func(t *testing.T) {
		t.Parallel()
		salt := []byte("saltsaltsaltsalt")
		h := fast(t, hash.Config{})
		fromNFD, err := hash.WithRand(h, bytes.NewReader(salt)).Hash(nfdPassword)
		require.NoError(t, err)
		fromNFC, err := hash.WithRand(h, bytes.NewReader(salt)).Hash(nfcPassword)
		require.NoError(t, err)
		assert.Equal(t, fromNFC, fromNFD)
		for _, pw := range []string{nfcPassword, nfdPassword} {
			ok, err := h.Verify(pw, fromNFD)
			require.NoError(t, err)
			assert.True(t, ok, "%q", pw)
		}
	})
}

// TestHashKnownAnswer feeds Hash the salt an independent tool used and
// expects that tool's output byte for byte.
func TestHashKnownAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vector string
		salt   string
		cfg    hash.Config
	}{
		{"argon2id-owasp", "saltsaltsaltsalt", hash.Config{}},
		{"pbkdf2-sftpgo-b64salt-sha256-600k", "1234567890abcdef", hash.Config{Algorithm: hash.FormatPBKDF2SFTPGo}},
		{"pbkdf2-passlib-sha256-29000", "saltsaltsaltsalt", hash.Config{
			Algorithm: hash.FormatPBKDF2Passlib, PBKDF2: hash.PBKDF2Params{Iterations: 29000},
			InsecureAllowWeakParameters: true,
		}},
		{"argon2id-small-p2", "saltsalt", hash.Config{
			Argon2:                      hash.Argon2Params{Time: 1, Memory: 64, Lanes: 2, SaltLength: 8},
			InsecureAllowWeakParameters: true,
		}},
		{"argon2id-nfc-l16", "somesaltsomesalt", hash.Config{
			Argon2:                      hash.Argon2Params{Time: 3, Memory: 32, Lanes: 4, KeyLength: 16},
			InsecureAllowWeakParameters: true,
		}},
	} {
		t.Run(tc.vector, func(t *testing.T) {
			t.Parallel()
			v := vectorByName(t, tc.vector)
			h, err := hash.New(tc.cfg)
			require.NoError(t, err)
			got, err := hash.WithRand(h, strings.NewReader(tc.salt)).Hash(v.Password)
			require.NoError(t, err)
			assert.Equal(t, v.Encoded, got)
		})
	}
}

func TestHashRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		cfg    hash.Config
		prefix string
	}{
		{"argon2id", hash.Config{}, "$argon2id$v=19$m=64,t=1,p=1$"},
		{"bcrypt", hash.Config{Algorithm: hash.FormatBcrypt}, "$2a$04$"},
		{"pbkdf2-sftpgo", hash.Config{Algorithm: hash.FormatPBKDF2SFTPGo}, "$pbkdf2-b64salt-sha256$1000$"},
		{"pbkdf2-passlib", hash.Config{Algorithm: hash.FormatPBKDF2Passlib}, "$pbkdf2-sha256$1000$"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := fast(t, tc.cfg)
			for _, pw := range []string{"", "password", nfcPassword, "p@ss w0rd!$:", "nul\x00byte"} {
				enc, err := h.Hash(pw)
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(enc, tc.prefix), enc)
				f, err := h.Identify(enc)
				require.NoError(t, err)
				assert.Equal(t, h.Config().Algorithm, f)
				ok, err := h.Verify(pw, enc)
				require.NoError(t, err)
				assert.True(t, ok)
				ok, err = h.Verify(pw+"!", enc)
				require.NoError(t, err)
				assert.False(t, ok)
				assert.False(t, h.NeedsRehash(enc))
			}
			a, err := h.Hash("same")
			require.NoError(t, err)
			b, err := h.Hash("same")
			require.NoError(t, err)
			assert.NotEqual(t, a, b, "fresh salt per hash")
		})
	}
}

func TestDefaultHash(t *testing.T) {
	t.Parallel()
	enc, err := hash.Hash("correct horse battery staple")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$"), enc)
	ok, err := hash.Verify("correct horse battery staple", enc)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, hash.NeedsRehash(enc))

	// The zero Hasher and a nil *Hasher are the defaults too.
	var zero hash.Hasher
	ok, err = zero.Verify("correct horse battery staple", enc)
	require.NoError(t, err)
	assert.True(t, ok)
	var nilHasher *hash.Hasher
	assert.False(t, nilHasher.NeedsRehash(enc))
}

// TestArgon2idPackageInterop checks both directions against
// github.com/alexedwards/argon2id, an independent encoder of the same format.
func TestArgon2idPackageInterop(t *testing.T) {
	t.Parallel()
	h := fast(t, hash.Config{Argon2: hash.Argon2Params{Time: 2, Memory: 128, Lanes: 2}})
	ours, err := h.Hash("password")
	require.NoError(t, err)
	match, err := argon2id.ComparePasswordAndHash("password", ours)
	require.NoError(t, err)
	assert.True(t, match)

	theirs, err := argon2id.CreateHash("password", &argon2id.Params{
		Memory: 128, Iterations: 2, Parallelism: 2, SaltLength: 16, KeyLength: 32,
	})
	require.NoError(t, err)
	ok, err := h.Verify("password", theirs)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = h.Verify("passwore", theirs)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestPasswordTooLong(t *testing.T) {
	t.Parallel()
	v := vectorByName(t, "ldap-ssha")
	long := strings.Repeat("a", hash.DefaultMaxPasswordLength+1)
	_, err := hash.Verify(long, v.Encoded)
	require.ErrorIs(t, err, hash.ErrPasswordTooLong)
	_, err = hash.Verify(strings.Repeat("a", 1<<20), v.Encoded)
	require.ErrorIs(t, err, hash.ErrPasswordTooLong)
	_, err = hash.Hash(long)
	require.ErrorIs(t, err, hash.ErrPasswordTooLong)
	ok, err := hash.Verify(long[:hash.DefaultMaxPasswordLength], v.Encoded)
	require.NoError(t, err)
	assert.False(t, ok)

	// NFC can lengthen a string (U+2ADC is three bytes, its NFC form
	// U+2ADD U+0338 five).
	h := fast(t, hash.Config{Limits: hash.Limits{MaxPasswordLength: 64}})
	_, err = h.Hash(strings.Repeat("\u2adc", 20)) // 60 bytes, 100 after NFC
	require.ErrorIs(t, err, hash.ErrPasswordTooLong)
}

// TestCryptPasswordLength: md5crypt, apr1, sha-crypt and phpass, whose cost
// grows with the password's length, take at most MaxCryptPasswordLength
// bytes, and sha-crypt counts the length in its rounds limit.
func TestCryptPasswordLength(t *testing.T) {
	t.Parallel()
	const max = hash.MaxCryptPasswordLength
	rounds := func(n int) string { // a sha512crypt hash of n rounds, checksum zero
		return "$6$rounds=" + itoa(n) + "$saltsalt$" + strings.Repeat(".", 86)
	}
	for _, tc := range []struct {
		name, encoded string
		length        int
		tooLong       bool
	}{
		{"md5crypt at the cap", goodMD5, max, false},
		{"md5crypt over the cap", goodMD5, max + 1, true},
		{"apr1 over the cap", vectorByName(t, "apr1-openssl").Encoded, max + 1, true},
		{"phpass at the cap", goodPhpass, max, false},
		{"phpass over the cap", goodPhpass, max + 1, true},
		{"{CRYPT} md5crypt over the cap", "{CRYPT}" + goodMD5, max + 1, true},
		{"sha512crypt 5000 rounds at the cap", vectorByName(t, "sha512crypt-openssl").Encoded, max, false},
		{"sha512crypt 5000 rounds over the cap", vectorByName(t, "sha512crypt-openssl").Encoded, max + 1, true},
		{"sha512crypt 250,000 rounds, 256 bytes", rounds(250_000), 256, false},
		{"sha512crypt 250,001 rounds, 256 bytes", rounds(250_001), 256, true},
		{"sha512crypt 500,000 rounds, 128 bytes", rounds(500_000), 128, false},
		{"sha512crypt 500,000 rounds, 129 bytes", rounds(500_000), 129, true},
		{"sha512crypt 1,000,000 rounds, 64 bytes", rounds(1_000_000), 64, false},
		{"sha512crypt 1,000,000 rounds, 65 bytes", rounds(1_000_000), 65, true},
		{"sha512crypt rounds 1000 at the cap", goodSHA512, max, false},
		{"bcrypt is not capped", goodBcrypt, 1024, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if raceDetector && strings.Contains(tc.name, "00,000 rounds") && !tc.tooLong {
				t.Skip("hundreds of thousands of rounds under the race detector")
			}
			ok, err := hash.Verify(strings.Repeat("a", tc.length), tc.encoded)
			assert.False(t, ok)
			if tc.tooLong {
				require.ErrorIs(t, err, hash.ErrPasswordTooLong)
				assert.NotContains(t, err.Error(), "aaaa")
			} else {
				require.NoError(t, err)
			}
		})
	}
}

// TestNFCRetryWithinLimits: Verify retries a non-NFC password in NFC only
// against a hash that costs at most half of what the limits admit.
func TestNFCRetryWithinLimits(t *testing.T) {
	t.Parallel()
	v := vectorByName(t, "sha512crypt-mkpasswd-rounds") // rounds=1000 of the NFC password
	require.Equal(t, nfcPassword, v.Password)
	ok, err := hash.Verify(nfdPassword, v.Encoded)
	require.NoError(t, err)
	assert.True(t, ok, "retried in NFC under the default limits")

	tight, err := hash.New(hash.Config{Limits: hash.Limits{MaxSHACryptRounds: 1999}})
	require.NoError(t, err)
	ok, err = tight.Verify(nfdPassword, v.Encoded)
	require.NoError(t, err)
	assert.False(t, ok, "1000 rounds is over half of 1999: no retry")
	ok, err = tight.Verify(nfcPassword, v.Encoded)
	require.NoError(t, err)
	assert.True(t, ok, "the bytes as typed still verify")

	b := vectorByName(t, "bcrypt-2b-nfc-mkpasswd") // cost 5, NFC password
	at5, err := hash.New(hash.Config{Limits: hash.Limits{MaxBcryptCost: 5}, Algorithm: hash.FormatBcrypt, BcryptCost: 4, InsecureAllowWeakParameters: true})
	require.NoError(t, err)
	ok, err = at5.Verify(nfdPassword, b.Encoded)
	require.NoError(t, err)
	assert.False(t, ok, "bcrypt at its cost limit: no retry")
	ok, err = hash.Verify(nfdPassword, b.Encoded)
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestNULInPassword shows that a NUL byte is part of the password: crypt(3)
// in C would stop at it, so a C-made hash of the prefix must not match.
func TestNULInPassword(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"md5crypt-openssl", "sha512crypt-openssl", "bcrypt-2y-cost4-htpasswd", "argon2id-small-p2"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v := vectorByName(t, name)
			ok, err := hash.Verify(v.Password+"\x00suffix", v.Encoded)
			require.NoError(t, err)
			assert.False(t, ok)
		})
	}
}

func TestHashRandomFailure(t *testing.T) {
	t.Parallel()
	for _, alg := range []hash.Format{hash.FormatArgon2id, hash.FormatPBKDF2SFTPGo, hash.FormatPBKDF2Passlib} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			h := hash.WithRand(fast(t, hash.Config{Algorithm: alg}), iotest.ErrReader(errors.New("no entropy")))
			enc, err := h.Hash("password")
			require.ErrorContains(t, err, "no entropy")
			assert.Empty(t, enc)
		})
	}
}
