package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkit/latch/hash"
)

// Limits on the files read. A longer line or a larger entry is refused with
// ErrTooLarge, which ends the read.
const (
	// MaxLineLen is the longest line of a colon-separated file or a JSON
	// lines file, the longest CSV record, and the longest value of an LDIF
	// attribute Latch keeps (uid, mail, userPassword).
	MaxLineLen = 4096
	// MaxObjectLen is the largest user object of an SFTPGo dump, and the
	// largest single value elsewhere in the dump.
	MaxObjectLen = 1 << 20
	// MaxUsers is the most entries (imported and skipped) ReadAll and the
	// Parse functions collect. A Reader has no such limit: it holds one
	// entry at a time.
	MaxUsers = 1_000_000
)

// ErrTooLarge is returned for a line, record or object over the limits
// above, and by ReadAll for a file with more than MaxUsers entries.
var ErrTooLarge = errors.New("importer: import file too large")

// ErrUnknownFormat is returned by ParseFormat and NewReader for a format
// name that is not one of Formats.
var ErrUnknownFormat = errors.New("importer: unknown file format")

// Format names a file format.
type Format string

// The formats a Reader reads.
const (
	// Htpasswd is an Apache htpasswd file: "user:hash" lines.
	Htpasswd Format = "htpasswd"
	// Shadow is /etc/shadow: "name:hash:lastchg:min:max:warn:inactive:
	// expire:reserved". A "!" before the hash locks the account, which
	// comes in disabled; an expire day in the past disables it too.
	Shadow Format = "shadow"
	// ProFTPD is a ProFTPD AuthUserFile as ftpasswd writes it, in the
	// /etc/passwd layout "user:hash:uid:gid:gecos:home:shell".
	ProFTPD Format = "proftpd"
	// PureFTPd is a Pure-FTPd virtual-user file (pureftpd.passwd, written by
	// pure-pw), 18 colon-separated fields. Authorized client IPs become
	// AllowedIPs; an account with refused client IPs or time restrictions,
	// which Latch cannot express, is skipped rather than given wider access
	// than it had.
	PureFTPd Format = "pureftpd"
	// SFTPGo is the JSON dump SFTPGo writes (dumpdata, or the REST API's
	// GET /api/v2/dumpdata): its "users" are read, the other sections
	// (admins, folders, groups, ...) are passed over.
	SFTPGo Format = "sftpgo"
	// LDIF is an LDAP directory export (RFC 2849) as OpenLDAP's slapcat or
	// ldapsearch write it: uid, mail and userPassword of each entry.
	LDIF Format = "ldif"
	// CSV is comma-separated values with a header naming the columns
	// username, password_hash and (optionally) email, in any order.
	CSV Format = "csv"
	// JSONL is JSON lines: one object {"username", "email",
	// "password_hash"} per line.
	JSONL Format = "jsonl"
)

// Formats lists every Format, in the order the documentation gives them.
func Formats() []Format {
	return []Format{SFTPGo, LDIF, CSV, JSONL, Htpasswd, Shadow, ProFTPD, PureFTPd}
}

// ParseFormat returns the Format named s, or ErrUnknownFormat.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q", ErrUnknownFormat, s)
}

// User is an account read from another system, with its password hash as
// that system stored it.
type User struct {
	// Line is the 1-based line of the file where the entry starts.
	Line     int
	Username string
	// Email is empty when the source has none.
	Email string
	// PasswordHash is the hash as the source stored it, in a format the
	// hash package verifies (checked by hash.Identify; its cost may still
	// exceed the limits of the Hasher that imports it). It is empty when
	// the source's hash is in a broken format (hash.ErrInsecureFormat, such
	// as DES crypt): the account comes in without a usable password, and
	// Notes says so.
	PasswordHash string
	// AllowedIPs are the account's client-address restrictions, as CIDRs.
	AllowedIPs []string
	// Disabled is true for an account the source had locked, disabled or
	// let expire.
	Disabled bool
	// Notes lists what of the account did not carry over (for example
	// "virtual folders", or an expiration date in the future: Latch users
	// do not expire). They never contain a hash or a secret.
	Notes []string
}

// SkippedLine is an entry of a file that was not imported, and why. Reason
// never contains a hash or a secret. It is an error so that a Reader can
// return it from Next; it is not fatal.
type SkippedLine struct {
	Line     int
	Username string
	Reason   string
}

func (s *SkippedLine) Error() string {
	if s.Username == "" {
		return fmt.Sprintf("line %d skipped: %s", s.Line, s.Reason)
	}
	return fmt.Sprintf("line %d (%q) skipped: %s", s.Line, s.Username, s.Reason)
}

// Reader reads the accounts of a file one at a time, holding at most one
// entry in memory.
//
// Next returns the next account, or io.EOF after the last. An entry that
// cannot be imported comes back as a *SkippedLine error (test with
// errors.As), after which Next goes on with the following entry. Any other
// error (ErrTooLarge, a syntax error that loses the file's structure, a
// read error) is fatal: every later call returns it again.
//
// A Reader does not look for duplicate usernames: the store's uniqueness
// refuses the second one when it is imported.
type Reader interface {
	Next() (*User, error)
}

// Options tune a Reader. The zero value is ready to use.
type Options struct {
	// Now is the instant expiration dates are compared with (SFTPGo's
	// expiration_date, /etc/shadow's expire day); zero means time.Now().
	Now time.Time
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// NewReader returns a Reader of r in format f.
func NewReader(r io.Reader, f Format, o Options) (Reader, error) {
	switch f {
	case Htpasswd:
		return newColonReader(r, htpasswdLayout, o), nil
	case Shadow:
		return newColonReader(r, shadowLayout, o), nil
	case ProFTPD:
		return newColonReader(r, proftpdLayout, o), nil
	case PureFTPd:
		return newColonReader(r, pureftpdLayout, o), nil
	case SFTPGo:
		return newSFTPGoReader(r, o), nil
	case LDIF:
		return newLDIFReader(r, o), nil
	case CSV:
		return newCSVReader(r, o), nil
	case JSONL:
		return newJSONLReader(r, o), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownFormat, string(f))
}

// Import is a whole file read by ReadAll.
type Import struct {
	Users   []User
	Skipped []SkippedLine
}

// ReadAll reads the whole of r in format f. It returns ErrTooLarge for
// more than MaxUsers entries; use a Reader for larger files.
func ReadAll(r io.Reader, f Format, o Options) (*Import, error) {
	rd, err := NewReader(r, f, o)
	if err != nil {
		return nil, err
	}
	out := &Import{}
	for {
		u, err := rd.Next()
		var skip *SkippedLine
		switch {
		case errors.As(err, &skip):
			out.Skipped = append(out.Skipped, *skip)
		case errors.Is(err, io.EOF):
			return out, nil
		case err != nil:
			return nil, err
		default:
			out.Users = append(out.Users, *u)
		}
		if len(out.Users)+len(out.Skipped) > MaxUsers {
			return nil, fmt.Errorf("%w: more than %d entries", ErrTooLarge, MaxUsers)
		}
	}
}

// ParseHtpasswd reads an Apache htpasswd file (see Htpasswd).
func ParseHtpasswd(r io.Reader) (*Import, error) { return ReadAll(r, Htpasswd, Options{}) }

// ParseShadow reads /etc/shadow-style lines (see Shadow).
func ParseShadow(r io.Reader) (*Import, error) { return ReadAll(r, Shadow, Options{}) }

// ParseProFTPD reads a ProFTPD AuthUserFile (see ProFTPD).
func ParseProFTPD(r io.Reader) (*Import, error) { return ReadAll(r, ProFTPD, Options{}) }

// ParsePureFTPd reads a Pure-FTPd virtual-user file (see PureFTPd).
func ParsePureFTPd(r io.Reader) (*Import, error) { return ReadAll(r, PureFTPd, Options{}) }

// Reasons shared by the formats.
const (
	reasonNoHash      = "no password hash"
	reasonUnsupported = "unsupported password hash format"
	reasonNoUsername  = "empty username"
	reasonNotText     = "not valid UTF-8 text"
)

// checkHash sorts a hash into usable (it is returned as is), insecure (an
// empty hash and the note saying why) or unsupported (a skip reason).
func checkHash(h string) (encoded, note, skip string) {
	if h == "" {
		return "", "", reasonNoHash
	}
	f, err := hash.Identify(h)
	switch {
	// Parameters over the default safety limits are left to the
	// service's Hasher, whose limits the host may have raised.
	case err == nil, errors.Is(err, hash.ErrLimit):
		return h, "", ""
	case errors.Is(err, hash.ErrInsecureFormat):
		return "", "password hash in a broken format (" + string(f) + "): imported without a usable password, to be set by a reset", ""
	}
	return "", "", reasonUnsupported
}

// text reports whether s can be a username, email or hash: valid UTF-8
// without NUL or other control characters, and without U+FFFD, which
// encoding/json puts in place of invalid UTF-8.
func text(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) < 0
}
