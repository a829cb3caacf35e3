package httpadapter

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

// loadSpec loads and validates the embedded document with kin-openapi.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	return doc
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	assert.True(t, doc.IsOpenAPI31OrLater())
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			assert.NotEmpty(t, op.OperationID, "%s %s", method, path)
			assert.NotEmpty(t, op.Summary, "%s %s", method, path)
			for status, resp := range op.Responses.Map() {
				code, err := strconv.Atoi(status)
				require.NoError(t, err, "%s %s: status %q", method, path, status)
				if code >= 400 {
					ref := resp.Value.Content.Get("application/json").Schema.Ref
					assert.Equal(t, "#/components/schemas/Error"+status, ref, "%s %s %s", method, path, status)
				}
			}
			if op.RequestBody != nil {
				assert.Contains(t, op.Responses.Map(), "413", "%s %s takes a body", method, path)
				if path != "/admin/restore" {
					schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
					require.NotNil(t, schema.AdditionalProperties.Has, "%s %s", method, path)
					assert.False(t, *schema.AdditionalProperties.Has, "%s %s: additionalProperties", method, path)
				}
			}
		}
	}
}

// TestRoutesMatchSpec fails on a route that the handler serves and the
// document does not describe, or the other way round.
func TestRoutesMatchSpec(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	var inSpec, inHandler []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inSpec = append(inSpec, method+" "+path)
		}
	}
	for _, rt := range routes {
		inHandler = append(inHandler, rt.method+" "+rt.path)
	}
	slices.Sort(inSpec)
	slices.Sort(inHandler)
	assert.Equal(t, inSpec, inHandler)
	assert.Len(t, slices.Compact(slices.Clone(inHandler)), len(inHandler), "duplicate route")
}

// TestBodyModesMatchSpec checks that each route's bodyMode says what the
// document's requestBody does: none, optional or required.
func TestBodyModesMatchSpec(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			op := doc.Paths.Find(rt.path).GetOperation(rt.method)
			require.NotNil(t, op)
			want := noBody
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				want = optionalBody
				if rb.Value.Required {
					want = requiredBody
				}
			}
			assert.Equal(t, want, rt.body)
		})
	}
}

// TestSecurityMatchesRoutes checks that each operation's security in the
// document says what the route's authMode does.
func TestSecurityMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			op := doc.Paths.Find(rt.path).GetOperation(rt.method)
			require.NotNil(t, op)
			sec := doc.Security
			if op.Security != nil {
				sec = *op.Security
			}
			anonymous := len(sec) == 0
			for _, req := range sec {
				if len(req) == 0 {
					anonymous = true
				}
			}
			_, has401 := op.Responses.Map()["401"]
			switch rt.auth {
			case authNone:
				if rt.path == "/token" {
					require.Len(t, sec, 1)
					assert.Contains(t, sec[0], "basicAuth")
					return
				}
				assert.Empty(t, sec, "public route")
				// Only sign-in answers 401 (INVALID_CREDENTIALS) without credentials.
				assert.Equal(t, strings.HasPrefix(rt.path, "/login/") || rt.path == "/token/refresh", has401)
			case authOptional:
				assert.True(t, anonymous, "anonymous callers allowed")
				assert.Len(t, sec, 4)
				assert.True(t, has401)
			case authRequired:
				assert.False(t, anonymous, "credentials required")
				assert.Len(t, sec, 3)
				assert.True(t, has401)
				assert.Contains(t, op.Responses.Map(), "403")
			}
		})
	}
}

// TestStatusTable checks the one code → status table: every auth code
// exactly once, nothing else but the adapter's own codes, and the same
// status and code list as openapi.yaml.
func TestStatusTable(t *testing.T) {
	t.Parallel()
	count := map[string]int{}
	for _, e := range statusTable {
		count[e.code]++
		assert.GreaterOrEqual(t, e.status, 400, e.code)
		assert.Regexp(t, `^[A-Z][A-Z0-9_]*$`, e.code)
	}
	for code, n := range count {
		assert.Equal(t, 1, n, "code %s listed %d times", code, n)
	}
	want := []string{codeRequestTooLarge, codeMethodNotAllowed}
	for _, e := range auth.Codes() {
		assert.Equal(t, 1, count[e.Code()], "auth code %s missing from the status table", e.Code())
		want = append(want, e.Code())
		_, ok := statusOf(e.Code())
		assert.True(t, ok, e.Code())
		assert.Equal(t, e.Code(), codeOf(fmt.Errorf("wrapped: %w", e)))
	}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(count)), "table codes are auth's and the adapter's")

	// The document lists each code under its status's ErrorNNN schema.
	doc := loadSpec(t)
	byStatus := map[int][]string{}
	for _, e := range statusTable {
		byStatus[e.status] = append(byStatus[e.status], e.code)
	}
	for status, codes := range byStatus {
		ref := doc.Components.Schemas["Error"+strconv.Itoa(status)]
		require.NotNil(t, ref, "schema Error%d", status)
		prop := ref.Value.Properties["error"].Value
		var inSpec []string
		if prop.Const != nil {
			inSpec = []string{prop.Const.(string)}
		}
		for _, v := range prop.Enum {
			inSpec = append(inSpec, v.(string))
		}
		assert.ElementsMatch(t, codes, inSpec, "codes of status %d", status)
	}
	var enum []string
	for _, v := range doc.Components.Schemas["ErrorCode"].Value.Enum {
		enum = append(enum, v.(string))
	}
	assert.ElementsMatch(t, want, enum, "ErrorCode enum")
	for name := range doc.Components.Schemas {
		if s, ok := strings.CutPrefix(name, "Error"); ok && s != "" && s != "Code" {
			n, err := strconv.Atoi(s)
			require.NoError(t, err)
			assert.Contains(t, byStatus, n, "schema %s has no code", name)
		}
	}
	assert.Equal(t, []string{"INTERNAL_ERROR"}, byStatus[http.StatusInternalServerError])
}
