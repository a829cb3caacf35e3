package store

import (
	"context"
	"time"
)

// ChangeKind says what a [Change] is about.
type ChangeKind uint8

// Change kinds.
const (
	// ChangeUser: the user whose ID is Key was updated (anything but the
	// last sign-in time) or deleted, with everything it owns.
	ChangeUser ChangeKind = iota + 1
	// ChangeAPIToken: the API token whose digest is Key was deleted or
	// changed (its last use excepted).
	ChangeAPIToken
	// ChangeSession: the session whose ID is Key was updated (refreshed)
	// or deleted.
	ChangeSession
	// ChangeRevocation: the access token whose jti is Key was revoked.
	ChangeRevocation
	// ChangeKeys: a signing key was added or deleted, or the keys were
	// reset. Key is empty.
	ChangeKeys
	// ChangeReset: anything may have changed (a restore); a consumer drops
	// everything it derived from the store. Key is empty.
	ChangeReset
	// ChangeSync is no change: it says that every change committed before
	// At has been delivered before it. A feed sends one at least every
	// [ChangeSyncInterval] while it is healthy, so a consumer can tell a
	// live feed from one that silently stalled (a partitioned network).
	ChangeSync
)

// ChangeSyncInterval is the longest time between two ChangeSync of a
// healthy feed.
const ChangeSyncInterval = 100 * time.Millisecond

// String returns the kind's name ("user", "api_token", "session",
// "revocation", "keys", "reset", "sync"), or "unknown".
func (k ChangeKind) String() string {
	switch k {
	case ChangeUser:
		return "user"
	case ChangeAPIToken:
		return "api_token"
	case ChangeSession:
		return "session"
	case ChangeRevocation:
		return "revocation"
	case ChangeKeys:
		return "keys"
	case ChangeReset:
		return "reset"
	case ChangeSync:
		return "sync"
	}
	return "unknown"
}

// ParseChangeKind is the inverse of ChangeKind.String; it returns 0 for
// an unknown name.
func ParseChangeKind(s string) ChangeKind {
	for k := ChangeUser; k <= ChangeSync; k++ {
		if k.String() == s {
			return k
		}
	}
	return 0
}

// Change is one committed change that may affect authentication, or a
// ChangeSync.
type Change struct {
	Kind ChangeKind
	// Key is the user ID, API-token digest, session ID or jti that Kind
	// names; empty for ChangeKeys, ChangeReset and ChangeSync.
	Key string
	// At is set on ChangeSync only: every change committed before At was
	// delivered before this one.
	At time.Time
}

// ChangeFeed is implemented by stores that can tell every consumer,
// in every process sharing the database, about each change that may
// affect authentication, typically within milliseconds. It is optional:
// the auth service type-asserts it and, without it, reads the store for
// every authentication.
type ChangeFeed interface {
	// Changes subscribes to the changes committed after it returns. The
	// channel delivers them in commit order (a change may be delivered more
	// than once, and a change may be announced that changed nothing) and a
	// ChangeSync at least every ChangeSyncInterval. It is closed when the
	// feed is lost (a dropped connection, a consumer too slow to keep up,
	// ctx done, the store closed): changes made after that are not
	// delivered, so the consumer must assume anything changed and
	// subscribe again. Changes returns an error when it cannot subscribe:
	// one wrapping ErrUnavailable when a later call may succeed (the
	// database unreachable), any other when none will (the store closed).
	Changes(ctx context.Context) (<-chan Change, error)
}

// ChangeBuffer is how many changes a feed holds for a consumer that has
// not taken them yet; a feed closes the channel of a consumer that falls
// further behind.
const ChangeBuffer = 4096
