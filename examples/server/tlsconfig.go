package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
)

// certReloader serves a certificate and key pair read from files, and
// reads them again on request (SIGHUP), so a renewed certificate is served
// without a restart. A pair that fails to load leaves the previous one in
// service.
type certReloader struct {
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// reload reads the files again.
func (r *certReloader) reload() error {
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		// LoadX509KeyPair's errors name the files' problem, never the key.
		return fmt.Errorf("loading TLS certificate: %w", err)
	}
	r.cert.Store(&cert)
	return nil
}

// getCertificate is tls.Config.GetCertificate.
func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cert.Load(), nil
}

// newTLSConfig returns the server's TLS configuration: TLS 1.2 at least,
// the reloader's certificate, and, with a client CA file, verification of
// the client certificates that clients present. Clients without one are
// still served (tls.VerifyClientCertIfGiven), so password sign-in keeps
// working; a certificate that does not verify fails the handshake.
func newTLSConfig(r *certReloader, clientCAFile string) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: r.getCertificate,
	}
	if clientCAFile != "" {
		pem, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("reading -client-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("-client-ca: no PEM certificate found")
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

// hstsValue is the Strict-Transport-Security of every response over TLS:
// browsers use HTTPS only for this host for a year. It leaves out
// includeSubDomains, which would bind other hosts of the domain.
const hstsValue = "max-age=31536000"

// hsts adds Strict-Transport-Security to responses on TLS connections.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", hstsValue)
		}
		next.ServeHTTP(w, r)
	})
}
