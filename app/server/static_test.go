package server_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"seance/app/server"
	"seance/app/servertest"
)

// get sends a GET with headers through the real router.
func get(t *testing.T, env *servertest.Env, path string, headers map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := env.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestVendoredFilesAreFingerprintedAndImmutable(t *testing.T) {
	env := servertest.New(t)
	page := get(t, env, "/login", nil)
	body, _ := io.ReadAll(page.Body)
	css := server.VendorPrefix() + "/vendor/dsfr/dist/dsfr.min.css"
	if !strings.Contains(string(body), `href="`+css+`"`) {
		t.Fatalf("login page does not link the fingerprinted DSFR %s", css)
	}
	if strings.Contains(string(body), `"/static/vendor/`) {
		t.Errorf("login page still links an unversioned vendored file")
	}
	for _, path := range []string{css, server.VendorPrefix() + "/vendor/htmx/dist/htmx.min.js"} {
		r := get(t, env, path, nil)
		if r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s = %d, Cache-Control %q, want 200 immutable", path, r.StatusCode, r.Header.Get("Cache-Control"))
		}
	}
	// The DSFR's fonts and icons are relative to its CSS: served under the same prefix.
	if r := get(t, env, server.VendorPrefix()+"/vendor/dsfr/dist/favicon/favicon.svg", nil); r.StatusCode != http.StatusOK {
		t.Errorf("favicon under the fingerprint = %d, want 200", r.StatusCode)
	}
	if r := get(t, env, "/static/v/000000000000/vendor/dsfr/dist/dsfr.min.css", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("another fingerprint = %d, want 404", r.StatusCode)
	}
}

func TestOwnStaticFilesRevalidateWithETag(t *testing.T) {
	env := servertest.New(t)
	r := get(t, env, "/static/css/app.css", nil)
	etag := r.Header.Get("ETag")
	if r.StatusCode != http.StatusOK || etag == "" || !strings.Contains(r.Header.Get("Cache-Control"), "must-revalidate") {
		t.Fatalf("GET app.css = %d, ETag %q, Cache-Control %q; want 200 with an ETag, revalidated", r.StatusCode, etag, r.Header.Get("Cache-Control"))
	}
	again := get(t, env, "/static/css/app.css", map[string]string{"If-None-Match": etag})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("GET app.css with If-None-Match %s = %d, want 304", etag, again.StatusCode)
	}
}

func TestTextIsCompressedDownloadsAreNot(t *testing.T) {
	env := servertest.New(t)
	gz := map[string]string{"Accept-Encoding": "gzip, deflate, br"}
	for _, path := range []string{server.VendorPrefix() + "/vendor/dsfr/dist/dsfr.min.css", "/static/js/app.js"} {
		r := get(t, env, path, gz)
		if r.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s: Content-Encoding %q, Vary %q; want gzip, Vary Accept-Encoding", path, r.Header.Get("Content-Encoding"), r.Header.Get("Vary"))
			continue
		}
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if b, err := io.ReadAll(zr); err != nil || len(b) < 1024 {
			t.Errorf("GET %s: gunzip %d bytes, %v", path, len(b), err)
		}
	}
	if r := get(t, env, "/static/js/app.js", nil); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("GET app.js without Accept-Encoding: Content-Encoding %q, want none", r.Header.Get("Content-Encoding"))
	}
	// Pages carry the CSRF token beside text a visitor may choose: never compressed (BREACH).
	if r := get(t, env, "/login", gz); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("GET /login: Content-Encoding %q, want none (BREACH)", r.Header.Get("Content-Encoding"))
	}
	// Already compressed: images (and downloads such as PDF and xlsx) are sent as they are.
	if r := get(t, env, server.VendorPrefix()+"/vendor/dsfr/dist/favicon/apple-touch-icon.png", gz); r.StatusCode != http.StatusOK || r.Header.Get("Content-Encoding") != "" {
		t.Errorf("PNG: status %d, Content-Encoding %q, want 200 uncompressed", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
}
