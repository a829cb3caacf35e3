package passkey

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// BeginRegistration starts adding a passkey to user. It returns the
// options for the browser, a PublicKeyCredentialCreationOptionsJSON (the
// object PublicKeyCredential.parseCreationOptionsFromJSON reads, whose
// result goes to navigator.credentials.create as its publicKey member),
// and the state [RP.FinishRegistration] needs. The options ask for a
// discoverable passkey and user verification where the authenticator can
// do them, no attestation, and exclude the user's existing credentials so
// that one authenticator does not register twice.
//
// Keep state on the server (or sealed, so that the client can neither read
// nor change it), bound to this user, for at most [Timeout], and use it
// once: delete it before calling FinishRegistration.
func (rp *RP) BeginRegistration(user User, exclude []Credential) (options json.RawMessage, state []byte, err error) {
	if err := user.check(); err != nil {
		return nil, nil, err
	}
	creation, session, err := rp.wa.BeginRegistration(waUser{u: user}, webauthn.WithExclusions(descriptors(exclude)))
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: beginning registration: %w", err)
	}
	if options, err = json.Marshal(creation.Response); err != nil {
		return nil, nil, fmt.Errorf("passkey: encoding options: %w", err)
	}
	if state, err = rp.encodeState(kindRegistration, session); err != nil {
		return nil, nil, err
	}
	return options, state, nil
}

// FinishRegistration verifies the browser's answer to the options of
// [RP.BeginRegistration]: credentialJSON is its credential.toJSON(), a
// RegistrationResponseJSON. It checks the challenge, the origin, the RP ID
// hash, user presence, the algorithm and the attestation statement, and
// returns the new passkey for the store, which must refuse an ID it
// already holds.
//
// The error wraps [ErrInvalidState] for state that is not current
// registration state of this user, [ErrInvalidArgument] for a bad user,
// and [ErrInvalidCredential] for a credential refused.
func (rp *RP) FinishRegistration(user User, state, credentialJSON []byte) (Credential, error) {
	if err := user.check(); err != nil {
		return Credential{}, err
	}
	_, s, err := rp.decodeState(state, kindRegistration)
	if err != nil {
		return Credential{}, err
	}
	if !bytes.Equal(s.UserID, user.Handle) {
		return Credential{}, fmt.Errorf("%w: made for another user", ErrInvalidState)
	}
	if len(credentialJSON) > MaxCredentialSize {
		return Credential{}, refuse(fmt.Sprintf("larger than %d bytes", MaxCredentialSize))
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credentialJSON)
	if err != nil {
		return Credential{}, refuse("not a registration response")
	}
	c, err := rp.wa.CreateCredential(waUser{u: user}, *s, parsed)
	if err != nil {
		return Credential{}, refuse(rp.why(err, protocol.CreateCeremony, parsed.Response.CollectedClientData, parsed.Response.AttestationObject.AuthData, s, nil))
	}
	return fromWebauthn(c, parsed.Response.AttestationObject.AuthData.Flags.HasUserVerified()), nil
}
