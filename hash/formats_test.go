package hash_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
)

// TestSFTPGoAsRead shows that SFTPGo's form is read as SFTPGo reads it: the
// salt is the field's bytes whatever they are apart from '$', and the key may
// be 16 to 64 bytes long.
func TestSFTPGoAsRead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, encoded string }{
		{"UTF-8 salt", vectorByName(t, "pbkdf2-sftpgo-utf8-salt").Encoded},
		{"salt with space", strings.Replace(goodSFTPGo, "E86a9YMX3zC7", "E86a9 MX3zC7", 1)},
		{"salt with NUL", strings.Replace(goodSFTPGo, "E86a9YMX3zC7", "E86a9\x00MX3zC7", 1)},
		{"invalid UTF-8 salt", strings.Replace(goodSFTPGo, "E86a9YMX3zC7", "E86a9\xffMX3zC7", 1)},
		{"16-byte key", sftpgoKey(16)},
		{"64-byte key", sftpgoKey(64)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := hash.Identify(tc.encoded)
			require.NoError(t, err)
			assert.Equal(t, hash.FormatPBKDF2SFTPGo, f)
			canon, err := hash.Decode(tc.encoded)
			require.NoError(t, err)
			assert.Equal(t, tc.encoded, canon)
		})
	}
}

// TestSchemeNamesIgnoreCase: OpenLDAP and Dovecot match scheme names without
// regard to case; the name is kept as written.
func TestSchemeNamesIgnoreCase(t *testing.T) {
	t.Parallel()
	ssha := vectorByName(t, "ldap-ssha")
	crypt := vectorByName(t, "ldap-crypt-sha512")
	for _, tc := range []struct {
		name, password, encoded string
		format                  hash.Format
	}{
		{"{ssha}", ssha.Password, "{ssha}" + strings.TrimPrefix(ssha.Encoded, "{SSHA}"), hash.FormatLDAPSSHA},
		{"{SsHa}", ssha.Password, "{SsHa}" + strings.TrimPrefix(ssha.Encoded, "{SSHA}"), hash.FormatLDAPSSHA},
		{"{crypt}", crypt.Password, "{crypt}" + strings.TrimPrefix(crypt.Encoded, "{CRYPT}"), hash.FormatSHA512Crypt},
		{"{sha512-crypt}", crypt.Password, "{sha512-crypt}" + strings.TrimPrefix(crypt.Encoded, "{CRYPT}"), hash.FormatSHA512Crypt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := hash.Identify(tc.encoded)
			require.NoError(t, err)
			assert.Equal(t, tc.format, f)
			canon, err := hash.Decode(tc.encoded)
			require.NoError(t, err)
			assert.Equal(t, tc.encoded, canon)
			ok, err := hash.Verify(tc.password, tc.encoded)
			require.NoError(t, err)
			assert.True(t, ok)
		})
	}
}

// TestInsecureFormats: broken formats are named by Identify and refused by
// Verify with ErrInsecureFormat whatever the password, bare and behind the
// prefixes that carry them.
func TestInsecureFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, encoded string
		format        hash.Format
	}{
		{"DES crypt", "abJnggxhB/yWI", hash.FormatDESCrypt},
		{"{CRYPT} DES", "{CRYPT}abJnggxhB/yWI", hash.FormatDESCrypt},
		{"{DES-CRYPT}", "{DES-CRYPT}abJnggxhB/yWI", hash.FormatDESCrypt},
		{"Django crypt$", "crypt$$abJnggxhB/yWI", hash.FormatDESCrypt},
		{"BSDi crypt", vectorByName(t, "bsdicrypt-mkpasswd").Encoded, hash.FormatBSDICrypt},
		{"{crypt} BSDi", "{crypt}" + vectorByName(t, "bsdicrypt-mkpasswd").Encoded, hash.FormatBSDICrypt},
		{"NT hash", "$3$$8846f7eaee8fb117ad06bdd830b7586c", hash.FormatNTHash},
		{"{NTLM}", "{NTLM}8846f7eaee8fb117ad06bdd830b7586c", hash.FormatNTHash},
		{"{MD5}", "{MD5}X03MO1qnZdYdgyfeuILPmQ==", hash.FormatLDAPMD5},
		{"{PLAIN-MD5}", "{PLAIN-MD5}5f4dcc3b5aa765d61d8327deb882cf99", hash.FormatLDAPMD5},
		{"{SMD5}", vectorByName(t, "ldap-smd5").Encoded, hash.FormatLDAPSMD5},
		{"{CLEARTEXT}", "{CLEARTEXT}password", hash.FormatPlaintext},
		{"{plain}", "{plain}password", hash.FormatPlaintext},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := hash.Identify(tc.encoded)
			require.ErrorIs(t, err, hash.ErrInsecureFormat)
			assert.Equal(t, tc.format, f)
			assertSingleSentinel(t, err)
			assert.NotContains(t, err.Error(), tc.encoded)
			for _, pw := range []string{"password", "wrong"} {
				ok, err := hash.Verify(pw, tc.encoded)
				require.ErrorIs(t, err, hash.ErrInsecureFormat)
				assert.False(t, ok)
			}
			assert.True(t, hash.NeedsRehash(tc.encoded))
		})
	}
}

// TestASPNetNotConfused: only exact v2 and v3 blobs are ASP.NET Identity
// hashes; other base64 strings of similar shape stay unknown.
func TestASPNetNotConfused(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString
	for _, tc := range []struct{ name, encoded string }{
		{"SHA-1 digest in base64", "W6ph5Mm5Pz8GgiULbPgzG37mj9g="},
		{"SHA-256 digest in base64", b64(make([]byte, 32))},
		{"v2 layout plus one byte", b64(append(make([]byte, 49), 0))},
		{"v3 header only", aspnetV3(1, 10000, 16, 0, 0)},
		{"v3 with salt and no subkey", aspnetV3(1, 10000, 16, 16, 0)},
		{"v3 with one extra byte", aspnetV3(1, 10000, 16, 17, 32)},
		{"v3 marker on a v2 length", "AQ" + goodASPNetV2[2:]},
		{"v2 in URL-safe base64", strings.NewReplacer("+", "-", "/", "_").Replace(goodASPNetV2)},
		{"v2 with a newline", goodASPNetV2[:20] + "\n" + goodASPNetV2[20:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := hash.Identify(tc.encoded)
			require.ErrorIs(t, err, hash.ErrUnknownFormat)
		})
	}
}

// TestScryptMemoryFollowsArgon2: without its own limit, scrypt and yescrypt
// get the Argon2 memory limit.
func TestScryptMemoryFollowsArgon2(t *testing.T) {
	t.Parallel()
	yes := vectorByName(t, "yescrypt-mkpasswd-R9").Encoded // 256 MiB
	s7 := vectorByName(t, "scrypt-mkpasswd-R8").Encoded    // 128 MiB
	h, err := hash.New(hash.Config{Limits: hash.Limits{MaxArgon2Memory: 64 * 1024}})
	require.NoError(t, err)
	assert.Equal(t, 64*1024, h.Config().Limits.MaxScryptMemory)
	for _, enc := range []string{yes, s7} {
		_, err = h.Identify(enc)
		require.ErrorIs(t, err, hash.ErrLimit)
	}
	h, err = hash.New(hash.Config{Limits: hash.Limits{MaxArgon2Memory: 64 * 1024, MaxScryptMemory: 256 * 1024}})
	require.NoError(t, err)
	for _, enc := range []string{yes, s7} {
		_, err = h.Identify(enc)
		require.NoError(t, err)
	}
	_, err = hash.Identify(vectorByName(t, "yescrypt-mkpasswd-R10-over-limit").Encoded)
	require.ErrorIs(t, err, hash.ErrLimit)
}
