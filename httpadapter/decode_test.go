package httpadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/internal/strictjson"
)

type sample struct {
	Name    string     `json:"name" required:"true"`
	Tags    []string   `json:"tags"`
	Enabled *bool      `json:"enabled"`
	When    *time.Time `json:"when"`
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"minimal", `{"name":"a"}`, true},
		{"all fields", `{"name":"a","tags":["x","y"],"enabled":true,"when":"2024-05-06T07:08:09Z"}`, true},
		{"white space around", " \n\t{\"name\":\"a\"} \r\n", true},
		{"escaped key", `{"n\u0061me":"a"}`, true},
		{"escaped surrogate pair", `{"name":"\ud83d\ude00"}`, true},
		{"escaped backslash before u", `{"name":"\\ud800"}`, true},
		{"non-ASCII", `{"name":"Zoë 😀"}`, true},
		{"empty tags", `{"name":"a","tags":[]}`, true},

		{"unknown field", `{"name":"a","admin":true}`, false},
		{"duplicate key", `{"name":"a","name":"b"}`, false},
		{"duplicate through an escape", `{"name":"a","n\u0061me":"b"}`, false},
		{"key differing in case", `{"Name":"a"}`, false},
		{"upper-case key next to the real one", `{"name":"a","NAME":"b"}`, false},
		{"Kelvin sign folds to k", `{"name":"a","tags":[],"enabled":true,"when":"2024-05-06T07:08:09Z","\u212a":1}`, false},
		{"long s folds to s", `{"name":"a","tag\u017f":[]}`, false},
		{"missing required field", `{"tags":[]}`, false},
		{"empty object", `{}`, false},
		{"null for a required field", `{"name":null}`, false},
		{"null for an optional field", `{"name":"a","enabled":null}`, false},
		{"null element", `{"name":"a","tags":[null]}`, false},
		{"null body", `null`, false},
		{"array body", `[{"name":"a"}]`, false},
		{"string body", `"name"`, false},
		{"wrong type", `{"name":1}`, false},
		{"wrong element type", `{"name":"a","tags":[1]}`, false},
		{"object for a string", `{"name":{"x":1}}`, false},
		{"bad time", `{"name":"a","when":"yesterday"}`, false},
		{"trailing object", `{"name":"a"}{}`, false},
		{"trailing garbage", `{"name":"a"}x`, false},
		{"trailing comma", `{"name":"a",}`, false},
		{"truncated", `{"name":"a"`, false},
		{"lone high surrogate", `{"name":"\ud800"}`, false},
		{"lone low surrogate", `{"name":"\udc00"}`, false},
		{"high surrogate then letter", `{"name":"\ud800\u0041"}`, false},
		{"surrogate in a key", `{"\ud800":"a","name":"b"}`, false},
		{"invalid UTF-8", "{\"name\":\"\xff\"}", false},
		{"invalid UTF-8 in white space", "{\"name\":\"a\"}\xc3", false},
		{"single quotes", `{'name':'a'}`, false},
		{"comment", `{"name":"a"/* */}`, false},
		{"empty", ``, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v sample
			err := decodeJSON([]byte(tc.body), &v)
			if tc.ok {
				require.NoError(t, err)
				assert.NotEmpty(t, v.Name)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, auth.ErrInvalidRequest)
			assert.Equal(t, "INVALID_REQUEST", codeOf(err))
		})
	}
}

func TestCheckJSONAny(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"object", `{"users":[{"id":"a","x":null}],"n":1.5e3}`, true},
		{"duplicate nested key", `{"users":[{"id":"a","id":"b"}]}`, false},
		{"keys equal up to case", `{"Users":[],"users":[]}`, false},
		{"same key in sibling objects", `{"a":{"id":1},"b":{"id":2}}`, true},
		{"deep nesting", strings.Repeat("[", strictjson.MaxDepth+2) + strings.Repeat("]", strictjson.MaxDepth+2), false},
		{"nesting at the limit", strings.Repeat("[", strictjson.MaxDepth) + strings.Repeat("]", strictjson.MaxDepth), true},
		{"trailing data", `{} []`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkJSON([]byte(tc.body), nil)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, auth.ErrInvalidRequest)
			}
		})
	}
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	big := `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	exact := `{"name":"` + strings.Repeat("a", MaxBodyBytes-len(`{"name":""}`)) + `"}`
	tests := []struct {
		name        string
		contentType []string
		body        string
		chunked     bool
		want        string // error code, "" for success
	}{
		{"json", []string{"application/json"}, `{"name":"a"}`, false, ""},
		{"json utf-8", []string{"application/json; charset=utf-8"}, `{"name":"a"}`, false, ""},
		{"json UTF-8 upper case", []string{"Application/JSON; charset=UTF-8"}, `{"name":"a"}`, false, ""},
		{"exactly the limit", []string{"application/json"}, exact, false, ""},
		{"exactly the limit, chunked", []string{"application/json"}, exact, true, ""},
		{"over the limit", []string{"application/json"}, big, false, "REQUEST_TOO_LARGE"},
		{"over the limit, chunked", []string{"application/json"}, big, true, "REQUEST_TOO_LARGE"},
		{"no content type", nil, `{"name":"a"}`, false, "INVALID_REQUEST"},
		{"text/plain", []string{"text/plain"}, `{"name":"a"}`, false, "INVALID_REQUEST"},
		{"form", []string{"application/x-www-form-urlencoded"}, `name=a`, false, "INVALID_REQUEST"},
		{"latin-1", []string{"application/json; charset=iso-8859-1"}, `{"name":"a"}`, false, "INVALID_REQUEST"},
		{"two content types", []string{"application/json", "application/json"}, `{"name":"a"}`, false, "INVALID_REQUEST"},
		{"malformed content type", []string{"application/json; charset"}, `{"name":"a"}`, false, "INVALID_REQUEST"},
		{"empty body", []string{"application/json"}, ``, false, "INVALID_REQUEST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			if tc.chunked {
				r.ContentLength = -1
			}
			for _, ct := range tc.contentType {
				r.Header.Add("Content-Type", ct)
			}
			var v sample
			err := decodeBody(httptest.NewRecorder(), r, &v, true)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.want, codeOf(err))
		})
	}
}

func TestDecodeBodyOptional(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/", http.NoBody)
	var v emailRequest
	require.NoError(t, decodeBody(httptest.NewRecorder(), r, &v, false))
	assert.Nil(t, v.Email)

	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	require.NoError(t, decodeBody(httptest.NewRecorder(), r, &v, false))
	assert.Nil(t, v.Email)

	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"email":"a@example.com"}`))
	r.Header.Set("Content-Type", "application/json")
	require.NoError(t, decodeBody(httptest.NewRecorder(), r, &v, false))
	require.NotNil(t, v.Email)
	assert.Equal(t, "a@example.com", *v.Email)
}

// TestRequestStructs checks every request struct of the routes: JSON names
// are snake_case, unique, and survive decodeJSON.
func TestRequestStructs(t *testing.T) {
	t.Parallel()
	for _, v := range []any{
		&loginPasswordRequest{}, &loginTOTPRequest{}, &loginRecoveryRequest{}, &createUserRequest{},
		&updateUserRequest{}, &changePasswordRequest{}, &emailRequest{}, &requiredEmailRequest{},
		&verifyEmailRequest{}, &codeRequest{}, &optionalCodeRequest{}, &recoveryCodeRequest{},
		&resetPasswordRequest{}, &createAPITokenRequest{},
	} {
		seen := map[string]bool{}
		rt := reflectType(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			assert.Regexp(t, `^[a-z][a-z_]*$`, name)
			assert.False(t, seen[name], name)
			seen[name] = true
		}
	}
}

// FuzzDecodeJSON checks the body decoder on arbitrary input: it never
// panics, fails only with INVALID_REQUEST, and whatever it accepts is
// valid UTF-8 JSON that decodes to the same value after a round trip.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"a"}`,
		`{"name":"a","tags":["x"],"enabled":false,"when":"2024-05-06T07:08:09Z"}`,
		`{"name":"a","name":"b"}`,
		`{"Name":"a"}`,
		`{"name":"\ud83d\ude00"}`,
		`{"name":"\ud800"}`,
		"{\"name\":\"\xff\"}",
		`{"name":"a"} x`,
		`{"name":null}`,
		`[[[[[]]]]]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v sample
		err := decodeJSON(data, &v)
		if err != nil {
			if !errors.Is(err, auth.ErrInvalidRequest) {
				t.Fatalf("error %v is not INVALID_REQUEST", err)
			}
			return
		}
		if !json.Valid(data) || !bytes.Equal(bytes.ToValidUTF8(data, nil), data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var w sample
		if err := json.Unmarshal(out, &w); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if v.Name != w.Name || len(v.Tags) != len(w.Tags) || (v.Enabled == nil) != (w.Enabled == nil) || (v.When == nil) != (w.When == nil) {
			t.Fatalf("round trip changed %+v into %+v", v, w)
		}
		if err := checkJSON(data, nil); err != nil {
			t.Fatalf("accepted as a struct but not as any JSON: %v", err)
		}
	})
}
