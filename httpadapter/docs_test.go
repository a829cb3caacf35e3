package httpadapter_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/httpadapter"
)

// swaggerUIHashes reads the SHA-256 of each Swagger UI file as
// docs/update-swagger-ui.sh recorded it from the npm package.
func swaggerUIHashes(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("docs/swagger-ui/VERSION")
	require.NoError(t, err)
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 3 && fields[0] == "sha256" {
			out[fields[1]] = fields[2]
		}
	}
	require.NoError(t, sc.Err())
	require.Len(t, out, 2)
	return out
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// testDocs fetches the reference page and each of its files, as a browser
// (gzip) and as a client that takes no compression.
func testDocs(t *testing.T, cov *coverage, b backend) {
	e := defaultEnv(t, cov, b)
	r := e.do(call{method: "GET", path: "/docs"})
	expect(t, r, 200)
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	csp := r.header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "connect-src 'self'")
	assert.Contains(t, csp, "script-src 'self';")
	assert.Equal(t, "DENY", r.header.Get("X-Frame-Options"))
	page := string(r.body)
	for _, ref := range []string{`src="docs/swagger-ui-bundle.js"`, `src="docs/init.js"`, `href="docs/swagger-ui.css"`, `href="docs/LICENSE"`} {
		assert.Contains(t, page, ref)
	}
	assert.NotContains(t, page, "http://", "the page names no other origin")
	assert.NotContains(t, page, "https://", "the page names no other origin")

	hashes := swaggerUIHashes(t)
	for name, sum := range hashes {
		// The Go client asks for gzip and unpacks it itself.
		r := e.do(call{method: "GET", path: "/docs/" + name})
		expect(t, r, 200)
		assert.Equal(t, sum, sha256Hex(r.body), "%s as in the npm package", name)
		assert.Contains(t, r.header.Values("Vary"), "Accept-Encoding")

		gz := e.do(call{method: "GET", path: "/docs/" + name, header: http.Header{"Accept-Encoding": {"br, gzip;q=0.5"}}})
		expect(t, gz, 200)
		assert.Equal(t, "gzip", gz.header.Get("Content-Encoding"))
		zr, err := gzip.NewReader(bytes.NewReader(gz.body))
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, sum, sha256Hex(plain), name)

		for _, ae := range []string{"identity", "gzip;q=0"} {
			id := e.do(call{method: "GET", path: "/docs/" + name, header: http.Header{"Accept-Encoding": {ae}}})
			expect(t, id, 200)
			assert.Empty(t, id.header.Get("Content-Encoding"), ae)
			assert.Equal(t, sum, sha256Hex(id.body), "%s with Accept-Encoding %s", name, ae)
		}
	}
	for name, ct := range map[string]string{
		"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "init.js": "text/javascript; charset=utf-8",
		"swagger-ui.css": "text/css; charset=utf-8", "LICENSE": "text/plain; charset=utf-8",
		"NOTICE": "text/plain; charset=utf-8", "swagger-ui-bundle.js.LICENSE.txt": "text/plain; charset=utf-8",
	} {
		r := e.do(call{method: "GET", path: "/docs/" + name})
		expect(t, r, 200)
		assert.Equal(t, ct, r.header.Get("Content-Type"), name)
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"), name)
	}
	r = e.do(call{method: "GET", path: "/docs/init.js"})
	assert.Contains(t, string(r.body), "validatorUrl: null")
	r = e.do(call{method: "GET", path: "/docs/LICENSE"})
	assert.Contains(t, string(r.body), "Apache License")
	for _, p := range []string{"/docs/nope.js", "/docs/swagger-ui-bundle.js.gz", "/docs/index.html", "/docs/swagger-ui/LICENSE"} {
		expect(t, e.do(call{method: "GET", path: p}), 404, "NOT_FOUND")
	}
	expect(t, e.do(call{method: "GET", path: "/docs/"}), 404, "NOT_FOUND")
	expect(t, e.do(call{method: "POST", path: "/docs"}), 405, "METHOD_NOT_ALLOWED")
}

// TestServedOpenAPIServer: GET /openapi.yaml names where the handler is
// reached, derived from the host's mount or from Config.BasePath.
func TestServedOpenAPIServer(t *testing.T) {
	t.Parallel()
	svc := newEnv(t, newCoverage(), envConfig{}).svc
	tests := []struct {
		name     string
		mount    string // "" mounts at the root
		basePath string
		want     string
	}{
		{"example server's mount", "/api/v1", "", "/api/v1"},
		{"host mount", "/auth", "", "/auth"},
		{"deep mount", "/x/y-z/auth", "", "/x/y-z/auth"},
		{"root", "", "", "/"},
		{"configured behind a rewriting proxy", "/auth", "/gateway/latch", "/gateway/latch"},
		{"configured root", "/auth", "/", "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := httpadapter.New(svc, httpadapter.Config{BasePath: tc.basePath})
			require.NoError(t, err)
			mux := http.NewServeMux()
			if tc.mount == "" {
				mux.Handle("/", h)
			} else {
				mux.Handle(tc.mount+"/", http.StripPrefix(tc.mount, h))
			}
			srv := httptest.NewServer(mux)
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL + tc.mount + "/openapi.yaml")
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, 200, resp.StatusCode)
			doc, err := openapi3.NewLoader().LoadFromData(body)
			require.NoError(t, err)
			require.NoError(t, doc.Validate(t.Context()))
			require.Len(t, doc.Servers, 1)
			assert.Equal(t, tc.want, doc.Servers[0].URL)
			if tc.want == "/api/v1" {
				assert.Equal(t, httpadapter.OpenAPI(), body, "the file as it is")
			} else {
				assert.Equal(t, len(httpadapter.OpenAPI())-len("/api/v1")+len(tc.want)+2, len(body), "only the server URL changed")
			}
		})
	}
}

// TestServedOpenAPIServerUnmounted: a Handler called directly (no mount, or
// a path the request line does not end with) names the file's server.
func TestServedOpenAPIServerUnmounted(t *testing.T) {
	t.Parallel()
	svc := newEnv(t, newCoverage(), envConfig{}).svc
	h, err := httpadapter.New(svc, httpadapter.Config{})
	require.NoError(t, err)
	for _, tc := range []struct{ name, requestURI, want string }{
		{"root", "/openapi.yaml", `url: "/"`},
		{"rewritten path", "/elsewhere", "url: /api/v1\n"},
		{"absolute form", "http://latch.test/auth/openapi.yaml?x=1", `url: "/auth"`},
		{"bad prefix", "/a b/openapi.yaml", "url: /api/v1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/openapi.yaml", nil)
			req.RequestURI = tc.requestURI
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, 200, rec.Code)
			assert.Contains(t, rec.Body.String(), "\nservers:\n  - "+tc.want)
		})
	}
}

func TestBasePathConfig(t *testing.T) {
	t.Parallel()
	svc := newEnv(t, newCoverage(), envConfig{}).svc
	for _, p := range []string{"api", "/api/", "/a/../b", "/a//b", "/a b", "/a?b", "/a#b", `/a"b`, "/a\nb", "/%zz", "//"} {
		_, err := httpadapter.New(svc, httpadapter.Config{BasePath: p})
		assert.ErrorIs(t, err, httpadapter.ErrInvalidConfig, "%q", p)
	}
	for _, p := range []string{"", "/", "/api/v1", "/a~b/c%20d", "/tenant:1/@x"} {
		_, err := httpadapter.New(svc, httpadapter.Config{BasePath: p})
		assert.NoError(t, err, "%q", p)
	}
}
