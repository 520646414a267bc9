// Package static holds the portal's static files (its own CSS and script, and
// the vendored DSFR and htmx written by vendor/refresh.sh), embedded in the
// binary and served under /static.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
)

// FS holds css/, js/ and the vendored packages. vendor/refresh.sh and
// vendor/VERSIONS are left out: they are for developers, not browsers.
//
//go:embed css js vendor/dsfr vendor/htmx
var FS embed.FS

// versions is vendor/VERSIONS: each vendored package with its version and integrity.
//
//go:embed vendor/VERSIONS
var versions []byte

// VendorVersion fingerprints the vendored packages (a hash of vendor/VERSIONS, which
// refresh.sh rewrites whenever a package changes): their URLs carry it, so that
// browsers may keep them for good and fetch the new files after an update.
func VendorVersion() string {
	sum := sha256.Sum256(versions)
	return hex.EncodeToString(sum[:6])
}
