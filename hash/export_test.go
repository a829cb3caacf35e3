package hash

import "io"

// WithRand returns a copy of h whose salts are read from r, so tests can
// compare Hash's output with vectors made by independent tools.
func WithRand(h *Hasher, r io.Reader) *Hasher {
	c := *h
	c.rand = r
	return &c
}

// Decode exposes the strict parser for round-trip tests.
func Decode(encoded string) (string, error) {
	d, err := decode(encoded)
	if err != nil {
		return "", err
	}
	return d.encode(), nil
}

// CheckEncoded runs only the checks Verify makes before any hashing (length,
// strict parse, limits) under h's limits; a nil h means the defaults.
func CheckEncoded(h *Hasher, encoded string) error {
	_, err := decodeLimited(encoded, h.config().Limits)
	return err
}
