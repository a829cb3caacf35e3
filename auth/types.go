package auth

import (
	"encoding/json"
	"time"
)

// The types of this file are the wire format of the REST contract
// (httpadapter/openapi.yaml): the adapter encodes them as they are. The
// service fills them in that form: times in UTC, lists never nil, absent
// times nil, secrets only in the results that create them.

// User is a user account as the REST contract shows it: never a hash or a
// secret.
type User struct {
	ID            string     `json:"id"`
	Username      string     `json:"username"`
	Email         string     `json:"email"`
	EmailVerified bool       `json:"email_verified"`
	Role          string     `json:"role"`
	Permissions   []string   `json:"permissions"`
	AllowedIPs    []string   `json:"allowed_ips"`
	Disabled      bool       `json:"disabled"`
	TOTPEnabled   bool       `json:"totp_enabled"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	LastLoginAt   *time.Time `json:"last_login_at"`
}

// TokenResponse is an issued access token, with the session it belongs to
// and, when a sign-in started the session or a refresh rotated its refresh
// token, the new refresh token (the only time it is shown).
type TokenResponse struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"` // always "Bearer"
	ExpiresAt   time.Time `json:"expires_at"`
	// RefreshToken renews the access token (Service.Refresh) until
	// RefreshExpiresAt; empty when a refresh within the grace returned an
	// access token only.
	RefreshToken     string     `json:"refresh_token,omitempty"`
	RefreshExpiresAt *time.Time `json:"refresh_expires_at,omitempty"`
	SessionID        string     `json:"session_id,omitempty"`
}

// LoginResult is the outcome of a sign-in step: either Token and User, or
// SecondFactorRequired with a ChallengeToken for [Service.LoginTOTP] or
// [Service.LoginRecoveryCode].
type LoginResult struct {
	Token                *TokenResponse
	User                 *User
	SecondFactorRequired bool
	ChallengeToken       string
	ChallengeExpiresAt   time.Time
	// Methods are the second factors the challenge accepts, in the order
	// "totp", "passkey", "recovery_code" (those the user has).
	Methods []string
}

// Passkey is a registered passkey (WebAuthn credential) as the REST
// contract shows it: never its key or credential ID.
type Passkey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// BackupEligible reports a passkey that can be synced (a password
	// manager's or a platform's); BackupState that it is backed up now, as
	// its authenticator said at registration or the last sign-in.
	BackupEligible bool `json:"backup_eligible"`
	BackupState    bool `json:"backup_state"`
}

// PasskeyRegistration starts adding a passkey: Options is the
// PublicKeyCredentialCreationOptionsJSON for the browser's
// PublicKeyCredential.parseCreationOptionsFromJSON, and RegistrationID
// names the ceremony for Service.FinishPasskeyRegistration.
type PasskeyRegistration struct {
	RegistrationID string          `json:"registration_id"`
	Options        json.RawMessage `json:"options"`
}

// PasskeyLogin starts a passkey sign-in: Options is the
// PublicKeyCredentialRequestOptionsJSON for
// PublicKeyCredential.parseRequestOptionsFromJSON, and LoginID names the
// ceremony for Service.LoginPasskey.
type PasskeyLogin struct {
	LoginID string          `json:"login_id"`
	Options json.RawMessage `json:"options"`
}

// CreateUserInput describes a new user. Exactly one of Password and
// PasswordHash is set; PasswordHash is an encoded hash in any format the
// hash package verifies and is stored as is (migrations). Disabled creates
// the account disabled (imports of locked accounts); sign-up cannot set it.
type CreateUserInput struct {
	Username     string
	Email        string
	Password     string
	PasswordHash string
	Role         string
	Permissions  []string
	AllowedIPs   []string
	Disabled     bool
}

// UpdateUserInput changes the non-nil fields of a user.
type UpdateUserInput struct {
	Email       *string
	Role        *string
	Permissions *[]string
	AllowedIPs  *[]string
	Disabled    *bool
}

// EmailVerification is a pending email verification. Code is set only for
// callers with edit_users, when the request is created.
type EmailVerification struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires_at"`
	Code      string    `json:"code,omitempty"`
}

// TOTPEnrollment is a pending TOTP enrollment, shown once to the user.
type TOTPEnrollment struct {
	Secret     string `json:"secret"` // base32, for manual entry
	OTPAuthURI string `json:"otpauth_uri"`
	QRPNG      []byte `json:"qr_png"` // PNG of OTPAuthURI; base64 in JSON
}

// TOTPStatus describes a user's TOTP credential, never its secret.
type TOTPStatus struct {
	Enabled   bool       `json:"enabled"`
	CreatedAt *time.Time `json:"created_at"`
	Algorithm string     `json:"algorithm,omitempty"`
	Digits    int        `json:"digits,omitempty"`
	Period    int        `json:"period,omitempty"`
}

// PasswordResetStarted is a password reset just started. Code is set only
// for callers with edit_users who may manage the account.
type PasswordResetStarted struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
	Code      string    `json:"code,omitempty"`
}

// PasswordReset is a pending password reset and how far it got; never its
// code.
type PasswordReset struct {
	ID                   string    `json:"id"`
	ExpiresAt            time.Time `json:"expires_at"`
	EmailVerified        bool      `json:"email_verified"`
	SecondFactorVerified bool      `json:"second_factor_verified"`
}

// APIToken is an API token's metadata. Token, the secret, is set only in
// the result of [Service.CreateAPIToken].
type APIToken struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Permissions []string   `json:"permissions"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
	Token       string     `json:"token,omitempty"`
}

// CreateAPITokenInput describes a new API token. Nil Permissions means the
// owner's; otherwise they must be among the owner's. A nil ExpiresAt means
// the token does not expire.
type CreateAPITokenInput struct {
	Name        string
	Permissions []string
	ExpiresAt   *time.Time
	// CurrentPassword is the owner's password, needed when it creates a
	// token for itself more than RecentAuthWindow after signing in.
	CurrentPassword *string
}

// DefenderHost is a client IP (or IPv6 /64) the defender is watching.
type DefenderHost struct {
	IP          string     `json:"ip"`
	Score       int64      `json:"score"`
	BannedUntil *time.Time `json:"banned_until"`
}
