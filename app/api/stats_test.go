package api_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"seance/app/api"
	"seance/app/servertest"
	"seance/models"
	"seance/models/modelstest"
)

var pageRow = regexp.MustCompile(`<th scope="row">([^<]*)</th>((?:<td[^>]*>[^<]*</td>)*)</tr>`)
var pageCell = regexp.MustCompile(`<td[^>]*>([^<]*)</td>`)

// pageRows returns every row of the /statistiques page's tables, in order, as
// "label: cell | cell…".
func pageRows(body string) []string {
	var out []string
	for _, m := range pageRow.FindAllStringSubmatch(body, -1) {
		var cells []string
		for _, c := range pageCell.FindAllStringSubmatch(m[2], -1) {
			cells = append(cells, html.UnescapeString(c[1]))
		}
		out = append(out, html.UnescapeString(m[1])+": "+strings.Join(cells, " | "))
	}
	return out
}

func apiRows(s api.Stats) []string {
	var out []string
	for _, th := range s.Themes {
		for _, tb := range th.Tables {
			for _, r := range tb.Rows {
				var cells []string
				for _, c := range r.Cells {
					cells = append(cells, c.Text)
				}
				out = append(out, r.Label+": "+strings.Join(cells, " | "))
			}
		}
	}
	return out
}

// TestStatsAreThePage: on the hand-counted fixture of 2025, the API gives each reader
// the numbers of the /statistiques page, masked the same way, cell for cell.
func TestStatsAreThePage(t *testing.T) {
	env := servertest.New(t)
	modelstest.StatsFixture(t, env.DB, env.Commission)
	path := "/api/v1/bodies/" + id(env.Commission.ID) + "/stats?year=2025"
	for _, tc := range []struct {
		role       models.Role
		exact      bool
		engagement string // hand-counted from the fixture (models/stats_test.go)
	}{
		{models.RoleSecretariat, true, "9 | 6 | 1 | 1 | 8"},
		{models.RolePresident, false, "9 | s | < 5 | < 5 | s"},
		{models.RolePrefecture, false, "9 | s | < 5 | < 5 | s"},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			r := call(t, env, newToken(t, env, env.Users[tc.role]), path)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s = %d\n%s", path, r.Status, r.Body)
			}
			s := decode[api.Stats](t, r)
			if s.Exact != tc.exact || s.Year != 2025 || !s.Complete || s.Threshold != 5 || s.RefDate != "2025-12-31" {
				t.Errorf("stats header = exact %v year %d complete %v threshold %d ref %s", s.Exact, s.Year, s.Complete, s.Threshold, s.RefDate)
			}
			got := apiRows(s)
			if !strings.Contains(strings.Join(got, "\n"), "Engagement dans le parcours: "+tc.engagement+"\n") {
				t.Errorf("row « Engagement dans le parcours » is not %q in\n%s", tc.engagement, strings.Join(got, "\n"))
			}
			c := env.Client()
			c.SignIn(t, tc.role)
			want := pageRows(c.Get(t, "/statistiques?annee=2025").Body)
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("the API has %d rows, the page %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("row %d: API %q, page %q", i, got[i], want[i])
				}
			}
			for _, th := range s.Themes {
				for _, tb := range th.Tables {
					for _, row := range tb.Rows {
						for _, cell := range row.Cells {
							if (cell.Mask != "") != (cell.Value == nil && cell.Kind != "missing" && cell.Kind != "label") {
								t.Errorf("%s / %s: cell %+v: a masked cell has no value, a shown one has", tb.ID, row.Label, cell)
							}
							if tc.exact && cell.Mask != "" {
								t.Errorf("%s / %s: the secretariat's exact view masks %+v", tb.ID, row.Label, cell)
							}
						}
					}
				}
			}
		})
	}
}
