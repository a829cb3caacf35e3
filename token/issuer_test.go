package token

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIssuer checks the iss claim: written by Sign when the keyring has an
// Issuer, and required exactly by Verify; tokens forged through golang-jwt
// carry the variants.
func TestIssuer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ring, err := NewKeyring(Config{Algorithm: AlgHS256, Audience: testAud, Issuer: "Latch", Leeway: testLeeway,
		Now: func() time.Time { return testNow }}, f.hs)
	require.NoError(t, err)

	signed, err := ring.Sign(Claims{Subject: "user-1", ExpiresAt: testNow.Add(time.Hour)})
	require.NoError(t, err)
	c, err := ring.Verify(signed)
	require.NoError(t, err)
	assert.Equal(t, "Latch", c.Issuer)
	_, err = f.ring.Verify(signed)
	require.NoError(t, err, "a keyring without an Issuer ignores iss")

	_, err = ring.Sign(Claims{Subject: "user-1", Issuer: "Other", ExpiresAt: testNow.Add(time.Hour)})
	require.ErrorIs(t, err, ErrIssuer)

	hdr := header("HS256", "hs-key")
	tests := []struct {
		name   string
		claims string
		want   error
	}{
		{"right issuer", claimsJSON(`,"iss":"Latch"`), nil},
		{"no issuer", claimsJSON(""), ErrIssuer},
		{"other issuer", claimsJSON(`,"iss":"Evil"`), ErrIssuer},
		{"issuer differing in case", claimsJSON(`,"iss":"latch"`), ErrIssuer},
		{"issuer as a number", claimsJSON(`,"iss":1`), ErrMalformed},
		{"issuer as an array", claimsJSON(`,"iss":["Latch"]`), ErrMalformed},
		{"case variant of iss", claimsJSON(`,"iss":"Latch","ISS":"x"`), ErrDuplicateClaim},
		{"audience of empty strings, no issuer", `{"aud":[""],"exp":` + fmt.Sprint(unix(time.Hour)) + `,"iat":` + fmt.Sprint(unix(0)) + `,"jti":"j"}`, ErrMissingClaim},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ring.Verify(forgeWith(t, f.hs, hdr, tc.claims))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
}
