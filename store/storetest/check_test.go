package storetest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/store/storetest"
)

// TestCheck runs the suite without the testing package: it passes the
// in-memory store and names the failing cases of a broken one.
func TestCheck(t *testing.T) {
	t.Parallel()
	t.Run("memstore passes", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, storetest.Check(t.Context(), func() (store.Store, error) { return memstore.New(), nil }))
	})
	t.Run("a case-sensitive lookup fails", func(t *testing.T) {
		t.Parallel()
		err := storetest.Check(t.Context(), func() (store.Store, error) { return caseSensitive{memstore.New()}, nil })
		require.Error(t, err)
		assert.Contains(t, err.Error(), "storetest/suite/Users", "the failing group is named")
	})
	t.Run("newStore errors fail the cases", func(t *testing.T) {
		t.Parallel()
		err := storetest.Check(t.Context(), func() (store.Store, error) { return nil, context.Canceled })
		require.Error(t, err)
		assert.Contains(t, err.Error(), "newStore: context canceled")
	})
	t.Run("shared handles of one memstore pass", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, storetest.CheckShared(t.Context(), func() (store.Store, store.Store, error) {
			s := memstore.New()
			return s, s, nil
		}))
	})
}
