// Package views embeds the HTML templates: views/<feature>/<page>.html, rendered as "<feature>/<page>".
package views

import "embed"

// FS holds every template.
//
//go:embed */*.html
var FS embed.FS
