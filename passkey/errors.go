package passkey

import "errors"

var (
	// ErrInvalidConfig reports a [Config] that [New] refuses: no origin, an
	// origin that is not a bare https origin (or http on localhost), an IP
	// address, an RP ID that is not a domain or of which an origin is not a
	// part. It is a programming error, to be found when the host starts.
	ErrInvalidConfig = errors.New("passkey: invalid config")

	// ErrInvalidArgument reports another argument outside its documented
	// range: a [User] with a handle that is not 16 to 64 bytes or a name
	// that is empty, too long or not UTF-8, an unknown [UserVerification],
	// a login with no credentials.
	ErrInvalidArgument = errors.New("passkey: invalid argument")

	// ErrInvalidCredential reports a credential (the browser's
	// credential.toJSON()) that a ceremony refuses: larger than
	// [MaxCredentialSize], not a registration or assertion response, or one
	// whose origin, RP ID hash, challenge, user presence or verification,
	// attestation or signature does not verify, or an assertion by a
	// credential the user does not own or the ceremony did not allow, or
	// whose user handle is not the user's. An assertion sent again is
	// refused as well: its challenge is another ceremony's. The message
	// says which check failed, in words of this package, never with a
	// value from the request.
	ErrInvalidCredential = errors.New("passkey: invalid credential")

	// ErrCloneDetected reports an assertion that verifies but whose
	// signature counter is not above the stored one, while the
	// authenticator counts (one of them is not zero): two copies of the
	// private key may exist, or the assertion was replayed within its own
	// ceremony. Refuse the sign-in, audit it and let the user review the
	// passkey; the stored counter must not be changed.
	ErrCloneDetected = errors.New("passkey: signature counter did not increase (possible cloned authenticator)")

	// ErrInvalidState reports ceremony state that a Finish function cannot
	// use: not made by this package, made for another kind of ceremony or
	// another user, or older than [Timeout].
	ErrInvalidState = errors.New("passkey: invalid ceremony state")
)
