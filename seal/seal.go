// Package seal encrypts and authenticates small secrets at rest (TOTP secrets,
// signing keys) with a host-supplied 32-byte key, using XChaCha20-Poly1305
// from golang.org/x/crypto.
//
// A sealed value is: version byte (1) || 24-byte random nonce || ciphertext+tag.
// The associated data binds a sealed value to its purpose and owner (for
// example "totp:"+userID), so a value copied into another record does not open.
//
// A *Sealer is the token.Sealer that token.SealKey and token.OpenKey take;
// auth derives its own from Config.SealingKey.
package seal

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of a sealing key in bytes.
const KeySize = chacha20poly1305.KeySize

const version byte = 1

var (
	// ErrKeySize is returned by New for a key that is not KeySize bytes.
	ErrKeySize = errors.New("seal: key must be 32 bytes")
	// ErrOpen is returned by Open when a sealed value is malformed, was sealed
	// with another key, or was bound to other associated data.
	ErrOpen = errors.New("seal: cannot open sealed value")
)

// Sealer seals and opens values with one key. It is safe for concurrent use.
type Sealer struct {
	aead interface {
		Seal(dst, nonce, plaintext, additionalData []byte) []byte
		Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
		NonceSize() int
		Overhead() int
	}
	rand io.Reader
}

// New returns a Sealer for key, which must be KeySize random bytes.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, ErrKeySize
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Sealer{aead: aead, rand: rand.Reader}, nil
}

// Seal encrypts plaintext bound to ad and returns the sealed value.
func (s *Sealer) Seal(plaintext, ad []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+s.aead.Overhead())
	out[0] = version
	if _, err := io.ReadFull(s.rand, out[1:]); err != nil {
		return nil, fmt.Errorf("seal: reading nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plaintext, ad), nil
}

// Open decrypts a value made by Seal with the same key and ad.
// It returns ErrOpen for anything else.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
