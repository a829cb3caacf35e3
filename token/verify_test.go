package token

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forgeRaw signs the given segment texts as they are, however they are
// encoded, so only Latch's own encoding checks can refuse the result.
func forgeRaw(t testing.TB, k Key, hseg, cseg string) string {
	t.Helper()
	m := jwt.SigningMethod(jwt.SigningMethodHS256)
	if k.Algorithm == AlgEdDSA {
		m = jwt.SigningMethodEdDSA
	}
	sig, err := m.Sign(hseg+"."+cseg, k.signingKey())
	require.NoError(t, err)
	return hseg + "." + cseg + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// segments splits a token into its three segments.
func segments(t testing.TB, tok string) (string, string, string) {
	t.Helper()
	p := strings.Split(tok, ".")
	require.Len(t, p, 3)
	return p[0], p[1], p[2]
}

// withTrailingBits sets the unused low bits of seg's last character, which
// lenient base64 decoders ignore. seg's length must not be a multiple of 4.
func withTrailingBits(t testing.TB, seg string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	v := strings.IndexByte(alphabet, seg[len(seg)-1])
	switch len(seg) % 4 {
	case 2:
		v |= 0x0F
	case 3:
		v |= 0x03
	default:
		t.Fatalf("segment length %d has no unused bits", len(seg))
	}
	return seg[:len(seg)-1] + string(alphabet[v])
}

// oddHeader returns a JSON header for k whose encoding ends with unused
// bits (its length is not a multiple of 3).
func oddHeader(k Key) string {
	h := header(string(k.Algorithm), k.ID)
	for len(h)%3 == 0 {
		h = h[:len(h)-1] + " }"
	}
	return h
}

// oddClaims returns valid claims whose encoding ends with unused bits.
func oddClaims() string {
	c := claimsJSON("")
	for len(c)%3 == 0 {
		c = c[:len(c)-1] + " }"
	}
	return c
}

func mid(s string) int { return len(s) / 2 }

func TestVerifyRejections(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hs, ed := f.hs, f.ed
	hsHeader := header("HS256", hs.ID)
	other := fixedKey(t, AlgHS256, hs.ID, 0x99) // same kid, other secret

	// A token whose signature segment contains '-' or '_', to spell it in
	// the standard base64 alphabet.
	stdAlphabet := func() string {
		for i := 0; ; i++ {
			tok := forgeWith(t, hs, hsHeader, claimsJSON(fmt.Sprintf(`,"n":%d`, i)))
			_, _, s := segments(t, tok)
			if strings.ContainsAny(s, "-_") {
				r := strings.NewReplacer("-", "+", "_", "/")
				return tok[:len(tok)-len(s)] + r.Replace(s)
			}
		}
	}

	deep := strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40)

	// sized returns a validly signed token of exactly n bytes, padding the
	// claims with a host claim and the header with JSON whitespace.
	sized := func(n int) string {
		base := len(forgeWith(t, hs, hsHeader, claimsJSON(`,"pad":""`)))
		for pad := max(0, (n-base)*3/4-8); pad < n; pad++ {
			for sp := range 3 {
				h := strings.Replace(hsHeader, ",", ","+strings.Repeat(" ", sp), 1)
				tok := forgeWith(t, hs, h, claimsJSON(`,"pad":"`+strings.Repeat("x", pad)+`"`))
				if len(tok) == n {
					return tok
				}
			}
		}
		t.Fatalf("no token of %d bytes", n)
		return ""
	}

	tests := []struct {
		name string
		tok  func() string
		want error
	}{
		// Size.
		{"over 8 KiB before decoding", func() string { return strings.Repeat("a", MaxTokenSize+1) }, ErrTooLarge},
		{"exactly 8 KiB", func() string { return sized(MaxTokenSize) }, nil},
		{"one byte over 8 KiB, validly signed", func() string { return sized(MaxTokenSize + 1) }, ErrTooLarge},
		{"over 8 KiB validly signed", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"pad":"`+strings.Repeat("x", MaxTokenSize)+`"`))
		}, ErrTooLarge},

		// Algorithms.
		{"alg none", func() string { return b64(`{"alg":"none","kid":"hs-key"}`) + "." + b64(claimsJSON("")) + "." }, ErrNoneAlg},
		{"alg NoNe", func() string { return b64(`{"alg":"NoNe","kid":"hs-key"}`) + "." + b64(claimsJSON("")) + "." }, ErrNoneAlg},
		{"alg none with a signature", func() string {
			return forge(t, jwt.SigningMethodHS256, hs.signingKey(), `{"alg":"none","kid":"hs-key"}`, claimsJSON(""))
		}, ErrNoneAlg},
		{"HS256 token for an EdDSA key, HMAC keyed with its public key", func() string {
			return forge(t, jwt.SigningMethodHS256, []byte(ed.m().pub), header("HS256", ed.ID), claimsJSON(""))
		}, ErrAlgorithm},
		{"EdDSA token for an HS256 key", func() string {
			return forge(t, jwt.SigningMethodEdDSA, ed.m().priv, header("EdDSA", hs.ID), claimsJSON(""))
		}, ErrAlgorithm},
		{"HS384 token for an HS256 key", func() string {
			return forge(t, jwt.SigningMethodHS384, hs.m().secret, header("HS384", hs.ID), claimsJSON(""))
		}, ErrAlgorithm},
		{"unsupported alg", func() string { return forgeWith(t, hs, header("RS256", hs.ID), claimsJSON("")) }, ErrAlgorithm},
		{"alg missing", func() string { return forgeWith(t, hs, `{"kid":"hs-key"}`, claimsJSON("")) }, ErrMalformed},
		{"alg not a string", func() string { return forgeWith(t, hs, `{"alg":1,"kid":"hs-key"}`, claimsJSON("")) }, ErrMalformed},

		// Keys.
		{"unknown kid", func() string { return forgeWith(t, hs, header("HS256", "nope"), claimsJSON("")) }, ErrUnknownKey},
		{"no kid", func() string { return forgeWith(t, hs, `{"alg":"HS256"}`, claimsJSON("")) }, ErrUnknownKey},
		{"empty kid", func() string { return forgeWith(t, hs, header("HS256", ""), claimsJSON("")) }, ErrUnknownKey},
		{"kid not a string", func() string { return forgeWith(t, hs, `{"alg":"HS256","kid":["hs-key"]}`, claimsJSON("")) }, ErrMalformed},

		// Signatures.
		{"signed by another key with the same kid", func() string { return valid(t, other) }, ErrSignature},
		{"HS256 signature bit flipped", func() string {
			tok := valid(t, hs)
			i := strings.LastIndexByte(tok, '.') + 1
			c := 'A'
			if tok[i] == 'A' {
				c = 'B'
			}
			return tok[:i] + string(c) + tok[i+1:]
		}, ErrSignature},
		{"EdDSA signature bit flipped", func() string {
			tok := valid(t, ed)
			i := strings.LastIndexByte(tok, '.') + 1
			c := 'A'
			if tok[i] == 'A' {
				c = 'B'
			}
			return tok[:i] + string(c) + tok[i+1:]
		}, ErrSignature},
		{"empty signature", func() string {
			h, c, _ := segments(t, valid(t, hs))
			return h + "." + c + "."
		}, ErrSignature},
		{"EdDSA signature truncated", func() string {
			tok := valid(t, ed)
			return tok[:len(tok)-6] // 80 characters: canonical, 60 bytes
		}, ErrSignature},
		{"claims changed after signing", func() string {
			h, _, s := segments(t, valid(t, hs))
			return h + "." + b64(strings.Replace(claimsJSON(""), "user-1", "admin", 1)) + "." + s
		}, ErrSignature},

		// Time.
		{"exp missing", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","iat":%d,"jti":"j"}`, unix(0)))
		}, ErrMissingClaim},
		{"exp past beyond leeway", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d,"jti":"j"}`, unix(-31*time.Second), unix(-time.Hour)))
		}, ErrExpired},
		{"exp exactly at now minus leeway", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d,"jti":"j"}`, unix(-testLeeway), unix(-time.Hour)))
		}, ErrExpired},
		{"exp within leeway", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d,"jti":"j"}`, unix(-29*time.Second), unix(-time.Hour)))
		}, nil},
		{"nbf future beyond leeway", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(fmt.Sprintf(`,"nbf":%d`, unix(31*time.Second))))
		}, ErrNotYetValid},
		{"nbf future within leeway", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(fmt.Sprintf(`,"nbf":%d`, unix(testLeeway))))
		}, nil},
		{"iat future beyond leeway", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(31*time.Second)))
		}, ErrNotYetValid},
		{"iat future within leeway", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(testLeeway)))
		}, nil},
		{"nbf far in the future (past int64 seconds)", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"nbf":1e19`))
		}, ErrMalformed},
		{"nbf just past int64 seconds", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"nbf":9223372000000000000`))
		}, ErrMalformed},
		{"nbf after year 9999", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"nbf":253402300800`))
		}, ErrMalformed},
		{"nbf before 1970", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"nbf":-1`))
		}, ErrMalformed},
		{"iat far in the future", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":1e19,"jti":"j"}`, unix(time.Hour)))
		}, ErrMalformed},
		{"exp far in the future", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":1e19,"iat":%d,"jti":"j"}`, unix(0)))
		}, ErrMalformed},
		{"iat missing", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"jti":"j"}`, unix(time.Hour)))
		}, ErrMissingClaim},

		// Identity and audience.
		{"jti missing", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d}`, unix(time.Hour), unix(0)))
		}, ErrMissingClaim},
		{"jti empty", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d,"jti":""}`, unix(time.Hour), unix(0)))
		}, ErrMissingClaim},
		{"aud missing", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"exp":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(0)))
		}, ErrMissingClaim},
		{"aud other", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":["challenge"],"exp":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(0)))
		}, ErrAudience},
		{"aud differs in case", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"API","exp":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(0)))
		}, ErrAudience},
		{"aud as a single string", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(0)))
		}, nil},
		{"aud list containing ours", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":["x","api"],"exp":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(0)))
		}, nil},

		// Canonical encoding: every variant below is signed over its own text,
		// so only the encoding check can refuse it.
		{"header padded", func() string { return forgeRaw(t, hs, b64(oddHeader(hs))+"=", b64(claimsJSON(""))) }, ErrMalformed},
		{"claims padded", func() string { return forgeRaw(t, hs, b64(hsHeader), b64(oddClaims())+"==") }, ErrMalformed},
		{"signature padded", func() string { return valid(t, hs) + "=" }, ErrMalformed},
		{"line feed in header", func() string {
			h := b64(hsHeader)
			return forgeRaw(t, hs, h[:mid(h)]+"\n"+h[mid(h):], b64(claimsJSON("")))
		}, ErrMalformed},
		{"CRLF in claims", func() string {
			c := b64(claimsJSON(""))
			return forgeRaw(t, hs, b64(hsHeader), c[:mid(c)]+"\r\n"+c[mid(c):])
		}, ErrMalformed},
		{"line feed in signature", func() string {
			tok := valid(t, hs)
			return tok[:len(tok)-5] + "\n" + tok[len(tok)-5:]
		}, ErrMalformed},
		{"space in claims", func() string {
			c := b64(claimsJSON(""))
			return forgeRaw(t, hs, b64(hsHeader), c[:mid(c)]+" "+c[mid(c):])
		}, ErrMalformed},
		{"tab in header", func() string {
			h := b64(hsHeader)
			return forgeRaw(t, hs, h[:mid(h)]+"\t"+h[mid(h):], b64(claimsJSON("")))
		}, ErrMalformed},
		{"trailing space", func() string { return valid(t, hs) + " " }, ErrMalformed},
		{"non-zero trailing bits in header", func() string {
			return forgeRaw(t, hs, withTrailingBits(t, b64(oddHeader(hs))), b64(claimsJSON("")))
		}, ErrMalformed},
		{"non-zero trailing bits in claims", func() string {
			return forgeRaw(t, hs, b64(hsHeader), withTrailingBits(t, b64(oddClaims())))
		}, ErrMalformed},
		{"non-zero trailing bits in HS256 signature", func() string {
			h, c, s := segments(t, valid(t, hs))
			return h + "." + c + "." + withTrailingBits(t, s)
		}, ErrMalformed},
		{"non-zero trailing bits in EdDSA signature", func() string {
			h, c, s := segments(t, valid(t, ed))
			return h + "." + c + "." + withTrailingBits(t, s)
		}, ErrMalformed},
		{"standard base64 alphabet in signature", stdAlphabet, ErrMalformed},
		{"impossible segment length", func() string {
			h := b64(hsHeader)
			for len(h)%4 != 1 {
				h += "A"
			}
			return forgeRaw(t, hs, h, b64(claimsJSON("")))
		}, ErrMalformed},
		{"two segments", func() string { h, c, _ := segments(t, valid(t, hs)); return h + "." + c }, ErrMalformed},
		{"four segments", func() string { return valid(t, hs) + ".e30" }, ErrMalformed},
		{"empty header", func() string { _, c, s := segments(t, valid(t, hs)); return "." + c + "." + s }, ErrMalformed},
		{"empty claims", func() string { return forgeRaw(t, hs, b64(hsHeader), "") }, ErrMalformed},
		{"empty string", func() string { return "" }, ErrMalformed},
		{"only dots", func() string { return ".." }, ErrMalformed},

		// JSON.
		{"header not JSON", func() string { return forgeWith(t, hs, `alg=HS256`, claimsJSON("")) }, ErrMalformed},
		{"header a JSON array", func() string { return forgeWith(t, hs, `["HS256"]`, claimsJSON("")) }, ErrMalformed},
		{"header with data after the object", func() string { return forgeWith(t, hs, hsHeader+`{}`, claimsJSON("")) }, ErrMalformed},
		{"claims a JSON string", func() string { return forgeWith(t, hs, hsHeader, `"claims"`) }, ErrMalformed},
		{"claims JSON null", func() string { return forgeWith(t, hs, hsHeader, `null`) }, ErrMalformed},
		{"claims JSON null, bad signature", func() string { return forgeWith(t, other, hsHeader, ` null `) }, ErrMalformed},
		{"claims with data after the object", func() string { return forgeWith(t, hs, hsHeader, claimsJSON("")+`{}`) }, ErrMalformed},
		{"claims with a trailing comma", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(",")) }, ErrMalformed},
		{"claims invalid UTF-8", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"name":"`+"\xff"+`"`)) }, ErrMalformed},
		{"claims nested too deeply", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"x":`+deep)) }, ErrMalformed},
		{"claims nested one level too deeply", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"x":`+strings.Repeat(`[`, 32)+strings.Repeat(`]`, 32)))
		}, ErrMalformed},
		{"claims nested to the limit", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"x":`+strings.Repeat(`[`, 31)+strings.Repeat(`]`, 31)))
		}, nil},
		// Lone surrogate escapes are refused wherever they are, as by
		// internal/strictjson (encoding/json would read them as U+FFFD).
		{"lone high surrogate in sub", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `"user-1"`, `"\ud800"`, 1))
		}, ErrMalformed},
		{"lone low surrogate in sub", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `"user-1"`, `"\udc00x"`, 1))
		}, ErrMalformed},
		{"high surrogate then a letter in jti", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `"jti-1"`, `"\ud800\u0041"`, 1))
		}, ErrMalformed},
		{"lone surrogate in an aud element", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `["api"]`, `["api","\ud800"]`, 1))
		}, ErrMalformed},
		{"lone surrogate in a host claim", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"o":{"k":["\udfff"]}`)) }, ErrMalformed},
		{"lone surrogate in a host claim name", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"\ud800":1`)) }, ErrMalformed},
		{"lone surrogate in kid", func() string { return forgeWith(t, hs, `{"alg":"HS256","kid":"hs-key\ud800"}`, claimsJSON("")) }, ErrMalformed},
		{"surrogate pair in a host claim", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"e":"\ud83d\ude00"`)) }, nil},
		{"exp a string", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":"%d","iat":%d,"jti":"j"}`, unix(time.Hour), unix(0)))
		}, ErrMalformed},
		{"exp null", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","exp":null,"iat":%d,"jti":"j"}`, unix(0)))
		}, ErrMalformed},
		{"sub a number", func() string { return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `"user-1"`, `1`, 1)) }, ErrMalformed},
		{"jti an object", func() string { return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `"jti-1"`, `{}`, 1)) }, ErrMalformed},
		{"aud a number", func() string { return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `["api"]`, `7`, 1)) }, ErrMalformed},
		{"aud with a number", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `["api"]`, `["api",7]`, 1))
		}, ErrMalformed},
		{"permissions a string", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `["view_users"]`, `"*"`, 1))
		}, ErrMalformed},
		{"permissions with null", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `["view_users"]`, `[null]`, 1))
		}, ErrMalformed},
		{"permissions with a number", func() string {
			return forgeWith(t, hs, hsHeader, strings.Replace(claimsJSON(""), `["view_users"]`, `[1]`, 1))
		}, ErrMalformed},

		// Duplicate and case-variant members.
		{"exp twice", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(fmt.Sprintf(`,"exp":%d`, unix(100*time.Hour))))
		}, ErrDuplicateClaim},
		{"sub and SUB", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"SUB":"admin"`)) }, ErrDuplicateClaim},
		{"sub spelled with an escape", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"\u0073ub":"admin"`)) }, ErrDuplicateClaim},
		{"sub spelled with long s", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"ſub":"admin"`)) }, ErrDuplicateClaim},
		{"case variant of a registered claim alone", func() string {
			return forgeWith(t, hs, hsHeader, fmt.Sprintf(`{"aud":"api","EXP":%d,"iat":%d,"jti":"j"}`, unix(time.Hour), unix(0)))
		}, ErrDuplicateClaim},
		{"Permissions beside permissions", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"Permissions":["*"]`)) }, ErrDuplicateClaim},
		{"host claims differing in case", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"role":"a","ROLE":"b"`)) }, ErrDuplicateClaim},
		{"host claim twice", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"role":"a","role":"b"`)) }, ErrDuplicateClaim},
		{"names that encoding/json reads alike, with lone surrogate escapes", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"x\ud800":1,"x\udbff":2`))
		}, ErrMalformed},
		{"repeated member in a nested object", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"o":{"a":1,"a":2}`)) }, ErrDuplicateClaim},
		{"case variants in a nested object", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"o":{"a":1,"A":2}`)) }, ErrDuplicateClaim},
		{"case variants in an object in an array", func() string {
			return forgeWith(t, hs, hsHeader, claimsJSON(`,"o":[{"ſ":1,"S":2}]`))
		}, ErrDuplicateClaim},
		{"distinct names in a nested object", func() string { return forgeWith(t, hs, hsHeader, claimsJSON(`,"o":{"a":1,"b":2}`)) }, nil},
		{"alg twice", func() string { return forgeWith(t, hs, `{"alg":"none","alg":"HS256","kid":"hs-key"}`, claimsJSON("")) }, ErrDuplicateClaim},
		{"kid and KID", func() string {
			return forgeWith(t, hs, `{"alg":"HS256","kid":"hs-key","KID":"ed-key"}`, claimsJSON(""))
		}, ErrDuplicateClaim},
		{"kid spelled with the Kelvin sign", func() string { return forgeWith(t, hs, `{"alg":"HS256","\u212Aid":"hs-key"}`, claimsJSON("")) }, ErrDuplicateClaim},

		// Critical headers.
		{"crit header", func() string {
			return forgeWith(t, hs, `{"alg":"HS256","crit":["exp"],"exp":1,"kid":"hs-key"}`, claimsJSON(""))
		}, ErrCritical},
		{"empty crit header", func() string { return forgeWith(t, hs, `{"alg":"HS256","crit":[],"kid":"hs-key"}`, claimsJSON("")) }, ErrCritical},

		// Accepted.
		{"valid HS256", func() string { return valid(t, hs) }, nil},
		{"valid EdDSA", func() string { return valid(t, ed) }, nil},
		{"valid with JSON whitespace", func() string {
			return forgeWith(t, hs, "{ \"alg\" : \"HS256\",\n\"kid\":\"hs-key\" }", " "+claimsJSON("")+"\n")
		}, nil},
		{"valid with unknown header members", func() string {
			return forgeWith(t, hs, `{"alg":"HS256","jku":"https://attacker.example","kid":"hs-key"}`, claimsJSON(""))
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := f.ring.Verify(tc.tok())
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, c)
				assert.NotEmpty(t, c.ID)
				return
			}
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, c)
		})
	}
}

func TestVerifyReturnsClaims(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := forgeWith(t, f.hs, header("HS256", f.hs.ID),
		claimsJSON(fmt.Sprintf(`,"nbf":%d,"role":"admin","n":1.5,"o":{"k":[true,null]}`, unix(-time.Minute))))
	c, err := f.ring.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, &Claims{
		Subject:     "user-1",
		ID:          "jti-1",
		Audience:    []string{"api"},
		IssuedAt:    testNow,
		NotBefore:   testNow.Add(-time.Minute),
		ExpiresAt:   testNow.Add(time.Hour),
		Permissions: []string{"view_users"},
		Extra:       map[string]any{"role": "admin", "n": 1.5, "o": map[string]any{"k": []any{true, nil}}},
	}, c)
}

func TestVerifyErrorsLeakNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A kid and a claim value an attacker chose must not be echoed.
	for _, tok := range []string{
		forgeWith(t, f.hs, header("HS256", "SECRET-KID"), claimsJSON("")),
		forgeWith(t, f.hs, header("HS256", f.hs.ID), claimsJSON(`,"SECRET":1,"secret":2`)),
		forgeWith(t, f.hs, header("SECRET-ALG", f.hs.ID), claimsJSON("")),
	} {
		_, err := f.ring.Verify(tok)
		require.Error(t, err)
		assert.NotContains(t, strings.ToLower(err.Error()), "secret")
	}
}
