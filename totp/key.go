package totp

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"
)

// Algorithm names the HMAC hash function of a key, as written in the
// otpauth URI's algorithm parameter.
type Algorithm string

// The supported algorithms. SHA1 is the default and the only one every
// authenticator app supports; RFC 6238 also defines SHA256 and SHA512.
const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

// otp maps a to the pquerna/otp algorithm; ok is false for anything else
// than the three constants (MD5, which pquerna/otp also has, is refused).
func (a Algorithm) otp() (alg otp.Algorithm, ok bool) {
	switch a {
	case SHA1:
		return otp.AlgorithmSHA1, true
	case SHA256:
		return otp.AlgorithmSHA256, true
	case SHA512:
		return otp.AlgorithmSHA512, true
	}
	return 0, false
}

// Defaults and limits. The defaults are those of RFC 6238 and of every
// authenticator app (Google Authenticator's key URI format).
const (
	// DefaultDigits is the code length used when Config.Digits is 0.
	DefaultDigits = 6
	// DefaultPeriod is the time step in seconds used when Config.Period is 0
	// (RFC 6238 §5.2).
	DefaultPeriod = 30
	// DefaultSecretSize is the secret length in bytes used when
	// Config.SecretSize is 0: 160 bits, as RFC 4226 §4 recommends.
	DefaultSecretSize = 20
	// DefaultSkew is the number of time steps on each side of the current one
	// that are accepted when Config.Skew is 0 (RFC 6238 §5.2 recommends at
	// most one).
	DefaultSkew = 1
	// NoSkew as Config.Skew accepts codes for the current time step only.
	NoSkew = -1
	// MaxSkew is the largest skew Validate accepts.
	MaxSkew = 10

	// MinDigits and MaxDigits bound Key.Digits. RFC 4226 requires at least
	// six digits; more than eight cannot all be significant (the truncated
	// value has 31 bits) and no authenticator app offers it.
	MinDigits = 6
	MaxDigits = 8
	// MaxPeriod bounds Key.Period in seconds.
	MaxPeriod = 300
	// MinSecretSize is the smallest secret, in bytes, that Generate creates
	// (RFC 4226 §4 R6: at least 128 bits).
	MinSecretSize = 16
	// MaxSecretSize bounds the length of Key.Secret in bytes.
	MaxSecretSize = 128
	// MaxNameLength bounds Key.Issuer and Key.AccountName in bytes.
	MaxNameLength = 256
)

// b32 is the encoding of secrets in otpauth URIs: RFC 4648 base32,
// upper case, without padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Key is a TOTP (or HOTP) key: the shared secret and the parameters an
// authenticator needs to compute the same codes.
//
// A Key is a plain value; it is safe for concurrent use as long as nobody
// modifies it. Its String, GoString and LogValue methods redact the secret,
// so a Key that ends up in a log or an error shows only its length
// (encoding/json, however, writes the Secret field in base64). Store the
// secret encrypted at rest.
type Key struct {
	// Secret is the raw shared secret, 1 to MaxSecretSize bytes
	// (Generate makes DefaultSecretSize random bytes).
	Secret []byte
	// Algorithm is the HMAC hash: SHA1, SHA256 or SHA512. It has no
	// default here: a Key spells out every parameter.
	Algorithm Algorithm
	// Digits is the code length, MinDigits to MaxDigits.
	Digits int
	// Period is the TOTP time step in seconds, 1 to MaxPeriod. HOTP ignores it.
	Period int
	// Issuer names the service in authenticator apps. It is optional, at
	// most MaxNameLength bytes of printable UTF-8 without a colon and
	// without leading or trailing space.
	Issuer string
	// AccountName names the user in authenticator apps (often an email
	// address). It follows the rules of Issuer, and is required by URI,
	// QRPNG and Check, but not for computing or checking codes.
	AccountName string
}

// Check reports whether k can be written as an otpauth URI: every parameter
// in range and a valid AccountName and Issuer. The error wraps ErrInvalidKey.
// Code, Validate and the HOTP functions check only the fields they use.
func (k *Key) Check() error {
	if err := k.checkParams(true); err != nil {
		return err
	}
	if msg := checkNames(k.Issuer, k.AccountName); msg != "" {
		return fmt.Errorf("%w: %s", ErrInvalidKey, msg)
	}
	return nil
}

// checkParams validates what code computation needs; the period only when
// period is true (TOTP).
func (k *Key) checkParams(period bool) error {
	if msg := k.paramsProblem(period); msg != "" {
		return fmt.Errorf("%w: %s", ErrInvalidKey, msg)
	}
	return nil
}

// paramsProblem describes the first out-of-range code parameter of k, or
// returns "". The description never includes the secret.
func (k *Key) paramsProblem(period bool) string {
	switch {
	case k == nil:
		return "nil key"
	case len(k.Secret) < 1 || len(k.Secret) > MaxSecretSize:
		return fmt.Sprintf("secret length %d outside 1..%d bytes", len(k.Secret), MaxSecretSize)
	case k.Digits < MinDigits || k.Digits > MaxDigits:
		return fmt.Sprintf("digits %d outside %d..%d", k.Digits, MinDigits, MaxDigits)
	case period && (k.Period < 1 || k.Period > MaxPeriod):
		return fmt.Sprintf("period %d outside 1..%d seconds", k.Period, MaxPeriod)
	}
	if _, ok := k.Algorithm.otp(); !ok {
		return "unknown algorithm"
	}
	return ""
}

// checkNames describes the first problem with an issuer and account name,
// or returns "".
func checkNames(issuer, account string) string {
	if account == "" {
		return "empty account name"
	}
	if msg := checkName(account); msg != "" {
		return "account name " + msg
	}
	if issuer == "" {
		return ""
	}
	if msg := checkName(issuer); msg != "" {
		return "issuer " + msg
	}
	return ""
}

func checkName(s string) string {
	switch {
	case len(s) > MaxNameLength:
		return fmt.Sprintf("longer than %d bytes", MaxNameLength)
	case !utf8.ValidString(s):
		return "not valid utf-8"
	case strings.ContainsRune(s, ':'):
		return "contains a colon"
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return "has leading or trailing space"
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return "contains a non-printable character"
		}
	}
	return ""
}

// String returns a description of k with the secret redacted.
func (k Key) String() string {
	return fmt.Sprintf("totp.Key{Issuer:%q, AccountName:%q, Algorithm:%s, Digits:%d, Period:%d, Secret:[REDACTED %d bytes]}",
		k.Issuer, k.AccountName, k.Algorithm, k.Digits, k.Period, len(k.Secret))
}

// GoString is like String, so that %#v does not print the secret either.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb, so that %d, %x or %v of a Key (or
// of a struct holding one) never prints the secret's bytes.
func (k Key) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, k.String())
}

// LogValue implements [slog.LogValuer]: the key's parameters without the secret.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("issuer", k.Issuer),
		slog.String("account_name", k.AccountName),
		slog.String("algorithm", string(k.Algorithm)),
		slog.Int("digits", k.Digits),
		slog.Int("period", k.Period),
		slog.Int("secret_bytes", len(k.Secret)),
	)
}

// Config holds the parameters of new keys. The zero Config is the safe
// default that every authenticator app supports: SHA1, 6 digits, a 30 s
// period, a 20-byte secret and a skew of one step.
type Config struct {
	// Issuer names the service in authenticator apps. Optional but
	// recommended; the rules of Key.Issuer apply.
	Issuer string
	// Algorithm is the HMAC hash; "" means SHA1. Some apps silently ignore
	// SHA256 and SHA512 and then show wrong codes, so keep SHA1 unless the
	// users' apps are known.
	Algorithm Algorithm
	// Digits is the code length; 0 means DefaultDigits (6). MinDigits..MaxDigits.
	Digits int
	// Period is the time step in seconds; 0 means DefaultPeriod (30). 1..MaxPeriod.
	Period int
	// SecretSize is the secret length in bytes; 0 means DefaultSecretSize
	// (20, RFC 4226 §4). MinSecretSize..MaxSecretSize.
	SecretSize int
	// Skew is how many time steps before and after the current one Validate
	// should accept, to allow for clock drift and typing time. 0 means
	// DefaultSkew (1, RFC 6238 §5.2); NoSkew means none; at most MaxSkew.
	// Generate does not use it: pass it to Validate, which reads it the
	// same way.
	Skew int
}

// Check reports whether every field of c is zero or in range. The error
// wraps ErrInvalidConfig. Check it once when the host starts.
func (c Config) Check() error {
	_, err := c.withDefaults()
	return err
}

// SkewSteps returns how many steps on each side of the current one the
// skew accepts: DefaultSkew for 0, none for NoSkew, otherwise Skew itself.
// (Validate takes Skew itself, in this same encoding.)
func (c Config) SkewSteps() int {
	switch c.Skew {
	case 0:
		return DefaultSkew
	case NoSkew:
		return 0
	}
	return c.Skew
}

// withDefaults returns c with its zero fields set to the defaults, or an
// error for a field out of range.
func (c Config) withDefaults() (Config, error) {
	if c.Algorithm == "" {
		c.Algorithm = SHA1
	}
	if c.Digits == 0 {
		c.Digits = DefaultDigits
	}
	if c.Period == 0 {
		c.Period = DefaultPeriod
	}
	if c.SecretSize == 0 {
		c.SecretSize = DefaultSecretSize
	}
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if _, ok := c.Algorithm.otp(); !ok {
		return bad("unknown algorithm")
	}
	if c.Digits < MinDigits || c.Digits > MaxDigits {
		return bad("digits %d outside %d..%d", c.Digits, MinDigits, MaxDigits)
	}
	if c.Period < 1 || c.Period > MaxPeriod {
		return bad("period %d outside 1..%d seconds", c.Period, MaxPeriod)
	}
	if c.SecretSize < MinSecretSize || c.SecretSize > MaxSecretSize {
		return bad("secret size %d outside %d..%d bytes", c.SecretSize, MinSecretSize, MaxSecretSize)
	}
	if c.Skew != NoSkew && (c.Skew < 0 || c.Skew > MaxSkew) {
		return bad("skew %d outside 0..%d (or NoSkew)", c.Skew, MaxSkew)
	}
	if c.Issuer != "" {
		if msg := checkName(c.Issuer); msg != "" {
			return bad("issuer %s", msg)
		}
	}
	return c, nil
}

// Generate returns a new key for accountName with a random secret from
// crypto/rand and the parameters of cfg. It returns an error wrapping
// ErrInvalidConfig for a bad cfg and ErrInvalidArgument for a bad
// accountName (empty, too long, with a colon or a non-printable character).
func Generate(cfg Config, accountName string) (*Key, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if accountName == "" {
		return nil, fmt.Errorf("%w: empty account name", ErrInvalidArgument)
	}
	if msg := checkName(accountName); msg != "" {
		return nil, fmt.Errorf("%w: account name %s", ErrInvalidArgument, msg)
	}
	// pquerna/otp's totp.Generate is not used: it requires an issuer, which
	// is optional here, and would only read the same random bytes into a URI
	// with its own escaping.
	secret := make([]byte, c.SecretSize)
	_, _ = rand.Read(secret) // crypto/rand.Read never returns an error
	return &Key{
		Secret:      secret,
		Algorithm:   c.Algorithm,
		Digits:      c.Digits,
		Period:      c.Period,
		Issuer:      c.Issuer,
		AccountName: accountName,
	}, nil
}

// URI returns k as an otpauth URI in the Google Authenticator key URI
// format, with every parameter spelled out:
//
//	otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30
//
// The label and the values are percent-encoded (everything except
// A-Z a-z 0-9 - . _ ~ @), so any name round-trips through ParseURI. Without
// an Issuer the label is the account name alone and there is no issuer
// parameter. URI returns "" if k is invalid (see Check). The URI contains the
// secret: show it only to the key's owner.
func (k *Key) URI() string {
	if k.Check() != nil {
		return ""
	}
	var b strings.Builder
	b.Grow(64 + 2*len(k.Secret) + 4*len(k.Issuer) + 3*len(k.AccountName))
	b.WriteString("otpauth://totp/")
	if k.Issuer != "" {
		escapeTo(&b, k.Issuer)
		b.WriteByte(':')
	}
	escapeTo(&b, k.AccountName)
	b.WriteString("?secret=")
	b.WriteString(b32.EncodeToString(k.Secret))
	if k.Issuer != "" {
		b.WriteString("&issuer=")
		escapeTo(&b, k.Issuer)
	}
	b.WriteString("&algorithm=")
	b.WriteString(string(k.Algorithm))
	b.WriteString("&digits=")
	b.WriteString(strconv.Itoa(k.Digits))
	b.WriteString("&period=")
	b.WriteString(strconv.Itoa(k.Period))
	return b.String()
}

// escapeTo writes s percent-encoded: only RFC 3986 unreserved characters
// and '@' (legal and meaningless in both a path segment and a query value)
// are kept.
func escapeTo(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '@':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
}
