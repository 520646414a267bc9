// Package static holds the portal's static files (its own CSS and script, and
// the vendored DSFR and htmx written by vendor/refresh.sh), embedded in the
// binary and served under /static.
package static

import "embed"

// FS holds css/, js/ and the vendored packages. vendor/refresh.sh and
// vendor/VERSIONS are left out: they are for developers, not browsers.
//
//go:embed css js vendor/dsfr vendor/htmx
var FS embed.FS
