package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The engine: one pass over the document that checks the JSON grammar
// (RFC 8259, as encoding/json reads it) and the rules of the package
// comment, and reports the top-level members of an object (Members). It
// allocates nothing for a document whose keys have no escapes and whose
// objects have at most 16 keys, unless it is checked against a Go type.
//
// Syntax errors (and nesting beyond MaxDepth) take precedence: the first
// broken rule is reported only once the whole document is known to be
// well-formed JSON, so a malformed document is always reported as such.

// scanner reads one document.
type scanner struct {
	data  []byte
	pos   int
	depth int      // arrays and objects open at pos
	path  []string // struct fields being checked, for messages
	rule  error    // the first rule broken, reported if the syntax is valid
}

var (
	// errSyntax stops the scan at a byte that breaks the JSON grammar (or
	// at the end of the data); the message is made from the whole document.
	errSyntax = errors.New("syntax")
	errDeep   = errorf("JSON nested too deeply")
	errUTF8   = errorf("body is not valid UTF-8")
)

// fail records a broken rule; the first one is reported.
func (s *scanner) fail(err error) {
	if s.rule == nil {
		s.rule = err
	}
}

// fieldErrorf is errorf prefixed with the struct field being checked, if
// any.
func (s *scanner) fieldErrorf(format string, args ...any) *Error {
	if len(s.path) > 0 {
		return errorf("field %q: "+format, append([]any{truncate(strings.Join(s.path, "."))}, args...)...)
	}
	return errorf(format, args...)
}

// finish turns the result of scanning a whole value into the error of the
// document: a syntax error, trailing data, or the first broken rule.
func (s *scanner) finish(err error) error {
	switch {
	case err == errSyntax:
		return s.malformed()
	case err != nil:
		return err
	}
	end := s.pos
	s.skipSpace()
	if s.pos != len(s.data) {
		return errorf("trailing data after the JSON value, which ends at byte %d", end)
	}
	return s.rule
}

// malformed describes the syntax error the scanner stopped at, in
// encoding/json's words and with its byte offset when it agrees.
func (s *scanner) malformed() error {
	n := len(s.data)
	if s.pos >= n {
		return errorf("malformed JSON: unexpected end at byte %d", n)
	}
	var v struct{}
	if se, ok := errors.AsType[*json.SyntaxError](json.Unmarshal(s.data, &v)); ok {
		return errorf("malformed JSON near byte %d: %s", se.Offset, se.Error())
	}
	return errorf("malformed JSON near byte %d", s.pos) // never: encoding/json agrees
}

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

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value reads one value (after white space) that is to decode into t (nil:
// any JSON value, in which null is accepted).
func (s *scanner) value(t reflect.Type) error {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return errSyntax
	}
	c := s.data[s.pos]
	if c == 'n' {
		if t != nil {
			s.fail(s.fieldErrorf("null is not accepted; omit the field"))
		}
		return s.literal("null")
	}
	if t != nil {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		// Types that decode themselves (time.Time) are checked as any JSON.
		if p := reflect.PointerTo(t); p.Implements(unmarshalerType) || p.Implements(textUnmarshalerType) {
			t = nil
		}
	}
	switch {
	case c == '{':
		switch {
		case t == nil || t.Kind() == reflect.Interface:
			_, err := s.object(nil, nil, nil, false)
			return err
		case t.Kind() == reflect.Struct:
			_, err := s.object(structFields(t), nil, nil, false)
			return err
		case t.Kind() == reflect.Map:
			_, err := s.object(nil, t.Elem(), nil, false)
			return err
		}
		s.fail(s.fieldErrorf("want %s, got an object", jsonType(t)))
		_, err := s.object(nil, nil, nil, false)
		return err
	case c == '[':
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Slice, reflect.Array:
				elem = t.Elem()
			case reflect.Interface:
			default:
				s.fail(s.fieldErrorf("want %s, got an array", jsonType(t)))
			}
		}
		return s.array(elem)
	case c == '"':
		_, err := s.str()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return errSyntax
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		for i := 0; i < len(lit) && s.pos < len(s.data) && s.data[s.pos] == lit[i]; i++ {
			s.pos++
		}
		return errSyntax
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
	if s.pos < len(s.data) && s.data[s.pos] == '0' {
		s.pos++
	} else if s.digits() == 0 {
		return errSyntax
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return errSyntax
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return errSyntax
		}
	}
	return nil
}

var errSurrogate = errorf("unpaired surrogate escape")

// What str found in a string.
type strFlags uint8

const (
	escaped  strFlags = 1 << iota // a backslash escape
	nonASCII                      // a byte of a multi-byte UTF-8 sequence
)

// str reads a string at its opening quote and reports whether it has
// escapes or bytes outside ASCII. An escape of a UTF-16 surrogate that is
// not half of a pair breaks a rule (encoding/json would silently read it
// as U+FFFD).
func (s *scanner) str() (f strFlags, err error) {
	s.pos++ // opening quote
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return f, nil
		case c >= utf8.RuneSelf:
			f |= nonASCII
			s.pos++
		case c == '\\':
			f |= escaped
			if s.pos+1 >= len(s.data) {
				s.pos++
				return 0, errSyntax
			}
			s.pos++
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				r, ok := hex4(s.data[s.pos+1:])
				if !ok {
					s.pos++
					return 0, errSyntax
				}
				s.pos += 5
				switch {
				case 0xDC00 <= r && r <= 0xDFFF:
					s.fail(errSurrogate)
				case 0xD800 <= r && r <= 0xDBFF:
					rest := s.data[s.pos:]
					if len(rest) < 6 || rest[0] != '\\' || rest[1] != 'u' {
						s.fail(errSurrogate)
						break
					}
					if lo, ok := hex4(rest[2:]); !ok || lo < 0xDC00 || lo > 0xDFFF {
						s.fail(errSurrogate) // the next escape is read on its own
						break
					}
					s.pos += 6
				}
			default:
				return 0, errSyntax
			}
		case c < 0x20:
			return 0, errSyntax
		default:
			s.pos++
		}
	}
	return 0, errSyntax
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// key reads an object key and returns it unescaped (aliasing the document
// when it has no escapes), and whether it is all ASCII.
func (s *scanner) key() (k []byte, isASCII bool, err error) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, false, errSyntax
	}
	start := s.pos
	f, err := s.str()
	if err != nil {
		return nil, false, err
	}
	raw := s.data[start+1 : s.pos-1]
	if f&escaped == 0 {
		return raw, f&nonASCII == 0, nil
	}
	k = unescape(make([]byte, 0, len(raw)), raw)
	return k, ascii(k), nil
}

// unescape appends the content raw of a well-formed JSON string to dst,
// decoded as encoding/json decodes it.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(raw[i+1:])
			i += 4
			if 0xD800 <= r && r <= 0xDBFF && i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if lo, ok := hex4(raw[i+3:]); ok && 0xDC00 <= lo && lo <= 0xDFFF {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
			}
			if 0xD800 <= r && r <= 0xDFFF {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, raw[i])
		}
		i++
	}
	return dst
}

// maxPairwise is the number of keys of an object compared pairwise for
// duplicates; beyond it they go into a map of folded keys.
const maxPairwise = 16

// object reads an object at its '{'. With fs, its keys are checked
// against the fields of a struct (or the known names of Members); without,
// every value is to decode into elem. With collect, its members are
// appended to dst. Keys equal under case folding are refused in every
// object.
func (s *scanner) object(fs *fields, elem reflect.Type, dst []Member, collect bool) ([]Member, error) {
	s.depth++
	if s.depth > MaxDepth {
		return nil, errDeep
	}
	s.pos++ // '{'
	var kbuf [maxPairwise][]byte
	keys := kbuf[:0]
	allASCII := true // keys
	var folded map[string]struct{}
	var seen []bool
	if fs != nil && fs.required != nil {
		seen = make([]bool, len(fs.names))
	}
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
	} else {
		for {
			s.skipSpace()
			k, isASCII, err := s.key()
			if err != nil {
				return nil, err
			}
			vt, field := elem, ""
			if s.rule == nil {
				vt, field = s.checkKey(fs, k, elem, seen)
			}
			if s.rule == nil {
				switch {
				case folded != nil:
					f := string(appendFold(nil, k))
					if _, dup := folded[f]; dup {
						s.fail(s.duplicate(fs, k))
					}
					folded[f] = struct{}{}
				case foldedIn(keys, k, isASCII && allASCII):
					s.fail(s.duplicate(fs, k))
				case len(keys) < maxPairwise:
					keys = append(keys, k)
					allASCII = allASCII && isASCII
				default:
					folded = make(map[string]struct{}, 2*maxPairwise)
					for _, p := range append(keys, k) {
						folded[string(appendFold(nil, p))] = struct{}{}
					}
				}
			}
			s.skipSpace()
			if s.pos >= len(s.data) || s.data[s.pos] != ':' {
				return nil, errSyntax
			}
			s.pos++
			s.skipSpace()
			start := s.pos
			if field != "" {
				s.path = append(s.path, field)
			}
			err = s.value(vt)
			if field != "" {
				s.path = s.path[:len(s.path)-1]
			}
			if err != nil {
				return nil, err
			}
			if collect {
				dst = append(dst, Member{Name: k, Value: s.data[start:s.pos]})
			}
			s.skipSpace()
			if s.pos >= len(s.data) {
				return nil, errSyntax
			}
			if s.data[s.pos] == '}' {
				s.pos++
				break
			}
			if s.data[s.pos] != ',' {
				return nil, errSyntax
			}
			s.pos++
		}
	}
	s.depth--
	for i, ok := range seen {
		if !ok && fs.required[i] {
			s.fail(s.fieldErrorf("missing field %q", fs.names[i]))
			break
		}
	}
	return dst, nil
}

// checkKey checks key k of an object with fields fs (or of a map with
// element type elem), and returns the type its value is to decode into
// and the struct field it names, if any.
func (s *scanner) checkKey(fs *fields, k []byte, elem reflect.Type, seen []bool) (reflect.Type, string) {
	if fs == nil {
		return elem, ""
	}
	for i, name := range fs.names {
		if string(k) == name {
			if seen != nil {
				seen[i] = true
			}
			if fs.types == nil {
				return nil, ""
			}
			return fs.types[i], name
		}
	}
	if !fs.open {
		s.fail(s.fieldErrorf("unknown field %s", quote(k)))
		return nil, ""
	}
	for _, name := range fs.names {
		if foldEqual(k, name) {
			s.fail(&Error{Msg: "key " + quote(k) + " is a case variant of " + strconv.Quote(name), kind: ErrDuplicate})
			break
		}
	}
	return nil, ""
}

// duplicate is the error of key k repeating an earlier key of its object.
func (s *scanner) duplicate(fs *fields, k []byte) *Error {
	var e *Error
	if fs != nil && fs.types != nil {
		e = s.fieldErrorf("duplicate field %s", quote(k))
	} else {
		e = errorf("duplicate key %s", quote(k))
	}
	e.kind = ErrDuplicate
	return e
}

// quote quotes a key for a message, cut to 64 bytes.
func quote(k []byte) string { return strconv.Quote(truncate(string(k))) }

func (s *scanner) array(elem reflect.Type) error {
	s.depth++
	if s.depth > MaxDepth {
		return errDeep
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := s.value(elem); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return errSyntax
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// fields are the names an object is checked against.
type fields struct {
	names []string
	// types are the Go types of a struct's fields; nil for Members.
	types    []reflect.Type
	required []bool // nil for Members
	// open accepts names not in names (Members), but still refuses a case
	// variant of one of them, as a duplicate.
	open bool
}

var fieldCache sync.Map // reflect.Type → *fields

// structFields lists the JSON names of struct t's exported fields (the
// structs Latch decodes are flat: no embedding).
func structFields(t reflect.Type) *fields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*fields)
	}
	fs := &fields{required: []bool{}, types: []reflect.Type{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs.names = append(fs.names, name)
		fs.types = append(fs.types, f.Type)
		fs.required = append(fs.required, f.Tag.Get("required") == "true")
	}
	f, _ := fieldCache.LoadOrStore(t, fs)
	return f.(*fields)
}

// foldedIn reports whether k equals one of keys under case folding;
// isASCII says that they are all ASCII.
func foldedIn(keys [][]byte, k []byte, isASCII bool) bool {
	if isASCII {
		for _, p := range keys {
			if len(p) == len(k) && asciiFoldEqual(p, k) {
				return true
			}
		}
		return false
	}
	for _, p := range keys {
		if foldEqual(p, k) {
			return true
		}
	}
	return false
}

// asciiFoldEqual reports whether a and b, ASCII of one length, differ only
// in the case of letters.
func asciiFoldEqual(a, b []byte) bool {
	for i := range len(a) {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// foldEqual reports whether a and b are equal under Unicode simple case
// folding (bytes.EqualFold), which is how encoding/json matches a key to a
// field name.
func foldEqual[S ~string | ~[]byte](a []byte, b S) bool {
	if ascii(a) && ascii(b) { // only a non-ASCII rune folds to one of another length
		return len(a) == len(b) && asciiFoldEqual(a, []byte(b))
	}
	return bytes.EqualFold(a, []byte(b))
}

func ascii[S ~string | ~[]byte](s S) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendFold appends to dst a form of k that is the same for exactly the
// keys foldEqual to k: each rune becomes the lower-case ASCII letter of
// its case-folding orbit if the orbit has one ('K', 'k' and the Kelvin
// sign all give 'k'; 's', 'S' and 'ſ' give 's'), else the orbit's smallest
// rune. Lower-case ASCII keys fold to themselves.
func appendFold(dst, k []byte) []byte {
	for i := 0; i < len(k); {
		c := k[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(k[i:])
		i += n
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		if 'A' <= least && least <= 'Z' {
			least += 'a' - 'A'
		}
		dst = utf8.AppendRune(dst, least)
	}
	return dst
}
