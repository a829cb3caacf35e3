package main

import (
	"net"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/browsertest"
)

// TestPasskeysInBrowser runs the passkey ceremonies on the example
// server's own page in headless Chromium with Chrome's virtual
// authenticator (the DevTools WebAuthn domain: CTAP2, internal, resident
// keys, user verification): register a passkey after a password sign-in,
// sign out, sign in with it passwordless (no username: a discoverable
// passkey), sign out, sign in with the password and the passkey as the
// second factor (a user with a passkey is asked for one), and remove it.
// The page is opened at http://localhost:PORT, the server's -rp-origins:
// browsers refuse WebAuthn on IP-address origins.
func TestPasskeysInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process and a browser; skipped with -short")
	}
	browsertest.Browser(t)
	const password = "passkey-admin-password"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, ln.Close())
	origin := "http://localhost:" + port
	startWith(t, buildServer(t), t.TempDir(), []string{"-addr", "127.0.0.1:" + port, "-dev", "-rp-origins", origin},
		"LATCH_ADMIN_PASSWORD="+password)
	tab := browsertest.Tab(t)

	_, err = chromedp.Call(tab, webauthn.Enable, webauthn.EnableParams{})
	require.NoError(t, err)
	_, err = chromedp.Call(tab, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	require.NoError(t, err)
	statusIs := func(what, text string) {
		t.Helper()
		_, err := browsertest.Until(tab, what, `document.querySelector("#status").textContent === `+strconv.Quote(text)+` ? "ok" : ""`)
		require.NoError(t, err, what)
	}
	signInForm := func() {
		t.Helper()
		_, err := browsertest.Until(tab, "the sign-in form", `document.querySelector("#signin:not([hidden])") ? "shown" : ""`)
		require.NoError(t, err)
	}
	passwordSignIn := func() {
		t.Helper()
		signInForm()
		require.NoError(t, chromedp.Do(tab,
			chromedp.SetValue(chromedp.CSS("#identifier"), "admin"),
			chromedp.SetValue(chromedp.CSS("#password"), password),
		))
		require.NoError(t, browsertest.Click(tab, "#signin-button"))
	}
	signOut := func() {
		t.Helper()
		require.NoError(t, browsertest.Click(tab, "#signout"))
		statusIs("signed out", "Signed out.")
	}

	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(origin+"/")))
	passwordSignIn()
	statusIs("password sign-in", "Signed in.")

	// Register a passkey.
	require.NoError(t, chromedp.Do(tab, chromedp.SetValue(chromedp.CSS("#passkey-name"), "virtual")))
	require.NoError(t, browsertest.Click(tab, "#passkey-add"))
	statusIs("registration", "Passkey added.")
	list, err := browsertest.Text(tab, "#passkeys")
	require.NoError(t, err)
	assert.Contains(t, list, "virtual")
	signOut()

	// Passwordless, with a discoverable passkey.
	_, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("#identifier").value = ""`))
	require.NoError(t, err)
	require.NoError(t, browsertest.Click(tab, "#passkey-signin"))
	statusIs("passwordless sign-in", "Signed in with a passkey.")
	who, err := browsertest.Text(tab, "#who")
	require.NoError(t, err)
	assert.Equal(t, "admin", who)
	signOut()

	// The password, then the passkey as the second factor.
	passwordSignIn()
	_, err = browsertest.Until(tab, "the second-factor form", `document.querySelector("#passkey-factor:not([hidden])") && document.querySelector("#totp-factor[hidden]") ? "shown" : ""`)
	require.NoError(t, err)
	require.NoError(t, browsertest.Click(tab, "#passkey-second"))
	statusIs("second factor", "Signed in with a password and a passkey.")

	// Remove it (the sign-in was just now).
	require.NoError(t, browsertest.Click(tab, ".passkey-remove"))
	statusIs("removal", "Passkey removed.")
	n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#passkeys li").length`))
	require.NoError(t, err)
	assert.Equal(t, 0, n)
}
