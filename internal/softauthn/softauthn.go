// Package softauthn is a software WebAuthn authenticator and client for
// tests: it answers the options a relying party sends to the browser with
// what the browser's credential.toJSON() would return, so that ceremonies
// can be tested end to end without a browser or a security key.
//
// # What it makes
//
// [Authenticator.Register] reads PublicKeyCredentialCreationOptionsJSON (the
// inner publicKey object) and returns a RegistrationResponseJSON: a new
// ES256 (P-256) or EdDSA (Ed25519) key pair, an attestation object with the
// "none" or "packed" self attestation statement, CBOR-encoded with
// github.com/fxamacker/cbor/v2 in the CTAP2 canonical form. [Authenticator.Login]
// reads PublicKeyCredentialRequestOptionsJSON and returns an
// AuthenticationResponseJSON signed by a credential the options allow, or,
// with no allow list, by a discoverable (resident) credential of the RP ID,
// with its user handle. [Authenticator.LoginWith] signs with a credential
// of the caller's choice whatever the options allow, as a hostile client
// could.
//
// # Knobs for refusal tests
//
// The exported fields of [Authenticator] are read at every call, so a test
// can change them between ceremonies: Origin puts another origin in the
// client data, RPID another RP ID hash in the authenticator data, and
// UserVerified, BackupEligible and BackupState set the flags. The signature
// counter of each credential starts at [Authenticator.CounterStep] and
// grows by it at every signature; a step of 0 makes a non-counting
// authenticator (the counter stays 0), and [Authenticator.SetSignCount]
// moves a counter anywhere, backwards too, as a cloned key would. A
// response is plain bytes: sending it again is a replay.
//
// Keys and credential IDs come from crypto/rand; signing uses the standard
// library's crypto/ecdsa, crypto/ed25519 and crypto/sha256. It is for tests
// only: keys live in memory, unprotected.
package softauthn

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Alg is a COSE algorithm identifier.
type Alg int

// The algorithms the authenticator can create keys for.
const (
	ES256 Alg = -7 // ECDSA with P-256 and SHA-256
	EdDSA Alg = -8 // Ed25519
)

// Format is an attestation statement format.
type Format string

// The attestation statement formats the authenticator can produce.
const (
	None   Format = "none"   // no attestation statement
	Packed Format = "packed" // packed self attestation: signed by the credential key itself
)

// Authenticator flags (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// ErrRefused reports options the authenticator cannot or will not answer:
// malformed, with no algorithm it supports, an excluded credential it
// holds, or no credential to sign with.
var ErrRefused = errors.New("softauthn: refused")

// Authenticator is a software authenticator together with the browser in
// front of it. Its exported fields are read at every call; set them before
// the call they should affect. Methods are safe for concurrent use as long
// as the fields are not changed concurrently.
type Authenticator struct {
	// Alg is the algorithm of the keys Register creates (default ES256).
	Alg Alg
	// Format is the attestation statement format of Register (default None).
	Format Format
	// AAGUID is the authenticator model's identifier, 16 bytes (default
	// all zero, as for "none" attestation).
	AAGUID []byte
	// Origin is the origin the client reports in clientDataJSON. Required.
	Origin string
	// RPID, when set, replaces the RP ID of the options in the RP ID hash
	// of the authenticator data (to test a wrong RP ID).
	RPID string
	// UserVerified sets the UV flag: the authenticator verified the user.
	UserVerified bool
	// NoUserPresence clears the UP flag.
	NoUserPresence bool
	// BackupEligible and BackupState set the BE and BS flags.
	BackupEligible, BackupState bool
	// NotDiscoverable makes the credentials Register creates server-side
	// ones: Login cannot use them without an allow list and returns no
	// user handle.
	NotDiscoverable bool
	// CounterStep is how much each credential's signature counter grows at
	// every signature, registration included; 0 makes a non-counting
	// authenticator whose counter stays 0.
	CounterStep uint32
	// Transports are reported in the registration response (default
	// ["internal"]).
	Transports []string

	mu    sync.Mutex
	creds []*credential
}

type credential struct {
	id           []byte
	rpID         string
	userHandle   []byte
	discoverable bool
	alg          Alg
	ec           *ecdsa.PrivateKey
	ed           ed25519.PrivateKey
	count        uint32
}

// b64 is base64url without padding, the encoding of every binary member of
// the JSON forms.
var b64 = base64.RawURLEncoding

var ctap2 = func() cbor.EncMode {
	em, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()

// bytesB64 is a []byte that reads base64url with or without padding.
type bytesB64 []byte

func (b *bytesB64) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	out, err := base64.RawURLEncoding.DecodeString(trimPad(s))
	if err != nil {
		return err
	}
	*b = out
	return nil
}

func trimPad(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}

type descriptor struct {
	Type string   `json:"type"`
	ID   bytesB64 `json:"id"`
}

type param struct {
	Type string `json:"type"`
	Alg  Alg    `json:"alg"`
}

type creationOptions struct {
	RP struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"rp"`
	User struct {
		ID          bytesB64 `json:"id"`
		Name        string   `json:"name"`
		DisplayName string   `json:"displayName"`
	} `json:"user"`
	Challenge bytesB64     `json:"challenge"`
	Params    []param      `json:"pubKeyCredParams"`
	Exclude   []descriptor `json:"excludeCredentials"`
}

type requestOptions struct {
	Challenge        bytesB64     `json:"challenge"`
	RPID             string       `json:"rpId"`
	Allow            []descriptor `json:"allowCredentials"`
	UserVerification string       `json:"userVerification"`
}

type clientData struct {
	Type        string `json:"type"`
	Challenge   string `json:"challenge"`
	Origin      string `json:"origin"`
	CrossOrigin bool   `json:"crossOrigin"`
}

// Register answers PublicKeyCredentialCreationOptionsJSON with a
// RegistrationResponseJSON, as navigator.credentials.create() followed by
// credential.toJSON() would, and keeps the new credential. It returns
// ErrRefused when the options offer none of its algorithm or exclude a
// credential it holds for the RP ID.
func (a *Authenticator) Register(optionsJSON []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, fmt.Errorf("%w: creation options: %v", ErrRefused, err)
	}
	if len(o.Challenge) == 0 || o.RP.ID == "" || len(o.User.ID) == 0 {
		return nil, fmt.Errorf("%w: creation options lack challenge, rp.id or user.id", ErrRefused)
	}
	alg := a.Alg
	if alg == 0 {
		alg = ES256
	}
	if !slices.Contains(o.Params, param{Type: "public-key", Alg: alg}) {
		return nil, fmt.Errorf("%w: algorithm %d not offered", ErrRefused, alg)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range o.Exclude {
		if c := a.find(d.ID); c != nil && c.rpID == o.RP.ID {
			return nil, fmt.Errorf("%w: credential excluded", ErrRefused)
		}
	}

	c := &credential{id: random(32), rpID: o.RP.ID, userHandle: bytes.Clone(o.User.ID), discoverable: !a.NotDiscoverable, alg: alg}
	var pub any
	switch alg {
	case ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		c.ec, pub = k, &k.PublicKey
	case EdDSA:
		p, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		c.ed, pub = k, p
	default:
		return nil, fmt.Errorf("%w: unsupported algorithm %d", ErrRefused, alg)
	}
	coseKey, err := c.coseKey()
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	c.count = a.CounterStep

	aaguid := make([]byte, 16)
	copy(aaguid, a.AAGUID)
	attested := slices.Concat(aaguid, binary.BigEndian.AppendUint16(nil, uint16(len(c.id))), c.id, coseKey)
	authData := a.authData(o.RP.ID, flagAT, c.count, attested)

	cdj, err := a.clientDataJSON("webauthn.create", o.Challenge)
	if err != nil {
		return nil, err
	}
	cdh := sha256.Sum256(cdj)

	format := a.Format
	if format == "" {
		format = None
	}
	stmt := map[string]any{}
	switch format {
	case None:
	case Packed:
		sig, err := c.sign(slices.Concat(authData, cdh[:]))
		if err != nil {
			return nil, err
		}
		stmt["alg"] = int(alg)
		stmt["sig"] = sig
	default:
		return nil, fmt.Errorf("%w: unsupported attestation format %q", ErrRefused, format)
	}
	attObj, err := ctap2.Marshal(map[string]any{"fmt": string(format), "attStmt": stmt, "authData": authData})
	if err != nil {
		return nil, err
	}
	a.creds = append(a.creds, c)

	transports := a.Transports
	if transports == nil {
		transports = []string{"internal"}
	}
	return json.Marshal(map[string]any{
		"id":                      b64.EncodeToString(c.id),
		"rawId":                   b64.EncodeToString(c.id),
		"type":                    "public-key",
		"authenticatorAttachment": "platform",
		"clientExtensionResults":  map[string]any{},
		"response": map[string]any{
			"clientDataJSON":     b64.EncodeToString(cdj),
			"attestationObject":  b64.EncodeToString(attObj),
			"authenticatorData":  b64.EncodeToString(authData),
			"transports":         transports,
			"publicKey":          b64.EncodeToString(spki),
			"publicKeyAlgorithm": int(alg),
		},
	})
}

// Login answers PublicKeyCredentialRequestOptionsJSON with an
// AuthenticationResponseJSON, as navigator.credentials.get() followed by
// credential.toJSON() would: it signs with the first credential it holds
// for the RP ID that the allow list names, or with no allow list with the
// most recently registered discoverable credential of the RP ID. It
// returns ErrRefused when it has no such credential, or when the options
// require user verification and UserVerified is false.
func (a *Authenticator) Login(optionsJSON []byte) ([]byte, error) {
	return a.login(optionsJSON, nil)
}

// LoginWith is Login signing with the credential whose ID is given,
// whatever the options allow or require (an allow list, user
// verification), as a hostile or broken client could.
func (a *Authenticator) LoginWith(optionsJSON, credentialID []byte) ([]byte, error) {
	if len(credentialID) == 0 {
		return nil, fmt.Errorf("%w: no credential ID", ErrRefused)
	}
	return a.login(optionsJSON, credentialID)
}

func (a *Authenticator) login(optionsJSON, credentialID []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, fmt.Errorf("%w: request options: %v", ErrRefused, err)
	}
	if len(o.Challenge) == 0 || o.RPID == "" {
		return nil, fmt.Errorf("%w: request options lack challenge or rpId", ErrRefused)
	}
	if credentialID == nil && o.UserVerification == "required" && !a.UserVerified {
		return nil, fmt.Errorf("%w: user verification required", ErrRefused)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.choose(o, credentialID)
	if c == nil {
		return nil, fmt.Errorf("%w: no credential for %s", ErrRefused, o.RPID)
	}
	c.count += a.CounterStep
	authData := a.authData(o.RPID, 0, c.count, nil)
	cdj, err := a.clientDataJSON("webauthn.get", o.Challenge)
	if err != nil {
		return nil, err
	}
	cdh := sha256.Sum256(cdj)
	sig, err := c.sign(slices.Concat(authData, cdh[:]))
	if err != nil {
		return nil, err
	}
	response := map[string]any{
		"clientDataJSON":    b64.EncodeToString(cdj),
		"authenticatorData": b64.EncodeToString(authData),
		"signature":         b64.EncodeToString(sig),
	}
	if c.discoverable {
		response["userHandle"] = b64.EncodeToString(c.userHandle)
	}
	return json.Marshal(map[string]any{
		"id":                      b64.EncodeToString(c.id),
		"rawId":                   b64.EncodeToString(c.id),
		"type":                    "public-key",
		"authenticatorAttachment": "platform",
		"clientExtensionResults":  map[string]any{},
		"response":                response,
	})
}

func (a *Authenticator) choose(o requestOptions, id []byte) *credential {
	if id != nil {
		return a.find(id)
	}
	if len(o.Allow) > 0 {
		for _, d := range o.Allow {
			if c := a.find(d.ID); c != nil && c.rpID == o.RPID {
				return c
			}
		}
		return nil
	}
	for _, c := range slices.Backward(a.creds) {
		if c.discoverable && c.rpID == o.RPID {
			return c
		}
	}
	return nil
}

// SetSignCount sets the signature counter of the credential whose ID is
// given (the next signature reports n plus CounterStep). It reports
// whether the authenticator holds that credential.
func (a *Authenticator) SetSignCount(credentialID []byte, n uint32) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.find(credentialID)
	if c == nil {
		return false
	}
	c.count = n
	return true
}

// SignCount returns the signature counter of the credential whose ID is
// given, and whether the authenticator holds it.
func (a *Authenticator) SignCount(credentialID []byte) (uint32, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.find(credentialID)
	if c == nil {
		return 0, false
	}
	return c.count, true
}

// Forget deletes every credential the authenticator holds.
func (a *Authenticator) Forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.creds = nil
}

func (a *Authenticator) find(id []byte) *credential {
	for _, c := range a.creds {
		if bytes.Equal(c.id, id) {
			return c
		}
	}
	return nil
}

// authData builds authenticator data (WebAuthn §6.1): the RP ID hash, the
// flags, the counter and, for a registration, the attested credential
// data.
func (a *Authenticator) authData(rpID string, extra byte, count uint32, attested []byte) []byte {
	if a.RPID != "" {
		rpID = a.RPID
	}
	h := sha256.Sum256([]byte(rpID))
	flags := extra
	if !a.NoUserPresence {
		flags |= flagUP
	}
	if a.UserVerified {
		flags |= flagUV
	}
	if a.BackupEligible {
		flags |= flagBE
	}
	if a.BackupState {
		flags |= flagBS
	}
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, count)
	return append(out, attested...)
}

func (a *Authenticator) clientDataJSON(typ string, challenge []byte) ([]byte, error) {
	if a.Origin == "" {
		return nil, fmt.Errorf("%w: no origin set", ErrRefused)
	}
	return json.Marshal(clientData{Type: typ, Challenge: b64.EncodeToString(challenge), Origin: a.Origin})
}

// coseKey encodes the credential's public key as a COSE_Key (RFC 9052,
// RFC 9053): EC2 on P-256 for ES256, OKP on Ed25519 for EdDSA.
func (c *credential) coseKey() ([]byte, error) {
	switch c.alg {
	case ES256:
		pub, err := c.ec.PublicKey.Bytes() // uncompressed: 0x04 || X || Y
		if err != nil {
			return nil, err
		}
		return ctap2.Marshal(map[int]any{1: 2, 3: int(ES256), -1: 1, -2: pub[1:33], -3: pub[33:65]})
	case EdDSA:
		return ctap2.Marshal(map[int]any{1: 1, 3: int(EdDSA), -1: 6, -2: []byte(c.ed.Public().(ed25519.PublicKey))})
	}
	return nil, fmt.Errorf("%w: unsupported algorithm %d", ErrRefused, c.alg)
}

// sign signs data as WebAuthn requires for the credential's algorithm: an
// ASN.1 DER ECDSA signature of its SHA-256 digest, or an Ed25519 signature
// of data itself.
func (c *credential) sign(data []byte) ([]byte, error) {
	switch c.alg {
	case ES256:
		d := sha256.Sum256(data)
		return ecdsa.SignASN1(rand.Reader, c.ec, d[:])
	case EdDSA:
		return ed25519.Sign(c.ed, data), nil
	}
	return nil, fmt.Errorf("%w: unsupported algorithm %d", ErrRefused, c.alg)
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}
