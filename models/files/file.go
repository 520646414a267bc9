package files

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/registry"
)

// FileKind is what an individual file asks for.
type FileKind string

// The kinds of request.
const (
	KindEngagement FileKind = "engagement"     // entry into the parcours
	KindRenewal    FileKind = "renouvellement" // a further period
	KindEnd        FileKind = "fin"            // end of the parcours (e.g. commitments not kept)
	KindSuspension FileKind = "suspension"     // suspension of the parcours and its rights
	KindAFIS       FileKind = "afis"           // AFIS grant or review during the parcours
)

// FileKinds lists the kinds in display order.
var FileKinds = []FileKind{KindEngagement, KindRenewal, KindEnd, KindSuspension, KindAFIS}

// Label is the French name of the kind.
func (k FileKind) Label() string {
	switch k {
	case KindEngagement:
		return "Engagement dans le parcours"
	case KindRenewal:
		return "Renouvellement"
	case KindEnd:
		return "Fin du parcours"
	case KindSuspension:
		return "Suspension du parcours"
	case KindAFIS:
		return "Attribution ou réexamen de l'AFIS"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k FileKind) Valid() bool { return slices.Contains(FileKinds, k) }

// NeedsParcours reports whether the request is about an existing parcours.
func (k FileKind) NeedsParcours() bool { return k != KindEngagement }

// EndsRights reports whether authorising the request ends or suspends rights, which
// requires that the person could first submit observations (REGLES.md requirement 10).
func (k FileKind) EndsRights() bool { return k == KindEnd || k == KindSuspension }

// Avis is an opinion: the association's on its proposal, or the commission's.
type Avis string

// The opinions.
const (
	AvisFavorable   Avis = "favorable"
	AvisReserve     Avis = "reserve"
	AvisDefavorable Avis = "defavorable"
)

// Avises lists the opinions in display order.
var Avises = []Avis{AvisFavorable, AvisReserve, AvisDefavorable}

// Label is the French name of the opinion.
func (a Avis) Label() string {
	switch a {
	case AvisFavorable:
		return "Favorable"
	case AvisReserve:
		return "Réservé"
	case AvisDefavorable:
		return "Défavorable"
	}
	return string(a)
}

// Valid reports whether a is a known opinion.
func (a Avis) Valid() bool { return slices.Contains(Avises, a) }

// EndReason is why a parcours ended.
type EndReason string

// The reasons a parcours ends.
const (
	EndMaxDuration EndReason = "max_duration" // 24 months of rights reached
	EndNotRenewed  EndReason = "not_renewed"  // not renewed
	EndBreach      EndReason = "breach"       // ended for commitments not kept
	EndLeft        EndReason = "left"         // left by the person
	EndMoved       EndReason = "moved"        // moved to another department
)

// EndReasons lists the reasons in display order.
var EndReasons = []EndReason{EndMaxDuration, EndNotRenewed, EndBreach, EndLeft, EndMoved}

// Label is the French name of the reason.
func (r EndReason) Label() string {
	switch r {
	case EndMaxDuration:
		return "Durée maximale de 24 mois atteinte"
	case EndNotRenewed:
		return "Non renouvelé"
	case EndBreach:
		return "Fin pour non-respect des engagements"
	case EndLeft:
		return "Sortie à l'initiative de la personne"
	case EndMoved:
		return "Départ vers un autre département"
	}
	return string(r)
}

// Valid reports whether r is a known reason.
func (r EndReason) Valid() bool { return slices.Contains(EndReasons, r) }

// ActionKind is the domain of a planned action of the parcours (R121-12-9, -11).
type ActionKind string

// The kinds of action.
const (
	ActionHousing      ActionKind = "housing"
	ActionCare         ActionKind = "care"
	ActionRights       ActionKind = "rights"
	ActionSocial       ActionKind = "social"
	ActionProfessional ActionKind = "professional"
)

// ActionKinds lists the kinds of action in display order.
var ActionKinds = []ActionKind{ActionHousing, ActionCare, ActionRights, ActionSocial, ActionProfessional}

// Label is the French name of the kind of action.
func (k ActionKind) Label() string {
	switch k {
	case ActionHousing:
		return "Logement ou hébergement"
	case ActionCare:
		return "Accès aux soins"
	case ActionRights:
		return "Accès aux droits"
	case ActionSocial:
		return "Insertion sociale"
	case ActionProfessional:
		return "Insertion professionnelle"
	}
	return string(k)
}

// Valid reports whether k is a known kind of action.
func (k ActionKind) Valid() bool { return slices.Contains(ActionKinds, k) }

// PlannedAction is one action of the association's proposal.
type PlannedAction struct {
	Kind           ActionKind `json:"kind"`
	Description    string     `json:"description"`
	DurationMonths int        `json:"duration_months"`
	Result         string     `json:"result,omitempty"` // expected or achieved
}

// MaxPlannedActions bounds the planned actions of a proposal.
const MaxPlannedActions = 15

// Proposal is the association's proposal (R121-12-9). Its free text may reveal health or
// private life, so it is stored sealed (aad "file:<id>:proposal"); the association's
// avis itself is kept in clear on the file.
type Proposal struct {
	Commitments     string          `json:"commitments"` // the person's commitments
	Actions         []PlannedAction `json:"actions"`
	ExpectedResults string          `json:"expected_results"`
	AchievedResults string          `json:"achieved_results"` // on renewal, end, suspension
	Difficulties    string          `json:"difficulties"`
	AvisReasoning   string          `json:"avis_reasoning"` // why the association gives its avis
}

// State is where a file is in its lifecycle (see transitionRoles).
type State string

// The states of a file.
const (
	StateDraft      State = "draft"
	StateSubmitted  State = "submitted"
	StateIncomplete State = "incomplete"
	StateAdmissible State = "admissible"
	StateScheduled  State = "scheduled"
	StateExamined   State = "examined"
	StateDecided    State = "decided"
)

// States lists the states in lifecycle order.
var States = []State{StateDraft, StateSubmitted, StateIncomplete, StateAdmissible, StateScheduled, StateExamined, StateDecided}

// Label is the French name of the state.
func (s State) Label() string {
	switch s {
	case StateDraft:
		return "Brouillon"
	case StateSubmitted:
		return "Déposé"
	case StateIncomplete:
		return "Incomplet"
	case StateAdmissible:
		return "Recevable"
	case StateScheduled:
		return "Inscrit à l'ordre du jour"
	case StateExamined:
		return "Examiné"
	case StateDecided:
		return "Décidé"
	}
	return string(s)
}

// DecisionOutcome is the préfet's decision (R121-12-10).
type DecisionOutcome string

// The decisions.
const (
	DecisionAuthorised DecisionOutcome = "authorised"
	DecisionRefused    DecisionOutcome = "refused"
)

// Label is the French name of the decision.
func (d DecisionOutcome) Label() string {
	switch d {
	case DecisionAuthorised:
		return "Autorisation"
	case DecisionRefused:
		return "Refus"
	}
	return string(d)
}

// ObservationMeans is how the person was able to submit observations.
type ObservationMeans string

// The means of observations.
const (
	ObservationsLetter  ObservationMeans = "letter"  // registered letter
	ObservationsMeeting ObservationMeans = "meeting" // interview
	ObservationsEmail   ObservationMeans = "email"
	ObservationsHand    ObservationMeans = "hand" // letter handed over
)

// ObservationMeansList lists the means in display order.
var ObservationMeansList = []ObservationMeans{ObservationsLetter, ObservationsMeeting, ObservationsEmail, ObservationsHand}

// Label is the French name of the means.
func (m ObservationMeans) Label() string {
	switch m {
	case ObservationsLetter:
		return "Courrier recommandé"
	case ObservationsMeeting:
		return "Entretien"
	case ObservationsEmail:
		return "Courriel"
	case ObservationsHand:
		return "Courrier remis en main propre"
	}
	return string(m)
}

// File is an individual file: one request about one person, instructed by one approved
// association, shown everywhere by its pseudonymous Reference (e.g. "31-2026-0042").
type File struct {
	bun.BaseModel `bun:"table:files"`

	ID            int64    `bun:",pk,autoincrement"`
	CommissionID  int64    `bun:",notnull"`
	Reference     string   `bun:",notnull,unique"` // department-year-sequence, never reused
	Year          int      `bun:",notnull"`
	Seq           int      `bun:",notnull"`
	PersonID      int64    `bun:",notnull"`
	AssociationID int64    `bun:",notnull"`
	ParcoursID    *int64   `bun:",nullzero"` // the parcours the request is about, or that it opened
	Kind          FileKind `bun:",notnull"`
	State         State    `bun:",notnull"`

	// The person's situation for this request, in clear for statistics.
	Children      int     `bun:",notnull"`
	AFISRequested bool    `bun:"afis_requested,notnull"`
	APSNeeded     bool    `bun:"aps_needed,notnull"` // foreign national needing an APS
	HousingNeed   Housing `bun:",notnull"`

	AssociationAvis Avis      `bun:",notnull"` // "" until given
	ProposalSealed  string    `bun:",notnull" json:"-"`
	EndReason       EndReason `bun:",notnull"` // requested reason, for KindEnd
	MissingItems    string    `bun:",notnull"` // one per line, set when declared incomplete

	// The observations step before rights end (REGLES.md requirement 10).
	ObservationsInvitedOn  *time.Time
	ObservationsMeans      ObservationMeans `bun:",notnull"`
	ObservationsReceivedOn *time.Time       // nil: none received

	SessionID   *int64 `bun:",nullzero"` // the session whose agenda lists the file
	SessionDate *time.Time

	CommissionAvis Avis `bun:",notnull"`
	AvisOn         *time.Time

	Decision              DecisionOutcome `bun:",notnull"`
	DecidedOn             *time.Time
	NotifiedPersonOn      *time.Time
	NotifiedAssociationOn *time.Time
	AFISGranted           bool `bun:"afis_granted,notnull"`
	AppealOn              *time.Time
	AppealNote            string `bun:",notnull"`

	CreatedBy   int64     `bun:",notnull"`
	CreatedAt   time.Time `bun:",notnull"`
	SubmittedAt *time.Time
	UpdatedAt   time.Time `bun:",notnull"`

	// AnonymisedOn is the day the retention job destroyed the file's identity, documents
	// and free texts (AnonymiseFile); nil while the file is kept whole.
	AnonymisedOn *time.Time
}

// MissingItemList returns the missing items declared by the secretariat.
func (f *File) MissingItemList() []string {
	var out []string
	for _, s := range strings.Split(f.MissingItems, "\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ProposalAAD binds a file's sealed proposal to its row.
func ProposalAAD(fileID int64) string { return fmt.Sprintf("file:%d:proposal", fileID) }

// SealProposal seals pr into f.ProposalSealed, as sealProposal does; f must already have
// its id. It serves writers of rows in bulk (the demo's history); the caller saves the column.
func SealProposal(kr *keyring.Keyring, f *File, pr *Proposal) error {
	raw, err := json.Marshal(pr)
	if err != nil {
		return fmt.Errorf("encode proposal: %w", err)
	}
	f.ProposalSealed = kr.Seal(raw, ProposalAAD(f.ID))
	return nil
}

// FileInput is what an association enters for a file. On creation Kind is required, with
// Person for an entry (a new person) or ParcoursID for the other kinds; on update Kind,
// PersonID and ParcoursID are ignored. A non-nil Person replaces the person's identity and
// attributes (e.g. a new address at renewal); nil leaves them unchanged.
type FileInput struct {
	Kind          FileKind
	AssociationID int64 // ignored: the file belongs to the creating user's association
	ParcoursID    int64 // renewal, end, suspension, AFIS: the parcours concerned
	PersonID      int64 // entry of a person already known (after an ended parcours)
	Person        *PersonInput

	Children      int
	AFISRequested bool
	APSNeeded     bool
	HousingNeed   Housing

	AssociationAvis Avis // may stay empty in a draft
	Proposal        Proposal
	EndReason       EndReason // KindEnd
}

// normalize trims the text of the input.
func (in *FileInput) normalize() {
	if in.Person != nil {
		in.Person.normalize()
	}
	p := &in.Proposal
	for _, s := range []*string{&p.Commitments, &p.ExpectedResults, &p.AchievedResults, &p.Difficulties, &p.AvisReasoning} {
		*s = strings.TrimSpace(*s)
	}
	for i := range p.Actions {
		p.Actions[i].Description = strings.TrimSpace(p.Actions[i].Description)
		p.Actions[i].Result = strings.TrimSpace(p.Actions[i].Result)
	}
	if in.HousingNeed == "" {
		in.HousingNeed = HousingNone
	}
}

// validate checks what a draft must already respect: known values within range.
// Completeness is checked at submission (checkComplete).
func (in *FileInput) validate(kind FileKind, now time.Time) models.FieldErrors {
	fe := models.FieldErrors{}
	if in.Person != nil {
		in.Person.validate(fe, now)
	}
	if in.Children < 0 || in.Children > 20 {
		fe.Add("children", "Indiquez un nombre d'enfants à charge entre 0 et 20.")
	}
	if !validHousing(in.HousingNeed) {
		fe.Add("housing_need", "Choisissez un besoin de logement dans la liste.")
	}
	if in.AssociationAvis != "" && !in.AssociationAvis.Valid() {
		fe.Add("association_avis", "Choisissez l'avis de l'association : favorable, réservé ou défavorable.")
	}
	if kind == KindEnd && in.EndReason != "" && !slices.Contains(EndReasonsRequested(), in.EndReason) {
		fe.Add("end_reason", "Choisissez le motif de fin demandé : non-respect des engagements, sortie à l'initiative de la personne ou départ vers un autre département.")
	}
	p := &in.Proposal
	models.CheckText(fe, "commitments", "Engagements de la personne", p.Commitments, models.MaxTextLength)
	models.CheckText(fe, "expected_results", "Résultats attendus", p.ExpectedResults, models.MaxTextLength)
	models.CheckText(fe, "achieved_results", "Actions menées et résultats obtenus", p.AchievedResults, models.MaxTextLength)
	models.CheckText(fe, "difficulties", "Difficultés rencontrées", p.Difficulties, models.MaxTextLength)
	models.CheckText(fe, "avis_reasoning", "Motivation de l'avis de l'association", p.AvisReasoning, models.MaxTextLength)
	if len(p.Actions) > MaxPlannedActions {
		fe.Add("actions", fmt.Sprintf("Indiquez au plus %d actions d'insertion (%d saisies).", MaxPlannedActions, len(p.Actions)))
		return fe
	}
	for i, a := range p.Actions {
		models.CheckLine(fe, fmt.Sprintf("actions.%d.description", i), fmt.Sprintf("Action %d : description", i+1), a.Description, models.MaxLineLength)
		models.CheckLine(fe, fmt.Sprintf("actions.%d.result", i), fmt.Sprintf("Action %d : résultat obtenu", i+1), a.Result, models.MaxLineLength)
	}
	for i, a := range in.Proposal.Actions {
		if !a.Kind.Valid() {
			fe.Add(fmt.Sprintf("actions.%d.kind", i), fmt.Sprintf("Action %d : choisissez un domaine dans la liste.", i+1))
		}
		if a.DurationMonths < 0 || a.DurationMonths > ParcoursMaxMonths {
			fe.Add(fmt.Sprintf("actions.%d.duration", i), fmt.Sprintf("Action %d : la durée doit être comprise entre 1 et %d mois.", i+1, ParcoursMaxMonths))
		}
	}
	return fe
}

// checkComplete lists what is missing for the file to be submitted.
func checkComplete(f *File, p *Proposal) models.FieldErrors {
	fe := models.FieldErrors{}
	if !f.AssociationAvis.Valid() {
		fe.Add("association_avis", "Donnez l'avis de l'association (favorable, réservé ou défavorable).")
	}
	if p.AvisReasoning == "" {
		fe.Add("avis_reasoning", "Motivez l'avis de l'association.")
	}
	switch f.Kind {
	case KindEngagement, KindRenewal:
		if p.Commitments == "" {
			fe.Add("commitments", "Décrivez les engagements de la personne.")
		}
		if len(p.Actions) == 0 {
			fe.Add("actions", "Indiquez au moins une action d'insertion prévue, avec sa durée.")
		}
		for i, a := range p.Actions {
			if a.Description == "" || a.DurationMonths < 1 {
				fe.Add(fmt.Sprintf("actions.%d.description", i), fmt.Sprintf("Action %d : décrivez l'action et indiquez sa durée en mois.", i+1))
			}
		}
		if p.ExpectedResults == "" {
			fe.Add("expected_results", "Indiquez les résultats attendus.")
		}
	case KindEnd, KindSuspension:
		if p.Difficulties == "" {
			fe.Add("difficulties", "Exposez les difficultés rencontrées et les engagements non tenus.")
		}
	case KindAFIS:
		if !f.AFISRequested {
			fe.Add("afis_requested", "Une demande d'AFIS doit indiquer que l'AFIS est demandée.")
		}
	}
	if f.Kind == KindRenewal && p.AchievedResults == "" {
		fe.Add("achieved_results", "Indiquez les actions menées et les résultats obtenus pendant la période écoulée.")
	}
	if f.Kind == KindEnd && !f.EndReason.Valid() {
		fe.Add("end_reason", "Indiquez le motif de fin demandé.")
	}
	return fe
}

// nextReference takes the next number of the commission's year in tx. The counter row is
// created or incremented atomically (an upsert holding the row lock on PostgreSQL; SQLite
// has one writer), and numbers are never given back, even when a draft is deleted.
func nextReference(ctx context.Context, tx bun.Tx, c *models.Commission, year int) (int, string, error) {
	var seq int
	err := tx.NewRaw(`INSERT INTO file_counters (commission_id, year, last_seq) VALUES (?, ?, 1)
		ON CONFLICT (commission_id, year) DO UPDATE SET last_seq = file_counters.last_seq + 1
		RETURNING last_seq`, c.ID, year).Scan(ctx, &seq)
	if err != nil {
		return 0, "", fmt.Errorf("next file reference: %w", err)
	}
	return seq, fmt.Sprintf("%s-%d-%04d", c.Department, year, seq), nil
}

// associationOf returns the association a user acts for, refusing other roles.
func associationOf(ctx context.Context, db bun.IDB, u *models.User) (*registry.Association, error) {
	if u.Role != models.RoleAssociation || u.AssociationID == nil || u.CommissionID == nil {
		return nil, models.Refuse("Seule une association agréée peut créer ou modifier un dossier.")
	}
	return registry.FindAssociation(ctx, db, *u.CommissionID, *u.AssociationID)
}

// CreateFile creates a draft for the association of actor, numbers it and audits it.
// An entry needs in.Person (or in.PersonID of a person whose earlier parcours ended); the
// other kinds need in.ParcoursID, a parcours the association follows.
func CreateFile(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, in FileInput, now time.Time) (*File, error) {
	in.normalize()
	if !in.Kind.Valid() {
		return nil, models.FieldErrors{"kind": "Choisissez le type de demande."}.Err()
	}
	if in.Kind == KindEngagement && in.Person == nil && in.PersonID == 0 {
		return nil, models.FieldErrors{"last_name": "Indiquez l'identité de la personne."}.Err()
	}
	if fe := in.validate(in.Kind, now); len(fe) > 0 {
		return nil, fe.Err()
	}
	f := &File{}
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		a, err := associationOf(ctx, tx, actor)
		if err != nil {
			return err
		}
		c, err := models.FindCommission(ctx, tx, a.CommissionID)
		if err != nil {
			return err
		}
		if !a.MaySubmitFiles(c.Department, now) {
			return models.Refuse("L'association n'a pas d'agrément en cours couvrant le département %s : elle ne peut pas présenter de dossier.", c.Department)
		}
		person := &Person{CommissionID: c.ID}
		switch {
		case in.Kind.NeedsParcours():
			p, err := FindParcoursRow(ctx, tx, c.ID, in.ParcoursID)
			if err != nil {
				return models.FieldErrors{"parcours": "Choisissez le parcours concerné par la demande."}.Err()
			}
			if p.AssociationID != a.ID {
				return models.Refuse("Ce parcours est suivi par une autre association.")
			}
			if p.EndedOn != nil {
				return models.Refuse("Ce parcours est clos : une nouvelle entrée passe par une demande d'engagement.")
			}
			f.ParcoursID = &p.ID
			if person, err = FindPerson(ctx, tx, c.ID, p.PersonID); err != nil {
				return err
			}
		case in.PersonID != 0:
			if person, err = FindPerson(ctx, tx, c.ID, in.PersonID); err != nil {
				return err
			}
			n, err := tx.NewSelect().Model((*File)(nil)).Where("person_id = ? AND association_id = ?", person.ID, a.ID).Count(ctx)
			if err != nil {
				return fmt.Errorf("create file: %w", err)
			}
			if n == 0 {
				return models.ErrNotFound
			}
		}
		if in.Kind == KindEngagement && person.ID != 0 {
			if err := checkNoOpenParcours(ctx, tx, person.ID, now); err != nil {
				return err
			}
		}
		// Take the number before anything else is written or audited: all writers then
		// lock the counter first, then the audit chain.
		seq, ref, err := nextReference(ctx, tx, c, now.Year())
		if err != nil {
			return err
		}
		if in.Person != nil {
			if err := savePerson(ctx, tx, kr, person, *in.Person, now); err != nil {
				return err
			}
		}
		*f = File{
			CommissionID: c.ID, Reference: ref, Year: now.Year(), Seq: seq, PersonID: person.ID, AssociationID: a.ID,
			ParcoursID: f.ParcoursID, Kind: in.Kind, State: StateDraft, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now,
		}
		f.applyInput(&in)
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return fmt.Errorf("create file: %w", err)
		}
		if err := sealProposal(ctx, tx, kr, f, &in.Proposal); err != nil {
			return err
		}
		if err := AddEvent(ctx, tx, actor, f, "create", "", StateDraft, map[string]any{"kind": string(f.Kind)}, now); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: c.ID, Actor: models.ActorFor(actor), Action: "file.create", Object: models.ObjectRef("file", f.ID),
			Details: map[string]any{"reference": ref, "kind": string(f.Kind), "association_id": a.ID},
		})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// applyInput copies the clear fields of in to f.
func (f *File) applyInput(in *FileInput) {
	f.Children, f.AFISRequested, f.APSNeeded, f.HousingNeed = in.Children, in.AFISRequested, in.APSNeeded, in.HousingNeed
	f.AssociationAvis = in.AssociationAvis
	if f.Kind == KindEnd {
		f.EndReason = in.EndReason
	}
}

// sealProposal seals p into f and saves the column.
func sealProposal(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, f *File, p *Proposal) error {
	if err := SealProposal(kr, f, p); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model(f).Column("proposal_sealed").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("save proposal: %w", err)
	}
	return nil
}

// openProposal decrypts the proposal of f.
func openProposal(kr *keyring.Keyring, f *File) (*Proposal, error) {
	if f.AnonymisedOn != nil && f.ProposalSealed == "" {
		return new(Proposal), nil // destroyed by AnonymiseFile
	}
	raw, err := kr.Open(f.ProposalSealed, ProposalAAD(f.ID))
	if err != nil {
		return nil, fmt.Errorf("open proposal of file %d: %w", f.ID, err)
	}
	p := new(Proposal)
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("decode proposal of file %d: %w", f.ID, err)
	}
	return p, nil
}

// UpdateFile saves the association's changes to its file, in draft or incomplete state.
func UpdateFile(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, fileID int64, in FileInput, now time.Time) error {
	in.normalize()
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, err := FindFileRow(ctx, tx, actor.CommissionIDOrZero(), fileID)
		if err != nil {
			return err
		}
		if actor.Role != models.RoleAssociation || actor.AssociationID == nil || *actor.AssociationID != f.AssociationID {
			return models.ErrNotFound
		}
		if f.AnonymisedOn != nil {
			return models.Refuse("Le dossier %s a été anonymisé le %s : il ne peut plus être modifié.", f.Reference, FormatDate(*f.AnonymisedOn))
		}
		if f.State != StateDraft && f.State != StateIncomplete {
			return models.Refuse("Le dossier %s est %s : il ne peut plus être modifié.", f.Reference, strings.ToLower(f.State.Label()))
		}
		if fe := in.validate(f.Kind, now); len(fe) > 0 {
			return fe.Err()
		}
		if in.Person != nil {
			p, err := FindPerson(ctx, tx, f.CommissionID, f.PersonID)
			if err != nil {
				return err
			}
			if err := savePerson(ctx, tx, kr, p, *in.Person, now); err != nil {
				return err
			}
		}
		f.applyInput(&in)
		f.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(f).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("update file: %w", err)
		}
		if err := sealProposal(ctx, tx, kr, f, &in.Proposal); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: f.CommissionID, Actor: models.ActorFor(actor), Action: "file.update", Object: models.ObjectRef("file", f.ID),
			Details: map[string]any{"reference": f.Reference, "identity_changed": in.Person != nil},
		})
	})
}

// DeleteDraft deletes a draft of the actor's association, with its attachments and, when
// no other file concerns them, the person. Its reference is not reused.
func DeleteDraft(ctx context.Context, db bun.IDB, actor *models.User, fileID int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, err := FindFileRow(ctx, tx, actor.CommissionIDOrZero(), fileID)
		if err != nil {
			return err
		}
		if actor.Role != models.RoleAssociation || actor.AssociationID == nil || *actor.AssociationID != f.AssociationID {
			return models.ErrNotFound
		}
		if f.State != StateDraft {
			return models.Refuse("Seul un brouillon peut être supprimé.")
		}
		if _, err := tx.NewDelete().Model((*File)(nil)).Where("id = ?", f.ID).Exec(ctx); err != nil {
			return fmt.Errorf("delete draft: %w", err)
		}
		n, err := tx.NewSelect().Model((*File)(nil)).Where("person_id = ?", f.PersonID).Count(ctx)
		if err != nil {
			return fmt.Errorf("delete draft: %w", err)
		}
		if n == 0 {
			if _, err := tx.NewDelete().Model((*Person)(nil)).Where("id = ?", f.PersonID).Exec(ctx); err != nil {
				return fmt.Errorf("delete draft person: %w", err)
			}
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: f.CommissionID, Actor: models.ActorFor(actor), Action: "file.delete", Object: models.ObjectRef("file", f.ID),
			Details: map[string]any{"reference": f.Reference},
		})
	})
}

// FindFileRow returns file id of commission cid, without access checks.
func FindFileRow(ctx context.Context, db bun.IDB, cid, id int64) (*File, error) {
	f := new(File)
	err := db.NewSelect().Model(f).Where("id = ? AND commission_id = ?", id, cid).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find file")
	}
	return f, nil
}

// FileEvent is one line of a file's history.
type FileEvent struct {
	bun.BaseModel `bun:"table:file_events"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	FileID       int64     `bun:",notnull"`
	At           time.Time `bun:",notnull"`
	ActorID      int64     `bun:",notnull"`
	ActorLabel   string    `bun:",notnull"`
	Action       string    `bun:",notnull"` // create, submit, incomplete, admissible, schedule, unschedule, avis, decide, observations, notification, appeal, attachment_add, attachment_delete
	FromState    State     `bun:",notnull"`
	ToState      State     `bun:",notnull"`
	Details      string    `bun:",notnull"` // JSON
}

// DetailMap decodes the event's details.
func (e *FileEvent) DetailMap() map[string]any {
	m := map[string]any{}
	if err := json.Unmarshal([]byte(e.Details), &m); err != nil {
		return map[string]any{}
	}
	return m
}

// AddEvent appends a line to the file's history.
func AddEvent(ctx context.Context, tx bun.Tx, actor *models.User, f *File, action string, from, to State, details map[string]any, now time.Time) error {
	if details == nil {
		details = map[string]any{}
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("encode file event: %w", err)
	}
	e := &FileEvent{CommissionID: f.CommissionID, FileID: f.ID, At: now.UTC(), Action: action, FromState: from, ToState: to, Details: string(raw)}
	if actor != nil {
		e.ActorID, e.ActorLabel = actor.ID, actor.Email
	}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("add file event: %w", err)
	}
	return nil
}
