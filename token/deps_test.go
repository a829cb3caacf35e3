package token_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDependencies keeps token a leaf: besides the standard library it may
// import golang-jwt, golang.org/x/crypto and Latch's JSON engine
// internal/strictjson (which imports the standard library only). It takes
// any Sealer, so it needs no sealing package, and it never imports
// net/http or go-jose (which only its tests use).
func TestDependencies(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/latchkit/latch/token").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(dep, "/")
		switch {
		case dep == "net/http", strings.HasPrefix(dep, "github.com/go-jose/"):
			t.Errorf("token imports %s", dep)
		case !strings.Contains(first, "."): // standard library
		case strings.HasPrefix(dep, "github.com/golang-jwt/jwt/v5"),
			strings.HasPrefix(dep, "golang.org/x/crypto/"),
			strings.HasPrefix(dep, "golang.org/x/sys/"), // x/crypto's CPU detection
			dep == "github.com/latchkit/latch/token",
			dep == "github.com/latchkit/latch/internal/strictjson":
		default:
			t.Errorf("token imports %s", dep)
		}
	}
}
