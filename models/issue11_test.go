package models_test

import (
	"errors"
	"strings"
	"testing"

	"seance/models"
)

// roomBallot is the secretariat's entry of who's ballot for the room.
func (w *sittingWorld) roomBallot(v *models.Vote, who string, choice models.BallotChoice) (*models.Ballot, error) {
	return models.CastBallot(w.ctx, w.db, w.sec, w.c.ID, v.ID, models.BallotInput{VoterUserID: w.u[who].ID, Choice: choice}, w.at(13))
}

// tallyLine returns the tally's line of who.
func tallyLine(t *testing.T, tally *models.Tally, u *models.User) models.VoterLine {
	t.Helper()
	for _, l := range tally.Lines {
		if l.VoterUserID == u.ID && l.RepresentedUserID == 0 {
			return l
		}
	}
	t.Fatalf("no tally line for %s", u.Name)
	return models.VoterLine{}
}

// TestIssue11_RoomBallotCannotOverwriteOnlineBallot reproduces the review's attack: a
// member votes « pour » online, then the secretariat posts a room ballot « contre » for
// them. The room entry must be refused with a French message naming the member, the
// ballot and the tally unchanged; the database refuses it too.
func TestIssue11_RoomBallotCannotOverwriteOnlineBallot(t *testing.T) {
	w := newSittingWorld(t, 5, models.ModeOnSite)
	w.present(t, "s1", "s2", "s3")
	w.open(t)
	v := w.openVote(t, w.policyItem(t, "Programme départemental"))
	online := w.mustBallot(t, v, "s1", models.BallotFor, "")

	_, err := w.roomBallot(v, "s1", models.BallotAgainst)
	msg, ok := models.SittingRefusal(err)
	if !ok || !strings.Contains(msg, w.u["s1"].Name+" a déjà voté en ligne") || !strings.Contains(msg, "seul ce membre peut modifier son vote") {
		t.Fatalf("room ballot over an online one: error %v, want the French refusal naming %s", err, w.u["s1"].Name)
	}
	// The same choice again is refused as well: the room entry is not the member's.
	if _, err := w.roomBallot(v, "s1", models.BallotFor); err == nil {
		t.Fatal("room ballot repeating the online choice was accepted")
	}
	tally, err := models.VoteTally(w.ctx, w.db, w.c.ID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := tallyLine(t, tally, w.u["s1"]).Ballot
	if tally.Yes != 1 || tally.No != 0 || b == nil || b.Choice != models.BallotFor || b.Changes != 0 || b.Channel != models.ChannelOnline ||
		b.RecordedBy != w.u["s1"].ID || b.Receipt != online.Receipt || b.ChannelLabel() != "en ligne" {
		t.Fatalf("after the refused room entry: tally %d/%d, ballot %+v; want s1's online « pour » untouched", tally.Yes, tally.No, b)
	}
	if ds := w.auditDetails(t, "vote.ballot_change"); len(ds) != 0 {
		t.Fatalf("audit records a change: %v", ds)
	}

	// A room entry may be corrected by the secretariat, and changed by the voter online;
	// once the voter has voted online, the room entry is refused again.
	if _, err := w.roomBallot(v, "s2", models.BallotAgainst); err != nil {
		t.Fatal(err)
	}
	if _, err := w.roomBallot(v, "s2", models.BallotAbstain); err != nil {
		t.Fatalf("secretariat corrects its own room entry: %v", err)
	}
	tally, err = models.VoteTally(w.ctx, w.db, w.c.ID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b := tallyLine(t, tally, w.u["s2"]).Ballot; b == nil || b.Channel != models.ChannelRoom || b.ChannelLabel() != "en salle, saisi par "+w.sec.Name {
		t.Fatalf("room ballot = %+v, want channel « en salle, saisi par %s »", b, w.sec.Name)
	}
	if b := w.mustBallot(t, v, "s2", models.BallotFor, ""); b.Channel != models.ChannelOnline || b.Changes != 2 {
		t.Fatalf("voter changes the room entry online: %+v, want online, changed twice", b)
	}
	if _, err := w.roomBallot(v, "s2", models.BallotAgainst); err == nil {
		t.Fatal("room entry over a ballot the voter changed online was accepted")
	}
	mv, err := models.FindMemberVote(w.ctx, w.db, w.u["s2"], v.ID)
	if err != nil || mv.Rights[0].Ballot == nil || mv.Rights[0].Ballot.ChannelLabel() != "en ligne" {
		t.Fatalf("member's own view = %+v, %v; want their ballot shown « en ligne »", mv, err)
	}

	// The database refuses what the model refuses, whatever the code path.
	_, err = w.db.NewUpdate().Model((*models.Ballot)(nil)).Set("channel = ?", models.ChannelRoom).Set("recorded_by = ?", w.sec.ID).
		Set("choice = ?", models.BallotAgainst).Where("id = ?", online.ID).Exec(w.ctx)
	if err == nil || !strings.Contains(err.Error(), "only its voter changes a ballot cast online") {
		t.Fatalf("direct UPDATE of an online ballot into a room one: error %v, want the database's refusal", err)
	}
	_, err = w.db.NewUpdate().Model((*models.Ballot)(nil)).Set("recorded_by = ?", w.sec.ID).Where("id = ?", online.ID).Exec(w.ctx)
	if err == nil {
		t.Fatal("direct UPDATE of an online ballot's recorder was accepted")
	}
}

// TestIssue11_CloseVoteNeedsConfirmationForMissingVoters reproduces the review's vote:
// 17 voters present, one ballot, and the vote closed in one click. Closing must be
// refused with the names and number of those who have not voted until the chair
// confirms; the result then states how many did not take part.
func TestIssue11_CloseVoteNeedsConfirmationForMissingVoters(t *testing.T) {
	w := newSittingWorld(t, 18, models.ModeOnSite)
	w.setRules(t, models.AbstentionsNotCast, false)
	var seats []string
	for name := range w.seats {
		if name != "assoc" {
			seats = append(seats, name)
		}
	}
	w.present(t, seats...) // 17 seats: doc and s1…s16
	w.open(t)
	v := w.openVote(t, w.policyItem(t, "Rapport annuel"))
	if v.Eligible != 17 {
		t.Fatalf("eligible = %d, want 17", v.Eligible)
	}
	w.mustBallot(t, v, "s1", models.BallotFor, "")

	_, err := models.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, models.CloseVoteInput{}, w.at(15))
	var missing *models.MissingVoters
	if !errors.As(err, &missing) {
		t.Fatalf("closing with 16 voters missing: error %v, want *MissingVoters", err)
	}
	if missing.NotVoting() != 16 || len(missing.Lines) != 16 || !strings.HasPrefix(err.Error(), "16 votants présents ou représentés n'ont pas voté : ") ||
		!strings.Contains(err.Error(), w.u["s2"].Name) || strings.Contains(err.Error(), w.u["s1"].Name+",") {
		t.Fatalf("refusal = %q (%d lines), want the 16 voters without s1", err, len(missing.Lines))
	}
	if got, err := models.FindVote(w.ctx, w.db, w.c.ID, v.ID); err != nil || got.Status != models.VoteOpen {
		t.Fatalf("vote after the refusal = %+v, %v; want still open", got, err)
	}
	if ds := w.auditDetails(t, "vote.close"); len(ds) != 0 {
		t.Fatalf("refused closing audited: %v", ds)
	}
	// A room count covering only some of them still asks for the confirmation.
	_, err = models.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, models.CloseVoteInput{Room: &models.RoomCount{Yes: 10, No: 2}}, w.at(15))
	if !errors.As(err, &missing) || missing.NotVoting() != 4 || !strings.Contains(err.Error(), "16 votants sans vote nominatif, dont 12 comptés à main levée : 4 ne prennent pas part au vote : ") {
		t.Fatalf("partial room count: error %v, want 4 not voting", err)
	}

	got, err := models.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, models.CloseVoteInput{ConfirmMissing: true}, w.at(15))
	if err != nil {
		t.Fatalf("confirmed closing: %v", err)
	}
	if got.Outcome != models.OutcomeAdopted || got.Yes != 1 || got.NotVoted() != 16 ||
		got.NotVotedLabel() != "16 votants présents ou représentés sur 17 n'ont pas pris part au vote" {
		t.Fatalf("closed vote = %s, %d for, not voted %d (%q)", got.Outcome, got.Yes, got.NotVoted(), got.NotVotedLabel())
	}
	ds := w.auditDetails(t, "vote.close")
	if len(ds) != 1 || !strings.Contains(ds[0], `"not_voted":16`) || !strings.Contains(ds[0], `"closed_without_missing_voters":true`) {
		t.Fatalf("vote.close audit = %v, want not_voted 16, confirmed", ds)
	}

	// When every voter voted (by name or in the room's count), no confirmation is needed.
	v2 := w.openVote(t, w.policyItem(t, "Convention"))
	w.mustBallot(t, v2, "s1", models.BallotAgainst, "")
	got, err = models.CloseVote(w.ctx, w.db, w.sec, w.c.ID, v2.ID, models.CloseVoteInput{Room: &models.RoomCount{Yes: 14, Abstentions: 2}}, w.at(16))
	if err != nil || got.NotVoted() != 0 || got.NotVotedLabel() != "" {
		t.Fatalf("closing with everyone counted: %+v, %v", got, err)
	}
}
