package auth

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/internal/commonpw"
	"github.com/latchkit/latch/store/memstore"
)

// policyService is a Service with the default policy, Issuer "Latch" and
// the extra words "Acme Corp" and "2024" (only digits: ignored).
func policyService(t testing.TB, pp PasswordPolicy) *Service {
	t.Helper()
	h, err := hash.New(hash.Config{InsecureAllowWeakParameters: true, Argon2: hash.Argon2Params{Time: 1, Memory: 64, Lanes: 1}})
	require.NoError(t, err)
	st := memstore.New()
	t.Cleanup(func() { _ = st.Close() })
	s, err := New(t.Context(), st, Config{SealingKey: []byte("0123456789abcdef0123456789abcdef"), Hasher: h, PasswordPolicy: pp})
	require.NoError(t, err)
	return s
}

var testPolicy = PasswordPolicy{ExtraWords: []string{"Acme Corp", "2024", " !! "}}

// TestPasswordPolicy has a row for every rule, with the user alice
// (alice.smith@example.com) unless a row says otherwise.
func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	s := policyService(t, testPolicy)
	for _, tc := range []struct {
		name, pw        string
		username, email string // "-" for none
		want            string // the reason, "" for accepted
	}{
		// (a) the list, ignoring case, and with digits/punctuation at the ends
		{"listed", "password", "", "", reasonCommon},
		{"listed, upper case", "PASSWORD", "", "", reasonCommon},
		{"listed, mixed case", "SunShine1", "", "", reasonCommon},
		{"listed with a digit", "trustno1", "", "", reasonCommon},
		{"listed word, digits and punctuation added", "Dragon2024!", "", "", reasonCommon},
		{"listed word, punctuation first", "!!monkey!!2024", "", "", reasonCommon},
		{"listed word, spaces around", "  letmein  ", "", "", reasonCommon},
		{"listed leet", "p@ssw0rd", "", "", reasonCommon},
		{"listed keyboard pattern", "qazwsxedc", "", "", reasonCommon},

		// (b) context words
		{"username", "alice", "", "", reasonUsername},
		{"username, upper case", "ALICE", "", "", reasonUsername},
		{"username with digits and punctuation", "alice2024!", "", "", reasonUsername},
		{"username inside punctuation", "--Alice--", "", "", reasonUsername},
		{"username is only a substring", "alice-in-wonderland-42", "", "", ""},
		{"username with a letter more", "alicea2024", "", "", ""},
		{"username that is an address", "bob12345", "bob@example.org", "-", reasonUsername},
		{"email local part", "alice.smith99", "", "", reasonEmail},
		{"email local part, upper case", "Alice.Smith", "", "", reasonEmail},
		{"whole email", "Alice.Smith@Example.com", "", "", reasonEmail},
		{"email local part with another dot", "alice.smithy", "", "", ""},
		{"no context: alice is also a common password", "alice2024!", "-", "-", reasonCommon},
		{"username not on the list", "Wilhelmina2024!", "wilhelmina", "", reasonUsername},
		{"no context: username not on the list", "Wilhelmina2024!", "-", "-", ""},
		{"issuer", "Latch2026", "", "", reasonIssuer},
		{"issuer with punctuation", "#latch#", "", "", reasonIssuer},
		{"extra word", "acme corp 1", "", "", reasonExtraWord},
		{"extra word, upper case", "ACME CORP!!", "", "", reasonExtraWord},
		{"extra word is only a prefix", "acme corporation", "", "", ""},

		// (c) repeated or sequential
		{"one character", "zzzzzzzz", "", "", reasonSequential},
		{"two characters", "xyxyxyxy", "", "", reasonSequential},
		{"three characters", "abcabcabc", "", "", reasonSequential},
		{"a password twice", "hunter2hunter2", "", "", reasonSequential},
		{"a word twice", "passwordpassword", "", "", reasonSequential},
		{"non-ASCII repeated", "ÄÄÄÄÄÄÄÄ", "", "", reasonSequential},
		{"digits down", "0987654321", "", "", reasonSequential},
		{"letters down", "zyxwvuts", "", "", reasonSequential},
		{"alphabet", "abcdefghijklmnopqrstuvwxyz", "", "", reasonSequential},
		{"keyboard row right to left", "poiuytre", "", "", reasonSequential},
		{"shifted keyboard row", "!@#$%^&*", "", "", reasonSequential},
		{"keyboard, digits, keyboard", "qwer1234zxcv", "", "", reasonSequential},
		{"three repeated runs", "aaa111bbb", "", "", reasonSequential},
		{"sequence with a digit at the end", "abcdefgh1", "", "", reasonSequential},
		{"sequence with a stray letter", "abcdefgx", "", "", ""},
		{"runs of two", "ab12cd34", "", "", ""},
		{"repetition with one change", "abababax", "", "", ""},

		// accepted
		{"passphrase", "correct horse battery staple", "", "", ""},
		{"test password", "alice-password-1", "", "", ""},
		{"admin test password", "change-me-admin-1", "", "", ""},
		{"another test password", "erin-password", "erin", "erin@example.com", ""},
		{"non-ASCII", "pässwörd-für-alice", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			username, email := "alice", "alice.smith@example.com"
			if tc.username != "" {
				username = strings.TrimPrefix(tc.username, "-")
			}
			if tc.email != "" {
				email = strings.TrimPrefix(tc.email, "-")
			}
			assert.Equal(t, tc.want, s.policy.check(tc.pw, username, email))
		})
	}
}

// TestValidateNewPassword checks the order (encoding, length, then the
// policy), the messages, and that no message holds the password.
func TestValidateNewPassword(t *testing.T) {
	t.Parallel()
	s := policyService(t, testPolicy)
	for _, tc := range []struct {
		name, pw string
		msg      string // after "auth: invalid password: "; "" for accepted
	}{
		{"invalid UTF-8", "abcdefgh\xff", "must be valid UTF-8 without NUL"},
		{"NUL", "abcd\x00efgh", "must be valid UTF-8 without NUL"},
		{"short and common", "123456", "must be 8 to 128 characters"},
		{"short username", "alice1", "must be 8 to 128 characters"},
		{"long", strings.Repeat("ab", 65), "must be 8 to 128 characters"},
		{"common", "sunshine1", reasonCommon},
		{"username", "Alice2024!", reasonUsername},
		{"email", "alice.smith", reasonEmail},
		{"sequential", "87654321", reasonSequential},
		{"good", "correct horse battery staple", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := s.validateNewPassword(tc.pw, "alice", "alice.smith@example.com")
			if tc.msg == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidPassword)
			assert.Equal(t, "auth: invalid password: "+tc.msg, err.Error())
		})
	}
	// validatePassword knows no user: the username is not refused, the rest is.
	require.ErrorIs(t, s.validateNewPassword("Wilhelmina2024!", "wilhelmina", ""), ErrInvalidPassword)
	require.NoError(t, s.validatePassword("Wilhelmina2024!"))
	require.ErrorIs(t, s.validatePassword("sunshine1"), ErrInvalidPassword)
	require.ErrorIs(t, s.validatePassword("latch-2026"), ErrInvalidPassword, "the issuer needs no user")
}

func TestPasswordPolicyOff(t *testing.T) {
	t.Parallel()
	s := policyService(t, PasswordPolicy{AllowCommon: true, ExtraWords: []string{"acme"}})
	for _, pw := range []string{"password", "alice2024!", "12345678", "latch2026", "acme-acme"} {
		assert.NoError(t, s.validateNewPassword(pw, "alice", "alice@example.com"), pw)
	}
	assert.ErrorIs(t, s.validateNewPassword("1234567", "alice", ""), ErrInvalidPassword, "the length rules stay")
}

func TestNewPasswordPolicyWords(t *testing.T) {
	t.Parallel()
	p := newPasswordPolicy(&Config{Issuer: "My Service!", PasswordPolicy: PasswordPolicy{ExtraWords: []string{"2024", "", " -- ", "Acme"}}})
	assert.Equal(t, map[string]string{"my service": reasonIssuer, "acme": reasonExtraWord}, p.words,
		"cores, lower-cased; words without a letter are dropped")
	p = newPasswordPolicy(&Config{Issuer: "Acme", PasswordPolicy: PasswordPolicy{ExtraWords: []string{"acme"}}})
	assert.Equal(t, reasonIssuer, p.words["acme"], "the issuer names itself")
}

func TestCore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"digits and punctuation", "!!alice2024!", "alice"},
		{"spaces", "  alice  ", "alice"},
		{"inside kept", "alice-in-wonderland-42", "alice-in-wonderland"},
		{"digits inside kept", "r2d2", "r2d"},
		{"no letter", "2024!", ""},
		{"empty", "", ""},
		{"non-ASCII letters", "¡über!", "über"},
		{"combining mark kept", "a\u0308!", "a\u0308"},
		{"emoji trimmed", "monkey😀", "monkey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, core(tc.in))
		})
	}
}

func TestTrivial(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     bool
	}{
		{"repeated character", "aaaaaaaa", true},
		{"repeated pair", "abababab", true},
		{"digits up", "12345678", true},
		{"digits down", "87654321", true},
		{"digits up to 0", "1234567890", true},
		{"letters up", "abcdefgh", true},
		{"letters down", "hgfedcba", true},
		{"keyboard row", "qwertyui", true},
		{"keyboard home row", "asdfghjkl;", true},
		{"keyboard bottom row backwards", "/.,mnbvcxz", true},
		{"sequence then keyboard", "1234abcd", true},
		{"up then down", "abcdcba", true},
		{"three runs of repeats", "aaa111bbb", true},
		{"short", "ab", false},
		{"empty", "", false},
		{"three of a kind", "aaa", true},
		{"runs of two", "ab12cd34", false},
		{"run broken at the end", "abcdefgx", false},
		{"run broken at the start", "x1234567", false},
		{"step of two", "acegikmo", false},
		{"across letters and digits", "789abc", true},
		{"z to brace is no sequence", "wxyz{", false},
		{"passphrase", "correct horse battery staple", false},
		{"long repeat", strings.Repeat("x", 1000), true},
		{"long non-trivial", strings.Repeat("x", 999) + "y", false},
		{"non-ASCII same", "ééééé", true},
		{"non-ASCII neighbours are not a sequence", "αβγδεζ", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, trivial(tc.in))
		})
	}
}

// FuzzPasswordPolicy: any input, no panic, bounded time; the answer is one
// of the fixed reasons (so it never echoes the password), ignores ASCII
// case, and validateNewPassword's message is one of a fixed set.
func FuzzPasswordPolicy(f *testing.F) {
	for _, s := range [][3]string{
		{"password", "alice", "alice@example.com"}, {"alice2024!", "alice", ""},
		{"qwer1234zxcv", "", ""}, {"hunter2hunter2", "", ""}, {"", "", ""},
		{"ÄÄÄÄÄÄÄÄ", "ä", "ä@example.com"}, {"\xff\xfe", "\xff", "@"}, {"a\x00b", "", ""},
		{"correct horse battery staple", "bob", "bob@example.com"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	s := policyService(f, testPolicy)
	reasons := map[string]bool{"": true, reasonCommon: true, reasonUsername: true, reasonEmail: true,
		reasonIssuer: true, reasonExtraWord: true, reasonSequential: true}
	messages := map[string]bool{"must be valid UTF-8 without NUL": true, "must be 8 to 128 characters": true}
	for r := range reasons {
		messages[r] = r != ""
	}
	f.Fuzz(func(t *testing.T, pw, username, email string) {
		if len(pw)+len(username)+len(email) > 16<<10 {
			return
		}
		why := s.policy.check(pw, username, email)
		require.True(t, reasons[why], "unknown reason %q", why)
		if isASCII(pw + username + email) {
			require.Equal(t, why, s.policy.check(strings.ToUpper(pw), strings.ToUpper(username), email), "ASCII case is ignored")
		}
		if commonpw.Contains(strings.ToLower(pw)) {
			require.NotEmpty(t, why, "a listed password is refused")
		}
		err := s.validateNewPassword(pw, username, email)
		if err == nil {
			require.Empty(t, why)
			require.True(t, utf8.ValidString(pw))
			return
		}
		require.ErrorIs(t, err, ErrInvalidPassword)
		msg, ok := strings.CutPrefix(err.Error(), "auth: invalid password: ")
		require.True(t, ok)
		require.True(t, messages[msg], "unknown message %q", msg)
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// BenchmarkPasswordPolicy measures validateNewPassword (no hashing) on
// accepted and refused passwords; the list is built before the loop.
func BenchmarkPasswordPolicy(b *testing.B) {
	s := policyService(b, testPolicy)
	commonpw.Contains("")
	for _, bc := range []struct{ name, pw string }{
		{"passphrase accepted", "correct horse battery staple"},
		{"common refused", "Dragon2024!"},
		{"username refused", "alice2024!"},
		{"sequence refused", "qwer1234zxcv"},
		{"128 characters accepted", strings.Repeat("correct horse battery staple ", 5)[:128]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = s.validateNewPassword(bc.pw, "alice", "alice.smith@example.com")
			}
		})
	}
}
