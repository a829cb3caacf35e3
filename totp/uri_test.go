package totp_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// googleSecret is the secret of the Key URI Format's example,
// base32 "JBSWY3DPEHPK3PXP" ("Hello!\xde\xad\xbe\xef").
var googleSecret = []byte("Hello!\xde\xad\xbe\xef")

func TestURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  totp.Key
		want string
	}{
		{
			name: "key uri format example",
			key:  totp.Key{Secret: googleSecret, Algorithm: totp.SHA1, Digits: 6, Period: 30, Issuer: "Example", AccountName: "alice@google.com"},
			want: "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30",
		},
		{
			name: "no issuer",
			key:  totp.Key{Secret: googleSecret, Algorithm: totp.SHA256, Digits: 8, Period: 60, AccountName: "alice"},
			want: "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&period=60",
		},
		{
			name: "names are escaped",
			key:  totp.Key{Secret: []byte{0}, Algorithm: totp.SHA512, Digits: 7, Period: 15, Issuer: "Big Co & Sons/EU", AccountName: "a+b?c=d#e%f"},
			want: "otpauth://totp/Big%20Co%20%26%20Sons%2FEU:a%2Bb%3Fc%3Dd%23e%25f?secret=AA&issuer=Big%20Co%20%26%20Sons%2FEU&algorithm=SHA512&digits=7&period=15",
		},
		{
			name: "unicode names",
			key:  totp.Key{Secret: []byte("12345678901234567890"), Algorithm: totp.SHA1, Digits: 6, Period: 30, Issuer: "Zürich", AccountName: "jürg"},
			want: "otpauth://totp/Z%C3%BCrich:j%C3%BCrg?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Z%C3%BCrich&algorithm=SHA1&digits=6&period=30",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.key.URI()
			assert.Equal(t, tc.want, got)

			// The standard library reads back the same names.
			u, err := url.Parse(got)
			require.NoError(t, err)
			assert.Equal(t, tc.key.Issuer, u.Query().Get("issuer"))
			label := strings.TrimPrefix(u.Path, "/")
			if tc.key.Issuer != "" {
				label = strings.TrimPrefix(label, tc.key.Issuer+":")
			}
			assert.Equal(t, tc.key.AccountName, label)

			back, err := totp.ParseURI(got)
			require.NoError(t, err)
			assert.Equal(t, tc.key, *back)
		})
	}
}

func TestParseURI(t *testing.T) {
	t.Parallel()
	google := totp.Key{Secret: googleSecret, Algorithm: totp.SHA1, Digits: 6, Period: 30, Issuer: "Example", AccountName: "alice@google.com"}
	with := func(mod func(k *totp.Key)) totp.Key {
		k := google
		mod(&k)
		return k
	}
	tests := []struct {
		name string
		uri  string
		want totp.Key
	}{
		{"key uri format example", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example", google},
		{"key uri format full example", "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
			totp.Key{Secret: mustB32(t, "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"), Algorithm: totp.SHA1, Digits: 6, Period: 30, Issuer: "ACME Co", AccountName: "john.doe@email.com"}},
		{"issuer only in label", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP", google},
		{"issuer only as parameter", "otpauth://totp/alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example", google},
		{"no issuer", "otpauth://totp/alice@google.com?secret=JBSWY3DPEHPK3PXP", with(func(k *totp.Key) { k.Issuer = "" })},
		{"escaped colon in label", "otpauth://totp/Example%3Aalice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example", google},
		{"spaces after the colon", "otpauth://totp/Example:%20%20alice@google.com?secret=JBSWY3DPEHPK3PXP", google},
		{"lower-case secret", "otpauth://totp/Example:alice@google.com?secret=jbswy3dpehpk3pxp&issuer=Example", google},
		{"padded secret", "otpauth://totp/x?secret=GE======", totp.Key{Secret: []byte("1"), Algorithm: totp.SHA1, Digits: 6, Period: 30, AccountName: "x"}},
		{"plus as space in the issuer", "otpauth://totp/ACME%20Co:bob?secret=GE&issuer=ACME+Co", totp.Key{Secret: []byte("1"), Algorithm: totp.SHA1, Digits: 6, Period: 30, Issuer: "ACME Co", AccountName: "bob"}},
		{"upper-case scheme and type", "OTPAUTH://TOTP/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP", google},
		{"parameters in any order", "otpauth://totp/Example:alice@google.com?period=30&digits=6&algorithm=SHA1&issuer=Example&secret=JBSWY3DPEHPK3PXP", google},
		{"lower-case algorithm", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&algorithm=sha256", with(func(k *totp.Key) { k.Algorithm = totp.SHA256 })},
		{"sha512, 8 digits, 60 s", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512&digits=8&period=60",
			with(func(k *totp.Key) { k.Algorithm, k.Digits, k.Period = totp.SHA512, 8, 60 })},
		{"7 digits, period 1", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&digits=7&period=1",
			with(func(k *totp.Key) { k.Digits, k.Period = 7, 1 })},
		{"period 300", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&period=300", with(func(k *totp.Key) { k.Period = 300 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := totp.ParseURI(tc.uri)
			require.NoError(t, err)
			assert.Equal(t, tc.want, *k)
			// And back: the canonical URI parses to the same key.
			again, err := totp.ParseURI(k.URI())
			require.NoError(t, err)
			assert.Equal(t, *k, *again)
		})
	}
}

func TestParseURIInvalid(t *testing.T) {
	t.Parallel()
	const base = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP"
	tests := []struct {
		name string
		uri  string
	}{
		{"empty", ""},
		{"too long", base + "&issuer=" + strings.Repeat("a", totp.MaxURILength)},
		{"not a url", "%%%"},
		{"http scheme", "https://totp/Example:alice?secret=JBSWY3DPEHPK3PXP"},
		{"hotp", "otpauth://hotp/Example:alice?secret=JBSWY3DPEHPK3PXP&counter=1"},
		{"unknown type", "otpauth://motp/Example:alice?secret=JBSWY3DPEHPK3PXP"},
		{"opaque", "otpauth:totp/Example:alice?secret=JBSWY3DPEHPK3PXP"},
		{"user info", "otpauth://u@totp/Example:alice?secret=JBSWY3DPEHPK3PXP"},
		{"port", "otpauth://totp:80/Example:alice?secret=JBSWY3DPEHPK3PXP"},
		{"fragment", base + "#x"},
		{"empty fragment", base + "#"},
		{"no label", "otpauth://totp?secret=JBSWY3DPEHPK3PXP"},
		{"empty label", "otpauth://totp/?secret=JBSWY3DPEHPK3PXP"},
		{"empty issuer in label", "otpauth://totp/:alice?secret=JBSWY3DPEHPK3PXP"},
		{"empty account", "otpauth://totp/Example:?secret=JBSWY3DPEHPK3PXP"},
		{"two colons", "otpauth://totp/a:b:c?secret=JBSWY3DPEHPK3PXP"},
		{"control character in label", "otpauth://totp/Example:al%0Aice?secret=JBSWY3DPEHPK3PXP"},
		{"bidi override in label", "otpauth://totp/Example:al%E2%80%AEice?secret=JBSWY3DPEHPK3PXP"},
		{"invalid utf-8 in label", "otpauth://totp/Example:al%FFice?secret=JBSWY3DPEHPK3PXP"},
		{"trailing space in account", "otpauth://totp/Example:alice%20?secret=JBSWY3DPEHPK3PXP"},
		{"bad escape in label", "otpauth://totp/Example:al%zzice?secret=JBSWY3DPEHPK3PXP"},
		{"no query", "otpauth://totp/Example:alice"},
		{"empty query", "otpauth://totp/Example:alice?"},
		{"missing secret", "otpauth://totp/Example:alice?issuer=Example"},
		{"empty secret", "otpauth://totp/Example:alice?secret="},
		{"secret not base32", "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PX1"},
		{"secret with space", "otpauth://totp/Example:alice?secret=JBSW%20Y3DP"},
		{"secret impossible length", "otpauth://totp/Example:alice?secret=JBS"},
		{"secret not canonical", "otpauth://totp/Example:alice?secret=GF"},
		{"secret wrong padding", "otpauth://totp/Example:alice?secret=GE==="},
		{"secret extra padding", "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP========"},
		{"secret too long", "otpauth://totp/Example:alice?secret=" + strings.Repeat("A", 208)},
		{"duplicate secret", base + "&secret=GEZDGNBV"},
		{"duplicate issuer", base + "&issuer=Example&issuer=Example"},
		{"duplicate digits", base + "&digits=6&digits=8"},
		{"issuer mismatch", base + "&issuer=Other"},
		{"issuer case mismatch", base + "&issuer=example"},
		{"empty issuer parameter", base + "&issuer="},
		{"issuer with colon", "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=a%3Ab"},
		{"bad escape in parameter", base + "&issuer=%zz"},
		{"unknown algorithm", base + "&algorithm=MD5"},
		{"empty algorithm", base + "&algorithm="},
		{"digits 5", base + "&digits=5"},
		{"digits 9", base + "&digits=9"},
		{"digits with sign", base + "&digits=+6"},
		{"digits with leading zero", base + "&digits=06"},
		{"digits not a number", base + "&digits=six"},
		{"digits unicode", base + "&digits=%D9%A6"},
		{"period 0", base + "&period=0"},
		{"period 301", base + "&period=301"},
		{"period huge", base + "&period=99999999999999999999"},
		{"period negative", base + "&period=-30"},
		{"counter", base + "&counter=1"},
		{"steam encoder", base + "&encoder=steam"},
		{"image", base + "&image=https%3A%2F%2Fexample.com%2Fx.png"},
		{"unknown parameter", base + "&foo=bar"},
		{"parameter without value", base + "&issuer"},
		{"empty parameter", base + "&&issuer=Example"},
		{"trailing ampersand", base + "&"},
		{"semicolon separator", base + ";issuer=Example"},
		{"too many parameters", base + "&issuer=Example&algorithm=SHA1&digits=6&period=30&x=y"},
		{"parameter name case", "otpauth://totp/Example:alice?SECRET=JBSWY3DPEHPK3PXP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := totp.ParseURI(tc.uri)
			require.ErrorIs(t, err, totp.ErrInvalidURI)
			assert.Nil(t, k)
			assert.NotContains(t, err.Error(), "JBSWY3DPEHPK3PXP", "the secret leaks into the error")
		})
	}
}

func mustB32(t *testing.T, s string) []byte {
	t.Helper()
	k, err := totp.ParseURI("otpauth://totp/x?secret=" + s)
	require.NoError(t, err)
	return k.Secret
}
