package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/latchkit/latch/store"
)

// view returns c as of now: no count once its window ended, no ban once the
// ban ended.
func view(c *store.Counter, now time.Time) store.Counter {
	v := *c
	if !v.ResetAt.After(now) {
		v.Count, v.ResetAt = 0, time.Time{}
	}
	if !v.BannedUntil.After(now) {
		v.BannedUntil = time.Time{}
	}
	return v
}

func dead(c *store.Counter, now time.Time) bool {
	return !c.ResetAt.After(now) && !c.BannedUntil.After(now)
}

// counter returns the stored counter for key, creating it.
func (d *data) counter(key string) *store.Counter {
	c, ok := d.counters[key]
	if !ok {
		c = &store.Counter{Key: key}
		d.counters[key] = c
	}
	return c
}

// sweep drops the counters that are dead as of now once the map has doubled
// since the last sweep, so memory stays proportional to the live counters at
// an amortised O(1) cost per Hit. Dropping a dead counter changes no result.
func (d *data) sweep(now time.Time) {
	if len(d.counters) >= d.sweepAt {
		d.dropDead(now)
	}
}

// dropDead deletes every counter that is dead as of now.
func (d *data) dropDead(now time.Time) {
	for k, c := range d.counters {
		if dead(c, now) {
			delete(d.counters, k)
		}
	}
	d.sweepAt = max(2*len(d.counters), minSweep)
}

// Hit implements [store.Counters]. A window that is not positive is
// ErrInvalid. The counter is returned as [Store.Counter] would return it.
func (s *Store) Hit(ctx context.Context, key string, delta int64, window time.Duration, now time.Time) (store.Counter, error) {
	if err := store.ValidateCounterKey(key); err != nil {
		return store.Counter{}, err
	}
	if window <= 0 {
		return store.Counter{}, invalid("window must be positive")
	}
	d, err := s.lock(ctx)
	if err != nil {
		return store.Counter{}, err
	}
	defer s.mu.Unlock()
	d.sweep(now)
	c := d.counter(key)
	if !c.ResetAt.After(now) {
		c.Count = delta
		c.ResetAt = store.StorageTime(now.Add(window))
	} else {
		c.Count += delta
	}
	return view(c, now), nil
}

// Counter implements [store.Counters]. The ResetAt of a counter whose window
// ended is zero.
func (s *Store) Counter(ctx context.Context, key string, now time.Time) (store.Counter, error) {
	if err := store.ValidateCounterKey(key); err != nil {
		return store.Counter{}, err
	}
	d, err := s.rlock(ctx)
	if err != nil {
		return store.Counter{}, err
	}
	defer s.mu.RUnlock()
	c, ok := d.counters[key]
	if !ok {
		return store.Counter{Key: key}, nil
	}
	return view(c, now), nil
}

// Ban implements [store.Counters].
func (s *Store) Ban(ctx context.Context, key string, until time.Time) error {
	if err := store.ValidateCounterKey(key); err != nil {
		return err
	}
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	d.counter(key).BannedUntil = store.StorageTime(until)
	return nil
}

// ListCounters implements [store.Counters]. Counters are returned as
// [Store.Counter] would return them.
func (s *Store) ListCounters(ctx context.Context, prefix string, now time.Time) ([]store.Counter, error) {
	d, err := s.rlock(ctx)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	list := []store.Counter{}
	for k, c := range d.counters {
		if strings.HasPrefix(k, prefix) && !dead(c, now) {
			list = append(list, view(c, now))
		}
	}
	slices.SortFunc(list, func(a, b store.Counter) int { return strings.Compare(a.Key, b.Key) })
	return list, nil
}

// DeleteDeadCounters implements [store.Counters]. Hit also drops dead
// counters by itself whenever the map has doubled.
func (s *Store) DeleteDeadCounters(ctx context.Context, now time.Time) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	d.dropDead(now)
	return nil
}

// DeleteCounter implements [store.Counters].
func (s *Store) DeleteCounter(ctx context.Context, key string) error {
	d, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(d.counters, key)
	return nil
}
