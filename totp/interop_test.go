package totp_test

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// oathtool runs OATH Toolkit's oathtool, an independent C implementation of
// RFC 4226/6238, with the key's secret on standard input (hex) and returns
// its code.
func oathtool(t *testing.T, bin string, k *totp.Key, args ...string) string {
	t.Helper()
	args = append(args, "--digits="+strconv.Itoa(k.Digits), "-")
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(hex.EncodeToString(k.Secret))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "oathtool %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

func lookOathtool(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("oathtool")
	if err != nil {
		t.Skip("oathtool not installed (apt-get install oathtool); interop with OATH Toolkit not checked")
	}
	return bin
}

// TestOathtoolTOTP compares codes of generated keys with oathtool's, for
// every algorithm, code length and a few periods, at times chosen to cover
// step edges, and checks that Validate accepts oathtool's code.
func TestOathtoolTOTP(t *testing.T) {
	t.Parallel()
	bin := lookOathtool(t)
	times := []int64{0, 29, 30, 59, 1111111109, 1234567890, 1700000000, 2000000000, 4102444800, 20000000000}
	for _, alg := range []totp.Algorithm{totp.SHA1, totp.SHA256, totp.SHA512} {
		for _, digits := range []int{6, 7, 8} {
			for _, period := range []int{30, 60, 17} {
				t.Run(fmt.Sprintf("%s/%d/%ds", alg, digits, period), func(t *testing.T) {
					t.Parallel()
					k, err := totp.Generate(totp.Config{Algorithm: alg, Digits: digits, Period: period}, "interop")
					require.NoError(t, err)
					for _, unix := range times {
						now := time.Unix(unix, 0)
						want := oathtool(t, bin, k, "--totp="+string(alg), "--time-step-size="+strconv.Itoa(period)+"s", "--now=@"+strconv.FormatInt(unix, 10))
						got, err := totp.Code(k, now)
						require.NoError(t, err)
						assert.Equal(t, want, got, "at %d", unix)

						step, err := totp.Validate(want, k, now, -1, totp.NoSkew)
						require.NoError(t, err, "at %d", unix)
						assert.Equal(t, unix/int64(period), step)
					}
				})
			}
		}
	}
}

// TestOathtoolHOTP compares HOTP codes (oathtool's HOTP mode is SHA-1 only).
func TestOathtoolHOTP(t *testing.T) {
	t.Parallel()
	bin := lookOathtool(t)
	for _, digits := range []int{6, 7, 8} {
		t.Run(strconv.Itoa(digits), func(t *testing.T) {
			t.Parallel()
			k, err := totp.Generate(totp.Config{Digits: digits}, "interop")
			require.NoError(t, err)
			for _, counter := range []uint64{0, 1, 2, 9, 1000, 1 << 32, 1<<63 - 1} {
				want := oathtool(t, bin, k, "--hotp", "--counter="+strconv.FormatUint(counter, 10))
				got, err := totp.HOTPCode(k, counter)
				require.NoError(t, err)
				assert.Equal(t, want, got, "counter %d", counter)

				next, err := totp.ValidateHOTP(want, k, counter, 0)
				require.NoError(t, err)
				assert.Equal(t, counter+1, next)
			}
		})
	}
}

// TestOathtoolURISecret checks the secret as an authenticator app receives it:
// the base32 secret parameter of Key.URI, read with net/url and handed to
// oathtool's own base32 decoder (-b), gives the codes Code computes.
func TestOathtoolURISecret(t *testing.T) {
	t.Parallel()
	bin := lookOathtool(t)
	for _, cfg := range []totp.Config{
		{Issuer: "Latch"},
		{Issuer: "Big Co & Sons", Algorithm: totp.SHA256, Digits: 8, Period: 60, SecretSize: 32},
		{Algorithm: totp.SHA512, Digits: 7, SecretSize: 64},
		{SecretSize: 17}, // a secret whose base32 form needs padding, which URI omits
	} {
		k, err := totp.Generate(cfg, "alice@example.com")
		require.NoError(t, err)
		t.Run(fmt.Sprintf("%s/%d/%d", k.Algorithm, k.Digits, len(k.Secret)), func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(k.URI())
			require.NoError(t, err)
			secret := u.Query().Get("secret")
			require.NotEmpty(t, secret)
			const unix = 1700000000
			cmd := exec.Command(bin, "--totp="+string(k.Algorithm), "-b", "--digits="+strconv.Itoa(k.Digits),
				"--time-step-size="+strconv.Itoa(k.Period)+"s", "--now=@"+strconv.Itoa(unix), "-")
			cmd.Stdin = strings.NewReader(secret)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "oathtool: %s", out)
			got, err := totp.Code(k, time.Unix(unix, 0))
			require.NoError(t, err)
			assert.Equal(t, strings.TrimSpace(string(out)), got)
		})
	}
}
