package passkey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// The kinds of ceremony a state belongs to.
const (
	kindRegistration = "registration"
	kindLogin        = "login"        // a known user, with an allow list
	kindDiscoverable = "discoverable" // no user until the authenticator names one
)

// state is what a Begin function returns for its Finish, as JSON.
type state struct {
	Version int                  `json:"v"`
	Kind    string               `json:"kind"`
	Expires time.Time            `json:"expires"`
	Session webauthn.SessionData `json:"session"`
}

const stateVersion = 1

func (rp *RP) encodeState(kind string, s *webauthn.SessionData) ([]byte, error) {
	b, err := json.Marshal(state{Version: stateVersion, Kind: kind, Expires: rp.now().Add(Timeout).UTC(), Session: *s})
	if err != nil {
		return nil, fmt.Errorf("passkey: encoding state: %w", err)
	}
	return b, nil
}

// decodeState returns the session of b if b is current state of one of
// the kinds given, or an error wrapping ErrInvalidState.
func (rp *RP) decodeState(b []byte, kinds ...string) (string, *webauthn.SessionData, error) {
	bad := func(why string) (string, *webauthn.SessionData, error) {
		return "", nil, fmt.Errorf("%w: %s", ErrInvalidState, why)
	}
	if len(b) > MaxStateSize {
		return bad(fmt.Sprintf("larger than %d bytes", MaxStateSize))
	}
	var st state
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return bad("malformed")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("malformed")
	}
	if st.Version != stateVersion {
		return bad("unknown version")
	}
	known := false
	for _, k := range kinds {
		known = known || st.Kind == k
	}
	if !known {
		return bad("made for another kind of ceremony")
	}
	if st.Session.Challenge == "" {
		return bad("no challenge")
	}
	if !rp.now().Before(st.Expires) {
		return bad("expired")
	}
	if st.Session.RelyingPartyID != rp.cfg.RPID {
		return bad("made for another RP ID")
	}
	if (st.Kind == kindDiscoverable) != (len(st.Session.UserID) == 0) {
		return bad("inconsistent")
	}
	return st.Kind, &st.Session, nil
}
