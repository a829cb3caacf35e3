//go:build race

package main

// raceEnabled makes the walkthrough build the server with -race when the
// tests run with it, so both share the build cache.
const raceEnabled = true
