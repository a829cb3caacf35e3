package strictjson

import "unicode/utf8"

// Member is a member of a JSON object: its key, unescaped, and its value
// as it is in the document.
type Member struct {
	Name  []byte
	Value []byte
}

// Members checks data, which must be a JSON object, by the rules of the
// package comment, with a known name matched exactly: a key that is a case
// variant of one of known without being it is refused (ErrDuplicate).
// Other keys are accepted, and the values of all are any JSON. It returns
// the object's members appended to dst. Names and values alias data,
// except names with escapes. It allocates nothing else when no key has an
// escape and no object has more than 16 keys.
func Members(data []byte, dst []Member, known []string) ([]Member, error) {
	if !utf8.Valid(data) {
		return nil, errUTF8
	}
	s := scanner{data: data}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		if err := s.finish(s.value(nil)); err != nil {
			return nil, err
		}
		return nil, errNotObject
	}
	fs := fields{names: known, open: true}
	dst, err := s.object(&fs, nil, dst, true)
	if err = s.finish(err); err != nil {
		return nil, err
	}
	return dst, nil
}

var errNotObject = errorf("want an object")

// Unquote returns the content of raw, a JSON string, unescaped; it aliases
// raw when raw has no escapes. ok is false if raw is anything but one
// JSON string of valid UTF-8 without a lone surrogate escape.
func Unquote(raw []byte) (s []byte, ok bool) {
	sc := scanner{data: raw}
	if len(raw) == 0 || raw[0] != '"' {
		return nil, false
	}
	f, err := sc.str()
	if err != nil || sc.rule != nil || sc.pos != len(raw) || f&nonASCII != 0 && !utf8.Valid(raw) {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	if f&escaped == 0 {
		return inner, true
	}
	return unescape(make([]byte, 0, len(inner)), inner), true
}

// Strings returns the elements of raw, a JSON array of strings: an empty
// (not nil) list for []. ok is false if raw is anything else, or if an
// element is not a string of valid UTF-8 without a lone surrogate escape.
func Strings(raw []byte) (list []string, ok bool) {
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	s := scanner{data: raw, pos: 1}
	list = []string{}
	s.skipSpace()
	if s.pos < len(raw) && raw[s.pos] == ']' {
		return list, s.pos+1 == len(raw)
	}
	for {
		s.skipSpace()
		if s.pos >= len(raw) || raw[s.pos] != '"' {
			return nil, false
		}
		start := s.pos
		f, err := s.str()
		if err != nil || s.rule != nil || f&nonASCII != 0 && !utf8.Valid(raw[start:s.pos]) {
			return nil, false
		}
		inner := raw[start+1 : s.pos-1]
		if f&escaped != 0 {
			list = append(list, string(unescape(make([]byte, 0, len(inner)), inner)))
		} else {
			list = append(list, string(inner))
		}
		s.skipSpace()
		if s.pos >= len(raw) {
			return nil, false
		}
		switch raw[s.pos] {
		case ',':
			s.pos++
		case ']':
			return list, s.pos+1 == len(raw)
		default:
			return nil, false
		}
	}
}

// FoldKey returns a form of key that is the same for exactly the keys
// equal to it under Unicode simple case folding (the keys that Members and
// Decode refuse as duplicates of it): the lower case for ASCII letters,
// and a lower-case ASCII name folds to itself.
func FoldKey(key string) string {
	return string(appendFold(make([]byte, 0, len(key)), []byte(key)))
}
