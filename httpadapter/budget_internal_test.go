package httpadapter

import (
	"context"
	"errors"
	"testing"
	"time"
)

type budgetKey struct{}

// requireDone waits up to 5 s for ctx to be done and requires its Err to
// be want.
func requireDone(t *testing.T, ctx context.Context, want error) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("Done not closed; want %v", want)
	}
	if err := ctx.Err(); !errors.Is(err, want) {
		t.Fatalf("Err() = %v, want %v", err, want)
	}
}

// TestBudgetContext checks that the lazily timed budget behaves as
// context.WithTimeout would: the deadline is fixed at the start, the
// parent's cancellation and values pass through, the budget's end closes
// Done whether or not anything waited before, and stop cancels.
func TestBudgetContext(t *testing.T) {
	rows := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"deadline is fixed at the start and capped by the parent's", func(t *testing.T) {
			before := time.Now()
			c := newBudgetContext(context.Background(), time.Hour)
			d, ok := c.Deadline()
			if !ok || d.Before(before.Add(time.Hour)) || d.After(time.Now().Add(time.Hour)) {
				t.Fatalf("Deadline() = %v, %v; want about an hour from the start", d, ok)
			}
			parent, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			pd, _ := parent.Deadline()
			if d, _ := newBudgetContext(parent, time.Hour).Deadline(); !d.Equal(pd) {
				t.Fatalf("Deadline() = %v, want the parent's %v", d, pd)
			}
		}},
		{"expired budget is an error before anything waits", func(t *testing.T) {
			c := newBudgetContext(context.Background(), time.Nanosecond)
			time.Sleep(time.Millisecond)
			if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Err() = %v, want DeadlineExceeded", err)
			}
			requireDone(t, c, context.DeadlineExceeded)
		}},
		{"budget ends while waiting", func(t *testing.T) {
			c := newBudgetContext(context.Background(), 20*time.Millisecond)
			if err := c.Err(); err != nil {
				t.Fatalf("Err() = %v before the deadline", err)
			}
			requireDone(t, c, context.DeadlineExceeded)
		}},
		{"parent cancellation passes through, derived contexts follow", func(t *testing.T) {
			parent, cancel := context.WithCancel(context.WithValue(context.Background(), budgetKey{}, "v"))
			c := newBudgetContext(parent, time.Hour)
			if got := c.Value(budgetKey{}); got != "v" {
				t.Fatalf("Value = %v before the timer, want the parent's", got)
			}
			child, childCancel := context.WithCancel(c)
			defer childCancel()
			if got := c.Value(budgetKey{}); got != "v" {
				t.Fatalf("Value = %v with the timer running, want the parent's", got)
			}
			cancel()
			requireDone(t, c, context.Canceled)
			requireDone(t, child, context.Canceled)
		}},
		{"parent canceled before anything waits", func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			c := newBudgetContext(parent, time.Hour)
			cancel()
			if err := c.Err(); !errors.Is(err, context.Canceled) {
				t.Fatalf("Err() = %v, want Canceled", err)
			}
		}},
		{"stop cancels a running timer and the contexts derived from it", func(t *testing.T) {
			c := newBudgetContext(context.Background(), time.Hour)
			child, childCancel := context.WithTimeout(c, 2*time.Hour)
			defer childCancel()
			c.stop()
			requireDone(t, child, context.Canceled)
			if err := c.Err(); !errors.Is(err, context.Canceled) {
				t.Fatalf("Err() = %v, want Canceled", err)
			}
		}},
		{"stop before anything waits leaves it done", func(t *testing.T) {
			c := newBudgetContext(context.Background(), time.Hour)
			c.stop()
			if err := c.Err(); !errors.Is(err, context.Canceled) {
				t.Fatalf("Err() = %v, want Canceled", err)
			}
			select {
			case <-c.Done():
			default:
				t.Fatal("Done open after stop")
			}
			child, childCancel := context.WithCancel(c)
			defer childCancel()
			if err := child.Err(); !errors.Is(err, context.Canceled) {
				t.Fatalf("derived Err() = %v, want Canceled", err)
			}
		}},
		{"the first error stays", func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := newBudgetContext(parent, time.Nanosecond)
			time.Sleep(time.Millisecond)
			if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Err() = %v, want DeadlineExceeded", err)
			}
			cancel()
			c.stop()
			if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Err() after the parent's cancellation and stop = %v, want DeadlineExceeded still", err)
			}
		}},
		{"stop twice", func(t *testing.T) {
			for _, wait := range []bool{false, true} {
				c := newBudgetContext(context.Background(), time.Hour)
				if wait {
					_ = c.Done()
				}
				c.stop()
				c.stop()
				if err := c.Err(); !errors.Is(err, context.Canceled) {
					t.Fatalf("waited %v: Err() = %v, want Canceled", wait, err)
				}
			}
		}},
		{"concurrent first waits share one timer", func(t *testing.T) {
			c := newBudgetContext(context.Background(), time.Hour)
			chans := make(chan (<-chan struct{}), 8)
			for range cap(chans) {
				go func() { chans <- c.Done() }()
			}
			first := <-chans
			for range cap(chans) - 1 {
				if d := <-chans; d != first {
					t.Fatal("two Done channels for one budget")
				}
			}
			c.stop()
			<-first
		}},
	}
	for _, row := range rows {
		t.Run(row.name, row.run)
	}
}
