package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	filesmodel "seance/models/files"
	meetingsmodel "seance/models/meetings"
	"seance/models/sitting"
)

// The writing of the simulated history: rows in bulk, in dependency order, with the
// identities and proposals sealed as the model functions seal them.

// batchSize is the number of rows per INSERT.
const batchSize = 250

// insertRows inserts rows in batches; the database gives back their ids.
func insertRows[T any](ctx context.Context, tx bun.Tx, rows []*T) error {
	for len(rows) > 0 {
		batch := rows[:min(batchSize, len(rows))]
		if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
			return fmt.Errorf("insert %T: %w", batch[0], err)
		}
		rows = rows[len(batch):]
	}
	return nil
}

func (g *historyGen) write(ctx context.Context, tx bun.Tx) error {
	settings, err := models.FindSettings(ctx, tx, g.h.Commission.ID)
	if err != nil {
		return err
	}
	var meetings []*meetingsmodel.Meeting
	for _, s := range g.sessions {
		if s.meeting != nil {
			meetings = append(meetings, s.meeting)
		}
	}
	if err := insertRows(ctx, tx, meetings); err != nil {
		return err
	}
	if err := g.writePersons(ctx, tx); err != nil {
		return err
	}
	if err := g.writeFiles(ctx, tx); err != nil {
		return err
	}
	if err := g.writeSittings(ctx, tx, settings); err != nil {
		return err
	}
	for year, seq := range g.seqs {
		if _, err := tx.NewRaw(`INSERT INTO file_counters (commission_id, year, last_seq) VALUES (?, ?, ?)
			ON CONFLICT (commission_id, year) DO UPDATE SET last_seq = excluded.last_seq`, g.h.Commission.ID, year, seq).Exec(ctx); err != nil {
			return fmt.Errorf("file counter %d: %w", year, err)
		}
	}
	c := g.counts()
	return models.Audit(ctx, tx, g.h.Now, models.AuditEntry{CommissionID: g.h.Commission.ID, Actor: models.SystemActor("démo"),
		Action: "demo.history", Object: models.ObjectRef("commission", g.h.Commission.ID),
		Details: map[string]any{"from": g.h.From.Format(time.DateOnly), "cutoff": g.h.Cutoff.Format(time.DateOnly),
			"sessions": c.Sessions, "persons": c.Persons, "files": c.Files, "parcours": c.Parcours}})
}

// writePersons inserts the persons, then seals each identity with its id.
func (g *historyGen) writePersons(ctx context.Context, tx bun.Tx) error {
	rows := make([]*filesmodel.Person, len(g.persons))
	for i, p := range g.persons {
		rows[i] = p.row
	}
	if err := insertRows(ctx, tx, rows); err != nil {
		return err
	}
	for _, p := range g.persons {
		if err := filesmodel.SealIdentity(g.h.Keys, p.row, p.identity); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(p.row).Column("identity_sealed").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("seal identity: %w", err)
		}
	}
	return nil
}

// writeFiles inserts the parcours, the files (sealing their proposals), their events and
// the periods.
func (g *historyGen) writeFiles(ctx context.Context, tx bun.Tx) error {
	parcours := make([]*filesmodel.Parcours, len(g.parcours))
	for i, p := range g.parcours {
		p.row.PersonID = p.person.row.ID
		parcours[i] = p.row
	}
	if err := insertRows(ctx, tx, parcours); err != nil {
		return err
	}
	files := make([]*filesmodel.File, len(g.files))
	for i, f := range g.files {
		f.row.PersonID = f.person.row.ID
		if f.parcours != nil {
			f.row.ParcoursID = &f.parcours.row.ID
		}
		if f.session != nil && f.session.meeting != nil {
			f.row.SessionID = &f.session.meeting.ID
		}
		files[i] = f.row
	}
	if err := insertRows(ctx, tx, files); err != nil {
		return err
	}
	var events []*filesmodel.FileEvent
	for _, f := range g.files {
		if err := filesmodel.SealProposal(g.h.Keys, f.row, &f.proposal); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(f.row).Column("proposal_sealed").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("seal proposal: %w", err)
		}
		for _, e := range f.events {
			e.FileID = f.row.ID
			events = append(events, e)
		}
	}
	if err := insertRows(ctx, tx, events); err != nil {
		return err
	}
	var periods []*filesmodel.Period
	for _, p := range g.parcours {
		for _, per := range p.periods {
			per.row.ParcoursID, per.row.FileID = p.row.ID, per.file.row.ID
			periods = append(periods, per.row)
		}
	}
	return insertRows(ctx, tx, periods)
}

// writeSittings records, for each generated session, the sitting chaired by the
// président, the attendance of the composition, the agenda and the vote on each file
// (counted in the room) that gave its avis.
func (g *historyGen) writeSittings(ctx context.Context, tx bun.Tx, settings *models.CommissionSettings) error {
	var (
		sittings   []*sitting.Sitting
		attendance []*meetingsmodel.Attendance
		items      []*meetingsmodel.AgendaItem
		votes      []*sitting.Vote
		voteItems  []int // index in items of each vote's item
	)
	pres, sec := g.h.President.ID, g.h.Secretariat.ID
	var previous *meetingsmodel.Meeting
	for _, s := range g.sessions {
		m := s.meeting
		if m == nil {
			continue
		}
		closed := m.StartsAt.Add(150 * time.Minute)
		sittings = append(sittings, &sitting.Sitting{MeetingID: m.ID, CommissionID: m.CommissionID, ChairUserID: pres, OpenedAt: m.StartsAt,
			OpenedBy: sec, ClosedAt: &closed, ClosedBy: &sec, UpdatedAt: closed})
		att, present, represented := g.attendance(m)
		attendance = append(attendance, att...)
		first := len(items)
		item := func(kind meetingsmodel.AgendaItemKind, title string, file *filesmodel.File) *meetingsmodel.AgendaItem {
			it := &meetingsmodel.AgendaItem{CommissionID: m.CommissionID, MeetingID: m.ID, Position: len(items) - first + 1, Kind: kind, Title: title,
				Reason: "Inscrit par le secrétariat (démonstration)", CreatedAt: m.StartsAt.AddDate(0, 0, -21)}
			if file != nil {
				it.FileID = &file.ID
			}
			items = append(items, it)
			return it
		}
		if previous != nil {
			item(meetingsmodel.ItemMinutes, "Approbation du procès-verbal de la séance du "+filesmodel.FormatDate(models.CalendarDay(previous.StartsAt)), nil)
		}
		previous = m
		if m.Kind == meetingsmodel.MeetingPolicy {
			item(meetingsmodel.ItemInformation, "Bilan de l'année écoulée : parcours engagés, renouvelés et clos", nil)
			item(meetingsmodel.ItemPolicy, "Programme départemental d'actions de lutte contre la prostitution et la traite", nil)
		}
		for i, f := range s.files {
			it := item(meetingsmodel.ItemFile, f.row.Reference+" — "+f.row.Kind.Label(), f.row)
			voters := present + represented
			no, abst := g.rng.IntN(3), g.rng.IntN(3)
			opened := m.StartsAt.Add(time.Duration(15+12*i) * time.Minute)
			closedAt := opened.Add(8 * time.Minute)
			avis := f.row.CommissionAvis
			votes = append(votes, &sitting.Vote{CommissionID: m.CommissionID, MeetingID: m.ID, Question: fmt.Sprintf("Avis %s sur le dossier %s",
				strings.ToLower(avis.Label()), it.Title), ProposedAvis: avis, Status: sitting.VoteClosed, OpenedAt: opened, OpenedBy: pres,
				ClosedAt: &closedAt, ClosedBy: &pres, ChairUserID: &pres, Members: g.roll.Count,
				QuorumRequired: settings.QuorumRequired(g.roll.Count, len(g.roll.Seats)), QuorumPresent: present, QuorumRepresented: represented,
				Eligible: voters, Yes: voters - no - abst, No: no, Abstentions: abst, RoomCounted: true, RoomYes: voters - no - abst, RoomNo: no,
				RoomAbstentions: abst, Outcome: sitting.OutcomeAdopted, Avis: avis, UpdatedAt: closedAt})
			voteItems = append(voteItems, len(items)-1)
		}
	}
	if err := insertRows(ctx, tx, sittings); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, attendance); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, items); err != nil {
		return err
	}
	for i, v := range votes {
		v.AgendaItemID = items[voteItems[i]].ID
	}
	return insertRows(ctx, tx, votes)
}

// attendance draws the attendance of each seat with a titulaire at m: mostly present
// (on site or remotely as the mode allows), sometimes replaced by the suppléant, a proxy
// to a present member, excused or absent. It returns the rows and the seats present and
// represented.
func (g *historyGen) attendance(m *meetingsmodel.Meeting) ([]*meetingsmodel.Attendance, int, int) {
	var rows []*meetingsmodel.Attendance
	var presentUsers []int64
	replied, confirmed := m.StartsAt.AddDate(0, 0, -4), m.StartsAt.Add(-10*time.Minute)
	for _, h := range g.roll.Seats {
		if h.Titulaire == nil {
			continue
		}
		a := &meetingsmodel.Attendance{CommissionID: m.CommissionID, MeetingID: m.ID, SeatID: h.Seat.ID, TitulaireUserID: h.Titulaire.UserID,
			RepliedAt: &replied, ConfirmedAt: &confirmed, UpdatedAt: confirmed}
		switch g.pick(72, 8, 5, 11, 4) {
		case 0:
			a.Status = meetingsmodel.AttPresentOnSite
			if m.Mode == meetingsmodel.ModeRemote || (m.Mode == meetingsmodel.ModeHybrid && g.rng.IntN(10) < 3) {
				a.Status = meetingsmodel.AttPresentRemote
			}
			presentUsers = append(presentUsers, h.Titulaire.UserID)
		case 1:
			a.Status = meetingsmodel.AttExcused
			if len(h.Suppleants) > 0 {
				a.Status, a.SubstituteUserID = meetingsmodel.AttSubstituted, &h.Suppleants[0].UserID
			}
		case 2:
			a.Status = meetingsmodel.AttProxy
		case 3:
			a.Status = meetingsmodel.AttExcused
		default:
			a.Status = meetingsmodel.AttAbsent
		}
		rows = append(rows, a)
	}
	present, represented := 0, 0
	for _, a := range rows {
		switch a.Status {
		case meetingsmodel.AttProxy:
			if len(presentUsers) == 0 {
				a.Status = meetingsmodel.AttExcused
				continue
			}
			i := g.rng.IntN(len(presentUsers)) // a member holds one proxy at most
			holder := presentUsers[i]
			presentUsers = append(presentUsers[:i], presentUsers[i+1:]...)
			a.ProxyHolderUserID = &holder
			represented++
		case meetingsmodel.AttPresentOnSite, meetingsmodel.AttPresentRemote, meetingsmodel.AttSubstituted:
			present++
		}
	}
	return rows, present, represented
}
