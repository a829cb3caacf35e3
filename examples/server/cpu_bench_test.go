//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// envBenchServer names a server binary to measure instead of this one
// (another revision's, built with go build), for a comparison.
const envBenchServer = "LATCH_BENCH_SERVER"

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times on Linux.
const clockTicks = 100

// processCPU returns the user+system CPU time of process pid, all its
// threads, from /proc/<pid>/stat.
func processCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(b, err)
	// Fields after the command name (which may hold spaces) start at
	// the last ')'; utime and stime are fields 14 and 15.
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, err := strconv.ParseInt(fields[11], 10, 64)
	require.NoError(b, err)
	stime, err := strconv.ParseInt(fields[12], 10, 64)
	require.NoError(b, err)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// BenchmarkServerMeCPU runs the example server on SQLite and on
// PostgreSQL (with LATCH_TEST_POSTGRES) and sends GET /me from one
// loopback keep-alive client, with an access token and with an API
// token. It reports the server process's CPU time per request
// ("server-cpu-us/req", from /proc/<pid>/stat, all threads) besides the
// wall time per request. With LATCH_BENCH_SERVER set it measures that
// binary instead, so two revisions compare on the same load.
func BenchmarkServerMeCPU(b *testing.B) {
	if raceEnabled {
		b.Skip("measures CPU time; meaningless with -race")
	}
	bin := os.Getenv(envBenchServer)
	if bin == "" {
		bin = benchServerBinary(b)
	}
	backends := []struct {
		name string
		db   func(b *testing.B, dir string) string
	}{
		{"sqlite", func(_ *testing.B, dir string) string { return filepath.Join(dir, "latch.db") }},
		{"postgres", func(b *testing.B, _ string) string { return sqltest.OpenPostgresSchema(b) }},
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			dir := b.TempDir()
			s := startBench(b, bin, dir, []string{"-addr", "127.0.0.1:0", "-dev", "-db", be.db(b, dir)},
				"LATCH_ADMIN_PASSWORD=admin-password-bench")
			access, api := benchCredentials(b, s)
			for _, cred := range []struct{ name, bearer string }{{"access-token", access}, {"api-token", api}} {
				b.Run(cred.name, func(b *testing.B) {
					client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
					defer client.CloseIdleConnections()
					req, err := http.NewRequest(http.MethodGet, s.base+"/me", nil)
					require.NoError(b, err)
					req.Header.Set("Authorization", "Bearer "+cred.bearer)
					get := func() {
						resp, err := client.Do(req)
						if err != nil {
							b.Fatal(err)
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Fatalf("status %d", resp.StatusCode)
						}
					}
					for range 200 { // warm: connection, cache
						get()
					}
					pid := s.cmd.Process.Pid
					c0 := processCPU(b, pid)
					n := 0
					for b.Loop() {
						get()
						n++
					}
					cpu := processCPU(b, pid) - c0
					b.ReportMetric(float64(cpu.Microseconds())/float64(n), "server-cpu-us/req")
				})
			}
		})
	}
}

// benchServerBinary builds this revision's server without -race.
func benchServerBinary(b *testing.B) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), "latch-server")
	cmdOut, err := exec.Command("go", "build", "-o", out, ".").CombinedOutput()
	require.NoError(b, err, "%s", cmdOut)
	return out
}

// startBench is startWith for a benchmark.
func startBench(b *testing.B, bin, dir string, args []string, env ...string) *server {
	b.Helper()
	s := &server{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir
	s.cmd.Env = cleanEnv(env...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	require.NoError(b, s.cmd.Start())
	b.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		_ = s.cmd.Wait()
	})
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if addr, _, ok := listenedOn(s.stderr.String()); ok {
			s.root = "http://" + addr
			s.base = s.root + "/api/v1"
			return s
		}
	}
	b.Fatalf("server did not start: %s", s.stderr.String())
	return nil
}

// benchCredentials returns an access token and an API token of the
// admin user.
func benchCredentials(b *testing.B, s *server) (access, api string) {
	b.Helper()
	send := func(method, path, bearer string, basic bool, body string, out any) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, s.base+path, r)
		require.NoError(b, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if basic {
			req.SetBasicAuth("admin", "admin-password-bench")
		} else {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(b, err)
		require.Less(b, resp.StatusCode, 300, "%s %s: %s", method, path, raw)
		require.NoError(b, json.Unmarshal(raw, out), "%s", raw)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	send("GET", "/token", "", true, "", &tok)
	var me struct {
		ID string `json:"id"`
	}
	send("GET", "/me", tok.AccessToken, false, "", &me)
	var created struct {
		Token string `json:"token"`
	}
	send("POST", "/users/"+me.ID+"/api-tokens", tok.AccessToken, false, `{"name":"bench"}`, &created)
	return tok.AccessToken, created.Token
}
