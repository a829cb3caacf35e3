package totp

import (
	"fmt"
	"net/url"
	"strings"
)

// MaxURILength bounds the otpauth URIs ParseURI reads, in bytes. It leaves
// room for the longest secret and names, percent-encoded.
const MaxURILength = 4096

// maxParams bounds the query parameters ParseURI looks at; a valid URI has
// at most five.
const maxParams = 5

// ParseURI parses an otpauth TOTP URI in the Google Authenticator key URI
// format, for instance one exported by another authenticator, into a Key.
//
// It is strict, so that an imported key computes exactly the codes the
// exporter showed and URI writes it back losslessly:
//   - at most MaxURILength bytes; scheme otpauth, type totp (hotp is
//     refused), no user info, port or fragment;
//   - the label is "issuer:account" or "account"; spaces after the colon are
//     dropped; a label issuer and an issuer parameter must be equal;
//   - the parameters are secret (required; base32, any case, padding
//     optional, canonical, 1..MaxSecretSize bytes), issuer, algorithm (SHA1,
//     SHA256 or SHA512, any case; default SHA1), digits (6, 7 or 8; default
//     6) and period (1..MaxPeriod seconds; default 30), each at most once and
//     never empty. Any other parameter, such as Steam's encoder or FreeOTP's
//     image, is refused rather than silently ignored;
//   - the names follow the rules of Key.Issuer and Key.AccountName.
//
// Every error wraps ErrInvalidURI and never contains the secret.
func ParseURI(uri string) (*Key, error) {
	k, msg := parseURI(uri)
	if msg != "" {
		return nil, fmt.Errorf("%w: %s", ErrInvalidURI, msg)
	}
	return k, nil
}

func parseURI(uri string) (*Key, string) {
	if len(uri) > MaxURILength {
		return nil, fmt.Sprintf("longer than %d bytes", MaxURILength)
	}
	if strings.ContainsRune(uri, '#') {
		return nil, "has a fragment"
	}
	// url.Parse is linear in its input. Its error quotes the URI, which
	// holds the secret, so only a fixed message is returned.
	u, err := url.Parse(uri)
	if err != nil {
		return nil, "malformed"
	}
	switch {
	case u.Scheme != "otpauth":
		return nil, "scheme is not otpauth"
	case u.Opaque != "" || u.User != nil:
		return nil, "malformed"
	case strings.EqualFold(u.Host, "hotp"):
		return nil, "hotp keys are not supported"
	case !strings.EqualFold(u.Host, "totp"):
		return nil, "type is not totp"
	case !strings.HasPrefix(u.Path, "/") || len(u.Path) == 1:
		return nil, "missing label"
	}

	k := &Key{Algorithm: SHA1, Digits: DefaultDigits, Period: DefaultPeriod}
	label := u.Path[1:]
	if issuer, account, ok := strings.Cut(label, ":"); ok {
		if issuer == "" {
			return nil, "empty issuer in label"
		}
		// The Key URI Format allows spaces before the account name.
		k.Issuer, k.AccountName = issuer, strings.TrimLeft(account, " ")
	} else {
		k.AccountName = label
	}
	hasIssuer := k.Issuer != ""

	if msg := parseParams(u.RawQuery, k, hasIssuer); msg != "" {
		return nil, msg
	}
	if msg := k.paramsProblem(true); msg != "" {
		return nil, msg
	}
	if msg := checkNames(k.Issuer, k.AccountName); msg != "" {
		return nil, msg
	}
	return k, ""
}

// parseParams reads the query of an otpauth URI into k.
func parseParams(rawQuery string, k *Key, labelIssuer bool) string {
	if rawQuery == "" {
		return "missing secret"
	}
	var seen [maxParams]bool
	count := strings.Count(rawQuery, "&") + 1
	if count > maxParams {
		return "too many parameters"
	}
	for part := range strings.SplitSeq(rawQuery, "&") {
		rawName, rawValue, ok := strings.Cut(part, "=")
		if !ok {
			return "parameter without a value"
		}
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return "malformed parameter"
		}
		if value == "" {
			return "empty parameter"
		}
		var slot int
		switch name {
		case "secret":
			slot = 0
			secret, msg := decodeSecret(value)
			if msg != "" {
				return msg
			}
			k.Secret = secret
		case "issuer":
			slot = 1
			if labelIssuer && value != k.Issuer {
				return "issuer parameter differs from the label"
			}
			k.Issuer = value
		case "algorithm":
			slot = 2
			switch Algorithm(strings.ToUpper(value)) {
			case SHA1:
				k.Algorithm = SHA1
			case SHA256:
				k.Algorithm = SHA256
			case SHA512:
				k.Algorithm = SHA512
			default:
				return "unsupported algorithm"
			}
		case "digits":
			slot = 3
			n, ok := parseSmallUint(value, MaxDigits)
			if !ok || n < MinDigits {
				return fmt.Sprintf("digits outside %d..%d", MinDigits, MaxDigits)
			}
			k.Digits = n
		case "period":
			slot = 4
			n, ok := parseSmallUint(value, MaxPeriod)
			if !ok || n < 1 {
				return fmt.Sprintf("period outside 1..%d seconds", MaxPeriod)
			}
			k.Period = n
		default:
			if len(name) <= 32 {
				return fmt.Sprintf("unsupported parameter %q", name)
			}
			return "unsupported parameter"
		}
		if seen[slot] {
			return "duplicate parameter " + name
		}
		seen[slot] = true
	}
	if !seen[0] {
		return "missing secret"
	}
	return ""
}

// decodeSecret decodes a base32 secret: any case, padding optional but
// correct if present, and canonical (the unused low bits are zero), so that
// the Key encodes back to the same letters.
func decodeSecret(s string) ([]byte, string) {
	const bad = "secret is not canonical base32"
	trimmed := strings.TrimRight(s, "=")
	if trimmed != s && len(s) != (len(trimmed)+7)/8*8 {
		return nil, bad
	}
	upper := strings.ToUpper(trimmed)
	secret, err := b32.DecodeString(upper)
	if err != nil || b32.EncodeToString(secret) != upper {
		return nil, bad
	}
	if len(secret) < 1 || len(secret) > MaxSecretSize {
		return nil, fmt.Sprintf("secret length outside 1..%d bytes", MaxSecretSize)
	}
	return secret, ""
}

// parseSmallUint parses 1 to 3 ASCII digits without a leading zero, up to max.
func parseSmallUint(s string, max int) (int, bool) {
	if len(s) == 0 || len(s) > 3 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= max
}
