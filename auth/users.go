package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/latchkit/latch/store"
)

// DefaultListLimit is the page size of ListUsers for limit 0.
const DefaultListLimit = 50

// MaxListLimit is the largest page ListUsers returns.
const MaxListLimit = store.MaxListLimit

// selfRule says whether a user may do something to itself without a
// permission.
type selfRule int

const (
	noSelf selfRule = iota
	// selfAny: the user itself, with any credential (reading its own data).
	selfAny
	// selfSession: the user itself, signed in with an access token. An API
	// token (often narrowed, often stored in scripts) cannot change the
	// account's credentials or second factor, nor mint more tokens.
	selfSession
)

// authorize returns nil if p may act on userID: p is that user (as self
// allows) or holds one of perms. A nil p gets ErrUnauthorized.
func authorize(p *Principal, userID string, self selfRule, perms ...string) error {
	if p == nil {
		return ErrUnauthorized
	}
	for _, perm := range perms {
		if p.Can(perm) {
			return nil
		}
	}
	switch {
	case self == selfAny && p.is(userID), self == selfSession && p.isSession(userID):
		return nil
	case self == selfSession && p.is(userID):
		return errSession()
	case len(perms) == 0:
		return fmt.Errorf("%w: only the user itself may do this", ErrForbidden)
	}
	return fmt.Errorf("%w: needs %s", ErrForbidden, strings.Join(perms, " or "))
}

// errSession refuses an API token where the user must be signed in.
func errSession() error {
	return fmt.Errorf("%w: needs a signed-in session, not an api token", ErrForbidden)
}

// canManage reports whether p may act with administrative power on target:
// itself, or a user whose permissions p holds all of. An administrator thus
// never gains powers through another account (by setting its password,
// minting its API tokens or editing it).
func canManage(p *Principal, target *store.User) bool {
	return p.is(target.ID) || covers(p.Permissions, target.Permissions)
}

func errManage() error {
	return fmt.Errorf("%w: the user has permissions the caller lacks", ErrForbidden)
}

// toUser converts a stored user to its public form.
func toUser(u *store.User, totpEnabled bool) *User {
	out := &User{
		ID:            u.ID,
		Username:      u.Username,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		Role:          u.Role,
		Permissions:   nonNil(u.Permissions),
		AllowedIPs:    nonNil(u.AllowedIPs),
		Disabled:      u.Disabled,
		TOTPEnabled:   totpEnabled,
		CreatedAt:     u.CreatedAt,
		UpdatedAt:     u.UpdatedAt,
		LastLoginAt:   timePtr(u.LastLoginAt),
	}
	return out
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// publicUser returns u's public form with its TOTP status.
func (s *Service) publicUser(ctx context.Context, u *store.User) (*User, error) {
	on, err := s.totpEnabled(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return toUser(u, on), nil
}

func (s *Service) totpEnabled(ctx context.Context, userID string) (bool, error) {
	_, err := s.st.ActiveTOTP(ctx, userID)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	default:
		return false, internal(err)
	}
}

// loadUser reads a user; a missing one is ErrNotFound.
func (s *Service) loadUser(ctx context.Context, id string) (*store.User, error) {
	if store.ValidateID(id) != nil {
		return nil, ErrNotFound
	}
	u, err := s.st.User(ctx, id)
	if err != nil {
		return nil, storeErr(err, ErrNotFound)
	}
	return u, nil
}

// loadManaged loads the user p acts on and refuses, with ErrForbidden, a
// caller other than the user itself who lacks some of the user's
// permissions: a lesser administrator may not act on a greater one.
func (s *Service) loadManaged(ctx context.Context, p *Principal, id string) (*store.User, error) {
	u, err := s.loadUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canManage(p, u) {
		return nil, errManage()
	}
	return u, nil
}

// checkNameClash refuses a username that is another user's email and an
// email that is another user's username, so that sign-in by identifier
// can never reach two accounts.
func (s *Service) checkNameClash(ctx context.Context, id, username, email string) error {
	if strings.Contains(username, "@") {
		u, err := s.st.UserByEmail(ctx, username)
		if err == nil && u.ID != id {
			return ErrUsernameAlreadyUsed
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return internal(err)
		}
	}
	if email != "" {
		u, err := s.st.UserByUsername(ctx, email)
		if err == nil && u.ID != id {
			return ErrEmailAlreadyUsed
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return internal(err)
		}
	}
	return nil
}

// maxUpdateAttempts bounds the read-modify-write rounds of one change to a
// user: each round loses only to a write that committed in between.
const maxUpdateAttempts = 8

// modifyUser applies change to a fresh read of the user and writes the
// result with the store's compare-and-swap on the record's version. When
// another write came first it reads the user again and applies change
// again, so change (permission checks included) always decides on the
// record it replaces, and no concurrent change is ever lost. An error from
// change is returned as is and writes nothing.
func (s *Service) modifyUser(ctx context.Context, id string, change func(u *store.User) error) (*store.User, error) {
	for attempt := 1; ; attempt++ {
		u, err := s.loadUser(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := change(u); err != nil {
			return nil, err
		}
		u.UpdatedAt = s.nowUTC()
		err = s.st.UpdateUser(ctx, u)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, store.ErrStale) || attempt == maxUpdateAttempts {
			return nil, writeErr(err)
		}
	}
}

// narrower reports whether the allowed-IP list next admits an address that
// prev did not cover, entry for entry: any change but adding entries to a
// non-empty list, or emptying it (any address), is a reduction.
func narrower(next, prev []string) bool {
	if len(next) == 0 {
		return false
	}
	if len(prev) == 0 {
		return true
	}
	for _, p := range prev {
		if !slices.Contains(next, p) {
			return true
		}
	}
	return false
}

// writeErr translates the errors of CreateUser and UpdateUser.
func writeErr(err error) error {
	switch {
	case errors.Is(err, store.ErrUsernameTaken):
		return ErrUsernameAlreadyUsed
	case errors.Is(err, store.ErrEmailTaken):
		return ErrEmailAlreadyUsed
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, store.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	default:
		return internal(err)
	}
}

// CreateUser creates a user (POST /users). A caller needs add_users and can
// grant only permissions it holds itself; a nil p signs up anonymously when
// Config.AllowSignup is set, with a username, an optional email and a
// password only. in.PasswordHash, an encoded hash in any format the hash
// package verifies, is stored as is (migrations): ErrInvalidPasswordHash if
// it is unknown, malformed or over the safety limits. A new password is
// hashed with the configured Hasher, in the bounded hashing pool, and counts
// against the client IP's rate limit.
//
// Errors: ErrUnauthorized, ErrForbidden, ErrInvalidUsername,
// ErrInvalidEmail, ErrInvalidPassword, ErrInvalidPasswordHash,
// ErrInvalidRequest, ErrUsernameAlreadyUsed, ErrEmailAlreadyUsed,
// *RateLimitError.
func (s *Service) CreateUser(ctx context.Context, c Client, p *Principal, in CreateUserInput) (*User, error) {
	return s.createUser(ctx, c, p, in, true)
}

// createUser is CreateUser; checkEmpty makes it verify a pre-hashed
// password against the empty password (one hash: bulk imports skip it and
// rely on sign-in refusing the empty password).
func (s *Service) createUser(ctx context.Context, c Client, p *Principal, in CreateUserInput, checkEmpty bool) (*User, error) {
	switch {
	case p == nil && !s.cfg.AllowSignup:
		return nil, ErrUnauthorized
	case p == nil:
		if in.PasswordHash != "" || in.Role != "" || len(in.Permissions) > 0 || len(in.AllowedIPs) > 0 || in.Disabled {
			return nil, fmt.Errorf("%w: sign-up sets only username, email and password", ErrForbidden)
		}
	case !p.Can(PermAddUsers):
		return nil, fmt.Errorf("%w: needs %s", ErrForbidden, PermAddUsers)
	}
	if err := validateUsername(in.Username); err != nil {
		return nil, err
	}
	if in.Email != "" {
		if err := validateEmail(in.Email); err != nil {
			return nil, err
		}
	}
	role := in.Role
	if role == "" {
		role = s.cfg.DefaultRole
	} else if err := validateRole(role); err != nil {
		return nil, err
	}
	perms, err := cleanPermissions(in.Permissions)
	if err != nil {
		return nil, err
	}
	if p != nil && !covers(p.Permissions, perms) {
		return nil, fmt.Errorf("%w: cannot grant permissions the caller lacks", ErrForbidden)
	}
	ips, err := cleanAllowedIPs(in.AllowedIPs)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Password != "" && in.PasswordHash != "":
		return nil, fmt.Errorf("%w: give password or password_hash, not both", ErrInvalidRequest)
	case in.PasswordHash != "":
		if err := s.validatePasswordHash(in.PasswordHash); err != nil {
			return nil, err
		}
		if checkEmpty {
			if err := s.refuseEmptyPasswordHash(ctx, in.PasswordHash); err != nil {
				return nil, err
			}
		}
	default:
		if err := s.validateNewPassword(in.Password, in.Username, in.Email); err != nil {
			return nil, err
		}
	}
	encoded, err := s.wrapImported(in.PasswordHash)
	if err != nil {
		return nil, err
	}
	if encoded == "" {
		// Hashing is costly, and a sign-up's answer tells whether a name is
		// taken: both count against the client IP's limit, before either.
		// (Sign-up never gives a pre-hashed password.)
		if err := s.checkIP(ctx, c); err != nil {
			return nil, err
		}
	}
	if err := s.checkNameClash(ctx, "", in.Username, in.Email); err != nil {
		return nil, err
	}
	if encoded == "" {
		if encoded, err = s.hashPassword(ctx, in.Password); err != nil {
			return nil, err
		}
	}
	now := s.nowUTC()
	u := &store.User{
		ID:       newID(),
		Username: in.Username,
		Email:    in.Email,
		// An address set by a caller who may manage the user counts as
		// verified; one a user signs up with counts once its code was
		// entered.
		EmailVerified: p != nil && in.Email != "",
		Role:          role,
		Permissions:   perms,
		AllowedIPs:    ips,
		PasswordHash:  encoded,
		Disabled:      in.Disabled,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	if err := s.st.CreateUser(ctx, u); err != nil {
		return nil, writeErr(err)
	}
	s.audit(ctx, slog.LevelInfo, "auth.user_created", slog.String("user_id", u.ID),
		slog.String("by", actor(p)), slog.Bool("signup", p == nil), slog.Bool("prehashed", in.PasswordHash != ""), attrIP(c))
	return toUser(u, false), nil
}

// validatePasswordHash checks a pre-hashed password without verifying
// anything against it: a known format, well formed, within the limits.
func (s *Service) validatePasswordHash(encoded string) error {
	if len(encoded) > store.MaxPasswordHashLen {
		return fmt.Errorf("%w: too long", ErrInvalidPasswordHash)
	}
	if _, err := s.hasher.Identify(encoded); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPasswordHash, err)
	}
	return nil
}

// refuseEmptyPasswordHash refuses a pre-hashed password that the empty
// password verifies against: an account no one should sign in to without
// a password (sign-in refuses the empty password anyway).
func (s *Service) refuseEmptyPasswordHash(ctx context.Context, encoded string) error {
	var (
		ok  bool
		err error
	)
	if perr := s.pool.do(ctx, s.hasher.MemoryCost(encoded), func() { ok, err = s.hasher.Verify("", encoded) }); perr != nil {
		return poolErr(perr)
	}
	if err == nil && ok {
		return fmt.Errorf("%w: a hash of the empty password", ErrInvalidPasswordHash)
	}
	return nil
}

// actor names the caller in audit events.
func actor(p *Principal) string {
	switch {
	case p == nil:
		return "anonymous"
	case p.Kind == KindSystem:
		return "system"
	default:
		return p.UserID
	}
}

// GetUser returns a user (GET /users/{id}, GET /me): view_users or self.
// Errors: ErrUnauthorized, ErrForbidden, ErrNotFound.
func (s *Service) GetUser(ctx context.Context, p *Principal, userID string) (*User, error) {
	if err := authorize(p, userID, selfAny, PermViewUsers); err != nil {
		return nil, err
	}
	u, err := s.loadUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.publicUser(ctx, u)
}

// ListUsers returns a page of users in a stable order and the cursor of the
// next page ("" at the end) (GET /users): view_users. limit 0 means
// DefaultListLimit; it may be at most MaxListLimit. Errors: ErrUnauthorized,
// ErrForbidden, ErrInvalidRequest (a bad limit or cursor).
func (s *Service) ListUsers(ctx context.Context, p *Principal, limit int, cursor string) ([]User, string, error) {
	if err := authorize(p, "", noSelf, PermViewUsers); err != nil {
		return nil, "", err
	}
	if limit == 0 {
		limit = DefaultListLimit
	}
	if limit < 0 || limit > MaxListLimit {
		return nil, "", fmt.Errorf("%w: limit must be 1 to %d", ErrInvalidRequest, MaxListLimit)
	}
	us, next, err := s.st.ListUsers(ctx, limit, cursor)
	if errors.Is(err, store.ErrInvalid) {
		return nil, "", fmt.Errorf("%w: bad cursor", ErrInvalidRequest)
	} else if err != nil {
		return nil, "", internal(err)
	}
	out := make([]User, 0, len(us))
	for i := range us {
		pu, err := s.publicUser(ctx, &us[i])
		if err != nil {
			return nil, "", err
		}
		out = append(out, *pu)
	}
	return out, next, nil
}

// UpdateUser changes the non-nil fields of a user (PATCH /users/{id}).
// With edit_users a caller may change every field of a user whose
// permissions it holds, and grant only permissions it holds; an email it
// sets counts as verified. A user changes its own email with ChangeEmail
// only (ErrInvalidRequest here), which replaces the address once the new
// one is verified.
// Disabling a user, and removing permissions or allowed IPs from it, end
// every credential issued to it before (access tokens, sign-in challenges,
// reset requests: its generation moves on), and they stay invalid when the
// change is undone. Concurrent changes are never lost: each is applied to
// the record as it is when written. Errors: ErrUnauthorized, ErrForbidden,
// ErrNotFound, ErrInvalidEmail, ErrInvalidRequest, ErrEmailAlreadyUsed.
func (s *Service) UpdateUser(ctx context.Context, p *Principal, userID string, in UpdateUserInput) (*User, error) {
	if p == nil {
		return nil, ErrUnauthorized
	}
	admin := p.Can(PermEditUsers)
	if !admin {
		if !p.is(userID) {
			return nil, fmt.Errorf("%w: needs %s", ErrForbidden, PermEditUsers)
		}
		if !p.isSession(userID) {
			return nil, errSession()
		}
		if in.Role != nil || in.Permissions != nil || in.AllowedIPs != nil || in.Disabled != nil {
			return nil, fmt.Errorf("%w: a user may change only its email", ErrForbidden)
		}
	}
	var (
		perms, ips []string
		err        error
	)
	if in.Email != nil && p.is(userID) {
		return nil, fmt.Errorf("%w: a user changes its own email with ChangeEmail (verified before it replaces the old one)", ErrInvalidRequest)
	}
	if in.Email != nil && *in.Email != "" {
		if err := validateEmail(*in.Email); err != nil {
			return nil, err
		}
	}
	if in.Role != nil {
		if err := validateRole(*in.Role); err != nil {
			return nil, err
		}
	}
	if in.Permissions != nil {
		if perms, err = cleanPermissions(*in.Permissions); err != nil {
			return nil, err
		}
		if !covers(p.Permissions, perms) {
			return nil, fmt.Errorf("%w: cannot grant permissions the caller lacks", ErrForbidden)
		}
	}
	if in.AllowedIPs != nil {
		if ips, err = cleanAllowedIPs(*in.AllowedIPs); err != nil {
			return nil, err
		}
	}
	u, err := s.modifyUser(ctx, userID, func(u *store.User) error {
		if admin && !canManage(p, u) {
			return errManage()
		}
		if in.Email != nil && *in.Email != u.Email {
			if err := s.checkNameClash(ctx, u.ID, "", *in.Email); err != nil {
				return err
			}
			u.Email = *in.Email
			// Set by a caller who may manage the user: verified.
			u.EmailVerified = *in.Email != ""
		}
		if in.Role != nil {
			u.Role = *in.Role
		}
		end := false
		if in.Permissions != nil {
			end = end || !covers(perms, u.Permissions)
			u.Permissions = perms
		}
		if in.AllowedIPs != nil {
			end = end || narrower(ips, u.AllowedIPs)
			u.AllowedIPs = ips
		}
		if in.Disabled != nil {
			end = end || (*in.Disabled && !u.Disabled)
			u.Disabled = *in.Disabled
		}
		if end {
			u.Generation++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, slog.LevelInfo, "auth.user_updated", slog.String("user_id", u.ID), slog.String("by", actor(p)))
	return s.publicUser(ctx, u)
}

// DeleteUser deletes a user and everything it owns (DELETE /users/{id}):
// del_users, on a user whose permissions the caller holds. Its access and
// API tokens stop working at once. Errors: ErrUnauthorized, ErrForbidden,
// ErrNotFound.
func (s *Service) DeleteUser(ctx context.Context, p *Principal, userID string) error {
	if err := authorize(p, userID, noSelf, PermDelUsers); err != nil {
		return err
	}
	if _, err := s.loadManaged(ctx, p, userID); err != nil {
		return err
	}
	if err := s.st.DeleteUser(ctx, userID); err != nil {
		return storeErr(err, ErrNotFound)
	}
	s.clear(ctx, keyCode+userID)
	s.audit(ctx, slog.LevelInfo, "auth.user_deleted", slog.String("user_id", userID), slog.String("by", actor(p)))
	return nil
}
