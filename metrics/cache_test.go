package metrics

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCache(t *testing.T) {
	t.Parallel()
	var made atomic.Int64
	c := newCache(func(k string) string { made.Add(1); return "v" + k })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				k := strconv.Itoa((i + g) % 10)
				assert.Equal(t, "v"+k, c.get(k))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(10), made.Load(), "each key made once")

	// Past maxCached keys the cache stops growing and still answers.
	for i := range maxCached + 10 {
		k := "k" + strconv.Itoa(i)
		assert.Equal(t, "v"+k, c.get(k))
	}
	assert.Len(t, *c.m.Load(), maxCached)
}
