package httpadapter_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// FuzzDocsRequests sends GET /openapi.yaml with any request line (from
// which the handler derives its base path) and a docs file with any
// Accept-Encoding: the document always names one safe server URL, and the
// file is gzip exactly when the client accepts it.
func FuzzDocsRequests(f *testing.F) {
	f.Add("/api/v1/openapi.yaml", "gzip")
	f.Add("/auth/openapi.yaml?x=1", "br, gzip;q=0")
	f.Add("http://latch.test/a%2Fb/openapi.yaml", "GZIP; q=0.5")
	f.Add("/a\"b/openapi.yaml", "identity")
	f.Add("*", "gzip;q=0.000, gzip")
	f.Add("", ",,;")

	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{
		SealingKey: bytes.Repeat([]byte{9}, 32),
		Hasher:     fastHasher(f),
		Now:        func() time.Time { return start },
	})
	if err != nil {
		f.Fatal(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{})
	if err != nil {
		f.Fatal(err)
	}
	const serversLine = "\nservers:\n  - url: "

	f.Fuzz(func(t *testing.T, requestURI, acceptEncoding string) {
		if requestURI == "*" {
			return // OPTIONS * only; http.ServeMux answers it itself
		}
		req := httptest.NewRequest("GET", "/openapi.yaml", nil)
		req.RequestURI = requestURI
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%q: status %d %s", requestURI, rec.Code, rec.Body)
		}
		body := rec.Body.String()
		i := strings.Index(body, serversLine)
		if i < 0 {
			t.Fatalf("%q: no servers entry", requestURI)
		}
		line, _, _ := strings.Cut(body[i+len(serversLine):], "\n")
		url := line
		if strings.HasPrefix(line, `"`) {
			if err := json.Unmarshal([]byte(line), &url); err != nil {
				t.Fatalf("%q: server URL %s is not one string: %v", requestURI, line, err)
			}
		}
		if !strings.HasPrefix(url, "/") || strings.ContainsAny(url, "\"\\ \t\r\n?#<>") || (len(url) > 1 && strings.HasSuffix(url, "/")) {
			t.Fatalf("%q: server URL %q", requestURI, url)
		}

		req = httptest.NewRequest("GET", "/docs/swagger-ui.css", nil)
		req.Header.Set("Accept-Encoding", acceptEncoding)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("Accept-Encoding %q: status %d", acceptEncoding, rec.Code)
		}
		data := rec.Body.Bytes()
		if rec.Header().Get("Content-Encoding") == "gzip" {
			if !strings.Contains(strings.ToLower(acceptEncoding), "gzip") {
				t.Fatalf("Accept-Encoding %q: gzip sent", acceptEncoding)
			}
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Contains(data[:min(len(data), 4096)], []byte(".swagger-ui")) {
			t.Fatalf("Accept-Encoding %q: not the style sheet", acceptEncoding)
		}
	})
}
