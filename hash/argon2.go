package hash

import (
	"crypto/subtle"
	"strings"

	"golang.org/x/crypto/argon2"
)

// libargon2's bounds (argon2.h).
const (
	argon2MinMemory = 8 // KiB per lane (2 × ARGON2_SYNC_POINTS)
	argon2MinSalt   = 8 // ARGON2_MIN_SALT_LENGTH
	argon2MinTag    = 4 // ARGON2_MIN_OUTLEN
	argon2MaxLanes  = 0xFFFFFF
	argon2Version   = 0x13
	argon2MaxUint32 = 1<<32 - 1
)

// argon2Hash is "$argon2id$v=19$m=M,t=T,p=P$" salt "$" tag.
type argon2Hash struct {
	id                  bool
	memory, time, lanes uint32
	salt, key           []byte
}

func (a *argon2Hash) format() Format {
	if a.id {
		return FormatArgon2id
	}
	return FormatArgon2i
}

func (a *argon2Hash) encode() string {
	return "$" + string(a.format()) + "$v=19$m=" + utoa(uint64(a.memory)) + ",t=" + utoa(uint64(a.time)) +
		",p=" + utoa(uint64(a.lanes)) + "$" + stdRaw.EncodeToString(a.salt) + "$" + stdRaw.EncodeToString(a.key)
}

// decodeArgon2 accepts what libargon2's decode_string and validate_inputs
// accept for version 0x13: the fields in this exact order, canonical
// decimals that fit in 32 bits, unpadded base64 with zero trailing bits, a
// salt of at least 8 bytes, a tag of at least 4 bytes, t ≥ 1, 1 ≤ p ≤ 2^24-1
// and m ≥ 8p. A string without v= is Argon2 version 0x10, which x/crypto does
// not compute, and is refused with ErrUnknownFormat, as is argon2d.
func decodeArgon2(s string) (decoded, error) {
	f := strings.Split(s, "$")
	a := &argon2Hash{}
	switch f[1] {
	case "argon2id":
		a.id = true
	case "argon2i":
	default:
		return nil, unknown("argon2 variant other than argon2id and argon2i")
	}
	if len(f) == 5 && !strings.HasPrefix(f[2], "v=") {
		return nil, unknown("argon2 version 0x10 (no v= field) is not supported")
	}
	if len(f) != 6 {
		return nil, malformed("argon2 hash has %d fields, want 6", len(f))
	}
	if v, ok := strings.CutPrefix(f[2], "v="); !ok {
		return nil, malformed("argon2 version field")
	} else if n, ok := parseUint(v); !ok || (n != argon2Version && n != 0x10) {
		return nil, malformed("argon2 version is not 16 or 19")
	} else if n == 0x10 {
		return nil, unknown("argon2 version 0x10 is not supported")
	}
	var ok bool
	params := f[3]
	for _, p := range []struct {
		key string
		dst *uint32
	}{{"m=", &a.memory}, {",t=", &a.time}, {",p=", &a.lanes}} {
		if params, ok = strings.CutPrefix(params, p.key); !ok {
			return nil, malformed("argon2 parameters are not m=,t=,p=")
		}
		end := strings.IndexByte(params, ',')
		if end < 0 {
			end = len(params)
		}
		n, ok := parseUint(params[:end])
		if !ok || n > argon2MaxUint32 {
			return nil, malformed("argon2 %s is not a canonical 32-bit decimal", p.key[len(p.key)-2:len(p.key)-1])
		}
		*p.dst, params = uint32(n), params[end:]
	}
	if params != "" {
		return nil, malformed("argon2 parameters have extra fields")
	}
	switch {
	case a.time < 1:
		return nil, malformed("argon2 t < 1")
	case a.lanes < 1 || a.lanes > argon2MaxLanes:
		return nil, malformed("argon2 p outside [1, %d]", argon2MaxLanes)
	case uint64(a.memory) < argon2MinMemory*uint64(a.lanes):
		return nil, malformed("argon2 m < 8p")
	}
	if a.salt, ok = decodeStdRaw(f[4]); !ok {
		return nil, malformed("argon2 salt is not canonical unpadded base64")
	}
	if len(a.salt) < argon2MinSalt {
		return nil, malformed("argon2 salt is %d bytes, minimum %d", len(a.salt), argon2MinSalt)
	}
	if a.key, ok = decodeStdRaw(f[5]); !ok {
		return nil, malformed("argon2 tag is not canonical unpadded base64")
	}
	if len(a.key) < argon2MinTag {
		return nil, malformed("argon2 tag is %d bytes, minimum %d", len(a.key), argon2MinTag)
	}
	return a, nil
}

// argon2MaxWork is the most memory×passes (KiB) that l admits.
func argon2MaxWork(l Limits) uint64 {
	return min(uint64(l.MaxArgon2Memory)*uint64(l.MaxArgon2Time), uint64(l.MaxArgon2MemoryTime))
}

func (a *argon2Hash) halfLimits(l Limits, n int) bool {
	return 2*uint64(a.memory)*uint64(a.time) <= argon2MaxWork(l)
}

func (a *argon2Hash) maxPassword(l Limits) int { return 0 }

func (a *argon2Hash) checkLimits(l Limits) error {
	switch {
	case uint64(a.memory) > uint64(l.MaxArgon2Memory):
		return overLimit("argon2 memory %d KiB, limit %d", a.memory, l.MaxArgon2Memory)
	case uint64(a.time) > uint64(l.MaxArgon2Time):
		return overLimit("argon2 time %d, limit %d", a.time, l.MaxArgon2Time)
	case uint64(a.lanes) > uint64(l.MaxArgon2Lanes):
		return overLimit("argon2 lanes %d, limit %d", a.lanes, l.MaxArgon2Lanes)
	case uint64(a.memory)*uint64(a.time) > uint64(l.MaxArgon2MemoryTime):
		return overLimit("argon2 memory×time %d KiB, limit %d", uint64(a.memory)*uint64(a.time), l.MaxArgon2MemoryTime)
	}
	return nil
}

// argon2Key calls x/crypto's Argon2. Its parameters were checked by
// decodeArgon2 and checkLimits (lanes ≤ 255, time ≥ 1), so it cannot panic.
func argon2Key(id bool, password string, salt []byte, time, memory, lanes uint32, keyLen int) []byte {
	if id {
		return argon2.IDKey([]byte(password), salt, time, memory, uint8(lanes), uint32(keyLen))
	}
	return argon2.Key([]byte(password), salt, time, memory, uint8(lanes), uint32(keyLen))
}

func (a *argon2Hash) verify(password string) (bool, error) {
	key := argon2Key(a.id, password, a.salt, a.time, a.memory, a.lanes, len(a.key))
	return subtle.ConstantTimeCompare(key, a.key) == 1, nil
}
