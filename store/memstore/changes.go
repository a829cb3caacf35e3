package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/latchkit/latch/store"
)

var _ store.ChangeFeed = (*Store)(nil)

// hub delivers the store's changes to its subscribers. Changes are
// published under the store's write lock, so they are delivered in the
// order they were made.
type hub struct {
	mu   sync.Mutex
	subs map[*sub]struct{}
}

type sub struct {
	ch   chan store.Change
	done chan struct{} // closed with ch
}

// publish delivers a change to every subscriber; one whose buffer is full
// loses its feed (its channel is closed).
func (h *hub) publish(kind store.ChangeKind, key string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for sb := range h.subs {
		h.send(sb, store.Change{Kind: kind, Key: key})
	}
}

// send delivers c to sb or, when sb is full, ends sb. Called with mu held.
func (h *hub) send(sb *sub, c store.Change) {
	select {
	case sb.ch <- c:
	default:
		h.drop(sb)
	}
}

// drop ends sb. Called with mu held.
func (h *hub) drop(sb *sub) {
	if _, ok := h.subs[sb]; !ok {
		return
	}
	delete(h.subs, sb)
	close(sb.ch)
	close(sb.done)
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sb := range h.subs {
		h.drop(sb)
	}
}

// Changes implements [store.ChangeFeed]: changes are delivered in
// process, as they are made, and a goroutine per subscription sends a
// ChangeSync every [store.ChangeSyncInterval] until ctx is done or the
// store is closed.
func (s *Store) Changes(ctx context.Context) (<-chan store.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	h := s.hub
	sb := &sub{ch: make(chan store.Change, store.ChangeBuffer), done: make(chan struct{})}
	h.mu.Lock()
	h.subs[sb] = struct{}{}
	h.mu.Unlock()
	s.mu.Unlock()
	go s.syncLoop(ctx, h, sb)
	return sb.ch, nil
}

func (s *Store) syncLoop(ctx context.Context, h *hub, sb *sub) {
	t := time.NewTicker(store.ChangeSyncInterval / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			h.mu.Lock()
			h.drop(sb)
			h.mu.Unlock()
			return
		case <-sb.done:
			return
		case <-t.C:
			// Under the read lock no write is half published: everything
			// committed before now has been sent.
			s.mu.RLock()
			h.mu.Lock()
			if _, ok := h.subs[sb]; ok {
				h.send(sb, store.Change{Kind: store.ChangeSync, At: time.Now()})
			}
			h.mu.Unlock()
			s.mu.RUnlock()
		}
	}
}
