package passkey

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// UserVerification says whether a login requires the authenticator to
// verify the user (PIN, biometrics), beyond their presence.
type UserVerification string

const (
	// VerificationRequired is for a passkey that is the only factor
	// (passwordless): the passkey is both something the user has and,
	// verified, something they know or are. A login without the UV flag
	// is refused.
	VerificationRequired UserVerification = "required"
	// VerificationPreferred is for a passkey as the second factor after a
	// password: the authenticator verifies the user if it can, and a
	// login without the UV flag is accepted.
	VerificationPreferred UserVerification = "preferred"
)

// BeginLogin starts a login of a known user (named by an identifier, or
// past the password step) with one of creds, the user's passkeys. It
// returns the options for the browser, a
// PublicKeyCredentialRequestOptionsJSON (the object
// PublicKeyCredential.parseRequestOptionsFromJSON reads) that allows only
// creds, and the state [RP.FinishLogin] needs. uv is
// [VerificationRequired] for a passwordless login and
// [VerificationPreferred] for a second factor.
//
// It returns ErrInvalidArgument for a user without passkeys: a caller that
// must not reveal whether an account has any can use
// [RP.BeginDiscoverableLogin] for those instead. Keep state as
// [RP.BeginRegistration] says.
func (rp *RP) BeginLogin(user User, creds []Credential, uv UserVerification) (options json.RawMessage, state []byte, err error) {
	if err := user.check(); err != nil {
		return nil, nil, err
	}
	if uv != VerificationRequired && uv != VerificationPreferred {
		return nil, nil, fmt.Errorf("%w: unknown user verification %q", ErrInvalidArgument, uv)
	}
	if len(creds) == 0 {
		return nil, nil, fmt.Errorf("%w: the user has no passkey", ErrInvalidArgument)
	}
	w := waUser{u: user, creds: make([]webauthn.Credential, len(creds))}
	for i, c := range creds {
		if len(c.ID) == 0 {
			return nil, nil, fmt.Errorf("%w: a credential without ID", ErrInvalidArgument)
		}
		w.creds[i] = c.webauthn()
	}
	assertion, session, err := rp.wa.BeginLogin(w, webauthn.WithUserVerification(protocol.UserVerificationRequirement(uv)))
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: beginning login: %w", err)
	}
	return rp.loginResult(kindLogin, assertion, session)
}

// BeginDiscoverableLogin starts a login without knowing the user: the
// browser offers the passkeys it has for the RP ID, and the chosen one
// names its user by the handle it was registered with. Such a login is
// passwordless, so it requires user verification. It returns the options
// for the browser (a PublicKeyCredentialRequestOptionsJSON without an
// allow list) and the state [RP.FinishLogin] needs; keep state as
// [RP.BeginRegistration] says.
func (rp *RP) BeginDiscoverableLogin() (options json.RawMessage, state []byte, err error) {
	assertion, session, err := rp.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: beginning login: %w", err)
	}
	return rp.loginResult(kindDiscoverable, assertion, session)
}

func (rp *RP) loginResult(kind string, a *protocol.CredentialAssertion, s *webauthn.SessionData) (json.RawMessage, []byte, error) {
	options, err := json.Marshal(a.Response)
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: encoding options: %w", err)
	}
	state, err := rp.encodeState(kind, s)
	if err != nil {
		return nil, nil, err
	}
	return options, state, nil
}

// Assertion is a browser's answer to login options, parsed but not
// verified: it says which passkey signed and, for a discoverable passkey,
// the handle of its user, so that the caller can find the user and the
// passkeys to verify it against with [RP.FinishLogin].
type Assertion struct {
	parsed *protocol.ParsedCredentialAssertionData
}

// ParseAssertion parses credentialJSON, the browser's credential.toJSON()
// for a login (an AuthenticationResponseJSON). It returns an error
// wrapping ErrInvalidCredential for input larger than MaxCredentialSize or
// not of that form. Nothing is verified yet.
func ParseAssertion(credentialJSON []byte) (*Assertion, error) {
	if len(credentialJSON) > MaxCredentialSize {
		return nil, refuse(fmt.Sprintf("larger than %d bytes", MaxCredentialSize))
	}
	p, err := protocol.ParseCredentialRequestResponseBytes(credentialJSON)
	if err != nil || len(p.Response.Signature) == 0 || p.Response.CollectedClientData.Type != protocol.AssertCeremony {
		return nil, refuse("not an assertion response")
	}
	return &Assertion{parsed: p}, nil
}

// CredentialID returns the ID of the passkey that signed (nil for an
// Assertion not made by ParseAssertion).
func (a *Assertion) CredentialID() []byte {
	if a == nil || a.parsed == nil {
		return nil
	}
	return bytes.Clone(a.parsed.RawID)
}

// UserHandle returns the user handle the authenticator returned, nil when
// it returned none (a passkey that is not discoverable). Look the user up
// by it after a discoverable login; it is not verified until FinishLogin
// succeeds.
func (a *Assertion) UserHandle() []byte {
	if a == nil || a.parsed == nil || len(a.parsed.Response.UserHandle) == 0 {
		return nil
	}
	return bytes.Clone(a.parsed.Response.UserHandle)
}

// FinishLogin verifies a, the answer to the options of [RP.BeginLogin] or
// [RP.BeginDiscoverableLogin] whose state is given, against user and
// creds, the user's passkeys (after a discoverable login, the user the
// assertion's user handle names). It checks that the passkey is one of
// creds and, after BeginLogin, one the options allowed; that the user
// handle, if any (always, after a discoverable login), is user's; the
// challenge, the origin, the RP ID hash, user presence, user verification
// when required, the backup eligibility, and the signature.
//
// It returns the passkey with its new signature counter and backup state,
// to store, and UserVerified telling whether the user was verified. The
// error wraps [ErrCloneDetected] when the counter did not increase though
// the authenticator counts (refuse, audit, and keep the stored counter),
// [ErrInvalidCredential] for an assertion refused, [ErrInvalidState] for
// state that is not current login state (or is another user's), and
// [ErrInvalidArgument] for a bad user.
func (rp *RP) FinishLogin(user User, creds []Credential, state []byte, a *Assertion) (Credential, error) {
	if err := user.check(); err != nil {
		return Credential{}, err
	}
	kind, s, err := rp.decodeState(state, kindLogin, kindDiscoverable)
	if err != nil {
		return Credential{}, err
	}
	if kind == kindLogin && !bytes.Equal(s.UserID, user.Handle) {
		return Credential{}, fmt.Errorf("%w: made for another user", ErrInvalidState)
	}
	if a == nil || a.parsed == nil {
		return Credential{}, refuse("no assertion")
	}
	p := a.parsed

	w := waUser{u: user, creds: make([]webauthn.Credential, 0, len(creds))}
	owned := make([][]byte, 0, len(creds))
	for _, c := range creds {
		if len(c.ID) == 0 {
			continue
		}
		w.creds = append(w.creds, c.webauthn())
		owned = append(owned, c.ID)
	}
	stored := indexOf(creds, p.RawID)
	if stored < 0 {
		return Credential{}, refuse("credential is not the user's")
	}
	if kind == kindLogin {
		if !containsID(s.AllowedCredentialIDs, p.RawID) {
			return Credential{}, refuse("credential was not allowed by this ceremony")
		}
		// Only the user's passkeys that still exist: one deleted since
		// BeginLogin must not fail a login with another.
		allowed := make([][]byte, 0, len(s.AllowedCredentialIDs))
		for _, id := range s.AllowedCredentialIDs {
			if containsID(owned, id) {
				allowed = append(allowed, id)
			}
		}
		s.AllowedCredentialIDs = allowed
	}
	switch uh := p.Response.UserHandle; {
	case len(uh) == 0 && kind == kindDiscoverable:
		return Credential{}, refuse("no user handle (the passkey is not discoverable)")
	case len(uh) != 0 && !bytes.Equal(uh, user.Handle):
		return Credential{}, refuse("user handle is not the user's")
	}

	var c *webauthn.Credential
	if kind == kindDiscoverable {
		_, c, err = rp.wa.ValidatePasskeyLogin(func(_, _ []byte) (webauthn.User, error) { return w, nil }, *s, p)
	} else {
		c, err = rp.wa.ValidateLogin(w, *s, p)
	}
	if err != nil {
		return Credential{}, refuse(rp.why(err, protocol.AssertCeremony, p.Response.CollectedClientData, p.Response.AuthenticatorData, s, &creds[stored]))
	}
	if c.Authenticator.CloneWarning {
		return Credential{}, ErrCloneDetected
	}
	out := creds[stored]
	out.ID = bytes.Clone(out.ID)
	out.PublicKey = bytes.Clone(out.PublicKey)
	out.AAGUID = bytes.Clone(out.AAGUID)
	out.Transports = append([]string(nil), out.Transports...)
	out.SignCount = c.Authenticator.SignCount
	out.BackupState = p.Response.AuthenticatorData.Flags.HasBackupState()
	out.UserVerified = p.Response.AuthenticatorData.Flags.HasUserVerified()
	return out, nil
}

func containsID(ids [][]byte, id []byte) bool {
	for _, x := range ids {
		if bytes.Equal(x, id) {
			return true
		}
	}
	return false
}

func indexOf(creds []Credential, id []byte) int {
	for i, c := range creds {
		if len(c.ID) != 0 && bytes.Equal(c.ID, id) {
			return i
		}
	}
	return -1
}
