package httpadapter

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// specServers is the servers entry of openapi.yaml, whose URL the served
// document replaces with the path the Handler is reached at.
const specServers = "\nservers:\n  - url: /api/v1\n"

// specBasePath is the base path openapi.yaml names (the example server's).
const specBasePath = "/api/v1"

// checkBasePath checks Config.BasePath: empty, "/", or an absolute path
// without a trailing slash, dot segments, query or fragment.
func checkBasePath(p string) error {
	if p == "" || p == "/" {
		return nil
	}
	if !validBasePath(p) {
		return &configError{`BasePath must be "/" or a path such as "/api/v1", without a trailing slash`}
	}
	return nil
}

func validBasePath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || path.Clean(p) != p || len(p) > 1024 {
		return false
	}
	for _, c := range []byte(p) {
		// RFC 3986 pchar and "/": unreserved, sub-delims, ":", "@", "%".
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-._~!$&'()*+,;=:@%/", c) >= 0
		if !ok {
			return false
		}
	}
	_, err := url.PathUnescape(p)
	return err == nil
}

// basePathOf returns the path at which r reached the Handler:
// Config.BasePath, or the prefix that the host's mount removed from r's
// path; specBasePath when that cannot be told.
func (h *Handler) basePathOf(r *http.Request) string {
	if h.basePath != "" {
		return h.basePath
	}
	raw := r.RequestURI
	if !strings.HasPrefix(raw, "/") {
		u, err := url.ParseRequestURI(raw) // absolute form, through a proxy
		if err != nil {
			return specBasePath
		}
		raw = u.EscapedPath()
	}
	raw, _, _ = strings.Cut(raw, "?")
	prefix, ok := strings.CutSuffix(raw, r.URL.EscapedPath())
	switch {
	case !ok:
		return specBasePath
	case prefix == "":
		return "/"
	case !validBasePath(prefix):
		return specBasePath
	}
	return prefix
}

// openAPIFor returns the document with base as its server URL.
func openAPIFor(base string) []byte {
	if base == specBasePath {
		return openAPIDocument
	}
	quoted, _ := json.Marshal(base) // a JSON string is a YAML string
	return bytes.Replace(openAPIDocument, []byte(specServers),
		[]byte("\nservers:\n  - url: "+string(quoted)+"\n"), 1)
}
