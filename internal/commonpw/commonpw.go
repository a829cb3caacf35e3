// Package commonpw holds a list of commonly used passwords, embedded in the
// binary, for refusing them as new passwords (NIST SP 800-63B, 5.1.1.2). No
// network call is ever made.
//
// The list is the first Len entries, in rank order, of the password
// frequency list shipped by github.com/trustelem/zxcvbn v1.0.1 (the Go port
// of Dropbox's zxcvbn, MIT licence: see LICENSE and README.md in this
// directory). Every entry is lower-case printable ASCII.
package commonpw

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed passwords.txt
var list string

// set is built on first use, once: a program that never checks a password
// pays nothing.
var set = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, strings.Count(list, "\n"))
	for line := range strings.Lines(list) {
		if w := strings.TrimSuffix(line, "\n"); w != "" {
			m[w] = struct{}{}
		}
	}
	return m
})

// Contains reports whether lower, which the caller has already lower-cased,
// is on the list. It never allocates after the first call.
func Contains(lower string) bool {
	_, ok := set()[lower]
	return ok
}

// Len returns the number of passwords on the list.
func Len() int { return len(set()) }
