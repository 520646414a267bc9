package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/sitting"
)

// sittingWorld is a commission with n voting seats: "assoc" (held for association a1,
// whose titulaire's account is linked to it), "doc" (a doctor: never a suppléant), and
// s1..s(n-2) (elected members; s1 has a suppléant, s1b). A session on 24/11/2026 at
// 13:00 UTC is convened.
type sittingWorld struct {
	ctx   context.Context
	db    *bun.DB
	kr    *keyring.Keyring
	c     *models.Commission
	a1    *registry.Association
	sec   *models.User
	pres  *models.User
	assoc *models.User // the association's own account
	seats map[string]*registry.Seat
	u     map[string]*models.User
	m     *meetings.Meeting
	start time.Time
}

func newSittingWorld(t *testing.T, n int, mode meetings.MeetingMode) *sittingWorld {
	t.Helper()
	db := modelstest.NewDB(t)
	w := &sittingWorld{ctx: context.Background(), db: db, kr: modelstest.Keyring(t), seats: map[string]*registry.Seat{}, u: map[string]*models.User{},
		start: time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)}
	w.c = modelstest.Commission(t, db, "31")
	w.a1 = modelstest.Association(t, db, w.c, "Association Une", "31", modelstest.Date(2025, 1, 1))
	w.sec = modelstest.User(t, db, w.c, models.RoleSecretariat, nil)
	w.pres = modelstest.User(t, db, w.c, models.RolePresident, nil)
	w.assoc = modelstest.User(t, db, w.c, models.RoleAssociation, w.a1)
	termStart := modelstest.Date(2026, 1, 5)
	appoint := func(name string, s *registry.Seat, kind registry.MandateKind, linked bool) {
		email := name + "@sitting.test"
		if linked {
			u := &models.User{CommissionID: &w.c.ID, AssociationID: &w.a1.ID, Email: email, Name: "Membre " + name, Role: models.RoleMember, Active: true}
			if err := models.CreateUser(w.ctx, db, models.SystemActor("test"), u, modelstest.Epoch()); err != nil {
				t.Fatal(err)
			}
		}
		w.u[name] = modelstest.Appoint(t, db, s, kind, email, termStart).User
	}
	assocSeat := &registry.Seat{CommissionID: w.c.ID, Category: registry.CategoryAssociation, Quality: "Directrice", VotingRight: true, AssociationID: &w.a1.ID, SuppleantPlaces: 1}
	if err := registry.CreateSeat(w.ctx, db, models.SystemActor("test"), assocSeat, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	w.seats["assoc"] = assocSeat
	appoint("assoc", assocSeat, registry.MandateTitulaire, true)
	w.seats["doc"] = modelstest.Seat(t, db, w.c.ID, registry.CategoryDoctor, "Médecin")
	appoint("doc", w.seats["doc"], registry.MandateTitulaire, false)
	for i := 1; i <= n-2; i++ {
		name := fmt.Sprintf("s%d", i)
		w.seats[name] = modelstest.Seat(t, db, w.c.ID, registry.CategoryLocalAuthority, "Élu "+name)
		appoint(name, w.seats[name], registry.MandateTitulaire, false)
	}
	if n > 2 {
		appoint("s1b", w.seats["s1"], registry.MandateSuppleant, false)
	}
	w.m = w.meeting(t, mode, w.start)
	return w
}

// meeting plans and convenes a session starting at start.
func (w *sittingWorld) meeting(t *testing.T, mode meetings.MeetingMode, start time.Time) *meetings.Meeting {
	t.Helper()
	in := meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: mode, StartsAt: start, Place: "Préfecture, salle Capitole", Capacity: 20}
	if mode == meetings.ModeRemote || mode == meetings.ModeHybrid {
		in.RemoteLink = "https://visio.example/seance"
	}
	m, err := meetings.CreateMeeting(w.ctx, w.db, models.SystemActor("test"), w.c.ID, in, start.AddDate(0, 0, -22))
	if err != nil {
		t.Fatal(err)
	}
	modelstest.ConveneForTests(t, w.db, m, start.AddDate(0, 0, -21))
	return m
}

// at is the time min minutes after the session's start.
func (w *sittingWorld) at(min int) time.Time { return w.start.Add(time.Duration(min) * time.Minute) }

// set records seat's reply (status, and the suppléant or proxy holder named other).
func (w *sittingWorld) set(t *testing.T, seat string, status meetings.AttendanceStatus, other string) {
	t.Helper()
	if err := w.setErr(seat, status, other, false); err != nil {
		t.Fatalf("attendance of %s = %s: %v", seat, status, err)
	}
}

func (w *sittingWorld) setErr(seat string, status meetings.AttendanceStatus, other string, confirm bool) error {
	in := meetings.AttendanceInput{SeatID: w.seats[seat].ID, Status: status, Confirm: confirm}
	switch status {
	case meetings.AttSubstituted:
		in.SubstituteUserID = w.u[other].ID
	case meetings.AttProxy:
		in.ProxyHolderUserID = w.u[other].ID
	}
	_, err := meetings.SetAttendance(w.ctx, w.db, models.SystemActor("test"), w.c.ID, w.m.ID, in, w.at(-60))
	return err
}

// present records the seats present on site.
func (w *sittingWorld) present(t *testing.T, seats ...string) {
	t.Helper()
	for _, s := range seats {
		w.set(t, s, meetings.AttPresentOnSite, "")
	}
}

// open confirms the replies and opens the sitting, chaired by the président.
func (w *sittingWorld) open(t *testing.T) {
	t.Helper()
	if _, err := sitting.ConfirmSittingAttendance(w.ctx, w.db, models.ActorFor(w.sec), w.c.ID, w.m.ID, w.at(-5)); err != nil {
		t.Fatalf("confirm attendance: %v", err)
	}
	if _, err := sitting.OpenSitting(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, w.pres.ID, w.at(0)); err != nil {
		t.Fatalf("open sitting: %v", err)
	}
}

// fileItem schedules a new file of association a1 on the session and puts it on the agenda.
func (w *sittingWorld) fileItem(t *testing.T, kind files.FileKind) (*meetings.AgendaItem, *files.File) {
	t.Helper()
	in := modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Exemple", "Ada", 1995), 0)
	in.Kind = kind
	f := modelstest.ScheduledFile(t, w.db, w.kr, w.assoc, w.sec, w.m, in, w.start.AddDate(0, 0, -30))
	return modelstest.AppendAgendaItemForTests(t, w.db, w.m, meetings.ItemFile, f.ID, f.Reference+" — entrée dans le parcours"), f
}

// policyItem puts a policy point on the agenda.
func (w *sittingWorld) policyItem(t *testing.T, title string) *meetings.AgendaItem {
	t.Helper()
	return modelstest.AppendAgendaItemForTests(t, w.db, w.m, meetings.ItemPolicy, 0, title)
}

// openVote opens the vote on item as the président.
func (w *sittingWorld) openVote(t *testing.T, item *meetings.AgendaItem) *sitting.Vote {
	t.Helper()
	v, err := sitting.OpenVote(w.ctx, w.db, w.pres, w.c.ID, item.ID, sitting.VoteInput{}, w.at(10))
	if err != nil {
		t.Fatalf("open vote on %q: %v", item.Title, err)
	}
	return v
}

// ballot casts who's ballot (acting for the titulaire of seat actingFor, "" for themselves).
func (w *sittingWorld) ballot(v *sitting.Vote, who string, choice sitting.BallotChoice, actingFor string) (*sitting.Ballot, error) {
	u := w.u[who]
	if who == "pres" {
		u = w.pres
	}
	in := sitting.BallotInput{Choice: choice}
	if actingFor != "" {
		in.RepresentedUserID = w.u[actingFor].ID
	}
	return sitting.CastBallot(w.ctx, w.db, u, w.c.ID, v.ID, in, w.at(12))
}

func (w *sittingWorld) mustBallot(t *testing.T, v *sitting.Vote, who string, choice sitting.BallotChoice, actingFor string) *sitting.Ballot {
	t.Helper()
	b, err := w.ballot(v, who, choice, actingFor)
	if err != nil {
		t.Fatalf("ballot of %s (%s): %v", who, choice, err)
	}
	return b
}

func (w *sittingWorld) closeVote(t *testing.T, v *sitting.Vote) *sitting.Vote {
	t.Helper()
	got, err := sitting.CloseVote(w.ctx, w.db, w.pres, w.c.ID, v.ID, sitting.CloseVoteInput{ConfirmMissing: true}, w.at(15))
	if err != nil {
		t.Fatalf("close vote: %v", err)
	}
	return got
}

// auditDetails returns the details of the audit records of action, oldest first.
func (w *sittingWorld) auditDetails(t *testing.T, action string) []string {
	t.Helper()
	var ds []string
	if err := w.db.NewSelect().Model((*models.AuditRecord)(nil)).Column("details").Where("action = ?", action).Order("id ASC").Scan(w.ctx, &ds); err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestRule4_QuorumCountsRemoteAndRepresented(t *testing.T) {
	// Six voting seats: the quorum is ceil(6/2) = 3 present or represented (R133-10).
	for _, tt := range []struct {
		name    string
		replies map[string]meetings.AttendanceStatus
		proxies map[string]string // giver → holder
		present int
		repr    int
		met     bool
	}{
		{"two on site: not met", map[string]meetings.AttendanceStatus{"s1": meetings.AttPresentOnSite, "s2": meetings.AttPresentOnSite}, nil, 2, 0, false},
		{"two on site and one remote", map[string]meetings.AttendanceStatus{"s1": meetings.AttPresentOnSite, "s2": meetings.AttPresentOnSite, "s3": meetings.AttPresentRemote}, nil, 3, 0, true},
		{"one on site, one remote, one represented", map[string]meetings.AttendanceStatus{"s2": meetings.AttPresentOnSite, "s3": meetings.AttPresentRemote}, map[string]string{"doc": "s2"}, 2, 1, true},
		{"a suppléant sits", map[string]meetings.AttendanceStatus{"s1": meetings.AttSubstituted, "s2": meetings.AttPresentRemote, "s3": meetings.AttPresentOnSite}, nil, 3, 0, true},
		{"excused and absent do not count", map[string]meetings.AttendanceStatus{"s1": meetings.AttPresentOnSite, "s2": meetings.AttExcused, "s3": meetings.AttAbsent, "s4": meetings.AttPresentRemote}, nil, 2, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newSittingWorld(t, 6, meetings.ModeHybrid)
			for seat, st := range tt.replies {
				other := ""
				if st == meetings.AttSubstituted {
					other = seat + "b"
				}
				w.set(t, seat, st, other)
			}
			for giver, holder := range tt.proxies {
				w.set(t, giver, meetings.AttProxy, holder)
			}
			w.open(t)
			q, err := sitting.MeetingQuorum(w.ctx, w.db, w.c.ID, w.m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if q.Members != 6 || q.Required != 3 || q.Present != tt.present || q.Represented != tt.repr || q.Met() != tt.met {
				t.Fatalf("quorum = %+v (met %v), want 6 members, 3 required, %d present, %d represented, met %v", q, q.Met(), tt.present, tt.repr, tt.met)
			}
		})
	}
}

func TestRule4_QuorumRequiredForNineteenMembers(t *testing.T) {
	s := models.DefaultSettings(1)
	for _, tt := range []struct{ members, want int }{{19, 10}, {18, 9}, {1, 1}, {2, 1}} {
		if got := s.QuorumRequired(tt.members, tt.members); got != tt.want {
			t.Errorf("QuorumRequired(%d) = %d, want ceil(%d/2) = %d", tt.members, got, tt.members, tt.want)
		}
	}
}

func TestRule4_VoteRefusedWithoutQuorum(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeOnSite)
	item := w.policyItem(t, "Bilan annuel")
	w.present(t, "s1", "s2")
	w.open(t)
	if _, err := sitting.OpenVote(w.ctx, w.db, w.pres, w.c.ID, item.ID, sitting.VoteInput{}, w.at(5)); !errors.Is(err, sitting.ErrNoQuorum) {
		t.Fatalf("vote with 2 of 6 present: error %v, want ErrNoQuorum", err)
	}
	// A member arrives: 3 of 6, the vote opens.
	if _, err := sitting.RecordPresence(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, sitting.PresenceInput{SeatID: w.seats["s3"].ID, Kind: sitting.PresenceArrival}, w.at(6)); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.OpenVote(w.ctx, w.db, w.pres, w.c.ID, item.ID, sitting.VoteInput{}, w.at(7)); err != nil {
		t.Fatalf("vote after an arrival (3 of 6): %v", err)
	}
}

func TestRule4_QuorumRecomputedPerItemAfterRecusalsAndDepartures(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeOnSite)
	fileItem, _ := w.fileItem(t, files.KindEngagement)
	policy := w.policyItem(t, "Coordination départementale")
	w.present(t, "assoc", "s1", "s2")
	w.open(t)
	// The association's seat is recused on its file: 2 of 6 count, below the quorum of 3.
	q, err := sitting.ItemQuorum(w.ctx, w.db, w.c.ID, fileItem.ID)
	if err != nil {
		t.Fatal(err)
	}
	if q.Present != 2 || q.Recused != 1 || q.Met() {
		t.Fatalf("file item quorum = %+v, want 2 present, 1 recused, not met", q)
	}
	if _, err := sitting.OpenVote(w.ctx, w.db, w.pres, w.c.ID, fileItem.ID, sitting.VoteInput{}, w.at(5)); !errors.Is(err, sitting.ErrNoQuorum) {
		t.Fatalf("vote on the file: error %v, want ErrNoQuorum", err)
	}
	// The policy item counts every seat present.
	if q, _ := sitting.ItemQuorum(w.ctx, w.db, w.c.ID, policy.ID); !q.Met() || q.Present != 3 {
		t.Fatalf("policy item quorum = %+v, want 3 present, met", q)
	}
	// A departure: the policy item loses its quorum too.
	if _, err := sitting.RecordPresence(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, sitting.PresenceInput{SeatID: w.seats["s2"].ID, Kind: sitting.PresenceDeparture}, w.at(8)); err != nil {
		t.Fatal(err)
	}
	if q, _ := sitting.ItemQuorum(w.ctx, w.db, w.c.ID, policy.ID); q.Met() || q.Present != 2 {
		t.Fatalf("policy item quorum after a departure = %+v, want 2 present, not met", q)
	}
}

func TestRule4_SecondConvocationNoQuorum(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeOnSite)
	fileItem, f := w.fileItem(t, files.KindEngagement)
	policy := w.policyItem(t, "Bilan annuel")
	w.present(t, "s1")
	w.open(t)
	next := w.start.AddDate(0, 0, 14)
	in := meetings.MeetingInput{Mode: meetings.ModeOnSite, StartsAt: next, Place: "Préfecture, salle Capitole", Capacity: 20}
	second, err := sitting.CloseSittingWithoutQuorum(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, in, w.at(20))
	if err != nil {
		t.Fatalf("close without quorum: %v", err)
	}
	if second.FirstConvocationID == nil || *second.FirstConvocationID != w.m.ID || !second.NoQuorumRequired || second.Status != meetings.MeetingPlanned || second.Kind != w.m.Kind {
		t.Fatalf("second convocation = %+v, want planned, linked to %d, no quorum required", second, w.m.ID)
	}
	first, _ := meetings.FindMeeting(w.ctx, w.db, w.c.ID, w.m.ID)
	s, _ := sitting.FindSitting(w.ctx, w.db, w.c.ID, w.m.ID)
	if first.Status != meetings.MeetingClosed || !s.QuorumFailed || s.SecondConvocationID == nil || *s.SecondConvocationID != second.ID {
		t.Fatalf("first session %s, sitting %+v: want closed for lack of quorum, pointing to %d", first.Status, s, second.ID)
	}
	items, err := meetings.ListAgenda(w.ctx, w.db, w.c.ID, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Title != fileItem.Title || items[1].Title != policy.Title || items[0].FileID == nil || *items[0].FileID != f.ID {
		t.Fatalf("second agenda = %+v, want the same two items in order", items)
	}
	moved, _, _ := files.FindFile(w.ctx, w.db, w.sec, f.ID, w.at(21))
	if moved.State != files.StateScheduled || moved.SessionID == nil || *moved.SessionID != second.ID {
		t.Fatalf("file after the failed quorum: state %s session %v, want scheduled on %d", moved.State, moved.SessionID, second.ID)
	}
	// A second attempt on a closed session is refused.
	if _, err := sitting.CloseSittingWithoutQuorum(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, in, w.at(22)); !errors.Is(err, sitting.ErrSittingNotOpen) {
		t.Fatalf("closing twice: error %v, want ErrSittingNotOpen", err)
	}

	// The second convocation deliberates with a single member present.
	modelstest.ConveneForTests(t, w.db, second, next.AddDate(0, 0, -7))
	w.m, w.start = second, next
	w.present(t, "s2")
	w.open(t)
	q, _ := sitting.MeetingQuorum(w.ctx, w.db, w.c.ID, second.ID)
	if !q.NotRequired || !q.Met() || q.Count() != 1 {
		t.Fatalf("second convocation quorum = %+v, want met without requirement", q)
	}
	v := w.openVote(t, &items[1])
	w.mustBallot(t, v, "s2", sitting.BallotFor, "")
	if got := w.closeVote(t, v); got.Outcome != sitting.OutcomeAdopted || !got.NoQuorumRequired {
		t.Fatalf("vote at the second convocation = %+v, want adopted without quorum", got)
	}
	if _, err := sitting.CloseSittingWithoutQuorum(w.ctx, w.db, w.pres, w.c.ID, second.ID, in, w.at(30)); !errors.Is(err, sitting.ErrQuorumNotNeeded) {
		t.Fatalf("failing the quorum of a second convocation: error %v, want ErrQuorumNotNeeded", err)
	}
}

func TestRule4_NoSecondConvocationWhenQuorumMet(t *testing.T) {
	w := newSittingWorld(t, 4, meetings.ModeOnSite)
	w.present(t, "s1", "s2")
	w.open(t)
	in := meetings.MeetingInput{Mode: meetings.ModeOnSite, StartsAt: w.start.AddDate(0, 0, 14), Place: "Salle"}
	if _, err := sitting.CloseSittingWithoutQuorum(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, in, w.at(20)); !errors.Is(err, sitting.ErrQuorumReached) {
		t.Fatalf("error %v, want ErrQuorumReached", err)
	}
}

func TestRule2_OpeningRequiresConfirmedAttendance(t *testing.T) {
	w := newSittingWorld(t, 4, meetings.ModeOnSite)
	w.present(t, "s1", "s2")
	if _, err := sitting.OpenSitting(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, w.pres.ID, w.at(0)); !errors.Is(err, sitting.ErrAttendanceToConfirm) {
		t.Fatalf("open before confirming: error %v, want ErrAttendanceToConfirm", err)
	}
	n, err := sitting.ConfirmSittingAttendance(w.ctx, w.db, models.ActorFor(w.sec), w.c.ID, w.m.ID, w.at(-5))
	if err != nil || n != 4 {
		t.Fatalf("confirm = %d, %v; want 4 seats confirmed", n, err)
	}
	as, _ := meetings.ListAttendance(w.ctx, w.db, w.c.ID, w.m.ID)
	for _, a := range as {
		if a.ConfirmedAt == nil {
			t.Errorf("seat %d not confirmed", a.SeatID)
		}
		if a.SeatID == w.seats["doc"].ID && a.Status != meetings.AttAbsent {
			t.Errorf("seat without reply confirmed as %s, want absent", a.Status)
		}
	}
	if _, err := sitting.OpenSitting(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, w.sec.ID, w.at(0)); !errors.Is(err, sitting.ErrNotChair) {
		t.Fatalf("secretariat as chair: error %v, want ErrNotChair", err)
	}
	if _, err := sitting.OpenSitting(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, w.pres.ID, w.start.AddDate(0, 0, -1)); !errors.Is(err, sitting.ErrSittingNotConvened) {
		t.Fatalf("open the day before: error %v, want ErrSittingNotConvened", err)
	}
	if _, err := sitting.OpenSitting(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, w.pres.ID, w.at(0)); err != nil {
		t.Fatal(err)
	}
}

func TestRule2_ArrivalOnlyTitulaireOrOwnSuppleant(t *testing.T) {
	w := newSittingWorld(t, 5, meetings.ModeOnSite)
	w.present(t, "s2", "s3")
	w.open(t)
	arrive := func(seat string, who string) error {
		in := sitting.PresenceInput{SeatID: w.seats[seat].ID, Kind: sitting.PresenceArrival}
		if who != "" {
			in.UserID = w.u[who].ID
		}
		_, err := sitting.RecordPresence(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, in, w.at(3))
		return err
	}
	if err := arrive("doc", "s1b"); !errors.Is(err, meetings.ErrNotOwnSuppleant) {
		t.Fatalf("s1's suppléant arriving for the doctor: error %v, want ErrNotOwnSuppleant", err)
	}
	if err := arrive("s1", "s1b"); err != nil {
		t.Fatalf("s1's own suppléant arrives: %v", err)
	}
	if err := arrive("s1", ""); !errors.Is(err, sitting.ErrPresenceInvalid) {
		t.Fatalf("arrival on a seat already sitting: error %v, want ErrPresenceInvalid", err)
	}
	p, err := sitting.SittingPresence(w.ctx, w.db, w.c.ID, w.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range p.Seats {
		if sp.Seat.ID == w.seats["s1"].ID && (sp.SitterID != w.u["s1b"].ID || sp.Label() != "Suppléé(e)") {
			t.Fatalf("s1 presence = sitter %d (%s), want the suppléant", sp.SitterID, sp.Label())
		}
	}
}

func TestRule2_ProxyLapsesWhenHolderLeaves(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeOnSite)
	item := w.policyItem(t, "Orientation")
	w.present(t, "s2", "s3", "s4")
	w.set(t, "doc", meetings.AttProxy, "s2")
	w.open(t)
	if q, _ := sitting.MeetingQuorum(w.ctx, w.db, w.c.ID, w.m.ID); q.Represented != 1 || q.Count() != 4 {
		t.Fatalf("quorum = %+v, want 3 present and 1 represented", q)
	}
	if _, err := sitting.RecordPresence(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, sitting.PresenceInput{SeatID: w.seats["s2"].ID, Kind: sitting.PresenceDeparture}, w.at(4)); err != nil {
		t.Fatal(err)
	}
	q, _ := sitting.MeetingQuorum(w.ctx, w.db, w.c.ID, w.m.ID)
	if q.Present != 2 || q.Represented != 0 {
		t.Fatalf("after the holder left: quorum %+v, want 2 present, nobody represented", q)
	}
	// The doctor arrives in person: the proxy no longer counts, the doctor votes.
	if _, err := sitting.RecordPresence(w.ctx, w.db, w.sec, w.c.ID, w.m.ID, sitting.PresenceInput{SeatID: w.seats["doc"].ID, Kind: sitting.PresenceArrival, Remote: true}, w.at(5)); err != nil {
		t.Fatal(err)
	}
	v := w.openVote(t, item)
	if _, err := w.ballot(v, "doc", sitting.BallotFor, ""); err != nil {
		t.Fatalf("doctor arrived remotely votes: %v", err)
	}
	if _, err := w.ballot(v, "s2", sitting.BallotFor, ""); !errors.Is(err, sitting.ErrNotEligible) {
		t.Fatalf("member who left votes: error %v, want ErrNotEligible", err)
	}
}

func TestRule2_ProxyHolderVotesForThemselvesAndActingFor(t *testing.T) {
	w := newSittingWorld(t, 5, meetings.ModeOnSite)
	item := w.policyItem(t, "Plan départemental")
	w.present(t, "s2", "s3")
	w.set(t, "doc", meetings.AttProxy, "s2")
	w.open(t)
	v := w.openVote(t, item)
	if v.Eligible != 4 { // s2, s3, s2 acting for doc, the chair
		t.Fatalf("eligible = %d, want 4", v.Eligible)
	}
	own := w.mustBallot(t, v, "s2", sitting.BallotFor, "")
	acting := w.mustBallot(t, v, "s2", sitting.BallotAgainst, "doc")
	if own.RepresentedUserID != nil || acting.RepresentedUserID == nil || *acting.RepresentedUserID != w.u["doc"].ID || *acting.SeatID != w.seats["doc"].ID {
		t.Fatalf("ballots = %+v / %+v, want one for themselves and one acting for the doctor", own, acting)
	}
	if _, err := w.ballot(v, "s3", sitting.BallotFor, "doc"); !errors.Is(err, sitting.ErrNotEligible) {
		t.Fatalf("a member without the proxy acting for the doctor: error %v, want ErrNotEligible", err)
	}
	tally, err := sitting.VoteTally(w.ctx, w.db, w.c.ID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tally.Voted != 2 || tally.Pending != 2 || tally.Yes != 1 || tally.No != 1 {
		t.Fatalf("tally = voted %d pending %d yes %d no %d, want 2/2/1/1", tally.Voted, tally.Pending, tally.Yes, tally.No)
	}
	var waiting []string
	for _, l := range tally.Waiting() {
		waiting = append(waiting, l.VoterName)
	}
	if len(waiting) != 2 || !strings.Contains(strings.Join(waiting, ","), w.u["s3"].Name) || !strings.Contains(strings.Join(waiting, ","), w.pres.Name) {
		t.Fatalf("waiting = %v, want s3 and the chair", waiting)
	}
}

func TestRule6_RecusedCannotVoteOrOpen(t *testing.T) {
	w := newSittingWorld(t, 6, meetings.ModeOnSite)
	item, f := w.fileItem(t, files.KindEngagement)
	w.present(t, "assoc", "s1", "s2", "s3", "s4")
	// s4 declares an interest before the item (R133-12).
	if err := files.DeclareInterest(w.ctx, w.db, models.ActorFor(w.u["s4"]), w.c.ID, f.ID, w.u["s4"].ID, "Connaît la personne", w.at(-30)); err != nil {
		t.Fatal(err)
	}
	// Every member is granted the file, as the convocation does.
	for _, name := range []string{"assoc", "s1", "s4"} {
		g := &files.FileAccessGrant{CommissionID: w.c.ID, FileID: f.ID, UserID: w.u[name].ID, ValidFrom: w.start.AddDate(0, 0, -8), ValidUntil: w.start.AddDate(0, 1, 0), Reason: "Convocation"}
		if err := files.GrantFileAccess(w.ctx, w.db, models.SystemActor("test"), g, modelstest.Epoch()); err != nil {
			t.Fatal(err)
		}
	}
	w.open(t)
	recusals, err := sitting.ItemRecusals(w.ctx, w.db, w.c.ID, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, r := range recusals {
		got[r.UserID] = r.Association
	}
	if len(recusals) != 2 || !got[w.u["assoc"].ID] || got[w.u["s4"].ID] {
		t.Fatalf("recusals = %+v, want the association's member (association) and s4 (interest)", recusals)
	}
	v := w.openVote(t, item)
	for _, tt := range []struct {
		who  string
		want error
	}{{"assoc", sitting.ErrRecusedVoter}, {"s4", sitting.ErrRecusedVoter}, {"s1", nil}} {
		if _, err := w.ballot(v, tt.who, sitting.BallotFor, ""); !errors.Is(err, tt.want) {
			t.Errorf("ballot of %s: error %v, want %v", tt.who, err, tt.want)
		}
		_, err := files.FileAccess(w.ctx, w.db, w.u[tt.who], f.ID, w.at(12))
		if wantOpen := tt.want == nil; (err == nil) != wantOpen {
			t.Errorf("FileAccess(%s) error = %v, want open %v", tt.who, err, wantOpen)
		}
	}
	// The log shows both: the opening of the vote names the two recused members and why.
	opens := w.auditDetails(t, "vote.open")
	if len(opens) != 1 || !strings.Contains(opens[0], fmt.Sprintf(`"reason":"association","seat_id":%d,"user_id":%d`, w.seats["assoc"].ID, w.u["assoc"].ID)) ||
		!strings.Contains(opens[0], fmt.Sprintf(`"reason":"interest","seat_id":%d,"user_id":%d`, w.seats["s4"].ID, w.u["s4"].ID)) {
		t.Fatalf("vote.open audit = %v, want both recusals", opens)
	}
	tally, _ := sitting.VoteTally(w.ctx, w.db, w.c.ID, v.ID)
	if len(tally.Recusals) != 2 || tally.Vote.Recused != 2 {
		t.Fatalf("tally recusals = %+v (seats recused %d), want both listed, two seats left out", tally.Recusals, tally.Vote.Recused)
	}
}

func TestSittingClosesOnlyWithVotesClosedAndAvisReasoned(t *testing.T) {
	w := newSittingWorld(t, 4, meetings.ModeOnSite)
	item, f := w.fileItem(t, files.KindEngagement)
	w.present(t, "s1", "s2")
	w.open(t)
	v := w.openVote(t, item)
	w.mustBallot(t, v, "s1", sitting.BallotFor, "")
	if err := sitting.CloseSitting(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, w.at(14)); !errors.Is(err, sitting.ErrVotesStillOpen) {
		t.Fatalf("close with a vote open: error %v, want ErrVotesStillOpen", err)
	}
	v = w.closeVote(t, v)
	if err := sitting.CloseSitting(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, w.at(16)); err == nil || !strings.Contains(err.Error(), "Motivez") {
		t.Fatalf("close before the avis is reasoned: error %v, want a request to reason it", err)
	}
	d := sitting.AvisDetails{Reasoning: "Projet d'insertion solide.", Conditions: "Suivi mensuel.", RecommendedMonths: 6}
	if err := sitting.RecordAvisDetails(w.ctx, w.db, w.kr, w.pres, w.c.ID, v.ID, d, w.at(17)); err != nil {
		t.Fatal(err)
	}
	if err := sitting.CloseSitting(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, w.at(18)); err != nil {
		t.Fatal(err)
	}
	got, _ := sitting.FindVote(w.ctx, w.db, w.c.ID, v.ID)
	reasoning, conditions, err := got.AvisTexts(w.kr)
	if err != nil || reasoning != d.Reasoning || conditions != d.Conditions || got.RecommendedMonths != 6 {
		t.Fatalf("avis texts = %q, %q, %v (months %d)", reasoning, conditions, err, got.RecommendedMonths)
	}
	file, _, _ := files.FindFile(w.ctx, w.db, w.sec, f.ID, w.at(20))
	if file.State != files.StateExamined || file.CommissionAvis != files.AvisFavorable {
		t.Fatalf("file = %s / %s, want examined, favorable", file.State, file.CommissionAvis)
	}
	if !strings.Contains(strings.Join(w.auditDetails(t, "vote.avis"), ""), "reasoning_sha256") {
		t.Fatal("the avis reasoning is not in the audit chain")
	}
}
