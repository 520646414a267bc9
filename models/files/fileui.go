package files

import (
	"slices"

	"seance/models"
)

// The predicates below tell the screens which actions to offer on a file. They say what
// the write functions accept, so that a page shows only the actions that can succeed.

// MayEditFile reports whether actor may change the content of f (UpdateFile): the
// instructing association while the file is a draft or incomplete.
func MayEditFile(actor *models.User, f *File) bool {
	return actor != nil && actor.Active && actor.Role == models.RoleAssociation && actor.AssociationID != nil &&
		*actor.AssociationID == f.AssociationID && actor.CommissionIDOrZero() == f.CommissionID &&
		(f.State == StateDraft || f.State == StateIncomplete)
}

// MayDeleteDraft reports whether actor may delete f (DeleteDraft).
func MayDeleteDraft(actor *models.User, f *File) bool {
	return MayEditFile(actor, f) && f.State == StateDraft
}

// MayChangeAttachments reports whether actor may add or remove attachments of f
// (AddAttachment, DeleteAttachment).
func MayChangeAttachments(actor *models.User, f *File) bool {
	return actor != nil && actor.Active && actor.CommissionIDOrZero() == f.CommissionID && mayChangeAttachments(actor, f)
}

// MayRecordObservations reports whether actor may record the observations step of f
// (RecordObservations): a renewal, end or suspension request not yet decided, by the
// secretariat or the instructing association.
func MayRecordObservations(actor *models.User, f *File) bool {
	if actor == nil || !actor.Active || actor.CommissionIDOrZero() != f.CommissionID || f.State == StateDecided {
		return false
	}
	if f.Kind != KindRenewal && !f.Kind.EndsRights() {
		return false
	}
	switch actor.Role {
	case models.RoleSecretariat:
		return true
	case models.RoleAssociation:
		return actor.AssociationID != nil && *actor.AssociationID == f.AssociationID
	}
	return false
}

// MayRecordAfterDecision reports whether actor may record the notification of the
// decision on f or an appeal against it (RecordNotification, RecordAppeal).
func MayRecordAfterDecision(actor *models.User, f *File) bool {
	return actor != nil && actor.Active && actor.CommissionIDOrZero() == f.CommissionID &&
		actor.Role == models.RoleSecretariat && f.State == StateDecided
}

// NeedsObservations reports whether deciding f with outcome ends rights, so that the
// person must first have been able to submit observations (REGLES.md requirement 10).
func NeedsObservations(f *File, outcome DecisionOutcome) bool {
	return (f.Kind.EndsRights() && outcome == DecisionAuthorised) || (f.Kind == KindRenewal && outcome == DecisionRefused)
}

// EndReasonsWithoutFile lists the reasons EndParcours accepts: an end for commitments not
// kept goes through a request examined by the commission.
func EndReasonsWithoutFile() []EndReason {
	return slices.DeleteFunc(slices.Clone(EndReasons), func(r EndReason) bool { return r == EndBreach })
}

// EndReasonsRequested lists the reasons an association may give on an end request.
func EndReasonsRequested() []EndReason {
	return []EndReason{EndBreach, EndLeft, EndMoved}
}
