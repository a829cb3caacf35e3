package httpadapter

import (
	"net/http"
)

// readyz answers GET /readyz: 200 when the store answers in time
// (auth.Service.Ready), else 503 UNAVAILABLE with Retry-After.
func (h *Handler) readyz(x *call) error {
	if err := h.svc.Ready(x.ctx()); err != nil {
		return err
	}
	h.writeRawJSON(x.w, http.StatusOK, []byte(`{"status":"ready"}`))
	return nil
}

// certificateUser returns the subject common name of the client
// certificate of r, when Config.ClientCertLogin is on and the TLS
// handshake verified the certificate against the server's client CAs
// (tls.Config.ClientCAs with VerifyClientCertIfGiven or
// RequireAndVerifyClientCert). A certificate that was only requested, not
// verified, is never a credential.
func (h *Handler) certificateUser(r *http.Request) (string, bool) {
	if !h.certLogin || r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return "", false
	}
	leaf := r.TLS.VerifiedChains[0][0]
	return leaf.Subject.CommonName, true
}
