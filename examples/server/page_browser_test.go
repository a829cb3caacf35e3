package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/latchkit/latch/internal/browsertest"
)

// TestCookieModeInBrowser signs in on the example server's own page in
// headless Chromium with -cookie-mode: the refresh token lives in an
// HttpOnly __Host- cookie that the page's script cannot see, a refresh
// and a reload resume the session through it, a cross-site form post to
// POST /token/refresh is refused by the server's own check (403), and
// signing out clears the cookie. The page is opened at localhost, not
// 127.0.0.1 (the attacker's site below), so the two are different sites.
func TestCookieModeInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process and a browser; skipped with -short")
	}
	browsertest.Browser(t)
	const password = "page-admin-password"
	s := startWith(t, buildServer(t), t.TempDir(), []string{"-addr", "127.0.0.1:0", "-dev", "-cookie-mode"},
		"LATCH_ADMIN_PASSWORD="+password)
	page := strings.Replace(s.root, "127.0.0.1", "localhost", 1) + "/"
	tab := browsertest.Tab(t)

	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(page)))
	_, err := browsertest.Until(tab, "the sign-in form", `document.querySelector("#signin:not([hidden])") ? "shown" : ""`)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(tab,
		chromedp.SendKeys(chromedp.CSS("#identifier"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	))
	require.NoError(t, browsertest.Click(tab, "#signin-button"))
	who, err := browsertest.Text(tab, "#who")
	require.NoError(t, err)
	assert.Equal(t, "admin", who)

	// The cookie is there, HttpOnly, and invisible to the page's script.
	refresh := cookieOf(t, tab, page)
	assert.True(t, refresh.HTTPOnly)
	assert.True(t, refresh.Secure)
	assert.Equal(t, network.CookieSameSiteStrict, refresh.SameSite)
	assert.Equal(t, "/", refresh.Path)
	seen, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.cookie`))
	require.NoError(t, err)
	assert.NotContains(t, seen, "latch", "document.cookie shows the refresh token")

	// Refresh through the cookie: a new one replaces it.
	require.NoError(t, browsertest.Click(tab, "#refresh"))
	_, err = browsertest.Until(tab, "the refresh", `document.querySelector("#status").textContent.includes("refreshed") ? "ok" : ""`)
	require.NoError(t, err)
	next := cookieOf(t, tab, page)
	assert.NotEqual(t, refresh.Value, next.Value, "the refresh token was rotated")

	// A reload resumes the session from the cookie alone.
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(page)))
	_, err = browsertest.Until(tab, "resumed session", `document.querySelector("#status").textContent.includes("Welcome back") ? "ok" : ""`)
	require.NoError(t, err)
	resumed := cookieOf(t, tab, page)

	// Another site posts a form to the refresh route: a top-level
	// navigation the browser makes with Sec-Fetch-Site: cross-site. The
	// server refuses it by its own check, and the cookie is not spent.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<form id="f" method="post" action="%sapi/v1/token/refresh"></form><script>document.getElementById("f").submit()</script>`, page)
	}))
	t.Cleanup(evil.Close)
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(evil.URL)))
	body, err := browsertest.Until(tab, "the cross-site answer", `location.href.includes("/token/refresh") ? document.body.innerText : ""`)
	require.NoError(t, err)
	assert.Contains(t, body, "FORBIDDEN")
	assert.Equal(t, resumed.Value, cookieOf(t, tab, page).Value, "the refused request spent nothing")
	assert.Eventually(t, func() bool { return strings.Contains(s.stderr.String(), `route="POST /token/refresh" status=403`) },
		30*time.Second, 10*time.Millisecond, "the server's access log shows its refusal (the log pipe is copied asynchronously)")

	// Sign out while the resumption on load is still under way: the
	// browser holds back the answer to its last request (the passkey
	// list) until the sign-out is done. The stale resumption must then
	// neither sign the page back in nor overwrite the status.
	paused := make(chan fetch.RequestID, 8)
	require.NoError(t, chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case *fetch.EventRequestPaused:
			paused <- e.RequestID
		case fetch.EventRequestPaused:
			paused <- e.RequestID
		}
	}))
	_, err = chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*/passkeys", RequestStage: fetch.RequestStageResponse},
	}})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(page)))
	var held fetch.RequestID
	select {
	case held = <-paused:
	case <-time.After(2 * time.Minute):
		t.Fatal("the resumption never listed the passkeys")
	}
	_, err = browsertest.Until(tab, "resumed session", `document.querySelector("#account:not([hidden])") ? "ok" : ""`)
	require.NoError(t, err)

	// Sign out: the session ends and the cookie goes.
	require.NoError(t, browsertest.Click(tab, "#signout"))
	_, err = browsertest.Until(tab, "signed out", `document.querySelector("#status").textContent.includes("Signed out") ? "ok" : ""`)
	require.NoError(t, err)
	_, err = chromedp.Call(tab, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: held})
	require.NoError(t, err)
	_, err = chromedp.Call(tab, fetch.Disable, cdp.Empty{})
	require.NoError(t, err)
	for range 10 { // the stale flow ends within moments of its answer
		state, err := chromedp.Run(tab, chromedp.Evaluate[string](
			`document.querySelector("#status").textContent + "|" + (document.querySelector("#signin:not([hidden])") ? "signin" : "other")`))
		require.NoError(t, err)
		require.Equal(t, "Signed out.|signin", state, "the stale resumption changed the page after the sign-out")
		time.Sleep(100 * time.Millisecond)
	}
	res, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{page}})
	require.NoError(t, err)
	for _, c := range res.Cookies {
		assert.NotEqual(t, "__Host-latch-refresh", c.Name, "the cookie is cleared on sign-out")
	}
	s.stop()
}

// cookieOf returns the refresh cookie the browser holds for url.
func cookieOf(t *testing.T, tab context.Context, url string) *network.Cookie {
	t.Helper()
	res, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	require.NoError(t, err)
	for _, c := range res.Cookies {
		if c.Name == "__Host-latch-refresh" {
			return c
		}
	}
	t.Fatalf("no refresh cookie for %s among %d cookies", url, len(res.Cookies))
	return nil
}
