package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/latchkit/latch/store"
	"github.com/latchkit/latch/token"
)

func toAPIToken(t *store.APIToken) APIToken {
	return APIToken{
		ID:          t.ID,
		Name:        t.Name,
		Prefix:      t.Prefix,
		Permissions: nonNil(t.Permissions),
		CreatedAt:   t.CreatedAt,
		ExpiresAt:   timePtr(t.ExpiresAt),
		LastUsedAt:  timePtr(t.LastUsedAt),
	}
}

// CreateAPIToken creates an API token for the user (POST
// /users/{id}/api-tokens): self, or manage_api_tokens on a user whose
// permissions the caller holds. Permissions nil means the owner's; given
// ones must all be the owner's (they can only narrow). When the token is
// used, its permissions are also narrowed to the owner's current ones. The
// secret is in the result's Token only, never again. Errors:
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrInvalidRequest,
// ErrAPITokenLimitReached.
func (s *Service) CreateAPIToken(ctx context.Context, c Client, p *Principal, userID string, in CreateAPITokenInput) (*APIToken, error) {
	if err := authorize(p, userID, selfSession, PermManageAPITokens); err != nil {
		return nil, err
	}
	if err := validateAPITokenName(in.Name); err != nil {
		return nil, err
	}
	var perms []string
	if in.Permissions != nil {
		var err error
		if perms, err = cleanPermissions(in.Permissions); err != nil {
			return nil, err
		}
	}
	now := s.nowUTC()
	var exp time.Time
	if in.ExpiresAt != nil {
		exp = store.StorageTime(*in.ExpiresAt)
		if !exp.After(now) {
			return nil, fmt.Errorf("%w: expires_at must be in the future", ErrInvalidRequest)
		}
	}
	u, err := s.loadManaged(ctx, p, userID)
	if err != nil {
		return nil, err
	}
	if err := s.requireRecentAuth(ctx, c, p, u, in.CurrentPassword); err != nil {
		return nil, err
	}
	if perms == nil {
		perms = append([]string{}, narrow(u.Permissions, p.Permissions)...)
	} else if !covers(u.Permissions, perms) || !covers(p.Permissions, perms) {
		return nil, fmt.Errorf("%w: permissions can only narrow the owner's (and the caller's)", ErrForbidden)
	}
	secret, digest, err := token.GenerateAPIToken()
	if err != nil {
		return nil, internal(err)
	}
	t := &store.APIToken{
		ID:          newID(),
		UserID:      userID,
		Name:        in.Name,
		Prefix:      token.APITokenPrefix(secret),
		Digest:      digest,
		Permissions: perms,
		CreatedAt:   now,
		ExpiresAt:   exp,
	}
	switch err := s.st.CreateAPIToken(ctx, t, s.cfg.MaxAPITokensPerUser); {
	case errors.Is(err, store.ErrLimitReached):
		return nil, ErrAPITokenLimitReached
	case err != nil:
		return nil, storeErr(err, ErrNotFound)
	}
	s.audit(ctx, slog.LevelInfo, "auth.api_token_created", slog.String("user_id", userID), slog.String("token_id", t.ID),
		slog.String("by", actor(p)))
	out := toAPIToken(t)
	out.Token = secret
	return &out, nil
}

// ListAPITokens lists the user's API tokens, oldest first, without secrets
// (GET /users/{id}/api-tokens): self or manage_api_tokens. Errors:
// ErrUnauthorized, ErrForbidden, ErrNotFound.
func (s *Service) ListAPITokens(ctx context.Context, p *Principal, userID string) ([]APIToken, error) {
	if err := authorize(p, userID, selfAny, PermManageAPITokens); err != nil {
		return nil, err
	}
	if _, err := s.loadManaged(ctx, p, userID); err != nil {
		return nil, err
	}
	ts, err := s.st.ListAPITokens(ctx, userID)
	if err != nil {
		return nil, internal(err)
	}
	out := make([]APIToken, len(ts))
	for i := range ts {
		out[i] = toAPIToken(&ts[i])
	}
	return out, nil
}

// RevokeAPIToken deletes one of the user's API tokens, which fails
// authentication from then on (DELETE /users/{id}/api-tokens/{token_id}):
// self or manage_api_tokens. Errors: ErrUnauthorized, ErrForbidden,
// ErrNotFound.
func (s *Service) RevokeAPIToken(ctx context.Context, p *Principal, userID, tokenID string) error {
	if err := authorize(p, userID, selfAny, PermManageAPITokens); err != nil {
		return err
	}
	if store.ValidateID(tokenID) != nil {
		return ErrNotFound
	}
	if _, err := s.loadManaged(ctx, p, userID); err != nil {
		return err
	}
	if err := s.st.DeleteAPIToken(ctx, userID, tokenID); err != nil {
		return storeErr(err, ErrNotFound)
	}
	s.audit(ctx, slog.LevelInfo, "auth.api_token_revoked", slog.String("user_id", userID), slog.String("token_id", tokenID),
		slog.String("by", actor(p)))
	return nil
}

// deleteAPITokens deletes every API token of the user (a password reset).
func (s *Service) deleteAPITokens(ctx context.Context, userID string) error {
	ts, err := s.st.ListAPITokens(ctx, userID)
	if err != nil {
		return internal(err)
	}
	for _, t := range ts {
		if err := s.st.DeleteAPIToken(ctx, userID, t.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return internal(err)
		}
	}
	if len(ts) > 0 {
		s.audit(ctx, slog.LevelInfo, "auth.api_tokens_deleted", slog.String("user_id", userID), slog.Int("count", len(ts)))
	}
	return nil
}
