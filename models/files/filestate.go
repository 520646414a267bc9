package files

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/registry"
)

// transitionRoles is the state machine of a file: the roles that may move a file from one
// state to another, none when the move is not allowed. It is the only place that says so;
// CanTransition adds the user's scope, Transition the inputs each move needs.
//
//	draft ─▶ submitted ─▶ admissible ─▶ scheduled ─▶ examined ─▶ decided
//	              │  ▲         │  ▲          │
//	              ▼  │         │  └──────────┘ (taken off the agenda)
//	          incomplete ◀─────┘
func transitionRoles(from, to State) []models.Role {
	switch {
	case from == StateDraft && to == StateSubmitted, from == StateIncomplete && to == StateSubmitted:
		return []models.Role{models.RoleAssociation}
	case from == StateSubmitted && to == StateIncomplete, from == StateAdmissible && to == StateIncomplete,
		from == StateSubmitted && to == StateAdmissible:
		return []models.Role{models.RoleSecretariat}
	case from == StateAdmissible && to == StateScheduled, from == StateScheduled && to == StateAdmissible,
		from == StateScheduled && to == StateExamined:
		// The président sets the agenda (R133-5); the avis is recorded after the vote.
		return []models.Role{models.RoleSecretariat, models.RolePresident}
	case from == StateExamined && to == StateDecided:
		return []models.Role{models.RoleSecretariat}
	}
	return nil
}

// TransitionOption is a move a user may make on a file, for the page to offer.
type TransitionOption struct {
	To    State
	Label string // French, the button's text
}

// transitionLabel names the move from one state to another.
func transitionLabel(from, to State) string {
	switch to {
	case StateSubmitted:
		if from == StateIncomplete {
			return "Déposer les compléments"
		}
		return "Déposer le dossier"
	case StateIncomplete:
		return "Déclarer incomplet"
	case StateAdmissible:
		if from == StateScheduled {
			return "Retirer de l'ordre du jour"
		}
		return "Déclarer recevable"
	case StateScheduled:
		return "Inscrire à l'ordre du jour"
	case StateExamined:
		return "Enregistrer l'avis de la commission"
	case StateDecided:
		return "Enregistrer la décision du préfet"
	}
	return to.Label()
}

// CanTransition reports whether u may move f to state to: the role must be allowed by the
// state machine, in the file's commission, and an association only on its own files.
func CanTransition(u *models.User, f *File, to State) bool {
	if u == nil || !u.Active || u.CommissionIDOrZero() != f.CommissionID || !slices.Contains(transitionRoles(f.State, to), u.Role) {
		return false
	}
	if u.Role == models.RoleAssociation {
		return u.AssociationID != nil && *u.AssociationID == f.AssociationID
	}
	return true
}

// AllowedTransitions returns the moves u may make on f, in lifecycle order: the page shows
// only these.
func AllowedTransitions(u *models.User, f *File) []TransitionOption {
	var out []TransitionOption
	for _, to := range States {
		if CanTransition(u, f, to) {
			out = append(out, TransitionOption{To: to, Label: transitionLabel(f.State, to)})
		}
	}
	return out
}

// Decision is the préfet's decision on an examined file (R121-12-10).
type Decision struct {
	Outcome               DecisionOutcome
	DecidedOn             time.Time
	NotifiedPersonOn      time.Time // zero: not notified yet (required when rights end)
	NotifiedAssociationOn time.Time // zero: not notified yet
	AFISGranted           bool      // the préfet also grants the requested AFIS
}

// TransitionInput is what a move needs besides the target state.
type TransitionInput struct {
	MissingItems []string  // to incomplete: what the association must provide
	SessionID    int64     // to scheduled: the session whose agenda lists the file (0: none recorded)
	SessionDate  time.Time // to scheduled: the date of that session
	Avis         Avis      // to examined: the commission's avis
	AvisOn       time.Time // to examined: the day it was given (zero: today)
	Decision     Decision  // to decided
}

// Transition moves file fileID to state to for actor, after checking the state machine,
// the actor's scope and the inputs of the move. The file, the history line, the audit
// record and any effect on the parcours are written in one transaction. kr opens the
// proposal to check that a submitted file is complete.
func Transition(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, fileID int64, to State, in TransitionInput, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, err := FindFileRow(ctx, tx, actor.CommissionIDOrZero(), fileID)
		if err != nil {
			return err
		}
		if _, err := accessFor(ctx, tx, actor, f, now); err != nil {
			return err
		}
		if !CanTransition(actor, f, to) {
			return models.Refuse("Action impossible : le dossier %s est « %s » et votre rôle (%s) ne permet pas de le passer à « %s ».",
				f.Reference, f.State.Label(), actor.Role.Label(), to.Label())
		}
		from := f.State
		details := map[string]any{}
		switch to {
		case StateSubmitted:
			err = applySubmit(ctx, tx, kr, f, now)
		case StateIncomplete:
			err = applyIncomplete(f, in.MissingItems, details)
		case StateAdmissible:
			applyAdmissible(f, details)
		case StateScheduled:
			err = applyScheduled(f, in, details)
		case StateExamined:
			err = applyExamined(f, in, details, now)
		case StateDecided:
			err = applyDecided(ctx, tx, f, in.Decision, details, now)
		}
		if err != nil {
			return err
		}
		f.State, f.UpdatedAt = to, now
		res, err := tx.NewUpdate().Model(f).WherePK().Where("state = ?", from).Exec(ctx)
		if err != nil {
			return fmt.Errorf("file transition: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return models.Refuse("Le dossier %s a été modifié entre-temps : rechargez la page et recommencez.", f.Reference)
		}
		if err := AddEvent(ctx, tx, actor, f, string(to), from, to, details, now); err != nil {
			return err
		}
		if items, ok := details["missing_items"].([]string); ok {
			// Typed text may name the person: the history keeps it until the file is
			// anonymised, the audit chain (never rewritten) only its digest.
			details["missing_items"], details["missing_items_sha256"] = len(items), models.TextDigest(strings.Join(items, "\n"))
		}
		details["reference"], details["from"], details["to"] = f.Reference, string(from), string(to)
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: f.CommissionID, Actor: models.ActorFor(actor), Action: "file.transition", Object: models.ObjectRef("file", f.ID), Details: details,
		})
	})
}

// MarkScheduled puts an admissible file on the agenda of a session; the agenda feature
// calls it.
func MarkScheduled(ctx context.Context, db bun.IDB, actor *models.User, fileID, sessionID int64, sessionDate, now time.Time) error {
	return Transition(ctx, db, nil, actor, fileID, StateScheduled, TransitionInput{SessionID: sessionID, SessionDate: sessionDate}, now)
}

// RecordAvis records the commission's avis on a scheduled file; the voting feature calls it.
func RecordAvis(ctx context.Context, db bun.IDB, actor *models.User, fileID int64, avis Avis, on, now time.Time) error {
	return Transition(ctx, db, nil, actor, fileID, StateExamined, TransitionInput{Avis: avis, AvisOn: on}, now)
}

// applySubmit checks that the file may be submitted: current approval of the association
// (requirement 13), a complete proposal, and for entries and renewals the 24-month cap
// (requirement 9).
func applySubmit(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, f *File, now time.Time) error {
	a, err := registry.FindAssociation(ctx, tx, f.CommissionID, f.AssociationID)
	if err != nil {
		return err
	}
	c, err := models.FindCommission(ctx, tx, f.CommissionID)
	if err != nil {
		return err
	}
	if !a.MaySubmitFiles(c.Department, now) {
		return models.Refuse("L'association n'a pas d'agrément en cours couvrant le département %s : elle ne peut pas déposer de dossier.", c.Department)
	}
	if kr == nil {
		return fmt.Errorf("submit file %d: no keyring to open the proposal", f.ID)
	}
	p, err := openProposal(kr, f)
	if err != nil {
		return err
	}
	if fe := checkComplete(f, p); len(fe) > 0 {
		return fe.Err()
	}
	if err := checkRequestOnParcours(ctx, tx, f, now); err != nil {
		return err
	}
	f.MissingItems, f.SubmittedAt = "", &now
	return nil
}

// checkRequestOnParcours checks a request against the person's parcours: no entry while
// one is open, nothing on an ended parcours, one request of a kind at a time, and no
// entry or renewal once 24 months of rights are reached.
func checkRequestOnParcours(ctx context.Context, tx bun.Tx, f *File, now time.Time) error {
	if f.Kind == KindEngagement {
		if err := checkNoOpenParcours(ctx, tx, f.PersonID, now); err != nil {
			return err
		}
	} else {
		p, err := FindParcoursRow(ctx, tx, f.CommissionID, *f.ParcoursID)
		if err != nil {
			return err
		}
		if p.EndedOn != nil {
			return models.Refuse("Ce parcours est terminé depuis le %s : aucune demande ne peut plus le concerner.", FormatDate(*p.EndedOn))
		}
		var other File
		err = tx.NewSelect().Model(&other).Column("reference").
			Where("parcours_id = ? AND kind = ? AND id <> ? AND state NOT IN (?)", *f.ParcoursID, f.Kind, f.ID, bun.In([]State{StateDraft, StateDecided})).
			Limit(1).Scan(ctx)
		if err == nil {
			return models.Refuse("Une demande du même type est déjà en cours pour ce parcours (%s).", other.Reference)
		}
		if models.NotFound(err, "") != models.ErrNotFound {
			return fmt.Errorf("check pending requests: %w", err)
		}
	}
	if f.Kind == KindEngagement || f.Kind == KindRenewal {
		if _, err := checkCap(ctx, tx, f.PersonID); err != nil {
			return err
		}
	}
	return nil
}

func applyIncomplete(f *File, items []string, details map[string]any) error {
	var clean []string
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			clean = append(clean, s)
		}
	}
	if len(clean) == 0 {
		return models.FieldErrors{"missing_items": "Indiquez au moins une pièce ou information manquante."}.Err()
	}
	if len(clean) > 50 {
		return models.FieldErrors{"missing_items": "Indiquez au plus 50 pièces ou informations manquantes."}.Err()
	}
	for _, s := range clean {
		if err := models.LineError("missing_items", "Pièces ou informations manquantes", s, models.MaxLineLength); err != nil {
			return err
		}
	}
	f.MissingItems = strings.Join(clean, "\n")
	details["missing_items"] = clean
	return nil
}

func applyAdmissible(f *File, details map[string]any) {
	if f.State == StateScheduled && f.SessionID != nil {
		details["session_id"] = *f.SessionID
	}
	f.SessionID, f.SessionDate, f.MissingItems = nil, nil, ""
}

func applyScheduled(f *File, in TransitionInput, details map[string]any) error {
	if in.SessionDate.IsZero() {
		return models.FieldErrors{"session_date": "Indiquez la date de la séance."}.Err()
	}
	d := DateOf(in.SessionDate)
	f.SessionDate = &d
	f.SessionID = nil
	if in.SessionID != 0 {
		f.SessionID = &in.SessionID
		details["session_id"] = in.SessionID
	}
	details["session_date"] = d.Format(time.DateOnly)
	return nil
}

func applyExamined(f *File, in TransitionInput, details map[string]any, now time.Time) error {
	if !in.Avis.Valid() {
		return models.FieldErrors{"avis": "Indiquez l'avis de la commission : favorable, réservé ou défavorable."}.Err()
	}
	on := DateOf(now)
	if !in.AvisOn.IsZero() {
		on = DateOf(in.AvisOn)
	}
	if on.After(DateOf(now)) {
		return models.FieldErrors{"avis_on": "L'avis ne peut pas être daté dans le futur."}.Err()
	}
	f.CommissionAvis, f.AvisOn = in.Avis, &on
	details["avis"], details["avis_on"] = string(in.Avis), on.Format(time.DateOnly)
	return nil
}

// applyDecided records the préfet's decision (requirement 10) and its effect on the parcours.
func applyDecided(ctx context.Context, tx bun.Tx, f *File, d Decision, details map[string]any, now time.Time) error {
	fe := models.FieldErrors{}
	today := DateOf(now)
	if d.Outcome != DecisionAuthorised && d.Outcome != DecisionRefused {
		fe.Add("outcome", "Indiquez la décision du préfet : autorisation ou refus.")
	}
	decided := DateOf(d.DecidedOn)
	switch {
	case d.DecidedOn.IsZero():
		fe.Add("decided_on", "Indiquez la date de la décision.")
	case decided.After(today):
		fe.Add("decided_on", "La décision ne peut pas être datée dans le futur.")
	case f.AvisOn != nil && decided.Before(*f.AvisOn):
		fe.Add("decided_on", "La décision ne peut pas précéder l'avis de la commission.")
	}
	for field, t := range map[string]time.Time{"notified_person_on": d.NotifiedPersonOn, "notified_association_on": d.NotifiedAssociationOn} {
		if !t.IsZero() && (DateOf(t).Before(decided) || DateOf(t).After(today)) {
			fe.Add(field, "La date de notification doit suivre la décision et ne pas être dans le futur.")
		}
	}
	endsRights := NeedsObservations(f, d.Outcome)
	if endsRights {
		switch {
		case f.ObservationsInvitedOn == nil:
			fe.Add("observations", "La personne doit d'abord avoir pu présenter ses observations : enregistrez quand et comment elle y a été invitée.")
		case !d.DecidedOn.IsZero() && f.ObservationsInvitedOn.After(decided):
			fe.Add("observations", "La personne a été invitée à présenter ses observations après la décision.")
		}
		if d.NotifiedPersonOn.IsZero() {
			fe.Add("notified_person_on", "Les droits prennent fin à la notification : indiquez la date de notification à la personne.")
		}
	}
	if d.AFISGranted && (d.Outcome != DecisionAuthorised || !f.AFISRequested) {
		fe.Add("afis_granted", "L'AFIS ne peut être accordée que sur une demande autorisée qui la sollicite.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	f.Decision, f.DecidedOn, f.AFISGranted = d.Outcome, &decided, d.AFISGranted
	f.NotifiedPersonOn, f.NotifiedAssociationOn = optionalDate(d.NotifiedPersonOn), optionalDate(d.NotifiedAssociationOn)
	details["decision"], details["decided_on"] = string(d.Outcome), decided.Format(time.DateOnly)
	if f.NotifiedPersonOn != nil {
		details["notified_person_on"] = f.NotifiedPersonOn.Format(time.DateOnly)
	}
	if f.NotifiedAssociationOn != nil {
		details["notified_association_on"] = f.NotifiedAssociationOn.Format(time.DateOnly)
	}
	return applyDecisionToParcours(ctx, tx, f, details, now)
}

// applyDecisionToParcours opens, extends, suspends or ends the parcours as decided.
func applyDecisionToParcours(ctx context.Context, tx bun.Tx, f *File, details map[string]any, now time.Time) error {
	decided := *f.DecidedOn
	if f.Kind == KindEngagement {
		if f.Decision != DecisionAuthorised {
			return nil
		}
		if err := checkNoOpenParcours(ctx, tx, f.PersonID, now); err != nil {
			return err
		}
		months, err := checkCap(ctx, tx, f.PersonID)
		if err != nil {
			return err
		}
		p := &Parcours{CommissionID: f.CommissionID, PersonID: f.PersonID, AssociationID: f.AssociationID, StartedOn: decided, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			return fmt.Errorf("open parcours: %w", err)
		}
		f.ParcoursID = &p.ID
		if _, err := addPeriod(ctx, tx, p, f, decided, months, f.AFISGranted, now); err != nil {
			return err
		}
		details["parcours_id"], details["months"] = p.ID, months
		return nil
	}
	p, err := FindParcoursRow(ctx, tx, f.CommissionID, *f.ParcoursID)
	if err != nil {
		return err
	}
	if p.EndedOn != nil {
		return models.Refuse("Ce parcours est terminé depuis le %s : la décision ne peut plus s'y appliquer.", FormatDate(*p.EndedOn))
	}
	notified := decided
	if f.NotifiedPersonOn != nil {
		notified = *f.NotifiedPersonOn
	}
	switch {
	case f.Kind == KindRenewal && f.Decision == DecisionAuthorised:
		months, err := checkCap(ctx, tx, f.PersonID)
		if err != nil {
			return err
		}
		start := decided // after an interruption, the new period starts with the authorisation
		if last := p.LastPeriod(); last != nil && p.SuspendedOn == nil && last.End().After(start) {
			start = last.End() // otherwise it follows the current one
		}
		per, err := addPeriod(ctx, tx, p, f, start, months, f.AFISGranted, now)
		if err != nil {
			return err
		}
		p.SuspendedOn, p.AssociationID = nil, f.AssociationID
		details["period"], details["months"], details["starts_on"] = per.Seq, months, start.Format(time.DateOnly)
	case f.Kind == KindRenewal: // refused: rights end with the period, or at notification if later
		end := p.RenewalDueOn()
		if notified.After(end) {
			end = notified
		}
		p.EndedOn, p.EndReason = &end, EndNotRenewed
		details["parcours_ends_on"] = end.Format(time.DateOnly)
	case f.Kind == KindEnd && f.Decision == DecisionAuthorised:
		if err := cutRights(ctx, tx, p, notified, now); err != nil {
			return err
		}
		p.EndedOn, p.EndReason = &notified, f.EndReason
		details["parcours_ends_on"] = notified.Format(time.DateOnly)
	case f.Kind == KindSuspension && f.Decision == DecisionAuthorised:
		if err := cutRights(ctx, tx, p, notified, now); err != nil {
			return err
		}
		p.SuspendedOn = &notified
		details["parcours_suspended_on"] = notified.Format(time.DateOnly)
	case f.Kind == KindAFIS && f.Decision == DecisionAuthorised && f.AFISGranted:
		per := p.CurrentPeriod(decided)
		if per == nil {
			return models.Refuse("Aucune période de droits ne couvre la date de la décision : l'AFIS ne peut pas être accordée.")
		}
		if err := grantAFIS(ctx, tx, per, f.Children, firstOfMonth(decided)); err != nil {
			return err
		}
		per.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(per).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("grant afis: %w", err)
		}
		details["afis_monthly_cents"] = per.AFISMonthlyCents
		return nil
	default:
		return nil
	}
	p.UpdatedAt = now
	if _, err := tx.NewUpdate().Model(p).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("update parcours: %w", err)
	}
	return nil
}

// Observations records that the person could submit observations before their rights end
// (REGLES.md requirement 10): when and how they were invited, and when any were received.
type Observations struct {
	InvitedOn  time.Time
	Means      ObservationMeans
	ReceivedOn time.Time // zero: none received
}

// RecordObservations records the observations step of a renewal, end or suspension
// request not yet decided. The secretariat or the instructing association records it.
func RecordObservations(ctx context.Context, db bun.IDB, actor *models.User, fileID int64, o Observations, now time.Time) error {
	fe := models.FieldErrors{}
	if o.InvitedOn.IsZero() || DateOf(o.InvitedOn).After(DateOf(now)) {
		fe.Add("invited_on", "Indiquez la date à laquelle la personne a été invitée à présenter ses observations.")
	}
	if !slices.Contains(ObservationMeansList, o.Means) {
		fe.Add("means", "Indiquez comment la personne a été invitée à présenter ses observations.")
	}
	if !o.ReceivedOn.IsZero() && (DateOf(o.ReceivedOn).Before(DateOf(o.InvitedOn)) || DateOf(o.ReceivedOn).After(DateOf(now))) {
		fe.Add("received_on", "La date de réception des observations doit suivre l'invitation et ne pas être dans le futur.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return updateFileRecord(ctx, db, actor, fileID, "observations", []models.Role{models.RoleSecretariat, models.RoleAssociation}, false, now,
		func(f *File, details map[string]any) error {
			if f.Kind != KindRenewal && !f.Kind.EndsRights() {
				return models.Refuse("Cette demande n'appelle pas d'observations de la personne.")
			}
			f.ObservationsInvitedOn, f.ObservationsMeans, f.ObservationsReceivedOn = optionalDate(o.InvitedOn), o.Means, optionalDate(o.ReceivedOn)
			details["invited_on"], details["means"], details["received"] = f.ObservationsInvitedOn.Format(time.DateOnly), string(o.Means), !o.ReceivedOn.IsZero()
			return nil
		})
}

// RecordNotification records when a decided file was notified to the person and to the
// association, when that was not known as the decision was recorded. Zero dates leave the
// recorded ones unchanged.
func RecordNotification(ctx context.Context, db bun.IDB, actor *models.User, fileID int64, personOn, associationOn, now time.Time) error {
	return updateFileRecord(ctx, db, actor, fileID, "notification", []models.Role{models.RoleSecretariat}, true, now,
		func(f *File, details map[string]any) error {
			for _, t := range []time.Time{personOn, associationOn} {
				if !t.IsZero() && (DateOf(t).Before(*f.DecidedOn) || DateOf(t).After(DateOf(now))) {
					return models.FieldErrors{"notified_on": "La date de notification doit suivre la décision et ne pas être dans le futur."}.Err()
				}
			}
			if !personOn.IsZero() && f.NotifiedPersonOn == nil {
				f.NotifiedPersonOn = optionalDate(personOn)
				details["notified_person_on"] = f.NotifiedPersonOn.Format(time.DateOnly)
			}
			if !associationOn.IsZero() && f.NotifiedAssociationOn == nil {
				f.NotifiedAssociationOn = optionalDate(associationOn)
				details["notified_association_on"] = f.NotifiedAssociationOn.Format(time.DateOnly)
			}
			return nil
		})
}

// RecordAppeal notes an appeal against the decision on a file (full-jurisdiction review:
// CE n° 440802).
func RecordAppeal(ctx context.Context, db bun.IDB, actor *models.User, fileID int64, on time.Time, note string, now time.Time) error {
	if on.IsZero() || DateOf(on).After(DateOf(now)) {
		return models.FieldErrors{"appeal_on": "Indiquez la date du recours."}.Err()
	}
	return updateFileRecord(ctx, db, actor, fileID, "appeal", []models.Role{models.RoleSecretariat}, true, now,
		func(f *File, details map[string]any) error {
			if DateOf(on).Before(*f.DecidedOn) {
				return models.FieldErrors{"appeal_on": "Le recours ne peut pas précéder la décision."}.Err()
			}
			if err := models.TextError("appeal_note", "Précisions sur le recours", note, models.MaxNoteLength); err != nil {
				return err
			}
			f.AppealOn, f.AppealNote = optionalDate(on), strings.TrimSpace(note)
			details["appeal_on"] = f.AppealOn.Format(time.DateOnly)
			return nil
		})
}

// updateFileRecord applies set to a file for one of roles (an association only on its
// own files), on a decided file when decided is true, on a file not yet decided
// otherwise, with a history line and an audit record.
func updateFileRecord(ctx context.Context, db bun.IDB, actor *models.User, fileID int64, action string, roles []models.Role, decided bool, now time.Time, set func(f *File, details map[string]any) error) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, err := FindFileRow(ctx, tx, actor.CommissionIDOrZero(), fileID)
		if err != nil {
			return err
		}
		if _, err := accessFor(ctx, tx, actor, f, now); err != nil {
			return err
		}
		if !slices.Contains(roles, actor.Role) {
			return models.Refuse("Votre rôle (%s) ne permet pas cette action.", actor.Role.Label())
		}
		if decided != (f.State == StateDecided) {
			if decided {
				return models.Refuse("Le dossier %s n'est pas encore décidé.", f.Reference)
			}
			return models.Refuse("Le dossier %s est déjà décidé.", f.Reference)
		}
		details := map[string]any{}
		if err := set(f, details); err != nil {
			return err
		}
		f.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(f).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("file %s: %w", action, err)
		}
		if err := AddEvent(ctx, tx, actor, f, action, f.State, f.State, details, now); err != nil {
			return err
		}
		details["reference"] = f.Reference
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: f.CommissionID, Actor: models.ActorFor(actor), Action: "file." + action, Object: models.ObjectRef("file", f.ID), Details: details,
		})
	})
}
