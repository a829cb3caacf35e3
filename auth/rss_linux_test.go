//go:build linux

package auth_test

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
)

// rssChildEnv names the variant a child process of BenchmarkSignInPeakRSS
// runs.
const rssChildEnv = "LATCH_RSS_CHILD"

// rssBudgetEnv is the child's Limits.HashMemoryBudget in MiB, if set.
const rssBudgetEnv = "LATCH_RSS_BUDGET_MIB"

// BenchmarkSignInPeakRSS reports the peak RSS (getrusage's ru_maxrss) of a
// process that runs 200 concurrent password sign-ins with the default
// argon2id policy (goal: under 256 MiB), with its peak Go heap. Each
// measurement runs in a child process (this test binary, running
// TestSignInPeakRSSChild), so that it is of that work alone:
//
//	go test -run '^$' -bench '^BenchmarkSignInPeakRSS$' -benchtime 1x -count 3 ./auth
//
// The variants: idle (the same setup and no sign-in: the process's floor);
// default (the default pool: what finds the queue full is refused);
// queue-200 (every sign-in queued and served); queue-200-gomaxprocs-16 (the
// same with GOMAXPROCS=16, as on a 16-processor machine, where the memory
// budget, not the processor count, bounds the hashes running at once:
// three); and queue-200-gomaxprocs-16-budget-128MiB (the same with a budget
// of 128 MiB: six at once).
func BenchmarkSignInPeakRSS(b *testing.B) {
	for _, v := range []struct{ name, gomaxprocs, budgetMiB string }{
		{"idle", "", ""},
		{"default", "", ""},
		{"queue-200", "", ""},
		{"queue-200-gomaxprocs-16", "16", ""},
		{"queue-200-gomaxprocs-16-budget-128MiB", "16", "128"},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run", "^TestSignInPeakRSSChild$", "-test.v")
				cmd.Env = append(os.Environ(), rssChildEnv+"="+v.name)
				if v.gomaxprocs != "" {
					cmd.Env = append(cmd.Env, "GOMAXPROCS="+v.gomaxprocs)
				}
				if v.budgetMiB != "" {
					cmd.Env = append(cmd.Env, rssBudgetEnv+"="+v.budgetMiB)
				}
				out, err := cmd.CombinedOutput()
				require.NoError(b, err, "%s", out)
				var ok, refused, heap, sys int
				i := strings.Index(string(out), "signed-in=")
				require.GreaterOrEqual(b, i, 0, "%s", out)
				_, err = fmt.Sscanf(string(out[i:]), "signed-in=%d refused=%d peak-heap-MiB=%d peak-sys-MiB=%d", &ok, &refused, &heap, &sys)
				require.NoError(b, err)
				ru, isRusage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				require.True(b, isRusage)
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB") // Linux: KiB
				b.ReportMetric(float64(ok), "signed-in")
				b.ReportMetric(float64(refused), "refused")
				b.ReportMetric(float64(heap), "peak-heap-MiB")
				b.ReportMetric(float64(sys), "peak-sys-MiB")
			}
		})
	}
}

// TestSignInPeakRSSChild is BenchmarkSignInPeakRSS's child process; it is
// skipped in any other run.
func TestSignInPeakRSSChild(t *testing.T) {
	variant := os.Getenv(rssChildEnv)
	if variant == "" {
		t.Skip("the child process of BenchmarkSignInPeakRSS")
	}
	e := newEnvOn(t, memstore.New(), noLimits, realClock, func(c *auth.Config) {
		c.Hasher = nil
		if strings.HasPrefix(variant, "queue-200") {
			c.Limits.HashQueue = 200
		}
		if mb, err := strconv.Atoi(os.Getenv(rssBudgetEnv)); err == nil {
			c.Limits.HashMemoryBudget = int64(mb) << 20
		}
	})
	e.user("rss")
	var ok, refused atomic.Int64
	heap, sys := peakMemory(func() {
		if variant == "idle" {
			return
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 200 {
			wg.Go(func() {
				<-start
				c := auth.Client{IP: mustAddr(fmt.Sprintf("10.0.%d.%d", i/256, i%256))}
				_, err := e.svc.LoginPassword(ctx, c, "rss", goodPassword)
				switch {
				case err == nil:
					ok.Add(1)
				case auth.CodeOf(err) == "TOO_MANY_REQUESTS":
					refused.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
	})
	fmt.Printf("signed-in=%d refused=%d peak-heap-MiB=%d peak-sys-MiB=%d\n", ok.Load(), refused.Load(), heap>>20, sys>>20)
}
