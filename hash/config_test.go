package hash_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
)

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	h, err := hash.New(hash.Config{})
	require.NoError(t, err)
	c := h.Config()
	assert.Equal(t, hash.FormatArgon2id, c.Algorithm)
	assert.Equal(t, hash.Argon2Params{Time: 2, Memory: 19456, Lanes: 1, SaltLength: 16, KeyLength: 32}, c.Argon2)
	assert.Equal(t, 10, c.BcryptCost)
	assert.Equal(t, hash.PBKDF2Params{Iterations: 600_000, SaltLength: 16}, c.PBKDF2)
	assert.Equal(t, hash.Limits{
		MaxBcryptCost: 14, MaxPBKDF2Iterations: 2_000_000, MaxSHACryptRounds: 1_000_000,
		MaxArgon2Memory: 256 * 1024, MaxArgon2Time: 16, MaxArgon2MemoryTime: 1 << 20, MaxArgon2Lanes: 16,
		MaxScryptMemory: 256 * 1024, MaxPhpassCost: 20,
		MaxEncodedLength: 1024, MaxPasswordLength: 1024,
	}, c.Limits)
	assert.False(t, c.InsecureAllowWeakParameters)

	var zero hash.Hasher
	assert.Equal(t, c, zero.Config(), "the zero Hasher is New(Config{})")
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  hash.Config
		ok   bool
	}{
		{"zero", hash.Config{}, true},
		{"RFC 9106 second option", hash.Config{Argon2: hash.Argon2Params{Time: 3, Memory: 64 * 1024, Lanes: 4}}, true},
		{"OWASP m=7MiB t=5", hash.Config{Argon2: hash.Argon2Params{Time: 5, Memory: 7 * 1024}}, true},
		{"bcrypt cost 12", hash.Config{Algorithm: hash.FormatBcrypt, BcryptCost: 12}, true},
		{"pbkdf2 sftpgo", hash.Config{Algorithm: hash.FormatPBKDF2SFTPGo}, true},
		{"pbkdf2 passlib 1M", hash.Config{Algorithm: hash.FormatPBKDF2Passlib, PBKDF2: hash.PBKDF2Params{Iterations: 1_000_000}}, true},
		{"weak allowed when asked", hash.Config{Argon2: hash.Argon2Params{Time: 1, Memory: 64}, InsecureAllowWeakParameters: true}, true},
		{"bcrypt policy ignores argon2 fields", hash.Config{Algorithm: hash.FormatBcrypt, Limits: hash.Limits{MaxArgon2Memory: 64}}, true},
		{"raised limits", hash.Config{Limits: hash.Limits{MaxBcryptCost: 31, MaxSHACryptRounds: 999_999_999, MaxArgon2Lanes: 255, MaxPasswordLength: 4096}}, true},

		{"md5crypt cannot be a policy", hash.Config{Algorithm: hash.FormatMD5Crypt}, false},
		{"argon2i cannot be a policy", hash.Config{Algorithm: hash.FormatArgon2i}, false},
		{"unknown algorithm", hash.Config{Algorithm: "scrypt"}, false},
		{"argon2 memory in MiB by mistake", hash.Config{Argon2: hash.Argon2Params{Memory: 19}}, false},
		{"argon2 m*t below OWASP", hash.Config{Argon2: hash.Argon2Params{Memory: 8192, Time: 1}}, false},
		{"argon2 short salt", hash.Config{Argon2: hash.Argon2Params{SaltLength: 8}}, false},
		{"argon2 short salt even if insecure", hash.Config{Argon2: hash.Argon2Params{SaltLength: 4}, InsecureAllowWeakParameters: true}, false},
		{"argon2 short tag", hash.Config{Argon2: hash.Argon2Params{KeyLength: 8}}, false},
		{"argon2 memory < 8 lanes", hash.Config{Argon2: hash.Argon2Params{Memory: 16, Lanes: 4}, InsecureAllowWeakParameters: true}, false},
		{"argon2 negative time", hash.Config{Argon2: hash.Argon2Params{Time: -1}}, false},
		{"argon2 over its own limit", hash.Config{Argon2: hash.Argon2Params{Memory: 512 * 1024}}, false},
		{"argon2 lanes over limit", hash.Config{Argon2: hash.Argon2Params{Lanes: 17}}, false},
		{"bcrypt cost 9", hash.Config{Algorithm: hash.FormatBcrypt, BcryptCost: 9}, false},
		{"bcrypt cost 17 over limit", hash.Config{Algorithm: hash.FormatBcrypt, BcryptCost: 17}, false},
		{"bcrypt cost 3", hash.Config{Algorithm: hash.FormatBcrypt, BcryptCost: 3, InsecureAllowWeakParameters: true}, false},
		{"pbkdf2 100k", hash.Config{Algorithm: hash.FormatPBKDF2SFTPGo, PBKDF2: hash.PBKDF2Params{Iterations: 100_000}}, false},
		{"pbkdf2 salt 65", hash.Config{Algorithm: hash.FormatPBKDF2Passlib, PBKDF2: hash.PBKDF2Params{SaltLength: 65}}, false},
		{"limit bcrypt 32", hash.Config{Limits: hash.Limits{MaxBcryptCost: 32}}, false},
		{"limit bcrypt 3", hash.Config{Limits: hash.Limits{MaxBcryptCost: 3}}, false},
		{"limit sha-crypt 999", hash.Config{Limits: hash.Limits{MaxSHACryptRounds: 999}}, false},
		{"limit sha-crypt over crypt's bound", hash.Config{Limits: hash.Limits{MaxSHACryptRounds: 1_000_000_000}}, false},
		{"limit lanes 256", hash.Config{Limits: hash.Limits{MaxArgon2Lanes: 256}}, false},
		{"limit encoded 100", hash.Config{Limits: hash.Limits{MaxEncodedLength: 100}}, false},
		{"limit password 10", hash.Config{Limits: hash.Limits{MaxPasswordLength: 10}}, false},
		{"limit password 1 MiB", hash.Config{Limits: hash.Limits{MaxPasswordLength: 1 << 20}}, false},
		{"limit negative", hash.Config{Limits: hash.Limits{MaxPBKDF2Iterations: -1}}, false},
		{"limit below default policy", hash.Config{Limits: hash.Limits{MaxArgon2Memory: 1024}}, false},
		{"bcrypt policy at its limit (no NFC retry)", hash.Config{Algorithm: hash.FormatBcrypt, BcryptCost: 14}, false},
		{"bcrypt 14 with room to retry", hash.Config{Algorithm: hash.FormatBcrypt, BcryptCost: 14, Limits: hash.Limits{MaxBcryptCost: 15}}, true},
		{"argon2 over half of memory×time", hash.Config{Argon2: hash.Argon2Params{Time: 3, Memory: 256 * 1024}}, false},
		{"argon2 libsodium interactive", hash.Config{Argon2: hash.Argon2Params{Time: 2, Memory: 64 * 1024}}, true},
		{"pbkdf2 over half its limit", hash.Config{Algorithm: hash.FormatPBKDF2SFTPGo, PBKDF2: hash.PBKDF2Params{Iterations: 1_000_001}}, false},
		{"limit argon2 memory×time 4 KiB", hash.Config{Limits: hash.Limits{MaxArgon2MemoryTime: 4}}, false},
		{"limit scrypt 4 KiB", hash.Config{Limits: hash.Limits{MaxScryptMemory: 4}}, false},
		{"limit scrypt over 4 GiB", hash.Config{Limits: hash.Limits{MaxScryptMemory: 4<<20 + 1}}, false},
		{"limit phpass 6", hash.Config{Limits: hash.Limits{MaxPhpassCost: 6}}, false},
		{"limit phpass 31", hash.Config{Limits: hash.Limits{MaxPhpassCost: 31}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := hash.New(tc.cfg)
			if tc.ok {
				require.NoError(t, err)
				require.NotNil(t, h)
				return
			}
			require.ErrorIs(t, err, hash.ErrInvalidConfig)
			assert.Nil(t, h)
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	vec := func(name string) string { return vectorByName(t, name).Encoded }
	stronger, err := hash.New(hash.Config{Argon2: hash.Argon2Params{Time: 3, Memory: 32 * 1024, Lanes: 2}})
	require.NoError(t, err)
	strongerHash, err := stronger.Hash("x")
	require.NoError(t, err)

	bcryptPolicy, err := hash.New(hash.Config{Algorithm: hash.FormatBcrypt})
	require.NoError(t, err)
	sftpgoPolicy, err := hash.New(hash.Config{Algorithm: hash.FormatPBKDF2SFTPGo})
	require.NoError(t, err)
	passlibPolicy, err := hash.New(hash.Config{
		Algorithm: hash.FormatPBKDF2Passlib, PBKDF2: hash.PBKDF2Params{Iterations: 29000}, InsecureAllowWeakParameters: true,
	})
	require.NoError(t, err)
	var def hash.Hasher

	for _, tc := range []struct {
		name    string
		h       *hash.Hasher
		encoded string
		want    bool
	}{
		{"default: argon2id at the policy", &def, vec("argon2id-owasp"), false},
		{"default: argon2id stronger", &def, strongerHash, false},
		{"default: argon2id less memory", &def, vec("argon2id-small-p2"), true},
		{"default: argon2id short tag", &def, vec("argon2id-nfc-l16"), true},
		{"default: argon2i", &def, vec("argon2i-4mib"), true},
		{"default: bcrypt", &def, vec("bcrypt-2y-cost10-htpasswd"), true},
		{"default: pbkdf2", &def, vec("pbkdf2-sftpgo-b64salt-sha256-600k"), true},
		{"default: sha512crypt", &def, vec("sha512crypt-openssl"), true},
		{"default: md5crypt", &def, vec("md5crypt-openssl"), true},
		{"default: malformed", &def, "$argon2id$v=19$m=19456,t=2,p=1$", true},
		{"default: over limits", &def, "$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$T95q7S205tf9WI4HhYOZDIQmMMAbntacGXTIku0gXT8", true},
		{"default: empty", &def, "", true},

		{"bcrypt: cost 10", bcryptPolicy, vec("bcrypt-2y-cost10-htpasswd"), false},
		{"bcrypt: cost 4", bcryptPolicy, vec("bcrypt-2y-cost4-htpasswd"), true},
		{"bcrypt: argon2id", bcryptPolicy, vec("argon2id-owasp"), true},

		{"sftpgo: b64salt 600k 16-byte salt", sftpgoPolicy, vec("pbkdf2-sftpgo-b64salt-sha256-600k"), false},
		{"sftpgo: b64salt 1000", sftpgoPolicy, vec("pbkdf2-sftpgo-b64salt-sha256"), true},
		{"sftpgo: plain salt", sftpgoPolicy, vec("pbkdf2-sftpgo-docs-example"), true},
		{"sftpgo: sha512", sftpgoPolicy, vec("pbkdf2-sftpgo-sha512"), true},
		{"sftpgo: passlib form", sftpgoPolicy, vec("pbkdf2-passlib-sha256-29000"), true},

		{"passlib: sha256 29000 16-byte salt", passlibPolicy, vec("pbkdf2-passlib-sha256-29000"), false},
		{"passlib: 1000 rounds", passlibPolicy, vec("pbkdf2-passlib-sha256-nfc"), true},
		{"passlib: sha512", passlibPolicy, vec("pbkdf2-passlib-sha512"), true},
		{"passlib: sha1", passlibPolicy, vec("pbkdf2-passlib-sha1"), true},
		{"passlib: empty salt", passlibPolicy, vec("pbkdf2-passlib-sha256-empty-salt"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.h.NeedsRehash(tc.encoded))
		})
	}
	assert.True(t, hash.NeedsRehash(vec("argon2id-small-p2")))
	assert.False(t, hash.NeedsRehash(vec("argon2id-owasp")))
}
