package auth

import (
	"net/netip"
	"slices"
	"time"
)

// Permissions of the REST contract. Hosts may use their own strings too.
const (
	PermAll             = "*"
	PermViewUsers       = "view_users"
	PermAddUsers        = "add_users"
	PermEditUsers       = "edit_users"
	PermDelUsers        = "del_users"
	PermManageAPITokens = "manage_api_tokens"
	PermViewDefender    = "view_defender"
	PermManageDefender  = "manage_defender"
	PermManageSystem    = "manage_system"
)

// PrincipalKind says how a [Principal] was authenticated.
type PrincipalKind string

// Principal kinds.
const (
	KindAccessToken PrincipalKind = "access_token"
	KindAPIToken    PrincipalKind = "api_token"
	KindSystem      PrincipalKind = "system"
)

// Client describes the caller of a request. IP is the client address as
// the host determined it (the adapter applies its trusted-proxy rules). A
// zero IP disables the per-IP limits and the defender for that call and
// fails every allowed_ips check; host code acting on its own behalf (an
// import, a CLI) passes Client{}.
type Client struct {
	IP netip.Addr
	// UserAgent is the client's User-Agent, as the client sent it; it is
	// only passed on to a SignInNotifier (which must shorten and clean
	// it), never logged.
	UserAgent string
}

// Principal is an authenticated caller, as returned by
// [Service.Authenticate]. Service methods take the acting Principal (nil
// for an anonymous caller) and enforce the permission rules themselves.
type Principal struct {
	UserID   string
	Username string
	Role     string
	// Permissions are the effective permissions: the access token's (or the
	// API token's) permissions narrowed to the user's current ones.
	Permissions []string
	// Kind is KindAccessToken, KindAPIToken, KindCertificate or KindSystem.
	Kind PrincipalKind
	// TokenID is the access token's jti or the API token's ID.
	TokenID string
	// SessionID is the session of an access token (its sid claim); empty
	// for other credentials.
	SessionID string
	// ExpiresAt is when the credential expires; zero for API tokens
	// without expiry and for the system principal.
	ExpiresAt time.Time
	// AuthTime is when the user last proved a credential (a password or a
	// second factor) in the sign-in behind an access token; zero for API
	// tokens. Changing the account's email, creating API tokens and
	// removing a second factor need it to be recent (RecentAuthWindow) or
	// the current password.
	AuthTime time.Time
}

// System returns a principal with every permission that is no user, for
// host code acting on its own authority (setup, imports, a CLI). Never hand
// it to a remote caller.
func System() *Principal {
	return &Principal{Kind: KindSystem, Permissions: []string{PermAll}}
}

// Can reports whether p holds perm; PermAll grants every permission. A nil
// Principal holds none.
func (p *Principal) Can(perm string) bool {
	if p == nil {
		return false
	}
	for _, q := range p.Permissions {
		if q == perm || q == PermAll {
			return true
		}
	}
	return false
}

// is reports whether p is the user with this ID acting for itself.
func (p *Principal) is(userID string) bool {
	return p != nil && p.UserID != "" && p.UserID == userID && p.Kind != KindSystem
}

// isSession reports whether p is the user with this ID signed in with an
// access token (not an API token).
func (p *Principal) isSession(userID string) bool {
	return p.is(userID) && p.Kind == KindAccessToken
}

// covers reports whether every permission in perms is granted by have.
func covers(have, perms []string) bool {
	if slices.Contains(have, PermAll) {
		return true
	}
	for _, q := range perms {
		if !slices.Contains(have, q) {
			return false
		}
	}
	return true
}

// narrow returns the permissions of requested that owner also holds.
// It returns requested itself (not a copy) when nothing is removed.
func narrow(requested, owner []string) []string {
	if slices.Contains(owner, PermAll) {
		return requested
	}
	if slices.Contains(requested, PermAll) {
		return owner
	}
	if covers(owner, requested) {
		return requested
	}
	out := make([]string, 0, len(requested))
	for _, q := range requested {
		if slices.Contains(owner, q) {
			out = append(out, q)
		}
	}
	return out
}
