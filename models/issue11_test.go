package models_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
	"seance/models/minutes"
	"seance/models/modelstest"
	"seance/models/rotation"
	"seance/models/sitting"
)

// roomBallot is the secretariat's entry of who's ballot for the room.
func (w *sittingWorld) roomBallot(v *sitting.Vote, who string, choice sitting.BallotChoice) (*sitting.Ballot, error) {
	return sitting.CastBallot(w.ctx, w.db, w.sec, w.c.ID, v.ID, sitting.BallotInput{VoterUserID: w.u[who].ID, Choice: choice}, w.at(13))
}

// tallyLine returns the tally's line of who.
func tallyLine(t *testing.T, tally *sitting.Tally, u *models.User) sitting.VoterLine {
	t.Helper()
	for _, l := range tally.Lines {
		if l.VoterUserID == u.ID && l.RepresentedUserID == 0 {
			return l
		}
	}
	t.Fatalf("no tally line for %s", u.Name)
	return sitting.VoterLine{}
}

// TestIssue11_RoomBallotCannotOverwriteOnlineBallot reproduces the review's attack: a
// member votes « pour » online, then the secretariat posts a room ballot « contre » for
// them. The room entry must be refused with a French message naming the member, the
// ballot and the tally unchanged; the database refuses it too.
func TestIssue11_RoomBallotCannotOverwriteOnlineBallot(t *testing.T) {
	w := newSittingWorld(t, 5, meetings.ModeOnSite)
	w.present(t, "s1", "s2", "s3")
	w.open(t)
	v := w.openVote(t, w.policyItem(t, "Programme départemental"))
	online := w.mustBallot(t, v, "s1", sitting.BallotFor, "")

	_, err := w.roomBallot(v, "s1", sitting.BallotAgainst)
	r, ok := models.AsRefusal(err)
	if !ok || !strings.Contains(r.Message, w.u["s1"].Name+" a déjà voté en ligne") || !strings.Contains(r.Message, "seul ce membre peut modifier son vote") {
		t.Fatalf("room ballot over an online one: error %v, want the French refusal naming %s", err, w.u["s1"].Name)
	}
	// The same choice again is refused as well: the room entry is not the member's.
	if _, err := w.roomBallot(v, "s1", sitting.BallotFor); err == nil {
		t.Fatal("room ballot repeating the online choice was accepted")
	}
	tally, err := sitting.VoteTally(w.ctx, w.db, w.c.ID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := tallyLine(t, tally, w.u["s1"]).Ballot
	if tally.Yes != 1 || tally.No != 0 || b == nil || b.Choice != sitting.BallotFor || b.Changes != 0 || b.Channel != sitting.ChannelOnline ||
		b.RecordedBy != w.u["s1"].ID || b.Receipt != online.Receipt || b.ChannelLabel() != "en ligne" {
		t.Fatalf("after the refused room entry: tally %d/%d, ballot %+v; want s1's online « pour » untouched", tally.Yes, tally.No, b)
	}
	if ds := w.auditDetails(t, "vote.ballot_change"); len(ds) != 0 {
		t.Fatalf("audit records a change: %v", ds)
	}

	// A room entry may be corrected by the secretariat, and changed by the voter online;
	// once the voter has voted online, the room entry is refused again.
	if _, err := w.roomBallot(v, "s2", sitting.BallotAgainst); err != nil {
		t.Fatal(err)
	}
	if _, err := w.roomBallot(v, "s2", sitting.BallotAbstain); err != nil {
		t.Fatalf("secretariat corrects its own room entry: %v", err)
	}
	tally, err = sitting.VoteTally(w.ctx, w.db, w.c.ID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b := tallyLine(t, tally, w.u["s2"]).Ballot; b == nil || b.Channel != sitting.ChannelRoom || b.ChannelLabel() != "en salle, saisi par "+w.sec.Name {
		t.Fatalf("room ballot = %+v, want channel « en salle, saisi par %s »", b, w.sec.Name)
	}
	if b := w.mustBallot(t, v, "s2", sitting.BallotFor, ""); b.Channel != sitting.ChannelOnline || b.Changes != 2 {
		t.Fatalf("voter changes the room entry online: %+v, want online, changed twice", b)
	}
	if _, err := w.roomBallot(v, "s2", sitting.BallotAgainst); err == nil {
		t.Fatal("room entry over a ballot the voter changed online was accepted")
	}
	mv, err := sitting.FindMemberVote(w.ctx, w.db, w.u["s2"], v.ID)
	if err != nil || mv.Rights[0].Ballot == nil || mv.Rights[0].Ballot.ChannelLabel() != "en ligne" {
		t.Fatalf("member's own view = %+v, %v; want their ballot shown « en ligne »", mv, err)
	}

	// The database refuses what the model refuses, whatever the code path.
	_, err = w.db.NewUpdate().Model((*sitting.Ballot)(nil)).Set("channel = ?", sitting.ChannelRoom).Set("recorded_by = ?", w.sec.ID).
		Set("choice = ?", sitting.BallotAgainst).Where("id = ?", online.ID).Exec(w.ctx)
	if err == nil || !strings.Contains(err.Error(), "only its voter changes a ballot cast online") {
		t.Fatalf("direct UPDATE of an online ballot into a room one: error %v, want the database's refusal", err)
	}
	_, err = w.db.NewUpdate().Model((*sitting.Ballot)(nil)).Set("recorded_by = ?", w.sec.ID).Where("id = ?", online.ID).Exec(w.ctx)
	if err == nil {
		t.Fatal("direct UPDATE of an online ballot's recorder was accepted")
	}
}

// TestIssue11_CloseVoteNeedsConfirmationForMissingVoters reproduces the review's vote:
// 17 voters present, one ballot, and the vote closed in one click. Closing must be
// refused with the names and number of those who have not voted until the chair
// confirms; the result then states how many did not take part.
func TestIssue11_CloseVoteNeedsConfirmationForMissingVoters(t *testing.T) {
	w := newSittingWorld(t, 18, meetings.ModeOnSite)
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
	w.mustBallot(t, v, "s1", sitting.BallotFor, "")

	_, err := sitting.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, sitting.CloseVoteInput{}, w.at(15))
	var missing *sitting.MissingVoters
	if !errors.As(err, &missing) {
		t.Fatalf("closing with 16 voters missing: error %v, want *MissingVoters", err)
	}
	if missing.NotVoting() != 16 || len(missing.Lines) != 16 || !strings.HasPrefix(err.Error(), "16 votants présents ou représentés n'ont pas voté : ") ||
		!strings.Contains(err.Error(), w.u["s2"].Name) || strings.Contains(err.Error(), w.u["s1"].Name+",") {
		t.Fatalf("refusal = %q (%d lines), want the 16 voters without s1", err, len(missing.Lines))
	}
	if got, err := sitting.FindVote(w.ctx, w.db, w.c.ID, v.ID); err != nil || got.Status != sitting.VoteOpen {
		t.Fatalf("vote after the refusal = %+v, %v; want still open", got, err)
	}
	if ds := w.auditDetails(t, "vote.close"); len(ds) != 0 {
		t.Fatalf("refused closing audited: %v", ds)
	}
	// A room count covering only some of them still asks for the confirmation.
	_, err = sitting.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, sitting.CloseVoteInput{Room: &sitting.RoomCount{Yes: 10, No: 2}}, w.at(15))
	if !errors.As(err, &missing) || missing.NotVoting() != 4 || !strings.Contains(err.Error(), "16 votants sans vote nominatif, dont 12 comptés à main levée : 4 ne prennent pas part au vote : ") {
		t.Fatalf("partial room count: error %v, want 4 not voting", err)
	}

	got, err := sitting.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, sitting.CloseVoteInput{ConfirmMissing: true}, w.at(15))
	if err != nil {
		t.Fatalf("confirmed closing: %v", err)
	}
	if got.Outcome != sitting.OutcomeAdopted || got.Yes != 1 || got.NotVoted() != 16 ||
		got.NotVotedLabel() != "16 votants présents ou représentés sur 17 n'ont pas pris part au vote" {
		t.Fatalf("closed vote = %s, %d for, not voted %d (%q)", got.Outcome, got.Yes, got.NotVoted(), got.NotVotedLabel())
	}
	ds := w.auditDetails(t, "vote.close")
	if len(ds) != 1 || !strings.Contains(ds[0], `"not_voted":16`) || !strings.Contains(ds[0], `"closed_without_missing_voters":true`) {
		t.Fatalf("vote.close audit = %v, want not_voted 16, confirmed", ds)
	}

	// When every voter voted (by name or in the room's count), no confirmation is needed.
	v2 := w.openVote(t, w.policyItem(t, "Convention"))
	w.mustBallot(t, v2, "s1", sitting.BallotAgainst, "")
	got, err = sitting.CloseVote(w.ctx, w.db, w.sec, w.c.ID, v2.ID, sitting.CloseVoteInput{Room: &sitting.RoomCount{Yes: 14, Abstentions: 2}}, w.at(16))
	if err != nil || got.NotVoted() != 0 || got.NotVotedLabel() != "" {
		t.Fatalf("closing with everyone counted: %+v, %v", got, err)
	}
}

// secretMinutes is a procès-verbal snapshot whose free texts are markers searched in
// dumps: the avis reasoning and conditions, a dissent and a written contribution,
// all sealed in their own tables. Like a real one, it spans several database pages.
func secretMinutes(tag string) string {
	return fmt.Sprintf(`{"session":{"meeting_id":1},"items":[{"number":1,"reference":"31-2026-0001","avis":"Favorable",`+
		`"reasoning":"MOTIVATION-CONFIDENTIELLE-%[1]s","conditions":"CONDITION-HEBERGEMENT-%[1]s",`+
		`"dissents":[{"name":"Membre","text":"DISSIDENCE-PRIVEE-%[1]s"}]}],`+
		`"written":{"contributions":[{"name":"Membre","text":"CONTRIBUTION-INTIME-%[1]s"}]},"padding":"%[2]s"}`, tag, strings.Repeat("texte ", 2000))
}

// TestIssue11_MinutesSnapshotSealed reproduces the review's finding: the procès-verbal
// snapshot repeated in clear the free texts sealed elsewhere. A locked version, its
// correction and a version made before sealing (its content in clear, as an upgraded
// database holds it) go through `seance keys rotate`; then the whole database as stored
// (SQLite file and WAL, every PostgreSQL row) holds none of the texts, every version
// opens with the new key alone and still verifies against the hash in the audit chain,
// and the guard of locked rows still refuses any other change.
func TestIssue11_MinutesSnapshotSealed(t *testing.T) {
	db, url := dumpableDB(t)
	w := newMinutesWorldOn(t, db)
	k1, k2 := twoKeys()
	w.kr, _ = keyring.NewKeyring(k1)

	// A version made now: sealed from the start, locked, then corrected.
	sealed, err := minutes.CreateMinutesDraft(w.ctx, db, w.kr, w.actor, w.cid, w.held.ID, []byte(secretMinutes("A")), w.held.EndsAt)
	if err != nil {
		t.Fatal(err)
	}
	if sealed.ClearContent != "" || keyring.SealedWith(sealed.ContentSealed) != w.kr.CurrentID() || strings.Contains(sealed.ContentSealed, "MOTIVATION") {
		t.Fatalf("new draft stored content %q, sealed %q", sealed.ClearContent, sealed.ContentSealed)
	}
	sealed = w.lock(t, sealed, w.held)
	v2, err := minutes.CorrectMinutes(w.ctx, db, w.kr, w.actor, w.cid, sealed.ID, "Erreur matérielle.", nil, w.next.StartsAt.Add(72*time.Hour))
	if err != nil || w.content(t, v2) != secretMinutes("A") || v2.ClearContent != "" {
		t.Fatalf("correction = %+v, %v; want the same content, sealed", v2, err)
	}
	// A version made before sealing: its content in clear, locked with its hash over it.
	held2 := w.meeting(t, w.cid, time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC), meetings.MeetingClosed)
	legacy, err := minutes.CreateMinutesDraft(w.ctx, db, w.kr, w.actor, w.cid, held2.ID, []byte(minutesContent), held2.EndsAt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("content = ?", secretMinutes("B")).Set("content_sealed = ''").Where("id = ?", legacy.ID).Exec(w.ctx); err != nil {
		t.Fatal(err)
	}
	legacy = w.lock(t, legacy, held2)
	if err := minutes.VerifyMinutes(w.ctx, db, w.kr, w.cid, legacy.ID); err != nil {
		t.Fatalf("legacy version before sealing: VerifyMinutes = %v", err)
	}

	if !models.IsPG(db) { // the clear content reaches the database file, as in an old database
		if _, err := db.ExecContext(w.ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
	}
	rotated, _ := keyring.NewKeyring(k2, k1)
	rep, err := rotation.RotateKeys(w.ctx, db, rotated, modelstest.Epoch())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sealed != 1 || rep.Resealed["minutes.content_sealed"] != 2 {
		t.Fatalf("RotateKeys = %+v, want 1 snapshot sealed, 2 re-sealed", rep)
	}
	if again, err := rotation.RotateKeys(w.ctx, db, rotated, modelstest.Epoch()); err != nil || again.Total != 0 || again.Sealed != 0 {
		t.Fatalf("second RotateKeys = %+v, %v; want nothing left", again, err)
	}
	onlyNew, _ := keyring.NewKeyring(k2)
	for _, tt := range []struct {
		r    *minutes.Minutes
		want string
	}{{sealed, secretMinutes("A")}, {v2, secretMinutes("A")}, {legacy, secretMinutes("B")}} {
		r, err := minutes.FindMinutes(w.ctx, db, w.cid, tt.r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Snapshot(onlyNew)
		if err != nil || string(got) != tt.want || r.ClearContent != "" || keyring.SealedWith(r.ContentSealed) != onlyNew.CurrentID() {
			t.Fatalf("minutes %d with the new key only: %q, %v (clear %q)", r.ID, got, err, r.ClearContent)
		}
		if r.Status == minutes.MinutesLocked {
			if err := minutes.VerifyMinutes(w.ctx, db, onlyNew, w.cid, r.ID); err != nil {
				t.Fatalf("VerifyMinutes(%d) after sealing and rotation = %v", r.ID, err)
			}
		}
	}

	dump := databaseDump(t, db, url)
	if !bytes.Contains(dump, []byte("minutes.lock")) || !bytes.Contains(dump, []byte("Préfecture, salle Capitole")) {
		t.Fatalf("dump of %d bytes lacks the clear attributes: the dump is not read as stored", len(dump))
	}
	var markers []string
	for _, tag := range []string{"A", "B"} {
		markers = append(markers, "MOTIVATION-CONFIDENTIELLE-"+tag, "CONDITION-HEBERGEMENT-"+tag, "DISSIDENCE-PRIVEE-"+tag, "CONTRIBUTION-INTIME-"+tag)
	}
	noneInClear(t, dump, markers)

	// The guard of locked rows lets only the sealed snapshot change; a swapped one no
	// longer verifies.
	if _, err := db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("observations = 'falsifié'").Where("id = ?", sealed.ID).Exec(w.ctx); err == nil {
		t.Error("direct UPDATE of a locked procès-verbal's observations succeeded")
	}
	if _, err := db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("content = ?", minutesContent).Where("id = ?", sealed.ID).Exec(w.ctx); err == nil {
		t.Error("direct UPDATE putting clear content back into a locked procès-verbal succeeded")
	}
	if _, err := db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("content_sealed = ''").Where("id = ?", sealed.ID).Exec(w.ctx); err == nil {
		t.Error("direct UPDATE emptying a locked procès-verbal succeeded")
	}
	other := onlyNew.Seal([]byte(minutesContent), fmt.Sprintf("minutes:%d:content", legacy.ID))
	if _, err := db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("content_sealed = ?", other).Where("id = ?", legacy.ID).Exec(w.ctx); err != nil {
		t.Fatalf("re-sealing a locked row: %v", err)
	}
	if err := minutes.VerifyMinutes(w.ctx, db, onlyNew, w.cid, legacy.ID); !errors.Is(err, minutes.ErrMinutesTampered) {
		t.Errorf("VerifyMinutes of a swapped snapshot = %v, want ErrMinutesTampered", err)
	}
	// v2 holds the same content, sealed for its own row: it does not open in v1's.
	if v2, err = minutes.FindMinutes(w.ctx, db, w.cid, v2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewUpdate().Model((*minutes.Minutes)(nil)).Set("content_sealed = ?", v2.ContentSealed).Where("id = ?", sealed.ID).Exec(w.ctx); err != nil {
		t.Fatal(err)
	}
	if err := minutes.VerifyMinutes(w.ctx, db, onlyNew, w.cid, sealed.ID); !errors.Is(err, minutes.ErrMinutesTampered) {
		t.Errorf("VerifyMinutes of another row's sealed snapshot = %v, want ErrMinutesTampered", err)
	}
}
