package browsertest_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"seance/app/browsertest"
	"seance/app/servertest"
	"seance/models"
)

// firstVisitBudget is issue 17's target for a first visit, on the wire.
const firstVisitBudget = 400 << 10

// TestBrowserFirstVisitUnder400KBAndRepeatVisitsCached counts, in a real Chromium with
// an empty cache, the bytes on the wire (headers and compressed bodies, as the
// DevTools protocol reports them) of a first visit to the login page, its styles,
// scripts, fonts and icons included: issue 17 measured 1.48 MB before compression and
// versioned assets. The next page, once signed in, must take the assets from the cache
// or revalidate them (304) rather than download them again.
func TestBrowserFirstVisitUnder400KBAndRepeatVisitsCached(t *testing.T) {
	env := servertest.New(t)
	site := browsertest.Start(t, env, 1280, 900)
	var bytes atomic.Int64
	var mu sync.Mutex
	urls := map[network.RequestID]string{}
	var again []string // static files downloaded whole after the first visit
	counting := false
	chromedp.ListenTarget(site.Ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventResponseReceived:
			urls[e.RequestID] = e.Response.URL
		case *network.EventLoadingFinished:
			bytes.Add(int64(e.EncodedDataLength))
			// A revalidation (304) or an icon first used here is a few hundred bytes;
			// a style sheet, script or font downloaded again is tens of kilobytes.
			if u := urls[e.RequestID]; counting && strings.Contains(u, "/static/") && e.EncodedDataLength > 2048 {
				again = append(again, u)
			}
		}
	})
	fontsReady := func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
	var ok bool
	site.Run(t, network.Enable(), network.ClearBrowserCache(),
		chromedp.Navigate(site.URL+"/login"), chromedp.WaitVisible(`#email`, chromedp.ByID),
		chromedp.Evaluate(`document.fonts.ready.then(() => true)`, &ok, fontsReady))
	first := bytes.Load()
	t.Logf("first visit to /login: %d KB on the wire", first>>10)
	if first > firstVisitBudget {
		t.Errorf("first visit to /login: %d KB on the wire, want at most %d KB", first>>10, firstVisitBudget>>10)
	}
	if first < 100<<10 {
		t.Errorf("first visit to /login: %d KB on the wire; the styles, scripts and fonts cannot be that small: was the traffic counted?", first>>10)
	}

	mu.Lock()
	counting = true
	mu.Unlock()
	before := bytes.Load()
	site.SignIn(t, env.Users[models.RoleSecretariat].Email, servertest.Password)
	site.Run(t, chromedp.WaitVisible(`h1`, chromedp.ByQuery), chromedp.Evaluate(`document.fonts.ready.then(() => true)`, &ok, fontsReady))
	next := bytes.Load() - before
	t.Logf("sign-in and dashboard: %d KB on the wire", next>>10)
	mu.Lock()
	defer mu.Unlock()
	if len(again) > 0 {
		t.Errorf("after the first visit, static files downloaded again instead of taken from the cache or revalidated: %v", again)
	}
}
