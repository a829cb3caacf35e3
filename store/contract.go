package store

import (
	"encoding/base64"
	"fmt"
)

// MaxListLimit is the largest page ListUsers returns; a limit below 1 or
// above it is ErrInvalid in every backend.
const MaxListLimit = 1000

// CheckListLimit returns ErrInvalid for a ListUsers limit outside 1 to
// MaxListLimit.
func CheckListLimit(limit int) error {
	if limit < 1 || limit > MaxListLimit {
		return fmt.Errorf("%w: limit must be 1 to %d", ErrInvalid, MaxListLimit)
	}
	return nil
}

// cursorVersion starts every decoded ListUsers cursor, so that a cursor
// of a later layout is told apart.
const cursorVersion = 1

// EncodeCursor returns the ListUsers cursor of the page after the user
// with this ID: every backend lists users in ID order (byte order) and
// shares this encoding.
func EncodeCursor(lastID string) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte{cursorVersion}, lastID...))
}

// DecodeCursor returns the user ID a cursor of EncodeCursor holds, or
// ErrInvalid for anything EncodeCursor did not produce (non-canonical
// base64 included, so every cursor has one spelling).
func DecodeCursor(c string) (string, error) {
	bad := fmt.Errorf("%w: bad cursor", ErrInvalid)
	if len(c) > base64.RawURLEncoding.EncodedLen(1+MaxIDLen) {
		return "", bad
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != c || len(b) < 2 || b[0] != cursorVersion {
		return "", bad
	}
	id := string(b[1:])
	if ValidateID(id) != nil {
		return "", bad
	}
	return id, nil
}

// Validate checks a whole Dump as Restore must before it writes anything,
// the same in every backend: each record passes its Validate function;
// user IDs, API-token IDs and digests, session IDs, refresh-token digests,
// passkey IDs and credential IDs, passkey handles and signing-key IDs are
// unique; no folded username or email of one user equals one of another
// (User); every token, credential, recovery code, session, passkey and
// passkey handle names a user of the dump and every refresh token a
// session of the dump; a user has at most one active and one pending TOTP
// credential, at most one passkey handle and at most MaxRecoveryCodes
// distinct recovery codes; a session's
// refresh tokens have distinct sequence numbers up to its RefreshSeq, and
// only the one with RefreshSeq is unspent. It returns ErrInvalid,
// ErrConflict (ErrUsernameTaken, ErrEmailTaken) or ErrNotFound (a record
// naming a user or session the dump does not hold). A nil d is ErrInvalid.
func (d *Dump) Validate() error {
	if d == nil {
		return fmt.Errorf("%w: nil dump", ErrInvalid)
	}
	users := make(map[string]bool, len(d.Users))
	idents := make(map[string]string, 2*len(d.Users)) // folded identifier → user ID
	for i := range d.Users {
		u := &d.Users[i]
		if err := ValidateUser(u); err != nil {
			return err
		}
		if users[u.ID] {
			return fmt.Errorf("%w: user id repeated", ErrConflict)
		}
		users[u.ID] = true
		for _, id := range []struct {
			key   string
			taken error
		}{{FoldIdentifier(u.Username), ErrUsernameTaken}, {FoldIdentifier(u.Email), ErrEmailTaken}} {
			if id.key == "" {
				continue
			}
			if owner, ok := idents[id.key]; ok && owner != u.ID {
				return id.taken
			}
			idents[id.key] = u.ID
		}
	}
	owner := func(what, userID string) error {
		if !users[userID] {
			return fmt.Errorf("%w: %s owner missing", ErrNotFound, what)
		}
		return nil
	}
	tokenIDs := make(map[string]bool, len(d.APITokens))
	digests := make(map[string]bool, len(d.APITokens))
	for i := range d.APITokens {
		t := &d.APITokens[i]
		if err := ValidateAPIToken(t); err != nil {
			return err
		}
		if err := owner("token", t.UserID); err != nil {
			return err
		}
		if tokenIDs[t.ID] {
			return fmt.Errorf("%w: token id repeated", ErrConflict)
		}
		if digests[t.Digest] {
			return fmt.Errorf("%w: token digest repeated", ErrConflict)
		}
		tokenIDs[t.ID], digests[t.Digest] = true, true
	}
	for _, creds := range [][]TOTPCredential{d.TOTP, d.PendingTOTP} {
		seen := make(map[string]bool, len(creds))
		for i := range creds {
			c := &creds[i]
			if err := ValidateTOTP(c); err != nil {
				return err
			}
			if err := owner("totp", c.UserID); err != nil {
				return err
			}
			if seen[c.UserID] {
				return fmt.Errorf("%w: totp credential repeated", ErrConflict)
			}
			seen[c.UserID] = true
		}
	}
	perUser := map[string]int{}
	codes := make(map[RecoveryCode]bool, len(d.RecoveryCodes))
	for _, rc := range d.RecoveryCodes {
		if err := firstErr(ValidateID(rc.UserID), ValidateDigests([]string{rc.Digest})); err != nil {
			return err
		}
		if err := owner("recovery code", rc.UserID); err != nil {
			return err
		}
		if codes[rc] {
			return fmt.Errorf("%w: recovery code repeated", ErrConflict)
		}
		codes[rc] = true
		if perUser[rc.UserID]++; perUser[rc.UserID] > MaxRecoveryCodes {
			return fmt.Errorf("%w: more than %d recovery codes", ErrInvalid, MaxRecoveryCodes)
		}
	}
	if err := d.validateSessions(users); err != nil {
		return err
	}
	if err := d.validatePasskeys(users); err != nil {
		return err
	}
	keys := make(map[string]bool, len(d.SigningKeys))
	for i := range d.SigningKeys {
		k := &d.SigningKeys[i]
		if err := ValidateSigningKey(k); err != nil {
			return err
		}
		if keys[k.ID] {
			return fmt.Errorf("%w: key id repeated", ErrConflict)
		}
		keys[k.ID] = true
	}
	return nil
}

// validateSessions checks the dump's sessions and refresh tokens; users
// holds the dump's user IDs.
func (d *Dump) validateSessions(users map[string]bool) error {
	sessions := make(map[string]*Session, len(d.Sessions))
	for i := range d.Sessions {
		s := &d.Sessions[i]
		if err := ValidateSession(s); err != nil {
			return err
		}
		if !users[s.UserID] {
			return fmt.Errorf("%w: session owner missing", ErrNotFound)
		}
		if sessions[s.ID] != nil {
			return fmt.Errorf("%w: session id repeated", ErrConflict)
		}
		sessions[s.ID] = s
	}
	type seq struct {
		session string
		seq     int64
	}
	digests := make(map[string]bool, len(d.RefreshTokens))
	seqs := make(map[seq]bool, len(d.RefreshTokens))
	for i := range d.RefreshTokens {
		t := &d.RefreshTokens[i]
		if err := ValidateRefreshToken(t); err != nil {
			return err
		}
		s := sessions[t.SessionID]
		if s == nil {
			return fmt.Errorf("%w: refresh token's session missing", ErrNotFound)
		}
		if digests[t.Digest] {
			return fmt.Errorf("%w: refresh token digest repeated", ErrConflict)
		}
		k := seq{t.SessionID, t.Seq}
		if seqs[k] {
			return fmt.Errorf("%w: refresh token sequence repeated", ErrConflict)
		}
		digests[t.Digest], seqs[k] = true, true
		switch {
		case t.Seq > s.RefreshSeq:
			return fmt.Errorf("%w: refresh token after the session's live one", ErrInvalid)
		case t.Seq == s.RefreshSeq && !t.SpentAt.IsZero():
			return fmt.Errorf("%w: the live refresh token is spent", ErrInvalid)
		case t.Seq < s.RefreshSeq && t.SpentAt.IsZero():
			return fmt.Errorf("%w: a replaced refresh token is not spent", ErrInvalid)
		}
	}
	return nil
}

// validatePasskeys checks the dump's passkeys and passkey handles; users
// holds the dump's user IDs.
func (d *Dump) validatePasskeys(users map[string]bool) error {
	ids := make(map[string]bool, len(d.Passkeys))
	creds := make(map[string]bool, len(d.Passkeys))
	for i := range d.Passkeys {
		c := &d.Passkeys[i]
		if err := ValidatePasskey(c); err != nil {
			return err
		}
		if !users[c.UserID] {
			return fmt.Errorf("%w: passkey owner missing", ErrNotFound)
		}
		if ids[c.ID] {
			return fmt.Errorf("%w: passkey id repeated", ErrConflict)
		}
		if creds[string(c.CredentialID)] {
			return fmt.Errorf("%w: passkey credential id repeated", ErrConflict)
		}
		ids[c.ID], creds[string(c.CredentialID)] = true, true
	}
	owners := make(map[string]bool, len(d.PasskeyHandles))
	handles := make(map[string]bool, len(d.PasskeyHandles))
	for _, h := range d.PasskeyHandles {
		if err := firstErr(ValidateID(h.UserID), ValidatePasskeyHandle(h.Handle)); err != nil {
			return err
		}
		if !users[h.UserID] {
			return fmt.Errorf("%w: passkey handle owner missing", ErrNotFound)
		}
		if owners[h.UserID] {
			return fmt.Errorf("%w: passkey handle repeated for a user", ErrConflict)
		}
		if handles[string(h.Handle)] {
			return fmt.Errorf("%w: passkey handle repeated", ErrConflict)
		}
		owners[h.UserID], handles[string(h.Handle)] = true, true
	}
	return nil
}
