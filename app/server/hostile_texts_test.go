package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"seance/app/demo"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/sitting"
)

// TestHostileInput_AvisDissentAndProposalTexts types the script payloads into the free
// texts that TestHostileInput_ScriptPayloadsComeBackEscaped does not reach: the avis's
// reasoning and conditions (the chair, during the sitting), a dissent (the secretariat,
// for a member in the room) and an association's proposal, then reads them back from
// the procès-verbal page, workbook and PDF, and from the file's pages; and the names of
// the two associations, read back from the registry, the file list and the annual
// workbook.
func TestHostileInput_AvisDissentAndProposalTexts(t *testing.T) {
	h := newHostile(t)
	ctx, db := context.Background(), h.env.DB
	cid := h.seed.Commission.ID
	pres := h.seed.Users[demo.EmailPresident]
	all := strings.Join(scriptPayloads, "\n")

	// Today's session is held: attendance confirmed, sitting opened, a file put to the vote
	// and closed with the président's ballot.
	var meetingID, itemID int64
	if err := db.QueryRowContext(ctx, "SELECT id FROM meetings WHERE commission_id = ? AND status = ? ORDER BY starts_at LIMIT 1",
		cid, meetings.MeetingConvened).Scan(&meetingID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT id FROM agenda_items WHERE meeting_id = ? AND file_id IS NOT NULL ORDER BY position LIMIT 1",
		meetingID).Scan(&itemID); err != nil {
		t.Fatal(err)
	}
	m, err := meetings.FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	h.env.SetClock(m.StartsAt.Add(5 * time.Minute))
	if _, err := sitting.ConfirmSittingAttendance(ctx, db, models.ActorFor(pres), cid, meetingID, h.env.Clock()); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.OpenSitting(ctx, db, pres, cid, meetingID, pres.ID, h.env.Clock()); err != nil {
		t.Fatal(err)
	}
	v, err := sitting.OpenVote(ctx, db, pres, cid, itemID, sitting.VoteInput{ProposedAvis: files.AvisFavorable}, h.env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.CastBallot(ctx, db, pres, cid, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, h.env.Clock()); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.CloseVote(ctx, db, pres, cid, v.ID, sitting.CloseVoteInput{ConfirmMissing: true}, h.env.Clock()); err != nil {
		t.Fatal(err)
	}
	var dissenter int64
	if err := db.QueryRowContext(ctx, "SELECT voter_user_id FROM sitting_vote_voters WHERE vote_id = ? AND voter_user_id <> ? ORDER BY id LIMIT 1",
		v.ID, pres.ID).Scan(&dissenter); err != nil {
		t.Fatal(err)
	}
	votePath := "/sitting/" + strconv.FormatInt(meetingID, 10) + "/votes/" + strconv.FormatInt(v.ID, 10)
	// Signed in after the clock moved to the sitting (the earlier sessions have expired).
	chair, sec := h.signIn(t, demo.EmailPresident), h.signIn(t, demo.EmailSecretariat)
	if r := chair.PostForm(t, votePath+"/avis", url.Values{"reasoning": {all}, "conditions": {all}}); r.Status != http.StatusSeeOther {
		t.Fatalf("avis reasoning: %d\n%.500s", r.Status, r.Body)
	}
	if r := sec.PostForm(t, votePath+"/dissent", url.Values{"user_id": {strconv.FormatInt(dissenter, 10)}, "dissent": {all}}); r.Status != http.StatusSeeOther {
		t.Fatalf("dissent: %d\n%.500s", r.Status, r.Body)
	}
	wantEscaped(t, "the vote's page", chair.Get(t, votePath), scriptPayloads)
	if err := sitting.CloseSitting(ctx, db, pres, cid, meetingID, h.env.Clock()); err != nil {
		t.Fatal(err)
	}

	// The draft procès-verbal, established from the sitting, in its three forms.
	pv := "/seances/" + strconv.FormatInt(meetingID, 10) + "/pv"
	if r := sec.PostForm(t, pv+"/etablir", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("establish the minutes: %d\n%.500s", r.Status, r.Body)
	}
	wantEscaped(t, "the procès-verbal page", sec.Get(t, pv), scriptPayloads)
	cells := xlsxTexts(t, "the procès-verbal workbook", sec.Get(t, pv+".xlsx"))
	wantCells(t, "the procès-verbal workbook", cells, scriptPayloads)
	text := pdfAllText(t, "the procès-verbal PDF", sec.Get(t, pv+".pdf"))
	for _, p := range scriptPayloads {
		if n := strings.Count(text, p); n < 3 { // reasoning, conditions and dissent
			t.Errorf("the procès-verbal PDF shows %q %d times, want 3 (reasoning, conditions, dissent)", p, n)
		}
	}

	// An association's proposal, on its draft's pages.
	assoc := h.seed.Users[demo.AssociationEmail(1)]
	var draft int64
	if err := db.QueryRowContext(ctx, "SELECT id FROM files WHERE commission_id = ? AND association_id = ? AND state = ? ORDER BY id LIMIT 1",
		cid, *assoc.AssociationID, files.StateDraft).Scan(&draft); err != nil {
		t.Fatal(err)
	}
	file := "/dossiers/" + strconv.FormatInt(draft, 10)
	ac := h.signIn(t, assoc.Email)
	r := ac.PostForm(t, file+"/proposition", url.Values{"commitments": {all}, "expected_results": {all}, "difficulties": {all}, "suite": {"rester"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("proposal: %d\n%.800s", r.Status, r.Body)
	}
	wantEscaped(t, "the proposal step", ac.Get(t, file+"/proposition"), scriptPayloads)
	wantEscaped(t, "the file's page", ac.Get(t, file), scriptPayloads)

	// The associations renamed by the secretariat: a script and a formula.
	names := []string{scriptPayloads[1], scriptPayloads[4]}
	reg := "/commissions/" + strconv.FormatInt(cid, 10) + "/associations/"
	for i, name := range names {
		a := h.seed.Associations[i]
		r := sec.PostForm(t, reg+strconv.FormatInt(a.ID, 10), url.Values{"name": {name}, "agrement_arrete": {a.AgrementArrete},
			"agrement_date": {a.AgrementDate.Format(time.DateOnly)}, "agrement_ends": {a.AgrementEnds.Format(time.DateOnly)},
			"departments": {a.Departments}, "contact_email": {a.ContactEmail}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("rename association %d to %q: %d\n%.800s", a.ID, name, r.Status, r.Body)
		}
	}
	wantEscaped(t, "the associations page", sec.Get(t, reg[:len(reg)-1]), names)
	wantEscaped(t, "the file list", sec.Get(t, "/dossiers"), names)
	year := strconv.Itoa(h.env.Clock().Year() - 1)
	wantCells(t, "the annual workbook", xlsxTexts(t, "the annual workbook", sec.Get(t, "/statistiques/rapports/"+year+".xlsx")), names)
}
