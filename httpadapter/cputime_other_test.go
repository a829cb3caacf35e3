//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package httpadapter_test

import "time"

var cpuStart = time.Now()

// cpuTime falls back to the wall clock where getrusage is missing.
func cpuTime() time.Duration { return time.Since(cpuStart) }
