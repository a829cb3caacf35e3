package totp

import (
	"crypto/subtle"
	"fmt"
	"math"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// generator computes the codes of one key with pquerna/otp; it encodes the
// secret once for all the counters a check needs.
type generator struct {
	secret string
	opts   hotp.ValidateOpts
}

// newGenerator returns the generator of k, which the caller has checked.
func newGenerator(k *Key) generator {
	alg, _ := k.Algorithm.otp()
	return generator{
		secret: b32.EncodeToString(k.Secret),
		opts:   hotp.ValidateOpts{Digits: otp.Digits(k.Digits), Algorithm: alg},
	}
}

// code returns the RFC 4226 code for counter.
func (g generator) code(counter uint64) (string, error) {
	code, err := hotp.GenerateCodeCustom(g.secret, counter, g.opts)
	if err != nil {
		// Unreachable: the secret was encoded just above. Do not wrap the
		// library's error, whatever it says.
		return "", fmt.Errorf("%w: secret cannot be used", ErrInvalidKey)
	}
	return code, nil
}

// matches reports, in constant time, whether code is the code for counter.
func (g generator) matches(counter uint64, code string) (bool, error) {
	want, err := g.code(counter)
	if err != nil {
		return false, err
	}
	return constantTimeEqual(want, code), nil
}

// constantTimeEqual compares two codes in time that depends only on their
// lengths.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// wellFormed reports whether code is exactly digits ASCII digits. Any other
// byte, including those of non-ASCII digits such as '٣' or '３', fails.
func wellFormed(code string, digits int) bool {
	if len(code) != digits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// stepAt returns the RFC 6238 time step T = floor(unix(t) / period), T0 = 0.
func stepAt(t time.Time, period int) (int64, error) {
	u := t.Unix()
	if u < 0 {
		return 0, fmt.Errorf("%w: time before the unix epoch", ErrInvalidArgument)
	}
	return u / int64(period), nil
}

// Code returns the TOTP code of k at time t (RFC 6238): the code an
// authenticator app shows at that moment. It returns an error wrapping
// ErrInvalidKey for an invalid key and ErrInvalidArgument for a time before
// 1970.
func Code(k *Key, t time.Time) (string, error) {
	if err := k.checkParams(true); err != nil {
		return "", err
	}
	step, err := stepAt(t, k.Period)
	if err != nil {
		return "", err
	}
	return newGenerator(k).code(uint64(step))
}

// Validate checks a TOTP code against k at time now and returns the time
// step it matches, which the caller records as the new lastStep.
//
// skew has Config.Skew's one encoding: 0 means DefaultSkew (one step on
// each side, RFC 6238 §5.2), NoSkew means the current step only, and 1 to
// MaxSkew that many steps on each side. It accepts the code of a step
// within the skew of now's step that is strictly greater than lastStep, the
// last step accepted for this key (pass -1 before the first). Candidate
// steps are tried from now outwards, the earlier first, and the first match
// is returned. Steps before the Unix epoch are never candidates.
//
// Errors, checked in this order and all with step 0:
//   - ErrInvalidKey if k is invalid, ErrInvalidArgument if skew is out of
//     range or now is before 1970;
//   - ErrInvalidCode if code is not exactly k.Digits ASCII digits (checked
//     before any HMAC is computed; no trimming is done: strip spaces before
//     calling if the form allows them) or matches no step in the window;
//   - ErrReplay if code matches only steps at or before lastStep.
//
// Comparisons take constant time. Validate is a pure function: replay
// protection also needs the caller to store the returned step with an
// atomic "advance only if greater than lastStep" operation (a compare and
// swap), and to treat a failed advance as a rejection, or two concurrent
// requests can both use one code.
func Validate(code string, k *Key, now time.Time, lastStep int64, skew int) (step int64, err error) {
	if err := k.checkParams(true); err != nil {
		return 0, err
	}
	if skew < NoSkew || skew > MaxSkew {
		return 0, fmt.Errorf("%w: skew %d outside %d..%d", ErrInvalidArgument, skew, NoSkew, MaxSkew)
	}
	skew = Config{Skew: skew}.SkewSteps() // steps on each side
	if !wellFormed(code, k.Digits) {
		return 0, ErrInvalidCode
	}
	cur, err := stepAt(now, k.Period)
	if err != nil {
		return 0, err
	}
	g := newGenerator(k)
	// First the steps that may still be used, then, only to tell a replay
	// from a wrong code, those that may not.
	for _, fresh := range [2]bool{true, false} {
		for i := 0; i <= 2*skew; i++ {
			s, ok := candidate(cur, i)
			if !ok || (s > lastStep) != fresh {
				continue
			}
			m, err := g.matches(uint64(s), code)
			if err != nil {
				return 0, err
			}
			if m && fresh {
				return s, nil
			}
			if m {
				return 0, ErrReplay
			}
		}
	}
	return 0, ErrInvalidCode
}

// candidate returns the i-th step to try around cur: cur, cur-1, cur+1,
// cur-2, cur+2, ... and false if that step is negative or overflows.
func candidate(cur int64, i int) (int64, bool) {
	d := int64((i + 1) / 2)
	if i%2 == 1 {
		return cur - d, cur-d >= 0
	}
	if cur > math.MaxInt64-d {
		return 0, false
	}
	return cur + d, true
}
