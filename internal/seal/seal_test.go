package seal

import (
	"bytes"
	"errors"
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
