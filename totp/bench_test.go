package totp_test

import (
	"encoding/base32"
	"strconv"
	"testing"
	"time"

	"github.com/pquerna/otp"
	otptotp "github.com/pquerna/otp/totp"

	"github.com/latchkit/latch/totp"
)

// benchCases are the codes of the Validate benchmarks: the current step's
// code (the common case, one HMAC) and a wrong code (every step of the
// window, three HMACs with skew 1).
func benchCases(b *testing.B, k *totp.Key, now time.Time) []struct{ name, code string } {
	b.Helper()
	good, err := totp.Code(k, now)
	if err != nil {
		b.Fatal(err)
	}
	wrong := "000000"
	if good == wrong {
		wrong = "000001"
	}
	return []struct{ name, code string }{{"current", good}, {"wrong", wrong}}
}

// BenchmarkValidate measures Validate with the default parameters and skew 1.
func BenchmarkValidate(b *testing.B) {
	k := rfcKey()
	now := time.Unix(1_700_000_000, 0)
	for _, bc := range benchCases(b, k, now) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := totp.Validate(bc.code, k, now, -1, 1); (err == nil) != (bc.name == "current") {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("malformed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := totp.Validate("12345a", k, now, -1, 1); err == nil {
				b.Fatal("accepted")
			}
		}
	})
}

// BenchmarkPquernaValidateCustom is the baseline of BenchmarkValidate: the
// library's own check of the same codes with the same options, given the
// secret already in base32 as it takes it.
func BenchmarkPquernaValidateCustom(b *testing.B) {
	k := rfcKey()
	now := time.Unix(1_700_000_000, 0)
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(k.Secret)
	opts := otptotp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, bc := range benchCases(b, k, now) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := otptotp.ValidateCustom(bc.code, secret, now, opts); err != nil || ok != (bc.name == "current") {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// BenchmarkMatchRecoveryCode matches a typed code against n stored digests
// (the match is the last one; the time does not depend on where it is).
func BenchmarkMatchRecoveryCode(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			codes, err := totp.GenerateRecoveryCodes(n)
			if err != nil {
				b.Fatal(err)
			}
			digests := make([]string, n)
			for i, c := range codes {
				if digests[i], err = totp.RecoveryCodeDigest("user-1", c); err != nil {
					b.Fatal(err)
				}
			}
			typed := codes[n-1]
			b.ReportAllocs()
			for b.Loop() {
				if i, ok := totp.MatchRecoveryCode(typed, "user-1", digests); !ok || i != n-1 {
					b.Fatal(i, ok)
				}
			}
		})
	}
}

func BenchmarkRecoveryCodeDigest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := totp.RecoveryCodeDigest("user-1", "abcd-efgh-jkmn"); err != nil {
			b.Fatal(err)
		}
	}
}
