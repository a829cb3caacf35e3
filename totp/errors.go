package totp

import "errors"

var (
	// ErrInvalidCode reports a one-time code or recovery code that is malformed
	// (not exactly the expected characters) or wrong. The code is never
	// included in the message.
	ErrInvalidCode = errors.New("totp: invalid code")

	// ErrReplay reports a TOTP code that is correct, but only for a time step
	// at or before the last accepted one: it was (or could have been) used
	// already. Treat it as a rejection, exactly like [ErrInvalidCode].
	ErrReplay = errors.New("totp: code already used")

	// ErrInvalidURI reports an otpauth URI that [ParseURI] refuses: malformed,
	// too long, not TOTP, with unknown, duplicate or out-of-range parameters.
	// The secret is never included in the message.
	ErrInvalidURI = errors.New("totp: invalid otpauth uri")

	// ErrInvalidKey reports a [Key] whose fields are outside the supported
	// ranges (see [Key.Check]).
	ErrInvalidKey = errors.New("totp: invalid key")

	// ErrInvalidConfig reports a [Config] field outside its documented range.
	ErrInvalidConfig = errors.New("totp: invalid config")

	// ErrInvalidArgument reports another argument outside its documented
	// range: a skew or window, a QR size, a recovery-code count, an empty
	// user ID, an account name or a time before the Unix epoch.
	ErrInvalidArgument = errors.New("totp: invalid argument")
)
