package auth_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
)

// TestRestoreSealingKeyMismatch: a backup made by an installation with
// another sealing key is SEALING_KEY_MISMATCH (still an invalid request to
// older callers), changes nothing, and the log says why.
func TestRestoreSealingKeyMismatch(t *testing.T) {
	t.Parallel()
	other := newEnv(t, func(c *auth.Config) { c.SealingKey = bytes.Repeat([]byte{7}, 32) })
	p := other.principal(other.user("x", auth.PermAll).Username)
	other.enableTOTP(p)
	foreign, err := other.svc.Dump(ctx, auth.System())
	require.NoError(t, err)

	var logs syncBuffer
	dst := newEnv(t, func(c *auth.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	dst.user("keepme")
	before, err := dst.svc.Dump(ctx, auth.System())
	require.NoError(t, err)

	// The same backup with the signing keys of dst: now only the TOTP
	// secrets are foreign.
	var doc, own map[string]any
	require.NoError(t, json.Unmarshal(foreign, &doc))
	require.NoError(t, json.Unmarshal(before, &own))
	doc["signing_keys"] = own["signing_keys"]
	foreignTOTP, err := json.Marshal(doc)
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"signing keys", foreign},
		{"totp secrets", foreignTOTP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := dst.svc.Restore(ctx, auth.System(), tc.in)
			require.ErrorIs(t, err, auth.ErrSealingKeyMismatch)
			assert.ErrorIs(t, err, auth.ErrInvalidRequest)
			assert.Equal(t, "SEALING_KEY_MISMATCH", auth.CodeOf(err))
			assert.Contains(t, err.Error(), "does not open with this service's sealing key")
		})
	}
	after, err := dst.svc.Dump(ctx, auth.System())
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "a refused restore changes nothing")
	assert.Contains(t, logs.String(), `"msg":"auth.restore_refused"`)
	assert.Contains(t, logs.String(), `signing key 0 does not open with this service's sealing key`)
	assert.Contains(t, logs.String(), `totp secret 0 does not open with this service's sealing key`)
}
