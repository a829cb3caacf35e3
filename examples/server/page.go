package main

import (
	"embed"
	"net/http"
	"path"
)

// pageFiles is the sign-in page the server serves at its root: plain HTML,
// a style sheet and a script, with no asset from anywhere else.
//
//go:embed page
var pageFiles embed.FS

// pageTypes are the page's files and their content types.
var pageTypes = map[string]string{
	"index.html": "text/html; charset=utf-8",
	"app.js":     "text/javascript; charset=utf-8",
	"style.css":  "text/css; charset=utf-8",
}

// pageCSP allows the page nothing but its own files and the API of its own
// origin: no inline script, no frame around it, no form posted elsewhere.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// handlePage registers the sign-in page: GET / and GET /page/{file}.
func handlePage(mux *http.ServeMux) {
	serve := func(w http.ResponseWriter, name string) {
		ctype, ok := pageTypes[name]
		if !ok {
			http.NotFound(w, nil)
			return
		}
		b, err := pageFiles.ReadFile(path.Join("page", name))
		if err != nil {
			http.Error(w, "page file missing", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { serve(w, "index.html") })
	mux.HandleFunc("GET /page/{file}", func(w http.ResponseWriter, r *http.Request) { serve(w, r.PathValue("file")) })
}
