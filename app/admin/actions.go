package admin

import (
	"slices"
	"strings"
)

// actionLabels names the audited actions in French, by code.
var actionLabels = map[string]string{
	"account_token.create": "Lien de compte créé", "account_token.use": "Lien de compte utilisé",
	"afis.scale_add": "Barème AFIS ajouté", "association.create": "Association créée", "association.update": "Association modifiée",
	"audit.export": "Journal d'audit exporté",
	"auth.login":   "Connexion", "auth.login_failed": "Échec de connexion", "auth.login_throttled": "Connexion bloquée (trop d'essais)",
	"auth.logout": "Déconnexion", "auth.recovery_code": "Connexion par code de secours", "auth.reset_refused": "Réinitialisation refusée",
	"auth.second_factor_failed": "Échec du second facteur", "auth.second_factor_refused": "Second facteur refusé", "auth.totp": "Second facteur validé",
	"calendar_feed.create": "Abonnement d'agenda créé", "calendar_feed.revoke": "Abonnement d'agenda révoqué",
	"commission.create": "Commission créée", "commission.settings": "Paramètres de la commission modifiés",
	"deliberation.announce": "Délibération écrite annoncée", "deliberation.close_debate": "Échanges clos, vote ouvert",
	"deliberation.contribution": "Contribution à une délibération écrite", "deliberation.extend": "Délibération prolongée", "deliberation.open": "Délibération écrite ouverte",
	"demo.history":      "Historique de démonstration créé",
	"file.access_grant": "Accès à un dossier accordé", "file.access_revoke": "Accès à un dossier retiré", "file.agenda": "Dossier inscrit à l'ordre du jour",
	"file.attachment_add": "Pièce jointe ajoutée", "file.attachment_delete": "Pièce jointe supprimée", "file.attachment_view": "Pièce jointe consultée",
	"file.anonymise": "Dossier anonymisé (durée de conservation)", "file.create": "Dossier créé", "file.delete": "Brouillon supprimé", "file.identity_view": "Identité consultée", "file.interest": "Intérêt déclaré (déport)",
	"file.transition": "Dossier changé d'état", "file.update": "Dossier modifié",
	"housekeeping.purged": "Purge des données échues", "job.run_requested": "Tâche lancée à la main", "keys.rotate": "Clés de chiffrement renouvelées",
	"mail.requeued":   "Courriel renvoyé",
	"mandate.correct": "Mandat corrigé", "mandate.create": "Mandat créé", "mandate.end": "Mandat terminé",
	"meeting.attendance": "Présence enregistrée", "meeting.cancel": "Séance annulée", "meeting.convene": "Séance convoquée",
	"meeting.convocation_read": "Convocation lue", "meeting.convocation_sent": "Convocation envoyée", "meeting.create": "Séance créée",
	"meeting.minutes_approved": "Procès-verbal approuvé", "meeting.second_convocation": "Seconde convocation", "meeting.update": "Séance modifiée",
	"minutes.download": "Procès-verbal téléchargé", "minutes.seal": "Procès-verbal scellé",
	"parcours.end": "Fin de parcours", "parcours.rights": "Droits du parcours ouverts",
	"registry.export": "Registre exporté", "registry.import": "Registre importé",
	"seat.create": "Siège créé", "seat.delete": "Siège supprimé", "seat.update": "Siège modifié",
	"sitting.close": "Séance close", "sitting.item": "Point de séance traité", "sitting.open": "Séance ouverte",
	"stats.download": "Statistiques téléchargées", "stats.download_rollup": "Statistiques consolidées téléchargées",
	"token.create": "Jeton d'API créé", "token.revoke": "Jeton d'API révoqué",
	"totp.confirm": "Second facteur activé", "totp.demo_skip": "Enrôlement passé (démonstration)", "totp.disable": "Second facteur désactivé",
	"totp.enrol": "Enrôlement du second facteur", "totp.recovery_codes": "Codes de secours renouvelés",
	"user.active": "Compte activé ou désactivé", "user.create": "Compte créé", "user.email_change": "Adresse électronique changée",
	"user.password": "Mot de passe changé", "user.role": "Rôle changé", "user.update": "Compte modifié",
	"minutes.approve": "Procès-verbal approuvé", "minutes.content_sealed": "Procès-verbal chiffré", "minutes.correct": "Procès-verbal corrigé",
	"minutes.create": "Procès-verbal préparé", "minutes.lock": "Procès-verbal verrouillé", "minutes.refresh": "Procès-verbal actualisé",
	"minutes.reopen": "Procès-verbal rouvert", "minutes.submit": "Procès-verbal soumis à approbation", "minutes.texts": "Textes du procès-verbal saisis",
	"minutes.validate": "Procès-verbal validé par le président",
	"mail.failed":      "Courriel en échec", "mail.outbox": "Courriel conservé dans la boîte d'envoi", "mail.queued": "Courriel mis en file", "mail.sent": "Courriel envoyé",
	"meeting.agenda_add": "Point ajouté à l'ordre du jour",
	"parcours.ended":     "Parcours terminé", "parcours.inprogress": "Parcours en cours", "parcours.renewed": "Parcours renouvelé", "parcours.started": "Parcours commencé",
	"vote.ballot": "Bulletin exprimé", "vote.ballot_change": "Bulletin modifié",
	"vote.avis": "Avis motivé enregistré", "vote.close": "Vote clos", "vote.dissent": "Opinion divergente enregistrée", "vote.open": "Vote ouvert",
}

// familyLabels names the prefixes of the actions built at run time ("file." + state…).
var familyLabels = map[string]string{
	"auth.": "Connexions", "file.": "Dossiers", "mail.": "Courriels", "meeting.": "Séances", "minutes.": "Procès-verbaux", "parcours.": "Parcours",
	"sitting.": "Tenue des séances", "vote.": "Votes", "deliberation.": "Délibérations écrites", "user.": "Comptes", "totp.": "Second facteur",
}

// ActionLabel is the French name of an action code; an unknown code is named by its
// family, with the code, and otherwise shown as recorded.
func ActionLabel(code string) string {
	if l, ok := actionLabels[code]; ok {
		return l
	}
	if fam, _, ok := strings.Cut(code, "."); ok {
		if l, ok := familyLabels[fam+"."]; ok {
			return l + " (" + code + ")"
		}
	}
	return code
}

// ActionChoice is one option of the journal's action filter.
type ActionChoice struct {
	Code, Label string
}

// actionChoices lists the families first, then every known action by label.
func actionChoices() []ActionChoice {
	var out []ActionChoice
	for code, l := range familyLabels {
		out = append(out, ActionChoice{Code: code, Label: l + " (toutes les actions)"})
	}
	slices.SortFunc(out, func(a, b ActionChoice) int { return strings.Compare(a.Label, b.Label) })
	var actions []ActionChoice
	for code, l := range actionLabels {
		actions = append(actions, ActionChoice{Code: code, Label: l})
	}
	slices.SortFunc(actions, func(a, b ActionChoice) int { return strings.Compare(a.Label, b.Label) })
	return append(out, actions...)
}

// knownAction reports whether code is one of the filter's choices.
func knownAction(code string) bool {
	_, ok := actionLabels[code]
	_, fam := familyLabels[code]
	return ok || fam
}
