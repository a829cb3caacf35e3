package httpadapter_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/httpadapter"
	"github.com/latchkit/latch/store/memstore"
	"github.com/latchkit/latch/totp"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert, key}
}

// client returns a client certificate for the common name cn.
func (ca *testCA) client(t *testing.T, cn string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestClientCertificateLogin serves the API over TLS with client
// certificates verified against a CA made here, and checks SFTPGo-style
// certificate login on the API and behind Require.
func TestClientCertificateLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := auth.New(t.Context(), memstore.New(), auth.Config{SealingKey: make([]byte, 32), Hasher: fastHasher(t)})
	require.NoError(t, err)
	mk := func(name string, perms ...string) *auth.User {
		u, err := svc.CreateUser(ctx, auth.Client{}, auth.System(), auth.CreateUserInput{
			Username: name, Password: name + "-password", Permissions: perms,
		})
		require.NoError(t, err)
		return u
	}
	alice := mk("alice", "view_reports")
	disabled := mk("bob")
	yes := true
	_, err = svc.UpdateUser(ctx, auth.System(), disabled.ID, auth.UpdateUserInput{Disabled: &yes})
	require.NoError(t, err)
	fenced := mk("carol")
	nets := []string{"198.51.100.0/24"}
	_, err = svc.UpdateUser(ctx, auth.System(), fenced.ID, auth.UpdateUserInput{AllowedIPs: &nets})
	require.NoError(t, err)
	dave := mk("dave")
	login, err := svc.LoginPassword(ctx, auth.Client{}, "dave", "dave-password")
	require.NoError(t, err)
	dp, err := svc.Authenticate(ctx, auth.Client{}, login.Token.AccessToken)
	require.NoError(t, err)
	en, err := svc.EnrollTOTP(ctx, dp, dave.ID)
	require.NoError(t, err)
	key, err := totp.ParseURI(en.OTPAuthURI)
	require.NoError(t, err)
	code, err := totp.Code(key, time.Now())
	require.NoError(t, err)
	_, err = svc.ActivateTOTP(ctx, auth.Client{}, dp, dave.ID, code)
	require.NoError(t, err)

	ca, otherCA := newTestCA(t, "Latch test client CA"), newTestCA(t, "Someone else's CA")
	serve := func(certLogin bool) *httptest.Server {
		h, err := httpadapter.New(svc, httpadapter.Config{ClientCertLogin: certLogin})
		require.NoError(t, err)
		mux := http.NewServeMux()
		mux.Handle("/api/v1/", http.StripPrefix("/api/v1", h))
		mux.Handle("GET /reports", h.Require("view_reports")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := httpadapter.PrincipalFrom(r.Context())
			_, _ = io.WriteString(w, p.Username+" "+string(p.Kind))
		})))
		srv := httptest.NewUnstartedServer(mux)
		roots := x509.NewCertPool()
		roots.AddCert(ca.cert)
		srv.TLS = &tls.Config{ClientCAs: roots, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv
	}
	srv := serve(true)
	clientWith := func(srv *httptest.Server, certs ...tls.Certificate) *http.Client {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = certs
		return &http.Client{Transport: tr}
	}
	get := func(c *http.Client, url, authz string) (int, string, error) {
		req, err := http.NewRequest("GET", url, nil)
		require.NoError(t, err)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b), nil
	}

	tests := []struct {
		name       string
		srv        *httptest.Server
		certs      []tls.Certificate
		path       string
		authz      string
		wantStatus int
		wantBody   string // a JSON error body, or a substring of a success
	}{
		{"user's certificate", srv, []tls.Certificate{ca.client(t, "alice")}, "/api/v1/me", "", 200, `"username":"alice"`},
		{"behind Require", srv, []tls.Certificate{ca.client(t, "alice")}, "/reports", "", 200, "alice certificate"},
		{"unknown user", srv, []tls.Certificate{ca.client(t, "mallory")}, "/api/v1/me", "", 401, `{"error":"UNAUTHORIZED"}`},
		{"disabled user", srv, []tls.Certificate{ca.client(t, "bob")}, "/api/v1/me", "", 403, `{"error":"ACCOUNT_DISABLED"}`},
		{"client IP not allowed", srv, []tls.Certificate{ca.client(t, "carol")}, "/api/v1/me", "", 403, `{"error":"IP_NOT_ALLOWED"}`},
		{"user with TOTP", srv, []tls.Certificate{ca.client(t, "dave")}, "/api/v1/me", "", 401, `{"error":"UNAUTHORIZED"}`},
		{"no certificate", srv, nil, "/api/v1/me", "", 401, `{"error":"UNAUTHORIZED"}`},
		{"Authorization header wins", srv, []tls.Certificate{ca.client(t, "alice")}, "/api/v1/me", "Bearer " + login.Token.AccessToken, 200, `"username":"dave"`},
		{"bad Authorization header, good certificate", srv, []tls.Certificate{ca.client(t, "alice")}, "/api/v1/me", "Bearer nonsense", 401, `{"error":"UNAUTHORIZED"}`},
		{"certificate login off", serve(false), []tls.Certificate{ca.client(t, "alice")}, "/api/v1/me", "", 401, `{"error":"UNAUTHORIZED"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, err := get(clientWith(tc.srv, tc.certs...), tc.srv.URL+tc.path, tc.authz)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, status, body)
			if strings.HasPrefix(tc.wantBody, "{") {
				assert.JSONEq(t, tc.wantBody, body)
			} else {
				assert.Contains(t, body, tc.wantBody)
			}
		})
	}

	t.Run("certificate of another CA", func(t *testing.T) {
		// A Go client sends no certificate the server's CA list does not
		// accept; present it anyway, as another client might.
		cert := otherCA.client(t, "alice")
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &cert, nil
		}
		_, _, err := get(&http.Client{Transport: tr}, srv.URL+"/api/v1/me", "")
		require.Error(t, err, "refused in the TLS handshake")
		assert.Contains(t, err.Error(), "certificate")
	})

	t.Run("password sign-in without a certificate", func(t *testing.T) {
		c := clientWith(srv)
		resp, err := c.Post(srv.URL+"/api/v1/login/password", "application/json",
			strings.NewReader(`{"identifier":"alice","password":"alice-password"}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		assert.NotEmpty(t, out["access_token"])
	})

	t.Run("optional credentials", func(t *testing.T) {
		// POST /users takes an optional credential: a certificate counts,
		// so alice (without add_users) is refused rather than treated as
		// an anonymous sign-up (which is off).
		c := clientWith(srv, ca.client(t, "alice"))
		resp, err := c.Post(srv.URL+"/api/v1/users", "application/json",
			strings.NewReader(`{"username":"eve","password":"eve-password-1"}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 403, resp.StatusCode, "%s", b)
		assert.JSONEq(t, `{"error":"FORBIDDEN"}`, string(b))
	})
	assert.NotEmpty(t, alice.ID)
}
