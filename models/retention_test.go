package models_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/retention"
	"seance/models/sitting"
	"seance/models/stats"
)

// retentionWorld holds the files of TestRule15: a refused entry with an appeal (D, the
// secret person), an authorised entry whose parcours ended (A), an open parcours (B) and
// a pending request (P).
type retentionWorld struct {
	*world
	d, a, b, p *files.File
}

func newRetentionWorld(t *testing.T, w *world) *retentionWorld {
	t.Helper()
	rw := &retentionWorld{world: w}
	day0 := date(2026, 3, 2)
	// D: incomplete first (the missing items name the person, in clear), with an identity
	// document, refused, then an appeal whose note names the person.
	rw.d = w.create(t, modelstest.CompleteInput(files.KindEngagement, secretPerson(), 0), day0)
	if _, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], rw.d.ID, files.AttachmentIdentity, "CNI_Zephyrinoux.pdf", pdfBytes("CONTENU-PIECE-SECRETE"), day0); err != nil {
		t.Fatal(err)
	}
	w.move(t, "association", rw.d.ID, files.StateSubmitted, files.TransitionInput{}, day0)
	w.move(t, "secretariat", rw.d.ID, files.StateIncomplete, files.TransitionInput{MissingItems: []string{"Attestation d'hébergement de Mme Zéphyrinoux"}}, day0)
	w.driveTo(t, rw.d.ID, files.StateDecided, files.DecisionRefused, day0)
	if err := files.RecordAppeal(w.ctx, w.db, w.users["secretariat"], rw.d.ID, date(2026, 4, 1), "Recours formé par Mme Zéphyrinoux (Utopiaville)", date(2026, 4, 1)); err != nil {
		t.Fatal(err)
	}
	// A: authorised, its parcours ended on 1 June 2026 by the secretariat.
	rw.a = w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Marcelinou", "Ondine", 1991), 0), files.DecisionAuthorised, day0)
	if err := files.EndParcours(w.ctx, w.db, w.users["secretariat"], *rw.a.ParcoursID, files.EndLeft, date(2026, 6, 1), date(2026, 6, 1)); err != nil {
		t.Fatal(err)
	}
	// B: authorised, parcours still open. P: submitted, never decided.
	rw.b = w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Ouvertine", "Bea", 1985), 0), files.DecisionAuthorised, day0)
	rw.p = w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Pendantou", "Cyd", 1984), 0), day0)
	w.move(t, "association", rw.p.ID, files.StateSubmitted, files.TransitionInput{}, day0)
	return rw
}

// due returns the references of the files due at now.
func (rw *retentionWorld) due(t *testing.T, now time.Time) []string {
	t.Helper()
	fs, err := retention.FilesDueForAnonymisation(rw.ctx, rw.db, rw.c.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	return references(fs)
}

func references(fs []retention.RetentionFile) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Reference)
	}
	return out
}

// anonymise runs AnonymiseFile as the retention job does.
func (rw *retentionWorld) anonymise(f *files.File, now time.Time) (int, error) {
	return retention.AnonymiseFile(rw.ctx, rw.db, rw.kr, models.SystemActor("retention"), rw.c.ID, f.ID, now)
}

// TestRule15_RetentionAnonymisesFilesAfterTheRetentionPeriod follows four persons over
// three years with the default period (24 months after the last activity): each file is
// anonymised on its day and not before, once, never with an open parcours or a pending
// request, and the statistics of 2026 do not change.
func TestRule15_RetentionAnonymisesFilesAfterTheRetentionPeriod(t *testing.T) {
	rw := newRetentionWorld(t, newWorld(t))
	statsNow := date(2031, 1, 15)
	before, err := stats.ComputeAnnualStats(rw.ctx, rw.db, rw.c.ID, 2026, statsNow)
	if err != nil {
		t.Fatal(err)
	}
	if before.Decisions[files.KindEngagement][files.DecisionRefused] != 1 || before.Started != 2 {
		t.Fatalf("stats of 2026 before = %+v, want 1 refusal and 2 parcours started", before.Decisions)
	}

	// D's last activity is its appeal (1 April 2026): due on 1 April 2028.
	if got := rw.due(t, date(2028, 3, 31)); len(got) != 0 {
		t.Fatalf("due on 31/03/2028 = %v, want none", got)
	}
	if _, err := rw.anonymise(rw.d, date(2028, 3, 31)); err == nil || !strings.Contains(err.Error(), "avant le 01/04/2028") {
		t.Fatalf("AnonymiseFile(D) a day early error = %v, want a refusal naming 01/04/2028", err)
	}
	preview, err := retention.RetentionPreview(rw.ctx, rw.db, rw.users["secretariat"], rw.c.ID, date(2028, 3, 1))
	if err != nil || len(preview) != 0 {
		t.Fatalf("preview 31 days ahead = %v, %v; want nothing", references(preview), err)
	}
	preview, err = retention.RetentionPreview(rw.ctx, rw.db, rw.users["secretariat"], rw.c.ID, date(2028, 3, 2))
	if err != nil || !slices.Equal(references(preview), []string{rw.d.Reference}) {
		t.Fatalf("preview 30 days ahead = %v, %v; want [%s]", references(preview), err, rw.d.Reference)
	}
	if p := preview[0]; !p.LastActivity.Equal(date(2026, 4, 1)) || !p.AnonymiseOn.Equal(date(2028, 4, 1)) {
		t.Fatalf("preview of D: last activity %s, anonymised on %s; want 2026-04-01 and 2028-04-01", p.LastActivity, p.AnonymiseOn)
	}
	for _, u := range []string{"member", "association", "secretariat_c2"} {
		if _, err := retention.RetentionPreview(rw.ctx, rw.db, rw.users[u], rw.c.ID, date(2028, 3, 2)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RetentionPreview by %s error = %v, want ErrNotFound", u, err)
		}
	}

	if got := rw.due(t, date(2028, 4, 1)); !slices.Equal(got, []string{rw.d.Reference}) {
		t.Fatalf("due on 01/04/2028 = %v, want [%s]", got, rw.d.Reference)
	}
	if n, err := rw.anonymise(rw.d, date(2028, 4, 1)); err != nil || n != 1 {
		t.Fatalf("AnonymiseFile(D) = %d, %v; want 1", n, err)
	}
	if n, err := rw.anonymise(rw.d, date(2028, 4, 2)); err != nil || n != 0 {
		t.Fatalf("AnonymiseFile(D) again = %d, %v; want 0, nothing", n, err)
	}
	d := rw.file(t, rw.d.ID)
	if d.AnonymisedOn == nil || !d.AnonymisedOn.Equal(date(2028, 4, 1)) || d.State != files.StateDecided || d.Decision != files.DecisionRefused ||
		d.AppealOn == nil || d.AppealNote != "" || d.MissingItems != "" || d.ProposalSealed != "" {
		t.Fatalf("D after anonymisation = %+v", d)
	}
	if _, err := files.RevealIdentity(rw.ctx, rw.db, rw.kr, rw.users["secretariat"], d.ID, date(2028, 4, 2)); err == nil || !strings.Contains(err.Error(), "anonymisé le 01/04/2028") {
		t.Fatalf("RevealIdentity(D) error = %v, want the anonymisation refusal", err)
	}
	var person files.Person
	if err := rw.db.NewSelect().Model(&person).Where("id = ?", d.PersonID).Scan(rw.ctx); err != nil {
		t.Fatal(err)
	}
	if person.IdentitySealed != "" || person.Gender != files.GenderFemale || person.BirthYear != 1987 || person.Nationality != "RO" {
		t.Fatalf("D's person after anonymisation = %+v, want no identity and the statistical attributes", person)
	}
	if n, err := rw.db.NewSelect().Model((*files.Attachment)(nil)).Where("file_id = ?", d.ID).Count(rw.ctx); err != nil || n != 0 {
		t.Fatalf("D keeps %d attachments (%v)", n, err)
	}
	if n, err := rw.db.NewSelect().Model((*models.AuditRecord)(nil)).Where("action = 'file.anonymise' AND object = ?", models.ObjectRef("file", d.ID)).Count(rw.ctx); err != nil || n != 1 {
		t.Fatalf("%d file.anonymise audit records for D (%v), want 1", n, err)
	}

	// A: last activity the end of its parcours, 1 June 2026.
	if got := rw.due(t, date(2028, 5, 31)); len(got) != 0 {
		t.Fatalf("due on 31/05/2028 = %v, want none (D is done, A not yet)", got)
	}
	if got := rw.due(t, date(2028, 6, 1)); !slices.Equal(got, []string{rw.a.Reference}) {
		t.Fatalf("due on 01/06/2028 = %v, want [%s]", got, rw.a.Reference)
	}
	if n, err := rw.anonymise(rw.a, date(2028, 6, 1)); err != nil || n != 1 {
		t.Fatalf("AnonymiseFile(A) = %d, %v; want 1", n, err)
	}
	// B (open parcours) and P (pending request) are never due.
	if got := rw.due(t, date(2031, 1, 1)); len(got) != 0 {
		t.Fatalf("due in 2031 = %v, want none: an open parcours and a pending request", got)
	}
	for _, f := range []*files.File{rw.b, rw.p} {
		if n, err := rw.anonymise(f, date(2031, 1, 1)); n != 0 || err == nil || !strings.Contains(err.Error(), "parcours en cours ou une demande en instruction") {
			t.Fatalf("AnonymiseFile(%s) = %d, %v; want a refusal", f.Reference, n, err)
		}
	}
	after, err := stats.ComputeAnnualStats(rw.ctx, rw.db, rw.c.ID, 2026, statsNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("statistics of 2026 changed by the anonymisation:\nbefore %+v\nafter  %+v", before, after)
	}
}

// TestRule15_PreviewReadsOnlyThePersonsThatMayFallDue checks that the schedule's
// database prefilter (persons active since the cutoff left out before any row is read)
// changes nothing: week after week over five years, before and after the first
// anonymisations, the files due within 30 days are those of the full computation.
func TestRule15_PreviewReadsOnlyThePersonsThatMayFallDue(t *testing.T) {
	rw := newRetentionWorld(t, newWorld(t))
	seen := 0
	for day := date(2026, 3, 1); day.Before(date(2031, 3, 1)); day = day.AddDate(0, 0, 7) {
		if day.Equal(date(2028, 6, 7)) { // D and A have fallen due: anonymise them, as the job does
			for _, f := range []*files.File{rw.d, rw.a} {
				if _, err := rw.anonymise(f, day); err != nil {
					t.Fatal(err)
				}
			}
		}
		until := day.AddDate(0, 0, retention.RetentionPreviewDays)
		got, err := retention.RetentionSchedule(rw.ctx, rw.db, rw.c.ID, until, day)
		if err != nil {
			t.Fatal(err)
		}
		// The schedule a century ahead: its cutoff is in the future, so its prefilter
		// leaves out only the persons with a file in progress or a parcours not ended,
		// whom the full computation never schedules either.
		all, err := retention.RetentionSchedule(rw.ctx, rw.db, rw.c.ID, day.AddDate(100, 0, 0), day)
		if err != nil {
			t.Fatal(err)
		}
		want := []retention.RetentionFile{}
		for _, f := range all {
			if !f.AnonymiseOn.After(until) {
				want = append(want, f)
			}
		}
		if !reflect.DeepEqual(append([]retention.RetentionFile{}, got...), want) {
			t.Fatalf("on %s the schedule to %s is %+v, the full computation %+v", day.Format(time.DateOnly), until.Format(time.DateOnly), got, want)
		}
		seen += len(got)
	}
	if seen == 0 {
		t.Fatal("no file fell due in five years: the comparison checked nothing")
	}
}

// TestRule15_NoIdentityLeftAfterAnonymisation reads the database as stored (the SQLite
// file and its WAL byte for byte, or every PostgreSQL row) before and after the
// anonymisation of D: before, its missing items and appeal note name the person in clear
// and its sealed identity, proposal and document are there; after, none of them, nor any
// field of the identity, remains.
func TestRule15_NoIdentityLeftAfterAnonymisation(t *testing.T) {
	db, url := dumpableDB(t)
	rw := newRetentionWorld(t, newWorldOn(t, db))
	var person files.Person
	if err := db.NewSelect().Model(&person).Where("id = ?", rw.d.PersonID).Scan(rw.ctx); err != nil {
		t.Fatal(err)
	}
	var att files.Attachment
	if err := db.NewSelect().Model(&att).Where("file_id = ?", rw.d.ID).Scan(rw.ctx); err != nil {
		t.Fatal(err)
	}
	d := rw.file(t, rw.d.ID)
	sealed := []string{person.IdentitySealed[10:70], d.ProposalSealed[10:70], att.NameSealed[10:40]}
	content := att.Content[20:52]

	dump := databaseDump(t, db, url)
	for _, m := range append([]string{"Zéphyrinoux", "Utopiaville"}, sealed...) {
		if !bytes.Contains(dump, []byte(m)) {
			t.Fatalf("dump before anonymisation lacks %q: the dump is not read as stored", m)
		}
	}
	if !bytes.Contains(dump, content) && !bytes.Contains(dump, []byte(hex.EncodeToString(content))) {
		t.Fatal("dump before anonymisation lacks the sealed document")
	}

	if n, err := rw.anonymise(rw.d, date(2028, 4, 1)); err != nil || n != 1 {
		t.Fatalf("AnonymiseFile(D) = %d, %v", n, err)
	}
	if err := retention.ScrubFreedSpace(rw.ctx, db); err != nil {
		t.Fatal(err)
	}
	dump = databaseDump(t, db, url)
	if !bytes.Contains(dump, []byte(rw.d.Reference)) || !bytes.Contains(dump, []byte("file.anonymise")) {
		t.Fatal("dump after anonymisation lacks the file's reference or its audit record")
	}
	id := secretPerson().Identity
	noneInClear(t, dump, append([]string{id.LastName, "Zephyrinoux", id.FirstName, id.UsedName, id.BirthDate, id.BirthPlace, id.Phone, id.Email,
		id.Address, id.City, "CONTENU-PIECE-SECRETE", "CNI_"}, sealed...))
	if bytes.Contains(dump, content) || bytes.Contains(dump, []byte(hex.EncodeToString(content))) {
		t.Error("the sealed document is still in the database")
	}
}

// TestRule15_AnonymisationClearsAvisTextsAndRedactsDissentsNamingThePerson anonymises a
// file examined in session: the reasoning and conditions of the commission's avis are
// destroyed, a dissent naming the person is replaced, one that does not stays as written.
func TestRule15_AnonymisationClearsAvisTextsAndRedactsDissentsNamingThePerson(t *testing.T) {
	w := newSittingWorld(t, 4, meetings.ModeOnSite)
	item, f := w.fileItem(t, files.KindEngagement)
	w.present(t, "s1", "s2")
	w.open(t)
	v := w.openVote(t, item)
	w.mustBallot(t, v, "s1", sitting.BallotAgainst, "")
	w.mustBallot(t, v, "s2", sitting.BallotAgainst, "")
	v = w.closeVote(t, v)
	if err := sitting.RecordAvisDetails(w.ctx, w.db, w.kr, w.pres, w.c.ID, v.ID, sitting.AvisDetails{Reasoning: "Situation de Mme Exemple trop instable."}, w.at(16)); err != nil {
		t.Fatal(err)
	}
	naming, err := sitting.RecordDissent(w.ctx, w.db, w.kr, w.u["s1"], w.c.ID, v.ID, w.u["s1"].ID, "Ada EXEMPLE mérite une seconde chance.", w.at(17))
	if err != nil {
		t.Fatal(err)
	}
	const kept = "Je regrette l'absence d'hébergement dédié dans le département."
	if _, err := sitting.RecordDissent(w.ctx, w.db, w.kr, w.u["s2"], w.c.ID, v.ID, w.u["s2"].ID, kept, w.at(18)); err != nil {
		t.Fatal(err)
	}
	if err := sitting.CloseSitting(w.ctx, w.db, w.pres, w.c.ID, w.m.ID, w.at(19)); err != nil {
		t.Fatal(err)
	}
	decided := w.start.AddDate(0, 0, 10)
	err = files.Transition(w.ctx, w.db, w.kr, w.sec, f.ID, files.StateDecided, files.TransitionInput{Decision: files.Decision{
		Outcome: files.DecisionRefused, DecidedOn: decided, NotifiedPersonOn: decided, NotifiedAssociationOn: decided}}, decided)
	if err != nil {
		t.Fatal(err)
	}
	n, err := retention.AnonymiseFile(w.ctx, w.db, w.kr, models.SystemActor("retention"), w.c.ID, f.ID, decided.AddDate(2, 0, 0))
	if err != nil || n != 1 {
		t.Fatalf("AnonymiseFile = %d, %v; want 1", n, err)
	}
	got, err := sitting.FindVote(w.ctx, w.db, w.c.ID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reasoning, conditions, err := got.AvisTexts(w.kr); err != nil || reasoning != "" || conditions != "" || got.Avis != files.AvisDefavorable {
		t.Fatalf("avis after anonymisation = %s %q %q %v; want the avis without its texts", got.Avis, reasoning, conditions, err)
	}
	ds, err := sitting.ListDissents(w.ctx, w.db, w.kr, w.c.ID, w.m.ID)
	if err != nil || len(ds) != 2 {
		t.Fatalf("dissents after anonymisation = %+v, %v", ds, err)
	}
	for _, d := range ds {
		want := kept
		if d.ID == naming.ID {
			want = "[Texte effacé à l'anonymisation du dossier " + f.Reference + " : il nommait la personne.]"
		}
		if d.Text != want {
			t.Errorf("dissent %d after anonymisation = %q, want %q", d.ID, d.Text, want)
		}
	}
}

// TestRule15_AnonymisedDraftStaysClosed anonymises an abandoned draft (a draft is not a
// pending request): it can then be neither edited nor given documents.
func TestRule15_AnonymisedDraftStaysClosed(t *testing.T) {
	w := newWorld(t)
	in := modelstest.CompleteInput(files.KindEngagement, secretPerson(), 0)
	f := w.create(t, in, date(2026, 3, 2))
	if n, err := retention.AnonymiseFile(w.ctx, w.db, w.kr, models.SystemActor("retention"), w.c.ID, f.ID, date(2028, 3, 1)); n != 0 || err == nil {
		t.Fatalf("AnonymiseFile a day early = %d, %v; want a refusal", n, err)
	}
	if n, err := retention.AnonymiseFile(w.ctx, w.db, w.kr, models.SystemActor("retention"), w.c.ID, f.ID, date(2028, 3, 2)); n != 1 || err != nil {
		t.Fatalf("AnonymiseFile = %d, %v; want 1", n, err)
	}
	now := date(2028, 3, 3)
	err := files.UpdateFile(w.ctx, w.db, w.kr, w.users["association"], f.ID, in, now)
	wantRefusal(t, err, models.FormLevel, "anonymisé le 02/03/2028")
	_, err = files.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, files.AttachmentOther, "piece.pdf", pdfBytes("x"), now)
	wantRefusal(t, err, models.FormLevel, "ne peuvent plus être modifiées")
	p, err := files.FileProposal(w.ctx, w.db, w.kr, w.users["association"], f.ID, now)
	if err != nil || p.Commitments != "" || len(p.Actions) != 0 {
		t.Fatalf("FileProposal after anonymisation = %+v, %v; want an empty proposal", p, err)
	}
}
