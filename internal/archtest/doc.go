// Package archtest holds the test that enforces Latch's package graph
// (DESIGN.md "Layout and dependency direction"); it has no API.
package archtest
