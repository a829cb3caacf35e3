package hash_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
)

// Canonical hashes from testdata/vectors.jsonl, altered one field at a time.
const (
	goodBcrypt  = "$2y$04$kJhlt44pko5HrxTKav9sTuO7OA4Kg9e/z.I4wsclDtpqHa4/FGqK6"
	goodSFTPGo  = "$pbkdf2-sha256$150000$E86a9YMX3zC7$R5J62hsSq+pYw00hLLPKBbcGXmq7fj5+/M0IFoYtZbo="
	goodPasslib = "$pbkdf2-sha256$29000$c2FsdHNhbHRzYWx0c2FsdA$7xwbY5rCP.qJhnvJ80W3FI7hSRg8wNnl3S9rczjVuCk"
	goodSHA512  = "$6$rounds=1000$saltsalt$osotUMSS7K.0TIfteadkw2nXkU3mHd2sic8QLeQ4NmBYvnNlee/nDNLXQJypj6pZfrDryJ6nKZzumyw65bri70"
	goodMD5     = "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
	goodArgon2  = "$argon2id$v=19$m=64,t=1,p=2$c2FsdHNhbHQ$VbvJYuN8UrsUgdORHxZ7HioLzM7/UV1Oi5KjQDVxHIA"
)

type hostileCase struct {
	name    string
	encoded string
	want    error
}

// hostileCases are refused by Verify, Identify and NeedsRehash under the
// default limits, before any hashing. Where a row says "libxcrypt",
// "passlib" or "libargon2", that reference refuses the same string (checked
// with Python's crypt module, passlib 1.7.4 and argon2-cffi over libargon2),
// or, for over-long salts and non-canonical trailing bits in crypt(3)
// formats, re-encodes it so that it can never verify there.
func hostileCases() []hostileCase {
	r := strings.Replace
	return []hostileCase{
		// Unknown formats.
		{"empty string", "", hash.ErrUnknownFormat},
		{"plain text", "password", hash.ErrUnknownFormat},
		{"unknown prefix", "$9$abc$def", hash.ErrUnknownFormat},
		{"ldap scheme", "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", hash.ErrUnknownFormat},
		{"leading space", " " + goodBcrypt, hash.ErrUnknownFormat},
		{"NUL prefix", "\x00" + goodBcrypt, hash.ErrUnknownFormat},
		{"bcrypt $2x$", r(goodBcrypt, "$2y$", "$2x$", 1), hash.ErrUnknownFormat},
		{"bcrypt $2$", "$2$04$" + goodBcrypt[7:], hash.ErrUnknownFormat},
		{"bcrypt $2c$ (libxcrypt)", r(goodBcrypt, "$2y$", "$2c$", 1), hash.ErrUnknownFormat},
		{"argon2d", r(goodArgon2, "argon2id", "argon2d", 1), hash.ErrUnknownFormat},
		{"argon2 upper case (libargon2)", r(goodArgon2, "argon2id", "argon2ID", 1), hash.ErrUnknownFormat},
		{"argon2 without v= is version 0x10", r(goodArgon2, "v=19$", "", 1), hash.ErrUnknownFormat},
		{"argon2 v=16", r(goodArgon2, "v=19", "v=16", 1), hash.ErrUnknownFormat},
		{"pbkdf2-sha384", r(goodSFTPGo, "sha256", "sha384", 1), hash.ErrUnknownFormat},
		{"apr1 upper case", r(goodMD5, "$1$", "$APR1$", 1), hash.ErrUnknownFormat},

		// Over the safety limits (the default limits).
		{"1 MB string", strings.Repeat("a", 1<<20), hash.ErrLimit},
		{"1 MB bcrypt-looking string", goodBcrypt + strings.Repeat("a", 1<<20), hash.ErrLimit},
		{"1025 bytes", "$6$" + strings.Repeat("a", 1022), hash.ErrLimit},
		{"bcrypt cost 31", r(goodBcrypt, "$04$", "$31$", 1), hash.ErrLimit},
		{"bcrypt cost 17", r(goodBcrypt, "$04$", "$17$", 1), hash.ErrLimit},
		{"pbkdf2 iterations 2,000,000,000", r(goodSFTPGo, "150000", "2000000000", 1), hash.ErrLimit},
		{"pbkdf2 iterations 5,000,001", r(goodSFTPGo, "150000", "5000001", 1), hash.ErrLimit},
		{"passlib rounds 4294967295", r(goodPasslib, "29000", "4294967295", 1), hash.ErrLimit},
		{"sha512crypt rounds=999999999", r(goodSHA512, "1000", "999999999", 1), hash.ErrLimit},
		{"sha512crypt rounds=10000001", r(goodSHA512, "1000", "10000001", 1), hash.ErrLimit},
		{"argon2 m=4294967295", r(goodArgon2, "m=64", "m=4294967295", 1), hash.ErrLimit},
		{"argon2 m=262145", r(goodArgon2, "m=64", "m=262145", 1), hash.ErrLimit},
		{"argon2 t=17", r(goodArgon2, "t=1", "t=17", 1), hash.ErrLimit},
		{"argon2 t=4294967295", r(goodArgon2, "t=1", "t=4294967295", 1), hash.ErrLimit},
		{"argon2 p=17", r(goodArgon2, "m=64,t=1,p=2", "m=256,t=1,p=17", 1), hash.ErrLimit},

		// bcrypt (OpenBSD, libxcrypt).
		{"bcrypt cost 32", r(goodBcrypt, "$04$", "$32$", 1), hash.ErrMalformed},
		{"bcrypt cost 03", r(goodBcrypt, "$04$", "$03$", 1), hash.ErrMalformed},
		{"bcrypt one-digit cost", r(goodBcrypt, "$04$", "$4$", 1), hash.ErrMalformed},
		{"bcrypt signed cost", r(goodBcrypt, "$04$", "$+4$", 1), hash.ErrMalformed},
		{"bcrypt truncated", goodBcrypt[:59], hash.ErrMalformed},
		{"bcrypt no checksum", goodBcrypt[:29], hash.ErrMalformed},
		{"bcrypt extra byte", goodBcrypt + "a", hash.ErrMalformed},
		{"bcrypt trailing newline", goodBcrypt + "\n", hash.ErrMalformed},
		{"bcrypt NUL in salt", goodBcrypt[:10] + "\x00" + goodBcrypt[11:], hash.ErrMalformed},
		{"bcrypt salt not in alphabet", goodBcrypt[:10] + "+" + goodBcrypt[11:], hash.ErrMalformed},
		{"bcrypt salt trailing bits", goodBcrypt[:28] + "/" + goodBcrypt[29:], hash.ErrMalformed},
		{"bcrypt checksum trailing bits", goodBcrypt[:59] + "f", hash.ErrMalformed},
		{"bcrypt no '$' after cost", goodBcrypt[:6] + "x" + goodBcrypt[7:], hash.ErrMalformed},

		// pbkdf2, SFTPGo form.
		{"sftpgo iterations 0", r(goodSFTPGo, "150000", "0", 1), hash.ErrMalformed},
		{"sftpgo iterations leading zero", r(goodSFTPGo, "150000", "0150000", 1), hash.ErrMalformed},
		{"sftpgo iterations signed", r(goodSFTPGo, "150000", "+150000", 1), hash.ErrMalformed},
		{"sftpgo iterations negative", r(goodSFTPGo, "150000", "-1", 1), hash.ErrMalformed},
		{"sftpgo iterations empty", r(goodSFTPGo, "150000", "", 1), hash.ErrMalformed},
		{"sftpgo iterations over 2^32-1", r(goodSFTPGo, "150000", "99999999999999999999999", 1), hash.ErrMalformed},
		{"sftpgo missing key", goodSFTPGo[:strings.LastIndex(goodSFTPGo, "$")], hash.ErrMalformed},
		{"sftpgo empty key", goodSFTPGo[:strings.LastIndex(goodSFTPGo, "$")+1], hash.ErrMalformed},
		{"sftpgo key without padding", strings.TrimSuffix(goodSFTPGo, "="), hash.ErrMalformed},
		{"sftpgo truncated key", goodSFTPGo[:len(goodSFTPGo)-5] + "=", hash.ErrMalformed},
		{"sftpgo 16-byte key", goodSFTPGo[:strings.LastIndex(goodSFTPGo, "$")+1] + "R5J62hsSq+pYw00hLLPKBQ==", hash.ErrMalformed},
		{"sftpgo key trailing bits", goodSFTPGo[:len(goodSFTPGo)-2] + "p=", hash.ErrMalformed},
		{"sftpgo key not base64", goodSFTPGo[:strings.LastIndex(goodSFTPGo, "$")+1] + strings.Repeat("!", 44), hash.ErrMalformed},
		{"sftpgo key with newline", r(goodSFTPGo, "R5J62hsSq", "R5J62hsS\nq", 1), hash.ErrMalformed},
		{"sftpgo extra field", goodSFTPGo + "$", hash.ErrMalformed},
		{"sftpgo salt with space", r(goodSFTPGo, "E86a9YMX3zC7", "E86a9 MX3zC7", 1), hash.ErrMalformed},
		{"sftpgo salt with NUL", r(goodSFTPGo, "E86a9YMX3zC7", "E86a9\x00MX3zC7", 1), hash.ErrMalformed},
		{"sftpgo b64salt not base64", "$pbkdf2-b64salt-sha256$1000$3q2+7w$otb1AcAJZZ9vZkgqvnwVQYHrqpdqBwigc2/wRqvdDVY=", hash.ErrMalformed},
		{"sftpgo sha1 in passlib encoding", "$pbkdf2-sha1$1000$saltsaltsalt$IKT1k0J2W//Le5vD6JISfPblN/Q", hash.ErrMalformed},

		// pbkdf2, passlib form.
		{"passlib zero-padded rounds (passlib)", r(goodPasslib, "29000", "029000", 1), hash.ErrMalformed},
		{"passlib signed rounds", r(goodPasslib, "29000", "+29000", 1), hash.ErrMalformed},
		{"passlib rounds over 2^32-1 (passlib)", r(goodPasslib, "29000", "4294967296", 1), hash.ErrMalformed},
		{"passlib checksum trailing bits", goodPasslib[:len(goodPasslib)-1] + "B", hash.ErrMalformed},
		{"passlib checksum with '+'", r(goodPasslib, "P.qJ", "P+qJ", 1), hash.ErrMalformed},
		{"passlib salt padded", r(goodPasslib, "c2FsdA$", "c2FsdA==$", 1), hash.ErrMalformed},
		{"passlib salt length 4n+1 (passlib)", r(goodPasslib, "c2FsdA$", "c2Fsd$", 1), hash.ErrMalformed},
		{"passlib missing checksum (passlib)", goodPasslib[:strings.LastIndex(goodPasslib, "$")], hash.ErrMalformed},
		{"passlib empty checksum (passlib)", goodPasslib[:strings.LastIndex(goodPasslib, "$")+1], hash.ErrMalformed},
		{"passlib 33-byte checksum (passlib)", goodPasslib + "AA", hash.ErrMalformed},
		{"passlib sha1 short checksum", "$pbkdf2$1000$..........8$TxYnC1qm9eeRjujvOHdf8MXWAU", hash.ErrMalformed},

		// sha512crypt, md5crypt, apr1 (libxcrypt).
		{"sha512crypt rounds=1000000000 (libxcrypt)", r(goodSHA512, "1000", "1000000000", 1), hash.ErrMalformed},
		{"sha512crypt rounds=999 (libxcrypt)", r(goodSHA512, "1000", "999", 1), hash.ErrMalformed},
		{"sha512crypt rounds=0 (libxcrypt)", r(goodSHA512, "1000", "0", 1), hash.ErrMalformed},
		{"sha512crypt rounds=01000 (libxcrypt)", r(goodSHA512, "1000", "01000", 1), hash.ErrMalformed},
		{"sha512crypt rounds=+1000 (libxcrypt)", r(goodSHA512, "1000", "+1000", 1), hash.ErrMalformed},
		{"sha512crypt rounds= empty (libxcrypt)", r(goodSHA512, "1000", "", 1), hash.ErrMalformed},
		{"sha512crypt rounds= unterminated", "$6$rounds=1000", hash.ErrMalformed},
		{"sha512crypt 17-char salt (libxcrypt truncates)", r(goodSHA512, "saltsalt", "saltsaltsaltsalts", 1), hash.ErrMalformed},
		{"sha512crypt salt with '!' (libxcrypt)", r(goodSHA512, "saltsalt", "salt!salt", 1), hash.ErrMalformed},
		{"sha512crypt salt with ':' (libxcrypt)", r(goodSHA512, "saltsalt", "salt:salt", 1), hash.ErrMalformed},
		{"sha512crypt no checksum", "$6$rounds=1000$saltsalt", hash.ErrMalformed},
		{"sha512crypt empty checksum", "$6$rounds=1000$saltsalt$", hash.ErrMalformed},
		{"sha512crypt truncated checksum", goodSHA512[:len(goodSHA512)-1], hash.ErrMalformed},
		{"sha512crypt checksum trailing bits", goodSHA512[:len(goodSHA512)-1] + "z", hash.ErrMalformed},
		{"sha512crypt checksum extra field", goodSHA512 + "$x", hash.ErrMalformed},
		{"sha256crypt checksum trailing bits", "$5$saltsalt$gOjOtoMpVhru2uyjeJSEc/JaLQWOXMNmlOnj6T4AtCz", hash.ErrMalformed},
		{"md5crypt 9-char salt (libxcrypt truncates)", r(goodMD5, "saltsalt", "saltsalts", 1), hash.ErrMalformed},
		{"md5crypt magic only", "$1$", hash.ErrMalformed},
		{"md5crypt rounds= is a bad salt", r(goodMD5, "saltsalt", "rounds=1000$saltsalt", 1), hash.ErrMalformed},
		{"md5crypt 21-char checksum", goodMD5[:len(goodMD5)-1], hash.ErrMalformed},
		{"apr1 NUL in checksum", "$apr1$saltsalt$yAAkm4libquA.ZWLH\x00SBq/", hash.ErrMalformed},

		// argon2 (libargon2).
		{"argon2 m=4294967296", r(goodArgon2, "m=64", "m=4294967296", 1), hash.ErrMalformed},
		{"argon2 p=0 (libargon2)", r(goodArgon2, "p=2", "p=0", 1), hash.ErrMalformed},
		{"argon2 t=0 (libargon2)", r(goodArgon2, "t=1", "t=0", 1), hash.ErrMalformed},
		{"argon2 m < 8p (libargon2)", r(goodArgon2, "m=64", "m=15", 1), hash.ErrMalformed},
		{"argon2 p over 2^24-1", r(goodArgon2, "p=2", "p=16777216", 1), hash.ErrMalformed},
		{"argon2 leading zero (libargon2)", r(goodArgon2, "m=64", "m=064", 1), hash.ErrMalformed},
		{"argon2 v=019 (libargon2)", r(goodArgon2, "v=19", "v=019", 1), hash.ErrMalformed},
		{"argon2 v=20", r(goodArgon2, "v=19", "v=20", 1), hash.ErrMalformed},
		{"argon2 signed (libargon2)", r(goodArgon2, "p=2", "p=+2", 1), hash.ErrMalformed},
		{"argon2 parameter order (libargon2)", r(goodArgon2, "m=64,t=1", "t=1,m=64", 1), hash.ErrMalformed},
		{"argon2 data= field (libargon2)", r(goodArgon2, "p=2$", "p=2,data=abc$", 1), hash.ErrMalformed},
		{"argon2 spaces", r(goodArgon2, "m=64,t=1", "m=64, t=1", 1), hash.ErrMalformed},
		{"argon2 padded salt (libargon2)", r(goodArgon2, "c2FsdHNhbHQ$", "c2FsdHNhbHQ=$", 1), hash.ErrMalformed},
		{"argon2 salt trailing bits (libargon2)", r(goodArgon2, "c2FsdHNhbHQ$", "c2FsdHNhbHR$", 1), hash.ErrMalformed},
		{"argon2 7-byte salt (libargon2)", r(goodArgon2, "c2FsdHNhbHQ$", "c2FsdHNhbA$", 1), hash.ErrMalformed},
		{"argon2 empty salt (libargon2)", r(goodArgon2, "c2FsdHNhbHQ$", "$", 1), hash.ErrMalformed},
		{"argon2 empty tag (libargon2)", goodArgon2[:strings.LastIndex(goodArgon2, "$")+1], hash.ErrMalformed},
		{"argon2 missing tag", goodArgon2[:strings.LastIndex(goodArgon2, "$")], hash.ErrMalformed},
		{"argon2 3-byte tag (libargon2)", goodArgon2[:strings.LastIndex(goodArgon2, "$")+1] + "AAAA", hash.ErrMalformed},
		{"argon2 tag trailing bits (libargon2)", goodArgon2[:len(goodArgon2)-1] + "B", hash.ErrMalformed},
		{"argon2 padded tag (libargon2)", goodArgon2 + "=", hash.ErrMalformed},
		{"argon2 trailing '$' (libargon2)", goodArgon2 + "$", hash.ErrMalformed},
		{"argon2 tag with newline", r(goodArgon2, "VbvJ", "Vb\nvJ", 1), hash.ErrMalformed},
		{"argon2 NUL in tag", r(goodArgon2, "VbvJ", "Vb\x00J", 1), hash.ErrMalformed},
	}
}

func TestHostileInputs(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// One of the passwords is the right one for the unaltered
			// vector, so only the encoded string can cause the outcome.
			for _, pw := range []string{"password", "correct horse battery staple", nfcPassword} {
				ok, err := hash.Verify(pw, tc.encoded)
				require.ErrorIs(t, err, tc.want)
				assert.False(t, ok)
				assertSingleSentinel(t, err)
				if len(tc.encoded) > 8 {
					assert.NotContains(t, err.Error(), tc.encoded, "errors never echo the hash")
				}
				assert.NotContains(t, err.Error(), pw, "errors never echo the password")
			}
			f, err := hash.Identify(tc.encoded)
			require.ErrorIs(t, err, tc.want)
			assert.Empty(t, f)
			assert.True(t, hash.NeedsRehash(tc.encoded))
		})
	}
}

// TestHostileInputsRefusedBeforeHashing shows that every refusal comes from
// the checks Verify makes before it calls any primitive: Verify returns
// exactly the error of those checks run alone, so rows such as bcrypt cost
// 31, 2,000,000,000 PBKDF2 iterations, rounds=999999999 and m=4294967295
// never reach a primitive. How fast the refusal is (the one-millisecond
// target) is measured by BenchmarkRefuse, not asserted here.
func TestHostileInputsRefusedBeforeHashing(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pre := hash.CheckEncoded(nil, tc.encoded)
			require.ErrorIs(t, pre, tc.want)
			ok, err := hash.Verify("password", tc.encoded)
			require.Error(t, err)
			assert.False(t, ok)
			assert.Equal(t, pre.Error(), err.Error(), "Verify's error is the pre-hashing check's")
		})
	}
}

// assertSingleSentinel checks that err matches exactly one of the package's
// sentinels.
func assertSingleSentinel(t *testing.T, err error) {
	t.Helper()
	n := 0
	for _, s := range []error{hash.ErrUnknownFormat, hash.ErrMalformed, hash.ErrLimit, hash.ErrPasswordTooLong} {
		if errors.Is(err, s) {
			n++
		}
	}
	assert.Equal(t, 1, n, "error %q matches %d sentinels", err, n)
}

// TestLimitsAreConfigurable shows that a host can raise a limit and that the
// same string then passes the checks.
func TestLimitsAreConfigurable(t *testing.T) {
	t.Parallel()
	cost17 := strings.Replace(goodBcrypt, "$04$", "$17$", 1)
	_, err := hash.Identify(cost17)
	require.ErrorIs(t, err, hash.ErrLimit)
	h, err := hash.New(hash.Config{Limits: hash.Limits{MaxBcryptCost: 17}})
	require.NoError(t, err)
	f, err := h.Identify(cost17)
	require.NoError(t, err)
	assert.Equal(t, hash.FormatBcrypt, f)

	// A sha-crypt hash without rounds= costs 5000 rounds.
	low, err := hash.New(hash.Config{Limits: hash.Limits{MaxSHACryptRounds: 4999}})
	require.NoError(t, err)
	_, err = low.Identify("$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/")
	require.ErrorIs(t, err, hash.ErrLimit)
	_, err = low.Identify(goodSHA512) // rounds=1000
	require.NoError(t, err)
}
