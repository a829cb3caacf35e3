// Package browsertest checks the API reference page (GET /docs) in a real
// headless Chromium, driven through the DevTools protocol (chromedp): the
// page renders every operation of the served document, requests nothing
// outside the server, and "Try it out" reaches the server.
//
// The browser is LATCH_TEST_BROWSER (a path or a command name; "1" finds
// one on PATH), else chromium, chromium-browser or google-chrome on PATH.
// Without LATCH_TEST_BROWSER and without a browser the tests are skipped;
// with LATCH_TEST_BROWSER set a missing browser fails them. CI installs
// Debian's chromium and sets LATCH_TEST_BROWSER.
package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/getkin/kin-openapi/openapi3"
)

// EnvBrowser names the browser to use; set, a missing browser fails.
const EnvBrowser = "LATCH_TEST_BROWSER"

var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Browser returns the browser's path, or skips t (or fails it, when
// LATCH_TEST_BROWSER is set) when there is none.
func Browser(t testing.TB) string {
	t.Helper()
	want := os.Getenv(EnvBrowser)
	names := candidates
	if want != "" && want != "1" && want != "true" {
		names = []string{want}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if want != "" {
		t.Fatalf("%s=%s but no browser found (tried %s); install Debian's chromium", EnvBrowser, want, strings.Join(names, ", "))
	}
	t.Skipf("no browser on PATH (%s) and %s unset; install chromium to run this test", strings.Join(candidates, ", "), EnvBrowser)
	return ""
}

// Options are the optional parts of CheckDocs.
type Options struct {
	// Token, when set, is entered under "Authorize" as the bearer token,
	// and "Try it out" on GET /me must answer 200 with it.
	Token string
	// Screenshot, when set, is a file to write a PNG of the top of the
	// page to, once the checks ran.
	Screenshot string
}

// Report is what the page did.
type Report struct {
	Operations int               // operation blocks rendered
	Want       int               // operations of the document
	Requests   []string          // every URL the page requested, in order
	Outside    []string          // the requests to another origin than the page's
	Problems   []string          // exceptions, console errors, Content-Security-Policy violations
	Tried      map[string]string // operation block → status "Try it out" showed
}

// CheckDocs opens docsURL (".../docs") in a fresh headless browser and
// checks that it renders one operation block per operation of the
// document at ".../openapi.yaml", that "Try it out" on GET /healthz
// answers 200 (and GET /me with opts.Token), that no request leaves the
// server's origin, and that the page throws no error and breaks no rule of
// its Content-Security-Policy.
func CheckDocs(t *testing.T, docsURL string, opts Options) Report {
	t.Helper()
	r := Inspect(t, docsURL, opts)
	for _, u := range r.Outside {
		t.Errorf("the page requested %s, outside the server", u)
	}
	for _, p := range r.Problems {
		t.Errorf("page error: %s", p)
	}
	if r.Operations != r.Want {
		t.Errorf("the page rendered %d operation blocks, the document has %d operations", r.Operations, r.Want)
	}
	for op, status := range r.Tried {
		if status != "200" {
			t.Errorf("Try it out on %s: status %q, want 200", op, status)
		}
	}
	return r
}

// Inspect opens docsURL as CheckDocs does and reports what the page did;
// it fails t only when it cannot drive the page.
func Inspect(t *testing.T, docsURL string, opts Options) Report {
	t.Helper()
	browser := Browser(t)
	page, err := url.Parse(docsURL)
	if err != nil {
		t.Fatal(err)
	}
	want := countOperations(t, strings.TrimSuffix(docsURL, "/docs")+"/openapi.yaml")

	allocOpts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(browser),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 2000),
	)
	if os.Geteuid() == 0 {
		allocOpts = append(allocOpts, chromedp.NoSandbox) // Chromium refuses its sandbox as root
	}
	// Generous: under go test -race ./... on two cores the browser shares
	// the machine with every other package's tests.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, allocOpts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	var (
		mu       sync.Mutex
		requests []string
		problems []string
	)
	began := time.Now()
	// Start the browser and the tab first, with no action, so the listener
	// is in place before the page loads.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	err = chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Source == log.EntrySourceSecurity {
				problems = append(problems, fmt.Sprintf("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				problems = append(problems, "console.error: "+strings.Join(parts, " "))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	err = chromedp.Do(bctx,
		chromedp.Navigate(docsURL),
		chromedp.WaitVisible(chromedp.CSS(".opblock")),
	)
	got := 0
	if err == nil {
		got, err = chromedp.Run(bctx, waitCount(".opblock", want))
	}
	if err != nil {
		mu.Lock()
		t.Fatalf("loading %s: %v (operation blocks: %d of %d; page errors: %v)", docsURL, err, got, want, problems)
	}

	t.Logf("%d operation blocks rendered after %v", got, time.Since(began).Round(time.Millisecond))
	tried := map[string]string{}
	tried["#operations-public-healthz"] = tryIt(bctx, t, "#operations-public-healthz")
	if opts.Token != "" {
		if err := authorize(bctx, opts.Token); err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		tried["#operations-users-getMe"] = tryIt(bctx, t, "#operations-users-getMe")
	}
	t.Logf("Try it out done after %v", time.Since(began).Round(time.Millisecond))
	if opts.Screenshot != "" {
		if err := chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void]("window.scrollTo(0, 0)")); err != nil {
			t.Fatal(err)
		}
		if png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot()); err == nil {
			_ = os.WriteFile(opts.Screenshot, png, 0o644)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	r := Report{Operations: got, Want: want, Requests: slices.Clone(requests), Problems: slices.Clone(problems), Tried: tried}
	for _, req := range requests {
		u, err := url.Parse(req)
		if err != nil {
			r.Outside = append(r.Outside, req)
			continue
		}
		switch u.Scheme {
		case "data", "blob", "about":
			continue // not a request to any server
		}
		if u.Host != page.Host || u.Scheme != page.Scheme {
			r.Outside = append(r.Outside, req)
		}
	}
	return r
}

// countOperations fetches the document and counts its operations.
func countOperations(t *testing.T, specURL string) int {
	t.Helper()
	resp, err := http.Get(specURL)
	if err != nil {
		t.Fatalf("fetching %s: %v", specURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("fetching %s: %d %v", specURL, resp.StatusCode, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("loading %s: %v", specURL, err)
	}
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	if n == 0 {
		t.Fatalf("%s has no operation", specURL)
	}
	return n
}

// waitCount waits until sel matches want elements, and still does a
// moment later (so that a page still rendering cannot pass early), or the
// context ends; it returns the last count seen.
func waitCount(sel string, want int) chromedp.Action[int] {
	return func(ctx context.Context, tg *chromedp.Target) (int, error) {
		stable, got := 0, 0
		for {
			var err error
			got, err = chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel))(ctx, tg)
			if err != nil {
				return got, err
			}
			if got == want {
				stable++
			} else {
				stable = 0
			}
			if stable == 3 {
				return got, nil
			}
			select {
			case <-ctx.Done():
				return got, ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
}

// until evaluates the JavaScript expression expr every 100 ms until it
// returns a non-empty string, and returns that.
func until(ctx context.Context, what, expr string) (string, error) {
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		if v != "" {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// click waits for the element sel, scrolls to it and clicks it as a user
// would (a DOM click event, which React handles as one).
func click(ctx context.Context, sel string) error {
	_, err := until(ctx, "clicking "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e || e.disabled) return "";
		e.scrollIntoView({block: "center"});
		e.click();
		return "clicked";
	})()`, sel))
	return err
}

// tryIt expands the operation block op, presses "Try it out" and
// "Execute", and returns the status the page shows.
func tryIt(ctx context.Context, t *testing.T, op string) string {
	t.Helper()
	for _, sel := range []string{op + " .opblock-summary-control", op + " .try-out__btn", op + " .execute"} {
		if err := click(ctx, sel); err != nil {
			t.Fatalf("Try it out on %s: %v", op, err)
		}
	}
	status, err := until(ctx, "the response of "+op, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		return e ? e.textContent.trim() : "";
	})()`, op+" .live-responses-table .response .response-col_status"))
	if err != nil {
		t.Fatalf("Try it out on %s: %v", op, err)
	}
	return status
}

// authorize types token as the bearerAuth scheme's value in the
// "Authorize" dialog, confirms and closes it.
func authorize(ctx context.Context, token string) error {
	if err := click(ctx, ".auth-wrapper .authorize"); err != nil {
		return err
	}
	// Mark the dialog's section of the bearerAuth scheme, to type into its
	// input with real key events (which React's state follows).
	const section = `[...document.querySelectorAll(".dialog-ux .auth-container")].find(c => (c.querySelector("h4")?.textContent ?? "").includes("bearerAuth"))`
	if _, err := until(ctx, "the bearerAuth section", `(() => {
		const c = `+section+`;
		const i = c && c.querySelector("input");
		if (!i) return "";
		c.id = "latch-bearer";
		return "found";
	})()`); err != nil {
		return err
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#latch-bearer input"), token)); err != nil {
		return err
	}
	if err := click(ctx, "#latch-bearer button.authorize"); err != nil {
		return err
	}
	if _, err := until(ctx, "the scheme to be authorized", `(() => {
		const b = [...document.querySelectorAll("#latch-bearer button")].find(b => b.textContent.includes("Logout"));
		return b ? "authorized" : "";
	})()`); err != nil {
		return err
	}
	if err := click(ctx, ".dialog-ux .close-modal"); err != nil {
		return err
	}
	_, err := until(ctx, "the dialog to close", `document.querySelector(".dialog-ux") ? "" : "closed"`)
	return err
}
