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

// TestCheckAnyValue: with no type, Check applies the rules every document
// keeps, the same ones Members applies (internal/strictjson is the JSON
// engine of token too).
func TestCheckAnyValue(t *testing.T) {
	t.Parallel()
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name string
		in   string
		want error // nil: accepted
	}{
		{"nulls anywhere", `{"a":[1,null,{"b":2}],"c":null}`, nil},
		{"scalar", `"x"`, nil},
		{"case-variant keys", `{"a":1,"A":2}`, strictjson.ErrDuplicate},
		{"case-variant keys in a nested object", `{"o":{"a":1,"A":2}}`, strictjson.ErrDuplicate},
		{"keys equal under Unicode folding in an array", `[{"K":1,"\u212a":2}]`, strictjson.ErrDuplicate},
		{"key repeated after 16 others", `{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"K3":3}`, strictjson.ErrDuplicate},
		{"17 distinct keys", `{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17}`, nil},
		{"keys spelled with and without an escape", `{"sub":1,"\u0073ub":2}`, strictjson.ErrDuplicate},
		// The case of issue 12: token and strictjson used to disagree on it.
		{"lone high surrogate (issue 12)", `{"sub":"\ud800"}`, strictjson.ErrInvalid},
		{"lone low surrogate", `{"sub":"\udc00x"}`, strictjson.ErrInvalid},
		{"high surrogate then a letter", `{"sub":"\ud800\u0041"}`, strictjson.ErrInvalid},
		{"high surrogate at the end of the string", `["\udbff"]`, strictjson.ErrInvalid},
		{"lone surrogate in a key", `{"\ud800":1}`, strictjson.ErrInvalid},
		{"surrogate pair", `{"sub":"\ud83d\ude00"}`, nil},
		{"escaped backslash before u", `{"sub":"\\ud800"}`, nil},
		{"invalid UTF-8", "{\"sub\":\"\xff\"}", strictjson.ErrInvalid},
		{"nesting at the limit", deep(strictjson.MaxDepth), nil},
		{"nesting one level too deep", deep(strictjson.MaxDepth + 1), strictjson.ErrInvalid},
		{"objects nested one level too deep", `{"a":` + deep(strictjson.MaxDepth) + `}`, strictjson.ErrInvalid},
		{"trailing data", `{} x`, strictjson.ErrInvalid},
		{"two values", `1 2`, strictjson.ErrInvalid},
		{"empty", ``, strictjson.ErrInvalid},
		{"only white space", " \n", strictjson.ErrInvalid},
		// A malformed document is reported as such before any rule.
		{"duplicate before a syntax error", `{"a":1,"a":2,}`, strictjson.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := strictjson.Check([]byte(tc.in), nil)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, strictjson.ErrInvalid)
			if tc.want != strictjson.ErrDuplicate {
				assert.NotErrorIs(t, err, strictjson.ErrDuplicate)
			}
		})
	}
	assert.ErrorIs(t, strictjson.Check([]byte(`{"a":{"b":1,"b":2}}`), reflect.TypeFor[map[string]any]()), strictjson.ErrDuplicate)
}

func TestMembers(t *testing.T) {
	t.Parallel()
	known := []string{"sub", "kid"}
	tests := []struct {
		name string
		in   string
		want []string // name=value of each member; nil with err
		err  error
	}{
		{"known and other names", `{"sub":"a", "x" : [1,{"y":null}] ,"kid":"k"}`, []string{`sub="a"`, `x=[1,{"y":null}]`, `kid="k"`}, nil},
		{"empty object", ` {} `, []string{}, nil},
		{"escaped name", `{"s\u0075b":1}`, []string{`sub=1`}, nil},
		{"case variant of a known name", `{"SUB":"a"}`, nil, strictjson.ErrDuplicate},
		{"Kelvin-sign variant of a known name", `{"\u212Aid":"a"}`, nil, strictjson.ErrDuplicate},
		{"repeated name", `{"x":1,"x":2}`, nil, strictjson.ErrDuplicate},
		{"case variants in a nested object", `{"x":{"a":1,"A":2}}`, nil, strictjson.ErrDuplicate},
		{"case variants of a known name in a nested object", `{"x":{"SUB":1}}`, []string{`x={"SUB":1}`}, nil},
		// The case of issue 12, refused as by Check.
		{"lone surrogate in a value (issue 12)", `{"sub":"\ud800"}`, nil, strictjson.ErrInvalid},
		{"surrogate pair in a value", `{"sub":"\ud83d\ude00"}`, []string{`sub="\ud83d\ude00"`}, nil},
		{"not an object", `["sub"]`, nil, strictjson.ErrInvalid},
		{"null", `null`, nil, strictjson.ErrInvalid},
		{"trailing data", `{"sub":"a"}{}`, nil, strictjson.ErrInvalid},
		{"malformed", `{"sub":"a",}`, nil, strictjson.ErrInvalid},
		{"invalid UTF-8", "{\"sub\":\"\xc3\"}", nil, strictjson.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ms, err := strictjson.Members([]byte(tc.in), nil, known)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.ErrorIs(t, err, strictjson.ErrInvalid)
				if tc.err != strictjson.ErrDuplicate {
					assert.NotErrorIs(t, err, strictjson.ErrDuplicate)
				}
				assert.Nil(t, ms)
				return
			}
			require.NoError(t, err)
			got := []string{}
			for _, m := range ms {
				got = append(got, string(m.Name)+"="+string(m.Value))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestMembersAppends: Members appends to dst and allocates nothing for a
// small object without escapes.
func TestMembersAppends(t *testing.T) {
	data := []byte(`{"aud":["api"],"exp":1,"iat":0,"jti":"j","sub":"u","o":{"a":[true]}}`)
	var buf [8]strictjson.Member
	ms, err := strictjson.Members(data, buf[:0], []string{"sub", "jti"})
	require.NoError(t, err)
	require.Len(t, ms, 6)
	assert.Equal(t, &buf[0], &ms[0], "appended to dst")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := strictjson.Members(data, buf[:0], []string{"sub", "jti"}); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestUnquote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", `"abc"`, "abc", true},
		{"escapes", `"a\"\\\/\b\f\n\r\t\u00e9"`, "a\"\\/\b\f\n\r\té", true},
		{"surrogate pair", `"\ud83d\ude00"`, "😀", true},
		{"lone surrogate (issue 12)", `"\ud800"`, "", false},
		{"number", `1`, "", false},
		{"null", `null`, "", false},
		{"unterminated", `"abc`, "", false},
		{"data after the string", `"a"b`, "", false},
		{"invalid UTF-8", "\"\xff\"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := strictjson.Unquote([]byte(tc.in))
			require.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string // nil: refused
	}{
		{"empty", `[]`, []string{}},
		{"empty with space", `[ ]`, []string{}},
		{"strings", `["a", "b\u0063" ,"\ud83d\ude00"]`, []string{"a", "bc", "😀"}},
		{"null element", `["a",null]`, nil},
		{"number element", `["a",1]`, nil},
		{"nested", `[["a"]]`, nil},
		{"lone surrogate (issue 12)", `["\ud800"]`, nil},
		{"trailing comma", `["a",]`, nil},
		{"not an array", `"a"`, nil},
		{"null", `null`, nil},
		{"unterminated", `["a"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := strictjson.Strings([]byte(tc.in))
			require.Equal(t, tc.want != nil, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestFoldKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b string
		equal      bool
	}{
		{"lower-case ASCII is itself", "sub", "sub", true},
		{"ASCII case", "SuB", "sub", true},
		{"long s", "ſub", "sub", true},
		{"Kelvin sign", "\u212aid", "kid", true},
		{"Greek sigma forms", "σς", "ΣΣ", true},
		{"different", "sub", "sud", false},
		{"prefix", "sub", "subs", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := strictjson.FoldKey(tc.a), strictjson.FoldKey(tc.b)
			assert.Equal(t, tc.equal, a == b, "%q %q", a, b)
			assert.Equal(t, tc.equal, strings.EqualFold(tc.a, tc.b))
		})
	}
	assert.Equal(t, "sub", strictjson.FoldKey("ſUB"))
}

func TestErrorsAreBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 10_000)
	err := strictjson.Decode([]byte(`{"`+long+`":1}`), &doc{})
	require.ErrorIs(t, err, strictjson.ErrInvalid)
	assert.Less(t, len(err.Error()), 200)
}
