package totp_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/latchkit/latch/totp"
)

// The RFC 6238 test key, so that the examples print fixed codes.
var exampleKey = &totp.Key{
	Secret:      []byte("12345678901234567890"),
	Algorithm:   totp.SHA1,
	Digits:      6,
	Period:      30,
	Issuer:      "Latch",
	AccountName: "alice@example.com",
}

func ExampleGenerate() {
	cfg := totp.Config{Issuer: "Latch"} // SHA1, 6 digits, 30 s, 20-byte secret
	key, err := totp.Generate(cfg, "alice@example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	png, err := key.QRPNG(256) // show this, or key.URI(), to the user once
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(key.Secret), key.Algorithm, key.Digits, key.Period, png[1:4])
	fmt.Println(key) // the secret is redacted
	// Output:
	// 20 SHA1 6 30 [80 78 71]
	// totp.Key{Issuer:"Latch", AccountName:"alice@example.com", Algorithm:SHA1, Digits:6, Period:30, Secret:[REDACTED 20 bytes]}
}

func ExampleKey_URI() {
	fmt.Println(exampleKey.URI())
	// Output:
	// otpauth://totp/Latch:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Latch&algorithm=SHA1&digits=6&period=30
}

func ExampleParseURI() {
	key, err := totp.ParseURI("otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key.Issuer, key.AccountName, len(key.Secret))

	_, err = totp.ParseURI("otpauth://totp/Steam:bob?secret=JBSWY3DPEHPK3PXP&encoder=steam")
	fmt.Println(err)
	// Output:
	// ACME Co john.doe@email.com 20
	// totp: invalid otpauth uri: unsupported parameter "encoder"
}

func ExampleCode() {
	code, err := totp.Code(exampleKey, time.Unix(1111111109, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(code)
	// Output: 081804
}

func ExampleValidate() {
	now := time.Unix(1111111109, 0)
	lastStep := int64(-1) // from the store: nothing accepted yet
	step, err := totp.Validate("081804", exampleKey, now, lastStep, totp.Config{}.Skew)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Store step with an atomic "advance if greater than lastStep"; reject
	// the sign-in if that fails.
	fmt.Println("accepted step", step)
	// Output: accepted step 37037036
}

// ExampleValidate_errorChecking shows how to tell Validate's errors apart.
func ExampleValidate_errorChecking() {
	now := time.Unix(1111111109, 0)
	lastStep := int64(37037036) // "081804" was accepted already
	for _, code := range []string{"081804", "000000", "08 1804", "081804"} {
		_, err := totp.Validate(code, exampleKey, now, lastStep, 1)
		switch {
		case err == nil:
			fmt.Println(code, "accepted")
		case errors.Is(err, totp.ErrReplay):
			fmt.Printf("%s refused: used before\n", code)
		case errors.Is(err, totp.ErrInvalidCode):
			fmt.Printf("%s refused: wrong or malformed\n", code)
		default: // ErrInvalidKey, ErrInvalidArgument: a bug or corrupt data
			fmt.Println("internal error:", err)
		}
		lastStep = 0 // as if the store had lost it
	}
	// Output:
	// 081804 refused: used before
	// 000000 refused: wrong or malformed
	// 08 1804 refused: wrong or malformed
	// 081804 accepted
}

func ExampleValidateHOTP() {
	key := &totp.Key{Secret: []byte("12345678901234567890"), Algorithm: totp.SHA1, Digits: 6}
	// The stored counter is 0; the token was pressed three times unseen.
	next, err := totp.ValidateHOTP("969429", key, 0, 5)
	fmt.Println(next, err)
	// Output: 4 <nil>
}

func ExampleResyncHOTP() {
	key := &totp.Key{Secret: []byte("12345678901234567890"), Algorithm: totp.SHA1, Digits: 6}
	// Two consecutive codes far ahead of the stored counter 0.
	next, err := totp.ResyncHOTP("254676", "287922", key, 0, 100)
	fmt.Println(next, err)
	// Output: 7 <nil>
}

func ExampleHOTPCode() {
	key := &totp.Key{Secret: []byte("12345678901234567890"), Algorithm: totp.SHA1, Digits: 6}
	code, err := totp.HOTPCode(key, 1)
	fmt.Println(code, err)
	// Output: 287082 <nil>
}

func ExampleGenerateRecoveryCodes() {
	codes, err := totp.GenerateRecoveryCodes(0) // 10 codes
	if err != nil {
		fmt.Println(err)
		return
	}
	// Show codes once; store only the digests.
	digests := make([]string, len(codes))
	for i, c := range codes {
		digests[i], err = totp.RecoveryCodeDigest("user-1", c)
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(len(codes), len(codes[0]), len(digests[0]))
	// Output: 10 14 64
}

func ExampleMatchRecoveryCode() {
	stored := []string{}
	for _, c := range []string{"abcd-efgh-jkmn", "pqrs-tuvw-xyz2"} {
		d, _ := totp.RecoveryCodeDigest("user-1", c)
		stored = append(stored, d)
	}
	// The user types the second code in capitals, with spaces.
	i, ok := totp.MatchRecoveryCode("PQRS TUVW XYZ2", "user-1", stored)
	fmt.Println(i, ok) // consume stored[i] atomically
	_, ok = totp.MatchRecoveryCode("pqrs-tuvw-xyz2", "user-2", stored)
	fmt.Println(ok)
	// Output:
	// 1 true
	// false
}

func ExampleNormalizeRecoveryCode() {
	code, err := totp.NormalizeRecoveryCode(" ABCD efgh-JKMN ")
	fmt.Println(code, err)
	_, err = totp.NormalizeRecoveryCode("abcd-efgh-jkm0")
	fmt.Println(err)
	// Output:
	// abcd-efgh-jkmn <nil>
	// totp: invalid code
}
