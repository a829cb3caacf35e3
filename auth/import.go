package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/latchkit/latch/hash"
)

// Limits on imported password files. A longer line or a bigger file is
// refused with ErrImportTooLarge before anything is imported.
const (
	MaxImportLineLen = 4096
	MaxImportUsers   = 1_000_000
)

// ErrImportTooLarge is returned by the Parse functions for a line longer
// than MaxImportLineLen or a file with more than MaxImportUsers entries.
var ErrImportTooLarge = errors.New("auth: import file too large")

// ImportedUser is an account read from another system's password file,
// with its hash as that system stored it.
type ImportedUser struct {
	// Line is the 1-based line the account came from.
	Line     int
	Username string
	// PasswordHash is in a format hash.Verify accepts (checked by Identify;
	// its cost may still exceed the limits of the Hasher that imports it).
	PasswordHash string
	// AllowedIPs are the account's client-address restrictions, as CIDRs
	// (Pure-FTPd's authorized client IPs).
	AllowedIPs []string
	// Disabled is true for accounts the source system had locked (a "!"
	// before the hash in /etc/shadow).
	Disabled bool
}

// SkippedLine is an entry of a password file that was not imported.
// Reason never contains the hash.
type SkippedLine struct {
	Line     int
	Username string
	Reason   string
}

// Import is the result of parsing a password file.
type Import struct {
	Users   []ImportedUser
	Skipped []SkippedLine
}

// ParseHtpasswd reads an Apache htpasswd file ("user:hash" lines). Entries
// whose hash Latch cannot verify (crypt(3) DES, {SHA}, plain text) are
// skipped with a reason; blank lines and lines starting with '#' are ignored.
func ParseHtpasswd(r io.Reader) (*Import, error) {
	return parsePasswordFile(r, fileFormat{fields: 2})
}

// ParseShadow reads /etc/shadow-style lines ("name:hash:lastchg:min:max:
// warn:inactive:expire:reserved"). Accounts without a usable password ("*",
// "!", "!!", empty, or a non-hash such as "x") are skipped; a hash locked
// with a leading "!" is imported with Disabled set. The expiry fields are
// not interpreted: review expired accounts before importing.
func ParseShadow(r io.Reader) (*Import, error) {
	return parsePasswordFile(r, fileFormat{fields: 9, lockable: true})
}

// ParseProFTPD reads a ProFTPD AuthUserFile (the /etc/passwd format written
// by ftpasswd: "user:hash:uid:gid:gecos:home:shell").
func ParseProFTPD(r io.Reader) (*Import, error) {
	return parsePasswordFile(r, fileFormat{fields: 7})
}

// ParsePureFTPd reads a Pure-FTPd virtual-user file (pureftpd.passwd,
// written by pure-pw: "account:hash:uid:gid:gecos:home:upload_bw:
// download_bw:upload_ratio:download_ratio:max_conn:files_quota:size_quota:
// authorized_local_IPs:refused_local_IPs:authorized_client_IPs:
// refused_client_IPs:time_restrictions"). Authorized client IPs become
// AllowedIPs. An account with refused client IPs or time restrictions,
// which Latch cannot express, is skipped rather than imported with wider
// access than it had.
func ParsePureFTPd(r io.Reader) (*Import, error) {
	return parsePasswordFile(r, fileFormat{fields: 18, extra: func(f []string, u *ImportedUser) string {
		if f[16] != "" {
			return "refused client IPs are not supported"
		}
		if f[17] != "" {
			return "time restrictions are not supported"
		}
		if f[15] == "" {
			return ""
		}
		for _, entry := range strings.Split(f[15], ",") {
			p, ok := parseIPEntry(entry)
			if !ok {
				return "unparsable authorized client IP"
			}
			u.AllowedIPs = append(u.AllowedIPs, p)
		}
		return ""
	}})
}

// parseIPEntry turns "a.b.c.d", "a.b.c.d/len" or "a.b.c.d/m.m.m.m" into a
// canonical CIDR.
func parseIPEntry(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if addr, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(addr, addr.BitLen()).String(), true
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String(), true
	}
	ip, mask, ok := strings.Cut(s, "/")
	if !ok {
		return "", false
	}
	addr, err1 := netip.ParseAddr(ip)
	m, err2 := netip.ParseAddr(mask)
	if err1 != nil || err2 != nil || !addr.Is4() || !m.Is4() {
		return "", false
	}
	b := m.As4()
	bits, seenZero := 0, false
	for _, octet := range b {
		for i := 7; i >= 0; i-- {
			if octet&(1<<i) != 0 {
				if seenZero {
					return "", false // non-contiguous mask
				}
				bits++
			} else {
				seenZero = true
			}
		}
	}
	return netip.PrefixFrom(addr, bits).Masked().String(), true
}

// fileFormat describes a colon-separated password file: the username is
// the first field and the hash the second.
type fileFormat struct {
	fields   int  // exact number of fields per line
	lockable bool // a "!" before the hash marks a locked account
	// extra maps the remaining fields and returns a skip reason or "".
	extra func(fields []string, u *ImportedUser) string
}

func parsePasswordFile(r io.Reader, ff fileFormat) (*Import, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), MaxImportLineLen+1)
	out := &Import{}
	seen := make(map[string]int)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if len(out.Users)+len(out.Skipped) >= MaxImportUsers {
			return nil, fmt.Errorf("%w: more than %d entries", ErrImportTooLarge, MaxImportUsers)
		}
		skip := func(user, reason string) {
			out.Skipped = append(out.Skipped, SkippedLine{Line: line, Username: user, Reason: reason})
		}
		if !utf8.ValidString(text) || strings.IndexByte(text, 0) >= 0 {
			skip("", "not valid UTF-8 text")
			continue
		}
		fields := strings.Split(text, ":")
		if len(fields) != ff.fields {
			skip("", fmt.Sprintf("want %d fields, got %d", ff.fields, len(fields)))
			continue
		}
		u := ImportedUser{Line: line, Username: fields[0], PasswordHash: fields[1]}
		if u.Username == "" {
			skip("", "empty username")
			continue
		}
		if first, dup := seen[u.Username]; dup {
			skip(u.Username, fmt.Sprintf("duplicate of line %d", first))
			continue
		}
		seen[u.Username] = line
		if h, locked := strings.CutPrefix(u.PasswordHash, "!"); locked && ff.lockable {
			u.PasswordHash, u.Disabled = h, true
		}
		if u.PasswordHash == "" || u.PasswordHash == "*" || u.PasswordHash == "!" || u.PasswordHash == "x" {
			skip(u.Username, "no password hash")
			continue
		}
		// Parameters over the default safety limits are left to the
		// service's Hasher, whose limits the host may have raised.
		if _, err := hash.Identify(u.PasswordHash); err != nil && !errors.Is(err, hash.ErrLimit) {
			skip(u.Username, "unsupported password hash format")
			continue
		}
		if ff.extra == nil {
			out.Users = append(out.Users, u)
			continue
		}
		if reason := ff.extra(fields, &u); reason != "" {
			skip(u.Username, reason)
			continue
		}
		out.Users = append(out.Users, u)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: line %d is longer than %d bytes", ErrImportTooLarge, line+1, MaxImportLineLen)
		}
		return nil, fmt.Errorf("auth: reading import file: %w", err)
	}
	return out, nil
}

// ImportFailure is an imported account the service refused, with the
// error's code (for example USERNAME_ALREADY_USED or INVALID_PASSWORD_HASH).
type ImportFailure struct {
	Line     int
	Username string
	Code     string
}

// ImportReport says what ImportUsers did.
type ImportReport struct {
	Created []User
	Failed  []ImportFailure
}

// ImportUsers creates one user per imported account, keeping its hash as
// is (it is re-hashed to the current policy at the user's first sign-in)
// and giving it role and permissions. p needs add_users. Accounts the
// service refuses are reported in Failed and do not stop the import; an
// error is returned only when the whole import cannot go on (permission,
// context, storage).
func (s *Service) ImportUsers(ctx context.Context, p *Principal, users []ImportedUser, role string, permissions []string) (*ImportReport, error) {
	rep := &ImportReport{}
	for _, iu := range users {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		u, err := s.createUser(ctx, Client{}, p, CreateUserInput{
			Username:     iu.Username,
			PasswordHash: iu.PasswordHash,
			Role:         role,
			Permissions:  permissions,
			AllowedIPs:   iu.AllowedIPs,
			Disabled:     iu.Disabled,
		}, false)
		var ae *Error
		switch {
		case err == nil:
			rep.Created = append(rep.Created, *u)
		case errors.As(err, &ae) && ae != ErrInternal && ae != ErrForbidden && ae != ErrUnauthorized:
			rep.Failed = append(rep.Failed, ImportFailure{Line: iu.Line, Username: iu.Username, Code: ae.Code()})
		default:
			return rep, err
		}
	}
	return rep, nil
}
