package sqlstore

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkit/latch/store"
)

// Times are stored as int64 Unix microseconds. The zero time.Time is stored
// as its own (very negative) value, so it sorts before every real instant.
const zeroMicros = -62135596800000000

// micros returns t as a query argument, clamped to the representable range.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return zeroMicros
	}
	if lo := time.UnixMicro(math.MinInt64); t.Before(lo) {
		return math.MinInt64
	}
	if hi := time.UnixMicro(math.MaxInt64); t.After(hi) {
		return math.MaxInt64
	}
	return t.UnixMicro()
}

// storedMicros returns t as a stored value, or ErrInvalid when t does not
// fit (rather than storing a different instant).
func storedMicros(field string, t time.Time) (int64, error) {
	if t.IsZero() {
		return zeroMicros, nil
	}
	if t.Before(time.UnixMicro(math.MinInt64)) || t.After(time.UnixMicro(math.MaxInt64)) {
		return 0, fmt.Errorf("%w: %s is out of range", store.ErrInvalid, field)
	}
	return t.UnixMicro(), nil
}

// timeArgs converts the times of a record, stopping at the first that does
// not fit.
type timeArgs struct{ err error }

func (a *timeArgs) at(field string, t time.Time) int64 {
	if a.err != nil {
		return 0
	}
	v, err := storedMicros(field, t)
	a.err = err
	return v
}

// fromMicros returns a stored time: UTC, or the zero time.
func fromMicros(v int64) time.Time {
	if v == zeroMicros {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// encodeList stores a list as JSON text; a nil list is "null" so that nil
// and empty lists come back as they went in.
func encodeList(l []string) string {
	if l == nil {
		return "null"
	}
	b, err := json.Marshal(l)
	if err != nil { // cannot happen for []string
		return "null"
	}
	return string(b)
}

func decodeList(s string) ([]string, error) {
	if l, ok := decodeSimpleList(s); ok {
		return l, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("sqlstore: corrupt list column: %w", err)
	}
	return l, nil
}

// decodeSimpleList decodes what encodeList writes for lists of plain
// strings (valid UTF-8, no escapes or control characters), the common
// case, without reflection; ok is false for anything else, which
// json.Unmarshal then decodes.
func decodeSimpleList(s string) (l []string, ok bool) {
	switch s {
	case "null":
		return nil, true
	case "[]":
		return []string{}, true
	}
	if len(s) < 4 || s[0] != '[' || s[len(s)-1] != ']' || strings.IndexByte(s, '\\') >= 0 || !utf8.ValidString(s) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 { // control characters must be escaped in JSON
			return nil, false
		}
	}
	body := s[1 : len(s)-1]
	l = make([]string, 0, strings.Count(body, ",")+1)
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(body[1:], '"') + 1
		if end == 0 {
			return nil, false
		}
		l = append(l, body[1:end])
		body = body[end+1:]
		if body == "" {
			return l, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}

// validKey reports whether s can be a stored key of at most max bytes:
// non-empty valid UTF-8 without NUL. Lookups by any other value find
// nothing without asking the database (PostgreSQL would reject it).
func validKey(s string, max int) bool {
	return s != "" && len(s) <= max && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// validText reports whether s is valid UTF-8 without NUL, at most max
// bytes long (possibly empty).
func validText(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
