package auth

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

// TestObservedStoreCoversStore fails when store.Store gains a method that
// observedStore does not time (it would reach the store unobserved), and
// checks that each method reports its own name.
func TestObservedStoreCoversStore(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "storeobs.go", nil, 0)
	require.NoError(t, err)
	declared := map[string]bool{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil {
			continue
		}
		declared[fn.Name.Name] = true
		var reported string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "StoreCall" {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok {
					reported = lit.Value
				}
			}
			return true
		})
		assert.Equal(t, `"`+fn.Name.Name+`"`, reported, "%s reports its own name", fn.Name.Name)
	}
	st := reflect.TypeFor[store.Store]()
	for i := range st.NumMethod() {
		name := st.Method(i).Name
		if name == "Close" {
			continue
		}
		assert.True(t, declared[name], "observedStore does not time store method %s", name)
	}
}
