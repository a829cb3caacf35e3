package strictjson_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/latchkit/latch/internal/strictjson"
)

// FuzzDecode checks Decode on arbitrary input: it never panics, fails only
// with ErrInvalid, accepts only valid UTF-8 JSON that encoding/json decodes
// to the same value, and Check with no type accepts whatever Decode does.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"a"}`, `{"name":"a","items":[{"id":"x","Tags":["t"]}],"meta":{"k":"v"}}`,
		`{"name":"a","name":"b"}`, `{"Name":"a"}`, `{"name":"a","meta":{"s":"1","ſ":"2"}}`,
		`{"name":"\ud83d\ude00"}`, `{"name":"\ud800"}`, `{"name":null}`, `{"name":"a"} {}`,
		`{"name":"a","when":"2024-05-06T07:08:09Z","raw":"AAE="}`, `[[[[[]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8192 {
			return
		}
		var d doc
		err := strictjson.Decode(data, &d)
		if err != nil {
			if !errors.Is(err, strictjson.ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		if !json.Valid(data) || !utf8.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		var ref doc
		if err := json.Unmarshal(data, &ref); err != nil {
			t.Fatalf("accepted what encoding/json refuses: %v", err)
		}
		if !reflect.DeepEqual(d, ref) {
			t.Fatalf("decoded %+v, encoding/json %+v", d, ref)
		}
		if err := strictjson.Check(data, nil); err != nil {
			t.Fatalf("accepted as a struct but not as any JSON: %v", err)
		}
	})
}
