package httpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/latchkit/latch/auth"
)

// statusTable is the one mapping from error code to HTTP status: every
// auth sentinel (API.md) and the adapter's own codes. A test checks that it
// lists every code of auth.Codes() exactly once and agrees with openapi.yaml.
var statusTable = []struct {
	code   string
	status int
}{
	{auth.ErrInvalidRequest.Code(), http.StatusBadRequest},
	{auth.ErrInvalidUsername.Code(), http.StatusBadRequest},
	{auth.ErrInvalidEmail.Code(), http.StatusBadRequest},
	{auth.ErrInvalidPassword.Code(), http.StatusBadRequest},
	{auth.ErrInvalidPasswordHash.Code(), http.StatusBadRequest},
	{auth.ErrUsernameAlreadyUsed.Code(), http.StatusConflict},
	{auth.ErrEmailAlreadyUsed.Code(), http.StatusConflict},
	{auth.ErrInvalidCredentials.Code(), http.StatusUnauthorized},
	{auth.ErrUnauthorized.Code(), http.StatusUnauthorized},
	{auth.ErrForbidden.Code(), http.StatusForbidden},
	{auth.ErrIPNotAllowed.Code(), http.StatusForbidden},
	{auth.ErrAccountDisabled.Code(), http.StatusForbidden},
	{auth.ErrNotFound.Code(), http.StatusNotFound},
	{auth.ErrIncorrectCode.Code(), http.StatusBadRequest},
	{auth.ErrTOTPAlreadyRegistered.Code(), http.StatusConflict},
	{auth.ErrTOTPNotRegistered.Code(), http.StatusBadRequest},
	{auth.ErrEmailNotVerified.Code(), http.StatusForbidden},
	{auth.ErrSecondFactorNotVerified.Code(), http.StatusForbidden},
	{auth.ErrAPITokenLimitReached.Code(), http.StatusConflict},
	{auth.ErrTooManyRequests.Code(), http.StatusTooManyRequests},
	{auth.ErrInternal.Code(), http.StatusInternalServerError},
	{auth.ErrUnavailable.Code(), http.StatusServiceUnavailable},
	{codeRequestTooLarge, http.StatusRequestEntityTooLarge},
	{codeMethodNotAllowed, http.StatusMethodNotAllowed},
}

// statusOf returns the status of an error code, and false for a code the
// table does not know.
func statusOf(code string) (int, bool) {
	for _, e := range statusTable {
		if e.code == code {
			return e.status, true
		}
	}
	return 0, false
}

// codeOf returns the error code of err: the adapter's own, or auth's
// (INTERNAL_ERROR for anything that is neither).
func codeOf(err error) string {
	if ce, ok := errors.AsType[*codeError](err); ok {
		return ce.code
	}
	return auth.CodeOf(err)
}

const (
	challengeBearer = "Bearer"
	challengeBasic  = `Basic realm="latch", charset="UTF-8"`
)

// setCommonHeaders marks a response of the adapter as uncacheable: many
// carry tokens, codes or secrets, and none is worth caching.
func setCommonHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// writeError answers with err's code and status. It adds Retry-After to
// 429s and a WWW-Authenticate challenge to 401s (Bearer unless the caller
// set one). INTERNAL_ERROR's cause goes to the logger only.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := codeOf(err)
	status, ok := statusOf(code)
	if !ok {
		// An auth code this adapter does not know (a newer auth): never
		// guess its status; the table test catches this in CI.
		err = fmt.Errorf("httpadapter: unmapped error code %q: %w", code, err)
		code, status = auth.ErrInternal.Code(), http.StatusInternalServerError
	}
	hdr := w.Header()
	setCommonHeaders(hdr)
	switch status {
	case http.StatusInternalServerError:
		h.logInternal(r, err)
	case http.StatusTooManyRequests:
		hdr.Set("Retry-After", strconv.FormatInt(retryAfterSeconds(err), 10))
	case http.StatusServiceUnavailable:
		hdr.Set("Retry-After", retryUnavailable)
		h.logUnavailable(r, err)
	case http.StatusUnauthorized:
		if hdr.Get("WWW-Authenticate") == "" {
			hdr.Set("WWW-Authenticate", challengeBearer)
		}
	}
	hdr.Set("Content-Type", "application/json")
	hdr.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":"` + code + `"}`))
}

// retryAfterSeconds returns the whole seconds (at least 1) of err's
// RateLimitError.
func retryAfterSeconds(err error) int64 {
	d := time.Second
	if rl, ok := errors.AsType[*auth.RateLimitError](err); ok && rl.RetryAfter > d {
		d = rl.RetryAfter
	}
	return int64((d + time.Second - 1) / time.Second)
}

func (h *Handler) logInternal(r *http.Request, err error) {
	if h.log == nil {
		return
	}
	level := slog.LevelError
	msg := "httpadapter: internal error"
	if errors.Is(err, context.Canceled) {
		level, msg = slog.LevelInfo, "httpadapter: request canceled"
	}
	h.log.LogAttrs(r.Context(), level, msg,
		slog.String("method", r.Method),
		slog.String("route", r.Pattern),
		slog.String("error", err.Error()))
}

// writeJSON answers with status and v as JSON.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.writeError(w, r, fmt.Errorf("httpadapter: encoding the response: %w", err))
		return
	}
	h.writeRawJSON(w, status, b)
}

// writeRawJSON answers with status and the JSON document b.
func (h *Handler) writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	hdr := w.Header()
	setCommonHeaders(hdr)
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeNoContent answers 204.
func writeNoContent(w http.ResponseWriter) {
	setCommonHeaders(w.Header())
	w.WriteHeader(http.StatusNoContent)
}
