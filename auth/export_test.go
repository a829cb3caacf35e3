package auth

import "context"

// CPUTime is cpuTime for the benchmarks of package auth_test.
var CPUTime = cpuTime

// LoopCPU is loopCPU for the benchmarks of package auth_test.
var LoopCPU = loopCPU

// WaitSynced waits until every change committed before the call is
// applied to the service's cache.
func (s *Service) WaitSynced(ctx context.Context) error { return s.waitSynced(ctx) }
