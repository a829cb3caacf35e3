package auth

// CPUTime is cpuTime for the benchmarks of package auth_test.
var CPUTime = cpuTime

// LoopCPU is loopCPU for the benchmarks of package auth_test.
var LoopCPU = loopCPU
