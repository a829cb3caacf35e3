//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package hash_test

import (
	"testing"
	"time"
)

// cpuTime is unavailable here; BenchmarkPaired's CPU ratio is then NaN.
func cpuTime(*testing.B) time.Duration { return 0 }
