package hash

import (
	"crypto/rand"
	"fmt"
	"io"
)

// Default policy and limits. They are constants: the package-level functions
// build their Hasher from them on each call, so there is no shared state.
const (
	// DefaultArgon2Time, DefaultArgon2Memory and DefaultArgon2Lanes are the
	// first configuration of the OWASP Password Storage Cheat Sheet for
	// Argon2id (m=19 MiB, t=2, p=1). About 25 ms on one core of a current
	// server, in the 20–60 ms range an interactive login can afford.
	// RFC 9106's second recommended option (t=3, m=64 MiB, p=4) costs about
	// 125 ms on a 2-core machine; set Config.Argon2 to use it.
	DefaultArgon2Time   = 2
	DefaultArgon2Memory = 19 * 1024 // KiB
	DefaultArgon2Lanes  = 1
	// DefaultSaltLength is the salt length of new hashes, 16 bytes
	// (RFC 9106 section 4 recommends 128 bits).
	DefaultSaltLength = 16
	// DefaultKeyLength is the Argon2 tag length of new hashes, 32 bytes
	// (RFC 9106 section 4).
	DefaultKeyLength = 32
	// DefaultBcryptCost is the bcrypt cost when the policy is bcrypt,
	// the OWASP minimum of 10.
	DefaultBcryptCost = 10
	// DefaultPBKDF2Iterations is the PBKDF2-HMAC-SHA256 iteration count
	// when the policy is PBKDF2, the OWASP recommendation (and SFTPGo's
	// default) of 600,000.
	DefaultPBKDF2Iterations = 600_000

	// DefaultMaxBcryptCost and the other DefaultMax constants are the
	// safety limits, applied when a Limits field is zero. Each bounds the
	// most expensive verification of its format to about a second on one
	// core of a current server (bcrypt 14, PBKDF2-HMAC-SHA512 at 2,000,000
	// iterations, sha512crypt at 1,000,000 rounds, Argon2 at 256 MiB × 4
	// passes), and each admits every cost common systems write: bcrypt 10
	// to 13, PBKDF2 up to 1,000,000 iterations, sha-crypt up to 1,000,000
	// rounds, Argon2 up to 64 MiB with t=3 (and libsodium's 256 MiB with
	// t=3), and mkpasswd's yescrypt and scrypt up to 256 MiB.
	DefaultMaxBcryptCost       = 14
	DefaultMaxPBKDF2Iterations = 2_000_000
	DefaultMaxSHACryptRounds   = 1_000_000
	DefaultMaxArgon2Memory     = 256 * 1024 // KiB
	DefaultMaxArgon2Time       = 16
	DefaultMaxArgon2Lanes      = 16
	// DefaultMaxArgon2MemoryTime bounds Argon2's work, memory × passes in
	// KiB: 1 GiB, e.g. 256 MiB with t=4 or 64 MiB with t=16.
	DefaultMaxArgon2MemoryTime = 1 << 20
	// DefaultMaxPhpassCost is log2 of the highest phpass iteration count:
	// 2^20 MD5 rounds (WordPress writes 2^8, phpBB 2^11, passlib 2^19).
	DefaultMaxPhpassCost    = 20
	DefaultMaxEncodedLength = 1024
	// MaxCryptPasswordLength bounds the password for md5crypt, apr1,
	// sha-crypt and phpass, whose cost grows with the password's length
	// (sha-crypt's with rounds × length): Verify returns
	// ErrPasswordTooLong for a longer one against such a hash, so a hash
	// made elsewhere from a longer password never verifies.
	MaxCryptPasswordLength = 256
	// DefaultMaxPasswordLength is 1024 bytes: far above the 64 characters
	// NIST SP 800-63B asks verifiers to accept. The formats whose cost
	// grows with the password's length take at most MaxCryptPasswordLength.
	DefaultMaxPasswordLength = 1024
)

// Floors that New enforces unless Config.InsecureAllowWeakParameters is set
// (OWASP Password Storage Cheat Sheet): the weakest Argon2id configuration it
// lists is m=7 MiB with t=5.
const (
	minStrongArgon2Memory     = 7 * 1024
	minStrongArgon2MemoryTime = 7 * 1024 * 5
	minStrongBcryptCost       = 10
	minStrongPBKDF2Iterations = 600_000
	minStrongSaltLength       = 16
	minStrongKeyLength        = 16
)

// Config is a password hashing policy and the safety limits that bound
// verification. The policy must cost at most half of what its Limits admit,
// so that Verify can retry a password in NFC against the hashes it makes. The zero Config is the recommended policy: Argon2id with the
// Default constants, and the DefaultMax limits. Each zero field takes its
// default; New returns ErrInvalidConfig for a value out of range.
type Config struct {
	// Algorithm is the format of new hashes: FormatArgon2id (the default),
	// or, for hosts whose other systems must read the hashes,
	// FormatBcrypt, FormatPBKDF2SFTPGo ($pbkdf2-b64salt-sha256$, which
	// SFTPGo writes) or FormatPBKDF2Passlib ($pbkdf2-sha256$).
	Algorithm Format

	// Argon2 holds the Argon2id parameters of new hashes.
	Argon2 Argon2Params

	// BcryptCost is the cost of new bcrypt hashes, 4 to 31; the default
	// is DefaultBcryptCost.
	BcryptCost int

	// PBKDF2 holds the PBKDF2-HMAC-SHA256 parameters of new hashes.
	PBKDF2 PBKDF2Params

	// Limits bound what Verify, Identify and NeedsRehash accept.
	Limits Limits

	// InsecureAllowWeakParameters lets New accept a policy below the
	// OWASP floors (Argon2id memory under 7 MiB or memory×time under
	// 35 MiB, bcrypt cost under 10, PBKDF2 under 600,000 iterations, salt
	// or tag under 16 bytes). It exists for tests and for hosts that must
	// match a legacy system; hashes it makes are cheap to crack.
	InsecureAllowWeakParameters bool
}

// Argon2Params are the Argon2id parameters of new hashes. Zero fields take
// the defaults.
type Argon2Params struct {
	// Time is the number of passes over memory (t), default
	// DefaultArgon2Time.
	Time int
	// Memory is the memory size in KiB (m), default DefaultArgon2Memory.
	// It must be at least 8×Lanes.
	Memory int
	// Lanes is the degree of parallelism (p), 1 to 255, default
	// DefaultArgon2Lanes.
	Lanes int
	// SaltLength is the salt length in bytes, 8 to 64, default
	// DefaultSaltLength.
	SaltLength int
	// KeyLength is the tag length in bytes, 4 to 64, default
	// DefaultKeyLength.
	KeyLength int
}

// PBKDF2Params are the PBKDF2-HMAC-SHA256 parameters of new hashes. Zero
// fields take the defaults.
type PBKDF2Params struct {
	// Iterations is the iteration count, default DefaultPBKDF2Iterations.
	Iterations int
	// SaltLength is the salt length in bytes, 8 to 64, default
	// DefaultSaltLength.
	SaltLength int
}

// Limits are the safety limits checked, before any hashing work, on every
// encoded hash given to Verify, Identify and NeedsRehash. An encoded hash over
// a limit is refused with ErrLimit. Zero fields take the DefaultMax values.
type Limits struct {
	// MaxBcryptCost is the highest bcrypt cost accepted, 4 to 31
	// (cost 14 is about 1 s on a current core, 16 about 4 s).
	MaxBcryptCost int
	// MaxPBKDF2Iterations is the highest PBKDF2 iteration count accepted,
	// at most 2^31-1.
	MaxPBKDF2Iterations int
	// MaxSHACryptRounds is the highest sha256crypt/sha512crypt rounds=
	// value accepted, 1000 to 999,999,999 (crypt's own bounds). A
	// password's length counts in it (see Hasher.Verify).
	MaxSHACryptRounds int
	// MaxArgon2Memory is the highest Argon2 memory accepted, in KiB, at
	// least 8 and at most 4 GiB.
	MaxArgon2Memory int
	// MaxArgon2Time is the highest Argon2 time (passes) accepted.
	MaxArgon2Time int
	// MaxArgon2MemoryTime is the highest Argon2 memory × time accepted,
	// in KiB, 8 to 2^36: the work of one verification.
	MaxArgon2MemoryTime int
	// MaxArgon2Lanes is the highest Argon2 parallelism accepted, 1 to 255.
	MaxArgon2Lanes int
	// MaxScryptMemory bounds scrypt and yescrypt, in KiB, 8 KiB to 4 GiB:
	// their memory is 128·N·r bytes and their work p times that, so the
	// limit applies to 128·N·r·p. Zero means MaxArgon2Memory, so that by
	// default no format may use more memory than Argon2 may.
	MaxScryptMemory int
	// MaxPhpassCost is the highest phpass cost (log2 of its MD5 rounds)
	// accepted, 7 to 30.
	MaxPhpassCost int
	// MaxEncodedLength is the longest encoded hash accepted, in bytes,
	// 256 to 65536.
	MaxEncodedLength int
	// MaxPasswordLength is the longest password accepted, in bytes, 64 to
	// 4096. Verify and Hash return ErrPasswordTooLong past it.
	MaxPasswordLength int
}

// Hasher verifies passwords against encoded hashes of any supported format
// and hashes new passwords with its policy. A Hasher is immutable and safe
// for concurrent use. The zero Hasher, and a nil *Hasher, behave like
// New(Config{}).
type Hasher struct {
	cfg   Config // resolved: every field set
	ready bool
	rand  io.Reader // nil means crypto/rand
}

// New returns a Hasher for cfg after filling zero fields with defaults. It
// returns an error wrapping ErrInvalidConfig for an unknown algorithm, a value
// out of range, a policy below the OWASP floors (unless
// InsecureAllowWeakParameters), or a policy over half of cfg's own Limits,
// since the Hasher could not verify its own hashes, or not retry a password
// typed in another Unicode form against them.
func New(cfg Config) (*Hasher, error) {
	r, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	return &Hasher{cfg: r, ready: true}, nil
}

// Config returns the Hasher's policy and limits with every default filled
// in.
func (h *Hasher) Config() Config { return h.config() }

// config returns the resolved policy; the zero Hasher uses the defaults.
func (h *Hasher) config() Config {
	if h == nil || !h.ready {
		return defaultConfig()
	}
	return h.cfg
}

func (h *Hasher) random() io.Reader {
	if h == nil || h.rand == nil {
		return rand.Reader
	}
	return h.rand
}

// defaultConfig is the resolved zero Config.
func defaultConfig() Config {
	return Config{
		Algorithm: FormatArgon2id,
		Argon2: Argon2Params{
			Time: DefaultArgon2Time, Memory: DefaultArgon2Memory, Lanes: DefaultArgon2Lanes,
			SaltLength: DefaultSaltLength, KeyLength: DefaultKeyLength,
		},
		BcryptCost: DefaultBcryptCost,
		PBKDF2:     PBKDF2Params{Iterations: DefaultPBKDF2Iterations, SaltLength: DefaultSaltLength},
		Limits: Limits{
			MaxBcryptCost:       DefaultMaxBcryptCost,
			MaxPBKDF2Iterations: DefaultMaxPBKDF2Iterations,
			MaxSHACryptRounds:   DefaultMaxSHACryptRounds,
			MaxArgon2Memory:     DefaultMaxArgon2Memory,
			MaxArgon2Time:       DefaultMaxArgon2Time,
			MaxArgon2Lanes:      DefaultMaxArgon2Lanes,
			MaxArgon2MemoryTime: DefaultMaxArgon2MemoryTime,
			MaxScryptMemory:     DefaultMaxArgon2Memory,
			MaxPhpassCost:       DefaultMaxPhpassCost,
			MaxEncodedLength:    DefaultMaxEncodedLength,
			MaxPasswordLength:   DefaultMaxPasswordLength,
		},
	}
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

func checkRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return invalid("%s %d out of range [%d, %d]", name, v, lo, hi)
	}
	return nil
}

// resolve fills defaults and validates.
func resolve(c Config) (Config, error) {
	d := defaultConfig()
	if c.Algorithm == "" {
		c.Algorithm = d.Algorithm
	}
	c.Argon2.Time = orDefault(c.Argon2.Time, d.Argon2.Time)
	c.Argon2.Memory = orDefault(c.Argon2.Memory, d.Argon2.Memory)
	c.Argon2.Lanes = orDefault(c.Argon2.Lanes, d.Argon2.Lanes)
	c.Argon2.SaltLength = orDefault(c.Argon2.SaltLength, d.Argon2.SaltLength)
	c.Argon2.KeyLength = orDefault(c.Argon2.KeyLength, d.Argon2.KeyLength)
	c.BcryptCost = orDefault(c.BcryptCost, d.BcryptCost)
	c.PBKDF2.Iterations = orDefault(c.PBKDF2.Iterations, d.PBKDF2.Iterations)
	c.PBKDF2.SaltLength = orDefault(c.PBKDF2.SaltLength, d.PBKDF2.SaltLength)
	l, dl := &c.Limits, d.Limits
	l.MaxBcryptCost = orDefault(l.MaxBcryptCost, dl.MaxBcryptCost)
	l.MaxPBKDF2Iterations = orDefault(l.MaxPBKDF2Iterations, dl.MaxPBKDF2Iterations)
	l.MaxSHACryptRounds = orDefault(l.MaxSHACryptRounds, dl.MaxSHACryptRounds)
	l.MaxArgon2Memory = orDefault(l.MaxArgon2Memory, dl.MaxArgon2Memory)
	l.MaxArgon2Time = orDefault(l.MaxArgon2Time, dl.MaxArgon2Time)
	l.MaxArgon2Lanes = orDefault(l.MaxArgon2Lanes, dl.MaxArgon2Lanes)
	l.MaxArgon2MemoryTime = orDefault(l.MaxArgon2MemoryTime, dl.MaxArgon2MemoryTime)
	l.MaxScryptMemory = orDefault(l.MaxScryptMemory, l.MaxArgon2Memory)
	l.MaxPhpassCost = orDefault(l.MaxPhpassCost, dl.MaxPhpassCost)
	l.MaxEncodedLength = orDefault(l.MaxEncodedLength, dl.MaxEncodedLength)
	l.MaxPasswordLength = orDefault(l.MaxPasswordLength, dl.MaxPasswordLength)

	type bounds struct {
		name      string
		v, lo, hi int
	}
	checks := []bounds{
		{"Limits.MaxBcryptCost", l.MaxBcryptCost, bcryptMinCost, bcryptMaxCost},
		{"Limits.MaxPBKDF2Iterations", l.MaxPBKDF2Iterations, 1, pbkdf2MaxLimit},
		{"Limits.MaxSHACryptRounds", l.MaxSHACryptRounds, shaCryptMinRounds, shaCryptMaxRounds},
		{"Limits.MaxArgon2Memory", l.MaxArgon2Memory, argon2MinMemory, 4 << 20},
		{"Limits.MaxArgon2Time", l.MaxArgon2Time, 1, 1 << 20},
		{"Limits.MaxArgon2Lanes", l.MaxArgon2Lanes, 1, 255},
		{"Limits.MaxArgon2MemoryTime", l.MaxArgon2MemoryTime, argon2MinMemory, 1 << 36},
		{"Limits.MaxScryptMemory", l.MaxScryptMemory, 8, 4 << 20},
		{"Limits.MaxPhpassCost", l.MaxPhpassCost, phpassMinCost, phpassMaxCost},
		{"Limits.MaxEncodedLength", l.MaxEncodedLength, 256, 1 << 16},
		{"Limits.MaxPasswordLength", l.MaxPasswordLength, 64, 4096},
	}
	// The policy's own parameters are checked only for the algorithm in use,
	// against the format's bounds and the Limits, so that every hash the
	// Hasher makes is one it accepts.
	switch c.Algorithm {
	case FormatArgon2id:
		checks = append(checks,
			bounds{"Argon2.Time", c.Argon2.Time, 1, l.MaxArgon2Time},
			bounds{"Argon2.Lanes", c.Argon2.Lanes, 1, l.MaxArgon2Lanes},
			bounds{"Argon2.Memory", c.Argon2.Memory, argon2MinMemory * max(c.Argon2.Lanes, 1), l.MaxArgon2Memory},
			bounds{"Argon2.SaltLength", c.Argon2.SaltLength, argon2MinSalt, 64},
			bounds{"Argon2.KeyLength", c.Argon2.KeyLength, argon2MinTag, 64})
	case FormatBcrypt:
		checks = append(checks, bounds{"BcryptCost", c.BcryptCost, bcryptMinCost, l.MaxBcryptCost})
	case FormatPBKDF2SFTPGo, FormatPBKDF2Passlib:
		checks = append(checks,
			bounds{"PBKDF2.Iterations", c.PBKDF2.Iterations, 1, l.MaxPBKDF2Iterations},
			bounds{"PBKDF2.SaltLength", c.PBKDF2.SaltLength, 8, 64})
	default:
		return Config{}, invalid("algorithm %q cannot be used for new hashes", string(c.Algorithm))
	}
	for _, r := range checks {
		if err := checkRange(r.name, r.v, r.lo, r.hi); err != nil {
			return Config{}, err
		}
	}
	if err := checkRetry(&c); err != nil {
		return Config{}, err
	}
	if !c.InsecureAllowWeakParameters {
		if err := checkStrong(&c); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// checkRetry requires the policy to cost at most half of what the Limits
// admit, so that Verify can retry a password typed in another Unicode form
// against the hashes Hash makes (see Hasher.Verify).
func checkRetry(c *Config) error {
	l, half := c.Limits, true
	switch c.Algorithm {
	case FormatArgon2id:
		half = 2*uint64(c.Argon2.Memory)*uint64(c.Argon2.Time) <= argon2MaxWork(l)
	case FormatBcrypt:
		half = c.BcryptCost < l.MaxBcryptCost
	case FormatPBKDF2SFTPGo, FormatPBKDF2Passlib:
		half = 2*c.PBKDF2.Iterations <= l.MaxPBKDF2Iterations
	}
	if !half {
		return invalid("the policy costs more than half of what Limits admit, so Verify could not retry a password in NFC against its hashes")
	}
	return nil
}

// checkStrong enforces the OWASP floors on the parameters the chosen
// algorithm uses.
func checkStrong(c *Config) error {
	weak := func(what string) error {
		return invalid("%s is below the OWASP floor (set InsecureAllowWeakParameters to allow it)", what)
	}
	switch c.Algorithm {
	case FormatArgon2id:
		a := c.Argon2
		if a.Memory < minStrongArgon2Memory || a.Memory*a.Time < minStrongArgon2MemoryTime {
			return weak(fmt.Sprintf("Argon2 m=%d KiB, t=%d", a.Memory, a.Time))
		}
		if a.SaltLength < minStrongSaltLength || a.KeyLength < minStrongKeyLength {
			return weak("Argon2 salt or key length")
		}
	case FormatBcrypt:
		if c.BcryptCost < minStrongBcryptCost {
			return weak(fmt.Sprintf("bcrypt cost %d", c.BcryptCost))
		}
	case FormatPBKDF2SFTPGo, FormatPBKDF2Passlib:
		if c.PBKDF2.Iterations < minStrongPBKDF2Iterations {
			return weak(fmt.Sprintf("PBKDF2 iterations %d", c.PBKDF2.Iterations))
		}
		if c.PBKDF2.SaltLength < minStrongSaltLength {
			return weak("PBKDF2 salt length")
		}
	}
	return nil
}
