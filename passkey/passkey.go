package passkey

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Timeout is how long a ceremony may take, from Begin to Finish. The
// options tell the browser, and the Finish functions refuse state older
// than this with [ErrInvalidState]. Keep stored state no longer.
const Timeout = 5 * time.Minute

// Limits on input. Larger input is refused before it is parsed.
const (
	MaxCredentialSize = 64 << 10 // bytes of a credential's JSON (credential.toJSON())
	MaxStateSize      = 64 << 10 // bytes of ceremony state
	MinUserHandleSize = 16       // bytes of User.Handle
	MaxUserHandleSize = 64       // bytes of User.Handle (WebAuthn's limit)
	MaxUserNameSize   = 256      // bytes of User.Name and User.DisplayName
)

// RP is a WebAuthn relying party: it runs the registration and login
// ceremonies for one [Config]. It keeps nothing between calls, so one RP
// serves any number of concurrent ceremonies.
type RP struct {
	cfg Config
	wa  *webauthn.WebAuthn
	now func() time.Time
}

// New returns the relying party of cfg, or an error wrapping
// ErrInvalidConfig.
func New(cfg Config) (*RP, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          c.RPID,
		RPDisplayName: c.RPDisplayName,
		RPOrigins:     c.RPOrigins,
		// What the options ask of a new passkey: discoverable if the
		// authenticator can, the user verified if it can. A login states
		// its own requirement.
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementPreferred,
			RequireResidentKey: protocol.ResidentKeyNotRequired(),
			UserVerification:   protocol.VerificationPreferred,
		},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: Timeout, TimeoutUVD: Timeout},
			Registration: webauthn.TimeoutConfig{Timeout: Timeout, TimeoutUVD: Timeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return &RP{cfg: c, wa: wa, now: time.Now}, nil
}

// Config returns the configuration in effect, with the defaults filled in.
func (rp *RP) Config() Config {
	c := rp.cfg
	c.RPOrigins = append([]string(nil), c.RPOrigins...)
	return c
}

// User is the account a passkey belongs to, as the browser and the
// authenticator see it.
type User struct {
	// Handle is WebAuthn's user.id: MinUserHandleSize to MaxUserHandleSize
	// random bytes made once per user ([NewUserHandle]) and kept with the
	// user. Authenticators store it with a discoverable passkey and return
	// it at login, where it finds the user. It must not be the user's ID,
	// name or email, or derived from them: it is readable by anyone with
	// the authenticator.
	Handle []byte
	// Name is the account's name the user recognises (a username or an
	// email address), at most MaxUserNameSize bytes of UTF-8.
	Name string
	// DisplayName is a friendlier name, such as the person's name, shown
	// beside Name; empty means Name.
	DisplayName string
}

// NewUserHandle returns a new random user handle of 32 bytes, from
// crypto/rand.
func NewUserHandle() []byte {
	h := make([]byte, 32)
	_, _ = rand.Read(h) // crypto/rand.Read never fails
	return h
}

func (u User) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...)
	}
	if n := len(u.Handle); n < MinUserHandleSize || n > MaxUserHandleSize {
		return bad("user handle of %d bytes, not %d..%d", n, MinUserHandleSize, MaxUserHandleSize)
	}
	if u.Name == "" {
		return bad("empty user name")
	}
	if msg := checkText(u.Name, MaxUserNameSize); msg != "" {
		return bad("user name %s", msg)
	}
	if msg := checkText(u.DisplayName, MaxUserNameSize); msg != "" {
		return bad("user display name %s", msg)
	}
	return nil
}

// Credential is a registered passkey: what the store keeps, and gives back
// for a login. Its ID must be unique among all users' passkeys: the store
// must refuse to register an ID it already has, whoever owns it.
type Credential struct {
	// ID is the credential ID the authenticator chose, 1 to 1023 bytes.
	ID []byte
	// PublicKey is the credential public key as a COSE_Key (CBOR).
	PublicKey []byte
	// SignCount is the authenticator's signature counter as last seen; 0
	// for an authenticator that does not count.
	SignCount uint32
	// AAGUID identifies the authenticator model (16 bytes, zero when the
	// authenticator does not say).
	AAGUID []byte
	// Transports are the ways the browser can reach the authenticator
	// ("internal", "hybrid", "usb", "nfc", "ble", "smart-card"), a hint
	// for later logins.
	Transports []string
	// BackupEligible reports whether the passkey can be synced or backed
	// up; it never changes, and a login that says otherwise is refused.
	BackupEligible bool
	// BackupState reports whether the passkey is currently backed up; a
	// login updates it.
	BackupState bool
	// UserVerified reports whether the authenticator verified the user (PIN,
	// biometrics) in the ceremony that returned this value. It is a fact
	// about that ceremony, not a property to store; no ceremony reads it.
	UserVerified bool
	// AttestationType and AttestationFormat describe the attestation of
	// the registration ("none", or "self" with "packed", ...).
	AttestationType   string
	AttestationFormat string
}

// knownTransports are the AuthenticatorTransport values WebAuthn defines;
// others are dropped rather than stored.
var knownTransports = map[string]bool{"usb": true, "nfc": true, "ble": true, "smart-card": true, "hybrid": true, "internal": true}

func (c Credential) webauthn() webauthn.Credential {
	transports := make([]protocol.AuthenticatorTransport, 0, len(c.Transports))
	for _, t := range c.Transports {
		if knownTransports[t] {
			transports = append(transports, protocol.AuthenticatorTransport(t))
		}
	}
	return webauthn.Credential{
		ID:                c.ID,
		PublicKey:         c.PublicKey,
		AttestationType:   c.AttestationType,
		AttestationFormat: c.AttestationFormat,
		Transport:         transports,
		Flags: webauthn.CredentialFlags{
			UserPresent:    true,
			BackupEligible: c.BackupEligible,
			BackupState:    c.BackupState,
		},
		Authenticator: webauthn.Authenticator{
			AAGUID:    c.AAGUID,
			SignCount: c.SignCount,
		},
	}
}

func fromWebauthn(c *webauthn.Credential, uv bool) Credential {
	var transports []string
	for _, t := range c.Transport {
		if s := string(t); knownTransports[s] && !slices.Contains(transports, s) {
			transports = append(transports, s)
		}
	}
	return Credential{
		ID:                bytes.Clone(c.ID),
		PublicKey:         bytes.Clone(c.PublicKey),
		SignCount:         c.Authenticator.SignCount,
		AAGUID:            bytes.Clone(c.Authenticator.AAGUID),
		Transports:        transports,
		BackupEligible:    c.Flags.BackupEligible,
		BackupState:       c.Flags.BackupState,
		UserVerified:      uv,
		AttestationType:   c.AttestationType,
		AttestationFormat: c.AttestationFormat,
	}
}

// waUser adapts a User and its credentials to go-webauthn.
type waUser struct {
	u     User
	creds []webauthn.Credential
}

func (w waUser) WebAuthnID() []byte                         { return w.u.Handle }
func (w waUser) WebAuthnName() string                       { return w.u.Name }
func (w waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }
func (w waUser) WebAuthnDisplayName() string {
	if w.u.DisplayName == "" {
		return w.u.Name
	}
	return w.u.DisplayName
}

func descriptors(creds []Credential) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, len(creds))
	for i, c := range creds {
		wc := c.webauthn()
		out[i] = wc.Descriptor()
	}
	return out
}

// refuse returns an error wrapping ErrInvalidCredential that says which
// check failed. It names only checks, never a value from the request.
func refuse(why string) error {
	return fmt.Errorf("%w: %s", ErrInvalidCredential, why)
}

// why tells which check a response failed, for the message: the client
// data and authenticator data are compared with the session here, so that
// the reason does not depend on go-webauthn's messages; what remains is
// named by go-webauthn's error type, a fixed word. stored is the passkey
// a login used, nil for a registration.
func (rp *RP) why(err error, ceremony protocol.CeremonyType, cd protocol.CollectedClientData, ad protocol.AuthenticatorData, s *webauthn.SessionData, stored *Credential) string {
	rpIDHash := sha256.Sum256([]byte(s.GetRelyingPartyID(rp.cfg.RPID)))
	switch {
	case cd.Type != ceremony:
		return "client data is not of this kind of ceremony"
	case cd.Challenge != s.Challenge:
		return "challenge is not this ceremony's"
	case !protocol.IsOriginInHaystack(cd.Origin, s.GetOrigins(rp.cfg.RPOrigins)):
		return "origin is not one of the configured origins"
	case cd.CrossOrigin:
		return "cross-origin request"
	case !bytes.Equal(ad.RPIDHash, rpIDHash[:]):
		return "RP ID hash is not the RP ID's"
	case !ad.Flags.HasUserPresent():
		return "user not present"
	case s.UserVerification == protocol.VerificationRequired && !ad.Flags.HasUserVerified():
		return "user not verified"
	case ad.Flags.HasBackupState() && !ad.Flags.HasBackupEligible():
		return "backup state without backup eligibility"
	case stored != nil && stored.BackupEligible != ad.Flags.HasBackupEligible():
		return "backup eligibility differs from the registration's"
	}
	var unknown *protocol.ErrorUnknownCredential
	if errors.As(err, &unknown) {
		return "credential is not the user's"
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		switch pe.Type {
		case protocol.ErrAssertionSignature.Type:
			return "signature does not verify"
		case protocol.ErrInvalidAttestation.Type, protocol.ErrAttestation.Type, protocol.ErrAttestationCertificate.Type:
			return "attestation does not verify"
		}
		return "verification failed (" + pe.Type + ")"
	}
	return "verification failed"
}
