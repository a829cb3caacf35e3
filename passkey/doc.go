// Package passkey runs the WebAuthn ceremonies of passkeys (WebAuthn
// Level 3) on top of github.com/go-webauthn/webauthn: registration, login
// of a known user (passwordless or as a second factor) and discoverable
// login, where the passkey names its user. It keeps nothing: the caller
// stores passkeys and ceremony state.
//
// # Ceremonies
//
// Create one [RP] with [New] from a [Config] naming the origins the site
// runs at. Each ceremony has two halves, with a round trip to the browser
// between them:
//
//   - Registration: [RP.BeginRegistration] returns the options for the
//     browser (PublicKeyCredentialCreationOptionsJSON, for
//     PublicKeyCredential.parseCreationOptionsFromJSON) and state;
//     [RP.FinishRegistration] verifies the browser's credential.toJSON()
//     and returns the [Credential] to store.
//   - Login of a known user: [RP.BeginLogin] with the user's passkeys and
//     [VerificationRequired] (passwordless) or [VerificationPreferred]
//     (second factor after a password).
//   - Discoverable login: [RP.BeginDiscoverableLogin], with no user; user
//     verification is required.
//   - Both logins end alike: [ParseAssertion] reads the browser's
//     credential.toJSON(), whose [Assertion.UserHandle] names the user
//     after a discoverable login; [RP.FinishLogin] verifies it against
//     that user's passkeys and returns the passkey with its new signature
//     counter and backup state, to store.
//
// A [User] carries a random handle ([NewUserHandle]), WebAuthn's user.id,
// which authenticators keep with a discoverable passkey and return at
// login. Make it once per user and keep it; never use the user's ID, name
// or email instead, since anyone holding the authenticator can read it.
//
// # Ceremony state
//
// The state a Begin function returns is an opaque value (JSON) that holds
// the challenge, the RP ID, the user handle, the passkeys allowed and the
// user verification required. The caller must:
//
//   - keep it where the client can neither read nor change it: on the
//     server, or sealed (encrypted and authenticated) if it travels;
//   - bind it to what started the ceremony (the signed-in user who adds a
//     passkey, the login attempt) and hand it to the Finish function of
//     that ceremony only;
//   - use it once, deleting it before Finish runs, so that a response
//     cannot be verified twice; and keep it for no longer than [Timeout]
//     (5 minutes), after which the Finish functions refuse it anyway with
//     [ErrInvalidState].
//
// # Security
//
//   - Every Finish function verifies the challenge (so an assertion sent
//     again to a later ceremony is refused), the origin against
//     [Config.RPOrigins], the RP ID hash, user presence, user
//     verification where required, and the signature, or at registration
//     the attestation statement. The options ask for no attestation, and
//     attestation certificates are not checked against trust anchors: the
//     package does not judge authenticator models.
//   - A login accepts only a passkey in the credentials given, and after
//     [RP.BeginLogin] only one the options allowed; a user handle in the
//     response must be the user's, and a discoverable login needs one.
//   - Clone detection: when the signature counter does not increase while
//     either it or the stored one is not zero, [RP.FinishLogin] returns
//     [ErrCloneDetected]: refuse the sign-in, audit it, keep the stored
//     counter. An authenticator that does not count (always 0) is
//     accepted, and so are counters that jump.
//   - A credential ID must be unique among all users: the store must
//     refuse to register one it holds already, for whatever user.
//   - Input is bounded before it is parsed: [MaxCredentialSize] for a
//     browser's answer and [MaxStateSize] for state. Errors say which
//     check failed with a fixed phrase; they never contain a challenge, a
//     key or other input. No input makes a function panic.
//   - Errors: [ErrInvalidCredential] for every refused answer,
//     [ErrCloneDetected], [ErrInvalidState], [ErrInvalidArgument] and, from
//     New, [ErrInvalidConfig]. Any error from a Finish function is a
//     refusal.
//
// # Origins
//
// Browsers offer WebAuthn only in secure contexts and refuse it on
// IP-address origins: use https, or http://localhost (as
// [DefaultOrigin], http://localhost:8080) in development, never
// http://127.0.0.1. The RP ID, by default the host of the first origin,
// binds every passkey: changing it later makes them all useless, so a
// site served at several subdomains should set it to their parent domain
// from the start.
package passkey
