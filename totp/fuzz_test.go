package totp_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// FuzzParseURI checks that ParseURI never panics, fails only with
// ErrInvalidURI and a nil key, and that an accepted URI gives a valid key
// whose canonical URI parses back to the same key and is a fixed point.
func FuzzParseURI(f *testing.F) {
	seeds := []string{
		"otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
		"otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30",
		"otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
		"otpauth://totp/Big%20Co%20%26%20Sons%2FEU:a%2Bb%3Fc%3Dd%23e%25f?secret=AA&issuer=Big%20Co%20%26%20Sons%2FEU&algorithm=SHA512&digits=7&period=15",
		"otpauth://totp/Z%C3%BCrich:j%C3%BCrg?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Z%C3%BCrich&algorithm=SHA1&digits=6&period=30",
		"otpauth://totp/alice?secret=jbswy3dpehpk3pxp&algorithm=sha256&digits=8&period=60",
		"otpauth://totp/Example%3A%20alice?secret=GE======&issuer=Example",
		"otpauth://hotp/Example:alice?secret=JBSWY3DPEHPK3PXP&counter=1",
		"otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&encoder=steam",
		"otpauth://totp/Example:alice?secret=GF&digits=06&period=0",
		"otpauth://totp/:?secret=&&",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		k, err := totp.ParseURI(uri)
		if err != nil {
			require.ErrorIs(t, err, totp.ErrInvalidURI)
			require.Nil(t, k)
			return
		}
		require.NoError(t, k.Check())
		canonical := k.URI()
		require.NotEmpty(t, canonical)
		again, err := totp.ParseURI(canonical)
		require.NoError(t, err)
		require.Equal(t, *k, *again)
		require.Equal(t, canonical, again.URI())
		_, err = totp.Code(k, time.Unix(1_700_000_000, 0))
		require.NoError(t, err)
	})
}

// FuzzNormalizeRecoveryCode checks that normalisation never panics, fails
// only with ErrInvalidCode, yields the canonical format, is idempotent, keeps
// exactly the input's code characters, and agrees with digest matching.
func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, s := range []string{
		"abcd-efgh-jkmn", "ABCD EFGH JKMN", "abcdefghjkmn", " ab-cd efg--hjk mn ",
		"abcd-efgh-jkm0", "abcd-efgh-jkmnp", "", "٢٣٤٥-efgh-jkmn", "abcd\u00a0efgh-jkmn",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, err := totp.NormalizeRecoveryCode(s)
		if err != nil {
			require.ErrorIs(t, err, totp.ErrInvalidCode)
			require.Empty(t, norm)
			return
		}
		require.Regexp(t, recoveryCodeRE, norm)
		again, err := totp.NormalizeRecoveryCode(norm)
		require.NoError(t, err)
		require.Equal(t, norm, again)
		compact := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(s))
		require.Equal(t, compact, strings.ReplaceAll(norm, "-", ""))

		d, err := totp.RecoveryCodeDigest("user", s)
		require.NoError(t, err)
		i, ok := totp.MatchRecoveryCode(norm, "user", []string{"", d})
		require.True(t, ok)
		require.Equal(t, 1, i)
	})
}

// FuzzValidate checks that Validate never panics on any code and time, and
// accepts only the key's code for a step after lastStep within the skew.
func FuzzValidate(f *testing.F) {
	f.Add("287082", int64(59), int64(-1), uint8(1))
	f.Add("287082", int64(59), int64(1), uint8(1))
	f.Add("２８７０８２", int64(59), int64(-1), uint8(1))
	f.Add("", int64(-1), int64(0), uint8(0))
	f.Add("94287082", int64(1<<62), int64(1<<62), uint8(10))
	k := rfcKey()
	f.Fuzz(func(t *testing.T, code string, unix, lastStep int64, skew uint8) {
		s := int(skew % (totp.MaxSkew + 1))
		now := time.Unix(unix, 0)
		step, err := totp.Validate(code, k, now, lastStep, s)
		if err != nil {
			require.Zero(t, step)
			if unix >= 0 {
				require.Truef(t, errorsIsAny(err, totp.ErrInvalidCode, totp.ErrReplay), "unexpected error %v", err)
			}
			return
		}
		require.Greater(t, step, lastStep)
		cur := unix / int64(k.Period)
		require.LessOrEqual(t, max(step-cur, cur-step), int64(totp.Config{Skew: s}.SkewSteps()))
		want, err := totp.HOTPCode(k, uint64(step))
		require.NoError(t, err)
		assert.Equal(t, want, code)
	})
}

func errorsIsAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
