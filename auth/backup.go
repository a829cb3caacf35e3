package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/latchkit/latch/internal/strictjson"
	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/token"
)

// dumpVersion is the version of the Dump format. Version 2 replaced the
// users' tokens_valid_after by their credential generation; version 3
// added passkeys and the users' passkey handles. Versions 1 and 2 still
// restore (every restore ends the sessions it predates; they hold no
// passkeys).
const dumpVersion = 3

// MaxRestoreSize bounds the input of Restore, in bytes.
const MaxRestoreSize = 256 << 20

// The JSON form of a store.Dump. Lists are never null, zero times are
// omitted, and field order is fixed, so one store content has one encoding.
type dumpDoc struct {
	Version       int            `json:"version"`
	Users         []dumpUser     `json:"users"`
	APITokens     []dumpAPIToken `json:"api_tokens"`
	TOTP          []dumpTOTP     `json:"totp"`
	PendingTOTP   []dumpTOTP     `json:"pending_totp"`
	RecoveryCodes []dumpCode     `json:"recovery_codes"`
	SigningKeys   []dumpKey      `json:"signing_keys"`
	// Version 3 on.
	Passkeys       []dumpPasskey       `json:"passkeys"`
	PasskeyHandles []dumpPasskeyHandle `json:"passkey_handles"`
}

type dumpPasskey struct {
	ID                string    `json:"id"`
	UserID            string    `json:"user_id"`
	CredentialID      []byte    `json:"credential_id"`
	PublicKey         []byte    `json:"public_key"`
	SignCount         uint32    `json:"sign_count"`
	AAGUID            []byte    `json:"aaguid"`
	Transports        []string  `json:"transports"`
	BackupEligible    bool      `json:"backup_eligible"`
	BackupState       bool      `json:"backup_state"`
	AttestationFormat string    `json:"attestation_format"`
	Name              string    `json:"name"`
	CreatedAt         time.Time `json:"created_at"`
	LastUsedAt        time.Time `json:"last_used_at,omitzero"`
}

type dumpPasskeyHandle struct {
	UserID string `json:"user_id"`
	Handle []byte `json:"handle"`
}

type dumpUser struct {
	ID               string    `json:"id"`
	Username         string    `json:"username"`
	Email            string    `json:"email"`
	EmailVerified    bool      `json:"email_verified"`
	Role             string    `json:"role"`
	Permissions      []string  `json:"permissions"`
	AllowedIPs       []string  `json:"allowed_ips"`
	Disabled         bool      `json:"disabled"`
	PasswordHash     string    `json:"password_hash"`
	Generation       int64     `json:"generation,omitzero"`
	TokensValidAfter time.Time `json:"tokens_valid_after,omitzero"` // version 1 only; ignored
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	LastLoginAt      time.Time `json:"last_login_at,omitzero"`
}

type dumpAPIToken struct {
	ID          string    `json:"id"`
	UserID      string    `json:"user_id"`
	Name        string    `json:"name"`
	Prefix      string    `json:"prefix"`
	Digest      string    `json:"digest"`
	Permissions []string  `json:"permissions"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	LastUsedAt  time.Time `json:"last_used_at,omitzero"`
}

type dumpTOTP struct {
	UserID    string    `json:"user_id"`
	Secret    []byte    `json:"secret_sealed"`
	Algorithm string    `json:"algorithm"`
	Digits    int       `json:"digits"`
	Period    int       `json:"period"`
	LastStep  int64     `json:"last_step"`
	CreatedAt time.Time `json:"created_at"`
}

type dumpCode struct {
	UserID string `json:"user_id"`
	Digest string `json:"digest"`
}

type dumpKey struct {
	ID        string    `json:"id"`
	Sealed    []byte    `json:"sealed"`
	CreatedAt time.Time `json:"created_at"`
}

func toDumpTOTP(cs []store.TOTPCredential) []dumpTOTP {
	out := make([]dumpTOTP, len(cs))
	for i, c := range cs {
		out[i] = dumpTOTP{c.UserID, c.Secret, c.Algorithm, c.Digits, c.Period, c.LastStep, c.CreatedAt}
	}
	return out
}

func fromDumpTOTP(cs []dumpTOTP) []store.TOTPCredential {
	out := make([]store.TOTPCredential, len(cs))
	for i, c := range cs {
		out[i] = store.TOTPCredential{UserID: c.UserID, Secret: c.Secret, Algorithm: c.Algorithm, Digits: c.Digits,
			Period: c.Period, LastStep: c.LastStep, CreatedAt: c.CreatedAt}
	}
	return out
}

// Dump returns a full backup of the store as JSON (GET /admin/dump):
// manage_system. It holds users with their password hashes, TOTP secrets
// and signing keys sealed as stored, the digests of API tokens and
// recovery codes, and passkeys (public keys) with the users' passkey
// handles; not sessions, requests, revocations or limit counters,
// which are short-lived (a restore ends every session). Keep it as
// secret as the database. Restore then Dump gives the same bytes.
// Errors: ErrUnauthorized, ErrForbidden.
func (s *Service) Dump(ctx context.Context, p *Principal) ([]byte, error) {
	if err := authorizeRoot(p); err != nil {
		return nil, err
	}
	d, err := s.st.Dump(ctx)
	if err != nil {
		return nil, internal(err)
	}
	doc := dumpDoc{
		Version:        dumpVersion,
		Users:          make([]dumpUser, len(d.Users)),
		APITokens:      make([]dumpAPIToken, len(d.APITokens)),
		TOTP:           toDumpTOTP(d.TOTP),
		PendingTOTP:    toDumpTOTP(d.PendingTOTP),
		RecoveryCodes:  make([]dumpCode, len(d.RecoveryCodes)),
		SigningKeys:    make([]dumpKey, len(d.SigningKeys)),
		Passkeys:       make([]dumpPasskey, len(d.Passkeys)),
		PasskeyHandles: make([]dumpPasskeyHandle, len(d.PasskeyHandles)),
	}
	for i, c := range d.Passkeys {
		doc.Passkeys[i] = dumpPasskey{c.ID, c.UserID, c.CredentialID, c.PublicKey, c.SignCount, nonNilBytes(c.AAGUID), nonNil(c.Transports),
			c.BackupEligible, c.BackupState, c.AttestationFormat, c.Name, c.CreatedAt, c.LastUsedAt}
	}
	for i, h := range d.PasskeyHandles {
		doc.PasskeyHandles[i] = dumpPasskeyHandle{h.UserID, h.Handle}
	}
	for i, u := range d.Users {
		doc.Users[i] = dumpUser{u.ID, u.Username, u.Email, u.EmailVerified, u.Role, nonNil(u.Permissions), nonNil(u.AllowedIPs),
			u.Disabled, u.PasswordHash, u.Generation, time.Time{}, u.CreatedAt, u.UpdatedAt, u.LastLoginAt}
	}
	for i, t := range d.APITokens {
		doc.APITokens[i] = dumpAPIToken{t.ID, t.UserID, t.Name, t.Prefix, t.Digest, nonNil(t.Permissions), t.CreatedAt, t.ExpiresAt, t.LastUsedAt}
	}
	for i, c := range d.RecoveryCodes {
		doc.RecoveryCodes[i] = dumpCode{c.UserID, c.Digest}
	}
	for i, k := range d.SigningKeys {
		doc.SigningKeys[i] = dumpKey{k.ID, k.Sealed, k.CreatedAt}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, internal(err)
	}
	s.audit(ctx, slog.LevelInfo, "auth.dumped", slog.String("by", actor(p)))
	return b, nil
}

// Restore replaces the whole store with a Dump (POST /admin/restore):
// manage_system. The input is checked first (strict JSON of this version,
// password hashes the Hasher can verify, TOTP secrets and signing keys that
// open with this service's sealing key, records the store accepts); on any
// error nothing changes. Requests and limit counters are cleared;
// revocations are kept, so a token logged out since the dump stays out.
// A restore never rolls protection back: every restored user's credential
// generation becomes greater than both the dump's and the store's, so every
// session and challenge that predates the restore ends (the restorer's own
// too: it signs in again), and a TOTP credential the store holds with the
// same secret keeps the later of the two last-accepted steps, so no code
// accepted since the dump can be replayed.
// Errors: ErrUnauthorized, ErrForbidden, ErrInvalidRequest.
func (s *Service) Restore(ctx context.Context, p *Principal, data []byte) error {
	if err := authorizeRoot(p); err != nil {
		return err
	}
	d, err := s.parseDump(data)
	if errors.Is(err, ErrSealingKeyMismatch) {
		s.audit(ctx, slog.LevelWarn, "auth.restore_refused", slog.String("by", actor(p)), slog.String("reason", err.Error()))
		return err
	}
	if err != nil {
		return fmt.Errorf("%w: restore: %w", ErrInvalidRequest, err)
	}
	if err := s.st.Restore(ctx, d); err != nil {
		if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: restore: %w", ErrInvalidRequest, err)
		}
		return internal(err)
	}
	if err := s.keys.forceReload(ctx); err != nil {
		return err
	}
	s.audit(ctx, slog.LevelWarn, "auth.restored", slog.String("by", actor(p)), slog.Int("users", len(d.Users)))
	return nil
}

func (s *Service) parseDump(data []byte) (*store.Dump, error) {
	if len(data) > MaxRestoreSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxRestoreSize)
	}
	// Strict: exact names, no duplicates, no null, no trailing data.
	var doc dumpDoc
	if err := strictjson.Decode(data, &doc); err != nil {
		return nil, err
	}
	if doc.Version < 1 || doc.Version > dumpVersion {
		return nil, fmt.Errorf("unsupported version %d", doc.Version)
	}
	if doc.Version < 3 && (doc.Passkeys != nil || doc.PasskeyHandles != nil) {
		return nil, fmt.Errorf("passkeys not in version %d", doc.Version)
	}
	if len(doc.SigningKeys) == 0 {
		return nil, errors.New("no signing key")
	}
	d := &store.Dump{
		Users:         make([]store.User, len(doc.Users)),
		APITokens:     make([]store.APIToken, len(doc.APITokens)),
		TOTP:          fromDumpTOTP(doc.TOTP),
		PendingTOTP:   fromDumpTOTP(doc.PendingTOTP),
		RecoveryCodes: make([]store.RecoveryCode, len(doc.RecoveryCodes)),
		SigningKeys:   make([]store.SigningKey, len(doc.SigningKeys)),
	}
	for i, u := range doc.Users {
		if (doc.Version == 1 && u.Generation != 0) || (doc.Version != 1 && !u.TokensValidAfter.IsZero()) {
			return nil, fmt.Errorf("user %d: field not in version %d", i, doc.Version)
		}
		if u.PasswordHash != "" {
			if _, err := s.hasher.Identify(u.PasswordHash); err != nil {
				return nil, fmt.Errorf("user %d: unusable password hash", i)
			}
		}
		d.Users[i] = store.User{ID: u.ID, Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified, Role: u.Role,
			Permissions: u.Permissions, AllowedIPs: u.AllowedIPs, Disabled: u.Disabled, PasswordHash: u.PasswordHash,
			Generation: u.Generation, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, LastLoginAt: u.LastLoginAt}
	}
	for i, t := range doc.APITokens {
		d.APITokens[i] = store.APIToken{ID: t.ID, UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, Digest: t.Digest,
			Permissions: t.Permissions, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
	}
	for _, c := range doc.Passkeys {
		d.Passkeys = append(d.Passkeys, store.PasskeyCredential{ID: c.ID, UserID: c.UserID, CredentialID: c.CredentialID,
			PublicKey: c.PublicKey, SignCount: c.SignCount, AAGUID: c.AAGUID, Transports: c.Transports,
			BackupEligible: c.BackupEligible, BackupState: c.BackupState, AttestationFormat: c.AttestationFormat,
			Name: c.Name, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt})
	}
	for _, h := range doc.PasskeyHandles {
		d.PasskeyHandles = append(d.PasskeyHandles, store.PasskeyHandle{UserID: h.UserID, Handle: h.Handle})
	}
	for i, c := range doc.RecoveryCodes {
		d.RecoveryCodes[i] = store.RecoveryCode{UserID: c.UserID, Digest: c.Digest}
	}
	for i, k := range doc.SigningKeys {
		key, err := token.OpenKey(s.sealer, k.Sealed)
		if err != nil || key.ID != k.ID {
			return nil, sealingKeyMismatch("signing key %d", i)
		}
		d.SigningKeys[i] = store.SigningKey{ID: k.ID, Sealed: k.Sealed, CreatedAt: k.CreatedAt}
	}
	for _, creds := range [][]store.TOTPCredential{d.TOTP, d.PendingTOTP} {
		for i := range creds {
			k, err := s.openTOTP(&creds[i])
			if err != nil {
				return nil, sealingKeyMismatch("totp secret %d", i)
			}
			clear(k.Secret)
		}
	}
	return d, nil
}

// authorizeRoot admits only a caller with every permission ("*"). Dump and
// restore are root operations: a dump hands out every password hash, and a
// restore can grant anything, so manage_system alone would be "*" in
// disguise.
func authorizeRoot(p *Principal) error {
	if p == nil {
		return ErrUnauthorized
	}
	if !slices.Contains(p.Permissions, PermAll) {
		return fmt.Errorf("%w: needs %s", ErrForbidden, PermAll)
	}
	return nil
}

// sealingKeyMismatch is the error of a sealed value in a backup that does
// not open with the service's sealing key; it matches ErrSealingKeyMismatch
// and ErrInvalidRequest.
func sealingKeyMismatch(format string, i int) error {
	return fmt.Errorf("%w: restore: %s does not open with this service's sealing key; the backup was made with another one: %w",
		ErrSealingKeyMismatch, fmt.Sprintf(format, i), ErrInvalidRequest)
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
