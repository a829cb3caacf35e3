package hash

import (
	"encoding/binary"
)

// ASP.NET Core Identity's PasswordHasher layouts.
const (
	aspnetV2Marker   = 0x00
	aspnetV3Marker   = 0x01
	aspnetV2SaltLen  = 16
	aspnetSubkeyLen  = 32
	aspnetV2Iter     = 1000
	aspnetV3Header   = 13 // marker, PRF, iteration count, salt length
	aspnetMinSaltLen = 16 // VerifyHashedPasswordV3 refuses shorter salts
)

// aspnetPRFs are the KeyDerivationPrf values of version 3.
var aspnetPRFs = [...]*pbkdf2Digest{pbkdf2SHA1, pbkdf2SHA256, pbkdf2SHA512}

// aspnetHash is an ASP.NET Identity v2 or v3 hash.
type aspnetHash struct {
	v3         bool
	digest     *pbkdf2Digest
	iterations uint64
	salt, key  []byte
	raw        string
}

func (a *aspnetHash) format() Format {
	if a.v3 {
		return FormatASPNetIdentityV3
	}
	return FormatASPNetIdentityV2
}

func (a *aspnetHash) encode() string { return a.raw }

func (a *aspnetHash) halfLimits(l Limits, n int) bool {
	return pbkdf2HalfLimits(a.iterations, len(a.key), a.digest, l)
}
func (a *aspnetHash) maxPassword(l Limits) int { return 0 }

func (a *aspnetHash) checkLimits(l Limits) error {
	return checkPBKDF2Work(a.iterations, len(a.key), a.digest, l)
}

func (a *aspnetHash) verify(password string) (bool, error) {
	return pbkdf2Equal(a.digest, password, a.salt, a.iterations, a.key)
}

// decodeASPNet recognises an ASP.NET Identity hash: canonical standard
// base64 with padding whose bytes are exactly a v2 blob (0x00, 16-byte
// salt, 32-byte subkey: 49 bytes) or a v3 blob (0x01, PRF 0 to 2, an
// iteration count of at least 1, a salt length of at least 16, then exactly
// that salt and a 32-byte subkey, the sizes ASP.NET writes). Anything else is
// not taken for one, so other base64 strings stay unknown.
func decodeASPNet(s string) (decoded, bool) {
	if len(s) < 4 || len(s)%4 != 0 || len(s) > 4*((aspnetV3Header+1024+aspnetSubkeyLen+2)/3) {
		return nil, false
	}
	b, ok := decodeStdPadded(s)
	if !ok || len(b) == 0 {
		return nil, false
	}
	switch b[0] {
	case aspnetV2Marker:
		if len(b) != 1+aspnetV2SaltLen+aspnetSubkeyLen {
			return nil, false
		}
		return &aspnetHash{
			digest: pbkdf2SHA1, iterations: aspnetV2Iter,
			salt: b[1 : 1+aspnetV2SaltLen], key: b[1+aspnetV2SaltLen:], raw: s,
		}, true
	case aspnetV3Marker:
		if len(b) < aspnetV3Header {
			return nil, false
		}
		prf := binary.BigEndian.Uint32(b[1:])
		iter := binary.BigEndian.Uint32(b[5:])
		saltLen := binary.BigEndian.Uint32(b[9:])
		if prf >= uint32(len(aspnetPRFs)) || iter < 1 || iter > 1<<31-1 || saltLen < aspnetMinSaltLen ||
			uint64(len(b)) != aspnetV3Header+uint64(saltLen)+aspnetSubkeyLen {
			return nil, false
		}
		return &aspnetHash{
			v3: true, digest: aspnetPRFs[prf], iterations: uint64(iter),
			salt: b[aspnetV3Header : aspnetV3Header+saltLen], key: b[aspnetV3Header+saltLen:], raw: s,
		}, true
	}
	return nil, false
}
