//go:build race

package hash_test

// raceDetector is true when the tests run under the race detector, which
// slows pure computation (a KDF's inner loop) about tenfold.
const raceDetector = true
