package hash

// smallMemory is the memory cost reported for a format that is not memory
// hard (bcrypt, PBKDF2, the crypt and digest formats): its state is a few
// KiB at most; this rounds that up with the buffers around it.
const smallMemory = 64 << 10

// MemoryCost returns the most memory, in bytes, that Verify allocates to
// check a password against encoded, so that a caller can bound the memory
// of the hashes it runs at once: the memory parameter of Argon2 (m KiB), 128·N·r
// bytes for scrypt and yescrypt (plus 128·r·p for scrypt), the larger of
// the two parts for a wrapped hash, and a small constant (64 KiB) for the
// formats that are not memory hard. It is 0 for an encoded hash that Verify
// refuses before any hashing work (unknown, malformed, insecure or over the
// Limits). It does no hashing. The memory of a new hash is the MemoryCost
// of any hash that Hash returns.
func (h *Hasher) MemoryCost(encoded string) int64 {
	d, err := decodeLimited(encoded, h.config().Limits)
	if err != nil {
		return 0
	}
	return memoryCost(d)
}

// memoryCost is the memory of verifying d, in bytes. The Limits checked
// before it keep every product far from overflowing.
func memoryCost(d decoded) int64 {
	switch d := d.(type) {
	case *argon2Hash:
		return max(smallMemory, int64(d.memory)<<10)
	case *scryptHash:
		return max(smallMemory, (int64(128)<<d.logN)*int64(d.r)+128*int64(d.r)*int64(d.p))
	case *yescryptHash:
		return max(smallMemory, (int64(128)<<d.logN)*int64(d.r))
	case *prefixedHash:
		return memoryCost(d.inner)
	case *wrappedHash:
		// The legacy checksum and the Argon2id over it run one after the
		// other.
		return max(memoryCost(d.legacy), memoryCost(d.outer))
	}
	return smallMemory
}
