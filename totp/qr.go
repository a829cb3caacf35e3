package totp

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// QR code sizes, in pixels.
const (
	// DefaultQRSize is the PNG width and height QRPNG uses for size 0.
	DefaultQRSize = 256
	// MaxQRSize bounds the size QRPNG accepts.
	MaxQRSize = 2048
)

// quietZone is the white margin around a QR code, in modules, that
// ISO/IEC 18004 requires for reliable scanning.
const quietZone = 4

// QRPNG returns a size×size PNG of a QR code of k.URI(), for an
// authenticator app to scan. The code uses error correction level M, whole
// pixels per module and a four-module white margin, centred. size 0 means
// DefaultQRSize. It returns an error wrapping ErrInvalidKey for an invalid
// key (see Check) and ErrInvalidArgument for a size that is negative, above
// MaxQRSize, or too small for the code and its margin (URIs with long names
// need more modules). The image holds the secret: send it only to the key's
// owner, over TLS, and do not cache it.
func (k *Key) QRPNG(size int) ([]byte, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	if size == 0 {
		size = DefaultQRSize
	}
	if size < 0 || size > MaxQRSize {
		return nil, fmt.Errorf("%w: qr size %d outside 1..%d", ErrInvalidArgument, size, MaxQRSize)
	}
	code, err := qr.Encode(k.URI(), qr.M, qr.Auto)
	if err != nil {
		// The library's message may quote the content, which holds the secret.
		return nil, fmt.Errorf("%w: uri too long for a qr code", ErrInvalidArgument)
	}
	modules := code.Bounds().Dx()
	scale := size / (modules + 2*quietZone)
	if scale < 1 {
		return nil, fmt.Errorf("%w: qr size %d too small, need at least %d", ErrInvalidArgument, size, modules+2*quietZone)
	}
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	offset := (size - modules*scale) / 2
	for my := range modules {
		for mx := range modules {
			if r, _, _, _ := code.At(mx, my).RGBA(); r >= 0x8000 {
				continue // light module
			}
			x0, y0 := offset+mx*scale, offset+my*scale
			for y := y0; y < y0+scale; y++ {
				row := img.Pix[y*img.Stride:]
				for x := x0; x < x0+scale; x++ {
					row[x] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp: encoding png: %w", err)
	}
	return buf.Bytes(), nil
}
