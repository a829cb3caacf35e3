package auth

// PasswordRules describes what a new password must be, so that a host can
// tell a user why ErrInvalidPassword refused theirs. It is not secret.
type PasswordRules struct {
	// MinLen and MaxLen bound a password's length in Unicode code points
	// (Config.MinPasswordLen and MaxPasswordLen, after defaults).
	MinLen, MaxLen int
	// RefusesCommon is true when Config.PasswordPolicy refuses common,
	// account-derived and repetitive passwords (the default).
	RefusesCommon bool
}

// PasswordRules returns the rules new passwords must meet.
func (s *Service) PasswordRules() PasswordRules {
	return PasswordRules{MinLen: s.cfg.MinPasswordLen, MaxLen: s.cfg.MaxPasswordLen, RefusesCommon: !s.cfg.PasswordPolicy.AllowCommon}
}
