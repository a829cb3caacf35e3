package httpadapter

import (
	"net/http"
	"net/netip"
	"strings"
)

// maxForwardedEntries bounds the X-Forwarded-For entries examined, so a
// hostile header costs bounded work.
const maxForwardedEntries = 64

// clientIP returns the client address of r: the TCP peer, or, when the peer
// is a trusted proxy, the address in the configured header (the X-Client-IP
// header it set, or the right-most X-Forwarded-For entry that is not a
// trusted proxy). It returns the zero Addr only if RemoteAddr is not an
// address (a host-constructed request).
func (h *Handler) clientIP(r *http.Request) netip.Addr {
	peer := parseRemoteAddr(r.RemoteAddr)
	if len(h.trusted) == 0 || !peer.IsValid() || !h.isTrusted(peer) {
		return peer
	}
	if h.xClientIP {
		// One well-formed value, or the proxy itself: a missing, repeated or
		// malformed header still counts against a real address's limits.
		if v := r.Header.Values("X-Client-IP"); len(v) == 1 {
			if a, err := netip.ParseAddr(strings.TrimSpace(v[0])); err == nil {
				return canonical(a)
			}
		}
		return peer
	}
	// The right-most entries were appended by our own proxies; the first
	// untrusted one from the right is the client. Anything left of it is
	// the client's own claim and is ignored. A malformed entry stops the
	// walk at the last trusted hop.
	client := peer
	lines := r.Header.Values("X-Forwarded-For")
	seen := 0
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		for line != "" {
			var entry string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				entry, line = line[j+1:], line[:j]
			} else {
				entry, line = line, ""
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			if seen++; seen > maxForwardedEntries {
				return client
			}
			a, err := netip.ParseAddr(entry)
			if err != nil {
				return client
			}
			a = canonical(a)
			if !h.isTrusted(a) {
				return a
			}
			client = a
		}
	}
	return client
}

func (h *Handler) isTrusted(a netip.Addr) bool {
	for _, p := range h.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseRemoteAddr parses "ip:port" (what net/http sets) or a bare address.
func parseRemoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return canonical(ap.Addr())
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return canonical(a)
	}
	return netip.Addr{}
}

// canonical drops an IPv6 zone and unmaps IPv4-mapped IPv6 addresses, so
// that one client has one address and allow lists written as IPv4 match.
func canonical(a netip.Addr) netip.Addr {
	return a.WithZone("").Unmap()
}

// parseTrusted parses CIDR prefixes and single addresses.
func parseTrusted(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			if p.Addr().Is4In6() {
				return nil, &configError{"trusted proxy " + s + ": use the IPv4 form"}
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, &configError{"trusted proxy " + s + " is not an address or CIDR prefix"}
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
