package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/latchkit/latch/passkey"
	"github.com/latchkit/latch/store"
)

// DefaultMaxPasskeysPerUser is the default of PasskeyConfig.MaxPerUser.
const DefaultMaxPasskeysPerUser = 20

// DefaultPasskeyName is the name of a passkey registered without one.
const DefaultPasskeyName = "Passkey"

// maxCeremonyID bounds a registration_id or login_id before any work: the
// request ID, a dot and the sealed state in base64url.
const maxCeremonyID = 4 * passkey.MaxStateSize / 3 * 2

// Ceremony kinds inside the sealed state.
const (
	ceremonyRegistration = "registration"
	ceremonyLogin        = "login"
)

// ceremony is what a registration_id or login_id carries, sealed: the
// passkey package's state and what it is bound to. The store.Request of
// the same ID holds the user, the generation and the expiry; deleting it
// uses the ceremony up.
type ceremony struct {
	Kind string `json:"kind"`
	// UserID is the user the ceremony is for: the one adding a passkey,
	// the one signing in; empty for a discoverable login.
	UserID string `json:"user_id,omitempty"`
	// SessionID is the session that started a registration: only it may
	// finish it.
	SessionID string `json:"session_id,omitempty"`
	// Challenge is the request ID of the second-factor challenge a login
	// answers; empty for a passwordless login.
	Challenge string `json:"challenge,omitempty"`
	State     []byte `json:"state"`
}

// ceremonyAD binds a sealed ceremony to its request ID.
func ceremonyAD(requestID string) []byte {
	return []byte("latch/auth/passkey-ceremony/v1\x00" + requestID)
}

// newRP makes the relying party of cfg.Passkeys, nil when passkeys are
// off, and fills the cap's default.
func newRP(cfg *Config) (*passkey.RP, error) {
	pc := &cfg.Passkeys
	switch {
	case pc.MaxPerUser == 0:
		pc.MaxPerUser = DefaultMaxPasskeysPerUser
	case pc.MaxPerUser < 0:
		pc.MaxPerUser = 0 // the store's "no cap"
	}
	if len(pc.RPOrigins) == 0 {
		if pc.RPID != "" || pc.RPDisplayName != "" {
			return nil, fmt.Errorf("%w: passkeys: RPID without RPOrigins", ErrInvalidConfig)
		}
		return nil, nil
	}
	name := pc.RPDisplayName
	if name == "" {
		name = cfg.Issuer
	}
	rp, err := passkey.New(passkey.Config{RPID: pc.RPID, RPDisplayName: name, RPOrigins: pc.RPOrigins})
	if err != nil {
		return nil, fmt.Errorf("%w: passkeys: %w", ErrInvalidConfig, err)
	}
	c := rp.Config()
	pc.RPID, pc.RPDisplayName = c.RPID, c.RPDisplayName
	return rp, nil
}

var errPasskeysOff = fmt.Errorf("%w: passkeys are not configured", ErrInvalidRequest)

func (s *Service) passkeysOn() error {
	if s.rp == nil {
		return errPasskeysOff
	}
	return nil
}

func toPasskey(c *store.PasskeyCredential) Passkey {
	return Passkey{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt, LastUsedAt: timePtr(c.LastUsedAt),
		BackupEligible: c.BackupEligible, BackupState: c.BackupState}
}

func toCredential(c *store.PasskeyCredential) passkey.Credential {
	return passkey.Credential{ID: c.CredentialID, PublicKey: c.PublicKey, SignCount: c.SignCount, AAGUID: c.AAGUID,
		Transports: c.Transports, BackupEligible: c.BackupEligible, BackupState: c.BackupState,
		AttestationFormat: c.AttestationFormat}
}

func toCredentials(cs []store.PasskeyCredential) []passkey.Credential {
	out := make([]passkey.Credential, len(cs))
	for i := range cs {
		out[i] = toCredential(&cs[i])
	}
	return out
}

// passkeyUser is u as the authenticator sees it, with its handle.
func passkeyUser(u *store.User, handle []byte) passkey.User {
	return passkey.User{Handle: handle, Name: u.Username}
}

// userHandle returns the user's WebAuthn user handle, making it (random,
// once per user) if it has none.
func (s *Service) userHandle(ctx context.Context, userID string) ([]byte, error) {
	h, err := s.st.PasskeyHandle(ctx, userID)
	if err == nil {
		return h, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, internal(err)
	}
	h = passkey.NewUserHandle()
	switch err := s.st.SetPasskeyHandle(ctx, userID, h); {
	case errors.Is(err, store.ErrConflict): // a concurrent call made one
		h, err = s.st.PasskeyHandle(ctx, userID)
		if err != nil {
			return nil, storeErr(err, ErrNotFound)
		}
	case err != nil:
		return nil, storeErr(err, ErrNotFound)
	}
	return h, nil
}

// openCeremony stores the request that names a ceremony and returns its
// ID for the client: the request ID and the sealed ceremony.
func (s *Service) openCeremony(ctx context.Context, kind store.RequestKind, generation int64, cer *ceremony) (string, error) {
	reqID := "pk_" + newID()
	plain, err := json.Marshal(cer)
	if err != nil {
		return "", internal(err)
	}
	sealed, err := s.sealer.Seal(plain, ceremonyAD(reqID))
	if err != nil {
		return "", internal(err)
	}
	sum := sha256.Sum256(sealed)
	now := s.nowUTC()
	err = s.st.CreateRequest(ctx, &store.Request{
		ID:         reqID,
		Kind:       kind,
		UserID:     cer.UserID,
		CodeDigest: hex.EncodeToString(sum[:]),
		Generation: generation,
		CreatedAt:  now,
		ExpiresAt:  now.Add(passkey.Timeout),
	})
	if err != nil {
		return "", storeErr(err, ErrNotFound)
	}
	return reqID + "." + base64.RawURLEncoding.EncodeToString(sealed), nil
}

var errCeremony = errors.New("unknown, used or expired ceremony")

// takeCeremony finds the ceremony id names, checks that it is of kind and
// live, and deletes its request, so that it is used once whatever happens
// next. Anything wrong is errCeremony.
func (s *Service) takeCeremony(ctx context.Context, kind store.RequestKind, id string) (*store.Request, *ceremony, error) {
	if len(id) > maxCeremonyID {
		return nil, nil, errCeremony
	}
	reqID, enc, ok := strings.Cut(id, ".")
	if !ok || store.ValidateID(reqID) != nil || !strings.HasPrefix(reqID, "pk_") {
		return nil, nil, errCeremony
	}
	sealed, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return nil, nil, errCeremony
	}
	r, err := s.st.Request(ctx, reqID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errCeremony
	} else if err != nil {
		return nil, nil, internal(err)
	}
	sum := sha256.Sum256(sealed)
	if r.Kind != kind || subtle.ConstantTimeCompare([]byte(r.CodeDigest), []byte(hex.EncodeToString(sum[:]))) != 1 {
		return nil, nil, errCeremony
	}
	// Single use: of concurrent finishes only one deletes the request.
	if err := s.st.DeleteRequest(ctx, r.ID); errors.Is(err, store.ErrNotFound) {
		return nil, nil, errCeremony
	} else if err != nil {
		return nil, nil, internal(err)
	}
	if !s.now().Before(r.ExpiresAt) {
		return nil, nil, errCeremony
	}
	plain, err := s.sealer.Open(sealed, ceremonyAD(reqID))
	if err != nil {
		return nil, nil, errCeremony
	}
	var cer ceremony
	if err := json.Unmarshal(plain, &cer); err != nil || cer.UserID != r.UserID {
		return nil, nil, errCeremony
	}
	if (kind == store.KindPasskeyRegistration) != (cer.Kind == ceremonyRegistration) {
		return nil, nil, errCeremony
	}
	return r, &cer, nil
}

// passkeyRefused records a refused passkey answer (a failure of the
// client, as a wrong password is) and returns ErrInvalidCredentials.
func (s *Service) passkeyRefused(ctx context.Context, c Client, userID, what string, cause error) error {
	s.failed(ctx, c)
	attrs := []slog.Attr{slog.String("reason", what), attrIP(c)}
	if userID != "" {
		attrs = append(attrs, slog.String("user_id", userID))
	}
	if cause != nil {
		attrs = append(attrs, slog.String("error", cause.Error())) // fixed phrases, no input
	}
	s.audit(ctx, slog.LevelWarn, "auth.passkey_refused", attrs...)
	return fmt.Errorf("%w: passkey %s", ErrInvalidCredentials, what)
}

// BeginPasskeyRegistration starts adding a passkey to the caller's own
// account (POST /users/{id}/passkeys/registration): self with a signed-in
// session, and a recent sign-in or the current password. The options
// exclude the user's passkeys, prefer a discoverable passkey and user
// verification; the user's WebAuthn handle is made (random, once) on the
// first registration. The ceremony lasts passkey.Timeout, is bound to the
// user, the session and the user's credential generation, and finishes
// once. Errors: ErrUnauthorized, ErrForbidden, ErrNotFound,
// ErrReauthenticationRequired, ErrInvalidCredentials (wrong password),
// ErrInvalidRequest (passkeys off, or the user has
// PasskeyConfig.MaxPerUser passkeys), *RateLimitError.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, c Client, p *Principal, userID string, currentPassword *string) (*PasskeyRegistration, error) {
	if err := authorize(p, userID, selfSession); err != nil {
		return nil, err
	}
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	u, err := s.loadUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if err := s.requireRecentAuth(ctx, c, p, u, currentPassword); err != nil {
		return nil, err
	}
	list, err := s.st.ListPasskeys(ctx, userID)
	if err != nil {
		return nil, internal(err)
	}
	if max := s.cfg.Passkeys.MaxPerUser; max > 0 && len(list) >= max {
		return nil, fmt.Errorf("%w: the user has %d passkeys, the most allowed", ErrInvalidRequest, max)
	}
	handle, err := s.userHandle(ctx, userID)
	if err != nil {
		return nil, err
	}
	opts, state, err := s.rp.BeginRegistration(passkeyUser(u, handle), toCredentials(list))
	if err != nil {
		return nil, internal(err)
	}
	id, err := s.openCeremony(ctx, store.KindPasskeyRegistration, u.Generation,
		&ceremony{Kind: ceremonyRegistration, UserID: userID, SessionID: p.SessionID, State: state})
	if err != nil {
		return nil, err
	}
	return &PasskeyRegistration{RegistrationID: id, Options: opts}, nil
}

// FinishPasskeyRegistration verifies the browser's answer (credential, its
// credential.toJSON()) to the options of BeginPasskeyRegistration and
// stores the passkey under name (DefaultPasskeyName when empty) (POST
// /users/{id}/passkeys). Only the session that began the ceremony may
// finish it, once, within passkey.Timeout and while the user's credential
// generation is unchanged. A credential refused (origin, RP ID,
// challenge, attestation) or a ceremony unknown, used or expired is
// ErrInvalidCredentials and counts against the client's limits. Errors:
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrInvalidRequest (a bad
// name, the cap reached), ErrInvalidCredentials, *RateLimitError.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, c Client, p *Principal, userID, registrationID string, credential []byte, name string) (*Passkey, error) {
	if err := authorize(p, userID, selfSession); err != nil {
		return nil, err
	}
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	if name == "" {
		name = DefaultPasskeyName
	}
	if store.ValidatePasskeyName(name) != nil {
		return nil, fmt.Errorf("%w: name: at most %d bytes of text", ErrInvalidRequest, store.MaxNameLen)
	}
	u, err := s.loadUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	r, cer, err := s.takeCeremony(ctx, store.KindPasskeyRegistration, registrationID)
	if err != nil {
		if errors.Is(err, errCeremony) {
			return nil, s.passkeyRefused(ctx, c, userID, "registration unknown, used or expired", nil)
		}
		return nil, err
	}
	if cer.UserID != userID || cer.SessionID != p.SessionID || r.Generation != u.Generation {
		return nil, s.passkeyRefused(ctx, c, userID, "registration of another user, session or generation", nil)
	}
	handle, err := s.st.PasskeyHandle(ctx, userID)
	if err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	cred, err := s.rp.FinishRegistration(passkeyUser(u, handle), cer.State, credential)
	if err != nil {
		return nil, s.passkeyRefused(ctx, c, userID, "registration refused", err)
	}
	rec := &store.PasskeyCredential{
		ID:                newID(),
		UserID:            userID,
		CredentialID:      cred.ID,
		PublicKey:         cred.PublicKey,
		SignCount:         cred.SignCount,
		AAGUID:            cred.AAGUID,
		Transports:        cred.Transports,
		BackupEligible:    cred.BackupEligible,
		BackupState:       cred.BackupState,
		AttestationFormat: cred.AttestationFormat,
		Name:              name,
		CreatedAt:         s.nowUTC(),
	}
	switch err := s.st.CreatePasskey(ctx, rec, s.cfg.Passkeys.MaxPerUser); {
	case errors.Is(err, store.ErrLimitReached):
		return nil, fmt.Errorf("%w: the user has %d passkeys, the most allowed", ErrInvalidRequest, s.cfg.Passkeys.MaxPerUser)
	case errors.Is(err, store.ErrConflict):
		return nil, s.passkeyRefused(ctx, c, userID, "credential already registered", nil)
	case errors.Is(err, store.ErrInvalid):
		return nil, s.passkeyRefused(ctx, c, userID, "credential out of range", nil)
	case err != nil:
		return nil, storeErr(err, ErrNotFound)
	}
	s.audit(ctx, slog.LevelInfo, "auth.passkey_registered", slog.String("user_id", userID), slog.String("passkey_id", rec.ID),
		slog.Bool("backup_eligible", rec.BackupEligible), attrIP(c))
	out := toPasskey(rec)
	return &out, nil
}

// ListPasskeys returns the user's passkeys, oldest first (GET
// /users/{id}/passkeys): self, or view_users. Errors: ErrUnauthorized,
// ErrForbidden, ErrNotFound.
func (s *Service) ListPasskeys(ctx context.Context, p *Principal, userID string) ([]Passkey, error) {
	if err := authorize(p, userID, selfAny, PermViewUsers); err != nil {
		return nil, err
	}
	if _, err := s.loadUser(ctx, userID); err != nil {
		return nil, err
	}
	list, err := s.st.ListPasskeys(ctx, userID)
	if err != nil {
		return nil, internal(err)
	}
	out := make([]Passkey, len(list))
	for i := range list {
		out[i] = toPasskey(&list[i])
	}
	return out, nil
}

// RenamePasskey sets a passkey's name (PATCH /users/{id}/passkeys/{pid}):
// self with a signed-in session, or edit_users on a user the caller may
// manage. Errors: ErrUnauthorized, ErrForbidden, ErrNotFound,
// ErrInvalidRequest (an empty or overlong name).
func (s *Service) RenamePasskey(ctx context.Context, p *Principal, userID, passkeyID, name string) (*Passkey, error) {
	if err := authorize(p, userID, selfSession, PermEditUsers); err != nil {
		return nil, err
	}
	if name == "" || store.ValidatePasskeyName(name) != nil {
		return nil, fmt.Errorf("%w: name: 1 to %d bytes of text", ErrInvalidRequest, store.MaxNameLen)
	}
	if _, err := s.loadManaged(ctx, p, userID); err != nil {
		return nil, err
	}
	if store.ValidateID(passkeyID) != nil {
		return nil, ErrNotFound
	}
	if err := s.st.RenamePasskey(ctx, userID, passkeyID, name); err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	rec, err := s.st.Passkey(ctx, userID, passkeyID)
	if err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	out := toPasskey(rec)
	return &out, nil
}

// DeletePasskey removes a passkey (DELETE /users/{id}/passkeys/{pid}): the
// user itself with a recent sign-in or its current password, or a caller
// with edit_users on a user it may manage. Errors: ErrUnauthorized,
// ErrForbidden, ErrNotFound, ErrReauthenticationRequired,
// ErrInvalidCredentials (wrong password), *RateLimitError.
func (s *Service) DeletePasskey(ctx context.Context, c Client, p *Principal, userID, passkeyID string, currentPassword *string) error {
	if err := authorize(p, userID, selfSession, PermEditUsers); err != nil {
		return err
	}
	u, err := s.loadManaged(ctx, p, userID)
	if err != nil {
		return err
	}
	if err := s.requireRecentAuth(ctx, c, p, u, currentPassword); err != nil {
		return err
	}
	if store.ValidateID(passkeyID) != nil {
		return ErrNotFound
	}
	if err := s.st.DeletePasskey(ctx, userID, passkeyID); err != nil {
		return storeErr(err, ErrNotFound)
	}
	s.audit(ctx, slog.LevelInfo, "auth.passkey_deleted", slog.String("user_id", userID), slog.String("passkey_id", passkeyID),
		slog.String("by", actor(p)), attrIP(c))
	return nil
}

// hasPasskeys reports whether the user has a passkey that can sign in
// (false while passkeys are off).
func (s *Service) hasPasskeys(ctx context.Context, userID string) (bool, error) {
	if s.rp == nil {
		return false, nil
	}
	list, err := s.st.ListPasskeys(ctx, userID)
	if err != nil {
		return false, internal(err)
	}
	return len(list) > 0, nil
}

// BeginPasskeyLogin starts a passkey sign-in (POST /login/passkey/begin):
//
//   - with challengeToken (from LoginPassword): the passkey as the second
//     factor of that challenge's user, user verification preferred;
//   - with identifier (a username or email): a passwordless sign-in with
//     that user's passkeys, user verification required;
//   - with neither: a passwordless sign-in with a discoverable passkey,
//     which names its user.
//
// An identifier that names no user, or one without passkeys, gets the
// options of a discoverable sign-in, so the answer does not tell whether
// an account exists. The ceremony lasts passkey.Timeout and finishes once
// (LoginPasskey). Errors: ErrUnauthorized (a bad challenge token),
// ErrInvalidRequest (passkeys off, both arguments, a challenge of a user
// without passkeys), ErrAccountDisabled, ErrIPNotAllowed,
// *RateLimitError.
func (s *Service) BeginPasskeyLogin(ctx context.Context, c Client, identifier, challengeToken string) (*PasskeyLogin, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	if identifier != "" && challengeToken != "" {
		return nil, fmt.Errorf("%w: give an identifier or a challenge token, not both", ErrInvalidRequest)
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	var (
		opts  json.RawMessage
		state []byte
		err   error
		cer   = ceremony{Kind: ceremonyLogin}
		gen   int64
	)
	switch {
	case challengeToken != "":
		r, u, err := s.loadChallenge(ctx, c, challengeToken)
		if err != nil {
			return nil, err
		}
		list, err := s.st.ListPasskeys(ctx, u.ID)
		if err != nil {
			return nil, internal(err)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("%w: the user has no passkey", ErrInvalidRequest)
		}
		handle, err := s.st.PasskeyHandle(ctx, u.ID)
		if err != nil {
			return nil, storeErr(err, ErrInvalidRequest)
		}
		if opts, state, err = s.rp.BeginLogin(passkeyUser(u, handle), toCredentials(list), passkey.VerificationPreferred); err != nil {
			return nil, internal(err)
		}
		cer.UserID, cer.Challenge, gen = u.ID, r.ID, r.Generation
	case identifier != "":
		u, list, handle, err := s.passkeysOf(ctx, identifier)
		if err != nil {
			return nil, err
		}
		if u != nil {
			if opts, state, err = s.rp.BeginLogin(passkeyUser(u, handle), toCredentials(list), passkey.VerificationRequired); err != nil {
				return nil, internal(err)
			}
			cer.UserID, gen = u.ID, u.Generation
		}
	}
	if state == nil {
		if opts, state, err = s.rp.BeginDiscoverableLogin(); err != nil {
			return nil, internal(err)
		}
	}
	cer.State = state
	id, err := s.openCeremony(ctx, store.KindPasskeyLogin, gen, &cer)
	if err != nil {
		return nil, err
	}
	return &PasskeyLogin{LoginID: id, Options: opts}, nil
}

// passkeysOf returns the user identifier names with its passkeys and
// handle, or a nil user when there is none or it has no passkeys.
func (s *Service) passkeysOf(ctx context.Context, identifier string) (*store.User, []store.PasskeyCredential, []byte, error) {
	if len(identifier) > maxIdentifierLen || !utf8.ValidString(identifier) {
		return nil, nil, nil, nil
	}
	u, err := s.st.UserByUsername(ctx, identifier)
	if errors.Is(err, store.ErrNotFound) && strings.Contains(identifier, "@") {
		u, err = s.st.UserByEmail(ctx, identifier)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, nil
	} else if err != nil {
		return nil, nil, nil, internal(err)
	}
	list, err := s.st.ListPasskeys(ctx, u.ID)
	if err != nil {
		return nil, nil, nil, internal(err)
	}
	if len(list) == 0 {
		return nil, nil, nil, nil
	}
	handle, err := s.st.PasskeyHandle(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, nil
	} else if err != nil {
		return nil, nil, nil, internal(err)
	}
	return u, list, handle, nil
}

// LoginPasskey finishes a passkey sign-in (POST /login/passkey): it
// verifies the browser's answer (credential, its credential.toJSON()) to
// the options of BeginPasskeyLogin and signs the user in as the other
// sign-ins do (a session, an access and a refresh token), or, for a second
// factor, completes the password's challenge. The ceremony is used up
// first, so an answer is verified once. A wrong origin or RP ID, an
// answer sent again, a passkey of another user than the ceremony's, a
// missing user verification where it is required and a signature counter
// that went backwards (audited as auth.passkey_clone_detected; the stored
// counter is kept) are all ErrInvalidCredentials and count against the
// client's limits. The counter is advanced by compare-and-swap, so of two
// sign-ins with the same answer on any instances one at most succeeds.
// Errors: ErrInvalidCredentials, ErrInvalidRequest (passkeys off),
// ErrAccountDisabled, ErrIPNotAllowed, *RateLimitError.
func (s *Service) LoginPasskey(ctx context.Context, c Client, loginID string, credential []byte) (_ *LoginResult, err error) {
	defer s.signedIn("passkey", &err)
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	if err := s.checkIP(ctx, c); err != nil {
		return nil, err
	}
	r, cer, err := s.takeCeremony(ctx, store.KindPasskeyLogin, loginID)
	if err != nil {
		if errors.Is(err, errCeremony) {
			return nil, s.passkeyRefused(ctx, c, "", "sign-in unknown, used or expired", nil)
		}
		return nil, err
	}
	if cer.Challenge != "" {
		defer s.secondFactorChecked("passkey", &err)
	}
	a, err := passkey.ParseAssertion(credential)
	if err != nil {
		return nil, s.passkeyRefused(ctx, c, cer.UserID, "answer malformed", err)
	}
	pk, u, err := s.st.PasskeyByCredentialID(ctx, a.CredentialID())
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.passkeyRefused(ctx, c, cer.UserID, "unknown", nil)
	} else if err != nil {
		return nil, internal(err)
	}
	if cer.UserID != "" && (u.ID != cer.UserID || u.Generation != r.Generation) {
		return nil, s.passkeyRefused(ctx, c, cer.UserID, "of another user, or credentials changed", nil)
	}
	var challenge *store.Request
	if cer.Challenge != "" {
		if challenge, err = s.liveChallenge(ctx, cer.Challenge, u); err != nil {
			return nil, s.passkeyRefused(ctx, c, u.ID, "challenge used or expired", nil)
		}
	}
	handle, err := s.st.PasskeyHandle(ctx, u.ID)
	if err != nil {
		return nil, storeErr(err, ErrInvalidCredentials)
	}
	list, err := s.st.ListPasskeys(ctx, u.ID)
	if err != nil {
		return nil, internal(err)
	}
	for i := range list {
		if list[i].ID == pk.ID {
			pk = &list[i] // the counter FinishLogin compares with
		}
	}
	got, err := s.rp.FinishLogin(passkeyUser(u, handle), toCredentials(list), cer.State, a)
	if errors.Is(err, passkey.ErrCloneDetected) {
		s.audit(ctx, slog.LevelError, "auth.passkey_clone_detected", slog.String("user_id", u.ID), slog.String("passkey_id", pk.ID), attrIP(c))
		return nil, s.passkeyRefused(ctx, c, u.ID, "signature counter did not increase", nil)
	} else if err != nil {
		if challenge != nil {
			if _, ferr := s.st.FailRequestAttempt(ctx, challenge.ID, maxCodeAttempts); ferr != nil && !errors.Is(ferr, store.ErrNotFound) {
				return nil, internal(ferr)
			}
		}
		return nil, s.passkeyRefused(ctx, c, u.ID, "answer refused", err)
	}
	switch err := s.st.RecordPasskeyUse(ctx, pk.ID, pk.SignCount, got.SignCount, got.BackupState, s.nowUTC()); {
	case errors.Is(err, store.ErrConflict):
		s.audit(ctx, slog.LevelError, "auth.passkey_clone_detected", slog.String("user_id", u.ID), slog.String("passkey_id", pk.ID), attrIP(c))
		return nil, s.passkeyRefused(ctx, c, u.ID, "signature counter changed meanwhile", nil)
	case err != nil:
		return nil, storeErr(err, ErrInvalidCredentials)
	}
	if err := s.checkAccount(ctx, c, u); err != nil {
		return nil, err
	}
	if challenge != nil {
		// Single use: of concurrent completions only one deletes the challenge.
		if err := s.st.DeleteRequest(ctx, challenge.ID); err != nil {
			return nil, storeErr(err, fmt.Errorf("%w: challenge already used", ErrInvalidCredentials))
		}
		u.Generation = challenge.Generation
	}
	return s.finishLogin(ctx, c, u, s.nowUTC(), "passkey")
}

// liveChallenge returns the second-factor challenge with this request ID
// if it is still live and u's (at u's current generation).
func (s *Service) liveChallenge(ctx context.Context, id string, u *store.User) (*store.Request, error) {
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Kind != store.KindLoginChallenge || r.UserID != u.ID || r.Generation != u.Generation || !s.now().Before(r.ExpiresAt) {
		return nil, errCeremony
	}
	return r, nil
}

// secondFactors returns the second factors the user has, in the order of
// LoginResult.Methods; none means the password is enough.
func (s *Service) secondFactors(ctx context.Context, userID string) ([]string, error) {
	on, err := s.totpEnabled(ctx, userID)
	if err != nil {
		return nil, err
	}
	pk, err := s.hasPasskeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	var m []string
	if on {
		m = append(m, "totp")
	}
	if pk {
		m = append(m, "passkey")
	}
	if on {
		m = append(m, "recovery_code")
	}
	return m, nil
}
