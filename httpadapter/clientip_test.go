package httpadapter

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	proxied, err := parseTrusted([]string{"10.0.0.0/8", "192.168.1.1", "fd00::/8"})
	require.NoError(t, err)
	tests := []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		headers map[string][]string
		want    string
	}{
		{"peer", nil, "203.0.113.7:4711", nil, "203.0.113.7"},
		{"peer IPv6", nil, "[2001:db8::1]:4711", nil, "2001:db8::1"},
		{"peer IPv6 with zone", nil, "[fe80::1%eth0]:4711", nil, "fe80::1"},
		{"peer IPv4-mapped", nil, "[::ffff:203.0.113.7]:4711", nil, "203.0.113.7"},
		{"headers ignored without trusted proxies", nil, "203.0.113.7:1", map[string][]string{
			"X-Client-IP": {"198.51.100.1"}, "X-Forwarded-For": {"198.51.100.2"}}, "203.0.113.7"},
		{"headers ignored from an untrusted peer", proxied, "203.0.113.7:1", map[string][]string{
			"X-Client-IP": {"198.51.100.1"}, "X-Forwarded-For": {"198.51.100.2"}}, "203.0.113.7"},
		{"X-Client-IP ignored when the proxy sets X-Forwarded-For", proxied, "10.1.2.3:1", map[string][]string{
			"X-Client-IP": {"198.51.100.1"}, "X-Forwarded-For": {"198.51.100.2"}}, "198.51.100.2"},
		{"X-Client-IP alone ignored when the proxy sets X-Forwarded-For", proxied, "10.1.2.3:1", map[string][]string{
			"X-Client-IP": {"198.51.100.1"}}, "10.1.2.3"},
		{"X-Forwarded-For single", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"198.51.100.2"}}, "198.51.100.2"},
		{"right-most untrusted entry", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"1.1.1.1, 198.51.100.2, 10.9.9.9, 192.168.1.1"}}, "198.51.100.2"},
		{"spoofed left entries are ignored", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"10.0.0.1, 198.51.100.2"}}, "198.51.100.2"},
		{"several header lines", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"1.1.1.1", "198.51.100.2, 10.9.9.9", "10.8.8.8"}}, "198.51.100.2"},
		{"all trusted: the left-most", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"10.0.0.5, 10.0.0.6"}}, "10.0.0.5"},
		{"malformed entry stops at the last trusted hop", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"198.51.100.2, garbage, 10.9.9.9"}}, "10.9.9.9"},
		{"empty entries skipped", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"198.51.100.2,, ,"}}, "198.51.100.2"},
		{"IPv6 entry", proxied, "[fd00::1]:1", map[string][]string{
			"X-Forwarded-For": {"2001:db8::5"}}, "2001:db8::5"},
		{"IPv4-mapped entry", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"::ffff:198.51.100.2"}}, "198.51.100.2"},
		{"no headers from a trusted proxy", proxied, "10.1.2.3:1", nil, "10.1.2.3"},
		{"entry with a port is malformed", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"198.51.100.2:80"}}, "10.1.2.3"},
		{"too many entries", proxied, "10.1.2.3:1", map[string][]string{
			"X-Forwarded-For": {"198.51.100.2" + strings.Repeat(", 10.0.0.1", 100)}}, "10.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &Handler{trusted: tc.trusted}
			assert.Equal(t, netip.MustParseAddr(tc.want), h.clientIP(requestFrom(tc.remote, tc.headers)))
		})
	}
}

func TestClientIPNoPeer(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "pipe"
	assert.False(t, (&Handler{}).clientIP(r).IsValid())
}

func TestParseTrusted(t *testing.T) {
	t.Parallel()
	good, err := parseTrusted([]string{"10.0.0.0/8", " 192.168.1.7 ", "10.1.2.3/8", "::1", "2001:db8::/32", "::ffff:10.0.0.1"})
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("10.0.0.1/32"),
	}, good)
	for _, bad := range []string{"", "nope", "10.0.0.0/33", "fe80::1%eth0", "::ffff:10.0.0.0/104", "10.0.0.1:80"} {
		_, err := parseTrusted([]string{bad})
		assert.ErrorIs(t, err, ErrInvalidConfig, bad)
	}
}

func TestClientIPHeaderXClientIP(t *testing.T) {
	t.Parallel()
	proxied, err := parseTrusted([]string{"10.0.0.0/8"})
	require.NoError(t, err)
	tests := []struct {
		name    string
		remote  string
		headers map[string][]string
		want    string
	}{
		{"from a trusted proxy", "10.1.2.3:1", map[string][]string{"X-Client-IP": {" 198.51.100.1 "}}, "198.51.100.1"},
		{"X-Forwarded-For ignored", "10.1.2.3:1", map[string][]string{
			"X-Client-IP": {"198.51.100.1"}, "X-Forwarded-For": {"198.51.100.2"}}, "198.51.100.1"},
		{"X-Forwarded-For alone ignored", "10.1.2.3:1", map[string][]string{"X-Forwarded-For": {"198.51.100.2"}}, "10.1.2.3"},
		{"from an untrusted peer", "203.0.113.7:1", map[string][]string{"X-Client-IP": {"198.51.100.1"}}, "203.0.113.7"},
		{"malformed falls back to the proxy", "10.1.2.3:1", map[string][]string{"X-Client-IP": {"nope"}}, "10.1.2.3"},
		{"two values fall back to the proxy", "10.1.2.3:1", map[string][]string{"X-Client-IP": {"198.51.100.1", "198.51.100.9"}}, "10.1.2.3"},
		{"a list is malformed", "10.1.2.3:1", map[string][]string{"X-Client-IP": {"198.51.100.1, 198.51.100.9"}}, "10.1.2.3"},
		{"IPv4-mapped", "10.1.2.3:1", map[string][]string{"X-Client-IP": {"::ffff:198.51.100.1"}}, "198.51.100.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &Handler{trusted: proxied, xClientIP: true}
			assert.Equal(t, netip.MustParseAddr(tc.want), h.clientIP(requestFrom(tc.remote, tc.headers)))
		})
	}
}

// requestFrom returns a request from the peer remote with the headers.
func requestFrom(remote string, headers map[string][]string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = remote
	for k, vs := range headers {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	return r
}
