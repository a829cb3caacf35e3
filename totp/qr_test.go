package totp_test

import (
	"bytes"
	"crypto/sha512"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/totp"
)

// qrKeys are keys of various URI lengths for the QR tests. Their secrets
// are fixed so that the tests are deterministic.
func qrKeys(t *testing.T) map[string]*totp.Key {
	t.Helper()
	key := func(cfg totp.Config, account string) *totp.Key {
		k, err := totp.Generate(cfg, account)
		require.NoError(t, err)
		secret := sha512.Sum512([]byte(account))
		k.Secret = bytes.Repeat(secret[:], 2)[:len(k.Secret)]
		return k
	}
	return map[string]*totp.Key{
		"default":           key(totp.Config{Issuer: "Latch"}, "alice@example.com"),
		"no issuer":         key(totp.Config{}, "bob"),
		"escaped names":     key(totp.Config{Issuer: "Big Co & Sons"}, "zoë+test@example.com"),
		"sha512 64 bytes":   key(totp.Config{Issuer: "Latch", Algorithm: totp.SHA512, Digits: 8, Period: 60, SecretSize: 64}, "carol@example.com"),
		"128-byte secret":   key(totp.Config{Issuer: "Latch", SecretSize: totp.MaxSecretSize}, "dave@example.com"),
		"long account name": key(totp.Config{Issuer: "Latch"}, strings.Repeat("long.name", 20)+"@example.com"),
	}
}

// decodeGozxing decodes a QR code PNG with gozxing, a Go port of ZXing
// independent of the encoder. It reads the image as a pure barcode (an
// upright code on a white margin, which is what QRPNG draws): gozxing's
// finder-pattern search for photos misses a few percent of clean synthetic
// codes, ours and those of pquerna/otp's Key.Image alike, while zbarimg
// reads them all (TestQRPNGZbarimg).
func decodeGozxing(t *testing.T, pngData []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	require.NoError(t, err)
	return res.GetText()
}

func TestQRPNGDecodesToURI(t *testing.T) {
	t.Parallel()
	for name, k := range qrKeys(t) {
		for _, size := range []int{0, 300, 512} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				data, err := k.QRPNG(size)
				require.NoError(t, err)
				cfg, err := png.DecodeConfig(bytes.NewReader(data))
				require.NoError(t, err)
				want := size
				if want == 0 {
					want = totp.DefaultQRSize
				}
				assert.Equal(t, want, cfg.Width)
				assert.Equal(t, want, cfg.Height)

				uri := decodeGozxing(t, data)
				assert.Equal(t, k.URI(), uri)
				back, err := totp.ParseURI(uri)
				require.NoError(t, err)
				assert.Equal(t, *k, *back)
			})
		}
	}
}

// TestQRPNGZbarimg decodes the PNG with zbarimg (zbar-tools), the scanner
// library many Linux tools use.
func TestQRPNGZbarimg(t *testing.T) {
	t.Parallel()
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (apt-get install zbar-tools); QR interop with zbar not checked")
	}
	dir := t.TempDir()
	for name, k := range qrKeys(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := k.QRPNG(0)
			require.NoError(t, err)
			file := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".png")
			require.NoError(t, os.WriteFile(file, data, 0o600))
			out, err := exec.Command(zbarimg, "--raw", "--quiet", file).Output()
			require.NoError(t, err)
			assert.Equal(t, k.URI(), strings.TrimRight(string(out), "\n"))
		})
	}
}

func TestQRPNGQuietZone(t *testing.T) {
	t.Parallel()
	k := qrKeys(t)["default"]
	data, err := k.QRPNG(400)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	// Find the dark area and check the white margin is at least 4 modules
	// (the module size is the width of the top-left finder's dark run / 7).
	b := img.Bounds()
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, -1, -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dark(img, x, y) {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	run := 0
	for x := minX; x < b.Max.X && dark(img, x, minY); x++ {
		run++
	}
	module := run / 7
	require.Positive(t, module)
	assert.Equal(t, 0, run%7, "finder pattern is not a whole number of pixels per module")
	for _, margin := range []int{minX, minY, b.Max.X - 1 - maxX, b.Max.Y - 1 - maxY} {
		assert.GreaterOrEqual(t, margin, 4*module)
	}
}

func dark(img image.Image, x, y int) bool {
	r, _, _, _ := img.At(x, y).RGBA()
	return r < 0x8000
}

func TestQRPNGInvalidSize(t *testing.T) {
	t.Parallel()
	k := qrKeys(t)["default"]
	for _, size := range []int{-1, 10, 28, totp.MaxQRSize + 1} {
		data, err := k.QRPNG(size)
		require.ErrorIs(t, err, totp.ErrInvalidArgument, "size %d", size)
		assert.Nil(t, data)
	}
	_, err := k.QRPNG(totp.MaxQRSize)
	require.NoError(t, err)
}
