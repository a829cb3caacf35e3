package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const mod = "github.com/latchkit/latch"

// rule says which Latch packages a package may depend on (transitively,
// non-test code), and which outside packages it must not.
type rule struct {
	pkg       string
	allowed   []string // Latch packages besides itself; "internal/" allows every internal package
	forbidden []string // import paths (prefix match) that must not appear
	// notImported are import paths (prefix match) the package's own files
	// must not import, though a dependency may: auth never speaks HTTP,
	// but go-webauthn (through passkey) compiles net/http in.
	notImported []string
}

var drivers = []string{"modernc.org/sqlite", "github.com/jackc/pgx"}

// operations are the libraries of the optional metrics and mail packages,
// which the core never compiles.
var operations = []string{"github.com/prometheus", "github.com/wneessen/go-mail"}

var rules = []rule{
	{pkg: "hash", allowed: nil, forbidden: append([]string{"net/http"}, drivers...)},
	{pkg: "token", allowed: []string{"internal/"}, forbidden: append([]string{"net/http"}, drivers...)},
	{pkg: "seal", allowed: nil, forbidden: append([]string{"net/http"}, drivers...)},
	{pkg: "totp", allowed: []string{"internal/"}, forbidden: append([]string{"net/http"}, drivers...)},
	// go-webauthn's Finish functions take an *http.Request, so net/http is
	// compiled in; the leaf itself reads only bytes.
	{pkg: "passkey", allowed: nil, forbidden: append(slices.Clone(drivers), operations...)},
	{pkg: "internal/softauthn", allowed: nil, forbidden: append(append([]string{"net/http"}, drivers...), operations...)},
	{pkg: "store", allowed: nil, forbidden: append([]string{"net/http"}, drivers...)},
	{pkg: "store/memstore", allowed: []string{"store"}, forbidden: append([]string{"net/http"}, drivers...)},
	{pkg: "store/sqlstore", allowed: []string{"store"}, forbidden: []string{"net/http"}},
	{pkg: "store/storetest", allowed: []string{"store"}, forbidden: drivers},
	{pkg: "importer", allowed: []string{"hash"}, forbidden: append([]string{"net/http"}, drivers...)},
	{pkg: "auth", allowed: []string{"hash", "token", "totp", "seal", "store", "importer", "passkey", "internal/"},
		forbidden: append(slices.Clone(drivers), operations...), notImported: []string{"net/http"}},
	{pkg: "httpadapter", allowed: []string{"auth", "hash", "token", "totp", "seal", "store", "importer", "passkey", "internal/"}, forbidden: append(slices.Clone(drivers), operations...)},
	// The generated client knows the REST API only through openapi.yaml.
	{pkg: "client", allowed: nil, forbidden: drivers},
	{pkg: "mail", allowed: nil, forbidden: append(append([]string{"net/http"}, drivers...), "github.com/prometheus")},
	{pkg: "mail/mailtest", allowed: nil, forbidden: append(slices.Clone(drivers), operations...)},
	{pkg: "metrics", allowed: []string{"auth", "hash", "token", "totp", "seal", "store", "importer", "passkey", "internal/"}, forbidden: append(slices.Clone(drivers), "github.com/wneessen/go-mail")},
}

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", mod+"/"+pkg).Output()
	require.NoError(t, err, "go list %s", pkg)
	return strings.Fields(string(out))
}

func TestDependencyDirection(t *testing.T) {
	t.Parallel()
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			t.Parallel()
			for _, d := range deps(t, r.pkg) {
				for _, f := range r.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s depends on %s", r.pkg, d)
					}
				}
				rel, ok := strings.CutPrefix(d, mod+"/")
				if !ok || rel == r.pkg {
					continue
				}
				if !allowed(rel, r.allowed) {
					t.Errorf("%s depends on %s, which the package graph forbids", r.pkg, rel)
				}
			}
			if len(r.notImported) == 0 {
				return
			}
			out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, mod+"/"+r.pkg).Output()
			require.NoError(t, err, "go list %s", r.pkg)
			for _, d := range strings.Fields(string(out)) {
				for _, f := range r.notImported {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s imports %s itself", r.pkg, d)
					}
				}
			}
		})
	}
}

func allowed(rel string, list []string) bool {
	for _, a := range list {
		if rel == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(rel, a)) {
			return true
		}
	}
	return false
}

// TestRulesCoverEveryPackage fails when a new library package appears
// without a rule.
func TestRulesCoverEveryPackage(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", mod+"/...").Output()
	require.NoError(t, err)
	known := map[string]bool{}
	for _, r := range rules {
		known[r.pkg] = true
	}
	for _, p := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(p, mod+"/")
		if strings.HasPrefix(rel, "internal/") || rel == "examples" || strings.HasPrefix(rel, "examples/") || strings.HasPrefix(rel, "store/sqlstore/") {
			continue
		}
		require.True(t, known[rel], "package %s has no dependency rule", rel)
	}
}
