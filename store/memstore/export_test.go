package memstore

// NumCounters returns how many counters s holds, dead ones included.
func (s *Store) NumCounters() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.d.counters)
}
