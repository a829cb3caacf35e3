// Package strictjson decodes JSON the way Latch accepts input: one value
// of valid UTF-8, no unpaired surrogate escapes, no duplicate keys (also
// none equal under the case folding encoding/json applies), object keys
// that are exactly a field's JSON name, no null, and bounded nesting.
// encoding/json alone matches names case-insensitively, keeps the last of
// duplicate keys and accepts null for any field, so two parsers (a proxy's
// and Latch's) could read one document differently.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of a document. Latch's request bodies are at
// most three levels deep and a backup about five.
const MaxDepth = 32

// ErrInvalid is wrapped by every error of Decode and Check.
var ErrInvalid = errors.New("invalid JSON")

// Error is every error of Decode and Check about the document (it wraps
// ErrInvalid). Msg says what is wrong in terms of the document, for
// whoever sent it: the field, the expected JSON type, the byte offset of a
// syntax error. It quotes at most an object key (cut to 64 bytes) and a
// character or number of the document, never a string value.
type Error struct {
	Msg string
}

// Error returns "invalid JSON: " and Msg.
func (e *Error) Error() string { return ErrInvalid.Error() + ": " + e.Msg }

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// malformed is the error of a token the decoder could not read, with the
// byte offset where the document breaks. (The offset and the decoder's
// description differ a little between Go releases; the end of the
// document is always reported as such.)
func (c *checker) malformed(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errorf("malformed JSON: unexpected end at byte %d", c.size)
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		if se.Offset >= c.size {
			return errorf("malformed JSON: unexpected end at byte %d", c.size)
		}
		return errorf("malformed JSON near byte %d: %s", se.Offset, se.Error())
	}
	return errorf("malformed JSON near byte %d: %v", c.dec.InputOffset(), err)
}

// valueError describes an error of json.Unmarshal after Check passed: a
// value of the wrong JSON type or out of range, or a malformed timestamp.
func valueError(err error) error {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		where := "the document"
		if te.Field != "" {
			where = fmt.Sprintf("field %q", truncate(te.Field))
		}
		return errorf("%s: want %s, got %s", where, jsonType(te.Type), truncate(te.Value))
	}
	if _, ok := errors.AsType[*time.ParseError](err); ok {
		return errorf("timestamps must be RFC 3339, such as 2030-01-02T15:04:05Z")
	}
	return errorf("%v", err)
}

// jsonType names the JSON type that decodes into t.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("an integer that fits %d bits", t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fmt.Sprintf("a non-negative integer that fits %d bits", t.Bits())
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return "a base64 string"
		}
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another type"
}

// Decode decodes data into dst (a pointer to a struct) strictly: it
// must be one JSON value of valid UTF-8 without unpaired surrogate escapes,
// followed by nothing but white space; every object key must be unique
// (also when compared case-insensitively as encoding/json does) and, in an
// object decoded into a struct, be exactly one of the struct's JSON names;
// fields tagged `required:"true"` must be present; null is refused for every
// field; and every value must have its field's type. On error dst may be
// partly written and the error wraps ErrInvalid.
func Decode(data []byte, dst any) error {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		return errors.New("strictjson: Decode needs a non-nil pointer")
	}
	if err := Check(data, t.Elem()); err != nil {
		return err
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return valueError(err)
	}
	return nil
}

// Check checks the rules of Decode that encoding/json does not enforce,
// against type t (nil: any JSON value, checked only for syntax, UTF-8,
// surrogates, depth and duplicate keys).
func Check(data []byte, t reflect.Type) error {
	if !utf8.Valid(data) {
		return errorf("body is not valid UTF-8")
	}
	if err := checkSurrogates(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	c := checker{dec: dec, size: int64(len(data))}
	if err := c.value(t, 0); err != nil {
		return err
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return errorf("trailing data after the JSON value, which ends at byte %d", end)
	}
	return nil
}

type checker struct {
	dec  *json.Decoder
	size int64    // of the document
	path []string // the keys of the objects being checked, for messages
}

// fieldErrorf is errorf prefixed with the field being checked, if any.
func (c *checker) fieldErrorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if len(c.path) > 0 {
		return errorf("field %q: %s", truncate(strings.Join(c.path, ".")), msg)
	}
	return errorf("%s", msg)
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

func (c *checker) value(t reflect.Type, depth int) error {
	tok, err := c.dec.Token()
	if err != nil {
		return c.malformed(err)
	}
	return c.valueFrom(tok, t, depth)
}

func (c *checker) valueFrom(tok json.Token, t reflect.Type, depth int) error {
	if depth > MaxDepth {
		return errorf("JSON nested too deeply")
	}
	if tok == nil {
		if t != nil {
			return c.fieldErrorf("null is not accepted; omit the field")
		}
		return nil
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// Types that decode themselves (time.Time) are checked for syntax only.
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		t = nil
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar; its type is checked by json.Unmarshal
	}
	switch d {
	case '{':
		if t != nil && t.Kind() == reflect.Struct {
			return c.object(t, depth)
		}
		if t != nil && t.Kind() != reflect.Map && t.Kind() != reflect.Interface {
			return c.fieldErrorf("want %s, got an object", jsonType(t))
		}
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		return c.anyObject(elem, depth)
	case '[':
		var elem reflect.Type
		if t != nil {
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Array && t.Kind() != reflect.Interface {
				return c.fieldErrorf("want %s, got an array", jsonType(t))
			}
			if t.Kind() != reflect.Interface {
				elem = t.Elem()
			}
		}
		for c.dec.More() {
			if err := c.value(elem, depth+1); err != nil {
				return err
			}
		}
		_, err := c.dec.Token() // ']'
		if err != nil {
			return c.malformed(err)
		}
		return nil
	}
	return errorf("malformed JSON near byte %d", c.dec.InputOffset())
}

// object checks an object decoded into struct type t.
func (c *checker) object(t reflect.Type, depth int) error {
	fields := jsonFields(t)
	seen := make([]bool, len(fields))
	for c.dec.More() {
		tok, err := c.dec.Token()
		if err != nil {
			return c.malformed(err)
		}
		key, _ := tok.(string)
		i := fieldIndex(fields, key)
		if i < 0 {
			return c.fieldErrorf("unknown field %q", truncate(key))
		}
		if seen[i] {
			return c.fieldErrorf("duplicate field %q", key)
		}
		seen[i] = true
		c.path = append(c.path, key)
		err = c.value(fields[i].typ, depth+1)
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return err
		}
	}
	if _, err := c.dec.Token(); err != nil { // '}'
		return c.malformed(err)
	}
	for i, f := range fields {
		if f.required && !seen[i] {
			return c.fieldErrorf("missing field %q", f.name)
		}
	}
	return nil
}

// anyObject checks an object of unknown shape (or a map with element type
// elem) for duplicate keys, compared as encoding/json compares them.
func (c *checker) anyObject(elem reflect.Type, depth int) error {
	seen := make(map[string]struct{})
	for c.dec.More() {
		tok, err := c.dec.Token()
		if err != nil {
			return c.malformed(err)
		}
		key, _ := tok.(string)
		k := foldKey(key)
		if _, dup := seen[k]; dup {
			return errorf("duplicate key %q", truncate(key))
		}
		seen[k] = struct{}{}
		if err := c.value(elem, depth+1); err != nil {
			return err
		}
	}
	if _, err := c.dec.Token(); err != nil {
		return c.malformed(err)
	}
	return nil
}

type jsonField struct {
	name     string
	typ      reflect.Type
	required bool
}

// jsonFields lists the JSON names of struct t's exported fields (request
// structs are flat: no embedding).
func jsonFields(t reflect.Type) []jsonField {
	out := make([]jsonField, 0, t.NumField())
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
		out = append(out, jsonField{name: name, typ: f.Type, required: f.Tag.Get("required") == "true"})
	}
	return out
}

func fieldIndex(fields []jsonField, key string) int {
	for i := range fields {
		if fields[i].name == key {
			return i
		}
	}
	return -1
}

// foldKey maps every key that bytes.EqualFold (encoding/json's key
// matching) treats as equal to the same string.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		// The smallest rune of r's simple case-folding orbit.
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

// checkSurrogates refuses \u escapes that encode a lone UTF-16 surrogate,
// which encoding/json would silently turn into U+FFFD.
func checkSurrogates(data []byte) error {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if i+1 >= len(data) {
			return nil // malformed; the tokenizer reports it
		}
		if data[i+1] != 'u' {
			i++ // skip the escaped character (it may be a backslash)
			continue
		}
		r, ok := hex4(data[i+2:])
		if !ok {
			return nil
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return errorf("unpaired surrogate escape")
		case r >= 0xD800 && r <= 0xDBFF:
			rest := data[i+6:]
			if len(rest) < 6 || rest[0] != '\\' || rest[1] != 'u' {
				return errorf("unpaired surrogate escape")
			}
			lo, ok := hex4(rest[2:])
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return errorf("unpaired surrogate escape")
			}
			i += 11
		default:
			i += 5
		}
	}
	return nil
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

// truncate shortens an input string quoted in an error, so errors stay
// bounded whatever the input.
func truncate(s string) string {
	if len(s) <= 64 {
		return s
	}
	for i := 64; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
