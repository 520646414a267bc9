package models_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/sitting"
)

// setRules changes the commission's abstention rule and whether the président votes.
func (w *sittingWorld) setRules(t *testing.T, abst models.AbstentionRule, presidentVotes bool) {
	t.Helper()
	s, err := models.FindSettings(w.ctx, w.db, w.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.AbstentionRule, s.PresidentVotes = abst, presidentVotes
	if err := models.UpdateSettings(w.ctx, w.db, models.SystemActor("test"), w.c, s, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
}

// voteWith opens a vote on a new policy item and casts the members' choices in order
// (s1, s2, ...), then the chair's when chair is not empty, and closes it.
func (w *sittingWorld) voteWith(t *testing.T, title string, choices []sitting.BallotChoice, chair sitting.BallotChoice) *sitting.Vote {
	t.Helper()
	v := w.openVote(t, w.policyItem(t, title))
	for i, c := range choices {
		w.mustBallot(t, v, fmt.Sprintf("s%d", i+1), c, "")
	}
	if chair != "" {
		w.mustBallot(t, v, "pres", chair, "")
	}
	return w.closeVote(t, v)
}

func repeat(n int, c sitting.BallotChoice) []sitting.BallotChoice {
	out := make([]sitting.BallotChoice, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func choices(yes, no, abst int) []sitting.BallotChoice {
	return append(append(repeat(yes, sitting.BallotFor), repeat(no, sitting.BallotAgainst)...), repeat(abst, sitting.BallotAbstain)...)
}

// majorityCase is a count of votes and its outcome under each abstention rule.
type majorityCase struct {
	name            string
	yes, no, abst   int
	notCast, isCast sitting.VoteOutcome
}

var majorityCases = []majorityCase{
	{"3 for, 2 against, 3 abstentions", 3, 2, 3, sitting.OutcomeAdopted, sitting.OutcomeRejected},
	{"4 for, 1 against, 2 abstentions", 4, 1, 2, sitting.OutcomeAdopted, sitting.OutcomeAdopted},
	{"2 for, 3 against, 1 abstention", 2, 3, 1, sitting.OutcomeRejected, sitting.OutcomeRejected},
	{"1 for, 0 against, 6 abstentions", 1, 0, 6, sitting.OutcomeAdopted, sitting.OutcomeRejected},
	{"only abstentions", 0, 0, 4, sitting.OutcomeRejected, sitting.OutcomeRejected},
}

// majority votes every case of majorityCases under rule and checks the outcome want picks.
func majority(t *testing.T, rule models.AbstentionRule, want func(majorityCase) sitting.VoteOutcome) {
	w := newSittingWorld(t, 10, meetings.ModeOnSite)
	w.setRules(t, rule, false)
	w.present(t, "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8")
	w.open(t)
	for _, tt := range majorityCases {
		t.Run(tt.name, func(t *testing.T) {
			v := w.voteWith(t, tt.name, choices(tt.yes, tt.no, tt.abst), "")
			if v.Outcome != want(tt) || v.Yes != tt.yes || v.No != tt.no || v.Abstentions != tt.abst {
				t.Fatalf("vote = %s (%d/%d/%d), want %s", v.Outcome, v.Yes, v.No, v.Abstentions, want(tt))
			}
		})
	}
}

func TestRule5_MajorityAbstentionsNotCast(t *testing.T) {
	majority(t, models.AbstentionsNotCast, func(c majorityCase) sitting.VoteOutcome { return c.notCast })
}

func TestRule5_MajorityAbstentionsCast(t *testing.T) {
	majority(t, models.AbstentionsCast, func(c majorityCase) sitting.VoteOutcome { return c.isCast })
}

func TestRule5_TieCastingVote(t *testing.T) {
	for _, tt := range []struct {
		name           string
		presidentVotes bool
		members        []sitting.BallotChoice
		chair          sitting.BallotChoice
		want           sitting.VoteOutcome
		casting        sitting.BallotChoice
	}{
		{"chair for breaks 2-2", true, choices(1, 2, 0), sitting.BallotFor, sitting.OutcomeAdopted, sitting.BallotFor},
		{"chair against breaks 2-2", true, choices(2, 1, 0), sitting.BallotAgainst, sitting.OutcomeRejected, sitting.BallotAgainst},
		{"chair abstains: tie rejects", true, choices(2, 2, 0), sitting.BallotAbstain, sitting.OutcomeRejected, ""},
		{"chair does not vote: tie rejects", false, choices(2, 2, 0), "", sitting.OutcomeRejected, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newSittingWorld(t, 6, meetings.ModeOnSite)
			w.setRules(t, models.AbstentionsNotCast, tt.presidentVotes)
			w.present(t, "s1", "s2", "s3", "s4")
			w.open(t)
			v := w.voteWith(t, tt.name, tt.members, tt.chair)
			if v.Outcome != tt.want || !v.Tie || v.CastingVote != tt.casting {
				t.Fatalf("vote = %s tie %v casting %q, want %s, tie, casting %q", v.Outcome, v.Tie, v.CastingVote, tt.want, tt.casting)
			}
			if tt.casting != "" && !strings.Contains(v.ResultLabel(), "voix prépondérante du président") {
				t.Fatalf("result label %q does not name the casting vote", v.ResultLabel())
			}
			if !tt.presidentVotes {
				v2 := w.openVote(t, w.policyItem(t, "autre"))
				if _, err := w.ballot(v2, "pres", sitting.BallotFor, ""); !errors.Is(err, sitting.ErrNotEligible) {
					t.Fatalf("chair votes although the président does not vote: error %v, want ErrNotEligible", err)
				}
			}
		})
	}
}

func TestRule5_AvisFollowsTheResult(t *testing.T) {
	for _, tt := range []struct {
		name     string
		proposed files.Avis
		yes, no  int
		want     files.Avis
	}{
		{"favorable adopted", files.AvisFavorable, 3, 1, files.AvisFavorable},
		{"favorable rejected", files.AvisFavorable, 1, 3, files.AvisDefavorable},
		{"réservé adopted", files.AvisReserve, 3, 0, files.AvisReserve},
		{"défavorable rejected", files.AvisDefavorable, 0, 2, files.AvisFavorable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newSittingWorld(t, 6, meetings.ModeOnSite)
			w.setRules(t, models.AbstentionsNotCast, false)
			item, f := w.fileItem(t, files.KindEngagement)
			w.present(t, "s1", "s2", "s3", "s4")
			w.open(t)
			v, err := sitting.OpenVote(w.ctx, w.db, w.pres, w.c.ID, item.ID, sitting.VoteInput{ProposedAvis: tt.proposed}, w.at(10))
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range choices(tt.yes, tt.no, 0) {
				w.mustBallot(t, v, fmt.Sprintf("s%d", i+1), c, "")
			}
			v = w.closeVote(t, v)
			file, _, _ := files.FindFile(w.ctx, w.db, w.sec, f.ID, w.at(20))
			if v.Avis != tt.want || file.CommissionAvis != tt.want || file.State != files.StateExamined {
				t.Fatalf("avis = %s, file %s/%s; want %s, examined", v.Avis, file.State, file.CommissionAvis, tt.want)
			}
		})
	}
}

func TestRule5_RoomCountCheckedAgainstAttendance(t *testing.T) {
	w := newSittingWorld(t, 8, meetings.ModeOnSite)
	w.setRules(t, models.AbstentionsNotCast, true)
	w.present(t, "s1", "s2", "s3", "s4", "s5")
	w.set(t, "doc", meetings.AttProxy, "s2")
	w.open(t)
	v := w.openVote(t, w.policyItem(t, "Rapport d'activité"))
	// The secretariat records s1 by name for the room; the chair votes by name.
	if _, err := sitting.CastBallot(w.ctx, w.db, w.sec, w.c.ID, v.ID, sitting.BallotInput{VoterUserID: w.u["s1"].ID, Choice: sitting.BallotAgainst}, w.at(11)); err != nil {
		t.Fatal(err)
	}
	w.mustBallot(t, v, "pres", sitting.BallotFor, "")
	// Left to count in the room: s2, s2 for the doctor, s3, s4, s5 = 5 voters.
	for _, tt := range []struct {
		room sitting.RoomCount
		ok   bool
	}{{sitting.RoomCount{Yes: 4, No: 1, Abstentions: 1}, false}, {sitting.RoomCount{Yes: 3, No: 1, Abstentions: 1}, true}} {
		got, err := sitting.CloseVote(w.ctx, w.db, w.sec, w.c.ID, v.ID, sitting.CloseVoteInput{Room: &tt.room}, w.at(15))
		if tt.ok != (err == nil) {
			t.Fatalf("room count %+v: error %v, want ok %v", tt.room, err, tt.ok)
		}
		if err != nil {
			if fe, ok := models.AsFieldErrors(err); !ok || !strings.Contains(fe["room"], "(5)") {
				t.Fatalf("room count error = %v, want the number of voters left (5)", err)
			}
			continue
		}
		if got.Yes != 4 || got.No != 2 || got.Abstentions != 1 || got.Outcome != sitting.OutcomeAdopted || !got.RoomCounted {
			t.Fatalf("closed vote = %+v, want 4 for (3 room + chair), 2 against, 1 abstention, adopted", got)
		}
	}
}

func TestRule5_DissentRecorded(t *testing.T) {
	w := newSittingWorld(t, 5, meetings.ModeOnSite)
	w.present(t, "s1", "s2", "s3")
	w.open(t)
	v := w.openVote(t, w.policyItem(t, "Schéma départemental"))
	if _, err := sitting.RecordDissent(w.ctx, w.db, w.kr, w.u["s2"], w.c.ID, v.ID, w.u["s2"].ID, "trop tôt", w.at(12)); err == nil {
		t.Fatal("dissent recorded while the vote is open")
	}
	w.mustBallot(t, v, "s1", sitting.BallotFor, "")
	w.mustBallot(t, v, "s2", sitting.BallotAgainst, "")
	w.mustBallot(t, v, "s3", sitting.BallotFor, "")
	w.closeVote(t, v)
	text := "Je souhaite que mon désaccord figure au procès-verbal : le schéma ne prévoit aucun hébergement dédié."
	if _, err := sitting.RecordDissent(w.ctx, w.db, w.kr, w.u["s2"], w.c.ID, v.ID, w.u["s2"].ID, text, w.at(16)); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.RecordDissent(w.ctx, w.db, w.kr, w.u["s2"], w.c.ID, v.ID, w.u["s2"].ID, "encore", w.at(17)); err == nil {
		t.Fatal("second dissent of the same member accepted")
	}
	if _, err := sitting.RecordDissent(w.ctx, w.db, w.kr, w.u["doc"], w.c.ID, v.ID, w.u["doc"].ID, "absent", w.at(17)); !errors.Is(err, sitting.ErrNotEligible) {
		t.Fatalf("dissent of a member who did not take part: error %v, want ErrNotEligible", err)
	}
	// The secretariat records a dissent said aloud in the room.
	if _, err := sitting.RecordDissent(w.ctx, w.db, w.kr, w.sec, w.c.ID, v.ID, w.u["s3"].ID, "Réserve sur le calendrier.", w.at(18)); err != nil {
		t.Fatal(err)
	}
	ds, err := sitting.ListDissents(w.ctx, w.db, w.kr, w.c.ID, w.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Text != text || ds[0].Name != w.u["s2"].Name || ds[1].UserID != w.u["s3"].ID {
		t.Fatalf("dissents = %+v", ds)
	}
	var sealed string
	if err := w.db.NewSelect().Model((*sitting.Dissent)(nil)).Column("text_sealed").Where("id = ?", ds[0].ID).Scan(w.ctx, &sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "désaccord") {
		t.Fatal("the dissent is stored in clear")
	}
}

func TestBallotChangeUntilCloseWithReceipts(t *testing.T) {
	w := newSittingWorld(t, 5, meetings.ModeOnSite)
	w.present(t, "s1", "s2", "s3")
	w.open(t)
	v := w.openVote(t, w.policyItem(t, "Convention"))
	first := w.mustBallot(t, v, "s1", sitting.BallotFor, "")
	second := w.mustBallot(t, v, "s1", sitting.BallotAgainst, "")
	if first.ID != second.ID || second.Changes != 1 || first.Receipt == second.Receipt || len(second.Receipt) != sitting.ReceiptLength {
		t.Fatalf("change = %+v after %+v: want the same ballot, changed once, a new receipt", second, first)
	}
	w.closeVote(t, v)
	if _, err := w.ballot(v, "s1", sitting.BallotFor, ""); !errors.Is(err, sitting.ErrVoteClosed) {
		t.Fatalf("change after closing: error %v, want ErrVoteClosed", err)
	}
	if _, err := w.ballot(v, "s2", sitting.BallotFor, ""); !errors.Is(err, sitting.ErrVoteClosed) {
		t.Fatalf("ballot after closing: error %v, want ErrVoteClosed", err)
	}
	got, _ := sitting.FindVote(w.ctx, w.db, w.c.ID, v.ID)
	if got.No != 1 || got.Yes != 0 {
		t.Fatalf("count = %d for / %d against, want the changed ballot only", got.Yes, got.No)
	}
	rs, err := sitting.MyReceipts(w.ctx, w.db, w.u["s1"], 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Receipt != second.Receipt || !rs[0].Current || rs[1].Current || rs[1].Choice != sitting.BallotFor {
		t.Fatalf("receipts = %+v", rs)
	}
	for _, r := range []string{first.Receipt, sitting.FormatReceipt(strings.ToUpper(second.Receipt))} {
		c, err := sitting.CheckReceipt(w.ctx, w.db, w.u["s1"], r)
		if err != nil || !c.Linked {
			t.Fatalf("CheckReceipt(%s) = %+v, %v; want linked", r, c, err)
		}
	}
	if _, err := sitting.CheckReceipt(w.ctx, w.db, w.u["s2"], second.Receipt); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another member checks s1's receipt: error %v, want ErrNotFound", err)
	}
	// Tampering with the ballot's audit record is detected.
	if _, err := w.db.NewUpdate().Model((*models.AuditRecord)(nil)).Set("details = REPLACE(details, 'contre', 'pour')").
		Where("hash LIKE ?", second.Receipt+"%").Exec(w.ctx); err != nil {
		t.Fatal(err)
	}
	c, err := sitting.CheckReceipt(w.ctx, w.db, w.u["s1"], second.Receipt)
	if err != nil || c.Linked || c.Reason == "" {
		t.Fatalf("CheckReceipt after tampering = %+v, %v; want not linked, with a reason", c, err)
	}
}

func TestBallotsAuditedInTheirTransaction(t *testing.T) {
	w := newSittingWorld(t, 4, meetings.ModeOnSite)
	w.present(t, "s1", "s2")
	w.open(t)
	v := w.openVote(t, w.policyItem(t, "Point"))
	w.mustBallot(t, v, "s1", sitting.BallotFor, "")
	w.mustBallot(t, v, "s1", sitting.BallotAbstain, "")
	w.closeVote(t, v)
	for action, n := range map[string]int{"vote.open": 1, "vote.ballot": 1, "vote.ballot_change": 1, "vote.close": 1} {
		if got := len(w.auditDetails(t, action)); got != n {
			t.Errorf("audit records %s = %d, want %d", action, got, n)
		}
	}
	rep, err := models.VerifyAuditChain(w.ctx, w.db)
	if err != nil || !rep.OK {
		t.Fatalf("audit chain = %+v, %v", rep, err)
	}
}

// TestConcurrentBallotsAndClosing: 19 members vote on 20 items at once while the chair
// closes half of them. Every acknowledged ballot is stored, none twice, and a closed
// vote's count equals the ballots stored: none was accepted after its closing.
func TestConcurrentBallotsAndClosing(t *testing.T) {
	w := newSittingWorld(t, 19, meetings.ModeOnSite)
	var all []string
	for name, s := range w.seats {
		if s != nil && !strings.HasSuffix(name, "b") {
			all = append(all, name)
		}
	}
	w.present(t, all...)
	w.open(t)
	var votes []*sitting.Vote
	for i := range 20 {
		votes = append(votes, w.openVote(t, w.policyItem(t, fmt.Sprintf("Point %d", i+1))))
	}
	type ack struct {
		vote  int64
		voter string
	}
	var (
		mu      sync.Mutex
		acked   = map[ack]sitting.BallotChoice{}
		refused = map[int64]int{}
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for _, name := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for _, i := range rand.Perm(len(votes)) {
				c := sitting.BallotChoices[rand.IntN(3)]
				_, err := w.ballot(votes[i], name, c, "")
				mu.Lock()
				switch {
				case err == nil:
					acked[ack{votes[i].ID, name}] = c
				case errors.Is(err, sitting.ErrVoteClosed):
					refused[votes[i].ID]++
				default:
					t.Errorf("ballot of %s on vote %d: %v", name, votes[i].ID, err)
				}
				mu.Unlock()
			}
		}()
	}
	closed := map[int64]*sitting.Vote{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		for i := 0; i < len(votes); i += 2 {
			v, err := sitting.CloseVote(w.ctx, w.db, w.pres, w.c.ID, votes[i].ID, sitting.CloseVoteInput{ConfirmMissing: true}, w.at(15))
			mu.Lock()
			if err != nil {
				t.Errorf("close vote %d: %v", votes[i].ID, err)
			} else {
				closed[v.ID] = v
			}
			mu.Unlock()
		}
	}()
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, v := range votes {
		bs, err := sitting.ListBallots(w.ctx, w.db, w.c.ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		stored := map[string]sitting.BallotChoice{}
		for _, b := range bs {
			if seen[b.VoterUserID] {
				t.Errorf("vote %d: two ballots of user %d", v.ID, b.VoterUserID)
			}
			seen[b.VoterUserID] = true
			for name, u := range w.u {
				if u.ID == b.VoterUserID {
					stored[name] = b.Choice
				}
			}
		}
		n := 0
		for a, c := range acked {
			if a.vote != v.ID {
				continue
			}
			n++
			if stored[a.voter] != c {
				t.Errorf("vote %d: acknowledged ballot of %s (%s) stored as %q", v.ID, a.voter, c, stored[a.voter])
			}
		}
		if n != len(bs) {
			t.Errorf("vote %d: %d ballots stored, %d acknowledged", v.ID, len(bs), n)
		}
		if cv := closed[v.ID]; cv != nil {
			if cv.Voters() != len(bs) {
				t.Errorf("vote %d closed with %d votes counted, %d ballots stored: a ballot was accepted after closing", v.ID, cv.Voters(), len(bs))
			}
			if n+refused[v.ID] != len(all) {
				t.Errorf("vote %d: %d acknowledged + %d refused, want %d", v.ID, n, refused[v.ID], len(all))
			}
		} else if refused[v.ID] != 0 || n != len(all) {
			t.Errorf("open vote %d: %d acknowledged, %d refused; want all %d acknowledged", v.ID, n, refused[v.ID], len(all))
		}
	}
	nRefused := 0
	for _, n := range refused {
		nRefused += n
	}
	t.Logf("%d ballots acknowledged, %d refused after closing, %d votes closed", len(acked), nRefused, len(closed))
	rep, err := models.VerifyAuditChain(w.ctx, w.db)
	if err != nil || !rep.OK {
		t.Fatalf("audit chain after the load = %+v, %v", rep, err)
	}
}
