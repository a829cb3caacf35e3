package metrics

import (
	"sync"
	"sync/atomic"
)

// maxCached bounds the label sets a cache keeps; beyond it, lookups go to
// the vector every time (correct, only slower). The label sets of Latch's
// own events are far fewer.
const maxCached = 4096

// cache maps label values to a vector's child (a Counter or an Observer),
// so that reporting an event costs one map read rather than the vector's
// label hashing and locking. Reads take no lock: the map is replaced, never
// changed, when a new label set appears.
type cache[K comparable, V any] struct {
	m    atomic.Pointer[map[K]V]
	mu   sync.Mutex // serializes writers
	newV func(K) V
}

func newCache[K comparable, V any](newV func(K) V) *cache[K, V] {
	return &cache[K, V]{newV: newV}
}

func (c *cache[K, V]) get(k K) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
		if len(*old) >= maxCached {
			return c.newV(k)
		}
	}
	v := c.newV(k)
	m := make(map[K]V, 1+lenOf(old))
	if old != nil {
		for kk, vv := range *old {
			m[kk] = vv
		}
	}
	m[k] = v
	c.m.Store(&m)
	return v
}

func lenOf[K comparable, V any](m *map[K]V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
