// Package archtest holds the test that enforces Latch's package graph
// (docs/architecture.md, "Packages and dependency direction"); it has no API.
package archtest
