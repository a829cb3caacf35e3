package strictjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/strictjson"
)

// knownNames are the names FuzzEngine gives Members (some of a JWT's).
var knownNames = []string{"sub", "kid", "name"}

// FuzzEngine compares the engine (Check, Decode, Members, Unquote,
// Strings, FoldKey) with encoding/json on arbitrary input. Whatever the
// engine accepts, encoding/json accepts and reads the same way. The engine
// is stricter than encoding/json in exactly these ways, each judged here by
// a reference that does not use the engine:
//
//   - invalid UTF-8 (utf8.Valid), which encoding/json reads as U+FFFD;
//   - an escape of a lone surrogate (hasLoneSurrogate, a byte scan), which
//     encoding/json reads as U+FFFD;
//   - two keys of one object equal under case folding (a Decoder.Token walk
//     with strings.EqualFold), of which encoding/json keeps the last:
//     ErrDuplicate;
//   - arrays and objects nested deeper than MaxDepth (the same walk);
//     encoding/json allows 10000;
//   - Members: a value that is not an object, and a top-level key that is a
//     case variant of a known name (ErrDuplicate);
//   - Decode into a struct: keys that are not exactly a field's JSON name,
//     a missing required field, and null (docRules, on what encoding/json
//     decodes into an any);
//   - Unquote and Strings: null, which encoding/json decodes into a string
//     or a list as nothing, and, for Strings, null elements, which it
//     decodes as "".
//
// Every error wraps ErrInvalid, and ErrDuplicate only for duplicates.
func FuzzEngine(f *testing.F) {
	for _, s := range []string{
		`{"name":"a"}`, `{"name":"a","items":[{"id":"x","Tags":["t"]}],"meta":{"k":"v"}}`,
		`{"name":"a","name":"b"}`, `{"Name":"a"}`, `{"name":"a","meta":{"s":"1","ſ":"2"}}`,
		`{"name":"\ud83d\ude00"}`, `{"name":"\ud800"}`, `{"name":"\udc00x"}`, `{"name":"\ud800\u0041"}`,
		`{"name":null}`, `{"name":"a"} {}`, `{"name":"a","when":"2024-05-06T07:08:09Z","raw":"AAE="}`,
		`[[[[[]]]]]`, ` { "a" : [ 1 , -2.5e+3 , true , false , null , "x\"y" ] } `,
		`{"sub":1,"SUB":2}`, `{"ſub":1}`, `{"\u212Aid":1}`, `{"a":{"b":1,"b":2}}`, `{"a":{"b":1,"B":2}}`,
		`{"x\ud800":1,"x\udbff":2}`, `{"a":01}`, `{"a":1,}`, `{"a":"\u00"}`, "{\"a\":\"\x01\"}", `[1]`,
		`{"a":1} x`, `{"a":["b","\u0063\\",null]}`, `{"name":"a","items":[{"id":"x","ID":"y"}]}`,
		`{"a":` + strings.Repeat("[", strictjson.MaxDepth) + strings.Repeat("]", strictjson.MaxDepth) + `}`,
		strings.Repeat("[", strictjson.MaxDepth) + strings.Repeat("]", strictjson.MaxDepth),
		`{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"K3":3}`,
		"\"\xff\"", `"x"`, `1e700`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8192 {
			return
		}
		ref := reference(t, data)

		// Check with no type: exactly the stricter rules above.
		err := strictjson.Check(data, nil)
		requireErrorKind(t, err)
		require.Equal(t, ref.ok(), err == nil, "Check: %v; reference %+v", err, ref)
		if errors.Is(err, strictjson.ErrDuplicate) {
			require.True(t, ref.dup, "ErrDuplicate without duplicate keys")
		}
		if ref.syntax && ref.utf8 && !ref.lone && ref.depth <= strictjson.MaxDepth && ref.dup {
			require.ErrorIs(t, err, strictjson.ErrDuplicate)
		}
		if err == nil {
			// Numbers such as 1e700 are valid JSON, which encoding/json
			// refuses to decode into a float64 only.
			var v any
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&v), "accepted what encoding/json refuses")
		}

		// Decode into a struct: also docRules and the field types.
		var d, want doc
		err = strictjson.Decode(data, &d)
		requireErrorKind(t, err)
		refErr := json.Unmarshal(data, &want)
		accept := ref.ok() && refErr == nil && docRules(t, data)
		require.Equal(t, accept, err == nil, "Decode: %v; encoding/json: %v", err, refErr)
		if err == nil {
			require.True(t, reflect.DeepEqual(d, want), "decoded %+v, encoding/json %+v", d, want)
		}

		// Members: an object, no case variant of a known name.
		ms, err := strictjson.Members(data, nil, knownNames)
		requireErrorKind(t, err)
		object := ref.ok() && bytes.TrimLeft(data, " \t\r\n")[0] == '{'
		variant := object && ref.variant(knownNames)
		require.Equal(t, object && !variant, err == nil, "Members: %v", err)
		if variant {
			require.ErrorIs(t, err, strictjson.ErrDuplicate)
		}
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(data, &m))
		require.Len(t, ms, len(m))
		for _, mem := range ms {
			require.Equal(t, string(m[string(mem.Name)]), string(mem.Value))
			for _, n := range knownNames {
				require.Equal(t, strings.EqualFold(string(mem.Name), n), strictjson.FoldKey(string(mem.Name)) == strictjson.FoldKey(n))
			}
			checkValueHelpers(t, mem.Value)
		}
	})
}

// checkValueHelpers compares Unquote and Strings on a value of an accepted
// document with encoding/json.
func checkValueHelpers(t *testing.T, raw []byte) {
	var s string
	u, ok := strictjson.Unquote(raw)
	require.Equal(t, raw[0] == '"' && json.Unmarshal(raw, &s) == nil, ok, "Unquote(%s)", raw)
	if ok {
		require.Equal(t, s, string(u))
	}
	var list []string
	l, ok := strictjson.Strings(raw)
	if ok {
		require.NoError(t, json.Unmarshal(raw, &list))
		require.NotNil(t, l)
		require.Equal(t, len(list), len(l))
		for i := range l {
			require.Equal(t, list[i], l[i])
		}
		return
	}
	if raw[0] == '[' && json.Unmarshal(raw, &list) == nil {
		// Accepted by encoding/json only with a null element, read as "".
		var elems []any
		require.NoError(t, json.Unmarshal(raw, &elems))
		require.Contains(t, elems, nil, "Strings refused %s", raw)
	}
}

func requireErrorKind(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	require.ErrorIs(t, err, strictjson.ErrInvalid)
	var se *strictjson.Error
	require.ErrorAs(t, err, &se)
	require.Less(t, len(se.Msg), 300, "messages are bounded")
}

// refResult is what the reference finds in a document.
type refResult struct {
	syntax, utf8, lone bool // json.Valid, utf8.Valid, hasLoneSurrogate
	dup                bool // two keys of one object equal under folding
	depth              int  // of arrays and objects
	topKeys            []string
}

// ok reports whether Check with no type must accept the document.
func (r refResult) ok() bool {
	return r.syntax && r.utf8 && !r.lone && !r.dup && r.depth <= strictjson.MaxDepth
}

// variant reports whether a top-level key is a case variant of a name.
func (r refResult) variant(names []string) bool {
	for _, k := range r.topKeys {
		for _, n := range names {
			if k != n && strings.EqualFold(k, n) {
				return true
			}
		}
	}
	return false
}

// reference judges data with encoding/json's Decoder.Token, strings.EqualFold
// and a scan for surrogate escapes.
func reference(t *testing.T, data []byte) refResult {
	r := refResult{syntax: json.Valid(data), utf8: utf8.Valid(data)}
	if !r.syntax {
		return r
	}
	r.lone = hasLoneSurrogate(data)
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // numbers such as 1e700 are valid JSON but overflow float64
	type frame struct {
		object bool
		keys   []string
		expect bool // the next string token in this object is a key
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return r
		}
		require.NoError(t, err)
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if key, ok := tok.(string); ok && top != nil && top.object && top.expect {
			for _, prev := range top.keys {
				if strings.EqualFold(prev, key) {
					r.dup = true
				}
			}
			top.keys = append(top.keys, key)
			if len(stack) == 1 {
				r.topKeys = append(r.topKeys, key)
			}
			top.expect = false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{object: tok == json.Delim('{'), expect: tok == json.Delim('{')})
			r.depth = max(r.depth, len(stack))
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].expect = true
		}
	}
}

// hasLoneSurrogate reports whether valid JSON data has a \u escape of a
// UTF-16 surrogate that is not half of a pair (backslashes occur only in
// strings).
func hasLoneSurrogate(data []byte) bool {
	for i := 0; i+1 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++ // the escaped character, which may be a backslash
			continue
		}
		r := hex(data[i+2 : i+6])
		i += 5
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(data) || data[i+1] != '\\' || data[i+2] != 'u' {
				return true
			}
			if lo := hex(data[i+3 : i+7]); lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 6
		}
	}
	return false
}

func hex(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// docRules reports whether data, which encoding/json decodes into a doc,
// keeps the rules of Decode for a doc that encoding/json does not: exact
// field names, the required name, and no null in a field or element.
func docRules(t *testing.T, data []byte) bool {
	var v any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	require.NoError(t, d.Decode(&v))
	top, ok := v.(map[string]any)
	if !ok || !onlyKeys(top, "name", "items", "meta", "when", "raw") || top["name"] == nil {
		return false
	}
	for _, it := range asList(top["items"]) {
		o, ok := it.(map[string]any)
		if !ok || !onlyKeys(o, "id", "Tags") || slices.Contains(asList(o["Tags"]), nil) {
			return false
		}
	}
	if slices.Contains(asList(top["raw"]), nil) { // []byte also decodes from an array of numbers
		return false
	}
	if meta, ok := top["meta"].(map[string]any); ok {
		for _, x := range meta {
			if x == nil {
				return false
			}
		}
	}
	return true
}

// onlyKeys reports whether o has no key but names, and no null value.
func onlyKeys(o map[string]any, names ...string) bool {
	for k, x := range o {
		if x == nil || !slices.Contains(names, k) {
			return false
		}
	}
	return true
}

// asList returns x's elements if it is a list.
func asList(x any) []any {
	l, _ := x.([]any)
	return l
}
