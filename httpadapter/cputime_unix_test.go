//go:build linux || darwin || freebsd || netbsd || openbsd

package httpadapter_test

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time, which, unlike the
// wall clock, does not count the time other processes hold the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
