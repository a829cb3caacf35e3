package httpadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
)

// ExampleHandler_Observe wraps a host's mux with request IDs and an access
// log, through LogHandler so that every line of a request carries its ID.
func ExampleHandler_Observe() {
	var logs bytes.Buffer
	logger := slog.New(httpadapter.LogHandler(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "time" || a.Key == "duration" {
				return slog.Attr{} // unstable in an example
			}
			return a
		},
	})))
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: make([]byte, 32), Logger: logger})
	if err != nil {
		panic(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Config{Logger: logger})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", h))
	handler := h.Observe(httpadapter.ObserveConfig{AccessLog: logger})(mux)

	req := httptest.NewRequest("GET", "/api/v1/healthz", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header.Set("X-Request-ID", "example-1")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("X-Request-ID"))
	fmt.Print(strings.TrimPrefix(logs.String(), " "))
	// Output:
	// 200 example-1
	// level=INFO msg="http request" request_id=example-1 method=GET route="GET /healthz" status=200 ip=192.0.2.1 user_id=""
}
