//go:build !unix

package sqlstore_test

import (
	"testing"
	"time"
)

// processCPU is not measured on this platform.
func processCPU(*testing.B) time.Duration { return 0 }
