package httpadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// The served document names where the handler is reached: here behind a
// proxy that maps /gateway/latch to the host's /auth, which the handler
// cannot see, so the host says so with BasePath. GET /auth/docs (as
// /gateway/latch/docs) then calls the right URLs.
func ExampleConfig_basePath() {
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		panic(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{BasePath: "/gateway/latch"})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", h))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/openapi.yaml", nil))
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "  - url: ") {
			fmt.Println(strings.TrimSpace(line))
			break
		}
	}
	// Output:
	// - url: "/gateway/latch"
}
