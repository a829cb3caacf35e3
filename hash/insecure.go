package hash

// insecureHash is a recognised hash of a broken format. decodeLimited refuses
// it with ErrInsecureFormat before anything else is done with it.
type insecureHash struct {
	fmt Format
	raw string
}

func (h *insecureHash) format() Format              { return h.fmt }
func (h *insecureHash) encode() string              { return h.raw }
func (h *insecureHash) checkLimits(Limits) error    { return nil }
func (h *insecureHash) halfLimits(Limits, int) bool { return false }
func (h *insecureHash) maxPassword(l Limits) int    { return 0 }
func (h *insecureHash) verify(string) (bool, error) {
	return false, ErrInsecureFormat
}

const (
	desCryptLength  = 13 // 2 salt + 11 checksum characters
	bsdiCryptLength = 20 // "_" + 4 count + 4 salt + 11 checksum
	ntHashLength    = 36 // "$3$$" + 32 hex digits
)

// decodeDESCrypt names a traditional DES crypt hash: 13 characters of
// crypt's alphabet.
func decodeDESCrypt(s string) (decoded, error) {
	return &insecureHash{fmt: FormatDESCrypt, raw: s}, nil
}

// decodeBSDICrypt names a BSDi extended DES hash: "_" and 19 characters of
// crypt's alphabet.
func decodeBSDICrypt(s string) (decoded, error) {
	if len(s) != bsdiCryptLength || !isHash64(s[1:]) {
		return nil, unknown("unrecognised prefix")
	}
	return &insecureHash{fmt: FormatBSDICrypt, raw: s}, nil
}

// decodeNTHash names an NT hash in crypt's form, $3$$ and 32 lower-case hex
// digits (libxcrypt).
func decodeNTHash(s string) (decoded, error) {
	if len(s) != ntHashLength || s[:4] != "$3$$" {
		return nil, malformed("nt hash is not $3$$ and 32 hex digits")
	}
	if _, ok := decodeLowerHex(s[4:]); !ok {
		return nil, malformed("nt hash is not $3$$ and 32 hex digits")
	}
	return &insecureHash{fmt: FormatNTHash, raw: s}, nil
}
