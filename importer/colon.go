package importer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// colonLayout describes a colon-separated password file: the username is
// the first field and the hash the second.
type colonLayout struct {
	fields   int  // exact number of fields per line
	lockable bool // a "!" before the hash marks a locked account
	shadow   bool // /etc/shadow: field 8 is the account's expire day
	// extra maps the remaining fields and returns a skip reason or "".
	extra func(fields []string, u *User) string
}

var (
	htpasswdLayout = colonLayout{fields: 2}
	shadowLayout   = colonLayout{fields: 9, lockable: true, shadow: true}
	proftpdLayout  = colonLayout{fields: 7}
	pureftpdLayout = colonLayout{fields: 18, extra: pureFTPdFields}
)

// pureFTPdFields maps Pure-FTPd's client-IP and time restrictions.
func pureFTPdFields(f []string, u *User) string {
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
}

// parseIPEntry turns "a.b.c.d", "a.b.c.d/len" or "a.b.c.d/m.m.m.m" (and
// IPv6 addresses and prefixes) into a canonical CIDR.
func parseIPEntry(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if addr, err := netip.ParseAddr(s); err == nil {
		if addr.Zone() != "" {
			return "", false
		}
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

type colonReader struct {
	sc     *bufio.Scanner
	layout colonLayout
	now    time.Time
	line   int
	err    error
}

func newColonReader(r io.Reader, l colonLayout, o Options) *colonReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), MaxLineLen+1)
	return &colonReader{sc: sc, layout: l, now: o.now()}
}

func (c *colonReader) Next() (*User, error) {
	if c.err != nil {
		return nil, c.err
	}
	for c.sc.Scan() {
		c.line++
		text := strings.TrimSuffix(c.sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		return c.parse(text)
	}
	c.err = io.EOF
	if err := c.sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		c.err = fmt.Errorf("%w: line %d is longer than %d bytes", ErrTooLarge, c.line+1, MaxLineLen)
	} else if err != nil {
		c.err = fmt.Errorf("importer: reading line %d: %w", c.line+1, err)
	}
	return nil, c.err
}

func (c *colonReader) parse(line string) (*User, error) {
	skip := func(user, reason string) (*User, error) {
		return nil, &SkippedLine{Line: c.line, Username: user, Reason: reason}
	}
	if !text(line) {
		return skip("", reasonNotText)
	}
	fields := strings.Split(line, ":")
	if len(fields) != c.layout.fields {
		return skip("", fmt.Sprintf("want %d fields, got %d", c.layout.fields, len(fields)))
	}
	u := &User{Line: c.line, Username: fields[0]}
	if u.Username == "" {
		return skip("", reasonNoUsername)
	}
	h := fields[1]
	if rest, locked := strings.CutPrefix(h, "!"); locked && c.layout.lockable {
		h, u.Disabled = rest, true
	}
	if h == "*" || h == "!" || h == "x" {
		h = ""
	}
	encoded, note, reason := checkHash(h)
	if reason != "" {
		return skip(u.Username, reason)
	}
	u.PasswordHash = encoded
	if note != "" {
		u.Notes = append(u.Notes, note)
	}
	if c.layout.shadow {
		c.shadowExpire(fields[7], u)
	}
	if c.layout.extra != nil {
		if reason := c.layout.extra(fields, u); reason != "" {
			return skip(u.Username, reason)
		}
	}
	return u, nil
}

// shadowExpire applies /etc/shadow's expire field, days since 1970-01-01:
// an account expired then comes in disabled; a later date is noted, since
// Latch accounts do not expire.
func (c *colonReader) shadowExpire(field string, u *User) {
	if field == "" {
		return
	}
	days, err := strconv.ParseInt(field, 10, 32)
	if err != nil || days < 0 {
		u.Notes = append(u.Notes, "unparsable account expiry (shadow field 8) not carried over")
		return
	}
	at := time.Unix(days*86400, 0).UTC()
	if !at.After(c.now) {
		u.Disabled = true
		u.Notes = append(u.Notes, "account expired on "+at.Format(time.DateOnly)+": imported disabled")
		return
	}
	u.Notes = append(u.Notes, "account expiry on "+at.Format(time.DateOnly)+" not carried over (Latch accounts do not expire)")
}
