package totp_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

func TestKeyNeverPrintsItsSecret(t *testing.T) {
	t.Parallel()
	k, err := totp.Generate(totp.Config{Issuer: "Latch"}, "ann")
	require.NoError(t, err)
	holder := struct{ K totp.Key }{*k}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q"} {
		t.Run(verb, func(t *testing.T) {
			for _, v := range []any{*k, k, holder} {
				out := fmt.Sprintf(verb, v)
				assert.NotContains(t, out, fmt.Sprint(k.Secret[0:4]), "as decimal bytes")
				assert.NotContains(t, out, fmt.Sprintf("%x", k.Secret[:4]), "as hex")
				assert.Contains(t, out, "REDACTED")
			}
		})
	}
}
