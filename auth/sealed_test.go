package auth

import (
	"bytes"
	"context"
	"encoding/base32"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
	"github.com/latchkit/latch/token"
	"github.com/latchkit/latch/totp"
)

// TestSecretsSealedInStore: neither the signing keys' material nor a TOTP
// secret (pending or active) reaches the store in the clear, on memstore
// and SQLite, and a second Service with the same sealing key over the same
// store opens them.
func TestSecretsSealedInStore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(testing.TB) store.Store
	}{
		{"memstore", func(testing.TB) store.Store { return memstore.New() }},
		{"sqlite", sqltest.SQLite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := tc.open(t)
			clock := NewFakeClock()
			cfg := Config{SealingKey: bytes.Repeat([]byte{0x5a}, 32), Now: clock.Now}
			s, err := New(t.Context(), st, cfg)
			require.NoError(t, err)

			// Signing keys: the stored bytes hold neither the material nor
			// the plain encoding of any key.
			_, err = s.RotateSigningKey(ctx, System())
			require.NoError(t, err)
			stored, err := st.SigningKeys(ctx)
			require.NoError(t, err)
			require.Len(t, stored, 2)
			for _, k := range s.keys.kr.Keys() {
				plain, err := k.MarshalBinary()
				require.NoError(t, err)
				material := plain[len(plain)-32:]
				for _, sk := range stored {
					assert.False(t, bytes.Contains(sk.Sealed, material), "key %s stored in the clear", k.ID)
				}
			}
			for _, sk := range stored {
				_, err := token.OpenKey(s.sealer, sk.Sealed)
				require.NoError(t, err)
			}

			// TOTP: the pending and the active secret are sealed.
			u, err := s.CreateUser(ctx, Client{}, System(), CreateUserInput{Username: "sealy", Password: "a good password"})
			require.NoError(t, err)
			c := Client{IP: netip.MustParseAddr("192.0.2.1")}
			res, err := s.LoginPassword(ctx, c, "sealy", "a good password")
			require.NoError(t, err)
			p, err := s.Authenticate(ctx, c, res.Token.AccessToken)
			require.NoError(t, err)
			en, err := s.EnrollTOTP(ctx, p, u.ID)
			require.NoError(t, err)
			secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
			require.NoError(t, err)
			pending, err := st.PendingTOTP(ctx, u.ID)
			require.NoError(t, err)
			assert.False(t, bytes.Contains(pending.Secret, secret), "pending secret stored in the clear")
			assert.NotContains(t, string(pending.Secret), en.Secret)
			key, err := totp.ParseURI(en.OTPAuthURI)
			require.NoError(t, err)
			code, err := totp.Code(key, clock.Now())
			require.NoError(t, err)
			_, err = s.ActivateTOTP(ctx, c, p, u.ID, code)
			require.NoError(t, err)
			active, err := st.ActiveTOTP(ctx, u.ID)
			require.NoError(t, err)
			assert.False(t, bytes.Contains(active.Secret, secret), "active secret stored in the clear")
			assert.False(t, strings.Contains(string(active.Secret), en.Secret))

			// Another instance with the same sealing key opens both.
			clock.Advance(30 * time.Second)
			s2, err := New(t.Context(), st, cfg)
			require.NoError(t, err)
			code, err = totp.Code(key, clock.Now())
			require.NoError(t, err)
			require.NoError(t, s2.VerifyTOTP(ctx, c, p, u.ID, code))
			_, err = s2.Authenticate(ctx, c, res.Token.AccessToken)
			require.NoError(t, err)
		})
	}
}
