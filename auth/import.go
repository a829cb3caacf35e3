package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/latchkit/latch/hash"
	"github.com/latchkit/latch/importer"
	"github.com/latchkit/latch/store"
)

// ImportFailure is an imported account the service refused, with the
// error's code: USERNAME_ALREADY_USED or EMAIL_ALREADY_USED for a conflict
// with an existing user (or an earlier one of the same import), or a
// validation code such as INVALID_USERNAME or INVALID_PASSWORD_HASH.
type ImportFailure struct {
	// Index is the account's position in the slice ImportUsers was given.
	Index    int
	Line     int
	Username string
	Code     string
}

// ImportReport says what ImportUsers did.
type ImportReport struct {
	Created []User
	Failed  []ImportFailure
}

// ImportUsers creates one user per imported account (read by the importer
// package), keeping its hash as is (it is re-hashed to the current policy at
// the user's first sign-in) and giving it role and permissions. An account
// with an empty PasswordHash (its source hash was in a broken format) is
// created without a usable password: no password signs it in until one is
// set or reset.
//
// p needs add_users and must hold the permissions it grants. Each user is
// created by one store write, so it exists whole or not at all; the rules
// are CreateUser's (username, email, allowed IPs, hash format and limits,
// no name equal to another user's email). Accounts the service refuses are
// reported in Failed and do not stop the import; an error is returned only
// when the whole import cannot go on (permission, role, context, storage),
// with the report of what was done before it.
//
// Call it with batches (a few hundred accounts) when importing a large
// file through an importer.Reader, so memory stays bounded.
func (s *Service) ImportUsers(ctx context.Context, p *Principal, users []importer.User, role string, permissions []string) (*ImportReport, error) {
	rep := &ImportReport{}
	if p == nil {
		return rep, ErrUnauthorized
	}
	if !p.Can(PermAddUsers) {
		return rep, fmt.Errorf("%w: needs %s", ErrForbidden, PermAddUsers)
	}
	if role == "" {
		role = s.cfg.DefaultRole
	} else if err := validateRole(role); err != nil {
		return rep, err
	}
	perms, err := cleanPermissions(permissions)
	if err != nil {
		return rep, err
	}
	if !covers(p.Permissions, perms) {
		return rep, fmt.Errorf("%w: cannot grant permissions the caller lacks", ErrForbidden)
	}
	// Every account is checked first; those that pass go to the store in
	// one round, each created whole or not at all.
	batch := make([]*store.User, 0, len(users))
	index := make([]int, 0, len(users))
	fail := func(i int, err error) error {
		var ae *Error
		if errors.As(err, &ae) && ae != ErrInternal && ae != ErrForbidden && ae != ErrUnauthorized {
			rep.Failed = append(rep.Failed, ImportFailure{Index: i, Line: users[i].Line, Username: users[i].Username, Code: ae.Code()})
			return nil
		}
		return err
	}
	for i := range users {
		u, err := s.importRecord(&users[i], role, perms)
		if err != nil {
			if err := fail(i, err); err != nil {
				return rep, err
			}
			continue
		}
		batch, index = append(batch, u), append(index, i)
	}
	if len(batch) == 0 {
		return rep, nil
	}
	errs, err := s.st.CreateUsers(ctx, batch)
	if err != nil {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		return rep, internal(err)
	}
	for k, u := range batch {
		if errs[k] != nil {
			if err := fail(index[k], writeErr(errs[k])); err != nil {
				return rep, err
			}
			continue
		}
		s.audit(ctx, slog.LevelInfo, "auth.user_created", slog.String("user_id", u.ID),
			slog.String("by", actor(p)), slog.Bool("signup", false), slog.Bool("imported", true),
			slog.Bool("usable_password", u.PasswordHash != ""))
		rep.Created = append(rep.Created, *toUser(u, false))
	}
	slices.SortFunc(rep.Failed, func(a, b ImportFailure) int { return a.Index - b.Index })
	return rep, nil
}

// importRecord checks one imported account as CreateUser would, without
// the store (the store's uniqueness of identifiers decides clashes), and
// returns its record.
func (s *Service) importRecord(iu *importer.User, role string, perms []string) (*store.User, error) {
	if err := validateUsername(iu.Username); err != nil {
		return nil, err
	}
	if iu.Email != "" {
		if err := validateEmail(iu.Email); err != nil {
			return nil, err
		}
	}
	ips, err := cleanAllowedIPs(iu.AllowedIPs)
	if err != nil {
		return nil, err
	}
	encoded := iu.PasswordHash
	if encoded != "" {
		if err := s.validatePasswordHash(encoded); err != nil {
			return nil, err
		}
		if encoded, err = s.wrapImported(encoded); err != nil {
			return nil, err
		}
	}
	now := s.nowUTC()
	return &store.User{
		ID:       newID(),
		Username: iu.Username,
		Email:    iu.Email,
		// An address that comes with an import counts as verified, as
		// one an administrator sets does.
		EmailVerified: iu.Email != "",
		Role:          role,
		Permissions:   slices.Clone(perms),
		AllowedIPs:    ips,
		PasswordHash:  encoded,
		Disabled:      iu.Disabled,
		CreatedAt:     now,
		UpdatedAt:     now,
	}, nil
}

// wrapImported wraps a cheap legacy hash in Argon2id when the host asks
// for it (Config.WrapImportedHashes); other hashes stay as given.
func (s *Service) wrapImported(encoded string) (string, error) {
	if !s.cfg.WrapImportedHashes {
		return encoded, nil
	}
	wrapped, err := s.hasher.Wrap(encoded)
	switch {
	case errors.Is(err, hash.ErrNotWrappable):
		return encoded, nil
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrInvalidPasswordHash, err)
	}
	return wrapped, nil
}
