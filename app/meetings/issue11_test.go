package meetings_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"seance/app/servertest"
	"seance/models"
	meetingsmodel "seance/models/meetings"
)

// TestIssue11_ControlCharactersRefused reproduces point 10 of issue 11: CR/LF in an
// agenda title later broke the announcement e-mail to every member. Single-line fields
// refuse line breaks and control characters at entry, with a message naming the field.
func TestIssue11_ControlCharactersRefused(t *testing.T) {
	s := newSite(t, nil)
	sec := s.Client()
	sec.SignIn(t, models.RoleSecretariat)
	path := s.plan(t, sec, 9)
	for _, title := range []string{"Bilan annuel\r\nBcc: tous@exemple.org", "Bilan\nannuel", "Bilan\u2028annuel"} {
		r := sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"information"}, "title": {title}})
		servertest.Expect(t, "", r, http.StatusUnprocessableEntity, "Le champ « Intitulé » tient sur une seule ligne")
	}
	// A NUL byte is refused before any handler, for every field of every form.
	r0 := sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"information"}, "title": {"Bilan\x00annuel"}})
	servertest.Expect(t, "", r0, http.StatusBadRequest, "caractère nul ou un texte mal encodé")
	n, err := s.DB.NewSelect().Model((*meetingsmodel.AgendaItem)(nil)).Where("title LIKE ?", "Bilan%").Count(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("%d agenda items stored (%v), want none", n, err)
	}
	// A tab is not a line break; notes may span lines.
	servertest.Expect(t, "", sec.PostForm(t, path+"/ordre-du-jour/point", url.Values{"kind": {"information"}, "title": {"Bilan\tannuel"}, "notes": {"Ligne 1\r\nLigne 2"}}), http.StatusSeeOther)

	day := s.Clock().In(s.Config.Location).AddDate(0, 0, 20)
	r := sec.PostForm(t, "/seances", url.Values{
		"kind": {"files"}, "mode": {"onsite"}, "date": {day.Format(time.DateOnly)}, "start": {"14:00"}, "end": {"17:00"},
		"place": {"Préfecture\r\nX-Injected: oui"}, "capacity": {"10"},
	})
	servertest.Expect(t, "", r, http.StatusUnprocessableEntity, "Le champ « Lieu » tient sur une seule ligne")
	if strings.Contains(r.Body, "X-Injected: oui\r\n") {
		t.Error("the page echoes the raw line break")
	}
}
