package strictjson_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/strictjson"
)

type inner struct {
	ID   string `json:"id"`
	Tags []string
}

type doc struct {
	Name  string            `json:"name" required:"true"`
	Items []inner           `json:"items"`
	Meta  map[string]string `json:"meta"`
	When  time.Time         `json:"when"`
	Skip  string            `json:"-"`
	Raw   []byte            `json:"raw"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"minimal", `{"name":"a"}`, true},
		{"every field", `{"name":"a","items":[{"id":"x","Tags":["t"]}],"meta":{"k":"v"},"when":"2024-05-06T07:08:09Z","raw":"AAE="}`, true},
		{"white space around", " \t\n{\"name\":\"a\"}\r\n", true},
		{"missing required field", `{}`, false},
		{"unknown field", `{"name":"a","extra":1}`, false},
		{"case-variant name", `{"Name":"a"}`, false},
		{"case-variant nested name", `{"name":"a","items":[{"ID":"x"}]}`, false},
		{"untagged field by exact Go name only", `{"name":"a","items":[{"tags":["t"]}]}`, false},
		{"field tagged -", `{"name":"a","Skip":"x"}`, false},
		{"duplicate name", `{"name":"a","name":"b"}`, false},
		{"duplicate nested name", `{"name":"a","items":[{"id":"x","id":"y"}]}`, false},
		{"map keys equal under case folding", `{"name":"a","meta":{"k":"1","K":"2"}}`, false},
		{"map keys equal under Unicode folding", `{"name":"a","meta":{"s":"1","ſ":"2"}}`, false},
		{"distinct map keys", `{"name":"a","meta":{"k":"1","l":"2"}}`, true},
		{"null field", `{"name":"a","items":null}`, false},
		{"null element", `{"name":"a","items":[null]}`, false},
		{"null map value", `{"name":"a","meta":{"k":null}}`, false},
		{"wrong type", `{"name":1}`, false},
		{"object for a list", `{"name":"a","items":{}}`, false},
		{"bad time", `{"name":"a","when":"yesterday"}`, false},
		{"trailing data", `{"name":"a"} {}`, false},
		{"two values", `{"name":"a"}{"name":"b"}`, false},
		{"not an object", `["name"]`, false},
		{"invalid UTF-8", "{\"name\":\"\xff\"}", false},
		{"lone high surrogate", `{"name":"\ud800"}`, false},
		{"lone low surrogate", `{"name":"\udc00x"}`, false},
		{"surrogate pair", `{"name":"\ud83d\ude00"}`, true},
		{"escaped backslash before u", `{"name":"\\ud800"}`, true},
		{"too deep", `{"name":"a","meta":` + strings.Repeat("[", strictjson.MaxDepth) + strings.Repeat("]", strictjson.MaxDepth) + `}`, false},
		{"empty", ``, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d doc
			err := strictjson.Decode([]byte(tc.in), &d)
			if tc.ok {
				require.NoError(t, err)
				assert.NotEmpty(t, d.Name)
				return
			}
			assert.ErrorIs(t, err, strictjson.ErrInvalid)
		})
	}
}

func TestDecodeNeedsPointer(t *testing.T) {
	t.Parallel()
	assert.Error(t, strictjson.Decode([]byte(`{}`), doc{}))
	assert.Error(t, strictjson.Decode([]byte(`{}`), nil))
}

func TestCheckAnyValue(t *testing.T) {
	t.Parallel()
	assert.NoError(t, strictjson.Check([]byte(`{"a":[1,null,{"b":2}],"c":null}`), nil))
	assert.ErrorIs(t, strictjson.Check([]byte(`{"a":1,"A":2}`), nil), strictjson.ErrInvalid)
	assert.ErrorIs(t, strictjson.Check([]byte(`{"a":{"b":1,"b":2}}`), reflect.TypeFor[map[string]any]()), strictjson.ErrInvalid)
}

func TestErrorsAreBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 10_000)
	err := strictjson.Decode([]byte(`{"`+long+`":1}`), &doc{})
	require.ErrorIs(t, err, strictjson.ErrInvalid)
	assert.Less(t, len(err.Error()), 200)
}
