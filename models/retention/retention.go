package retention

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	filesmodel "seance/models/files"
	"seance/models/keyring"
	"seance/models/rotation"
	"seance/models/sitting"
)

// Retention (REGLES.md requirement 15; CNIL référentiel on social support: active
// storage for 2 years after the last contact). A person's files are kept whole for the
// commission's retention period (CommissionSettings.RetentionMonths) after the person's
// last activity, then anonymised by the retention job: identity, documents and free
// texts destroyed, the attributes the statistics count kept.
//
// The last activity of a person — the « dernier contact » — is the latest of these
// days, over every file and parcours of the person (see personActivity):
//   - for each file: its creation, its last change (updated_at), its submission, the
//     session date, the observations step (invited, received), the commission's avis,
//     the préfet's decision, its notification to the person and to the association,
//     the appeal, and the latest line of its history (file_events: attachments,
//     transitions…);
//   - for each parcours: its start, suspension, end and last change, and for each
//     period the end of its rights (cut short or as granted), of its APS and of its AFIS.
//
// All the files of a person therefore fall due together, on the day the retention
// period after that last activity has passed (RetentionFile.AnonymiseOn). Nothing of a
// person is anonymised while they have an open parcours (no end recorded, or an end
// still to come: a lapsed parcours may still be renewed, so the secretariat ends it
// first) or a pending request (a file submitted and not yet decided); drafts and
// decided files are not pending.

// RetentionPreviewDays is how long before its anonymisation a file appears on the
// secretariat's preview and is announced to it.
const RetentionPreviewDays = 30

// RetentionFile is a file with the day of its person's last activity and the day it
// falls due for anonymisation.
type RetentionFile struct {
	FileID       int64
	PersonID     int64
	Reference    string
	Kind         filesmodel.FileKind
	State        filesmodel.State
	LastActivity time.Time // a calendar day (midnight UTC)
	AnonymiseOn  time.Time // first day the file may be anonymised
}

// personActivity gathers the last activity and the blockers of one person.
type personActivity struct {
	last    time.Time
	open    bool // an open parcours
	pending bool // a request under instruction
	files   []*filesmodel.File
}

func (a *personActivity) see(ts ...*time.Time) {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			if d := models.CalendarDay(*t); d.After(a.last) {
				a.last = d
			}
		}
	}
}

// retentionSchedule returns the files of commission cid (of person personID only when
// not 0) not yet anonymised whose person has neither an open parcours nor a pending
// request, with their due day under a retention period of months, soonest first.
// It reads the files of the persons with a file not yet anonymised, the latest history
// line of each, and their parcours with their periods: four queries, whatever the
// number of files. When until is not zero, only the persons who may fall due by until
// are read: those the database shows to be active since (a change to one of their files
// or parcours on or after until minus the retention period, an open parcours, a pending
// request) are left out before any row is read, which is most persons of a commission
// in service; the caller still filters the result on until.
func retentionSchedule(ctx context.Context, db bun.IDB, cid, personID int64, months int, today, until time.Time) ([]RetentionFile, error) {
	// Only the persons with a file still kept whole are read: whose is what the
	// queries below match person_id against (a subquery, or the prefiltered ids).
	kept := db.NewSelect().TableExpr("files AS k").Column("k.person_id").Where("k.commission_id = ? AND k.anonymised_on IS NULL", cid)
	if personID != 0 {
		kept = kept.Where("k.person_id = ?", personID)
	}
	var whose any = kept
	if !until.IsZero() {
		// A change on or after cutoff is an activity day on or after it: the person's
		// due day is then after until. The week of margin covers AddDate's month-end
		// normalisation (31 January + 1 month = 3 March), which is not monotonic. A
		// person is one commission's: the person index serves both conditions.
		cutoff := until.AddDate(0, -months, 7)
		kept = kept.
			Where(`NOT EXISTS (SELECT 1 FROM files x WHERE x.person_id = k.person_id
				AND (x.updated_at >= ? OR (x.anonymised_on IS NULL AND x.state NOT IN (?, ?))))`, cutoff, filesmodel.StateDraft, filesmodel.StateDecided).
			Where(`NOT EXISTS (SELECT 1 FROM parcours p WHERE p.person_id = k.person_id
				AND (p.ended_on IS NULL OR p.ended_on > ? OR p.updated_at >= ?))`, today, cutoff)
		var ids []int64
		if err := kept.Distinct().Scan(ctx, &ids); err != nil {
			return nil, fmt.Errorf("retention persons: %w", err)
		}
		if len(ids) == 0 {
			return nil, nil
		}
		whose = bun.In(ids)
	}
	var files []filesmodel.File
	q := db.NewSelect().Model(&files).ExcludeColumn("proposal_sealed", "missing_items", "appeal_note").
		Where("commission_id = ? AND person_id IN (?)", cid, whose)
	if err := q.Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("retention files: %w", err)
	}
	var events []struct {
		FileID int64     `bun:"file_id"`
		At     time.Time `bun:"at"`
	}
	err := db.NewSelect().TableExpr("file_events").ColumnExpr("file_id, MAX(at) AS at").
		Where("commission_id = ? AND file_id IN (?)", cid, db.NewSelect().TableExpr("files").Column("id").Where("person_id IN (?)", whose)).
		GroupExpr("file_id").Scan(ctx, &events)
	if err != nil {
		return nil, fmt.Errorf("retention file history: %w", err)
	}
	var ps []filesmodel.Parcours
	err = db.NewSelect().Model(&ps).Relation("Periods").Where("parcours.commission_id = ? AND parcours.person_id IN (?)", cid, whose).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("retention parcours: %w", err)
	}
	persons := map[int64]*personActivity{}
	person := func(id int64) *personActivity {
		if persons[id] == nil {
			persons[id] = &personActivity{}
		}
		return persons[id]
	}
	byID := map[int64]*personActivity{}
	for i := range files {
		f := &files[i]
		a := person(f.PersonID)
		byID[f.ID] = a
		a.see(&f.CreatedAt, &f.UpdatedAt, f.SubmittedAt, f.SessionDate, f.ObservationsInvitedOn, f.ObservationsReceivedOn,
			f.AvisOn, f.DecidedOn, f.NotifiedPersonOn, f.NotifiedAssociationOn, f.AppealOn)
		if f.AnonymisedOn == nil {
			a.files = append(a.files, f)
			a.pending = a.pending || (f.State != filesmodel.StateDraft && f.State != filesmodel.StateDecided)
		}
	}
	for _, e := range events {
		if a := byID[e.FileID]; a != nil {
			a.see(&e.At)
		}
	}
	for i := range ps {
		p := &ps[i]
		a := person(p.PersonID)
		a.open = a.open || p.EndedOn == nil || p.EndedOn.After(today)
		a.see(&p.StartedOn, p.SuspendedOn, p.EndedOn, &p.UpdatedAt)
		for j := range p.Periods {
			per := &p.Periods[j]
			end := per.End()
			a.see(&end, per.APSUntil, per.AFISStoppedFrom, &per.UpdatedAt)
		}
	}
	var out []RetentionFile
	for _, a := range persons {
		if a.open || a.pending || len(a.files) == 0 {
			continue
		}
		due := a.last.AddDate(0, months, 0)
		for _, f := range a.files {
			out = append(out, RetentionFile{FileID: f.ID, PersonID: f.PersonID, Reference: f.Reference, Kind: f.Kind, State: f.State,
				LastActivity: a.last, AnonymiseOn: due})
		}
	}
	slices.SortFunc(out, func(x, y RetentionFile) int {
		if c := x.AnonymiseOn.Compare(y.AnonymiseOn); c != 0 {
			return c
		}
		return strings.Compare(x.Reference, y.Reference)
	})
	return out, nil
}

// RetentionSchedule returns the files of commission cid that will be anonymised on or
// before until (a day), soonest first, those already due included, under the
// commission's retention period.
func RetentionSchedule(ctx context.Context, db bun.IDB, cid int64, until, now time.Time) ([]RetentionFile, error) {
	s, err := models.FindSettings(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	all, err := retentionSchedule(ctx, db, cid, 0, s.RetentionMonths, models.CalendarDay(now), until)
	if err != nil {
		return nil, err
	}
	var out []RetentionFile
	for _, f := range all {
		if !f.AnonymiseOn.After(until) {
			out = append(out, f)
		}
	}
	return out, nil
}

// FilesDueForAnonymisation returns the files of commission cid whose anonymisation day
// has come (today in Paris).
func FilesDueForAnonymisation(ctx context.Context, db bun.IDB, cid int64, now time.Time) ([]RetentionFile, error) {
	return RetentionSchedule(ctx, db, cid, models.CalendarDay(now), now)
}

// RetentionPreview returns, for the secretariat of commission cid, the files that will be
// anonymised within RetentionPreviewDays days (or are due already), soonest first. It
// shows references and dates only, never an identity.
func RetentionPreview(ctx context.Context, db bun.IDB, viewer *models.User, cid int64, now time.Time) ([]RetentionFile, error) {
	if viewer.Role != models.RoleSecretariat || viewer.CommissionIDOrZero() != cid {
		return nil, models.ErrNotFound
	}
	return RetentionSchedule(ctx, db, cid, models.CalendarDay(now).AddDate(0, 0, RetentionPreviewDays), now)
}

// freeTextDetails are the keys of file history details that hold typed text.
var freeTextDetails = []string{"missing_items", "note", "appeal_note"}

// AnonymiseFile anonymises file fileID of commission cid once its retention period has
// passed, with every other file of the same person (they share the person's identity
// and last activity), in one transaction: the identity is destroyed (the person's
// sealed identity cleared, not only made unreadable), the attachments deleted with
// their names and contents, the free texts cleared (the association's proposal, the
// missing items, the appeal note, the history's typed texts, the agenda notes, the
// reasoning and conditions of the commission's avis) and the dissents and written
// contributions on the files that name the person replaced by a notice. The attributes
// the statistics count stay: kind, dates, states, avis, decisions, rights, parcours and
// periods, and the person's gender, birth year and nationality. Each file is marked
// anonymised on today and audited. It returns how many files it anonymised: 0 when the
// file already is. It refuses a file not yet due, or whose person has an open parcours
// or a pending request.
func AnonymiseFile(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor models.Actor, cid, fileID int64, now time.Time) (int, error) {
	today := models.CalendarDay(now)
	n := 0
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, err := filesmodel.FindFileRow(ctx, tx, cid, fileID)
		if err != nil {
			return err
		}
		if f.AnonymisedOn != nil {
			return nil
		}
		s, err := models.FindSettings(ctx, tx, cid)
		if err != nil {
			return err
		}
		sched, err := retentionSchedule(ctx, tx, cid, f.PersonID, s.RetentionMonths, today, time.Time{})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(sched, func(r RetentionFile) bool { return r.FileID == f.ID })
		if i < 0 {
			return models.Refuse("Le dossier %s ne peut pas être anonymisé : la personne a un parcours en cours ou une demande en instruction.", f.Reference)
		}
		if sched[i].AnonymiseOn.After(today) {
			return models.Refuse("Le dossier %s ne peut pas être anonymisé avant le %s (dernière activité le %s, conservation de %d mois).",
				f.Reference, filesmodel.FormatDate(sched[i].AnonymiseOn), filesmodel.FormatDate(sched[i].LastActivity), s.RetentionMonths)
		}
		p, err := filesmodel.FindPerson(ctx, tx, cid, f.PersonID)
		if err != nil {
			return err
		}
		names, err := personNames(kr, p)
		if err != nil {
			return err
		}
		for _, r := range sched {
			done, err := anonymiseOne(ctx, tx, kr, actor, cid, r, names, s.RetentionMonths, today, now)
			if err != nil {
				return err
			}
			if done {
				n++
			}
		}
		_, err = tx.NewUpdate().Model((*filesmodel.Person)(nil)).Set("identity_sealed = ''").Set("updated_at = ?", now).Where("id = ?", p.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("anonymise person %d: %w", p.ID, err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// personNames returns the names of the person, lowercased, to find them in texts; an
// identity already destroyed has none.
func personNames(kr *keyring.Keyring, p *filesmodel.Person) ([]string, error) {
	if p.IdentitySealed == "" {
		return nil, nil
	}
	id, err := filesmodel.OpenIdentity(kr, p)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range []string{id.LastName, id.FirstName, id.UsedName} {
		if s = strings.ToLower(strings.TrimSpace(s)); len([]rune(s)) >= 2 {
			names = append(names, s)
		}
	}
	return names, nil
}

// namesIn reports whether text names the person.
func namesIn(text string, names []string) bool {
	text = strings.ToLower(text)
	return slices.ContainsFunc(names, func(n string) bool { return strings.Contains(text, n) })
}

// anonymiseOne destroys what identifies the person in one file (see AnonymiseFile).
func anonymiseOne(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, actor models.Actor, cid int64, r RetentionFile, names []string, months int, today, now time.Time) (bool, error) {
	res, err := tx.NewUpdate().Model((*filesmodel.File)(nil)).
		Set("anonymised_on = ?", today).Set("proposal_sealed = ''").Set("missing_items = ''").Set("appeal_note = ''").
		Where("id = ? AND anonymised_on IS NULL", r.FileID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("anonymise file %s: %w", r.Reference, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err // anonymised meanwhile
	}
	res, err = tx.NewDelete().Model((*filesmodel.Attachment)(nil)).Where("file_id = ?", r.FileID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("anonymise file %s: attachments: %w", r.Reference, err)
	}
	attachments, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("anonymise file %s: attachments: %w", r.Reference, err)
	}
	if err := clearHistoryTexts(ctx, tx, r.FileID); err != nil {
		return false, err
	}
	items := tx.NewSelect().TableExpr("agenda_items").Column("id").Where("file_id = ?", r.FileID)
	if _, err := tx.NewUpdate().TableExpr("agenda_items").Set("notes = ''").Where("file_id = ?", r.FileID).Exec(ctx); err != nil {
		return false, fmt.Errorf("anonymise file %s: agenda notes: %w", r.Reference, err)
	}
	if _, err := tx.NewUpdate().Model((*sitting.Vote)(nil)).Set("reasoning_sealed = ''").Set("conditions_sealed = ''").
		Where("agenda_item_id IN (?)", items).Exec(ctx); err != nil {
		return false, fmt.Errorf("anonymise file %s: avis texts: %w", r.Reference, err)
	}
	redacted, err := redactNamingTexts(ctx, tx, kr, r, names, items)
	if err != nil {
		return false, err
	}
	return true, models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: cid, Actor: actor, Action: "file.anonymise", Object: models.ObjectRef("file", r.FileID),
		Details: map[string]any{"reference": r.Reference, "last_activity": r.LastActivity.Format(time.DateOnly),
			"retention_months": months, "attachments_deleted": attachments, "texts_redacted": redacted},
	})
}

// clearHistoryTexts removes the typed texts from the details of a file's history, keeping
// its dates, states and counts (the statistics' delays read the history).
func clearHistoryTexts(ctx context.Context, tx bun.Tx, fileID int64) error {
	var es []filesmodel.FileEvent
	if err := tx.NewSelect().Model(&es).Column("id", "details").Where("file_id = ?", fileID).Scan(ctx); err != nil {
		return fmt.Errorf("anonymise history: %w", err)
	}
	for _, e := range es {
		m := e.DetailMap()
		changed := false
		for _, k := range freeTextDetails {
			if _, ok := m[k]; ok {
				delete(m, k)
				changed = true
			}
		}
		if !changed {
			continue
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("anonymise history: %w", err)
		}
		if _, err := tx.NewUpdate().Model((*filesmodel.FileEvent)(nil)).Set("details = ?", string(raw)).Where("id = ?", e.ID).Exec(ctx); err != nil {
			return fmt.Errorf("anonymise history: %w", err)
		}
	}
	return nil
}

// redactedText replaces a member's text that named the person.
func redactedText(ref string) string {
	return "[Texte effacé à l'anonymisation du dossier " + ref + " : il nommait la personne.]"
}

// redactNamingTexts replaces the dissents on the votes of the file's agenda items, and
// the contributions to their written deliberations, that name the person; a dissent
// stays recorded (R133-13), without the name. It returns how many it replaced.
func redactNamingTexts(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, r RetentionFile, names []string, items *bun.SelectQuery) (int, error) {
	if len(names) == 0 {
		return 0, nil
	}
	votes := tx.NewSelect().TableExpr("sitting_votes").Column("id").Where("agenda_item_id IN (?)", items)
	delibs := tx.NewSelect().TableExpr("written_deliberations").Column("id").Where("agenda_item_id IN (?)", items)
	n := 0
	for _, t := range []struct {
		col    rotation.SealedColumn
		parent string
		in     *bun.SelectQuery
	}{
		{rotation.SealedColumn{Table: "sitting_dissents", Column: "text_sealed", AAD: sitting.DissentAAD}, "vote_id", votes},
		{rotation.SealedColumn{Table: "written_contributions", Column: "body_sealed", AAD: sitting.ContributionAAD}, "deliberation_id", delibs},
	} {
		var rows []rotation.SealedRow
		err := tx.NewSelect().TableExpr(t.col.Table).ColumnExpr("id").ColumnExpr("? AS value", bun.Ident(t.col.Column)).
			Where("? IN (?)", bun.Ident(t.parent), t.in).Scan(ctx, &rows)
		if err != nil {
			return n, fmt.Errorf("anonymise %s: %w", t.col.Table, err)
		}
		for _, row := range rows {
			if len(row.Value) == 0 {
				continue
			}
			b, err := kr.Open(string(row.Value), t.col.AAD(row.ID))
			if err != nil {
				return n, fmt.Errorf("anonymise %s %d: %w", t.col.Table, row.ID, err)
			}
			if !namesIn(string(b), names) {
				continue
			}
			sealed := kr.Seal([]byte(redactedText(r.Reference)), t.col.AAD(row.ID))
			_, err = tx.NewUpdate().TableExpr(t.col.Table).Set("? = ?", bun.Ident(t.col.Column), sealed).Where("id = ?", row.ID).Exec(ctx)
			if err != nil {
				return n, fmt.Errorf("anonymise %s %d: %w", t.col.Table, row.ID, err)
			}
			n++
		}
	}
	return n, nil
}

// ScrubFreedSpace makes the storage drop what anonymisation overwrote: on SQLite (whose
// connections run with secure_delete, so freed cells and pages are zeroed) it copies
// the write-ahead log into the database and truncates it, since the log still holds
// the pages as they were before. PostgreSQL keeps the old row versions until VACUUM
// (autovacuum) reclaims them; nothing is done there.
func ScrubFreedSpace(ctx context.Context, db bun.IDB) error {
	if models.IsPG(db) {
		return nil
	}
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("checkpoint after anonymisation: %w", err)
	}
	return nil
}
