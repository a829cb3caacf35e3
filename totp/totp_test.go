package totp_test

import (
	"bytes"
	"encoding/base32"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// rfcKey returns a fresh copy of the RFC 4226 key with 6 digits and 30 s.
func rfcKey() *totp.Key {
	return &totp.Key{Secret: bytes.Clone(seedSHA1), Algorithm: totp.SHA1, Digits: 6, Period: 30}
}

// codeAt returns the code of k for a time step (HOTP of the step, RFC 6238 §4.2).
func codeAt(t *testing.T, k *totp.Key, step int64) string {
	t.Helper()
	code, err := totp.HOTPCode(k, uint64(step))
	require.NoError(t, err)
	return code
}

func TestValidateWindowAndReplay(t *testing.T) {
	t.Parallel()
	k := rfcKey()
	// 1111111111 is step 0x23523ED (RFC 6238 Appendix B), 1 s into it.
	const cur = int64(0x23523ED)
	now := time.Unix(1111111111, 0)

	tests := []struct {
		name     string
		codeStep int64
		lastStep int64
		skew     int
		want     int64
		wantErr  error
	}{
		{name: "current step", codeStep: cur, lastStep: -1, skew: 1, want: cur},
		{name: "previous step within skew", codeStep: cur - 1, lastStep: -1, skew: 1, want: cur - 1},
		{name: "next step within skew", codeStep: cur + 1, lastStep: -1, skew: 1, want: cur + 1},
		{name: "two steps back outside skew 1", codeStep: cur - 2, lastStep: -1, skew: 1, wantErr: totp.ErrInvalidCode},
		{name: "two steps ahead outside skew 1", codeStep: cur + 2, lastStep: -1, skew: 1, wantErr: totp.ErrInvalidCode},
		{name: "two steps back within skew 2", codeStep: cur - 2, lastStep: -1, skew: 2, want: cur - 2},
		{name: "two steps ahead within skew 2", codeStep: cur + 2, lastStep: -1, skew: 2, want: cur + 2},
		{name: "no skew accepts the current step", codeStep: cur, lastStep: -1, skew: totp.NoSkew, want: cur},
		{name: "no skew refuses the previous step", codeStep: cur - 1, lastStep: -1, skew: totp.NoSkew, wantErr: totp.ErrInvalidCode},
		{name: "no skew refuses the next step", codeStep: cur + 1, lastStep: -1, skew: totp.NoSkew, wantErr: totp.ErrInvalidCode},
		{name: "replay of the accepted step", codeStep: cur, lastStep: cur, skew: 1, wantErr: totp.ErrReplay},
		{name: "replay of an earlier step", codeStep: cur - 1, lastStep: cur, skew: 1, wantErr: totp.ErrReplay},
		{name: "step before lastStep", codeStep: cur - 1, lastStep: cur - 1, skew: 1, wantErr: totp.ErrReplay},
		{name: "step right after lastStep", codeStep: cur, lastStep: cur - 1, skew: 1, want: cur},
		{name: "future step after lastStep", codeStep: cur + 1, lastStep: cur, skew: 1, want: cur + 1},
		{name: "lastStep in the future", codeStep: cur + 1, lastStep: cur + 1, skew: 1, wantErr: totp.ErrReplay},
		{name: "lastStep beyond the window", codeStep: cur, lastStep: cur + 5, skew: 1, wantErr: totp.ErrReplay},
		{name: "stale step outside the window is invalid, not replay", codeStep: cur - 3, lastStep: cur, skew: 1, wantErr: totp.ErrInvalidCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			step, err := totp.Validate(codeAt(t, k, tc.codeStep), k, now, tc.lastStep, tc.skew)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Zero(t, step)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, step)
		})
	}
}

// TestValidateAcceptedOnce follows one code through a store that records the
// returned step, as the auth service does.
func TestValidateAcceptedOnce(t *testing.T) {
	t.Parallel()
	k := rfcKey()
	now := time.Unix(1234567890, 0)
	code, err := totp.Code(k, now)
	require.NoError(t, err)

	step, err := totp.Validate(code, k, now, -1, 1)
	require.NoError(t, err)
	// The same code, a second later and a step later, is refused.
	for _, later := range []time.Duration{0, time.Second, 30 * time.Second} {
		_, err := totp.Validate(code, k, now.Add(later), step, 1)
		assert.ErrorIs(t, err, totp.ErrReplay, "after %v", later)
	}
	// The next step's code is accepted.
	next, err := totp.Code(k, now.Add(30*time.Second))
	require.NoError(t, err)
	step2, err := totp.Validate(next, k, now.Add(30*time.Second), step, 1)
	require.NoError(t, err)
	assert.Equal(t, step+1, step2)
}

func TestValidateStepBoundaries(t *testing.T) {
	t.Parallel()
	k := rfcKey()
	tests := []struct {
		name string
		unix int64
		want int64
	}{
		{name: "epoch", unix: 0, want: 0},
		{name: "last second of step 0", unix: 29, want: 0},
		{name: "first second of step 1", unix: 30, want: 1},
		{name: "last second of step 1", unix: 59, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := time.Unix(tc.unix, 999_999_999)
			code, err := totp.Code(k, now)
			require.NoError(t, err)
			assert.Equal(t, codeAt(t, k, tc.want), code)
			step, err := totp.Validate(code, k, now, -1, totp.NoSkew)
			require.NoError(t, err)
			assert.Equal(t, tc.want, step)
		})
	}
}

func TestValidateExtremeTimes(t *testing.T) {
	t.Parallel()
	k := rfcKey()
	k.Period = 1

	far := time.Unix(math.MaxInt64, 0)
	code, err := totp.Code(k, far)
	require.NoError(t, err)
	step, err := totp.Validate(code, k, far, -1, totp.MaxSkew)
	require.NoError(t, err)
	assert.Equal(t, int64(math.MaxInt64), step)

	_, err = totp.Code(k, time.Unix(-1, 0))
	require.ErrorIs(t, err, totp.ErrInvalidArgument)
	_, err = totp.Validate("123456", k, time.Unix(-1, 0), -1, 1)
	require.ErrorIs(t, err, totp.ErrInvalidArgument)

	// At the epoch, step -1 is not a candidate.
	step, err = totp.Validate(codeAt(t, k, 0), k, time.Unix(0, 0), math.MinInt64, totp.MaxSkew)
	require.NoError(t, err)
	assert.Zero(t, step)
}

func TestValidateMalformedCodes(t *testing.T) {
	t.Parallel()
	k := rfcKey()
	now := time.Unix(59, 0)
	good := codeAt(t, k, 1) // "287082"
	require.Equal(t, "287082", good)

	tests := []struct {
		name string
		code string
	}{
		{name: "empty", code: ""},
		{name: "short", code: good[:5]},
		{name: "long", code: good + "0"},
		{name: "eight digits for a six-digit key", code: "94287082"},
		{name: "very long", code: strings.Repeat("2", 1<<16)},
		{name: "letter", code: "28708a"},
		{name: "leading space", code: " " + good},
		{name: "trailing space", code: good + " "},
		{name: "trailing newline", code: good + "\n"},
		{name: "inner space", code: "287 082"},
		{name: "dash", code: "287-082"},
		{name: "plus sign", code: "+28708"},
		{name: "minus sign", code: "-28708"},
		{name: "NUL byte", code: "28708\x00"},
		{name: "fullwidth digits", code: "２８７０８２"},
		{name: "arabic-indic digits", code: "٢٨٧٠٨٢"},
		{name: "devanagari digits", code: "२८७०८२"},
		{name: "mathematical bold digits", code: "𝟐𝟖𝟕𝟎𝟖𝟐"},
		{name: "superscript digit", code: "28708²"},
		{name: "invalid utf-8", code: "\xff\xfe\xfd\xfc\xfb\xfa"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			step, err := totp.Validate(tc.code, k, now, -1, 1)
			require.ErrorIs(t, err, totp.ErrInvalidCode)
			assert.Zero(t, step)
			assert.Equal(t, "totp: invalid code", err.Error(), "the message must not echo the code")

			// Rejected before any HMAC: with a time that the HMAC path
			// would refuse, the code is still the reported problem.
			_, err = totp.Validate(tc.code, k, time.Unix(-1, 0), -1, 1)
			require.ErrorIs(t, err, totp.ErrInvalidCode)

			_, err = totp.ValidateHOTP(tc.code, k, 1, 0)
			require.ErrorIs(t, err, totp.ErrInvalidCode)
		})
	}
	// The good code itself is accepted, so the rows above fail for their format.
	_, err := totp.Validate(good, k, now, -1, 1)
	require.NoError(t, err)
}

// TestValidateMalformedCodeDoesNoWork shows that a malformed code costs no
// HMAC: the check allocates nothing, where computing one code does.
func TestValidateMalformedCodeDoesNoWork(t *testing.T) {
	k := rfcKey()
	now := time.Unix(59, 0)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = totp.Validate("28708a", k, now, -1, 1)
	})
	assert.Zero(t, allocs)
	allocs = testing.AllocsPerRun(100, func() {
		_, _ = totp.Validate("000000", k, now, -1, 1)
	})
	assert.Positive(t, allocs)
}

func TestValidateArguments(t *testing.T) {
	t.Parallel()
	k := rfcKey()
	now := time.Unix(59, 0)
	for _, skew := range []int{-2, totp.MaxSkew + 1, math.MaxInt, math.MinInt} {
		_, err := totp.Validate("287082", k, now, -1, skew)
		require.ErrorIs(t, err, totp.ErrInvalidArgument, "skew %d", skew)
	}
}

// invalidKeys are keys every code function must refuse without panicking.
func invalidKeys() []struct {
	name string
	key  *totp.Key
} {
	ok := func(mod func(k *totp.Key)) *totp.Key {
		k := rfcKey()
		mod(k)
		return k
	}
	return []struct {
		name string
		key  *totp.Key
	}{
		{"nil", nil},
		{"zero", &totp.Key{}},
		{"empty secret", ok(func(k *totp.Key) { k.Secret = nil })},
		{"secret too long", ok(func(k *totp.Key) { k.Secret = make([]byte, totp.MaxSecretSize+1) })},
		{"digits 0", ok(func(k *totp.Key) { k.Digits = 0 })},
		{"digits 5", ok(func(k *totp.Key) { k.Digits = 5 })},
		{"digits 9", ok(func(k *totp.Key) { k.Digits = 9 })},
		{"digits negative", ok(func(k *totp.Key) { k.Digits = -6 })},
		{"digits huge", ok(func(k *totp.Key) { k.Digits = math.MaxInt })},
		{"empty algorithm", ok(func(k *totp.Key) { k.Algorithm = "" })},
		{"lower-case algorithm", ok(func(k *totp.Key) { k.Algorithm = "sha1" })},
		{"MD5", ok(func(k *totp.Key) { k.Algorithm = "MD5" })},
		{"unknown algorithm", ok(func(k *totp.Key) { k.Algorithm = "SHA3-256" })},
	}
}

func TestInvalidKeys(t *testing.T) {
	t.Parallel()
	now := time.Unix(59, 0)
	for _, tc := range invalidKeys() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := totp.Code(tc.key, now)
			require.ErrorIs(t, err, totp.ErrInvalidKey)
			_, err = totp.Validate("287082", tc.key, now, -1, 1)
			require.ErrorIs(t, err, totp.ErrInvalidKey)
			_, err = totp.HOTPCode(tc.key, 1)
			require.ErrorIs(t, err, totp.ErrInvalidKey)
			_, err = totp.ValidateHOTP("287082", tc.key, 1, 1)
			require.ErrorIs(t, err, totp.ErrInvalidKey)
			_, err = totp.ResyncHOTP("287082", "359152", tc.key, 1, 1)
			require.ErrorIs(t, err, totp.ErrInvalidKey)
			require.ErrorIs(t, tc.key.Check(), totp.ErrInvalidKey)
			assert.Empty(t, tc.key.URI())
			_, err = tc.key.QRPNG(0)
			require.ErrorIs(t, err, totp.ErrInvalidKey)
		})
	}
}

func TestPeriodLimits(t *testing.T) {
	t.Parallel()
	for _, period := range []int{0, -30, totp.MaxPeriod + 1} {
		k := rfcKey()
		k.Period = period
		_, err := totp.Code(k, time.Unix(59, 0))
		require.ErrorIs(t, err, totp.ErrInvalidKey, "period %d", period)
		_, err = totp.Validate("287082", k, time.Unix(59, 0), -1, 1)
		require.ErrorIs(t, err, totp.ErrInvalidKey, "period %d", period)
		// HOTP does not use the period.
		code, err := totp.HOTPCode(k, 1)
		require.NoError(t, err)
		assert.Equal(t, "287082", code)
	}
	for _, period := range []int{1, totp.MaxPeriod} {
		k := rfcKey()
		k.Period = period
		_, err := totp.Code(k, time.Unix(59, 0))
		require.NoError(t, err, "period %d", period)
	}
}

func TestSecretLengthLimits(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, totp.MaxSecretSize} {
		k := rfcKey()
		k.Secret = bytes.Repeat([]byte{0xa5}, n)
		_, err := totp.Code(k, time.Unix(59, 0))
		require.NoError(t, err, "secret of %d bytes", n)
	}
}

// TestCallsDoNotModifyTheKey checks that no function writes to its key.
func TestCallsDoNotModifyTheKey(t *testing.T) {
	t.Parallel()
	k, err := totp.Generate(totp.Config{Issuer: "Latch"}, "alice@example.com")
	require.NoError(t, err)
	want := *k
	want.Secret = bytes.Clone(k.Secret)
	now := time.Unix(1700000000, 0)

	code, err := totp.Code(k, now)
	require.NoError(t, err)
	_, _ = totp.Validate(code, k, now, -1, 1)
	_, _ = totp.Validate(code, k, now, math.MaxInt64, 1)
	_, _ = totp.Validate("x", k, now, -1, 1)
	_, _ = totp.HOTPCode(k, 7)
	_, _ = totp.ValidateHOTP(code, k, 0, 10)
	_, _ = totp.ResyncHOTP(code, code, k, 0, 10)
	_ = k.URI()
	_, _ = k.QRPNG(0)
	_ = k.String()
	assert.Equal(t, want, *k)
}

func TestGenerateDefaults(t *testing.T) {
	t.Parallel()
	k, err := totp.Generate(totp.Config{}, "alice")
	require.NoError(t, err)
	assert.Len(t, k.Secret, totp.DefaultSecretSize)
	assert.Equal(t, totp.SHA1, k.Algorithm)
	assert.Equal(t, 6, k.Digits)
	assert.Equal(t, 30, k.Period)
	assert.Empty(t, k.Issuer)
	assert.Equal(t, "alice", k.AccountName)
	require.NoError(t, k.Check())

	k2, err := totp.Generate(totp.Config{}, "alice")
	require.NoError(t, err)
	assert.NotEqual(t, k.Secret, k2.Secret, "two keys share a secret")
	assert.Equal(t, 1, totp.Config{}.SkewSteps())
}

func TestGenerateCustom(t *testing.T) {
	t.Parallel()
	cfg := totp.Config{Issuer: "Latch Corp", Algorithm: totp.SHA512, Digits: 8, Period: 60, SecretSize: 64, Skew: 2}
	require.NoError(t, cfg.Check())
	k, err := totp.Generate(cfg, "bob@example.com")
	require.NoError(t, err)
	assert.Len(t, k.Secret, 64)
	assert.Equal(t, totp.SHA512, k.Algorithm)
	assert.Equal(t, 8, k.Digits)
	assert.Equal(t, 60, k.Period)
	assert.Equal(t, "Latch Corp", k.Issuer)
	assert.Equal(t, 2, cfg.SkewSteps())
	assert.Equal(t, 0, totp.Config{Skew: totp.NoSkew}.SkewSteps())
}

func TestGenerateInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     totp.Config
		account string
		wantErr error
	}{
		{name: "unknown algorithm", cfg: totp.Config{Algorithm: "MD5"}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "digits 5", cfg: totp.Config{Digits: 5}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "digits 9", cfg: totp.Config{Digits: 9}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "negative period", cfg: totp.Config{Period: -1}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "period too long", cfg: totp.Config{Period: totp.MaxPeriod + 1}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "secret under 128 bits", cfg: totp.Config{SecretSize: 15}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "secret too long", cfg: totp.Config{SecretSize: totp.MaxSecretSize + 1}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "skew too large", cfg: totp.Config{Skew: totp.MaxSkew + 1}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "skew negative", cfg: totp.Config{Skew: -2}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "issuer with colon", cfg: totp.Config{Issuer: "a:b"}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "issuer with newline", cfg: totp.Config{Issuer: "a\nb"}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "issuer too long", cfg: totp.Config{Issuer: strings.Repeat("x", totp.MaxNameLength+1)}, account: "a", wantErr: totp.ErrInvalidConfig},
		{name: "empty account", account: "", wantErr: totp.ErrInvalidArgument},
		{name: "account with colon", account: "a:b", wantErr: totp.ErrInvalidArgument},
		{name: "account with leading space", account: " a", wantErr: totp.ErrInvalidArgument},
		{name: "account with trailing space", account: "a ", wantErr: totp.ErrInvalidArgument},
		{name: "account with bidi override", account: "a\u202eb", wantErr: totp.ErrInvalidArgument},
		{name: "account with invalid utf-8", account: "a\xff", wantErr: totp.ErrInvalidArgument},
		{name: "account too long", account: strings.Repeat("x", totp.MaxNameLength+1), wantErr: totp.ErrInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := totp.Generate(tc.cfg, tc.account)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Nil(t, k)
		})
	}
}

// TestKeyRedactsSecret checks that formatting or logging a key never shows
// its secret.
func TestKeyRedactsSecret(t *testing.T) {
	t.Parallel()
	k, err := totp.Generate(totp.Config{Issuer: "Latch"}, "alice")
	require.NoError(t, err)
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(k.Secret)

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("key", "key", k, "value", *k)
	outputs := map[string]string{
		"%v":    fmt.Sprintf("%v", k),
		"%+v":   fmt.Sprintf("%+v", *k),
		"%#v":   fmt.Sprintf("%#v", *k),
		"%s":    fmt.Sprintf("%s", k),
		"slog":  logged.String(),
		"error": fmt.Errorf("wrapped: %v", k).Error(),
	}
	for name, out := range outputs {
		assert.NotContains(t, out, b32, name)
		assert.NotContains(t, out, fmt.Sprint(k.Secret), name)
		assert.Contains(t, out, "alice", name)
	}
	assert.Contains(t, outputs["%v"], "REDACTED 20 bytes")
}
