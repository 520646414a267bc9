package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "seance"

// kind is the layer a package under seance/app belongs to.
type kind int

const (
	// infrastructure: shared by the features, imports none of them.
	infrastructure kind = iota + 1
	// feature: one area of the portal; imports no other feature and no root.
	feature
	// root: assembles the features (router, demo seeding) or drives them from tests;
	// may import anything.
	root
)

// appPackages classifies every package under seance/app. A new package must be added
// here (the test fails on an unclassified one), which is the moment to decide its layer.
var appPackages = map[string]kind{
	// Infrastructure.
	"app/web":           infrastructure, // Fiber helpers, rendering, CSRF, flash, roles
	"app/config":        infrastructure, // environment configuration
	"app/mail":          infrastructure, // SMTP sending, used by features and jobs
	"app/mail/mailtest": infrastructure, // in-process SMTP server for tests
	"app/calendar":      infrastructure, // iCalendar encoding (no handlers)
	// auth holds the sign-in handlers but also the password hashing and policy and the
	// TOTP enrolment gate that account reuses: it is the identity layer below the features.
	"app/auth": infrastructure,

	// Features.
	"app/account":  feature,
	"app/admin":    feature,
	"app/api":      feature,
	"app/files":    feature,
	"app/home":     feature,
	"app/legal":    feature,
	"app/minutes":  feature,
	"app/notices":  feature,
	"app/registry": feature,
	"app/meetings": feature,
	"app/sitting":  feature,
	"app/stats":    feature,

	// Roots.
	"app/server":          root, // the router: wires every feature
	"app/servertest":      root, // a real server for HTTP tests
	"app/demo":            root, // seeds the demo world, builds its minutes with app/minutes
	"app/browsertest":     root, // end-to-end browser tests
	"app/files/filestest": root, // fixtures for files tests, on top of servertest
}

// modelLayers orders the data packages (issue 15 point 2): a package under models
// imports only packages of a lower layer, so the domains form a chain without cycles
// and two packages of one layer (stats and dashboard) stay independent. A new package
// under models must be added here.
var modelLayers = map[string]int{
	"models/keyring":    0,  // sealing; imports nothing of the portal
	"models/migrations": 0,  // the schema; reads no model
	"models":            1,  // core: database, audit, users, commissions, settings, outbox
	"models/registry":   2,  // associations, seats, mandates, composition
	"models/twofactor":  2,  // TOTP and recovery codes
	"models/kvstore":    2,  // the web sessions' and rate limits' store
	"models/files":      3,  // files, persons, parcours, access
	"models/meetings":   4,  // séances before they are held: agenda, convocations, replies
	"models/sitting":    5,  // séances held: presence, votes, avis, written deliberation
	"models/minutes":    6,  // procès-verbal and results
	"models/stats":      7,  // statistics and the annual report
	"models/dashboard":  7,  // the home page's lists
	"models/rotation":   8,  // key rotation over every sealed column
	"models/retention":  9,  // anonymisation across files and votes
	"models/modelstest": 10, // test fixtures over every domain
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
	Error      *struct{ Err string }
}

// ownPackages lists the module's packages (not their tests) with `go list -deps -json ./...`.
func ownPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		if !p.Standard && (p.ImportPath == module || strings.HasPrefix(p.ImportPath, module+"/")) {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found none of the module's packages")
	}
	return pkgs
}

// rel strips the module prefix: "seance/app/web" → "app/web".
func rel(path string) string { return strings.TrimPrefix(path, module+"/") }

// within reports whether path is dir or below it.
func within(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

// TestImportDirection enforces the layering of issue 15:
//   - models (and its subpackages) never depends on app or jobs, and each package under
//     models imports only packages of a lower layer (modelLayers);
//   - a feature package under app imports no other feature and no root;
//   - an infrastructure package under app (web among them) imports no feature and no root;
//   - jobs never depends on app/server (nor any other root or feature).
//
// It reads non-test code only: tests of a feature may drive the whole server through
// app/servertest.
func TestImportDirection(t *testing.T) {
	var violations []string
	fail := func(format string, args ...any) {
		violations = append(violations, fmt.Sprintf(format, args...))
	}
	kindOf := func(path string) kind { return appPackages[rel(path)] }
	seen := map[string]bool{}
	for _, p := range ownPackages(t) {
		path := rel(p.ImportPath)
		switch {
		case within(path, "models"):
			for _, d := range p.Deps {
				if within(rel(d), "app") || within(rel(d), "jobs") {
					fail("%s depends on %s: models must not know about app or jobs", path, rel(d))
				}
			}
			layer, ok := modelLayers[path]
			if !ok {
				fail("%s is not placed in modelLayers", path)
				continue
			}
			for _, imp := range p.Imports {
				if il, ok := modelLayers[rel(imp)]; ok && il >= layer {
					fail("%s imports %s: a data package imports only the layers below its own", path, rel(imp))
				}
			}
		case within(path, "jobs"):
			for _, d := range p.Deps {
				if k := kindOf(d); k == root || k == feature {
					fail("%s depends on %s: jobs run without the server and its features", path, rel(d))
				}
			}
		case within(path, "app"):
			seen[path] = true
			k, ok := appPackages[path]
			if !ok {
				fail("%s is not classified in appPackages (infrastructure, feature or root)", path)
				continue
			}
			for _, imp := range p.Imports {
				ik := kindOf(imp)
				switch {
				case k == root || ik == 0 || within(rel(imp), path):
				case ik == root:
					fail("%s imports %s: only roots may import a root", path, rel(imp))
				case ik == feature && k == feature:
					fail("%s imports %s: a feature must not import another feature", path, rel(imp))
				case ik == feature:
					fail("%s imports %s: infrastructure must not import a feature", path, rel(imp))
				}
			}
		}
	}
	for path := range appPackages {
		if !seen[path] {
			fail("appPackages lists %s, which go list does not know", path)
		}
	}
	sort.Strings(violations)
	violations = slices.Compact(violations)
	for _, v := range violations {
		t.Error(v)
	}
}
