package totp

import (
	"fmt"
	"math"
)

// MaxHOTPWindow bounds the look-ahead window of ValidateHOTP and ResyncHOTP,
// so that a check costs at most MaxHOTPWindow+2 HMACs.
const MaxHOTPWindow = 1000

// HOTPCode returns the HOTP code of k for counter (RFC 4226). Key.Period is
// not used. It returns an error wrapping ErrInvalidKey for an invalid key.
func HOTPCode(k *Key, counter uint64) (string, error) {
	if err := k.checkParams(false); err != nil {
		return "", err
	}
	return newGenerator(k).code(counter)
}

// ValidateHOTP checks an HOTP code against the counters counter,
// counter+1, ..., counter+window (RFC 4226 §7.4 look-ahead) and returns the
// counter to store next: one past the first match. counter is the stored
// counter (the one after the last accepted code), so a code is never
// accepted twice. window is 0 to MaxHOTPWindow; keep it small (RFC 4226
// suggests a few), as every counter in it is a valid code. Counter
// math.MaxUint64 is never accepted, so the next counter cannot wrap.
//
// It returns an error wrapping ErrInvalidKey for an invalid key,
// ErrInvalidArgument for a window out of range, and ErrInvalidCode if code
// is not exactly k.Digits ASCII digits (checked before any HMAC) or matches
// no counter. Comparisons take constant time. As with Validate, the caller
// must store next with an atomic advance (only if the stored counter is
// still counter).
func ValidateHOTP(code string, k *Key, counter uint64, window int) (next uint64, err error) {
	if err := checkHOTP(k, window); err != nil {
		return 0, err
	}
	if !wellFormed(code, k.Digits) {
		return 0, ErrInvalidCode
	}
	g := newGenerator(k)
	for i := 0; i <= window; i++ {
		c := counter + uint64(i)
		if c < counter || c == math.MaxUint64 {
			break
		}
		m, err := g.matches(c, code)
		if err != nil {
			return 0, err
		}
		if m {
			return c + 1, nil
		}
	}
	return 0, ErrInvalidCode
}

// ResyncHOTP resynchronises a token whose counter ran ahead of the stored
// one (RFC 4226 §7.4): it looks for two consecutive counters c and c+1, with
// counter <= c <= counter+window, whose codes are code1 and code2, and
// returns c+2, the counter to store next. Asking for two codes keeps a
// large window safe: a guess has to hit two consecutive codes.
//
// Errors are those of ValidateHOTP; ErrInvalidCode if either code is
// malformed or no such pair exists.
func ResyncHOTP(code1, code2 string, k *Key, counter uint64, window int) (next uint64, err error) {
	if err := checkHOTP(k, window); err != nil {
		return 0, err
	}
	if !wellFormed(code1, k.Digits) || !wellFormed(code2, k.Digits) {
		return 0, ErrInvalidCode
	}
	g := newGenerator(k)
	prev := false // code1 matched counter c-1
	for i := 0; i <= window+1; i++ {
		c := counter + uint64(i)
		if c < counter || c == math.MaxUint64 {
			break
		}
		want, err := g.code(c)
		if err != nil {
			return 0, err
		}
		if prev && constantTimeEqual(want, code2) {
			return c + 1, nil
		}
		prev = constantTimeEqual(want, code1)
	}
	return 0, ErrInvalidCode
}

func checkHOTP(k *Key, window int) error {
	if err := k.checkParams(false); err != nil {
		return err
	}
	if window < 0 || window > MaxHOTPWindow {
		return fmt.Errorf("%w: window %d outside 0..%d", ErrInvalidArgument, window, MaxHOTPWindow)
	}
	return nil
}
