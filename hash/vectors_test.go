package hash_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// vector is one row of testdata/vectors*.jsonl, made by an independent tool
// (the row's command) by testdata/generate.py. Wrong rows hold a password
// that is not the one hashed; Error is "limit" for a hash over the default
// limits and "insecure" for one of a broken format.
type vector struct {
	Name     string `json:"name"`
	Format   string `json:"format"`
	Password string `json:"password"`
	Encoded  string `json:"encoded"`
	Command  string `json:"command"`
	Wrong    bool   `json:"wrong"`
	Error    string `json:"error"`
}

// loadVectors reads testdata/vectors.jsonl (the first formats, right
// passwords only) and testdata/vectors-formats.jsonl (the formats added with
// yescrypt, with wrong-password and error rows).
func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	var vs []vector
	for _, name := range []string{"testdata/vectors.jsonl", "testdata/vectors-formats.jsonl"} {
		f, err := os.Open(name)
		require.NoError(tb, err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var v vector
			require.NoError(tb, json.Unmarshal(sc.Bytes(), &v), sc.Text())
			vs = append(vs, v)
		}
		require.NoError(tb, sc.Err())
		require.NoError(tb, f.Close())
	}
	require.NotEmpty(tb, vs)
	return vs
}

func vectorByName(tb testing.TB, name string) vector {
	tb.Helper()
	for _, v := range loadVectors(tb) {
		if v.Name == name {
			return v
		}
	}
	tb.Fatalf("no vector %q", name)
	return vector{}
}
