package totp_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// Seeds of the RFC test vectors. RFC 6238 Appendix B lists one seed for all
// three algorithms, but its reference code (Appendix A) keys HMAC-SHA256 with
// 32 bytes and HMAC-SHA512 with 64 bytes; the table was computed with those
// (RFC 6238 errata ID 2866).
var (
	seedSHA1   = []byte("12345678901234567890")
	seedSHA256 = []byte("12345678901234567890123456789012")
	seedSHA512 = []byte("1234567890123456789012345678901234567890123456789012345678901234")
)

// TestRFC4226AppendixD checks the HOTP values of RFC 4226 Appendix D
// ("Test Values"), secret "12345678901234567890", SHA-1, 6 digits.
func TestRFC4226AppendixD(t *testing.T) {
	t.Parallel()
	// Copied from RFC 4226, Appendix D, table "Truncated" (HOTP column).
	vectors := []struct {
		count uint64
		hotp  string
	}{
		{0, "755224"},
		{1, "287082"},
		{2, "359152"},
		{3, "969429"},
		{4, "338314"},
		{5, "254676"},
		{6, "287922"},
		{7, "162583"},
		{8, "399871"},
		{9, "520489"},
	}
	k := &totp.Key{Secret: seedSHA1, Algorithm: totp.SHA1, Digits: 6}
	for _, v := range vectors {
		t.Run(v.hotp, func(t *testing.T) {
			t.Parallel()
			code, err := totp.HOTPCode(k, v.count)
			require.NoError(t, err)
			assert.Equal(t, v.hotp, code)

			next, err := totp.ValidateHOTP(v.hotp, k, v.count, 0)
			require.NoError(t, err)
			assert.Equal(t, v.count+1, next)
		})
	}
}

// TestRFC6238AppendixB checks the TOTP values of RFC 6238 Appendix B
// ("Test Vectors"), 8 digits, 30 s step, T0 = 0.
func TestRFC6238AppendixB(t *testing.T) {
	t.Parallel()
	// Copied from RFC 6238, Appendix B: Time (sec), Value of T (hex), TOTP, Mode.
	vectors := []struct {
		unix int64
		step int64
		totp string
		alg  totp.Algorithm
	}{
		{59, 0x0000000000000001, "94287082", totp.SHA1},
		{59, 0x0000000000000001, "46119246", totp.SHA256},
		{59, 0x0000000000000001, "90693936", totp.SHA512},
		{1111111109, 0x00000000023523EC, "07081804", totp.SHA1},
		{1111111109, 0x00000000023523EC, "68084774", totp.SHA256},
		{1111111109, 0x00000000023523EC, "25091201", totp.SHA512},
		{1111111111, 0x00000000023523ED, "14050471", totp.SHA1},
		{1111111111, 0x00000000023523ED, "67062674", totp.SHA256},
		{1111111111, 0x00000000023523ED, "99943326", totp.SHA512},
		{1234567890, 0x000000000273EF07, "89005924", totp.SHA1},
		{1234567890, 0x000000000273EF07, "91819424", totp.SHA256},
		{1234567890, 0x000000000273EF07, "93441116", totp.SHA512},
		{2000000000, 0x0000000003F940AA, "69279037", totp.SHA1},
		{2000000000, 0x0000000003F940AA, "90698825", totp.SHA256},
		{2000000000, 0x0000000003F940AA, "38618901", totp.SHA512},
		{20000000000, 0x0000000027BC86AA, "65353130", totp.SHA1},
		{20000000000, 0x0000000027BC86AA, "77737706", totp.SHA256},
		{20000000000, 0x0000000027BC86AA, "47863826", totp.SHA512},
	}
	seeds := map[totp.Algorithm][]byte{totp.SHA1: seedSHA1, totp.SHA256: seedSHA256, totp.SHA512: seedSHA512}
	for _, v := range vectors {
		t.Run(string(v.alg)+"/"+time.Unix(v.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			k := &totp.Key{Secret: seeds[v.alg], Algorithm: v.alg, Digits: 8, Period: 30}
			now := time.Unix(v.unix, 0)

			code, err := totp.Code(k, now)
			require.NoError(t, err)
			assert.Equal(t, v.totp, code)

			step, err := totp.Validate(v.totp, k, now, -1, totp.NoSkew)
			require.NoError(t, err)
			assert.Equal(t, v.step, step)
		})
	}
}
