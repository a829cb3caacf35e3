package auth

// PasswordPolicy is the rule every new password must meet.
type PasswordPolicy struct {
	// MinLen and MaxLen bound a password's length in Unicode code points
	// (Config.MinPasswordLen and MaxPasswordLen, after defaults).
	MinLen, MaxLen int
}

// PasswordPolicy returns the rule new passwords must meet, so that a host
// can tell a user why ErrInvalidPassword refused theirs. It is not secret.
func (s *Service) PasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinLen: s.cfg.MinPasswordLen, MaxLen: s.cfg.MaxPasswordLen}
}
