package server

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/valyala/fasthttp"

	"seance/static"
)

// VendorPrefix is where the vendored packages are served under their fingerprint
// (static.VendorVersion): /static/v/<version>/vendor/dsfr/... Their answers are
// immutable; the DSFR's relative URLs (fonts, icons) resolve under the same prefix.
func VendorPrefix() string { return "/static/v/" + static.VendorVersion() }

// Cache policies of the static files.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "public, max-age=0, must-revalidate" // kept, but checked against the ETag before each use
)

// serveStatic mounts the embedded static files: the vendored packages under their
// fingerprint, immutable; the portal's own CSS and scripts (and any unversioned URL)
// with an ETag, revalidated on each use (a 304 when unchanged).
func serveStatic(app *fiber.App) {
	files := http.FS(static.FS)
	app.Use(VendorPrefix(), func(c *fiber.Ctx) error {
		err := c.Next()
		if c.Response().StatusCode() == fiber.StatusOK {
			c.Set(fiber.HeaderCacheControl, cacheImmutable)
		}
		return err
	}, filesystem.New(filesystem.Config{Root: files}))
	app.Use("/static", etag.New(), func(c *fiber.Ctx) error {
		err := c.Next()
		if s := c.Response().StatusCode(); s == fiber.StatusOK || s == fiber.StatusNotModified {
			c.Set(fiber.HeaderCacheControl, cacheRevalidate)
		}
		return err
	}, filesystem.New(filesystem.Config{Root: files}))
}

// compressibleTypes are the text responses worth compressing. Downloads (PDF, Excel
// workbooks, attachments, images) are already compressed, or not text.
var compressibleTypes = []string{"text/html", "text/css", "text/javascript", "application/javascript",
	"application/json", "image/svg+xml", "text/calendar", "text/plain", "application/manifest+json"}

// minCompressSize: smaller bodies gain less than the gzip header and the CPU cost.
const minCompressSize = 1024

// compressText gzips the static text files (CSS, JavaScript, SVG…) for clients that
// accept it. Pages and API answers are not compressed: they carry secrets (the CSRF
// token, personal data) next to text a visitor may choose, and compressing both
// together lets an attacker who sees the sizes guess the secret (BREACH).
func compressText() fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		if !strings.HasPrefix(c.Path(), "/static/") {
			return err
		}
		resp := c.Response()
		resp.Header.Add(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
		if err != nil || c.Method() == fiber.MethodHead || len(resp.Header.Peek(fiber.HeaderContentEncoding)) > 0 ||
			!compressible(resp.Header.ContentType()) || !acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
			return err
		}
		body := resp.Body()
		if len(body) < minCompressSize {
			return nil
		}
		resp.SetBodyRaw(fasthttp.AppendGzipBytesLevel(nil, body, fasthttp.CompressDefaultCompression))
		resp.Header.Set(fiber.HeaderContentEncoding, "gzip")
		return nil
	}
}

func compressible(contentType []byte) bool {
	for _, t := range compressibleTypes {
		if bytes.HasPrefix(contentType, []byte(t)) {
			return true
		}
	}
	return false
}

// acceptsGzip reads an Accept-Encoding header ("gzip, deflate, br", "gzip;q=0" refuses).
func acceptsGzip(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) != "gzip" {
			continue
		}
		return strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0"
	}
	return false
}

// fingerprintViews returns the views with each link to a vendored file
// (/static/vendor/...) pointing under VendorPrefix: the templates keep plain paths and
// no render pays for a template function.
func fingerprintViews(views fs.FS) fs.FS {
	return viewsFS{FS: views, from: []byte(`"/static/vendor/`), to: []byte(`"` + VendorPrefix() + `/vendor/`)}
}

type viewsFS struct {
	fs.FS
	from, to []byte
}

func (v viewsFS) Open(name string) (fs.File, error) {
	f, err := v.FS.Open(name)
	if err != nil || !strings.HasSuffix(name, ".html") {
		return f, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	b = bytes.ReplaceAll(b, v.from, v.to)
	return &viewFile{Reader: bytes.NewReader(b), info: sizedInfo{FileInfo: info, size: int64(len(b))}}, nil
}

// viewFile is a view's text after fingerprintViews.
type viewFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *viewFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *viewFile) Close() error               { return nil }

type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (i sizedInfo) Size() int64 { return i.size }
