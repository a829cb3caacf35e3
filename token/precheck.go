package token

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkit/latch/internal/strictjson"
)

// MaxTokenSize is the largest JWT, in bytes, that Verify looks at.
const MaxTokenSize = 8 << 10

// strictB64 decodes unpadded base64url and refuses non-zero trailing bits.
// It still skips '\r' and '\n' (encoding/base64 always does), so callers
// refuse those first.
var strictB64 = base64.RawURLEncoding.Strict()

// b64url maps each base64url character to its value and every other byte to
// 0xFF. It is never modified.
var b64url = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = 0xFF
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// Registered member names. A top-level member whose name is a case variant
// of one of these (but not the name itself) is refused.
var (
	headerNames = []string{"alg", "kid", "typ", "cty", "crit", "jku", "jwk", "x5u", "x5c", "x5t", "b64", "zip", "enc"}
	claimNames  = []string{"sub", "jti", "iss", "aud", "exp", "nbf", "iat", "permissions"}
)

// The errors of a header or claims object that internal/strictjson
// refuses. Its messages quote member names, which come from the token, so
// they are not passed on.
var (
	errHeaderDuplicate = fmt.Errorf("%w in header", ErrDuplicateClaim)
	errHeaderJSON      = fmt.Errorf("%w: invalid JSON in header", ErrMalformed)
	errClaimsDuplicate = fmt.Errorf("%w in claims", ErrDuplicateClaim)
	errClaimsJSON      = fmt.Errorf("%w: invalid JSON in claims", ErrMalformed)
)

// members reads a header or claims object with strictjson.Members and
// maps its errors to this package's.
func members(data []byte, dst []strictjson.Member, registered []string, dup, malformed error) ([]strictjson.Member, error) {
	ms, err := strictjson.Members(data, dst, registered)
	switch {
	case err == nil:
		return ms, nil
	case errors.Is(err, strictjson.ErrDuplicate):
		return nil, dup
	}
	return nil, malformed
}

// prechecked is what Verify learns from a token's header before golang-jwt
// sees the token.
type prechecked struct {
	alg, kid []byte
}

// precheck refuses what golang-jwt would accept, or what another
// implementation could read differently: oversize tokens, segments that are
// not canonical base64url, a header that strictjson.Members refuses (not a
// UTF-8 JSON object, lone surrogate escapes, duplicate or case-variant
// member names), a crit header, and alg "none". It
// returns the alg and kid headers. The claims get the same JSON checks when
// golang-jwt decodes them (wireClaims.UnmarshalJSON), also before the
// signature is checked; golang-jwt decodes every segment strictly, so the
// characters of the claims and signature segments are checked there.
func precheck(tok string) (prechecked, error) {
	var p prechecked
	if len(tok) > MaxTokenSize {
		return p, ErrTooLarge
	}
	// encoding/base64 skips line breaks; they are never canonical.
	if strings.IndexByte(tok, '\n') >= 0 || strings.IndexByte(tok, '\r') >= 0 {
		return p, fmt.Errorf("%w: line break", ErrMalformed)
	}
	h, rest, ok1 := strings.Cut(tok, ".")
	c, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(sig, '.') >= 0 {
		return p, fmt.Errorf("%w: not three segments", ErrMalformed)
	}
	if h == "" || c == "" {
		return p, fmt.Errorf("%w: empty segment", ErrMalformed)
	}
	if !canonicalSegment(c) || !canonicalSegment(sig) {
		return p, fmt.Errorf("%w: non-canonical encoding", ErrMalformed)
	}
	hdr, err := strictB64.DecodeString(h)
	if err != nil {
		return p, fmt.Errorf("%w: non-canonical header encoding", ErrMalformed)
	}

	var buf [16]strictjson.Member
	hm, err := members(hdr, buf[:0], headerNames, errHeaderDuplicate, errHeaderJSON)
	if err != nil {
		return p, err
	}
	var haveAlg, ok bool
	for _, m := range hm {
		switch string(m.Name) {
		case "crit":
			return p, ErrCritical
		case "alg":
			if p.alg, ok = strictjson.Unquote(m.Value); !ok {
				return p, fmt.Errorf("%w: alg is not a string", ErrMalformed)
			}
			haveAlg = true
		case "kid":
			if p.kid, ok = strictjson.Unquote(m.Value); !ok {
				return p, fmt.Errorf("%w: kid is not a string", ErrMalformed)
			}
		}
	}
	if !haveAlg {
		return p, fmt.Errorf("%w: no alg", ErrMalformed)
	}
	if bytes.EqualFold(p.alg, []byte("none")) {
		return p, ErrNoneAlg
	}
	return p, nil
}

// checkClaims applies the JSON checks to a claims object and returns its
// members.
func checkClaims(data []byte, dst []strictjson.Member) ([]strictjson.Member, error) {
	ms, err := members(data, dst, claimNames, errClaimsDuplicate, errClaimsJSON)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		first := m.Value[0]
		switch string(m.Name) {
		case "exp", "nbf", "iat":
			if first != '-' && (first < '0' || first > '9') {
				return nil, fmt.Errorf("%w: %s is not a number", ErrMalformed, m.Name)
			}
		case "sub", "jti", "iss":
			if first != '"' {
				return nil, fmt.Errorf("%w: %s is not a string", ErrMalformed, m.Name)
			}
		case "aud":
			if first != '"' && first != '[' {
				return nil, fmt.Errorf("%w: aud is not a string or an array", ErrMalformed)
			}
		case "permissions":
			if first != '[' {
				return nil, fmt.Errorf("%w: permissions is not an array", ErrMalformed)
			}
		}
	}
	return ms, nil
}

// canonicalSegment reports whether s could be canonical unpadded base64url:
// a possible length, and zero unused bits in the last character. The other
// characters are checked when the segment is decoded.
func canonicalSegment(s string) bool {
	switch len(s) % 4 {
	case 0:
		return len(s) == 0 || b64url[s[len(s)-1]] != 0xFF
	case 2:
		v := b64url[s[len(s)-1]]
		return v != 0xFF && v&0x0F == 0
	case 3:
		v := b64url[s[len(s)-1]]
		return v != 0xFF && v&0x03 == 0
	}
	return false
}
