package hash

import (
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/go-crypt/x/yescrypt"
	"golang.org/x/crypto/scrypt"
)

const (
	scryptMaxLogN    = 63
	scryptMaxRP      = 1<<30 - 1 // r·p < 2^30 (scrypt paper, x/crypto)
	scryptKeyLen     = 32
	scrypt7ParamsLen = 11 // one character of log2 N, five each of r and p
	scryptMaxSalt    = 64 // salt characters ($7$) or bytes ($scrypt$)
	passlibScryptMax = 31 // passlib's max ln
)

// scryptHash is either libxcrypt's "$7$" N r p salt "$" hash or passlib's
// "$scrypt$ln=" N ",r=" r ",p=" p "$" salt "$" hash.
type scryptHash struct {
	passlib   bool
	logN      int
	r, p      uint64
	salt      []byte // $7$: the salt string's bytes
	key       []byte
	saltField string
}

func (s *scryptHash) format() Format {
	if s.passlib {
		return FormatScryptPasslib
	}
	return FormatScrypt
}

func (s *scryptHash) encode() string {
	if s.passlib {
		return "$scrypt$ln=" + itoa(s.logN) + ",r=" + utoa(s.r) + ",p=" + utoa(s.p) + "$" +
			s.saltField + "$" + stdRaw.EncodeToString(s.key)
	}
	return "$7$" + string(hash64Alphabet[s.logN]) + encodeInt30(s.r) + encodeInt30(s.p) + s.saltField + "$" +
		string(yescrypt.Encode64(s.key))
}

const hash64Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// encodeInt30 writes v in five characters, least significant first.
func encodeInt30(v uint64) string {
	var b [5]byte
	for i := range b {
		b[i] = hash64Alphabet[v&63]
		v >>= 6
	}
	return string(b[:])
}

// decodeInt30 reads five characters written by encodeInt30.
func decodeInt30(s string) (uint64, bool) {
	var v uint64
	for i := len(s) - 1; i >= 0; i-- {
		c := hash64Index(s[i])
		if c < 0 {
			return 0, false
		}
		v = v<<6 | uint64(c)
	}
	return v, true
}

// decodeScrypt7 accepts the $7$ form as libxcrypt and passlib read it: log2 N
// from 1 to 63, r and p of at least 1 with r·p < 2^30, a salt of at most 64
// characters used as the string's bytes (libxcrypt writes crypt base64,
// passlib standard base64 without padding, so "./+0-9A-Za-z" are allowed),
// and a 43-character hash in crypt's little-endian base64.
func decodeScrypt7(str string) (decoded, error) {
	rest := str[len("$7$"):]
	setting, sum, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, malformed("scrypt hash has no checksum")
	}
	if len(setting) < scrypt7ParamsLen {
		return nil, malformed("scrypt parameters are not 11 characters")
	}
	s := &scryptHash{logN: hash64Index(setting[0])}
	var okR, okP bool
	s.r, okR = decodeInt30(setting[1:6])
	s.p, okP = decodeInt30(setting[6:11])
	if s.logN < 1 || !okR || !okP {
		return nil, malformed("scrypt parameters are not characters of ./0-9A-Za-z with log2 N ≥ 1")
	}
	if err := s.checkParams(); err != nil {
		return nil, err
	}
	s.saltField = setting[scrypt7ParamsLen:]
	if len(s.saltField) > scryptMaxSalt {
		return nil, malformed("scrypt salt is over %d characters", scryptMaxSalt)
	}
	for i := 0; i < len(s.saltField); i++ {
		if c := s.saltField[i]; c != '+' && hash64Index(c) < 0 {
			return nil, malformed("scrypt salt has a character outside ./+0-9A-Za-z")
		}
	}
	s.salt = []byte(s.saltField)
	s.key = yescrypt.Decode64([]byte(sum))
	if len(s.key) != scryptKeyLen || string(yescrypt.Encode64(s.key)) != sum {
		return nil, malformed("scrypt hash is not %d canonical characters", ab64Len(scryptKeyLen))
	}
	return s, nil
}

func (s *scryptHash) checkParams() error {
	if s.r < 1 || s.p < 1 || s.r*s.p > scryptMaxRP {
		return malformed("scrypt r and p are not positive with r·p < 2^30")
	}
	return nil
}

// decodeScryptPasslib accepts passlib's $scrypt$ form: ln from 1 to 31, r and
// p canonical decimals of at least 1 with r·p < 2^30, in this order, a salt
// of at most 64 bytes and a 32-byte hash, both canonical standard base64
// without padding.
func decodeScryptPasslib(str string) (decoded, error) {
	f := strings.Split(str, "$")
	if len(f) != 5 {
		return nil, malformed("scrypt hash has %d fields, want 5", len(f))
	}
	s := &scryptHash{passlib: true}
	params := f[2]
	var vals [3]uint64
	for i, key := range []string{"ln=", ",r=", ",p="} {
		var ok bool
		if params, ok = strings.CutPrefix(params, key); !ok {
			return nil, malformed("scrypt parameters are not ln=,r=,p=")
		}
		end := strings.IndexByte(params, ',')
		if end < 0 {
			end = len(params)
		}
		if vals[i], ok = parseUint(params[:end]); !ok {
			return nil, malformed("scrypt %s is not a canonical decimal", key[len(key)-2:len(key)-1])
		}
		params = params[end:]
	}
	if params != "" {
		return nil, malformed("scrypt parameters have extra fields")
	}
	if vals[0] < 1 || vals[0] > passlibScryptMax {
		return nil, malformed("scrypt ln outside [1, %d]", passlibScryptMax)
	}
	if vals[1] > scryptMaxRP || vals[2] > scryptMaxRP {
		return nil, malformed("scrypt r and p are not positive with r·p < 2^30")
	}
	s.logN, s.r, s.p = int(vals[0]), vals[1], vals[2]
	if err := s.checkParams(); err != nil {
		return nil, err
	}
	var ok bool
	if s.salt, ok = decodeStdRaw(f[3]); !ok || len(s.salt) > scryptMaxSalt {
		return nil, malformed("scrypt salt is not at most %d bytes of canonical unpadded base64", scryptMaxSalt)
	}
	s.saltField = f[3]
	if s.key, ok = decodeStdRaw(f[4]); !ok || len(s.key) != scryptKeyLen {
		return nil, malformed("scrypt hash is not %d bytes of canonical unpadded base64", scryptKeyLen)
	}
	return s, nil
}

func (s *scryptHash) halfLimits(l Limits, n int) bool {
	return 2*scryptMemoryKiB(s.logN, s.r, s.p) <= uint64(l.MaxScryptMemory)
}
func (s *scryptHash) maxPassword(l Limits) int { return 0 }

func (s *scryptHash) checkLimits(l Limits) error {
	if m := scryptMemoryKiB(s.logN, s.r, s.p); m > uint64(l.MaxScryptMemory) {
		return overLimit("scrypt memory×parallelism %d KiB, limit %d", m, l.MaxScryptMemory)
	}
	return nil
}

// verify calls x/crypto's scrypt; checkLimits has bounded N, r and p far
// below what would overflow its int arguments.
func (s *scryptHash) verify(password string) (bool, error) {
	key, err := scrypt.Key([]byte(password), s.salt, 1<<s.logN, int(s.r), int(s.p), scryptKeyLen)
	if err != nil {
		return false, fmt.Errorf("hash: scrypt: %w", err)
	}
	return subtle.ConstantTimeCompare(key, s.key) == 1, nil
}
