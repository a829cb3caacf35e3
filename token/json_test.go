package token

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/strictjson"
)

// TestJSONRulesAreStrictJSON: the header and claims are read by
// internal/strictjson, so they are refused exactly when strictjson.Check
// refuses them, and duplicates are ErrDuplicateClaim exactly when they are
// strictjson.ErrDuplicate. (The JSON in each row is otherwise a valid
// header or valid claims.)
func TestJSONRulesAreStrictJSON(t *testing.T) {
	t.Parallel()
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name  string
		extra string // appended to valid claims, and to a valid header
		want  error  // nil: accepted
	}{
		{"valid", ``, nil},
		// The case of issue 12: token accepted it, strictjson refused it.
		{"lone high surrogate (issue 12)", `,"x":"\ud800"`, ErrMalformed},
		{"lone low surrogate", `,"x":"\udc00x"`, ErrMalformed},
		{"high surrogate then a letter", `,"x":"\ud800\u0041"`, ErrMalformed},
		{"lone surrogate in a nested name", `,"x":{"\udbff":1}`, ErrMalformed},
		{"surrogate pair", `,"x":"\ud83d\ude00"`, nil},
		{"escaped backslash before u", `,"x":"\\ud800"`, nil},
		{"invalid UTF-8", ",\"x\":\"\xed\xa0\x80\"", ErrMalformed},
		{"repeated name", `,"x":1,"x":2`, ErrDuplicateClaim},
		{"case-variant names", `,"x":1,"X":2`, ErrDuplicateClaim},
		{"case-variant names in a nested object", `,"x":{"k":1,"\u212a":2}`, ErrDuplicateClaim},
		{"distinct names in a nested object", `,"x":{"k":1,"l":2}`, nil},
		{"nesting at the limit", `,"x":` + deep(strictjson.MaxDepth-1), nil},
		{"nesting one level too deep", `,"x":` + deep(strictjson.MaxDepth), ErrMalformed},
		{"trailing comma", `,`, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			claims := claimsJSON(tc.extra)
			hdr := header("HS256", "hs-key")
			hdr = hdr[:len(hdr)-1] + tc.extra + "}"
			for what, doc := range map[string]string{"claims": claims, "header": hdr} {
				t.Run(what, func(t *testing.T) {
					check := strictjson.Check([]byte(doc), nil)
					var err error
					if what == "claims" {
						err = new(wireClaims).UnmarshalJSON([]byte(doc))
					} else {
						_, err = precheck(b64(doc) + "." + b64(claimsJSON("")) + ".c2ln")
					}
					if tc.want == nil {
						require.NoError(t, check)
						require.NoError(t, err)
						return
					}
					require.ErrorIs(t, err, tc.want)
					require.ErrorIs(t, check, strictjson.ErrInvalid)
					assert.Equal(t, tc.want == ErrDuplicateClaim, errors.Is(check, strictjson.ErrDuplicate))
				})
			}
		})
	}
}
