package token

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/latchkit/latch/internal/strictjson"
)

// Claims are the contents of a Latch JWT.
//
// Times have one-second precision on the wire (NumericDate); Verify returns
// them in UTC, and Sign truncates them to the second.
type Claims struct {
	// Subject is the "sub" claim: whom the token is about (a user ID).
	Subject string
	// ID is the "jti" claim, unique per token. Revocation (logout) is keyed
	// on it. Sign fills a random one (130 bits) when it is empty; Verify
	// refuses a token without one.
	ID string
	// Issuer is the "iss" claim. Sign sets the keyring's Config.Issuer (and
	// refuses another, ErrIssuer); Verify requires it when the keyring has
	// one.
	Issuer string
	// Audience is the "aud" claim. Sign uses the keyring's audience when it
	// is empty, and refuses (ErrAudience) a list that does not contain it.
	Audience []string
	// IssuedAt is the "iat" claim. Sign uses the current time when it is
	// zero; Verify requires it and refuses one in the future.
	IssuedAt time.Time
	// NotBefore is the "nbf" claim, omitted when zero.
	NotBefore time.Time
	// ExpiresAt is the "exp" claim, required by Sign and Verify. The caller
	// chooses each token's lifetime (for example per role or token kind).
	ExpiresAt time.Time
	// Permissions is the "permissions" claim, omitted when empty.
	Permissions []string
	// Extra holds host-defined claims, marshalled with encoding/json. Their
	// names must not be a registered claim above or a case variant of one,
	// nor case variants of each other. Verify returns every claim it does
	// not know here, decoded as encoding/json decodes into an any (numbers
	// become float64); nil when there is none.
	Extra map[string]any
}

// wireClaims is the JSON form golang-jwt reads and writes.
type wireClaims struct {
	Subject     string           `json:"sub,omitempty"`
	ID          string           `json:"jti,omitempty"`
	Issuer      string           `json:"iss,omitempty"`
	Audience    jwt.ClaimStrings `json:"aud,omitempty"`
	ExpiresAt   *jwt.NumericDate `json:"exp,omitempty"`
	NotBefore   *jwt.NumericDate `json:"nbf,omitempty"`
	IssuedAt    *jwt.NumericDate `json:"iat,omitempty"`
	Permissions []string         `json:"permissions,omitempty"`

	extra   map[string]any // unregistered claims, filled by UnmarshalJSON
	decoded bool           // UnmarshalJSON accepted a claims object
}

// UnmarshalJSON decodes claims after checkClaims has refused duplicate or
// case-variant names and registered claims of the wrong JSON type.
// encoding/json has validated the JSON before calling it. Registered claims
// decode as golang-jwt's types do (NumericDate, ClaimStrings), except that
// permissions, like aud, must hold strings only; other claims go to extra,
// decoded by encoding/json.
func (w *wireClaims) UnmarshalJSON(data []byte) error {
	var buf [16]strictjson.Member
	ms, err := checkClaims(data, buf[:0])
	if err != nil {
		return err
	}
	for _, m := range ms {
		ok := true
		switch string(m.Name) {
		case "sub", "jti", "iss":
			var s []byte
			if s, ok = strictjson.Unquote(m.Value); !ok {
				break
			}
			switch m.Name[0] {
			case 's':
				w.Subject = string(s)
			case 'j':
				w.ID = string(s)
			default:
				w.Issuer = string(s)
			}
		case "aud":
			if m.Value[0] == '"' {
				var a []byte
				a, ok = strictjson.Unquote(m.Value)
				w.Audience = jwt.ClaimStrings{string(a)}
			} else {
				w.Audience, ok = strictjson.Strings(m.Value)
			}
		case "exp":
			w.ExpiresAt, err = numericDate(m.Value)
		case "nbf":
			w.NotBefore, err = numericDate(m.Value)
		case "iat":
			w.IssuedAt, err = numericDate(m.Value)
		case "permissions":
			w.Permissions, ok = strictjson.Strings(m.Value)
		default:
			if w.extra == nil {
				w.extra = make(map[string]any)
			}
			var v any
			err = json.Unmarshal(m.Value, &v)
			w.extra[string(m.Name)] = v
		}
		if err != nil || !ok {
			return errClaimValue
		}
	}
	w.decoded = true
	return nil
}

// The range of the NumericDate claims (exp, nbf, iat) Sign issues and
// Verify accepts: 1970-01-01 to 9999-12-31T23:59:59Z, in seconds.
const (
	minNumericDate = 0
	maxNumericDate = 253402300799
)

var (
	errDateRange       = fmt.Errorf("%w: date outside 1970..9999", ErrInvalidClaims)
	errClaimValue      = fmt.Errorf("%w: claim value of the wrong type", ErrMalformed)
	errClaimsNotObject = fmt.Errorf("%w: claims are not a JSON object", ErrMalformed)
)

func (w *wireClaims) GetExpirationTime() (*jwt.NumericDate, error) { return w.ExpiresAt, nil }
func (w *wireClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return w.IssuedAt, nil }
func (w *wireClaims) GetNotBefore() (*jwt.NumericDate, error)      { return w.NotBefore, nil }
func (w *wireClaims) GetIssuer() (string, error)                   { return w.Issuer, nil }
func (w *wireClaims) GetSubject() (string, error)                  { return w.Subject, nil }
func (w *wireClaims) GetAudience() (jwt.ClaimStrings, error)       { return w.Audience, nil }

// Validate is called by golang-jwt after the signature checks out, beside
// its own exp, nbf, iat and aud checks.
func (w *wireClaims) Validate() error {
	switch {
	case w.IssuedAt == nil:
		return fmt.Errorf("%w: iat", ErrMissingClaim)
	case w.ID == "":
		return fmt.Errorf("%w: jti", ErrMissingClaim)
	}
	return nil
}

// numericDate decodes a JSON number (already validated) as golang-jwt's
// NumericDate.UnmarshalJSON does: seconds as a float64, the fraction kept
// to the nanosecond, then truncated to jwt.TimePrecision.
func numericDate(raw []byte) (*jwt.NumericDate, error) {
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return nil, err
	}
	// Outside 1970..9999 a date is no date a Keyring issues, and far out
	// of range it would overflow int64 and time.Unix into the distant past
	// (a far-future nbf would then pass as already valid).
	if !(f >= minNumericDate && f <= maxNumericDate) {
		return nil, errDateRange
	}
	round, frac := math.Modf(f)
	return jwt.NewNumericDate(time.Unix(int64(round), int64(frac*1e9))), nil
}

var (
	errMissingExp = fmt.Errorf("%w: exp", ErrMissingClaim)
	errMissingAud = fmt.Errorf("%w: aud", ErrMissingClaim)
)

// signClaims adds the Extra claims to wireClaims when marshalled.
type signClaims struct {
	*wireClaims
	extra map[string]any
}

func (s signClaims) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(s.wireClaims)
	if err != nil || len(s.extra) == 0 {
		return base, err
	}
	more, err := json.Marshal(s.extra)
	if err != nil {
		return nil, err
	}
	// Both are objects and base is never empty (exp is always set).
	out := append(base[:len(base)-1], ',')
	return append(out, more[1:]...), nil
}

// Sign returns a JWT for c signed with the current key, its header carrying
// the key's alg and kid. See Claims for the defaults it fills. It returns
// ErrMissingClaim without ExpiresAt, ErrExpired if ExpiresAt, truncated to
// the second, is not after now, ErrAudience if c.Audience leaves out the keyring's audience,
// ErrDuplicateClaim for Extra names that Verify would refuse,
// ErrInvalidClaims for claims that cannot be encoded faithfully (dates
// outside 1970..9999 included) or whose Extra values encode to JSON that
// Verify refuses (objects with names repeated or differing only in case,
// lone surrogate escapes), and
// ErrTooLarge for a token over MaxTokenSize.
func (r *Keyring) Sign(c Claims) (string, error) {
	st := r.state.Load()
	e := st.current
	now := r.now()
	if c.ExpiresAt.IsZero() {
		return "", errMissingExp
	}
	for _, t := range []time.Time{c.ExpiresAt, c.IssuedAt, c.NotBefore} {
		if sec := t.Unix(); !t.IsZero() && (sec < minNumericDate || sec > maxNumericDate) {
			return "", errDateRange
		}
	}
	w := &wireClaims{
		Subject:     c.Subject,
		ID:          c.ID,
		Permissions: c.Permissions,
		ExpiresAt:   jwt.NewNumericDate(c.ExpiresAt),
	}
	if !w.ExpiresAt.After(now) { // as it will be on the wire, to the second
		return "", ErrExpired
	}
	if w.ID == "" {
		w.ID = rand.Text()
	}
	if c.Issuer != "" && c.Issuer != r.issuer {
		return "", ErrIssuer
	}
	w.Issuer = r.issuer
	if len(c.Audience) == 0 {
		w.Audience = jwt.ClaimStrings{r.audience}
	} else if !slices.Contains(c.Audience, r.audience) {
		return "", ErrAudience
	} else {
		w.Audience = jwt.ClaimStrings(c.Audience)
	}
	iat := c.IssuedAt
	if iat.IsZero() {
		iat = now
	}
	w.IssuedAt = jwt.NewNumericDate(iat)
	if !c.NotBefore.IsZero() {
		w.NotBefore = jwt.NewNumericDate(c.NotBefore)
	}
	if !utf8.ValidString(w.Subject) || !utf8.ValidString(w.ID) || !allUTF8(w.Audience) || !allUTF8(w.Permissions) {
		return "", fmt.Errorf("%w: invalid UTF-8", ErrInvalidClaims)
	}
	if err := checkExtraNames(c.Extra); err != nil {
		return "", err
	}

	t := jwt.NewWithClaims(e.method, signClaims{wireClaims: w, extra: c.Extra})
	t.Header["kid"] = e.key.ID
	s, err := t.SignedString(e.key.signingKey())
	if err != nil {
		return "", fmt.Errorf("%w: cannot encode", ErrInvalidClaims)
	}
	if len(s) > MaxTokenSize {
		return "", ErrTooLarge
	}
	if len(c.Extra) > 0 {
		// Host values may marshal themselves into anything (invalid UTF-8,
		// repeated names): refuse to issue what Verify would refuse.
		seg := s[strings.IndexByte(s, '.')+1 : strings.LastIndexByte(s, '.')]
		cl, err := strictB64.DecodeString(seg)
		if err == nil {
			err = new(wireClaims).UnmarshalJSON(cl)
		}
		if err != nil {
			return "", fmt.Errorf("%w: Extra values do not encode canonically", ErrInvalidClaims)
		}
	}
	return s, nil
}

func allUTF8(ss []string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// checkExtraNames applies Verify's member-name rules to Extra.
func checkExtraNames(extra map[string]any) error {
	if len(extra) == 0 {
		return nil
	}
	folded := make(map[string]string, len(extra))
	for name := range extra {
		if !utf8.ValidString(name) {
			return fmt.Errorf("%w: invalid UTF-8", ErrInvalidClaims)
		}
		f := strictjson.FoldKey(name)
		if slices.Contains(claimNames, f) {
			return fmt.Errorf("%w: Extra repeats a registered claim", ErrDuplicateClaim)
		}
		if _, dup := folded[f]; dup {
			return fmt.Errorf("%w: Extra names differ only in case", ErrDuplicateClaim)
		}
		folded[f] = name
	}
	return nil
}

// Verify checks a JWT and returns its claims. The token must:
//   - be at most MaxTokenSize bytes (else ErrTooLarge);
//   - be three canonical base64url segments, with a header and claims that
//     are JSON objects in UTF-8 without lone surrogate escapes, nested at
//     most 32 levels, registered claims of the right JSON type, and exp,
//     nbf and iat dates from 1970 to 9999 (else ErrMalformed);
//   - repeat no member name in an object, even in another letter case
//     (else ErrDuplicateClaim), and have no crit header (else ErrCritical);
//   - not say alg "none" (else ErrNoneAlg);
//   - name a kid in the keyring (else ErrUnknownKey), with that key's
//     algorithm (else ErrAlgorithm), and be signed by that key (else
//     ErrSignature);
//   - carry exp, iat, jti and aud (else ErrMissingClaim), an aud containing
//     the keyring's audience (else ErrAudience), an exp after now (else
//     ErrExpired), and no nbf or iat after now (else ErrNotYetValid), all
//     within the configured leeway.
//
// The encoding, JSON, header and key checks come first; the claims' values
// (exp, nbf, iat, aud, jti) are judged only once the signature verifies.
// The claims are returned only on success. Revocation is the caller's
// check, keyed on Claims.ID: a token has exactly one accepted encoding, so
// no other spelling of a revoked token carries a different jti or passes.
func (r *Keyring) Verify(token string) (*Claims, error) {
	p, err := precheck(token)
	if err != nil {
		return nil, err
	}
	e := r.state.Load().byID[string(p.kid)]
	if e == nil {
		return nil, ErrUnknownKey
	}
	if string(p.alg) != string(e.key.Algorithm) {
		return nil, ErrAlgorithm
	}
	var w wireClaims
	_, err = e.parser.ParseWithClaims(token, &w, e.keyfunc)
	if !w.decoded && !errors.Is(err, jwt.ErrTokenMalformed) {
		// The claims decoded without UnmarshalJSON: encoding/json skips it
		// for a JSON null, which is not an object.
		return nil, errClaimsNotObject
	}
	if err != nil {
		return nil, translate(err, &w)
	}
	c := &Claims{
		Subject:     w.Subject,
		ID:          w.ID,
		Issuer:      w.Issuer,
		Audience:    []string(w.Audience),
		IssuedAt:    w.IssuedAt.Time.UTC(),
		ExpiresAt:   w.ExpiresAt.Time.UTC(),
		Permissions: w.Permissions,
	}
	if w.NotBefore != nil {
		c.NotBefore = w.NotBefore.Time.UTC()
	}
	c.Extra = w.extra
	return c, nil
}

// translate maps a golang-jwt error to this package's errors.
func translate(err error, w *wireClaims) error {
	switch {
	case errors.Is(err, ErrDuplicateClaim):
		return ErrDuplicateClaim
	case errors.Is(err, jwt.ErrTokenMalformed), errors.Is(err, jwt.ErrTokenUnverifiable):
		return ErrMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return ErrSignature
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ErrAudience
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return ErrIssuer
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		switch {
		case w.ExpiresAt == nil:
			return errMissingExp
		case !slices.ContainsFunc(w.Audience, func(a string) bool { return a != "" }):
			return errMissingAud // golang-jwt reads an aud of empty strings as none
		}
		return ErrIssuer // the only other claim golang-jwt requires here
	case errors.Is(err, ErrMissingClaim):
		if w.IssuedAt == nil {
			return fmt.Errorf("%w: iat", ErrMissingClaim)
		}
		return fmt.Errorf("%w: jti", ErrMissingClaim)
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ErrNotYetValid
	}
	return ErrMalformed
}
