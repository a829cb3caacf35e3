package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, time.Now))
	got := regexp.MustCompile(`lt_\S*`).ReplaceAllString(out.String(), "lt_…")
	require.Equal(t, `created alice
wrong password: true unknown user: true
signed in as alice, can read_reports: true
TOTP active, 10 recovery codes
second factor required: true
API token lt_… authenticates alice
after revocation: true
`, got)
}
