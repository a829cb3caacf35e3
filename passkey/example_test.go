package passkey_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/latchkit/latch/passkey"
)

func ExampleNew() {
	// A development server; in production, the site's https origins.
	rp, err := passkey.New(passkey.Config{RPOrigins: []string{passkey.DefaultOrigin}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rp.Config().RPID)

	// Browsers refuse WebAuthn on IP-address origins, so New does too.
	_, err = passkey.New(passkey.Config{RPOrigins: []string{"http://127.0.0.1:8080"}})
	fmt.Println(errors.Is(err, passkey.ErrInvalidConfig))
	// Output:
	// localhost
	// true
}

func ExampleRP_BeginRegistration() {
	rp, err := passkey.New(passkey.Config{RPDisplayName: "Example", RPOrigins: []string{"https://example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	user := passkey.User{
		Handle:      passkey.NewUserHandle(), // made once, stored with the user
		Name:        "alice@example.com",
		DisplayName: "Alice",
	}
	options, state, err := rp.BeginRegistration(user, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Keep state on the server for at most passkey.Timeout; send options
	// to the browser, which calls
	// navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)})
	// and posts credential.toJSON() back for FinishRegistration.
	_ = state
	var o struct {
		RP struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"rp"`
		User struct {
			Name string `json:"name"`
		} `json:"user"`
		Selection struct {
			ResidentKey      string `json:"residentKey"`
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
		Attestation string `json:"attestation"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.RP.ID, o.RP.Name, o.User.Name)
	fmt.Println(o.Selection.ResidentKey, o.Selection.UserVerification, o.Attestation)
	// Output:
	// example.com Example alice@example.com
	// preferred preferred none
}

// A discoverable login: the browser's answer names the user by handle;
// the caller finds that user and their passkeys, then verifies. (Not run:
// it needs a browser's answer.)
func ExampleRP_FinishLogin() {
	rp, err := passkey.New(passkey.Config{RPOrigins: []string{"https://example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	options, state, err := rp.BeginDiscoverableLogin()
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = options // to the browser: navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)})

	// What the browser posts back: its credential.toJSON().
	var credentialJSON []byte
	assertion, err := passkey.ParseAssertion(credentialJSON)
	if err != nil {
		return // refuse: errors.Is(err, passkey.ErrInvalidCredential)
	}
	// The store's lookups (not shown): the user whose handle this is, and
	// their passkeys.
	user, creds := lookupByHandle(assertion.UserHandle())
	cred, err := rp.FinishLogin(user, creds, state, assertion)
	switch {
	case errors.Is(err, passkey.ErrCloneDetected):
		// refuse, audit, let the user review the passkey
	case err != nil:
		// refuse
	default:
		_ = cred // store cred.SignCount and cred.BackupState, sign the user in
	}
}

func lookupByHandle([]byte) (passkey.User, []passkey.Credential) { return passkey.User{}, nil }
