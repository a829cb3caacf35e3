// Package examples_test checks that what the documentation shows works for
// a user: every package's examples and a copy of every example program
// build in a module of their own, which can import nothing internal.
package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExamplesBuildOutsideTheModule copies the example programs and every
// package's example_test.go into a new module that requires Latch (through
// a replace directive to this checkout) and vets it, which compiles the
// tests too. An example that reached into an internal package, or a
// program that needed something unexported, fails here.
func TestExamplesBuildOutsideTheModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module of its own")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	write("go.mod", []byte("module example.com/host\n\ngo 1.26.0\n\nrequire github.com/latchkit/latch v0.0.0\n\nreplace github.com/latchkit/latch => "+root+"\n"))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	write("go.sum", sum)

	copied := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		inExamples := strings.HasPrefix(rel, "examples"+string(filepath.Separator)) && strings.Count(rel, string(filepath.Separator)) == 2
		// Files a program embeds (the example server's page) sit one
		// directory further down.
		embedded := strings.HasPrefix(rel, filepath.Join("examples", "server", "page")+string(filepath.Separator))
		switch {
		case inExamples && strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go"):
		case embedded:
		case strings.HasSuffix(rel, "example_test.go") && !strings.HasPrefix(rel, "examples") && !strings.HasPrefix(rel, "internal"):
			// Examples of internal packages are for this module only.
			rel = filepath.Join("docs", rel)
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		write(rel, data)
		copied++
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, copied, 5, "examples found")

	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(goTool, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
	}
	run("mod", "tidy")
	run("vet", "./...")
}
