package totp_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// rfc4226 are the RFC 4226 Appendix D codes for counters 0..9.
var rfc4226 = []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}

func TestValidateHOTP(t *testing.T) {
	t.Parallel()
	k := &totp.Key{Secret: seedSHA1, Algorithm: totp.SHA1, Digits: 6}
	tests := []struct {
		name    string
		code    string
		counter uint64
		window  int
		want    uint64
		wantErr error
	}{
		{name: "expected counter", code: rfc4226[0], counter: 0, window: 0, want: 1},
		{name: "look-ahead inside window", code: rfc4226[3], counter: 0, window: 5, want: 4},
		{name: "look-ahead at window edge", code: rfc4226[5], counter: 0, window: 5, want: 6},
		{name: "look-ahead past window", code: rfc4226[6], counter: 0, window: 5, wantErr: totp.ErrInvalidCode},
		{name: "already used code", code: rfc4226[2], counter: 3, window: 5, wantErr: totp.ErrInvalidCode},
		{name: "code of the previous counter", code: rfc4226[4], counter: 5, window: 0, wantErr: totp.ErrInvalidCode},
		{name: "wrong code", code: "000000", counter: 0, window: 9, wantErr: totp.ErrInvalidCode},
		{name: "negative window", code: rfc4226[0], counter: 0, window: -1, wantErr: totp.ErrInvalidArgument},
		{name: "window too large", code: rfc4226[0], counter: 0, window: totp.MaxHOTPWindow + 1, wantErr: totp.ErrInvalidArgument},
		{name: "counter near the end", code: "000000", counter: math.MaxUint64 - 2, window: totp.MaxHOTPWindow, wantErr: totp.ErrInvalidCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			next, err := totp.ValidateHOTP(tc.code, k, tc.counter, tc.window)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Zero(t, next)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, next)
		})
	}
}

func TestValidateHOTPLastCounter(t *testing.T) {
	t.Parallel()
	k := &totp.Key{Secret: seedSHA1, Algorithm: totp.SHA1, Digits: 6}
	last, err := totp.HOTPCode(k, math.MaxUint64)
	require.NoError(t, err)
	before, err := totp.HOTPCode(k, math.MaxUint64-1)
	require.NoError(t, err)

	next, err := totp.ValidateHOTP(before, k, math.MaxUint64-1, 1)
	require.NoError(t, err)
	assert.Equal(t, uint64(math.MaxUint64), next)
	if last != before { // the counter cannot wrap to 0
		_, err = totp.ValidateHOTP(last, k, math.MaxUint64-1, 1)
		require.ErrorIs(t, err, totp.ErrInvalidCode)
	}
	_, err = totp.ValidateHOTP(last, k, math.MaxUint64, 0)
	require.ErrorIs(t, err, totp.ErrInvalidCode)
}

func TestResyncHOTP(t *testing.T) {
	t.Parallel()
	k := &totp.Key{Secret: seedSHA1, Algorithm: totp.SHA1, Digits: 6}
	tests := []struct {
		name         string
		code1, code2 string
		counter      uint64
		window       int
		want         uint64
		wantErr      error
	}{
		{name: "consecutive codes ahead", code1: rfc4226[5], code2: rfc4226[6], counter: 0, window: 9, want: 7},
		{name: "consecutive codes at the counter", code1: rfc4226[0], code2: rfc4226[1], counter: 0, window: 0, want: 2},
		{name: "second code just past the window", code1: rfc4226[5], code2: rfc4226[6], counter: 0, window: 5, want: 7},
		{name: "first code past the window", code1: rfc4226[6], code2: rfc4226[7], counter: 0, window: 5, wantErr: totp.ErrInvalidCode},
		{name: "codes not consecutive", code1: rfc4226[5], code2: rfc4226[7], counter: 0, window: 9, wantErr: totp.ErrInvalidCode},
		{name: "codes in the wrong order", code1: rfc4226[6], code2: rfc4226[5], counter: 0, window: 9, wantErr: totp.ErrInvalidCode},
		{name: "same code twice", code1: rfc4226[5], code2: rfc4226[5], counter: 0, window: 9, wantErr: totp.ErrInvalidCode},
		{name: "codes before the counter", code1: rfc4226[1], code2: rfc4226[2], counter: 3, window: 6, wantErr: totp.ErrInvalidCode},
		{name: "malformed first code", code1: "75522", code2: rfc4226[1], counter: 0, window: 9, wantErr: totp.ErrInvalidCode},
		{name: "malformed second code", code1: rfc4226[0], code2: "２８７０８２", counter: 0, window: 9, wantErr: totp.ErrInvalidCode},
		{name: "window too large", code1: rfc4226[0], code2: rfc4226[1], counter: 0, window: totp.MaxHOTPWindow + 1, wantErr: totp.ErrInvalidArgument},
		{name: "counter near the end", code1: "000000", code2: "000000", counter: math.MaxUint64 - 1, window: 10, wantErr: totp.ErrInvalidCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			next, err := totp.ResyncHOTP(tc.code1, tc.code2, k, tc.counter, tc.window)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Zero(t, next)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, next)
		})
	}
}

func TestHOTPDigits(t *testing.T) {
	t.Parallel()
	// RFC 4226 Appendix D gives the 31-bit truncated values; a d-digit code
	// is that value mod 10^d (RFC 4226 §5.3).
	truncated := []uint32{1284755224, 1094287082, 137359152, 1726969429, 1640338314, 868254676, 1918287922, 82162583, 673399871, 645520489}
	for _, digits := range []int{6, 7, 8} {
		k := &totp.Key{Secret: seedSHA1, Algorithm: totp.SHA1, Digits: digits}
		mod := uint32(math.Pow10(digits))
		for counter, v := range truncated {
			code, err := totp.HOTPCode(k, uint64(counter))
			require.NoError(t, err)
			assert.Len(t, code, digits)
			assert.Equal(t, int(v%mod), atoi(t, code), "digits %d counter %d", digits, counter)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', "non-digit in %q", s)
		n = n*10 + int(c-'0')
	}
	return n
}
