package httpadapter

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The reference page at GET /docs: Swagger UI (the npm package
// swagger-ui-dist, see docs/swagger-ui/VERSION and
// docs/update-swagger-ui.sh) showing the document at GET /openapi.yaml.
// Every file is built in; the page loads nothing from elsewhere, which its
// Content-Security-Policy enforces in the browser too.
//
//go:embed docs/index.html docs/init.js docs/swagger-ui/*.gz docs/swagger-ui/LICENSE docs/swagger-ui/NOTICE docs/swagger-ui/swagger-ui-bundle.js.LICENSE.txt
var docsFS embed.FS

// docsCSP allows the page its own scripts, styles and the API calls of
// "Try it out" on this origin, and nothing else.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docsFile is one file of GET /docs/{file}.
type docsFile struct {
	contentType string
	data        []byte // gzipped when gz
	gz          bool
}

var docsFiles = loadDocsFiles()

func loadDocsFiles() map[string]docsFile {
	read := func(name string) []byte {
		b, err := docsFS.ReadFile(name)
		if err != nil {
			panic("httpadapter: embedded file missing: " + name) // caught by every test
		}
		return b
	}
	const js, css, text = "text/javascript; charset=utf-8", "text/css; charset=utf-8", "text/plain; charset=utf-8"
	return map[string]docsFile{
		"swagger-ui-bundle.js":             {js, read("docs/swagger-ui/swagger-ui-bundle.js.gz"), true},
		"swagger-ui.css":                   {css, read("docs/swagger-ui/swagger-ui.css.gz"), true},
		"init.js":                          {js, read("docs/init.js"), false},
		"LICENSE":                          {text, read("docs/swagger-ui/LICENSE"), false},
		"NOTICE":                           {text, read("docs/swagger-ui/NOTICE"), false},
		"swagger-ui-bundle.js.LICENSE.txt": {text, read("docs/swagger-ui/swagger-ui-bundle.js.LICENSE.txt"), false},
	}
}

var docsPage = func() []byte {
	b, err := docsFS.ReadFile("docs/index.html")
	if err != nil {
		panic("httpadapter: embedded docs/index.html missing")
	}
	return b
}()

func setDocsHeaders(h http.Header, contentType string) {
	setCommonHeaders(h)
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

func (h *Handler) getDocs(x *call) error {
	w := x.w
	setDocsHeaders(w.Header(), "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(docsPage)))
	_, _ = w.Write(docsPage)
	return nil
}

func (h *Handler) getDocsFile(x *call) error {
	w, r := x.w, x.r
	f, ok := docsFiles[r.PathValue("file")]
	if !ok {
		return errNotFound
	}
	hdr := w.Header()
	setDocsHeaders(hdr, f.contentType)
	if !f.gz {
		hdr.Set("Content-Length", strconv.Itoa(len(f.data)))
		_, _ = w.Write(f.data)
		return nil
	}
	hdr.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		hdr.Set("Content-Encoding", "gzip")
		hdr.Set("Content-Length", strconv.Itoa(len(f.data)))
		_, _ = w.Write(f.data)
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(f.data))
	if err != nil {
		return err // the embedded file is broken: INTERNAL_ERROR, and tests fail
	}
	_, _ = io.Copy(w, zr)
	return nil
}

// acceptsGzip reports whether r's Accept-Encoding lists gzip with a
// non-zero quality.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
