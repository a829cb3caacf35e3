package sqlstore

import (
	"encoding/json"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store"
)

func TestSQLiteDSNs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dsn, writer, reader string
		memory                    bool
	}{
		{"path", "/tmp/a.db",
			"/tmp/a.db?_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_pragma=mmap_size%281073741824%29&_synchronous=NORMAL&_txlock=immediate",
			"/tmp/a.db?_busy_timeout=5000&_foreign_keys=1&_pragma=mmap_size%281073741824%29&_query_only=1&_synchronous=NORMAL", false},
		{"own settings kept, foreign keys forced", "file:a.db?_timeout=100&_fk=0&_sync=FULL&_txlock=deferred&_pragma=MMAP_SIZE(0)",
			"file:a.db?_foreign_keys=1&_journal_mode=WAL&_pragma=MMAP_SIZE%280%29&_sync=FULL&_timeout=100&_txlock=immediate",
			"file:a.db?_foreign_keys=1&_pragma=MMAP_SIZE%280%29&_query_only=1&_sync=FULL&_timeout=100", false},
		{"memory", ":memory:",
			":memory:?_busy_timeout=5000&_foreign_keys=1&_synchronous=NORMAL&_txlock=immediate",
			":memory:?_busy_timeout=5000&_foreign_keys=1&_query_only=1&_synchronous=NORMAL", true},
		{"memory URI", "file:x?mode=memory",
			"file:x?_busy_timeout=5000&_foreign_keys=1&_synchronous=NORMAL&_txlock=immediate&mode=memory",
			"file:x?_busy_timeout=5000&_foreign_keys=1&_query_only=1&_synchronous=NORMAL&mode=memory", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, r, memory, err := sqliteDSNs(tc.dsn)
			require.NoError(t, err)
			assert.Equal(t, tc.writer, w)
			assert.Equal(t, tc.reader, r)
			assert.Equal(t, tc.memory, memory)
		})
	}
}

func TestMicros(t *testing.T) {
	t.Parallel()
	for _, tm := range []time.Time{{}, time.Unix(0, 0).UTC(), time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC)} {
		v, err := storedMicros("t", tm)
		require.NoError(t, err)
		assert.Equal(t, store.StorageTime(tm), fromMicros(v), "%v", tm)
		assert.Equal(t, v, micros(tm))
	}
	far := time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := storedMicros("t", far)
	require.ErrorIs(t, err, store.ErrInvalid)
	assert.Equal(t, int64(math.MaxInt64), micros(far))
	assert.Equal(t, int64(math.MinInt64), micros(time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC)))
}

func TestList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		l    []string
	}{
		{"nil", nil},
		{"empty", []string{}},
		{"one", []string{"read"}},
		{"several", []string{"read", "write", "a,b", ""}},
		{"escapes", []string{`a"b`, `c\d`, "<&>", "\u2028", "tab\t"}},
		{"unicode", []string{"ünï", "日本"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeList(encodeList(tc.l))
			require.NoError(t, err)
			assert.Equal(t, tc.l, got)
		})
	}
	_, err := decodeList("{")
	require.Error(t, err)
}

// FuzzList checks that the fast list decoder agrees with encoding/json on
// every input it accepts, and that lists round-trip.
func FuzzList(f *testing.F) {
	for _, s := range []string{"null", "[]", `["a"]`, `["a","b"]`, `["a",]`, `[""]`, `["a"`, `[,]`, `["\u0041"]`, `[ "a" ]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if l, ok := decodeSimpleList(s); ok {
			var want []string
			require.NoError(t, json.Unmarshal([]byte(s), &want), "%q", s)
			require.Equal(t, want, l, "%q", s)
		}
		var l []string
		if json.Unmarshal([]byte(s), &l) == nil && utf8.ValidString(s) {
			got, err := decodeList(encodeList(l))
			require.NoError(t, err)
			require.Equal(t, l, got)
		}
	})
}

func TestPrefixEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		prefix, end string
		ok          bool
	}{
		{"auth:ip:", "auth:ip;", true},
		{"a", "b", true},
		{"a\u007f", "a\u0080", true},
		{"x\u00ff", "x\u0100", true},
		{"x\ud7ff", "x\ue000", true},
		{"x\U0010ffff", "y", true},
		{"\U0010ffff\U0010ffff", "", false},
	} {
		end, ok := prefixEnd(tc.prefix)
		assert.Equal(t, tc.ok, ok, "%q", tc.prefix)
		assert.Equal(t, tc.end, end, "%q", tc.prefix)
		if ok {
			assert.Less(t, tc.prefix, end)
			assert.Less(t, tc.prefix+"\U0010ffff\U0010ffff", end, "every extension of the prefix is below the end")
		}
	}
}
