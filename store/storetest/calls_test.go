package storetest

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/latchkit/latch/store"
)

// TestCallsCoverStore fails when store.Store gains a method that the
// Context and Closed cases do not call.
func TestCallsCoverStore(t *testing.T) {
	t.Parallel()
	named := map[string]bool{}
	for _, c := range calls() {
		assert.False(t, named[c.name], "%s listed twice", c.name)
		named[c.name] = true
	}
	st := reflect.TypeFor[store.Store]()
	for i := range st.NumMethod() {
		if name := st.Method(i).Name; name != "Close" {
			assert.True(t, named[name], "calls() does not call store method %s", name)
		}
	}
}
