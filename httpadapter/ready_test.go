package httpadapter_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/sqlstore/sqltest"
)

// testReadiness: /readyz is 200 while the store answers and 503
// UNAVAILABLE with Retry-After once it fails, while /healthz stays 200.
func testReadiness(t *testing.T, cov *coverage, b backend) {
	e := defaultEnv(t, cov, b)
	r := e.do(call{method: "GET", path: "/readyz"})
	expect(t, r, 200)
	assert.JSONEq(t, `{"status":"ready"}`, string(r.body))

	require.NoError(t, e.st.Close())
	r = e.do(call{method: "GET", path: "/readyz"})
	expect(t, r, 503, "UNAVAILABLE")
	assert.Equal(t, "5", r.header.Get("Retry-After"))
	assert.Contains(t, e.logs.String(), "unavailable")
	assert.Contains(t, e.logs.String(), "closed", "the cause is logged")
	assert.NotContains(t, string(r.body), "closed")
	expect(t, e.do(call{method: "GET", path: "/healthz"}), 200)
}

// tcpProxy forwards connections from a loopback port to target. Paused, it
// accepts connections and reads from both sides but forwards nothing, as
// a database host that stopped answering; dropped, it closes every
// connection and refuses new ones.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string

	mu      sync.Mutex
	ln      net.Listener
	resume  chan struct{} // closed while forwarding
	conns   map[net.Conn]struct{}
	stopped bool
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, target: target, resume: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	close(p.resume)
	p.listen("127.0.0.1:0")
	t.Cleanup(func() {
		p.mu.Lock()
		p.stopped = true
		p.mu.Unlock()
		p.unpause()
		p.drop()
	})
	return p
}

func (p *tcpProxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	require.NoError(p.t, err)
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
}

func (p *tcpProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *tcpProxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client) || !p.track(server) {
		_ = client.Close()
		_ = server.Close()
		return
	}
	go p.pipe(server, client)
	p.pipe(client, server)
}

// pipe copies src to dst, holding each chunk while the proxy is paused.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.resume
			p.mu.Unlock()
			<-gate
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *tcpProxy) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.resume:
		p.resume = make(chan struct{})
	default:
	}
}

func (p *tcpProxy) unpause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.resume:
	default:
		close(p.resume)
	}
}

// drop closes the listener and every connection.
func (p *tcpProxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.ln.Close()
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// TestReadyzPostgres puts a TCP proxy between a PostgreSQL store and the
// service: /readyz is 200, then 503 UNAVAILABLE within auth.ReadyTimeout
// while PostgreSQL stops answering (the proxy holds every byte) or cannot
// be reached (the proxy is gone), and 200 again once it answers.
func TestReadyzPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the readiness timeout")
	}
	t.Parallel()
	dsn := sqltest.OpenPostgresSchema(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	p := startProxy(t, u.Host)
	u.Host = p.addr
	st := sqltest.Open(t, u.String())
	svc, err := auth.New(t.Context(), st, auth.Config{SealingKey: make([]byte, 32)})
	require.NoError(t, err)
	h, err := httpadapter.New(svc, httpadapter.Config{})
	require.NoError(t, err)
	srv := newServer(t, h)

	get := func() (int, string, time.Duration) {
		t.Helper()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/readyz", nil)
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		if resp.StatusCode == 503 {
			assert.Equal(t, "5", resp.Header.Get("Retry-After"))
		}
		return resp.StatusCode, string(body), time.Since(start)
	}
	ready := func() {
		t.Helper()
		require.Eventually(t, func() bool { s, _, _ := get(); return s == 200 }, 30*time.Second, 50*time.Millisecond)
	}

	status, body, _ := get()
	require.Equal(t, 200, status, body)
	assert.JSONEq(t, `{"status":"ready"}`, body)

	t.Run("stops answering", func(t *testing.T) {
		p.pause()
		status, body, took := get()
		assert.Equal(t, 503, status)
		assert.JSONEq(t, `{"error":"UNAVAILABLE"}`, body)
		assert.GreaterOrEqual(t, took, auth.ReadyTimeout/2)
		assert.Less(t, took, auth.ReadyTimeout+10*time.Second)
		p.unpause()
		ready()
	})
	t.Run("unreachable", func(t *testing.T) {
		addr := p.addr
		p.drop()
		status, body, _ := get()
		assert.Equal(t, 503, status)
		assert.JSONEq(t, `{"error":"UNAVAILABLE"}`, body)
		// The store comes back at the same address.
		var err error
		for range 50 {
			var ln net.Listener
			if ln, err = net.Listen("tcp", addr); err == nil {
				_ = ln.Close()
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		require.NoError(t, err)
		p.listen(addr)
		ready()
	})
}
