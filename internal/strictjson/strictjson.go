// Package strictjson is Latch's one strict JSON engine: JSON request
// bodies, backups and the header and claims of a JWT are all read by it.
// It accepts one JSON value of valid UTF-8, followed by nothing but white
// space, with
//   - no escape of a lone UTF-16 surrogate (encoding/json reads it as
//     U+FFFD, so two spellings would read the same);
//   - no two keys in one object that are equal under Unicode simple case
//     folding, which is how encoding/json matches keys to struct fields
//     (ErrDuplicate);
//   - at most MaxDepth arrays and objects nested;
//   - checked against a Go type (Decode, Check): object keys that are
//     exactly a field's JSON name, the fields tagged required present, no
//     null, and every value of its field's type;
//   - checked against known names (Members): no key that is a case variant
//     of a known name without being it (ErrDuplicate).
//
// encoding/json alone matches names case-insensitively, keeps the last of
// duplicate keys and accepts null for any field, so two parsers (a proxy's
// and Latch's) could read one document differently. Whatever the engine
// accepts, encoding/json accepts too and reads the same way (FuzzEngine
// checks it). Time and memory are linear in the size of the document,
// which callers bound: a JWT to token.MaxTokenSize, a request body to
// httpadapter.MaxBodyBytes, a backup to auth.MaxRestoreSize.
package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of a document: at most MaxDepth arrays and
// objects inside one another. Latch's request bodies are at most three
// levels deep, a backup about five, a JWT's claims two.
const MaxDepth = 32

var (
	// ErrInvalid is wrapped by every error of Decode, Check and Members.
	ErrInvalid = errors.New("invalid JSON")
	// ErrDuplicate is wrapped too by the errors about keys of one object
	// that are equal under case folding, and about a key that is a case
	// variant of a name given to Members.
	ErrDuplicate = errors.New("duplicate key")
)

// Error is every error of Decode, Check and Members about the document
// (it wraps ErrInvalid). Msg says what is wrong in terms of the document,
// for whoever sent it: the field, the expected JSON type, the byte offset
// of a syntax error. It quotes at most an object key (cut to 64 bytes) and
// a character or number of the document, never a string value.
type Error struct {
	Msg  string
	kind error // ErrDuplicate, or nil
}

// Error returns "invalid JSON: " and Msg.
func (e *Error) Error() string { return ErrInvalid.Error() + ": " + e.Msg }

// Unwrap returns ErrInvalid, and ErrDuplicate for a duplicate key.
func (e *Error) Unwrap() []error {
	if e.kind != nil {
		return []error{ErrInvalid, e.kind}
	}
	return []error{ErrInvalid}
}

func errorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
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

// Decode decodes data into dst (a pointer to a struct) strictly: by the
// rules of the package comment, checked against dst's type, then by
// encoding/json. On error dst may be partly written and the error wraps
// ErrInvalid.
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
// surrogates, depth and duplicate keys). The types of scalar values are
// left to encoding/json.
func Check(data []byte, t reflect.Type) error {
	if !utf8.Valid(data) {
		return errUTF8
	}
	s := scanner{data: data}
	return s.finish(s.value(t))
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
