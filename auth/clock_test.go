package auth

import (
	"sync"
	"time"
)

// FakeClockStart is where every FakeClock starts: a fixed instant, so
// tests can assert exact expiry times.
var FakeClockStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// FakeClock is the one fake clock of this package's tests, internal
// (package auth) and external (package auth_test) alike: hand its Now to
// Config.Now and move it with Advance. It stands still otherwise, and is
// safe for concurrent use. It is declared in a _test.go file, so it exists
// only while testing.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock returns a clock at FakeClockStart.
func NewFakeClock() *FakeClock { return &FakeClock{t: FakeClockStart} }

// Now returns the clock's time; its method value is a Config.Now.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
