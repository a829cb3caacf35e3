package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTokenSize is the largest JWT, in bytes, that Verify looks at.
const MaxTokenSize = 8 << 10

// maxDepth bounds JSON nesting in a header or claims object.
const maxDepth = 32

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
	headerNames = [...]string{"alg", "kid", "typ", "cty", "crit", "jku", "jwk", "x5u", "x5c", "x5t", "b64", "zip", "enc"}
	claimNames  = [...]string{"sub", "jti", "aud", "exp", "nbf", "iat", "permissions"}
)

// member is one top-level member of a JSON object: its name, unescaped, and
// its raw value.
type member struct {
	name []byte
	val  []byte
}

// prechecked is what Verify learns from a token's header before golang-jwt
// sees the token.
type prechecked struct {
	alg, kid []byte
}

// precheck refuses what golang-jwt would accept, or what another
// implementation could read differently: oversize tokens, segments that are
// not canonical base64url, a header that is not a UTF-8 JSON object or has
// duplicate or case-variant member names, a crit header, and alg "none". It
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

	var buf [16]member
	hm, err := topMembers(hdr, buf[:0], headerNames[:])
	if err != nil {
		return p, fmt.Errorf("%w in header", err)
	}
	var haveAlg bool
	for _, m := range hm {
		switch string(m.name) {
		case "crit":
			return p, ErrCritical
		case "alg":
			if p.alg, err = jsonString(m.val); err != nil {
				return p, fmt.Errorf("%w: alg is not a string", ErrMalformed)
			}
			haveAlg = true
		case "kid":
			if p.kid, err = jsonString(m.val); err != nil {
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
func checkClaims(data []byte, dst []member) ([]member, error) {
	ms, err := topMembers(data, dst, claimNames[:])
	if err != nil {
		return nil, fmt.Errorf("%w in claims", err)
	}
	for _, m := range ms {
		first := m.val[0]
		switch string(m.name) {
		case "exp", "nbf", "iat":
			if first != '-' && (first < '0' || first > '9') {
				return nil, fmt.Errorf("%w: %s is not a number", ErrMalformed, m.name)
			}
		case "sub", "jti":
			if first != '"' {
				return nil, fmt.Errorf("%w: %s is not a string", ErrMalformed, m.name)
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

// jsonString decodes a raw JSON value that must be a string. Without
// escapes the result aliases raw.
func jsonString(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, ErrMalformed
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, ErrMalformed
	}
	return []byte(s), nil
}

// topMembers validates data as one JSON object in UTF-8 and returns its
// members appended to dst. It refuses (with ErrDuplicateClaim) two members
// whose names are equal under Unicode simple case folding, and a name that
// folds to one of registered without being it. Nested objects may not repeat
// a name exactly. Anything that is not valid JSON is ErrMalformed.
func topMembers(data []byte, dst []member, registered []string) ([]member, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: invalid UTF-8", ErrMalformed)
	}
	s := scanner{data: data}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	dst, err := s.object(dst, true)
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.pos != len(s.data) {
		return nil, fmt.Errorf("%w: data after JSON object", ErrMalformed)
	}
	if s.dup != nil {
		return nil, s.dup
	}

	// Fold every name; most are already lower-case ASCII and fold to
	// themselves without allocating.
	var fbuf [16][]byte
	folded := fbuf[:0]
	for _, m := range dst {
		folded = append(folded, foldName(m.name))
	}
	if len(folded) <= 16 {
		for i := 1; i < len(folded); i++ {
			for j := 0; j < i; j++ {
				if bytes.Equal(folded[i], folded[j]) {
					return nil, fmt.Errorf("%w: %s", ErrDuplicateClaim, duplicateKind(dst[i].name, dst[j].name))
				}
			}
		}
	} else {
		seen := make(map[string]int, len(folded))
		for i, f := range folded {
			if j, ok := seen[string(f)]; ok {
				return nil, fmt.Errorf("%w: %s", ErrDuplicateClaim, duplicateKind(dst[i].name, dst[j].name))
			}
			seen[string(f)] = i
		}
	}
	for i, f := range folded {
		for _, r := range registered {
			if string(f) == r && string(dst[i].name) != r {
				return nil, fmt.Errorf("%w: case variant of %q", ErrDuplicateClaim, r)
			}
		}
	}
	return dst, nil
}

func duplicateKind(a, b []byte) string {
	if bytes.Equal(a, b) {
		return "repeated member"
	}
	return "case-variant members"
}

// foldName returns a canonical form of name under Unicode simple case
// folding: two names are equal under strings.EqualFold (and so under
// encoding/json's field matching) exactly when their folded forms are equal.
// Each rune maps to the lower-case ASCII letter of its folding orbit if the
// orbit has one ('K', 'k' and the Kelvin sign all give 'k'; 's', 'S' and 'ſ'
// give 's'), else to the orbit's smallest rune.
func foldName(name []byte) []byte {
	simple := true
	for _, c := range name {
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			simple = false
			break
		}
	}
	if simple {
		return name
	}
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRune(name[i:])
		i += size
		out = utf8.AppendRune(out, foldRune(r))
	}
	return out
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	if least < utf8.RuneSelf && 'A' <= least && least <= 'Z' {
		least += 'a' - 'A'
	}
	return least
}

// scanner is a small validating JSON reader (RFC 8259 grammar, the same
// inputs encoding/json accepts once the input is known to be UTF-8) that
// reports object members.
type scanner struct {
	data  []byte
	pos   int
	depth int
	dup   error // first repeated name in a nested object, reported once the syntax is known valid
}

var (
	errJSON      = fmt.Errorf("%w: invalid JSON", ErrMalformed)
	errNestedDup = fmt.Errorf("%w: repeated member in nested object", ErrDuplicateClaim)
)

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value reads one JSON value at s.pos (after spaces).
func (s *scanner) value() error {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return errJSON
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		_, err := s.object(nil, false)
		return err
	case c == '[':
		return s.array()
	case c == '"':
		_, _, err := s.str()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number()
	}
	return errJSON
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return errJSON
	}
	s.pos += len(lit)
	return nil
}

func (s *scanner) digits() int {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

func (s *scanner) number() error {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	if s.pos >= len(s.data) {
		return errJSON
	}
	if s.data[s.pos] == '0' {
		s.pos++
	} else if s.digits() == 0 {
		return errJSON
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return errJSON
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return errJSON
		}
	}
	return nil
}

// str reads a string starting at the opening quote and returns its raw
// content (between the quotes) and whether it has escapes.
func (s *scanner) str() (raw []byte, escaped bool, err error) {
	s.pos++ // opening quote
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw = s.data[start:s.pos]
			s.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			s.pos++
			if s.pos >= len(s.data) {
				return nil, false, errJSON
			}
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				if s.pos+4 >= len(s.data) {
					return nil, false, errJSON
				}
				for _, h := range s.data[s.pos+1 : s.pos+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return nil, false, errJSON
					}
				}
				s.pos += 5
			default:
				return nil, false, errJSON
			}
		case c < 0x20:
			return nil, false, errJSON
		default:
			s.pos++
		}
	}
	return nil, false, errJSON
}

// name reads an object member name and returns it unescaped.
func (s *scanner) name() ([]byte, error) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, errJSON
	}
	start := s.pos
	raw, escaped, err := s.str()
	if err != nil {
		return nil, err
	}
	if !escaped {
		return raw, nil
	}
	// Unescape exactly as encoding/json does (it also turns unpaired
	// surrogates into U+FFFD, so such names compare as it would see them).
	var n string
	if err := json.Unmarshal(s.data[start:s.pos], &n); err != nil {
		return nil, errJSON
	}
	return []byte(n), nil
}

// object reads an object starting at '{'. With top set it appends each
// member to dst and leaves duplicate checks to the caller; otherwise it
// refuses exact duplicate names itself.
func (s *scanner) object(dst []member, top bool) ([]member, error) {
	s.depth++
	if s.depth > maxDepth {
		return nil, fmt.Errorf("%w: nested too deeply", ErrMalformed)
	}
	s.pos++ // '{'
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return dst, nil
	}
	var nbuf [8][]byte
	names := nbuf[:0]
	var seen map[string]struct{}
	for {
		s.skipSpace()
		n, err := s.name()
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return nil, errJSON
		}
		s.pos++
		s.skipSpace()
		start := s.pos
		if err := s.value(); err != nil {
			return nil, err
		}
		if top {
			dst = append(dst, member{name: n, val: s.data[start:s.pos]})
		} else {
			if seen != nil {
				if _, dup := seen[string(n)]; dup && s.dup == nil {
					s.dup = errNestedDup
				}
				seen[string(n)] = struct{}{}
			} else {
				for _, prev := range names {
					if bytes.Equal(prev, n) && s.dup == nil {
						s.dup = errNestedDup
					}
				}
				names = append(names, n)
				if len(names) > 16 {
					seen = make(map[string]struct{}, 2*len(names))
					for _, prev := range names {
						seen[string(prev)] = struct{}{}
					}
				}
			}
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, errJSON
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return dst, nil
		default:
			return nil, errJSON
		}
	}
}

func (s *scanner) array() error {
	s.depth++
	if s.depth > maxDepth {
		return fmt.Errorf("%w: nested too deeply", ErrMalformed)
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := s.value(); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return errJSON
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return errJSON
		}
	}
}
