package strictjson_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/strictjson"
)

type msgDoc struct {
	Name  string   `json:"name" required:"true"`
	Count int8     `json:"count"`
	Tags  []string `json:"tags"`
	Inner struct {
		On bool `json:"on"`
	} `json:"inner"`
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
}

// TestErrorMessages: every error is a *strictjson.Error whose Msg names
// the field, the JSON type wanted or the byte offset, as its sender needs.
func TestErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, msg string
	}{
		{"unknown field", `{"name":"a","nmae":"b"}`, `unknown field "nmae"`},
		{"unknown nested field", `{"name":"a","inner":{"off":true}}`, `field "inner": unknown field "off"`},
		{"unknown field in array", `{"name":"a","items":[{"id":"x","ID2":1}]}`, `field "items": unknown field "ID2"`},
		{"long unknown field", `{"` + strings.Repeat("k", 100) + `":1}`, `unknown field "` + strings.Repeat("k", 64) + `…"`},
		{"missing field", `{}`, `missing field "name"`},
		{"duplicate field", `{"name":"a","name":"b"}`, `duplicate field "name"`},
		{"null", `{"name":null}`, `field "name": null is not accepted; omit the field`},
		{"object for string", `{"name":{}}`, `field "name": want a string, got an object`},
		{"array for bool", `{"name":"a","inner":{"on":[]}}`, `field "inner.on": want true or false, got an array`},
		{"string for array", `{"name":"a","tags":"x"}`, `field "tags": want an array, got string`},
		{"number for string", `{"name":1}`, `field "name": want a string, got number`},
		{"overflow", `{"name":"a","count":300}`, `field "count": want an integer that fits 8 bits, got number 300`},
		{"fraction", `{"name":"a","count":1.5}`, `field "count": want an integer that fits 8 bits, got number 1.5`},
		// The offset and the description of a syntax error are the decoder's
		// and differ between Go releases: matched as regular expressions.
		{"broken", `{"name":"a",}`, `~^malformed JSON near byte 1[0-3]: invalid character '[,}]' `},
		{"bare word", `{"name":nope}`, `~^malformed JSON near byte (8|9|10): invalid character 'o' in literal null`},
		{"cut in a literal", `{"name":tru`, `malformed JSON: unexpected end at byte 11`},
		{"cut short", `{"name":"a"`, `malformed JSON: unexpected end at byte 11`},
		{"empty", ``, `malformed JSON: unexpected end at byte 0`},
		{"trailing data", `{"name":"a"} {}`, `trailing data after the JSON value, which ends at byte 12`},
		{"not an object", `[]`, `want an object, got an array`},
		{"bad UTF-8", "{\"name\":\"\xff\"}", `body is not valid UTF-8`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d msgDoc
			err := strictjson.Decode([]byte(tc.in), &d)
			require.Error(t, err)
			require.ErrorIs(t, err, strictjson.ErrInvalid)
			var se *strictjson.Error
			require.True(t, errors.As(err, &se), "%T", err)
			if re, ok := strings.CutPrefix(tc.msg, "~"); ok {
				assert.Regexp(t, re, se.Msg)
				assert.Equal(t, "invalid JSON: "+se.Msg, err.Error())
				return
			}
			assert.Equal(t, tc.msg, se.Msg)
			assert.Equal(t, "invalid JSON: "+tc.msg, err.Error())
		})
	}
}

// TestErrorMessageTimestamp: a malformed timestamp says which format.
func TestErrorMessageTimestamp(t *testing.T) {
	t.Parallel()
	var d doc
	err := strictjson.Decode([]byte(`{"name":"a","when":"yesterday"}`), &d)
	var se *strictjson.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "timestamps must be RFC 3339, such as 2030-01-02T15:04:05Z", se.Msg)
	assert.NotContains(t, se.Msg, "yesterday", "string values are never quoted")
}
