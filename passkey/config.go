package passkey

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
)

// Limits of a [Config].
const (
	MaxOrigins         = 16  // origins in RPOrigins
	MaxDisplayNameSize = 128 // bytes of RPDisplayName
)

// DefaultOrigin is the origin of a development server on this machine. Use
// a name, not an IP address: browsers refuse WebAuthn on IP-address origins
// (http://127.0.0.1:8080 fails where http://localhost:8080 works).
const DefaultOrigin = "http://localhost:8080"

// Config says who the relying party is. The zero value is refused: at
// least one origin is needed.
type Config struct {
	// RPID is the relying party ID: a domain, without scheme or port, that
	// is the host of every origin or a parent of it ("example.com" serves
	// https://example.com and https://login.example.com). Passkeys are
	// bound to it: changing it later makes every registered passkey
	// useless. Empty means the host of the first origin.
	RPID string

	// RPDisplayName is the name the browser and the authenticator may show
	// the user when creating a passkey, at most MaxDisplayNameSize bytes of
	// UTF-8 without control characters. Empty means RPID.
	RPDisplayName string

	// RPOrigins are the origins the browser may report: the scheme, host
	// and port the pages run at, exactly as browsers write them ("https://"
	// and a lowercase host, no default port, no path; http only for
	// localhost). One to MaxOrigins of them, none an IP address. Related
	// origins outside RPID (WebAuthn Level 3 §5.11) are not supported.
	RPOrigins []string
}

// withDefaults returns c with RPID and RPDisplayName filled in, or an error
// wrapping ErrInvalidConfig.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if len(c.RPOrigins) == 0 {
		return bad("no origin (for a development server, %s)", DefaultOrigin)
	}
	if len(c.RPOrigins) > MaxOrigins {
		return bad("%d origins, at most %d", len(c.RPOrigins), MaxOrigins)
	}
	hosts := make([]string, len(c.RPOrigins))
	for i, o := range c.RPOrigins {
		h, msg := checkOrigin(o)
		if msg != "" {
			return bad("origin %q: %s", o, msg)
		}
		hosts[i] = h
	}
	if c.RPID == "" {
		c.RPID = hosts[0]
	}
	if c.RPID != strings.ToLower(c.RPID) {
		return bad("RP ID %q: must be lowercase", c.RPID)
	}
	if _, err := netip.ParseAddr(strings.Trim(c.RPID, "[]")); err == nil {
		return bad("RP ID %q: an IP address (browsers refuse WebAuthn there; use a name such as localhost)", c.RPID)
	}
	if err := protocol.ValidateRPID(c.RPID); err != nil {
		return bad("RP ID %q: not a domain", c.RPID)
	}
	for i, h := range hosts {
		if h != c.RPID && !strings.HasSuffix(h, "."+c.RPID) {
			return bad("origin %q: its host is neither the RP ID %q nor below it", c.RPOrigins[i], c.RPID)
		}
	}
	if c.RPDisplayName == "" {
		c.RPDisplayName = c.RPID
	}
	if msg := checkText(c.RPDisplayName, MaxDisplayNameSize); msg != "" {
		return bad("RP display name %s", msg)
	}
	c.RPOrigins = append([]string(nil), c.RPOrigins...)
	return c, nil
}

// checkOrigin returns the host of a serialised https (or localhost http)
// origin, or why it is not one.
func checkOrigin(o string) (host, msg string) {
	u, err := url.Parse(o)
	if err != nil {
		return "", "not a URL"
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", "scheme must be https (or http for localhost)"
	case u.Opaque != "" || u.Host == "":
		return "", "no host"
	case u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#"):
		return "", "must be scheme://host[:port] only, without a path (not even /), query or fragment"
	}
	host = u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return "", "an IP address: browsers refuse WebAuthn there (use a name such as localhost)"
	}
	if host != strings.ToLower(host) || u.Scheme != strings.ToLower(u.Scheme) {
		return "", "must be lowercase, as browsers write origins"
	}
	localhost := host == "localhost" || strings.HasSuffix(host, ".localhost")
	if u.Scheme == "http" && !localhost {
		return "", "http is allowed only for localhost: browsers offer WebAuthn only in secure contexts"
	}
	if p := u.Port(); p != "" {
		if (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
			return "", "drop the default port: browsers do not write it"
		}
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || p[0] == '0' {
			return "", "bad port"
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", "empty port"
	}
	if err := protocol.ValidateRPID(host); err != nil {
		return "", "host is not a domain"
	}
	return host, ""
}

// checkText returns why s is not a short printable UTF-8 string, or "".
func checkText(s string, max int) string {
	switch {
	case len(s) > max:
		return fmt.Sprintf("longer than %d bytes", max)
	case !utf8.ValidString(s):
		return "not UTF-8"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "has a control character"
	}
	return ""
}
