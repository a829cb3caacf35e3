package auth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkit/latch/internal/commonpw"
)

// PasswordPolicy is what a new password (at creation, change and reset;
// never a pre-hashed import, never a sign-in) must not be, beyond the
// length rules, after NIST SP 800-63B 5.1.1.2: commonly used, derived from
// the account or the service, or trivially repetitive or sequential. Every
// check is offline and ignores case. A refused password fails with
// ErrInvalidPassword and a reason that never contains the password:
//
//   - "is a commonly used password": one of the 20,000 most common
//     passwords of zxcvbn's frequency list (internal/commonpw), or one of
//     them with only digits, punctuation or spaces added at its ends when
//     what remains has at least 4 characters ("Monkey12!");
//   - "is the username", "is the email address", "is the service name" or
//     "is a word this service refuses": equal to the username, the email
//     address or its local part, Config.Issuer or one of ExtraWords once
//     digits, punctuation and spaces at the ends of both are ignored
//     ("alice2024!" for alice; not "alice-in-wonderland-42");
//   - "is a repeated or sequential string": the whole password (or what
//     remains of it without digits and punctuation at its ends, if at least
//     4 characters) is one shorter string repeated ("aaaaaaaa", "abababab",
//     "hunter2hunter2"), or a concatenation of runs of at least 3
//     characters, each a repetition, an alphabetic or numeric sequence up
//     or down, or a row of a US keyboard left or right ("12345678",
//     "87654321", "abcdefgh", "qwertyui", "1234abcd", "aaa111bbb").
//
// The zero value applies every check.
type PasswordPolicy struct {
	// AllowCommon turns every check above off: only the length rules
	// apply. Meant for tests and migrations; NIST SP 800-63B requires the
	// checks.
	AllowCommon bool
	// ExtraWords are further words a password must not be (compared like
	// the username), such as the company, product or host names. Words
	// that are only digits and punctuation are ignored.
	ExtraWords []string
}

// Reasons a password is refused, after "invalid password: ".
const (
	reasonCommon     = "is a commonly used password"
	reasonUsername   = "is the username"
	reasonEmail      = "is the email address"
	reasonIssuer     = "is the service name"
	reasonExtraWord  = "is a word this service refuses"
	reasonSequential = "is a repeated or sequential string"
)

// minCore is the shortest core (a password without the digits and
// punctuation at its ends) that the list and the trivial-string checks
// look at on its own.
const minCore = 4

// minRun is the shortest run of a trivial string.
const minRun = 3

// passwordPolicy is PasswordPolicy prepared once, in New.
type passwordPolicy struct {
	off   bool
	words map[string]string // core of the issuer or an extra word → reason
}

func newPasswordPolicy(cfg *Config) passwordPolicy {
	p := passwordPolicy{off: cfg.PasswordPolicy.AllowCommon, words: map[string]string{}}
	for _, w := range cfg.PasswordPolicy.ExtraWords {
		if c := core(strings.ToLower(w)); c != "" {
			p.words[c] = reasonExtraWord
		}
	}
	if c := core(strings.ToLower(cfg.Issuer)); c != "" {
		p.words[c] = reasonIssuer
	}
	return p
}

// validateNewPassword checks a new password of the user with this username
// and email (either may be empty when unknown): valid UTF-8 without NUL,
// the length rules, then the PasswordPolicy.
func (s *Service) validateNewPassword(pw, username, email string) error {
	if !utf8.ValidString(pw) || strings.IndexByte(pw, 0) >= 0 {
		return fmt.Errorf("%w: must be valid UTF-8 without NUL", ErrInvalidPassword)
	}
	if n := utf8.RuneCountInString(pw); n < s.cfg.MinPasswordLen || n > s.cfg.MaxPasswordLen {
		return fmt.Errorf("%w: must be %d to %d characters", ErrInvalidPassword, s.cfg.MinPasswordLen, s.cfg.MaxPasswordLen)
	}
	if why := s.policy.check(pw, username, email); why != "" {
		return fmt.Errorf("%w: %s", ErrInvalidPassword, why)
	}
	return nil
}

// check returns why pw is refused, or "".
func (p *passwordPolicy) check(pw, username, email string) string {
	if p.off {
		return ""
	}
	lower := strings.ToLower(pw)
	c := core(lower)
	coreCounts := c != lower && utf8.RuneCountInString(c) >= minCore
	if c != "" {
		if why := p.contextWord(c, strings.ToLower(username), strings.ToLower(email)); why != "" {
			return why
		}
	}
	if commonpw.Contains(lower) || coreCounts && commonpw.Contains(c) {
		return reasonCommon
	}
	if trivial(lower) || coreCounts && trivial(c) {
		return reasonSequential
	}
	return ""
}

// contextWord reports whether the core c of a password is the core of the
// username, of the email address or of the local part of either, or a word
// of the policy. username and email are lower-case.
func (p *passwordPolicy) contextWord(c, username, email string) string {
	if username != "" && (c == core(username) || c == core(localPart(username))) {
		return reasonUsername
	}
	if email != "" && (c == core(email) || c == core(localPart(email))) {
		return reasonEmail
	}
	return p.words[c]
}

// localPart returns what comes before the last '@' of s, or "" without one.
func localPart(s string) string {
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		return s[:at]
	}
	return ""
}

// core returns s without the digits, punctuation, symbols and spaces at
// its ends: everything but letters and marks.
func core(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) })
}

// trivial reports whether s, already lower-cased, is one shorter string
// repeated, or a concatenation of runs (runs); "" and strings shorter than
// minRun are not.
func trivial(s string) bool {
	var buf [128]rune
	r := buf[:0]
	for _, c := range s {
		r = append(r, c)
	}
	return len(r) >= minRun && (repeated(r) || runs(r))
}

// repeated reports whether r is k ≥ 2 copies of its first len(r)/k runes.
func repeated(r []rune) bool {
	n := len(r)
	for unit := 1; unit <= n/2; unit++ {
		if n%unit != 0 {
			continue
		}
		i := unit
		for i < n && r[i] == r[i-unit] {
			i++
		}
		if i == n {
			return true
		}
	}
	return false
}

// Links between two adjacent characters of a run.
const (
	linkSame  = 1 << iota // the same character
	linkUp                // the next letter or digit: ab, 12
	linkDown              // the previous one: ba, 21
	linkRight             // the key to the right on a US keyboard: qw, 90, !@
	linkLeft              // the key to the left: wq, 09
)

// runs reports whether r splits, from its start, into maximal runs of at
// least minRun characters, each with one link kind between all its
// adjacent characters. It is linear in len(r).
func runs(r []rune) bool {
	for i := 0; i < len(r); {
		j, kinds := i+1, linkSame|linkUp|linkDown|linkRight|linkLeft
		for j < len(r) {
			k := kinds & link(r[j-1], r[j])
			if k == 0 {
				break
			}
			kinds = k
			j++
		}
		if j-i < minRun {
			return false
		}
		i = j
	}
	return true
}

// keyboard holds the position of each ASCII character on the rows of a US
// keyboard, unshifted and shifted (letters are in both): row*16 + column
// + 1, or 0 for a character not on a row.
var keyboard = func() (pos [2][128]uint8) {
	rows := [2][4]string{
		{"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"},
		{"~!@#$%^&*()_+", "qwertyuiop{}|", "asdfghjkl:\"", "zxcvbnm<>?"},
	}
	for shift, rs := range rows {
		for row, keys := range rs {
			for col := 0; col < len(keys); col++ {
				pos[shift][keys[col]] = uint8(row*16 + col + 1)
			}
		}
	}
	return pos
}()

// link returns the link kinds from a to b.
func link(a, b rune) int {
	if a == b {
		return linkSame
	}
	if a >= 0x80 || b >= 0x80 {
		return 0
	}
	k := 0
	if alnum(a) && alnum(b) { // letters and digits are not adjacent in ASCII
		switch b - a {
		case 1:
			k |= linkUp
		case -1:
			k |= linkDown
		}
	}
	for _, pos := range &keyboard {
		pa, pb := pos[a], pos[b]
		if pa == 0 || pb == 0 {
			continue
		}
		switch int(pb) - int(pa) {
		case 1:
			k |= linkRight
		case -1:
			k |= linkLeft
		}
	}
	return k
}

// alnum reports whether c is an ASCII lower-case letter or digit.
func alnum(c rune) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
