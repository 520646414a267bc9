// Package browsertest runs the real portal on a loopback port and drives Debian's
// Chromium through chromedp. Without Chromium the tests skip and say why.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seance/app/auth"
	"seance/app/servertest"
	"seance/models"
)

// ChromiumPath is where Debian installs Chromium; CHROMIUM overrides it.
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Site is a portal listening on loopback for one test, with a browser tab.
type Site struct {
	*servertest.Env
	URL string
	Ctx context.Context // chromedp context of the tab
}

// Start serves env's application on 127.0.0.1 and opens a headless Chromium
// (viewport width × height); it skips the test when Chromium is missing.
func Start(t *testing.T, env *servertest.Env, width, height int) *Site {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		t.Skip("Chromium not found (install Debian's chromium package, or set CHROMIUM): browser tests skipped")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.App.Listener(ln) }()
	t.Cleanup(func() { ln.Close() }) // runs after the shutdown below: a Serve not yet started returns at once
	t.Cleanup(func() { _ = env.App.ShutdownWithTimeout(5 * time.Second) })

	// Chromium may still write to its profile while t.TempDir's cleanup runs, so the
	// profile is removed here, after the browser is gone, with a few retries.
	profile, err := os.MkdirTemp("", "seance-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 10 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	opts := append([]chromedp.ExecAllocatorOption{},
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 5*time.Minute) // the whole journey; each step has StepTimeout
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &Site{Env: env, URL: "http://" + ln.Addr().String(), Ctx: ctx}
}

// StepTimeout bounds one call of Run: an expected element that does not show fails the
// test within it, with the page's text and a screenshot, instead of waiting for the
// whole test's deadline.
const StepTimeout = 30 * time.Second

// Run runs chromedp actions in the tab and fails the test on error, saying what the
// page showed (its path, its text and a screenshot).
func (s *Site) Run(t *testing.T, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.Ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var path, text string
		ictx, icancel := context.WithTimeout(s.Ctx, 5*time.Second)
		_ = chromedp.Run(ictx, chromedp.Evaluate(`window.location.pathname`, &path),
			chromedp.Evaluate(`document.body ? document.body.innerText : ""`, &text))
		icancel()
		if len(text) > 2000 {
			text = text[:2000] + "…"
		}
		shot := s.Screenshot(t, "failure")
		t.Fatalf("browser step failed: %v\npage %s (screenshot %s) shows:\n%s", err, path, shot, text)
	}
}

// SignIn fills and submits the real login form, then the second-factor form with the
// current TOTP code when the account has one enrolled by the test env.
func (s *Site) SignIn(t *testing.T, email, password string) {
	t.Helper()
	s.Run(t,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(`#email`, chromedp.ByID),
		chromedp.SendKeys(`#email`, email, chromedp.ByID),
		chromedp.SendKeys(`#password`, password, chromedp.ByID),
	)
	s.ClickAndWait(t, `main button[type=submit]`)
	if s.Path(t) != auth.SecondFactorPath {
		return
	}
	u, err := models.FindUserByEmail(context.Background(), s.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	s.Run(t, chromedp.SendKeys(`#code`, s.TOTPCode(t, u.ID), chromedp.ByID))
	s.ClickAndWait(t, `main button[type=submit]`)
}

// Path returns the path of the page the tab shows.
func (s *Site) Path(t *testing.T) string {
	t.Helper()
	var p string
	s.Run(t, chromedp.Evaluate(`window.location.pathname`, &p))
	return p
}

// ClickAndWait clicks sel and waits until the next document has loaded.
func (s *Site) ClickAndWait(t *testing.T, sel string) {
	t.Helper()
	// The click runs inside the page in the same step as finding the element: htmx
	// polling may replace a node between a lookup and a separate click.
	s.Run(t,
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`window.__seanceOld = true; document.querySelector(%q).click()`, sel), nil),
		waitNewDocument(),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery),
	)
}

// waitNewDocument waits until the tab shows a document other than the one marked
// with window.__seanceOld, tolerating the errors raised while it navigates.
func waitNewDocument() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		deadline := time.Now().Add(StepTimeout) // real elapsed time, generous: CI machines are shared and loaded
		for time.Now().Before(deadline) {       // real elapsed time, as above
			var fresh bool
			err := chromedp.Evaluate(`window.__seanceOld !== true && document.readyState === 'complete'`, &fresh).Do(ctx)
			if err == nil && fresh {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			time.Sleep(50 * time.Millisecond)
		}
		return errors.New("timed out waiting for the next page")
	})
}

// Screenshot saves a full-page PNG under artifacts/ (kept as a test artifact).
func (s *Site) Screenshot(t *testing.T, name string) string {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(s.Ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	dir := os.Getenv("SEANCE_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, t.Name()+"-"+name+".png")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
	return p
}
