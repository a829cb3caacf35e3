package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/latchkit/latch/auth"
	"github.com/latchkit/latch/store/memstore"
)

// Passkeys: the relying party is the site's origin (never an IP address;
// browsers refuse WebAuthn there). A sign-in without an identifier asks
// the browser for any discoverable passkey of this site; the options go to
// PublicKeyCredential.parseRequestOptionsFromJSON, and the browser's
// credential.toJSON() comes back to LoginPasskey with the login ID.
func ExampleService_BeginPasskeyLogin() {
	ctx := context.Background()
	svc, err := auth.New(ctx, memstore.New(), auth.Config{
		SealingKey: exampleKey,
		Passkeys:   auth.PasskeyConfig{RPOrigins: []string{"https://login.example.com"}},
	})
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	client := auth.Client{IP: netip.MustParseAddr("192.0.2.10")}

	begin, err := svc.BeginPasskeyLogin(ctx, client, "", "")
	if err != nil {
		panic(err)
	}
	var opts struct {
		RPID             string `json:"rpId"`
		UserVerification string `json:"userVerification"`
		Challenge        string `json:"challenge"`
	}
	if err := json.Unmarshal(begin.Options, &opts); err != nil {
		panic(err)
	}
	fmt.Println("rp:", opts.RPID)
	fmt.Println("user verification:", opts.UserVerification)
	fmt.Println("challenge given:", opts.Challenge != "")

	// A browser answers with navigator.credentials.get; then:
	//	res, err := svc.LoginPasskey(ctx, client, begin.LoginID, credentialJSON)

	// Output:
	// rp: login.example.com
	// user verification: required
	// challenge given: true
}
