package browsertest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Tab starts a fresh headless browser (Browser) with an empty profile and
// returns the context of its one tab, for chromedp actions. The browser
// stops when t ends; every action gives up after five minutes (the tests
// share two cores with the rest of the suite under -race).
func Tab(t *testing.T) context.Context {
	t.Helper()
	browser := Browser(t)
	allocOpts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(browser),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1024, 900),
	)
	if os.Geteuid() == 0 {
		allocOpts = append(allocOpts, chromedp.NoSandbox) // Chromium refuses its sandbox as root
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, allocOpts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancel()
	})
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	return tab
}

// Until evaluates the JavaScript expression expr every 100 ms until it
// returns a non-empty string, and returns that; what names the wait in
// the error.
func Until(ctx context.Context, what, expr string) (string, error) {
	return until(ctx, what, expr)
}

// Click waits for the element sel to be enabled and clicks it.
func Click(ctx context.Context, sel string) error { return click(ctx, sel) }

// Text returns the text content of the element sel once it is non-empty.
func Text(ctx context.Context, sel string) (string, error) {
	return until(ctx, "text of "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		return e ? e.textContent.trim() : "";
	})()`, sel))
}
