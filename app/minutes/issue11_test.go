package minutes_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestIssue11_MinutesStateBallotChannelsAndNonVoters checks the procès-verbal side of
// issue 11, points 1 and 2: each named ballot says how it was cast (« en ligne », « en
// salle, saisi par … »), and each vote how many of the voters called did not take part,
// in the print page, the PDF and the workbook.
func TestIssue11_MinutesStateBallotChannelsAndNonVoters(t *testing.T) {
	f, m := builtFixture(t, time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC))
	sec, pres := f.sec, f.pres
	channels := map[string]string{}
	for _, b := range m.Items[0].Ballots {
		channels[b.Name+"/"+b.OnBehalfOf] = b.ChannelLabel()
	}
	room := "en salle, saisi par " + sec.Name
	for who, want := range map[string]string{f.u["s4"].Name + "/": room, f.u["s2"].Name + "/": "en ligne", f.u["s2"].Name + "/" + f.u["s3"].Name: "en ligne", pres.Name + "/": "en ligne"} {
		if channels[who] != want {
			t.Errorf("ballot of %s: channel %q, want %q (all: %v)", who, channels[who], want, channels)
		}
	}
	if tl := m.Items[1].Tally; tl == nil || tl.Expected != 6 || tl.NotVoted != 5 {
		t.Fatalf("policy tally = %+v, want 5 of 6 voters not taking part", tl)
	}
	out := writeAll(t, m)
	notVoted := "Pour : 1 — Contre : 0 — Abstention : 0 — 5 votants présents ou représentés sur 6 n'ont pas pris part au vote"
	allVoted := "voix prépondérante du président (CRPA, art. R133-11) — les 5 votants présents ou représentés ont tous pris part au vote"
	s4 := f.u["s4"].Name + " (" + room + ")"
	proxy := f.u["s2"].Name + " (procuration de " + f.u["s3"].Name + ", en ligne)"

	html := printPage(t, map[string]any{"Minutes": out.decoded, "PDFURL": "/p.pdf", "XLSXURL": "/p.xlsx"})
	unescaped := strings.NewReplacer("&#39;", "'", "&#34;", "\"", "&amp;", "&").Replace(html)
	page := norm(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(unescaped, " "))
	for where, text := range map[string]string{"print page": page, "PDF": norm(out.pdf), "workbook": out.workbook} {
		for _, want := range []string{notVoted, allVoted, s4, proxy} {
			if !strings.Contains(text, want) {
				t.Errorf("the %s lacks %q", where, want)
			}
		}
	}
	votes := out.votes
	var nonVoters []string
	for _, r := range votes {
		if len(r) > 4 && r[0] == "2" && r[3] == "N'ont pas pris part au vote" {
			nonVoters = r
		}
	}
	if nonVoters == nil || nonVoters[4] != "5" {
		t.Errorf("votes sheet: non-voters row of point 2 = %v, want 5", nonVoters)
	}
	if r := rowWith(votes, "1", f.file.Reference, f.u["s4"].Name, "Abstention"); r == nil || r[len(r)-1] != room {
		t.Errorf("votes sheet: s4's named ballot = %v, want the channel %q", r, room)
	}
}
