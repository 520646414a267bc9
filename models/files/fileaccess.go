package files

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/registry"
)

// Access is what a user may see of a file (REGLES.md requirement 15, issue point 3).
type Access int

// The levels of access, each including the ones before it.
const (
	AccessNone     Access = iota // the file does not exist for the user: ErrNotFound
	AccessSummary                // pseudonymised summary: reference, kind, state, clear attributes
	AccessProposal               // + the association's proposal, the attachments and the history
	AccessFull                   // + the identity of the person
)

// MemberAccessAfterSession is how long after a session its convened members still see the
// summaries of its files; the sessions feature sets grants to end then.
const MemberAccessAfterSession = 30 * 24 * time.Hour

// FileAccessGrant lets a member or the president see a file for a while: the sessions
// feature writes one per convened user and file on the agenda, valid from the
// convocation until 30 days after the session.
type FileAccessGrant struct {
	bun.BaseModel `bun:"table:file_access_grants"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	FileID       int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	ValidFrom    time.Time `bun:",notnull"`
	ValidUntil   time.Time `bun:",notnull"` // excluded
	Reason       string    `bun:",notnull"` // e.g. "Convocation à la séance du 12/03/2026"
	SessionID    *int64    `bun:",nullzero"`
	CreatedAt    time.Time `bun:",notnull"`
}

// ActiveAt reports whether the grant is valid at now.
func (g *FileAccessGrant) ActiveAt(now time.Time) bool {
	return !now.Before(g.ValidFrom) && now.Before(g.ValidUntil)
}

// FileInterest is a user's declared interest in a file (CRPA R133-12): the user neither
// sees the file nor takes part in its vote.
type FileInterest struct {
	bun.BaseModel `bun:"table:file_interests"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	FileID       int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	Reason       string    `bun:",notnull"`
	DeclaredAt   time.Time `bun:",notnull"`
}

// accessFor computes what viewer may see of f at now; AccessNone comes with ErrNotFound.
//   - secretariat: everything of its commission;
//   - association: everything of the files it instructs, nothing else;
//   - president: summaries; the proposal and attachments while granted (file on an agenda),
//     unless they declared an interest;
//   - member: the summary while granted (convened), never for a file their association
//     instructs or in which they declared an interest;
//   - prefecture, region, admin: nothing.
//
// A draft is the association's alone: it does not exist for anybody else until submitted.
func accessFor(ctx context.Context, db bun.IDB, viewer *models.User, f *File, now time.Time) (Access, error) {
	if viewer == nil || !viewer.Active || viewer.CommissionIDOrZero() != f.CommissionID {
		return AccessNone, models.ErrNotFound
	}
	if f.State == StateDraft && viewer.Role != models.RoleAssociation {
		return AccessNone, models.ErrNotFound
	}
	switch viewer.Role {
	case models.RoleSecretariat:
		return AccessFull, nil
	case models.RoleAssociation:
		if viewer.AssociationID != nil && *viewer.AssociationID == f.AssociationID {
			return AccessFull, nil
		}
		return AccessNone, models.ErrNotFound
	case models.RolePresident, models.RoleMember:
		if viewer.Role == models.RoleMember && viewer.AssociationID != nil && *viewer.AssociationID == f.AssociationID {
			return AccessNone, models.ErrNotFound
		}
		interested, err := db.NewSelect().Model((*FileInterest)(nil)).Where("file_id = ? AND user_id = ?", f.ID, viewer.ID).Exists(ctx)
		if err != nil {
			return AccessNone, fmt.Errorf("file access: %w", err)
		}
		granted := false
		if !interested {
			var gs []FileAccessGrant
			if err := db.NewSelect().Model(&gs).Where("file_id = ? AND user_id = ?", f.ID, viewer.ID).Scan(ctx); err != nil {
				return AccessNone, fmt.Errorf("file access: %w", err)
			}
			for i := range gs {
				granted = granted || gs[i].ActiveAt(now)
			}
		}
		switch {
		case viewer.Role == models.RolePresident && granted:
			return AccessProposal, nil
		case viewer.Role == models.RolePresident, granted:
			return AccessSummary, nil
		}
	}
	return AccessNone, models.ErrNotFound
}

// FileAccess returns what viewer may see of file fileID at now; ErrNotFound when nothing,
// including for a file of another commission.
func FileAccess(ctx context.Context, db bun.IDB, viewer *models.User, fileID int64, now time.Time) (Access, error) {
	f, err := FindFileRow(ctx, db, viewer.CommissionIDOrZero(), fileID)
	if err != nil {
		return AccessNone, err
	}
	return accessFor(ctx, db, viewer, f, now)
}

// findFileFor returns the file if viewer has at least access need at now.
func findFileFor(ctx context.Context, db bun.IDB, viewer *models.User, fileID int64, need Access, now time.Time) (*File, Access, error) {
	f, err := FindFileRow(ctx, db, viewer.CommissionIDOrZero(), fileID)
	if err != nil {
		return nil, AccessNone, err
	}
	acc, err := accessFor(ctx, db, viewer, f, now)
	if err != nil {
		return nil, AccessNone, err
	}
	if acc < need {
		return nil, acc, models.ErrNotFound
	}
	return f, acc, nil
}

// FileSummary is the pseudonymised view of a file: no identity, no free text.
type FileSummary struct {
	ID              int64
	Reference       string
	Kind            FileKind
	State           State
	AssociationID   int64
	AssociationName string
	ParcoursID      *int64
	Gender          Gender
	BirthYear       int
	Nationality     string
	Children        int
	AFISRequested   bool
	APSNeeded       bool
	HousingNeed     Housing
	AssociationAvis Avis
	CommissionAvis  Avis
	Decision        DecisionOutcome
	SessionDate     *time.Time
	SubmittedAt     *time.Time
	DecidedOn       *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Summarize builds the summaries of files, with their persons and associations.
func Summarize(ctx context.Context, db bun.IDB, cid int64, files []File) ([]FileSummary, error) {
	if len(files) == 0 {
		return []FileSummary{}, nil
	}
	ids := make([]int64, 0, len(files))
	for i := range files {
		ids = append(ids, files[i].PersonID)
	}
	var persons []Person
	if err := db.NewSelect().Model(&persons).ExcludeColumn("identity_sealed").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("summarize files: %w", err)
	}
	byID := map[int64]*Person{}
	for i := range persons {
		byID[persons[i].ID] = &persons[i]
	}
	as, err := registry.ListAssociations(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, a := range as {
		names[a.ID] = a.Name
	}
	out := make([]FileSummary, len(files))
	for i := range files {
		f := &files[i]
		s := FileSummary{
			ID: f.ID, Reference: f.Reference, Kind: f.Kind, State: f.State, AssociationID: f.AssociationID,
			AssociationName: names[f.AssociationID], ParcoursID: f.ParcoursID, Children: f.Children,
			AFISRequested: f.AFISRequested, APSNeeded: f.APSNeeded, HousingNeed: f.HousingNeed,
			AssociationAvis: f.AssociationAvis, CommissionAvis: f.CommissionAvis, Decision: f.Decision,
			SessionDate: f.SessionDate, SubmittedAt: f.SubmittedAt, DecidedOn: f.DecidedOn, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt,
		}
		if p := byID[f.PersonID]; p != nil {
			s.Gender, s.BirthYear, s.Nationality = p.Gender, p.BirthYear, p.Nationality
		}
		out[i] = s
	}
	return out, nil
}

// FindFileSummary returns the pseudonymised summary of a file and what else viewer may see.
func FindFileSummary(ctx context.Context, db bun.IDB, viewer *models.User, fileID int64, now time.Time) (*FileSummary, Access, error) {
	f, acc, err := findFileFor(ctx, db, viewer, fileID, AccessSummary, now)
	if err != nil {
		return nil, AccessNone, err
	}
	ss, err := Summarize(ctx, db, f.CommissionID, []File{*f})
	if err != nil {
		return nil, AccessNone, err
	}
	return &ss[0], acc, nil
}

// FindFile returns the file record (clear fields: states, dates, decision, missing items)
// to a viewer who may see at least its proposal.
func FindFile(ctx context.Context, db bun.IDB, viewer *models.User, fileID int64, now time.Time) (*File, Access, error) {
	return findFileFor(ctx, db, viewer, fileID, AccessProposal, now)
}

// FileProposal returns the association's proposal to a viewer who may see it.
func FileProposal(ctx context.Context, db bun.IDB, kr *keyring.Keyring, viewer *models.User, fileID int64, now time.Time) (*Proposal, error) {
	f, _, err := findFileFor(ctx, db, viewer, fileID, AccessProposal, now)
	if err != nil {
		return nil, err
	}
	return openProposal(kr, f)
}

// RevealIdentity returns the identity of the person concerned by a file to a viewer who
// may see it, after recording the display in the audit chain (who, when, which file).
func RevealIdentity(ctx context.Context, db bun.IDB, kr *keyring.Keyring, viewer *models.User, fileID int64, now time.Time) (*Identity, error) {
	f, _, err := findFileFor(ctx, db, viewer, fileID, AccessFull, now)
	if err != nil {
		return nil, err
	}
	if f.AnonymisedOn != nil {
		return nil, models.Refuse("Le dossier %s a été anonymisé le %s, au terme de sa durée de conservation : l'identité de la personne a été détruite.",
			f.Reference, FormatDate(*f.AnonymisedOn))
	}
	p, err := FindPerson(ctx, db, f.CommissionID, f.PersonID)
	if err != nil {
		return nil, err
	}
	id, err := OpenIdentity(kr, p)
	if err != nil {
		return nil, err
	}
	err = models.Audit(ctx, db, now, models.AuditEntry{
		CommissionID: f.CommissionID, Actor: models.ActorFor(viewer), Action: "file.identity_view", Object: models.ObjectRef("file", f.ID),
		Details: map[string]any{"reference": f.Reference},
	})
	if err != nil {
		return nil, err
	}
	return id, nil
}

// FileHistory returns the history of a file, oldest first, to a viewer who may see its proposal.
func FileHistory(ctx context.Context, db bun.IDB, viewer *models.User, fileID int64, now time.Time) ([]FileEvent, error) {
	f, _, err := findFileFor(ctx, db, viewer, fileID, AccessProposal, now)
	if err != nil {
		return nil, err
	}
	return historyOf(ctx, db, f)
}

func historyOf(ctx context.Context, db bun.IDB, f *File) ([]FileEvent, error) {
	var es []FileEvent
	if err := db.NewSelect().Model(&es).Where("file_id = ?", f.ID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("file history: %w", err)
	}
	return es, nil
}

// FileView is what the file page shows of a file to one viewer: the summary, and from
// AccessProposal on the record, the proposal, the attachments, the history and the
// parcours the viewer may follow.
type FileView struct {
	Summary     FileSummary
	Access      Access
	File        *File
	Proposal    *Proposal
	Attachments []Attachment
	History     []FileEvent      // oldest first
	Parcours    *ParcoursSummary // nil without one, or when the viewer may not follow it
}

// FileRecord is what is stored of a file for its page, the same for every reader and
// without plaintext: the proposal and the attachments' names stay sealed (ViewRecord
// opens them for one viewer). A page may keep it until the next write; it is only read.
type FileRecord struct {
	File          File
	Summary       FileSummary
	Attachments   []Attachment // names sealed
	History       []FileEvent  // oldest first
	Parcours      *Parcours    // with its periods, when the file belongs to one
	ParcoursFiles []File       // the parcours' files, for its summary
}

// ReadFileRecord reads the record of file fileID of commission cid; ErrNotFound when
// there is none.
func ReadFileRecord(ctx context.Context, db bun.IDB, cid, fileID int64) (*FileRecord, error) {
	f, err := FindFileRow(ctx, db, cid, fileID)
	if err != nil {
		return nil, err
	}
	rec := &FileRecord{File: *f}
	ss, err := Summarize(ctx, db, f.CommissionID, []File{*f})
	if err != nil {
		return nil, err
	}
	rec.Summary = ss[0]
	if rec.Attachments, err = attachmentRows(ctx, db, f.ID); err != nil {
		return nil, err
	}
	if rec.History, err = historyOf(ctx, db, f); err != nil {
		return nil, err
	}
	if f.ParcoursID != nil {
		if rec.Parcours, err = FindParcoursRow(ctx, db, cid, *f.ParcoursID); err != nil {
			return nil, err
		}
		if rec.ParcoursFiles, err = parcoursFiles(ctx, db, []int64{rec.Parcours.ID}); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// ViewRecord returns what viewer may see at now of the file of rec, which may have been
// read earlier (and kept until the next write): the access is checked now, and the
// proposal and the attachments' names are opened for this view only, never into rec.
func ViewRecord(ctx context.Context, db bun.IDB, kr *keyring.Keyring, viewer *models.User, rec *FileRecord, now time.Time) (*FileView, error) {
	f := rec.File // a copy: the view's own
	acc, err := accessFor(ctx, db, viewer, &f, now)
	if err != nil {
		return nil, err
	}
	v := &FileView{Summary: rec.Summary, Access: acc}
	if acc < AccessProposal {
		return v, nil
	}
	v.File = &f
	if v.Proposal, err = openProposal(kr, &f); err != nil {
		return nil, err
	}
	if v.Attachments, err = nameAttachments(kr, rec.Attachments, acc); err != nil {
		return nil, err
	}
	v.History = rec.History
	if rec.Parcours != nil && mayFollow(viewer, rec.Parcours) {
		s := summaryOf(rec.Parcours, rec.ParcoursFiles, now)
		v.Parcours = &s
	}
	return v, nil
}

// FileFilter narrows ListFiles; zero values match everything.
type FileFilter struct {
	States        []State
	Kind          FileKind
	AssociationID int64
	Year          int
	ParcoursID    int64
	// ParcoursIDs, when not nil, keeps the files of these parcours only (none when empty).
	ParcoursIDs []int64
}

// ListFiles returns the summaries of the files viewer may see at now, newest first: all of
// the commission but the drafts for the secretariat and the president, its own for an
// association, the granted ones for a member; none for other roles.
func ListFiles(ctx context.Context, db bun.IDB, viewer *models.User, filter FileFilter, now time.Time) ([]FileSummary, error) {
	ss, _, err := listFiles(ctx, db, viewer, filter, 0, 0, now)
	return ss, err
}

// ListFilesPage returns page page (from 1) of size summaries of ListFiles, and how many
// files there are in all: the database reads the page's rows only.
func ListFilesPage(ctx context.Context, db bun.IDB, viewer *models.User, filter FileFilter, page, size int, now time.Time) ([]FileSummary, int, error) {
	return listFiles(ctx, db, viewer, filter, max(page, 1), size, now)
}

// listFiles is ListFiles (size 0: every file) or one page of it, with the total.
func listFiles(ctx context.Context, db bun.IDB, viewer *models.User, filter FileFilter, page, size int, now time.Time) ([]FileSummary, int, error) {
	cid := viewer.CommissionIDOrZero()
	var files []File
	q := db.NewSelect().Model(&files).ExcludeColumn("proposal_sealed").Where("commission_id = ?", cid).Order("year DESC", "seq DESC")
	if len(filter.States) > 0 {
		q = q.Where("state IN (?)", bun.In(filter.States))
	}
	if filter.Kind != "" {
		q = q.Where("kind = ?", filter.Kind)
	}
	if filter.AssociationID != 0 {
		q = q.Where("association_id = ?", filter.AssociationID)
	}
	if filter.Year != 0 {
		q = q.Where("year = ?", filter.Year)
	}
	if filter.ParcoursID != 0 {
		q = q.Where("parcours_id = ?", filter.ParcoursID)
	}
	if filter.ParcoursIDs != nil {
		if len(filter.ParcoursIDs) == 0 {
			return []FileSummary{}, 0, nil
		}
		q = q.Where("parcours_id IN (?)", bun.In(filter.ParcoursIDs))
	}
	if viewer.Role != models.RoleAssociation {
		q = q.Where("state <> ?", StateDraft) // drafts are the association's alone
	}
	switch {
	case !viewer.Active:
		return []FileSummary{}, 0, nil
	case viewer.Role == models.RoleSecretariat, viewer.Role == models.RolePresident:
	case viewer.Role == models.RoleAssociation && viewer.AssociationID != nil:
		q = q.Where("association_id = ?", *viewer.AssociationID)
	case viewer.Role == models.RoleMember:
		ids, err := grantedFileIDs(ctx, db, viewer, now)
		if err != nil {
			return nil, 0, err
		}
		if len(ids) == 0 {
			return []FileSummary{}, 0, nil
		}
		q = q.Where("id IN (?)", bun.In(ids))
		if viewer.AssociationID != nil {
			q = q.Where("association_id <> ?", *viewer.AssociationID)
		}
	default:
		return []FileSummary{}, 0, nil
	}
	total := 0
	if size > 0 {
		n, err := q.Count(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("count files: %w", err)
		}
		total = int(n)
		q = q.Limit(int64(size)).Offset(int64((page - 1) * size))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("list files: %w", err)
	}
	if size == 0 {
		total = len(files)
	}
	ss, err := Summarize(ctx, db, cid, files)
	return ss, total, err
}

// grantedFileIDs returns the files a user holds a grant for at now, interests left out.
func grantedFileIDs(ctx context.Context, db bun.IDB, u *models.User, now time.Time) ([]int64, error) {
	var gs []FileAccessGrant
	if err := db.NewSelect().Model(&gs).Where("user_id = ?", u.ID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	var interests []int64
	if err := db.NewSelect().Model((*FileInterest)(nil)).Column("file_id").Where("user_id = ?", u.ID).Scan(ctx, &interests); err != nil {
		return nil, fmt.Errorf("list interests: %w", err)
	}
	excluded := map[int64]bool{}
	for _, id := range interests {
		excluded[id] = true
	}
	var ids []int64
	for i := range gs {
		if gs[i].ActiveAt(now) && !excluded[gs[i].FileID] {
			ids = append(ids, gs[i].FileID)
		}
	}
	return ids, nil
}

// GrantFileAccess lets a member or the president of the file's commission see the file
// from g.ValidFrom until g.ValidUntil; the sessions feature calls it when it convenes.
func GrantFileAccess(ctx context.Context, db bun.IDB, actor models.Actor, g *FileAccessGrant, now time.Time) error {
	if !g.ValidUntil.After(g.ValidFrom) {
		return models.FieldErrors{"valid_until": "La fin de l'accès doit suivre son début."}.Err()
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, err := FindFileRow(ctx, tx, g.CommissionID, g.FileID)
		if err != nil {
			return err
		}
		u, err := models.FindUser(ctx, tx, g.UserID)
		if err != nil {
			return err
		}
		if u.CommissionIDOrZero() != f.CommissionID || (u.Role != models.RoleMember && u.Role != models.RolePresident) {
			return models.Refuse("Seuls les membres et la présidence de la commission reçoivent un accès aux dossiers d'une séance.")
		}
		g.ValidFrom, g.ValidUntil, g.CreatedAt = g.ValidFrom.UTC(), g.ValidUntil.UTC(), now
		if _, err := tx.NewInsert().Model(g).Exec(ctx); err != nil {
			return fmt.Errorf("grant file access: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: f.CommissionID, Actor: actor, Action: "file.access_grant", Object: models.ObjectRef("file", f.ID),
			Details: map[string]any{"user_id": u.ID, "from": g.ValidFrom.Format(time.RFC3339), "until": g.ValidUntil.Format(time.RFC3339), "reason": g.Reason},
		})
	})
}

// RevokeFileAccess removes a grant of commission cid (e.g. the file left the agenda).
func RevokeFileAccess(ctx context.Context, db bun.IDB, actor models.Actor, cid, grantID int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		g := new(FileAccessGrant)
		if err := tx.NewSelect().Model(g).Where("id = ? AND commission_id = ?", grantID, cid).Scan(ctx); err != nil {
			return models.NotFound(err, "find file access grant")
		}
		if _, err := tx.NewDelete().Model(g).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("revoke file access: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: actor, Action: "file.access_revoke", Object: models.ObjectRef("file", g.FileID),
			Details: map[string]any{"user_id": g.UserID, "grant_id": g.ID},
		})
	})
}

// ListFileAccessGrants returns the grants on a file of commission cid.
func ListFileAccessGrants(ctx context.Context, db bun.IDB, cid, fileID int64) ([]FileAccessGrant, error) {
	var gs []FileAccessGrant
	if err := db.NewSelect().Model(&gs).Where("commission_id = ? AND file_id = ?", cid, fileID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list file access grants: %w", err)
	}
	return gs, nil
}

// DeclareInterest records that user userID has an interest in file fileID of commission
// cid: from then on they neither see it nor vote on it (REGLES.md requirement 6).
func DeclareInterest(ctx context.Context, db bun.IDB, actor models.Actor, cid, fileID, userID int64, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return models.FieldErrors{"reason": "Indiquez la nature de l'intérêt déclaré."}.Err()
	}
	if err := models.TextError("reason", "Nature de l'intérêt", reason, models.MaxNoteLength); err != nil {
		return err
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, err := FindFileRow(ctx, tx, cid, fileID)
		if err != nil {
			return err
		}
		u, err := models.FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.CommissionIDOrZero() != cid {
			return models.ErrNotFound
		}
		exists, err := tx.NewSelect().Model((*FileInterest)(nil)).Where("file_id = ? AND user_id = ?", fileID, userID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("declare interest: %w", err)
		}
		if exists {
			return models.Refuse("Cet intérêt est déjà déclaré.")
		}
		in := &FileInterest{CommissionID: cid, FileID: fileID, UserID: userID, Reason: reason, DeclaredAt: now.UTC()}
		if _, err := tx.NewInsert().Model(in).Exec(ctx); err != nil {
			return fmt.Errorf("declare interest: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: actor, Action: "file.interest", Object: models.ObjectRef("file", f.ID),
			Details: map[string]any{"reference": f.Reference, "user_id": userID},
		})
	})
}

// Exclusion is a user who must not see a file nor take part in its vote, and why.
type Exclusion struct {
	UserID int64
	Name   string
	Reason string // French
}

// FileExclusions returns the users of commission cid excluded from file fileID: the
// accounts and members of the instructing association (R121-12-7) and the users who
// declared an interest (R133-12). The voting feature leaves them out and the minutes
// show them (REGLES.md requirement 6).
func FileExclusions(ctx context.Context, db bun.IDB, cid, fileID int64) ([]Exclusion, error) {
	f, err := FindFileRow(ctx, db, cid, fileID)
	if err != nil {
		return nil, err
	}
	return NewExclusionLookup().Exclusions(ctx, db, f)
}

// ExclusionLookup keeps what the exclusions of several files share (the seats and
// accounts of each association, the accounts that declared an interest), so that a
// page listing many agenda items loads each once.
type ExclusionLookup struct {
	seats      map[int64][]registry.Seat // by association
	assocUsers map[int64][]models.User   // by association
	users      map[int64]*models.User
	files      map[int64]*File          // preloaded file rows, by id
	interests  map[int64][]FileInterest // preloaded declared interests, by file
}

// NewExclusionLookup returns an empty lookup, for a page that computes the exclusions of several items.
func NewExclusionLookup() *ExclusionLookup {
	return &ExclusionLookup{seats: map[int64][]registry.Seat{}, assocUsers: map[int64][]models.User{}, users: map[int64]*models.User{},
		files: map[int64]*File{}, interests: map[int64][]FileInterest{}}
}

// Preload reads the file rows and declared interests of files ids in two statements,
// for a page that computes the exclusions of each.
func (lk *ExclusionLookup) Preload(ctx context.Context, db bun.IDB, cid int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var fs []File
	if err := db.NewSelect().Model(&fs).Where("id IN (?) AND commission_id = ?", bun.In(ids), cid).Scan(ctx); err != nil {
		return fmt.Errorf("exclusions: files: %w", err)
	}
	var ins []FileInterest
	if err := db.NewSelect().Model(&ins).Where("file_id IN (?) AND commission_id = ?", bun.In(ids), cid).Order("id ASC").Scan(ctx); err != nil {
		return fmt.Errorf("exclusions: interests: %w", err)
	}
	for i := range fs {
		lk.files[fs[i].ID] = &fs[i]
		lk.interests[fs[i].ID] = []FileInterest{}
	}
	for _, in := range ins {
		lk.interests[in.FileID] = append(lk.interests[in.FileID], in)
	}
	return nil
}

// File returns the row of file id of commission cid, preloaded or read once.
func (lk *ExclusionLookup) File(ctx context.Context, db bun.IDB, cid, id int64) (*File, error) {
	if f, ok := lk.files[id]; ok {
		return f, nil
	}
	return FindFileRow(ctx, db, cid, id)
}

func (lk *ExclusionLookup) interestsOf(ctx context.Context, db bun.IDB, fileID int64) ([]FileInterest, error) {
	if ins, ok := lk.interests[fileID]; ok {
		return ins, nil
	}
	var ins []FileInterest
	if err := db.NewSelect().Model(&ins).Where("file_id = ?", fileID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("file exclusions: %w", err)
	}
	return ins, nil
}

// SeatsOf returns the seats of association aid of commission cid, read once.
func (lk *ExclusionLookup) SeatsOf(ctx context.Context, db bun.IDB, cid, aid int64) ([]registry.Seat, error) {
	if ss, ok := lk.seats[aid]; ok {
		return ss, nil
	}
	ss, err := registry.SeatsOfAssociation(ctx, db, cid, aid)
	if err != nil {
		return nil, err
	}
	lk.seats[aid] = ss
	return ss, nil
}

func (lk *ExclusionLookup) usersOf(ctx context.Context, db bun.IDB, cid, aid int64) ([]models.User, error) {
	if us, ok := lk.assocUsers[aid]; ok {
		return us, nil
	}
	var us []models.User
	if err := db.NewSelect().Model(&us).Where("commission_id = ? AND association_id = ?", cid, aid).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("file exclusions: %w", err)
	}
	lk.assocUsers[aid] = us
	for i := range us {
		lk.users[us[i].ID] = &us[i]
	}
	return us, nil
}

// User returns user id, read once.
func (lk *ExclusionLookup) User(ctx context.Context, db bun.IDB, id int64) (*models.User, error) {
	if u, ok := lk.users[id]; ok {
		return u, nil
	}
	u, err := models.FindUser(ctx, db, id)
	if err != nil {
		return nil, err
	}
	lk.users[id] = u
	return u, nil
}

// Exclusions is FileExclusions for the file row f, through lk.
func (lk *ExclusionLookup) Exclusions(ctx context.Context, db bun.IDB, f *File) ([]Exclusion, error) {
	us, err := lk.usersOf(ctx, db, f.CommissionID, f.AssociationID)
	if err != nil {
		return nil, err
	}
	out := []Exclusion{}
	seen := map[int64]bool{}
	for _, u := range us {
		seen[u.ID] = true
		out = append(out, Exclusion{UserID: u.ID, Name: u.Name, Reason: "Association qui instruit le dossier"})
	}
	ins, err := lk.interestsOf(ctx, db, f.ID)
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		if seen[in.UserID] {
			continue
		}
		u, err := lk.User(ctx, db, in.UserID)
		if err != nil {
			return nil, err
		}
		seen[u.ID] = true
		out = append(out, Exclusion{UserID: u.ID, Name: u.Name, Reason: "Intérêt déclaré : " + in.Reason})
	}
	return out, nil
}
