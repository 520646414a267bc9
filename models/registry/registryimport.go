package registry

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// ImportRow is one line of an imported composition file (the columns of the export,
// CompositionRow), as app/registry reads it. Cells are kept as typed, except dates.
type ImportRow struct {
	Line         int // line in the sheet, the header being line 1
	Category     string
	Organisation string
	Quality      string
	Role         string // "Titulaire" or "Suppléant"
	Name         string
	Email        string
	StartsOn     time.Time // zero when the cell is empty or unreadable (see Errors)
	TermEndsOn   time.Time // zero: three years from StartsOn
	ArreteRef    string
	VotingRight  string // "Oui" or "Non"; empty: oui for a new seat, unchanged otherwise
	// Errors holds what the reader could not read (an unreadable date), keyed like the
	// preview's errors: "category", "organisation", "quality", "role", "name", "email",
	// "starts_on", "term_ends_on", "arrete_ref", "voting_right".
	Errors models.FieldErrors
}

// MaxImportRows bounds the rows of one import.
const MaxImportRows = 2000

// ErrTooManyImportRows refuses an import of more than MaxImportRows rows.
var ErrTooManyImportRows = models.FieldErrors{"file": fmt.Sprintf("Le fichier compte plus de %d lignes.", MaxImportRows)}

// ImportAction is what importing a row will do.
type ImportAction string

// The import actions.
const (
	ImportCreate    ImportAction = "create"    // new seat or new mandate
	ImportChange    ImportAction = "change"    // replacement, renewal, corrected dates, arrêté, name or seat
	ImportUnchanged ImportAction = "unchanged" // already recorded as is
	ImportInvalid   ImportAction = "error"     // the row has errors: nothing will be written
)

// Label is the French name of the action.
func (a ImportAction) Label() string {
	switch a {
	case ImportCreate:
		return "Création"
	case ImportChange:
		return "Modification"
	case ImportUnchanged:
		return "Sans changement"
	case ImportInvalid:
		return "Erreur"
	}
	return string(a)
}

// ImportRowPreview is what the preview says about one row.
type ImportRowPreview struct {
	Row     ImportRow
	Action  ImportAction
	Changes []string           // French: what will be created or changed
	Errors  models.FieldErrors // French, keyed as ImportRow.Errors
}

// ImportPreview lists what an import will do; nothing is written until ApplyImport.
// For every seat the file lists, the file is the composition: the current mandates
// of that seat that the file no longer lists end the day before the import (Ended).
// Seats the file does not list are left as they are.
type ImportPreview struct {
	Rows                                 []ImportRowPreview
	Ended                                []string // French: mandates that will end
	Created, Changed, Unchanged, Invalid int
}

// HasErrors reports whether some row has errors, in which case nothing can be imported.
func (p *ImportPreview) HasErrors() bool { return p.Invalid > 0 }

// HasChanges reports whether applying the import would write anything.
func (p *ImportPreview) HasChanges() bool { return p.Created+p.Changed+len(p.Ended) > 0 }

// ErrImportInvalid is returned by ApplyImport when a row has errors: nothing was written.
var ErrImportInvalid = models.NewRefusal("Le fichier contient des erreurs : rien n'a été enregistré.")

// Invitation is an account created by an import, with the secret of its invitation link.
type Invitation struct {
	User   *models.User
	Secret string
}

// ImportResult is what ApplyImport did.
type ImportResult struct {
	Preview     ImportPreview
	Invitations []Invitation // to e-mail at once: the secrets are shown nowhere else
}

// PreviewImport checks rows against the composition of commission cid on the day of now
// and says, row by row, what ApplyImport would do, with French error messages. It writes
// nothing.
func PreviewImport(ctx context.Context, db bun.IDB, cid int64, rows []ImportRow, now time.Time) (*ImportPreview, error) {
	p, err := planImport(ctx, db, cid, rows, now)
	if err != nil {
		return nil, err
	}
	return &p.preview, nil
}

// ApplyImport imports rows in one transaction: seats, appointments (with accounts and
// invitations for new e-mails), replacements, renewals, corrections and ends, as
// PreviewImport describes them. If any row has errors it writes nothing and returns
// ErrImportInvalid.
func ApplyImport(ctx context.Context, db bun.IDB, actor models.Actor, cid int64, rows []ImportRow, now time.Time) (*ImportResult, error) {
	var res *ImportResult
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		p, err := planImport(ctx, tx, cid, rows, now)
		if err != nil {
			return err
		}
		if p.preview.HasErrors() {
			return ErrImportInvalid
		}
		res = &ImportResult{Preview: p.preview}
		for _, sp := range p.seats {
			if err := sp.apply(ctx, tx, actor, now, res); err != nil {
				return err
			}
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: actor, Action: "registry.import", Object: models.ObjectRef("commission", cid),
			Details: map[string]any{
				"rows": len(rows), "created": p.preview.Created, "changed": p.preview.Changed,
				"unchanged": p.preview.Unchanged, "ended": len(p.preview.Ended),
			},
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importPlan is the work an import will do, seat by seat.
type importPlan struct {
	cid     int64
	preview ImportPreview
	seats   []*seatPlan
}

type seatPlan struct {
	seat   *Seat // ID 0 when the import creates it
	update bool  // voting right or suppléant places change
	ends   []endOp
	ops    []mandateOp
}

type endOp struct {
	m       *Mandate
	lastDay time.Time
	reason  MandateEndReason
}

type opKind int

const (
	opNone    opKind = iota
	opAppoint        // new mandate (replacing replaces, if set)
	opCorrect        // same person, other dates or arrêté
	opRenew          // same person, next term
)

type mandateOp struct {
	kind     opKind
	row      importRowData
	user     *models.User // existing account; nil: create it
	mandate  *Mandate     // for opCorrect and opRenew
	replaces *Mandate
	rename   bool
}

// importRowData is a row once parsed.
type importRowData struct {
	idx      int // index of the row in the file's rows
	line     int
	category SeatCategory
	org      string
	quality  string
	kind     MandateKind
	name     string
	email    string
	start    time.Time
	end      time.Time
	arrete   string
	voting   *bool // nil: the cell is empty
}

// who names the row's person in messages.
func (d importRowData) who() string {
	if d.name != "" {
		return d.name
	}
	return d.email
}

// parseYesNo reads a voting-right cell; an empty cell gives nil.
func parseYesNo(s string) (*bool, bool) {
	yes, no := true, false
	switch foldKey(s) {
	case "":
		return nil, true
	case "oui", "o", "yes", "y", "x", "1", "vrai", "true":
		return &yes, true
	case "non", "n", "no", "0", "faux", "false":
		return &no, true
	}
	return nil, false
}

// planImport reads the composition and works out what rows change. Errors of rows are
// in the preview; the error returned is a database error, or ErrTooManyImportRows.
func planImport(ctx context.Context, db bun.IDB, cid int64, rows []ImportRow, now time.Time) (*importPlan, error) {
	if len(rows) > MaxImportRows {
		return nil, ErrTooManyImportRows.Err()
	}
	seats, err := ListSeats(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	ms, err := commissionMandates(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	assocs, err := ListAssociations(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	users, err := usersByEmail(ctx, db, rows)
	if err != nil {
		return nil, err
	}
	today := models.CalendarDay(now)
	p := &importPlan{cid: cid}
	p.preview.Rows = make([]ImportRowPreview, len(rows))
	data := make([]importRowData, len(rows))
	firstLine := map[string]int{} // e-mail → first line
	for i, r := range rows {
		fe := models.FieldErrors{}
		for k, v := range r.Errors {
			fe.Add(k, v)
		}
		data[i] = parseImportRow(r, assocs, users, cid, fe)
		data[i].idx = i
		if e := data[i].email; e != "" {
			if l, dup := firstLine[e]; dup {
				fe.Add("email", fmt.Sprintf("Cette adresse figure déjà ligne %d.", l))
			} else {
				firstLine[e] = r.Line
			}
		}
		p.preview.Rows[i] = ImportRowPreview{Row: r, Errors: fe}
	}

	bySeatKey := map[string]*Seat{}
	for i := range seats {
		bySeatKey[seatKey(seats[i].Category, seats[i].Organisation, seats[i].Quality)] = &seats[i]
	}
	current := currentOf(ms, "", today)
	var order []string
	groups := map[string][]int{}
	for i, d := range data {
		if d.category == 0 || d.org == "" || d.quality == "" {
			continue
		}
		k := seatKey(d.category, d.org, d.quality)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	ending := map[int64]bool{} // mandates the plan ends
	for _, k := range order {
		sp := p.planSeat(bySeatKey[k], groups[k], data, assocs, ms, current, today, ending)
		p.seats = append(p.seats, sp)
	}
	p.checkPersonsFree(current, ending)
	for i := range p.preview.Rows {
		rp := &p.preview.Rows[i]
		switch {
		case len(rp.Errors) > 0:
			rp.Action, rp.Changes = ImportInvalid, nil
			p.preview.Invalid++
		case rp.Action == ImportCreate:
			p.preview.Created++
		case rp.Action == ImportChange:
			p.preview.Changed++
		default:
			rp.Action = ImportUnchanged
			p.preview.Unchanged++
		}
	}
	return p, nil
}

func usersByEmail(ctx context.Context, db bun.IDB, rows []ImportRow) (map[string]*models.User, error) {
	var emails []string
	for _, r := range rows {
		if e := models.NormalizeEmail(r.Email); e != "" {
			emails = append(emails, e)
		}
	}
	out := map[string]*models.User{}
	if len(emails) == 0 {
		return out, nil
	}
	var us []models.User
	if err := db.NewSelect().Model(&us).Where("email IN (?)", bun.In(emails)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("import: find accounts: %w", err)
	}
	for i := range us {
		out[us[i].Email] = &us[i]
	}
	return out, nil
}

// parseImportRow checks one row on its own, adding its problems to fe.
func parseImportRow(r ImportRow, assocs []Association, users map[string]*models.User, cid int64, fe models.FieldErrors) importRowData {
	d := importRowData{
		line: r.Line, org: strings.TrimSpace(r.Organisation), quality: strings.TrimSpace(r.Quality),
		name: strings.TrimSpace(r.Name), email: models.NormalizeEmail(r.Email), arrete: strings.TrimSpace(r.ArreteRef),
		start: r.StartsOn, end: r.TermEndsOn,
	}
	if strings.TrimSpace(r.Category) == "" {
		fe.Add("category", "La catégorie manque.")
	} else if c, ok := ParseSeatCategory(r.Category); ok {
		d.category = c
	} else {
		fe.Add("category", "Catégorie inconnue : « "+strings.TrimSpace(r.Category)+" » (numéro de 1 à 11 ou libellé de R121-12-7).")
	}
	if d.org == "" {
		fe.Add("organisation", "L'organisme manque.")
	}
	if d.quality == "" {
		fe.Add("quality", "La qualité manque.")
	}
	models.CheckLine(fe, "organisation", "Organisme", d.org, models.MaxLineLength)
	models.CheckLine(fe, "quality", "Qualité", d.quality, models.MaxLineLength)
	models.CheckLine(fe, "name", "Nom", d.name, models.MaxLineLength)
	if k, ok := ParseMandateKind(r.Role); ok {
		d.kind = k
	} else {
		fe.Add("role", "Rôle inconnu : « "+strings.TrimSpace(r.Role)+" » (titulaire ou suppléant).")
	}
	if v, ok := parseYesNo(r.VotingRight); ok {
		d.voting = v
	} else {
		fe.Add("voting_right", "Voix délibérative : indiquez oui ou non.")
	}
	if _, unreadable := fe["starts_on"]; !unreadable {
		if _, unreadable := fe["term_ends_on"]; !unreadable {
			for k, v := range validateTerm(d.start, &d.end, d.arrete) {
				fe.Add(k, v)
			}
		}
	}
	switch u := users[d.email]; {
	case d.email == "":
		fe.Add("email", "L'adresse électronique manque.")
	case !models.ValidEmail(d.email):
		fe.Add("email", "L'adresse électronique « "+d.email+" » n'est pas valide.")
	case u != nil:
		if msg := personProblem(u, cid); msg != "" {
			fe.Add("email", msg)
		}
	case d.name == "":
		fe.Add("name", "Le nom de la personne manque.")
	}
	if d.category == CategoryAssociation && d.org != "" && findAssociationByName(assocs, d.org) == nil {
		fe.Add("organisation", "Aucune association agréée de ce nom n'est connue de la commission : créez-la d'abord.")
	}
	return d
}

func findAssociationByName(as []Association, name string) *Association {
	for i := range as {
		if foldKey(as[i].Name) == foldKey(name) {
			return &as[i]
		}
	}
	return nil
}

// planSeat plans the rows of one seat: seat creation or update, then each person.
func (p *importPlan) planSeat(seat *Seat, idx []int, data []importRowData, assocs []Association, all, current []Mandate, today time.Time, ending map[int64]bool) *seatPlan {
	first := data[idx[0]]
	rowErr := func(i int, field, msg string) { p.preview.Rows[i].Errors.Add(field, msg) }
	change := func(i int, action ImportAction, msg string) {
		rp := &p.preview.Rows[i]
		if rp.Action != ImportCreate {
			rp.Action = action
		}
		rp.Changes = append(rp.Changes, msg)
	}
	var titulaires, suppleants []int
	var voting *bool // the seat's voting right in the file, nil when no row says
	var votingLine int
	for _, i := range idx {
		d := data[i]
		if d.voting != nil {
			if voting == nil {
				voting, votingLine = d.voting, d.line
			} else if *d.voting != *voting {
				rowErr(i, "voting_right", fmt.Sprintf("La voix délibérative diffère de la ligne %d pour le même siège.", votingLine))
			}
		}
		switch d.kind {
		case MandateTitulaire:
			if len(titulaires) > 0 {
				rowErr(i, "role", fmt.Sprintf("Le siège a déjà un titulaire ligne %d.", data[titulaires[0]].line))
			}
			titulaires = append(titulaires, i)
		case MandateSuppleant:
			if !first.category.SuppleantsAllowed() {
				rowErr(i, "role", first.category.SuppleantRule())
			} else if len(suppleants) == MaxSuppleantPlaces {
				rowErr(i, "role", fmt.Sprintf("Un siège a au plus %d suppléants.", MaxSuppleantPlaces))
			}
			suppleants = append(suppleants, i)
		}
	}

	sp := &seatPlan{seat: seat}
	if seat == nil {
		sp.seat = &Seat{CommissionID: p.cid, Category: first.category, Organisation: first.org, Quality: first.quality, VotingRight: voting == nil || *voting}
		if first.category.SuppleantsAllowed() {
			sp.seat.SuppleantPlaces = max(len(suppleants), 1)
		}
		if first.category == CategoryAssociation {
			if a := findAssociationByName(assocs, first.org); a != nil {
				sp.seat.AssociationID = &a.ID
			}
		}
		p.preview.Rows[idx[0]].Action = ImportCreate
		change(idx[0], ImportCreate, "Nouveau siège : "+sp.seat.Label()+".")
	} else {
		copied := *seat
		sp.seat = &copied
		if voting != nil && seat.VotingRight != *voting {
			sp.seat.VotingRight, sp.update = *voting, true
			change(idx[0], ImportChange, "Voix délibérative : "+yesNo(seat.VotingRight)+" → "+yesNo(*voting)+".")
		}
		if len(suppleants) > seat.SuppleantPlaces && first.category.SuppleantsAllowed() {
			sp.seat.SuppleantPlaces, sp.update = len(suppleants), true
			change(idx[0], ImportChange, fmt.Sprintf("Places de suppléant : %d → %d.", seat.SuppleantPlaces, len(suppleants)))
		}
	}

	var seatAll, seatCurrent []Mandate
	if seat != nil {
		for _, m := range all {
			if m.SeatID == seat.ID {
				seatAll = append(seatAll, m)
			}
		}
		for _, m := range current {
			if m.SeatID == seat.ID {
				seatCurrent = append(seatCurrent, m)
			}
		}
	}
	matched := map[int64]bool{}
	endOn := today.AddDate(0, 0, -1)
	for _, i := range append(titulaires, suppleants...) {
		d := data[i]
		op := mandateOp{kind: opAppoint, row: d}
		if m := matchMandate(seatAll, d, today); m != nil {
			matched[m.ID] = true
			op = p.planSamePerson(i, m, d, change)
		} else {
			if d.kind == MandateTitulaire {
				if t := titulaireOf(seatCurrent); t != nil && !matched[t.ID] {
					if !d.start.After(t.StartsOn) {
						rowErr(i, "starts_on", "Le remplacement de "+t.User.Name+" doit commencer après le début de son mandat ("+models.FrDate(t.StartsOn)+").")
					}
					matched[t.ID], ending[t.ID] = true, true
					sp.ends = append(sp.ends, endOp{m: t, lastDay: d.start.AddDate(0, 0, -1), reason: MandateReplaced})
					op.replaces = t
					change(i, ImportChange, "Remplacement de "+t.User.Name+" par "+d.who()+" à compter du "+models.FrDate(d.start)+" (titulaire).")
				}
			}
			if op.replaces == nil {
				change(i, ImportCreate, "Nomination de "+d.who()+" ("+lowerFirst(d.kind.Label())+") du "+models.FrDate(d.start)+" au "+models.FrDate(d.end)+".")
			}
		}
		sp.ops = append(sp.ops, op)
	}
	for i := range seatCurrent {
		m := &seatCurrent[i]
		if matched[m.ID] {
			continue
		}
		ending[m.ID] = true
		sp.ends = append(sp.ends, endOp{m: m, lastDay: endOn, reason: MandateRemoved})
		p.preview.Ended = append(p.preview.Ended, fmt.Sprintf("Fin du mandat de %s (%s, %s) le %s : absent du fichier.",
			m.User.Name, lowerFirst(m.Kind.Label()), sp.seat.Label(), models.FrDate(endOn)))
	}
	return sp
}

// matchMandate finds the mandate of the row's person on the seat, of the row's kind,
// that is current today or starts later: the one whose term contains the row's start,
// else the current one.
func matchMandate(seatAll []Mandate, d importRowData, today time.Time) *Mandate {
	var best *Mandate
	for i := range seatAll {
		m := &seatAll[i]
		if m.Kind != d.kind || m.User == nil || m.User.Email != d.email || m.LastDay().Before(today) ||
			(m.EndedOn != nil && m.EndReason != MandateRenewed) {
			continue
		}
		if !d.start.Before(m.StartsOn) && !d.start.After(m.TermEndsOn) {
			return m
		}
		if m.CurrentOn(today) {
			best = m
		}
	}
	return best
}

// planSamePerson compares a row with the person's recorded mandate.
func (p *importPlan) planSamePerson(i int, m *Mandate, d importRowData, change func(int, ImportAction, string)) mandateOp {
	op := mandateOp{kind: opNone, row: d, user: m.User, mandate: m}
	switch {
	case d.start.After(m.TermEndsOn) && m.EndedOn == nil:
		op.kind = opRenew
		change(i, ImportChange, "Renouvellement du mandat de "+d.who()+" du "+models.FrDate(d.start)+" au "+models.FrDate(d.end)+".")
	case d.start.After(m.TermEndsOn):
		p.preview.Rows[i].Errors.Add("starts_on", "Le mandat suivant de cette personne est déjà enregistré.")
	case !d.start.Equal(m.StartsOn) || !d.end.Equal(m.TermEndsOn):
		op.kind = opCorrect
		change(i, ImportChange, "Mandat : du "+models.FrDate(m.StartsOn)+" au "+models.FrDate(m.TermEndsOn)+" → du "+models.FrDate(d.start)+" au "+models.FrDate(d.end)+".")
	case d.arrete != m.ArreteRef:
		op.kind = opCorrect
	}
	if op.kind == opCorrect && d.arrete != m.ArreteRef {
		change(i, ImportChange, "Arrêté : « "+m.ArreteRef+" » → « "+d.arrete+" ».")
	}
	if d.name != "" && d.name != m.User.Name {
		op.rename = true
		change(i, ImportChange, "Nom : « "+m.User.Name+" » → « "+d.name+" ».")
	}
	return op
}

// checkPersonsFree refuses to appoint someone who keeps another current mandate.
func (p *importPlan) checkPersonsFree(current []Mandate, ending map[int64]bool) {
	for _, sp := range p.seats {
		for _, op := range sp.ops {
			if op.kind != opAppoint {
				continue
			}
			for _, m := range current {
				if m.User.Email == op.row.email && !ending[m.ID] && (sp.seat.ID == 0 || m.SeatID != sp.seat.ID || m.Kind != op.row.kind) {
					p.preview.Rows[op.row.idx].Errors.Add("email", fmt.Sprintf("Cette personne siège déjà (%s, %s) : retirez-la de ce siège dans le fichier ou mettez fin à son mandat.",
						m.Seat.Label(), lowerFirst(m.Kind.Label())))
				}
			}
		}
	}
}

func titulaireOf(ms []Mandate) *Mandate {
	for i := range ms {
		if ms[i].Kind == MandateTitulaire {
			return &ms[i]
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// apply writes the seat plan in the import's transaction.
func (sp *seatPlan) apply(ctx context.Context, tx bun.Tx, actor models.Actor, now time.Time, res *ImportResult) error {
	cid := sp.seat.CommissionID
	switch {
	case sp.seat.ID == 0:
		if err := createSeatTx(ctx, tx, actor, sp.seat, now); err != nil {
			return fmt.Errorf("import seat %q: %w", sp.seat.Label(), err)
		}
	case sp.update:
		if err := UpdateSeat(ctx, tx, actor, sp.seat, now); err != nil {
			return fmt.Errorf("import seat %q: %w", sp.seat.Label(), err)
		}
	}
	for _, e := range sp.ends {
		if err := endMandateTx(ctx, tx, actor, e.m, e.lastDay, e.reason, now); err != nil {
			return err
		}
	}
	for _, op := range sp.ops {
		d := op.row
		if op.rename {
			if err := models.RenamePersonTx(ctx, tx, actor, op.user, d.name, now); err != nil {
				return err
			}
		}
		switch op.kind {
		case opCorrect:
			if err := correctMandateTx(ctx, tx, actor, op.mandate, d.start, d.end, d.arrete, now); err != nil {
				return err
			}
		case opRenew:
			if err := endMandateTx(ctx, tx, actor, op.mandate, op.mandate.TermEndsOn, MandateRenewed, now); err != nil {
				return err
			}
			fallthrough
		case opAppoint:
			u := op.user
			if u == nil {
				if found, err := models.FindUserByEmail(ctx, tx, d.email); err == nil {
					u = found
				} else if err != models.ErrNotFound {
					return err
				} else {
					var secret string
					if u, secret, err = createPersonTx(ctx, tx, actor, sp.seat, d.email, d.name, now); err != nil {
						return err
					}
					res.Invitations = append(res.Invitations, Invitation{User: u, Secret: secret})
				}
			}
			m := &Mandate{
				CommissionID: cid, SeatID: sp.seat.ID, UserID: u.ID, Kind: d.kind,
				StartsOn: d.start, TermEndsOn: d.end, ArreteRef: d.arrete,
			}
			if op.replaces != nil {
				m.ReplacesID = &op.replaces.ID
			}
			if err := insertMandateTx(ctx, tx, actor, m, now); err != nil {
				return fmt.Errorf("import line %s: %w", strconv.Itoa(d.line), err)
			}
		}
	}
	return nil
}
