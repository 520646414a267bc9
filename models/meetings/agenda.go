package meetings

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	filesmodel "seance/models/files"
)

// The groups of the agenda builder's order (REGLES.md requirement 8).
const (
	GroupRenewalDue = 1 // renewals whose period ends before the next session: earliest due date first
	GroupEndRequest = 2 // end and suspension requests, by submission date
	GroupOther      = 3 // entries and other requests, by submission date
)

// ProposedFile is a file the agenda builder proposes (or leaves out for capacity), with
// why it is there. It carries the pseudonymised summary only.
type ProposedFile struct {
	File   filesmodel.FileSummary
	Group  int
	Reason string     // French, shown next to the file
	DueOn  *time.Time // renewals: the first day without rights (the period's end)
	// Warning is set when the period ends before the session that would examine it.
	Warning string
	// FallsTo is, for a file left out, the next planned session with room for it (nil: none).
	FallsTo *Meeting
}

// AgendaProposal is the agenda builder's answer for a files session.
type AgendaProposal struct {
	Meeting  *Meeting
	Capacity int // files the session may examine
	OnAgenda int // files already on its agenda
	// Next is the next files session after this one (nil: none planned); Horizon is the
	// day renewals must be examined before: Next's day, or a month after this session.
	Next     *Meeting
	Horizon  time.Time
	Proposed []ProposedFile
	LeftOut  []ProposedFile
}

// Room is how many files can still be added.
func (p *AgendaProposal) Room() int { return max(0, p.Capacity-p.OnAgenda) }

// Agenda refusals, in French.
var (
	ErrAgendaFrozen    = models.NewRefusal("L'ordre du jour de cette séance ne peut plus être modifié : elle est ouverte, close ou annulée.")
	ErrAgendaNotFiles  = models.NewRefusal("Cette séance est une séance plénière : les dossiers individuels s'examinent en séance d'examen des dossiers.")
	ErrAgendaForbidden = models.NewRefusal("Seuls le secrétariat et la présidence fixent l'ordre du jour et convoquent la commission (R133-5).")
	ErrMeetingFrozen   = models.NewRefusal("Cette séance est ouverte, close ou annulée : elle ne peut plus être modifiée ni annulée.")
)

// editableAgenda reports whether the agenda of m may change.
func editableAgenda(m *Meeting) error {
	if m.Status != MeetingPlanned && m.Status != MeetingConvened {
		return ErrAgendaFrozen
	}
	return nil
}

// mayConvene reports whether u sets agendas and convenes in commission cid.
func mayConvene(u *models.User, cid int64) bool {
	return u != nil && u.Active && u.CommissionIDOrZero() == cid && (u.Role == models.RoleSecretariat || u.Role == models.RolePresident)
}

// capacityOf returns how many files session m may examine.
func capacityOf(m *Meeting, s *models.CommissionSettings) int {
	if m.Capacity > 0 {
		return m.Capacity
	}
	return s.MaxFilesPerSession
}

// agendaCandidates returns the files of commission cid that may go on an agenda: complete
// (admissible, or scheduled from the file page without a session) and carrying the
// association's avis (REGLES.md requirement 8).
func agendaCandidates(ctx context.Context, db bun.IDB, cid int64) ([]filesmodel.File, error) {
	var fs []filesmodel.File
	err := db.NewSelect().Model(&fs).ExcludeColumn("proposal_sealed").
		Where("commission_id = ? AND association_avis <> ''", cid).
		Where("state = ? OR (state = ? AND session_id IS NULL)", filesmodel.StateAdmissible, filesmodel.StateScheduled).
		Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("agenda candidates: %w", err)
	}
	return fs, nil
}

// laterFilesSessions returns the active files sessions of cid starting after m, by date.
func laterFilesSessions(ctx context.Context, db bun.IDB, m *Meeting) ([]Meeting, error) {
	var ms []Meeting
	err := db.NewSelect().Model(&ms).
		Where("commission_id = ? AND kind = ? AND starts_at > ? AND id <> ?", m.CommissionID, MeetingFiles, m.StartsAt, m.ID).
		Where("status IN (?)", bun.In([]MeetingStatus{MeetingPlanned, MeetingConvened})).
		Order("starts_at ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("later sessions: %w", err)
	}
	return ms, nil
}

// fileItemCounts returns the number of file items on the agenda of each meeting.
func fileItemCounts(ctx context.Context, db bun.IDB, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		MeetingID int64
		N         int
	}
	err := db.NewSelect().Model((*AgendaItem)(nil)).Column("meeting_id").ColumnExpr("COUNT(*) AS n").
		Where("meeting_id IN (?) AND kind = ?", bun.In(ids), ItemFile).Group("meeting_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count agenda files: %w", err)
	}
	for _, r := range rows {
		out[r.MeetingID] = r.N
	}
	return out, nil
}

// renewalDue returns the due date of renewal file f: the end of its parcours' last period.
func renewalDue(ctx context.Context, db bun.IDB, f *filesmodel.File) (*time.Time, error) {
	if f.Kind != filesmodel.KindRenewal || f.ParcoursID == nil {
		return nil, nil
	}
	p, err := filesmodel.FindParcoursRow(ctx, db, f.CommissionID, *f.ParcoursID)
	if err != nil {
		return nil, err
	}
	due := p.RenewalDueOn()
	return &due, nil
}

// classify places candidate f in the builder's order for session m with horizon h.
func classify(f *filesmodel.File, s filesmodel.FileSummary, due *time.Time, m *Meeting, h time.Time) ProposedFile {
	p := ProposedFile{File: s, DueOn: due}
	submitted := "déposé le " + filesmodel.FormatDate(submittedOn(f))
	switch {
	case due != nil && due.Before(h):
		p.Group, p.Reason = GroupRenewalDue, fmt.Sprintf("Renouvellement : la période en cours prend fin le %s, avant la séance suivante — à examiner en priorité.", filesmodel.FormatDate(due.AddDate(0, 0, -1)))
	case f.Kind.EndsRights():
		p.Group, p.Reason = GroupEndRequest, fmt.Sprintf("%s demandée par l'association (%s).", f.Kind.Label(), submitted)
	case due != nil:
		p.Group, p.Reason = GroupOther, fmt.Sprintf("Renouvellement (période jusqu'au %s), %s.", filesmodel.FormatDate(due.AddDate(0, 0, -1)), submitted)
	default:
		p.Group, p.Reason = GroupOther, fmt.Sprintf("%s, %s.", f.Kind.Label(), submitted)
	}
	p.Warning = dueWarning(due, m)
	return p
}

// dueWarning is the warning shown when a renewal's period ends before session m.
func dueWarning(due *time.Time, m *Meeting) string {
	if due == nil || m == nil || models.CalendarDay(m.StartsAt).Before(*due) {
		return ""
	}
	return fmt.Sprintf("Attention : la période de droits prend fin le %s, avant la séance du %s. Les droits seront interrompus si le renouvellement n'est pas examiné à temps.",
		filesmodel.FormatDate(due.AddDate(0, 0, -1)), filesmodel.FormatDate(models.CalendarDay(m.StartsAt)))
}

func submittedOn(f *filesmodel.File) time.Time {
	if f.SubmittedAt != nil {
		return *f.SubmittedAt
	}
	return f.CreatedAt
}

// ProposeAgenda proposes the files for session meetingID of commission cid (REGLES.md
// requirement 8): complete files with the association's avis not yet on an agenda, in
// this order: renewals whose period ends before the next session (earliest due date
// first), then end and suspension requests, then the other requests by submission date;
// up to the session's room. Files left out for capacity say which later session they
// would fall to.
func ProposeAgenda(ctx context.Context, db bun.IDB, cid, meetingID int64) (*AgendaProposal, error) {
	m, err := FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	if m.Kind != MeetingFiles {
		return nil, ErrAgendaNotFiles
	}
	s, err := models.FindSettings(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	later, err := laterFilesSessions(ctx, db, m)
	if err != nil {
		return nil, err
	}
	ids := []int64{m.ID}
	for _, l := range later {
		ids = append(ids, l.ID)
	}
	counts, err := fileItemCounts(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	p := &AgendaProposal{Meeting: m, Capacity: capacityOf(m, s), OnAgenda: counts[m.ID], Horizon: filesmodel.AddMonths(models.CalendarDay(m.StartsAt), 1)}
	if len(later) > 0 {
		p.Next, p.Horizon = &later[0], models.CalendarDay(later[0].StartsAt)
	}
	files, err := agendaCandidates(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	sums, err := filesmodel.Summarize(ctx, db, cid, files)
	if err != nil {
		return nil, err
	}
	all := make([]ProposedFile, 0, len(files))
	for i := range files {
		due, err := renewalDue(ctx, db, &files[i])
		if err != nil {
			return nil, err
		}
		all = append(all, classify(&files[i], sums[i], due, m, p.Horizon))
	}
	slices.SortStableFunc(all, func(a, b ProposedFile) int {
		if c := cmp.Compare(a.Group, b.Group); c != 0 {
			return c
		}
		if a.Group == GroupRenewalDue {
			if c := a.DueOn.Compare(*b.DueOn); c != 0 {
				return c
			}
		}
		if c := submittedSummary(a.File).Compare(submittedSummary(b.File)); c != 0 {
			return c
		}
		return cmp.Compare(a.File.Reference, b.File.Reference)
	})
	room := p.Room()
	p.Proposed = all[:min(room, len(all))]
	rest := all[len(p.Proposed):]
	// Files left out fall to the next sessions with room, in the same order.
	next := 0
	for i := range rest {
		for next < len(later) && counts[later[next].ID] >= capacityOf(&later[next], s) {
			next++
		}
		if next < len(later) {
			rest[i].FallsTo = &later[next]
			counts[later[next].ID]++
			if w := dueWarning(rest[i].DueOn, &later[next]); w != "" {
				rest[i].Warning = w
			}
		} else if rest[i].DueOn != nil && !p.Horizon.Before(*rest[i].DueOn) {
			rest[i].Warning = fmt.Sprintf("Attention : aucune séance planifiée ne peut examiner ce renouvellement avant la fin de la période (%s).", filesmodel.FormatDate(rest[i].DueOn.AddDate(0, 0, -1)))
		}
	}
	p.LeftOut = rest
	return p, nil
}

func submittedSummary(s filesmodel.FileSummary) time.Time {
	if s.SubmittedAt != nil {
		return *s.SubmittedAt
	}
	return s.CreatedAt
}

// AgendaEntry is an agenda item as the session page shows it.
type AgendaEntry struct {
	AgendaItem
	Reference string // the file's reference, for file items
	Warning   string // a renewal whose period ends before the session
}

// LoadAgenda returns the agenda of session m with the warnings of its renewals.
func LoadAgenda(ctx context.Context, db bun.IDB, m *Meeting) ([]AgendaEntry, error) {
	items, err := ListAgenda(ctx, db, m.CommissionID, m.ID)
	if err != nil {
		return nil, err
	}
	refs := map[int64]string{}
	var ids []int64
	for _, it := range items {
		if it.FileID != nil {
			ids = append(ids, *it.FileID)
		}
	}
	if len(ids) > 0 {
		var fs []filesmodel.File
		if err := db.NewSelect().Model(&fs).Column("id", "reference").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("load agenda: %w", err)
		}
		for _, f := range fs {
			refs[f.ID] = f.Reference
		}
	}
	out := make([]AgendaEntry, len(items))
	for i, it := range items {
		out[i] = AgendaEntry{AgendaItem: it, Warning: dueWarning(it.DueOn, m)}
		if it.FileID != nil {
			out[i].Reference = refs[*it.FileID]
		}
	}
	return out, nil
}

// ItemFileIDs returns the ids of the files examined by items, in agenda order.
func ItemFileIDs(items []AgendaItem) []int64 {
	var ids []int64
	for _, it := range items {
		if it.Kind == ItemFile && it.FileID != nil {
			ids = append(ids, *it.FileID)
		}
	}
	return ids
}

// AgendaDigest is the hex SHA-256 of the agenda as convened: kind, file and title of
// each item, in order. A convocation records it, so that a later change shows.
func AgendaDigest(items []AgendaItem) string {
	type entry struct {
		Kind   AgendaItemKind `json:"kind"`
		FileID int64          `json:"file_id,omitempty"`
		Title  string         `json:"title"`
	}
	es := make([]entry, len(items))
	for i, it := range items {
		es[i] = entry{Kind: it.Kind, Title: it.Title}
		if it.FileID != nil {
			es[i].FileID = *it.FileID
		}
	}
	raw, _ := json.Marshal(es) // cannot fail: strings and numbers only
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// lockAgendaMeeting loads meeting meetingID for an agenda change by actor, in tx.
func lockAgendaMeeting(ctx context.Context, tx bun.Tx, actor *models.User, cid, meetingID int64) (*Meeting, error) {
	if !mayConvene(actor, cid) {
		return nil, ErrAgendaForbidden
	}
	m, err := models.LockOwned[Meeting](ctx, tx, cid, meetingID, "find meeting")
	if err != nil {
		return nil, err
	}
	if err := editableAgenda(m); err != nil {
		return nil, err
	}
	return m, nil
}

// auditAgenda records an agenda change; after the convocation it is recorded as such,
// since the members must then be convened again (R133-8).
func auditAgenda(ctx context.Context, tx bun.Tx, actor *models.User, m *Meeting, action string, details map[string]any, now time.Time) error {
	if m.Status == MeetingConvened {
		details["after_convocation"] = true
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: m.CommissionID, Actor: models.ActorFor(actor), Action: "meeting.agenda_" + action, Object: models.ObjectRef("meeting", m.ID), Details: details,
	})
}

// nextPosition returns the position after the last item of meeting m.
func nextPosition(ctx context.Context, tx bun.Tx, meetingID int64) (int, error) {
	var pos int
	err := tx.NewSelect().Model((*AgendaItem)(nil)).ColumnExpr("COALESCE(MAX(position), 0)").Where("meeting_id = ?", meetingID).Scan(ctx, &pos)
	if err != nil {
		return 0, fmt.Errorf("agenda position: %w", err)
	}
	return pos + 1, nil
}

// AddAgendaFile puts file fileID on the agenda of files session meetingID and moves it
// to scheduled (MarkScheduled). The file must be complete with the association's avis
// (REGLES.md requirement 8) and on no other open agenda: both are checked in the
// transaction that schedules it, so that a file sits on one open agenda only. reason
// says why it is there (the builder's reason, or empty when added by hand).
func AddAgendaFile(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID, fileID int64, reason string, now time.Time) (*AgendaItem, error) {
	var item *AgendaItem
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockAgendaMeeting(ctx, tx, actor, cid, meetingID)
		if err != nil {
			return err
		}
		item, err = addAgendaFileTx(ctx, tx, actor, m, fileID, reason, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

func addAgendaFileTx(ctx context.Context, tx bun.Tx, actor *models.User, m *Meeting, fileID int64, reason string, now time.Time) (*AgendaItem, error) {
	if m.Kind != MeetingFiles {
		return nil, ErrAgendaNotFiles
	}
	f, err := filesmodel.FindFileRow(ctx, tx, m.CommissionID, fileID)
	if err != nil {
		return nil, err
	}
	onAgenda, err := tx.NewSelect().Model((*AgendaItem)(nil)).Join("JOIN meetings AS m ON m.id = agenda_item.meeting_id").
		Where("agenda_item.file_id = ? AND m.status IN (?)", f.ID, bun.In([]MeetingStatus{MeetingPlanned, MeetingConvened, MeetingOpen})).Exists(ctx)
	if err != nil {
		return nil, fmt.Errorf("add agenda file: %w", err)
	}
	switch {
	case onAgenda || (f.State == filesmodel.StateScheduled && f.SessionID != nil):
		return nil, models.Refuse("Le dossier %s est déjà inscrit à l'ordre du jour d'une séance : un dossier ne figure que sur un seul ordre du jour.", f.Reference)
	case f.State != filesmodel.StateAdmissible && f.State != filesmodel.StateScheduled:
		return nil, models.Refuse("Le dossier %s est « %s » : seuls les dossiers recevables (complets) peuvent être inscrits à l'ordre du jour.", f.Reference, f.State.Label())
	case f.AssociationAvis == "":
		return nil, models.Refuse("Le dossier %s ne porte pas encore l'avis de l'association : il ne peut pas être inscrit à l'ordre du jour.", f.Reference)
	}
	s, err := models.FindSettings(ctx, tx, m.CommissionID)
	if err != nil {
		return nil, err
	}
	counts, err := fileItemCounts(ctx, tx, []int64{m.ID})
	if err != nil {
		return nil, err
	}
	if c := capacityOf(m, s); counts[m.ID] >= c {
		return nil, models.Refuse("L'ordre du jour compte déjà %d dossiers, le maximum pour cette séance. Retirez un dossier ou augmentez la capacité de la séance.", c)
	}
	day := models.CalendarDay(m.StartsAt)
	if f.State == filesmodel.StateAdmissible {
		if err := filesmodel.MarkScheduled(ctx, tx, actor, f.ID, m.ID, day, now); err != nil {
			return nil, err
		}
	} else if err := attachScheduledFile(ctx, tx, actor, f, m, day, now); err != nil {
		return nil, err
	}
	due, err := renewalDue(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	pos, err := nextPosition(ctx, tx, m.ID)
	if err != nil {
		return nil, err
	}
	item := &AgendaItem{
		CommissionID: m.CommissionID, MeetingID: m.ID, Position: pos, Kind: ItemFile, FileID: &f.ID,
		Title: f.Reference + " — " + f.Kind.Label(), Reason: strings.TrimSpace(reason), DueOn: due, CreatedAt: now,
	}
	if item.Reason == "" {
		item.Reason = "Ajouté par " + actor.Role.Label() + "."
	}
	if _, err := tx.NewInsert().Model(item).Exec(ctx); err != nil {
		return nil, fmt.Errorf("add agenda file: %w", err)
	}
	return item, auditAgenda(ctx, tx, actor, m, "add", map[string]any{"item_id": item.ID, "file_id": f.ID, "reference": f.Reference}, now)
}

// attachScheduledFile links to session m a file that was scheduled from its own page,
// for the session's date but without a session.
func attachScheduledFile(ctx context.Context, tx bun.Tx, actor *models.User, f *filesmodel.File, m *Meeting, day, now time.Time) error {
	res, err := tx.NewUpdate().Model((*filesmodel.File)(nil)).Set("session_id = ?", m.ID).Set("session_date = ?", day).Set("updated_at = ?", now.UTC()).
		Where("id = ? AND state = ? AND session_id IS NULL", f.ID, filesmodel.StateScheduled).Exec(ctx)
	if err != nil {
		return fmt.Errorf("attach file to session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return models.Refuse("Le dossier %s a été modifié entre-temps : rechargez la page et recommencez.", f.Reference)
	}
	f.SessionID, f.SessionDate = &m.ID, &day
	details := map[string]any{"session_id": m.ID, "session_date": day.Format(time.DateOnly)}
	if err := filesmodel.AddEvent(ctx, tx, actor, f, "agenda", f.State, f.State, details, now); err != nil {
		return err
	}
	details["reference"] = f.Reference
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: f.CommissionID, Actor: models.ActorFor(actor), Action: "file.agenda", Object: models.ObjectRef("file", f.ID), Details: details,
	})
}

// AcceptProposal adds the files fileIDs, in this order, to the agenda of session
// meetingID, each with the reason the builder gave; all or none.
func AcceptProposal(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, fileIDs []int64, now time.Time) error {
	p, err := ProposeAgenda(ctx, db, cid, meetingID)
	if err != nil {
		return err
	}
	reasons := map[int64]string{}
	for _, pf := range slices.Concat(p.Proposed, p.LeftOut) {
		reasons[pf.File.ID] = pf.Reason
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockAgendaMeeting(ctx, tx, actor, cid, meetingID)
		if err != nil {
			return err
		}
		for _, id := range fileIDs {
			if _, err := addAgendaFileTx(ctx, tx, actor, m, id, reasons[id], now); err != nil {
				return err
			}
		}
		return nil
	})
}

// ItemInput is a free agenda item typed by the secretariat.
type ItemInput struct {
	Kind  AgendaItemKind
	Title string
	Notes string
}

// Validate checks the item; messages keyed "kind", "title", "notes".
func (in *ItemInput) Validate() models.FieldErrors {
	fe := models.FieldErrors{}
	in.Title, in.Notes = strings.TrimSpace(in.Title), strings.TrimSpace(in.Notes)
	switch in.Kind {
	case ItemMinutes, ItemInformation, ItemPolicy, ItemOther:
	default:
		fe.Add("kind", "Choisissez la nature du point.")
	}
	if in.Title == "" {
		fe.Add("title", "Indiquez l'intitulé du point.")
	}
	models.CheckLine(fe, "title", "Intitulé", in.Title, models.MaxLineLength)
	models.CheckText(fe, "notes", "Précision", in.Notes, models.MaxNoteLength)
	return fe
}

// AddAgendaItem appends a free item (minutes, information, policy point) to an agenda.
func AddAgendaItem(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, in ItemInput, now time.Time) (*AgendaItem, error) {
	if fe := in.Validate(); len(fe) > 0 {
		return nil, fe.Err()
	}
	var item *AgendaItem
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockAgendaMeeting(ctx, tx, actor, cid, meetingID)
		if err != nil {
			return err
		}
		pos, err := nextPosition(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		item = &AgendaItem{CommissionID: cid, MeetingID: m.ID, Position: pos, Kind: in.Kind, Title: in.Title, Notes: in.Notes, CreatedAt: now}
		if _, err := tx.NewInsert().Model(item).Exec(ctx); err != nil {
			return fmt.Errorf("add agenda item: %w", err)
		}
		return auditAgenda(ctx, tx, actor, m, "add", map[string]any{"item_id": item.ID, "kind": string(in.Kind), "title": in.Title}, now)
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

// StandingItems returns the usual items of a session not yet on its agenda: approval of
// the minutes of the previous session and the secretariat's information.
func StandingItems(ctx context.Context, db bun.IDB, m *Meeting) ([]ItemInput, error) {
	items, err := ListAgenda(ctx, db, m.CommissionID, m.ID)
	if err != nil {
		return nil, err
	}
	has := map[AgendaItemKind]bool{}
	for _, it := range items {
		has[it.Kind] = true
	}
	var out []ItemInput
	if !has[ItemMinutes] {
		prev := new(Meeting)
		err := db.NewSelect().Model(prev).Where("commission_id = ? AND starts_at < ? AND status IN (?)", m.CommissionID, m.StartsAt,
			bun.In([]MeetingStatus{MeetingClosed, MeetingMinutesApproved, MeetingConvened, MeetingOpen})).Order("starts_at DESC").Limit(1).Scan(ctx)
		switch err := models.NotFound(err, "previous meeting"); {
		case err == nil:
			out = append(out, ItemInput{Kind: ItemMinutes, Title: "Approbation du procès-verbal de la séance du " + filesmodel.FormatDate(models.CalendarDay(prev.StartsAt))})
		case err != models.ErrNotFound:
			return nil, err
		}
	}
	if !has[ItemInformation] {
		out = append(out, ItemInput{Kind: ItemInformation, Title: "Informations du secrétariat"})
	}
	return out, nil
}

// AddStandingItems adds the StandingItems of session meetingID at the top of its agenda.
func AddStandingItems(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, now time.Time) (int, error) {
	m, err := FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		return 0, err
	}
	ins, err := StandingItems(ctx, db, m)
	if err != nil {
		return 0, err
	}
	err = models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockAgendaMeeting(ctx, tx, actor, cid, meetingID)
		if err != nil {
			return err
		}
		items, err := ListAgenda(ctx, tx, cid, m.ID)
		if err != nil {
			return err
		}
		var ids []int64
		for i, in := range ins {
			it := &AgendaItem{CommissionID: cid, MeetingID: m.ID, Position: i + 1, Kind: in.Kind, Title: in.Title, CreatedAt: now}
			if _, err := tx.NewInsert().Model(it).Exec(ctx); err != nil {
				return fmt.Errorf("add standing item: %w", err)
			}
			ids = append(ids, it.ID)
			if err := auditAgenda(ctx, tx, actor, m, "add", map[string]any{"item_id": it.ID, "kind": string(in.Kind), "title": in.Title}, now); err != nil {
				return err
			}
		}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		return setPositions(ctx, tx, m.ID, ids)
	})
	return len(ins), err
}

// RemoveAgendaItem takes item itemID off the agenda of session meetingID. A file goes
// back to admissible, and the members convened lose the access the convocation gave them.
func RemoveAgendaItem(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID, itemID int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockAgendaMeeting(ctx, tx, actor, cid, meetingID)
		if err != nil {
			return err
		}
		it := new(AgendaItem)
		if err := tx.NewSelect().Model(it).Where("id = ? AND meeting_id = ? AND commission_id = ?", itemID, m.ID, cid).Scan(ctx); err != nil {
			return models.NotFound(err, "find agenda item")
		}
		if _, err := tx.NewDelete().Model(it).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("remove agenda item: %w", err)
		}
		details := map[string]any{"item_id": it.ID, "kind": string(it.Kind), "title": it.Title}
		if it.FileID != nil {
			details["file_id"] = *it.FileID
			if err := UnscheduleFile(ctx, tx, actor, *it.FileID, now); err != nil {
				return err
			}
			if err := revokeSessionGrants(ctx, tx, models.ActorFor(actor), m, it.FileID, now); err != nil {
				return err
			}
		}
		return auditAgenda(ctx, tx, actor, m, "remove", details, now)
	})
}

// UnscheduleFile takes a scheduled file off its session's agenda: it goes back to
// admissible, ready for another session (the files state machine's scheduled →
// admissible move).
func UnscheduleFile(ctx context.Context, db bun.IDB, actor *models.User, fileID int64, now time.Time) error {
	return filesmodel.Transition(ctx, db, nil, actor, fileID, filesmodel.StateAdmissible, filesmodel.TransitionInput{}, now)
}

// revokeSessionGrants removes the file access grants given for session m (for one file
// when fileID is set).
func revokeSessionGrants(ctx context.Context, tx bun.Tx, actor models.Actor, m *Meeting, fileID *int64, now time.Time) error {
	var gs []filesmodel.FileAccessGrant
	q := tx.NewSelect().Model(&gs).Where("commission_id = ? AND session_id = ?", m.CommissionID, m.ID)
	if fileID != nil {
		q = q.Where("file_id = ?", *fileID)
	}
	if err := q.Scan(ctx); err != nil {
		return fmt.Errorf("session grants: %w", err)
	}
	for _, g := range gs {
		if err := filesmodel.RevokeFileAccess(ctx, tx, actor, m.CommissionID, g.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// ReorderAgenda sets the order of the agenda of session meetingID: ids must list every
// item once.
func ReorderAgenda(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, ids []int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockAgendaMeeting(ctx, tx, actor, cid, meetingID)
		if err != nil {
			return err
		}
		items, err := ListAgenda(ctx, tx, cid, m.ID)
		if err != nil {
			return err
		}
		have := make([]int64, len(items))
		for i, it := range items {
			have[i] = it.ID
		}
		want := slices.Clone(ids)
		slices.Sort(want)
		sorted := slices.Clone(have)
		slices.Sort(sorted)
		if !slices.Equal(want, sorted) {
			return models.Refuse("L'ordre du jour a été modifié entre-temps : rechargez la page et recommencez.")
		}
		if slices.Equal(have, ids) {
			return nil
		}
		if err := setPositions(ctx, tx, m.ID, ids); err != nil {
			return err
		}
		return auditAgenda(ctx, tx, actor, m, "reorder", map[string]any{"order": ids}, now)
	})
}

// MoveAgendaItem moves item itemID one place up (delta -1) or down (delta +1): the
// keyboard alternative to drag and drop.
func MoveAgendaItem(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID, itemID int64, delta int, now time.Time) error {
	items, err := ListAgenda(ctx, db, cid, meetingID)
	if err != nil {
		return err
	}
	ids := make([]int64, len(items))
	at := -1
	for i, it := range items {
		ids[i] = it.ID
		if it.ID == itemID {
			at = i
		}
	}
	if at < 0 {
		return models.ErrNotFound
	}
	to := at + delta
	if to < 0 || to >= len(ids) {
		return nil
	}
	ids[at], ids[to] = ids[to], ids[at]
	return ReorderAgenda(ctx, db, actor, cid, meetingID, ids, now)
}

func setPositions(ctx context.Context, tx bun.Tx, meetingID int64, ids []int64) error {
	for i, id := range ids {
		if _, err := tx.NewUpdate().Model((*AgendaItem)(nil)).Set("position = ?", i+1).Where("id = ? AND meeting_id = ?", id, meetingID).Exec(ctx); err != nil {
			return fmt.Errorf("reorder agenda: %w", err)
		}
	}
	return nil
}
