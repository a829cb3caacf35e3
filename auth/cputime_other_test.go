//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package auth

import "time"

// cpuTime is unavailable here; the benchmarks' cpu-ns/op is then 0.
func cpuTime() time.Duration { return 0 }
