package auth

import (
	"fmt"
	"net/mail"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/latchkit/latch/store"
)

// Input rules.
const (
	// MaxUsernameLen bounds usernames, in bytes.
	MaxUsernameLen = 128
	// MaxEmailLen bounds email addresses, in bytes (RFC 5321's path limit).
	MaxEmailLen = 254
	// MaxRoleLen bounds roles, in bytes.
	MaxRoleLen = store.MaxRoleLen
	// MaxPermissionLen bounds one permission, in bytes.
	MaxPermissionLen = store.MaxPermissionLen
	// MaxPermissions bounds the permissions of a user or API token.
	MaxPermissions = store.MaxPermissions
	// MaxAllowedIPs bounds a user's allowed_ips.
	MaxAllowedIPs = store.MaxAllowedIPs
	// MaxAPITokenNameLen bounds an API token's name, in bytes.
	MaxAPITokenNameLen = 128
	// maxPasswordLen bounds Config.MaxPasswordLen (code points); the
	// hash package also caps the bytes it hashes.
	maxPasswordLen = 1024
	// maxIdentifierLen bounds what sign-in looks up.
	maxIdentifierLen = MaxEmailLen
)

// validateUsername checks the username rules: 1 to MaxUsernameLen ASCII
// letters, digits and . _ - + ~ @, starting with a letter, a digit or _.
// Usernames compare case-insensitively; '@' is allowed so that an email
// address can be a username (FTP virtual users often are).
func validateUsername(u string) error {
	if u == "" || len(u) > MaxUsernameLen {
		return fmt.Errorf("%w: must be 1 to %d characters", ErrInvalidUsername, MaxUsernameLen)
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
		case i > 0 && (c == '.' || c == '-' || c == '+' || c == '~' || c == '@'):
		default:
			return fmt.Errorf("%w: only letters, digits and . _ - + ~ @ are allowed, starting with a letter, digit or _", ErrInvalidUsername)
		}
	}
	return nil
}

// validateEmail checks an email address: a bare addr-spec (RFC 5322, as
// net/mail parses it, without display name, comments or quoting) of at most
// MaxEmailLen bytes, with a dotted domain.
func validateEmail(e string) error {
	if e == "" || len(e) > MaxEmailLen || !utf8.ValidString(e) {
		return fmt.Errorf("%w: must be 1 to %d bytes", ErrInvalidEmail, MaxEmailLen)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e {
		return fmt.Errorf("%w: not a plain address", ErrInvalidEmail)
	}
	at := strings.LastIndexByte(e, '@')
	domain := e[at+1:]
	if at <= 0 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return fmt.Errorf("%w: needs a dotted domain", ErrInvalidEmail)
	}
	for _, r := range e {
		if r <= ' ' || r == 0x7f || r == '"' || r == '\\' {
			return fmt.Errorf("%w: not a plain address", ErrInvalidEmail)
		}
	}
	return nil
}

// tokenChar reports whether c may appear in a role or permission: printable
// ASCII without space, quotes, backslash and comma.
func tokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\' && c != ','
}

func validateRole(r string) error {
	if r == "" || len(r) > MaxRoleLen {
		return fmt.Errorf("%w: role must be 1 to %d characters", ErrInvalidRequest, MaxRoleLen)
	}
	for i := 0; i < len(r); i++ {
		if !tokenChar(r[i]) {
			return fmt.Errorf("%w: role has a character outside printable ASCII", ErrInvalidRequest)
		}
	}
	return nil
}

// cleanPermissions checks permissions and returns them without duplicates,
// in their first order. A nil or empty list gives an empty non-nil list.
func cleanPermissions(perms []string) ([]string, error) {
	if len(perms) > MaxPermissions {
		return nil, fmt.Errorf("%w: more than %d permissions", ErrInvalidRequest, MaxPermissions)
	}
	out := make([]string, 0, len(perms))
	for _, p := range perms {
		if p == "" || len(p) > MaxPermissionLen {
			return nil, fmt.Errorf("%w: a permission must be 1 to %d characters", ErrInvalidRequest, MaxPermissionLen)
		}
		for i := 0; i < len(p); i++ {
			if !tokenChar(p[i]) {
				return nil, fmt.Errorf("%w: a permission has a character outside printable ASCII", ErrInvalidRequest)
			}
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// cleanAllowedIPs checks allowed_ips entries (addresses or CIDR prefixes
// without host bits) and returns them in canonical form, without duplicates.
func cleanAllowedIPs(ips []string) ([]string, error) {
	if len(ips) > MaxAllowedIPs {
		return nil, fmt.Errorf("%w: more than %d allowed_ips", ErrInvalidRequest, MaxAllowedIPs)
	}
	out := make([]string, 0, len(ips))
	for _, s := range ips {
		var canon string
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("%w: allowed_ips: not an address or CIDR prefix", ErrInvalidRequest)
			}
			if p.Masked() != p {
				return nil, fmt.Errorf("%w: allowed_ips: prefix has host bits set", ErrInvalidRequest)
			}
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
				if p.Bits() < 0 {
					return nil, fmt.Errorf("%w: allowed_ips: bad IPv4-mapped prefix", ErrInvalidRequest)
				}
			}
			canon = p.String()
		} else {
			a, err := netip.ParseAddr(s)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%w: allowed_ips: not an address or CIDR prefix", ErrInvalidRequest)
			}
			canon = a.Unmap().String()
		}
		if !slices.Contains(out, canon) {
			out = append(out, canon)
		}
	}
	return out, nil
}

// ipAllowed reports whether ip is in the allow list (empty: any address).
// Entries are in the canonical form cleanAllowedIPs writes.
func ipAllowed(allowed []string, ip netip.Addr) bool {
	if len(allowed) == 0 {
		return true
	}
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap().WithZone("")
	for _, s := range allowed {
		if strings.IndexByte(s, '/') >= 0 {
			if p, err := netip.ParsePrefix(s); err == nil && p.Contains(ip) {
				return true
			}
		} else if a, err := netip.ParseAddr(s); err == nil && a == ip {
			return true
		}
	}
	return false
}

// validatePassword checks a new password without knowing its user: the
// length rules and the PasswordPolicy checks that need no account
// (validateNewPassword with no username and no email). Callers that know
// the user call validateNewPassword instead.
func (s *Service) validatePassword(pw string) error {
	return s.validateNewPassword(pw, "", "")
}

// validateAPITokenName checks an API token's name: 1 to
// MaxAPITokenNameLen bytes of printable UTF-8.
func validateAPITokenName(n string) error {
	if n == "" || len(n) > MaxAPITokenNameLen || !utf8.ValidString(n) {
		return fmt.Errorf("%w: name must be 1 to %d bytes of UTF-8", ErrInvalidRequest, MaxAPITokenNameLen)
	}
	for _, r := range n {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("%w: name has a control character", ErrInvalidRequest)
		}
	}
	return nil
}
