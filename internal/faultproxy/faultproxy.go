// Package faultproxy is a TCP proxy for tests that puts network faults
// between a client and a real server (PostgreSQL): stalled, it holds every
// byte, as a partitioned network does (connections stay open, nothing
// arrives); cut, it closes every connection and each new one at once, as
// a server that went away.
package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards the TCP connections made to Addr to the upstream address.
type Proxy struct {
	// Addr is the proxy's listening address (127.0.0.1 and a free port).
	Addr string

	ln   net.Listener
	gate sync.RWMutex // write-locked while stalled

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

// Start starts a proxy to upstream; it stops when t ends.
func Start(t testing.TB, upstream string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	p := &Proxy{Addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]struct{}{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, upstream)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		p.closeAll()
	})
	return p
}

// Stall holds every byte in both directions, and every new connection,
// until Resume.
func (p *Proxy) Stall() { p.gate.Lock() }

// Resume ends a Stall.
func (p *Proxy) Resume() { p.gate.Unlock() }

// Cut closes every connection and closes new ones at once until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	p.mu.Unlock()
	p.closeAll()
}

// Restore ends a Cut.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

// waitOpen returns once the proxy is not stalled.
func (p *Proxy) waitOpen() {
	p.gate.RLock()
	defer p.gate.RUnlock()
}

func (p *Proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// track records cs, or closes them and reports false while cut.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		for _, c := range cs {
			_ = c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) serve(c net.Conn, upstream string) {
	p.waitOpen() // a connection made while stalled waits
	if !p.track(c) {
		return
	}
	u, err := net.Dial("tcp", upstream)
	if err != nil {
		_ = c.Close()
		return
	}
	if !p.track(u) {
		_ = c.Close()
		return
	}
	go p.pipe(u, c)
	p.pipe(c, u)
}

// pipe copies src to dst a chunk at a time, each chunk only while the
// proxy is not stalled.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.gate.RLock()
			_, werr := dst.Write(buf[:n])
			p.gate.RUnlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				_ = src.Close()
			}
			return
		}
	}
}
