package auth

import (
	"context"
	"fmt"
	"time"
)

// ReadyTimeout bounds the store read of [Service.Ready].
const ReadyTimeout = 2 * time.Second

// keyReady is the counter Ready reads; it is never written.
const keyReady = "auth:ready"

// Ready reports whether the service can serve requests: it reads one
// counter from the store (one primary-key read), giving up after
// ReadyTimeout or at ctx's earlier deadline. It returns nil, or an error
// wrapping ErrUnavailable and the store's error (for the host's logs).
//
// Ready is a readiness check (GET /readyz): a load balancer stops sending
// requests to an instance whose store does not answer, and the instance
// is not restarted for it, unlike a failed liveness check.
func (s *Service) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	if _, err := s.st.Counter(ctx, keyReady, s.now()); err != nil {
		return fmt.Errorf("%w: store: %w", ErrUnavailable, err)
	}
	return nil
}
