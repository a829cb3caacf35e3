package memstore_test

import (
	"testing"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

func TestConformanceShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		s := memstore.New()
		return s, s
	})
}

func TestChanges(t *testing.T) {
	t.Parallel()
	storetest.RunChanges(t, func(*testing.T) (store.Store, store.Store) {
		s := memstore.New()
		return s, s
	})
}
