package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/metrics"
	"github.com/latchkit/latch/store/memstore"
)

// ExampleNew passes Metrics to auth as its Observer and serves them.
func ExampleNew() {
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		panic(err)
	}
	svc, err := auth.New(context.Background(), memstore.New(), auth.Config{SealingKey: make([]byte, 32), Observer: m})
	if err != nil {
		panic(err)
	}
	_, err = svc.Authenticate(context.Background(), auth.Client{}, "not-a-token")
	fmt.Println(auth.CodeOf(err))

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for line := range strings.Lines(string(body)) {
		if strings.HasPrefix(line, "latch_authentications_total{") {
			fmt.Print(line)
		}
	}
	// Output:
	// UNAUTHORIZED
	// latch_authentications_total{kind="access_token",result="unauthorized"} 1
}
