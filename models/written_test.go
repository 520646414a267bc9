package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/sitting"
)

// hours is the time h hours after the written session's start.
func (w *sittingWorld) hours(h int) time.Time { return w.start.Add(time.Duration(h) * time.Hour) }

// announce announces the written deliberation of item ten days ahead: debate from the
// start, closing no earlier than 48 hours later, then 24 hours of vote.
func (w *sittingWorld) announce(t *testing.T, item *meetings.AgendaItem) *sitting.WrittenDeliberation {
	t.Helper()
	d, err := sitting.AnnounceDeliberation(w.ctx, w.db, w.pres, w.c.ID, item.ID, sitting.DeliberationInput{
		StartsAt: w.start, Deadline: w.hours(48), VotingHours: 24, MeansChecked: true,
	}, w.start.AddDate(0, 0, -10))
	if err != nil {
		t.Fatalf("announce: %v", err)
	}
	return d
}

// openWritten opens the written session and the debate of d.
func (w *sittingWorld) openWritten(t *testing.T, d *sitting.WrittenDeliberation) {
	t.Helper()
	if _, err := sitting.OpenSitting(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, w.pres.ID, w.at(0)); err != nil {
		t.Fatalf("open written session: %v", err)
	}
	if _, err := sitting.OpenDeliberation(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, "Merci de vos contributions.", w.at(1)); err != nil {
		t.Fatalf("open deliberation: %v", err)
	}
}

func (w *sittingWorld) contribute(t *testing.T, d *sitting.WrittenDeliberation, who string, replyTo int64, body string, at time.Time) *sitting.Contribution {
	t.Helper()
	c, err := sitting.PostContribution(w.ctx, w.db, w.kr, w.u[who], w.c.ID, d.ID, replyTo, body, at)
	if err != nil {
		t.Fatalf("contribution of %s: %v", who, err)
	}
	return c
}

func TestRule12_WrittenDeliberation_EarlyCloseRefused(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeWritten)
	d := w.announce(t, w.policyItem(t, "Programme d'actions"))
	if _, err := sitting.OpenDeliberation(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, "", w.start.Add(-time.Hour)); !errors.Is(err, sitting.ErrDebateNotStarted) {
		t.Fatalf("opening before the announced start: error %v, want ErrDebateNotStarted", err)
	}
	w.openWritten(t, d)
	in := meetings.MeetingInput{Mode: meetings.ModeWritten, StartsAt: w.start.AddDate(0, 0, 14)}
	if _, err := sitting.CloseSittingWithoutQuorum(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, in, w.hours(1)); !errors.Is(err, sitting.ErrWrittenNoQuorum) {
		t.Fatalf("second convocation of a written session: error %v, want ErrWrittenNoQuorum", err)
	}
	for _, at := range []time.Time{w.hours(2), w.hours(48).Add(-time.Second)} {
		if _, err := sitting.CloseDebate(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, at); !errors.Is(err, sitting.ErrDebateTooEarly) {
			t.Fatalf("closing the debate at %s: error %v, want ErrDebateTooEarly", at, err)
		}
	}
	v, err := sitting.CloseDebate(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, w.hours(48))
	if err != nil {
		t.Fatalf("closing at the deadline: %v", err)
	}
	if !v.Written || v.ClosesAt == nil || !v.ClosesAt.Equal(w.hours(72)) {
		t.Fatalf("vote = %+v, want a written vote closing 24 hours later", v)
	}
	if _, err := sitting.PostContribution(w.ctx, w.db, w.kr, w.u["s1"], w.c.ID, d.ID, 0, "trop tard", w.hours(49)); !errors.Is(err, sitting.ErrDebateNotOpen) {
		t.Fatalf("contribution after the debate closed: error %v, want ErrDebateNotOpen", err)
	}
	if _, err := sitting.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, sitting.CloseVoteInput{}, w.hours(60)); !errors.Is(err, sitting.ErrVoteStillOpen) {
		t.Fatalf("closing the vote inside its window: error %v, want ErrVoteStillOpen", err)
	}
	if _, err := sitting.CastBallot(w.ctx, w.db, w.u["s1"], w.c.ID, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, w.hours(72)); !errors.Is(err, sitting.ErrVoteClosed) {
		t.Fatalf("ballot at the end of the window: error %v, want ErrVoteClosed", err)
	}
}

func TestRule12_WrittenDeliberation_Extension(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeWritten)
	d := w.announce(t, w.policyItem(t, "Programme d'actions"))
	w.openWritten(t, d)
	if _, err := sitting.ExtendDeliberation(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, w.hours(24), w.hours(3)); err == nil {
		t.Fatal("an earlier deadline accepted as an extension")
	}
	if _, err := sitting.ExtendDeliberation(w.ctx, w.db, w.kr, w.u["s1"], w.c.ID, d.ID, w.hours(96), w.hours(3)); !errors.Is(err, sitting.ErrNotChair) {
		t.Fatalf("a member extends: error %v, want ErrNotChair", err)
	}
	d, err := sitting.ExtendDeliberation(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, w.hours(96), w.hours(3))
	if err != nil {
		t.Fatal(err)
	}
	if d.Extensions != 1 || !d.Deadline.Equal(w.hours(96)) {
		t.Fatalf("deliberation = %+v, want deadline moved to +96h", d)
	}
	if _, err := sitting.CloseDebate(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, w.hours(48)); !errors.Is(err, sitting.ErrDebateTooEarly) {
		t.Fatalf("closing at the old deadline: error %v, want ErrDebateTooEarly", err)
	}
	w.contribute(t, d, "s2", 0, "Une contribution pendant la prolongation.", w.hours(50))
	if _, err := sitting.CloseDebate(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, w.hours(96)); err != nil {
		t.Fatalf("closing at the new deadline: %v", err)
	}
	cs, err := sitting.ListContributions(w.ctx, w.db, w.kr, w.u["s3"], w.c.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range cs {
		kinds = append(kinds, string(c.Kind))
	}
	if strings.Join(kinds, ",") != "opening,extension,message,closing" || !strings.Contains(cs[1].Body, "prolonge") || !strings.Contains(cs[0].Body, "au plus tôt") {
		t.Fatalf("thread = %v / %+v, want opening (recalling the deadline), extension, message, closing", kinds, cs)
	}
}

func TestRule12_WrittenDeliberation_UnderHalfNotValid(t *testing.T) {
	// Six members: at least three must take part (a ballot or a contribution).
	for _, tt := range []struct {
		name      string
		voters    []string
		writers   []string
		want      sitting.VoteOutcome
		takenPart int
	}{
		{"two voters", []string{"s1", "s2"}, nil, sitting.OutcomeNotValid, 2},
		{"two voters and a writer", []string{"s1", "s2"}, []string{"s3"}, sitting.OutcomeAdopted, 3},
		{"three voters, a suppléant for one seat", []string{"s1b", "s2", "s3"}, []string{"s1"}, sitting.OutcomeAdopted, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newSittingWorld(t, 6, meetings.ModeWritten)
			w.setRules(t, models.AbstentionsNotCast, true)
			d := w.announce(t, w.policyItem(t, "Programme d'actions"))
			w.openWritten(t, d)
			for _, who := range tt.writers {
				w.contribute(t, d, who, 0, "Avis de "+who, w.hours(5))
			}
			v, err := sitting.CloseDebate(w.ctx, w.db, w.kr, w.pres, w.c.ID, d.ID, w.hours(48))
			if err != nil {
				t.Fatal(err)
			}
			for _, who := range tt.voters {
				if _, err := sitting.CastBallot(w.ctx, w.db, w.u[who], w.c.ID, v.ID, sitting.BallotInput{Choice: sitting.BallotFor}, w.hours(50)); err != nil {
					t.Fatalf("ballot of %s: %v", who, err)
				}
			}
			if tt.voters[0] == "s1b" {
				// The titulaire of a seat whose suppléant voted cannot vote again.
				_, err := sitting.CastBallot(w.ctx, w.db, w.u["s1"], w.c.ID, v.ID, sitting.BallotInput{Choice: sitting.BallotAgainst}, w.hours(51))
				if !errors.Is(err, sitting.ErrSeatVoted) {
					t.Fatalf("second ballot for seat s1: error %v, want ErrSeatVoted", err)
				}
			}
			got, err := sitting.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, sitting.CloseVoteInput{}, w.hours(72))
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcome != tt.want || got.Participants != tt.takenPart || got.Members != 6 {
				t.Fatalf("result = %s, %d of %d took part; want %s, %d", got.Outcome, got.Participants, got.Members, tt.want, tt.takenPart)
			}
			dd, _ := sitting.FindDeliberation(w.ctx, w.db, w.c.ID, d.ID)
			if dd.Status != sitting.DeliberationClosed {
				t.Fatalf("deliberation status = %s, want closed", dd.Status)
			}
		})
	}
}

func TestRule12_WrittenDeliberation_BreachRefused(t *testing.T) {
	for _, tt := range []struct {
		name      string
		kind      files.FileKind
		endReason files.EndReason
		refused   bool
	}{
		{"end for breach of commitments", files.KindEnd, files.EndBreach, true},
		{"suspension", files.KindSuspension, "", true},
		{"end at the person's request", files.KindEnd, files.EndLeft, false},
		{"entry", files.KindEngagement, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newSittingWorld(t, 4, meetings.ModeWritten)
			item, f := w.fileItem(t, files.KindEngagement)
			// The request's kind, as a request on an existing parcours would have it.
			if _, err := w.db.NewUpdate().Model((*files.File)(nil)).Set("kind = ?", tt.kind).Set("end_reason = ?", tt.endReason).Where("id = ?", f.ID).Exec(w.ctx); err != nil {
				t.Fatal(err)
			}
			_, err := sitting.AnnounceDeliberation(w.ctx, w.db, w.pres, w.c.ID, item.ID, sitting.DeliberationInput{
				StartsAt: w.start, Deadline: w.hours(48), VotingHours: 24, MeansChecked: true,
			}, w.start.AddDate(0, 0, -10))
			if tt.refused != errors.Is(err, sitting.ErrWrittenSanction) || (!tt.refused && err != nil) {
				t.Fatalf("announce: error %v, want refused %v", err, tt.refused)
			}
		})
	}
}

func TestRule12_WrittenDeliberation_AnnouncementRules(t *testing.T) {
	w := newSittingWorld(t, 4, meetings.ModeWritten)
	item := w.policyItem(t, "Programme")
	for _, tt := range []struct {
		name  string
		in    sitting.DeliberationInput
		field string
	}{
		{"notice shorter than 5 days", sitting.DeliberationInput{StartsAt: w.start, Deadline: w.hours(48), VotingHours: 24, MeansChecked: true}, "starts_at"},
		{"deadline before start", sitting.DeliberationInput{StartsAt: w.start, Deadline: w.hours(-1), VotingHours: 24, MeansChecked: true}, "deadline"},
		{"means not checked", sitting.DeliberationInput{StartsAt: w.start, Deadline: w.hours(48), VotingHours: 24}, "means_checked"},
		{"no voting window", sitting.DeliberationInput{StartsAt: w.start, Deadline: w.hours(48), MeansChecked: true}, "voting_hours"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now := w.start.AddDate(0, 0, -10)
			if tt.field == "starts_at" {
				now = w.start.AddDate(0, 0, -3)
			}
			_, err := sitting.AnnounceDeliberation(w.ctx, w.db, w.pres, w.c.ID, item.ID, tt.in, now)
			if fe, ok := models.AsFieldErrors(err); !ok || fe[tt.field] == "" {
				t.Fatalf("error %v, want a message for %s", err, tt.field)
			}
		})
	}
	room := newSittingWorld(t, 4, meetings.ModeOnSite)
	if _, err := sitting.AnnounceDeliberation(room.ctx, room.db, room.pres, room.c.ID, room.policyItem(t, "x").ID, sitting.DeliberationInput{
		StartsAt: room.start, Deadline: room.hours(48), VotingHours: 24, MeansChecked: true,
	}, room.start.AddDate(0, 0, -10)); !errors.Is(err, sitting.ErrNotWritten) {
		t.Fatalf("written deliberation in an on-site session: error %v, want ErrNotWritten", err)
	}
}

func TestRule12_WrittenDeliberation_EveryMemberSeesAndAnswers(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeWritten)
	item, _ := w.fileItem(t, files.KindEngagement)
	d := w.announce(t, item)
	w.openWritten(t, d)
	first := w.contribute(t, d, "s1", 0, "Le projet d'hébergement est-il confirmé ?", w.hours(3))
	w.contribute(t, d, "s2", first.ID, "Oui, une place en CHRS est réservée.", w.hours(4))
	for _, who := range []string{"s3", "doc", "s1b"} {
		cs, err := sitting.ListContributions(w.ctx, w.db, w.kr, w.u[who], w.c.ID, d.ID)
		if err != nil {
			t.Fatalf("%s reads the thread: %v", who, err)
		}
		if len(cs) != 3 || cs[2].ReplyToID != first.ID || cs[2].Name != w.u["s2"].Name {
			t.Fatalf("thread seen by %s = %+v", who, cs)
		}
	}
	// The association's member neither reads nor writes on its own file.
	if _, err := sitting.ListContributions(w.ctx, w.db, w.kr, w.u["assoc"], w.c.ID, d.ID); !errors.Is(err, sitting.ErrNotParticipant) {
		t.Fatalf("recused member reads: error %v, want ErrNotParticipant", err)
	}
	if _, err := sitting.PostContribution(w.ctx, w.db, w.kr, w.u["assoc"], w.c.ID, d.ID, 0, "x", w.hours(5)); !errors.Is(err, sitting.ErrNotParticipant) {
		t.Fatalf("recused member writes: error %v, want ErrNotParticipant", err)
	}
	rcpt, err := sitting.DeliberationRecipients(w.ctx, w.db, w.c.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(rcpt, ",")
	if strings.Contains(joined, w.u["assoc"].Email) || !strings.Contains(joined, w.u["s1b"].Email) || !strings.Contains(joined, w.pres.Email) {
		t.Fatalf("recipients = %v, want the suppléants and the président, not the recused member", rcpt)
	}
	var sealed []string
	if err := w.db.NewSelect().Model((*sitting.Contribution)(nil)).Column("body_sealed").Scan(w.ctx, &sealed); err != nil {
		t.Fatal(err)
	}
	for _, s := range sealed {
		if strings.Contains(s, "CHRS") {
			t.Fatal("a contribution is stored in clear")
		}
	}
}
