package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSealRoundTrip(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := New(key)
	require.NoError(t, err)
	sealed, err := s.Seal([]byte("secret"), []byte("totp:u1"))
	require.NoError(t, err)
	require.NotContains(t, string(sealed), "secret")
	pt, err := s.Open(sealed, []byte("totp:u1"))
	require.NoError(t, err)
	require.Equal(t, []byte("secret"), pt)

	again, err := s.Seal([]byte("secret"), []byte("totp:u1"))
	require.NoError(t, err)
	require.NotEqual(t, sealed, again, "nonces must differ")
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	s, err := New(bytes.Repeat([]byte{1}, KeySize))
	require.NoError(t, err)
	other, err := New(bytes.Repeat([]byte{2}, KeySize))
	require.NoError(t, err)
	sealed, err := s.Seal([]byte("k"), []byte("ad"))
	require.NoError(t, err)

	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	badVersion := bytes.Clone(sealed)
	badVersion[0] = 9

	tests := []struct {
		name   string
		sealer *Sealer
		value  []byte
		ad     string
	}{
		{"wrong key", other, sealed, "ad"},
		{"wrong ad", s, sealed, "other"},
		{"tampered", s, flipped, "ad"},
		{"bad version", s, badVersion, "ad"},
		{"empty", s, nil, "ad"},
		{"short", s, sealed[:20], "ad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.sealer.Open(tc.value, []byte(tc.ad))
			require.True(t, errors.Is(err, ErrOpen), "got %v", err)
		})
	}
}

func TestNewKeySize(t *testing.T) {
	t.Parallel()
	_, err := New(make([]byte, 16))
	require.ErrorIs(t, err, ErrKeySize)
}

func FuzzOpen(f *testing.F) {
	s, err := New(bytes.Repeat([]byte{3}, KeySize))
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := s.Seal([]byte("x"), nil)
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := s.Open(b, nil)
		if err == nil && !bytes.Equal(pt, []byte("x")) {
			t.Fatalf("opened forged value")
		}
	})
}

// TestSealKnownAnswer checks the AEAD and the sealed layout against the
// AEAD_XChaCha20_Poly1305 test vector of draft-irtf-cfrg-xchacha-03,
// appendix A.3.1, copied verbatim, with the nonce injected.
func TestSealKnownAnswer(t *testing.T) {
	t.Parallel()
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		require.NoError(t, err)
		return b
	}
	var (
		plaintext = []byte("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")
		aad       = unhex("50515253c0c1c2c3c4c5c6c7")
		key       = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
		nonce     = unhex("404142434445464748494a4b4c4d4e4f5051525354555657")
		ct        = unhex("bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb" +
			"731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452" +
			"2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9" +
			"21f9664c97637da9768812f615c68b13b52e")
		tag = unhex("c0875924c1c7987947deafd8780acf49")
	)
	s, err := New(key)
	require.NoError(t, err)
	s.rand = bytes.NewReader(nonce)
	sealed, err := s.Seal(plaintext, aad)
	require.NoError(t, err)
	want := append(append(append([]byte{version}, nonce...), ct...), tag...)
	require.Equal(t, want, sealed)

	pt, err := s.Open(want, aad)
	require.NoError(t, err)
	require.Equal(t, plaintext, pt)
}

func TestSealRandomFailure(t *testing.T) {
	t.Parallel()
	s, err := New(bytes.Repeat([]byte{5}, KeySize))
	require.NoError(t, err)
	s.rand = bytes.NewReader(make([]byte, 10)) // shorter than a nonce
	_, err = s.Seal([]byte("x"), nil)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}
