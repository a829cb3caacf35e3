package auth

import (
	"context"
	"log/slog"
	"strings"
)

// RotateSigningKey makes a new current signing key and returns its kid
// (POST /admin/signing-keys/rotate): manage_system. Older keys keep
// verifying their tokens until those expire, then they are pruned. Other
// instances sharing the store sign with the new key within
// Config.KeyReloadInterval, and verify its tokens at once (an unknown kid
// makes them reload). Errors: ErrUnauthorized, ErrForbidden.
func (s *Service) RotateSigningKey(ctx context.Context, p *Principal) (string, error) {
	if err := authorize(p, "", noSelf, PermManageSystem); err != nil {
		return "", err
	}
	kid, err := s.keys.rotate(ctx)
	if err != nil {
		return "", err
	}
	s.audit(ctx, slog.LevelInfo, "auth.signing_key_rotated", slog.String("kid", kid), slog.String("by", actor(p)))
	return kid, nil
}

// ResetSigningKeys replaces every signing key with a fresh one (POST
// /admin/signing-keys/reset): manage_system. Every access token issued
// before fails at once on this instance and within
// Config.KeyReloadInterval on the others. Errors: ErrUnauthorized,
// ErrForbidden.
func (s *Service) ResetSigningKeys(ctx context.Context, p *Principal) error {
	if err := authorize(p, "", noSelf, PermManageSystem); err != nil {
		return err
	}
	if err := s.keys.reset(ctx); err != nil {
		return err
	}
	s.audit(ctx, slog.LevelWarn, "auth.signing_keys_reset", slog.String("by", actor(p)))
	return nil
}

// JWKS returns the public keys of the EdDSA signing keys as a JSON Web Key
// Set (GET /.well-known/jwks.json); {"keys":[]} under HS256.
func (s *Service) JWKS(ctx context.Context) ([]byte, error) {
	s.keys.refresh(ctx)
	b, err := s.keys.kr.JWKS()
	if err != nil {
		return nil, internal(err)
	}
	return b, nil
}

// DefenderHosts lists the client IPs (IPv6: /64 prefixes) the defender
// scores or bans (GET /admin/defender/hosts): view_defender. Errors:
// ErrUnauthorized, ErrForbidden.
func (s *Service) DefenderHosts(ctx context.Context, p *Principal) ([]DefenderHost, error) {
	if err := authorize(p, "", noSelf, PermViewDefender); err != nil {
		return nil, err
	}
	now := s.now()
	cs, err := s.st.ListCounters(ctx, keyDefender, now)
	if err != nil {
		return nil, internal(err)
	}
	out := make([]DefenderHost, 0, len(cs))
	for _, c := range cs {
		h := DefenderHost{IP: strings.TrimPrefix(c.Key, keyDefender), Score: c.Count}
		if c.BannedUntil.After(now) {
			h.BannedUntil = timePtr(c.BannedUntil)
		}
		out = append(out, h)
	}
	return out, nil
}

// UnbanHost forgets the defender score, ban and per-IP rate count of a
// client IP or IPv6 /64 (DELETE /admin/defender/hosts/{ip}):
// manage_defender. Errors: ErrUnauthorized, ErrForbidden, ErrInvalidRequest
// (not an address), ErrNotFound (not a listed host).
func (s *Service) UnbanHost(ctx context.Context, p *Principal, ip string) error {
	if err := authorize(p, "", noSelf, PermManageDefender); err != nil {
		return err
	}
	h, ok := parseHost(ip)
	if !ok {
		return ErrInvalidRequest
	}
	now := s.now()
	c, err := s.st.Counter(ctx, keyDefender+h, now)
	if err != nil {
		return internal(err)
	}
	if c.Count == 0 && !c.BannedUntil.After(now) {
		return ErrNotFound
	}
	if err := s.st.DeleteCounter(ctx, keyDefender+h); err != nil {
		return internal(err)
	}
	if err := s.st.DeleteCounter(ctx, keyIP+h); err != nil {
		return internal(err)
	}
	s.audit(ctx, slog.LevelInfo, "auth.defender_unban", slog.String("host", h), slog.String("by", actor(p)))
	return nil
}
