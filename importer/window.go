package importer

import (
	"bytes"
	"fmt"
	"io"
)

// window bounds what a decoder that buffers whole values (encoding/json,
// encoding/csv) can read past the point it has consumed: the underlying
// reader fails with ErrTooLarge once more than limit bytes are read past
// the mark, so one huge value cannot grow the decoder's buffer without
// bound. It also counts newlines, for line numbers.
type window struct {
	r     io.Reader
	read  int64 // bytes read from r
	lines int   // newlines in them
	mark  int64 // offset the decoder has consumed to (set by the reader)
	limit int64
	what  string // what the limit is on, for the error
	err   error
}

func newWindow(r io.Reader, limit int64, what string) *window {
	return &window{r: r, limit: limit, what: what}
}

// slack is what a decoder reads ahead of the value it decodes.
const slack = 64 << 10

func (w *window) Read(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	room := w.mark + w.limit + slack - w.read
	if room <= 0 {
		w.err = fmt.Errorf("%w: %s longer than %d bytes", ErrTooLarge, w.what, w.limit)
		return 0, w.err
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := w.r.Read(p)
	w.read += int64(n)
	w.lines += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

// setMark records that the decoder has consumed everything before offset.
func (w *window) setMark(offset int64) { w.mark = offset }

// line returns the 1-based line of the last byte read.
func (w *window) line() int { return w.lines + 1 }
