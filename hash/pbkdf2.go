package hash

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	gohash "hash"
	"strings"
)

// pbkdf2MaxIterations is passlib's bound on rounds (2^32-1); SFTPGo's Atoi
// has none, but no real hash comes near it. Limits.MaxPBKDF2Iterations is at
// most pbkdf2MaxLimit so that a count within the limits fits an int anywhere.
const (
	pbkdf2MaxIterations = 1<<32 - 1
	pbkdf2MaxLimit      = 1<<31 - 1
	// The key lengths accepted in SFTPGo's form, which derives a key as
	// long as the stored one.
	sftpgoMinKey = 16
	sftpgoMaxKey = 64
)

type pbkdf2Digest struct {
	name string
	size int
	new  func() gohash.Hash
}

var (
	pbkdf2SHA1   = &pbkdf2Digest{"sha1", sha1.Size, sha1.New}
	pbkdf2SHA256 = &pbkdf2Digest{"sha256", sha256.Size, sha256.New}
	pbkdf2SHA512 = &pbkdf2Digest{"sha512", sha512.Size, sha512.New}
)

// pbkdf2Hash is either SFTPGo's or passlib's PBKDF2 form.
type pbkdf2Hash struct {
	passlib    bool
	b64salt    bool // SFTPGo's $pbkdf2-b64salt-sha256$
	digest     *pbkdf2Digest
	iterations uint64
	saltField  string // as encoded; SFTPGo's plain form uses its bytes as salt
	salt       []byte
	key        []byte
}

func (p *pbkdf2Hash) format() Format {
	if p.passlib {
		return FormatPBKDF2Passlib
	}
	return FormatPBKDF2SFTPGo
}

func (p *pbkdf2Hash) ident() string {
	switch {
	case p.b64salt:
		return "pbkdf2-b64salt-sha256"
	case p.passlib && p.digest == pbkdf2SHA1:
		return "pbkdf2"
	}
	return "pbkdf2-" + p.digest.name
}

func (p *pbkdf2Hash) encode() string {
	key := stdPadded.EncodeToString(p.key)
	if p.passlib {
		key = encodeAB64(p.key)
	}
	return "$" + p.ident() + "$" + utoa(p.iterations) + "$" + p.saltField + "$" + key
}

// decodePBKDF2 parses "$" ident "$" iterations "$" salt "$" key.
//
// The idents pbkdf2-sha256 and pbkdf2-sha512 are used by both SFTPGo and
// passlib. passlib's checksum is exactly the digest size in adapted base64
// without padding (43 or 86 characters); SFTPGo's is standard base64 with
// padding, whose length is a multiple of 4. The two never collide.
//
// passlib's key is exactly the digest size. SFTPGo derives a key as long as
// the decoded checksum, so its form accepts 16 to 64 bytes (a shorter key
// would let a truncated checksum verify); its plain salt is the field's bytes,
// whatever they are apart from '$' (UTF-8 salts included), as SFTPGo reads
// it. Both forms require canonical encodings and an iteration count with no
// sign or leading zero; passlib's salt may be empty, as in passlib.
func decodePBKDF2(s string) (decoded, error) {
	f := strings.Split(s, "$")
	p := &pbkdf2Hash{}
	if len(f) < 2 {
		return nil, unknown("pbkdf2 prefix")
	}
	switch f[1] {
	case "pbkdf2":
		p.passlib, p.digest = true, pbkdf2SHA1
	case "pbkdf2-sha1":
		p.digest = pbkdf2SHA1
	case "pbkdf2-sha256":
		p.digest = pbkdf2SHA256
	case "pbkdf2-sha512":
		p.digest = pbkdf2SHA512
	case "pbkdf2-b64salt-sha256":
		p.b64salt, p.digest = true, pbkdf2SHA256
	default:
		return nil, unknown("pbkdf2 variant")
	}
	if len(f) != 5 {
		return nil, malformed("pbkdf2 hash has %d fields, want 5", len(f))
	}
	if !p.b64salt && p.digest != pbkdf2SHA1 && len(f[4]) == ab64Len(p.digest.size) && !strings.Contains(f[4], "=") {
		p.passlib = true
	}

	it, ok := parseUint(f[2])
	if !ok || it < 1 {
		return nil, malformed("pbkdf2 iteration count is not a positive canonical decimal")
	}
	if it > pbkdf2MaxIterations {
		return nil, malformed("pbkdf2 iteration count over %d", uint64(pbkdf2MaxIterations))
	}
	p.iterations = it
	p.saltField = f[3]

	switch {
	case p.passlib:
		if p.salt, ok = decodeAB64(f[3]); !ok {
			return nil, malformed("pbkdf2 salt is not canonical adapted base64")
		}
		if p.key, ok = decodeAB64(f[4]); !ok {
			return nil, malformed("pbkdf2 checksum is not canonical adapted base64")
		}
	default:
		if p.b64salt {
			if p.salt, ok = decodeStdPadded(f[3]); !ok {
				return nil, malformed("pbkdf2 salt is not canonical base64")
			}
		} else {
			p.salt = []byte(f[3])
		}
		if p.key, ok = decodeStdPadded(f[4]); !ok {
			return nil, malformed("pbkdf2 key is not canonical padded base64")
		}
	}
	switch {
	case p.passlib && len(p.key) != p.digest.size:
		return nil, malformed("pbkdf2 key is %d bytes, want %d for %s", len(p.key), p.digest.size, p.digest.name)
	case !p.passlib && (len(p.key) < sftpgoMinKey || len(p.key) > sftpgoMaxKey):
		return nil, malformed("pbkdf2 key is %d bytes, want %d to %d", len(p.key), sftpgoMinKey, sftpgoMaxKey)
	}
	return p, nil
}

// ab64Len is the length of n bytes in unpadded base64.
func ab64Len(n int) int { return (n*8 + 5) / 6 }

func (p *pbkdf2Hash) halfLimits(l Limits, n int) bool {
	return pbkdf2HalfLimits(p.iterations, len(p.key), p.digest, l)
}
func (p *pbkdf2Hash) maxPassword(l Limits) int { return 0 }

func (p *pbkdf2Hash) checkLimits(l Limits) error {
	return checkPBKDF2Work(p.iterations, len(p.key), p.digest, l)
}

func (p *pbkdf2Hash) verify(password string) (bool, error) {
	return pbkdf2Equal(p.digest, password, p.salt, p.iterations, p.key)
}

func (p *pbkdf2Hash) checksum(password string) ([]byte, error) {
	return pbkdf2Sum(p.digest, password, p.salt, p.iterations, len(p.key))
}

func (p *pbkdf2Hash) wrapSetting() string {
	return "$" + p.ident() + "$" + utoa(p.iterations) + "$" + p.saltField
}
func (p *pbkdf2Hash) storedChecksum() []byte { return p.key }

// pbkdf2Blocks is the number of digest-sized blocks PBKDF2 computes for a
// key of keyLen bytes: each costs the full iteration count.
func pbkdf2Blocks(keyLen int, d *pbkdf2Digest) uint64 {
	return uint64((keyLen + d.size - 1) / d.size)
}

// checkPBKDF2Work applies MaxPBKDF2Iterations to iterations × blocks.
func checkPBKDF2Work(iterations uint64, keyLen int, d *pbkdf2Digest, l Limits) error {
	blocks := pbkdf2Blocks(keyLen, d)
	if iterations > uint64(l.MaxPBKDF2Iterations)/blocks {
		return overLimit("pbkdf2 iterations %d × %d blocks, limit %d", iterations, blocks, l.MaxPBKDF2Iterations)
	}
	return nil
}

// pbkdf2HalfLimits reports whether iterations × blocks is at most half of
// MaxPBKDF2Iterations.
func pbkdf2HalfLimits(iterations uint64, keyLen int, d *pbkdf2Digest, l Limits) bool {
	return 2*iterations*pbkdf2Blocks(keyLen, d) <= uint64(l.MaxPBKDF2Iterations)
}

// pbkdf2Equal reports in constant time whether PBKDF2 of password gives
// want. The iteration count was bounded by checkPBKDF2Work.
func pbkdf2Equal(d *pbkdf2Digest, password string, salt []byte, iterations uint64, want []byte) (bool, error) {
	key, err := pbkdf2Sum(d, password, salt, iterations, len(want))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, want) == 1, nil
}

func pbkdf2Sum(d *pbkdf2Digest, password string, salt []byte, iterations uint64, keyLen int) ([]byte, error) {
	key, err := pbkdf2.Key(d.new, password, salt, int(iterations), keyLen)
	if err != nil {
		return nil, fmt.Errorf("hash: pbkdf2: %w", err)
	}
	return key, nil
}
