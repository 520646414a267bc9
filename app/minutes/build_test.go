package minutes_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"seance/app/minutes"
	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
	"seance/models/sitting"
)

// The fictitious person concerned by the fixture's file; sealed in the file, never in
// the minutes.
const (
	secretLast  = "Zorglubowska"
	secretFirst = "Ysolde"
)

// sittingFixture is a closed files session: six voting seats, a suppléant sitting, a
// proxy, an excused member, a file decided by the chair's casting vote with a dissent,
// and a policy point.
type sittingFixture struct {
	ctx       context.Context
	db        bun.IDB
	kr        *keyring.Keyring
	c         *models.Commission
	sec, pres *models.User
	m         *meetings.Meeting
	u         map[string]*models.User
	file      *files.File
	start     time.Time
}

func (f *sittingFixture) at(min int) time.Time { return f.start.Add(time.Duration(min) * time.Minute) }

// newSittingFixture builds and closes the sitting in db for commission c, with the
// secretariat sec and the président pres; memberEmail, when set, is the account
// appointed to seat s2.
func newSittingFixture(t *testing.T, db bun.IDB, kr *keyring.Keyring, c *models.Commission, sec, pres *models.User, start time.Time, memberEmail string) *sittingFixture {
	t.Helper()
	f := &sittingFixture{ctx: context.Background(), db: db, kr: kr, c: c, sec: sec, pres: pres, u: map[string]*models.User{}, start: start}
	ctx, term := f.ctx, start.AddDate(0, -10, 0)
	a1 := modelstest.Association(t, db, c, "Association Une", c.Department, start.AddDate(-1, -10, 0))
	assoc := modelstest.User(t, db, c, models.RoleAssociation, a1)
	assocSeat := &registry.Seat{CommissionID: c.ID, Category: registry.CategoryAssociation, Quality: "Directrice", VotingRight: true, AssociationID: &a1.ID, SuppleantPlaces: 1}
	if err := registry.CreateSeat(ctx, db, models.SystemActor("test"), assocSeat, start); err != nil {
		t.Fatal(err)
	}
	seats := map[string]*registry.Seat{"assoc": assocSeat}
	for _, n := range []string{"s1", "s2", "s3", "s4"} {
		seats[n] = modelstest.Seat(t, db, c.ID, registry.CategoryLocalAuthority, "Élu "+n)
	}
	seats["doc"] = modelstest.Seat(t, db, c.ID, registry.CategoryDoctor, "Médecin")
	for _, n := range []string{"assoc", "s1", "s2", "s3", "s4", "doc"} {
		email := fmt.Sprintf("%s-%d@minutes.test", n, c.ID)
		if n == "s2" && memberEmail != "" {
			email = memberEmail
		}
		f.u[n] = modelstest.Appoint(t, db, seats[n], registry.MandateTitulaire, email, term).User
	}
	f.u["s1b"] = modelstest.Appoint(t, db, seats["s1"], registry.MandateSuppleant, fmt.Sprintf("s1b-%d@minutes.test", c.ID), term).User
	m, err := meetings.CreateMeeting(ctx, db, models.SystemActor("test"), c.ID, meetings.MeetingInput{
		Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: start, Place: "Préfecture, salle Capitole", Capacity: 20,
	}, start.AddDate(0, 0, -22))
	if err != nil {
		t.Fatal(err)
	}
	f.m = m
	modelstest.ConveneForTests(t, db, m, start.AddDate(0, 0, -21))
	in := modelstest.CompleteInput(files.KindEngagement, modelstest.Person(secretLast, secretFirst, 1995), 0)
	f.file = modelstest.ScheduledFile(t, db, kr, assoc, sec, m, in, start.AddDate(0, 0, -30))
	fileItem := modelstest.AppendAgendaItemForTests(t, db, m, meetings.ItemFile, f.file.ID, f.file.Reference+" — entrée dans le parcours")
	policy := modelstest.AppendAgendaItemForTests(t, db, m, meetings.ItemPolicy, 0, "Programme départemental d'actions")
	for _, a := range []meetings.AttendanceInput{
		{SeatID: seats["assoc"].ID, Status: meetings.AttPresentOnSite},
		{SeatID: seats["s1"].ID, Status: meetings.AttSubstituted, SubstituteUserID: f.u["s1b"].ID},
		{SeatID: seats["s2"].ID, Status: meetings.AttPresentOnSite},
		{SeatID: seats["s3"].ID, Status: meetings.AttProxy, ProxyHolderUserID: f.u["s2"].ID},
		{SeatID: seats["s4"].ID, Status: meetings.AttPresentRemote},
		{SeatID: seats["doc"].ID, Status: meetings.AttExcused},
	} {
		if _, err := meetings.SetAttendance(ctx, db, models.SystemActor("test"), c.ID, m.ID, a, f.at(-60)); err != nil {
			t.Fatalf("attendance %+v: %v", a, err)
		}
	}
	if _, err := sitting.ConfirmSittingAttendance(ctx, db, models.ActorFor(sec), c.ID, m.ID, f.at(-5)); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.OpenSitting(ctx, db, sec, c.ID, m.ID, pres.ID, f.at(0)); err != nil {
		t.Fatal(err)
	}
	// The file: 2 for (chair, s1b), 2 against (s2 and s2 for s3), s4 abstains (entered
	// by the secretariat for the room); the chair's casting vote decides.
	v, err := sitting.OpenVote(ctx, db, pres, c.ID, fileItem.ID, sitting.VoteInput{ProposedAvis: files.AvisFavorable}, f.at(10))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct {
		who       *models.User
		choice    sitting.BallotChoice
		actingFor string
	}{{pres, sitting.BallotFor, ""}, {f.u["s1b"], sitting.BallotFor, ""}, {f.u["s2"], sitting.BallotAgainst, ""},
		{f.u["s2"], sitting.BallotAgainst, "s3"}, {f.u["s4"], sitting.BallotAbstain, ""}} {
		in, actor := sitting.BallotInput{Choice: b.choice}, b.who
		if b.actingFor != "" {
			in.RepresentedUserID = f.u[b.actingFor].ID
		}
		if b.who == f.u["s4"] {
			in.VoterUserID, actor = b.who.ID, sec
		}
		if _, err := sitting.CastBallot(ctx, db, actor, c.ID, v.ID, in, f.at(12)); err != nil {
			t.Fatalf("ballot of %s: %v", b.who.Name, err)
		}
	}
	if _, err := sitting.CloseVote(ctx, db, pres, c.ID, v.ID, sitting.CloseVoteInput{}, f.at(15)); err != nil {
		t.Fatal(err)
	}
	d := sitting.AvisDetails{Reasoning: "Projet d'insertion solide.", Conditions: "Suivi mensuel.", RecommendedMonths: 6}
	if err := sitting.RecordAvisDetails(ctx, db, kr, pres, c.ID, v.ID, d, f.at(16)); err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.RecordDissent(ctx, db, kr, f.u["s2"], c.ID, v.ID, f.u["s2"].ID, "Je demande que mon désaccord soit consigné.", f.at(17)); err != nil {
		t.Fatal(err)
	}
	pv, err := sitting.OpenVote(ctx, db, pres, c.ID, policy.ID, sitting.VoteInput{}, f.at(20))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sitting.CastBallot(ctx, db, f.u["s2"], c.ID, pv.ID, sitting.BallotInput{Choice: sitting.BallotFor}, f.at(21)); err != nil {
		t.Fatal(err)
	}
	// Only s2 votes on the policy point: the chair closes, confirming that the five
	// others do not take part.
	if _, err := sitting.CloseVote(ctx, db, pres, c.ID, pv.ID, sitting.CloseVoteInput{ConfirmMissing: true}, f.at(22)); err != nil {
		t.Fatal(err)
	}
	if err := sitting.CloseSitting(ctx, db, pres, c.ID, m.ID, f.at(30)); err != nil {
		t.Fatal(err)
	}
	return f
}

// builtFixture builds the fixture's sitting on a new database, starting at start, and
// the minutes made from it 40 minutes later.
func builtFixture(t *testing.T, start time.Time) (*sittingFixture, *minutes.Minutes) {
	t.Helper()
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	c := modelstest.Commission(t, db, "31")
	sec := modelstest.User(t, db, c, models.RoleSecretariat, nil)
	pres := modelstest.User(t, db, c, models.RolePresident, nil)
	f := newSittingFixture(t, db, kr, c, sec, pres, start, "")
	m, err := minutes.BuildMinutes(f.ctx, db, kr, c.ID, f.m.ID, f.at(40))
	if err != nil {
		t.Fatal(err)
	}
	return f, m
}

func TestRule11_BuildMinutesFromTheSitting(t *testing.T) {
	f, m := builtFixture(t, time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	sec, pres := f.sec, f.pres
	if m.Commission.Authority != "Préfet de la Haute-Garonne" || m.Chair.Name != pres.Name || m.Secretary.Name != sec.Name {
		t.Errorf("title = %+v, chair %+v, secretary %+v", m.Commission, m.Chair, m.Secretary)
	}
	if !m.Session.StartsAt.Equal(f.at(0)) || !m.Session.EndsAt.Equal(f.at(30)) || m.Session.ConvenedOn == nil {
		t.Errorf("session = %+v, want opened at %v, closed at %v, convened", m.Session, f.at(0), f.at(30))
	}
	att := map[string]minutes.Attendee{}
	for _, a := range m.Attendance {
		att[a.Name] = a
	}
	name := func(k string) string { return f.u[k].Name }
	for _, tt := range []struct {
		seat   string
		status meetings.AttendanceStatus
		repr   string
	}{
		{"assoc", meetings.AttPresentOnSite, ""},
		{"s1", meetings.AttSubstituted, "Suppléé(e) par " + name("s1b")},
		{"s2", meetings.AttPresentOnSite, "Détient la procuration de " + name("s3")},
		{"s3", meetings.AttProxy, "Procuration donnée à " + name("s2")},
		{"s4", meetings.AttPresentRemote, ""},
		{"doc", meetings.AttExcused, ""},
	} {
		a, ok := att[name(tt.seat)]
		if !ok || a.Status != tt.status || a.Representation() != tt.repr {
			t.Errorf("attendee %s = %+v (%q), want %s, %q", tt.seat, a, a.Representation(), tt.status, tt.repr)
		}
	}
	if len(m.Attendance) != 6 {
		t.Errorf("attendance has %d rows, want 6", len(m.Attendance))
	}
	if want := "Le quorum est atteint : 5 membres présents ou représentés sur 6 (quorum : 3)."; m.Quorum.Statement() != want {
		t.Errorf("quorum = %q, want %q", m.Quorum.Statement(), want)
	}
	if len(m.Items) != 2 {
		t.Fatalf("items = %+v, want 2", m.Items)
	}
	it := m.Items[0]
	if it.Reference != f.file.Reference || it.Kind != files.KindEngagement.Label() || it.Association != "Association Une" || !it.AssociationRecused {
		t.Errorf("file item = %+v", it)
	}
	if it.Tally == nil || *it.Tally != (minutes.Tally{Pour: 2, Contre: 2, Abstention: 1, CastingVote: true, Expected: 5}) {
		t.Errorf("tally = %+v, want 2-2-1 with the casting vote, all 5 voters", it.Tally)
	}
	if it.Avis != files.AvisFavorable.Label() || it.Reasoning != "Projet d'insertion solide." || it.Conditions != "Suivi mensuel." {
		t.Errorf("avis = %q, %q, %q", it.Avis, it.Reasoning, it.Conditions)
	}
	if len(it.Dissents) != 1 || it.Dissents[0].Name != name("s2") || !strings.Contains(it.Dissents[0].Text, "désaccord") {
		t.Errorf("dissents = %+v", it.Dissents)
	}
	if len(it.Ballots) != 5 {
		t.Errorf("ballots = %+v, want 5 named ballots", it.Ballots)
	}
	if p := m.Items[1]; p.Title != "Programme départemental d'actions" || p.Tally == nil || p.Tally.Pour != 1 || p.Reference != "" {
		t.Errorf("policy item = %+v", p)
	}
	// Round trip through the stored JSON, then every output.
	out := writeAll(t, m)
	b, cells, pdf := out.json, out.workbook, out.pdf
	for where, text := range map[string]string{"workbook": cells, "PDF": pdf, "JSON": string(b)} {
		for _, id := range []string{secretLast, secretFirst} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(id)) {
				t.Errorf("the %s shows %q, the identity of the person concerned by the file", where, id)
			}
		}
		if !strings.Contains(text, f.file.Reference) {
			t.Errorf("the %s does not show the file reference %s", where, f.file.Reference)
		}
	}
	if !strings.Contains(cells, "désaccord") {
		t.Error("the workbook does not show the dissent")
	}
}

// outputs are the minutes as stored and as each writer lays them out.
type outputs struct {
	json     []byte
	decoded  *minutes.Minutes // read back from json, as the outputs read it
	workbook string           // every cell of every sheet, normalised
	votes    [][]string       // the rows of the votes sheet
	pdf      string           // the PDF's body text
}

// writeAll encodes m, decodes it back and writes the workbook and the PDF from it.
func writeAll(t *testing.T, m *minutes.Minutes) outputs {
	t.Helper()
	b, err := minutes.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if m, err = minutes.Decode(b); err != nil {
		t.Fatal(err)
	}
	var xb, pb bytes.Buffer
	if err := minutes.WriteXLSX(&xb, m); err != nil {
		t.Fatal(err)
	}
	if err := minutes.WritePDF(&pb, m); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(xb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var cells strings.Builder
	for _, sheet := range wb.GetSheetList() {
		cells.WriteString(sheetText(t, wb, sheet) + " ")
	}
	return outputs{json: b, decoded: m, workbook: cells.String(), votes: rows(t, wb, minutes.SheetVotes), pdf: pdfBody(t, pb.Bytes())}
}

// TestRule11_PresidentOpeningTheSittingIsNotItsSecretary: found by the browser year
// test, a sitting opened by the président made the procès-verbal name them « secrétariat
// de séance » and list them among the attendees without a vote. The secretary is the
// member of the secretariat who opened the sitting; otherwise it is left blank.
func TestRule11_PresidentOpeningTheSittingIsNotItsSecretary(t *testing.T) {
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	c := modelstest.Commission(t, db, "31")
	sec := modelstest.User(t, db, c, models.RoleSecretariat, nil)
	pres := modelstest.User(t, db, c, models.RolePresident, nil)
	f := newSittingFixture(t, db, kr, c, sec, pres, time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC), "")
	if _, err := db.NewUpdate().Model((*sitting.Sitting)(nil)).Set("opened_by = ?", pres.ID).Where("meeting_id = ?", f.m.ID).Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	m, err := minutes.BuildMinutes(f.ctx, db, kr, c.ID, f.m.ID, f.at(40))
	if err != nil {
		t.Fatal(err)
	}
	if m.Chair.Name != pres.Name || m.Secretary.Name != "" {
		t.Errorf("chair %+v, secretary %+v; want the président as chair and no secretary", m.Chair, m.Secretary)
	}
	for _, o := range m.Others {
		if o.Name == pres.Name {
			t.Errorf("the président is listed among the attendees without a vote: %+v", m.Others)
		}
	}
}
