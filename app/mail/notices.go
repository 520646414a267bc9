package mail

import "seance/models"

// AddressChanged is the notice sent to the former address of an account whose e-mail
// address (its sign-in identifier) changed, so that an owner who did not ask for it
// learns at once. by says who made the change, in French ("depuis la page « Mon compte »",
// "par l'administrateur de la plateforme"…). It carries no link.
func AddressChanged(ch *models.EmailChange, by string) Message {
	return Message{
		To: []string{ch.Old}, Subject: "Séance : l'adresse électronique de votre compte a changé",
		Text: "Bonjour " + ch.User.Name + ",\n\n" +
			"L'adresse électronique de votre compte Séance, qui est aussi votre identifiant de connexion, a été changée " + by + ".\n\n" +
			"Ancienne adresse : " + ch.Old + "\nNouvelle adresse : " + ch.New + "\n\n" +
			"Les messages du portail, dont les liens de réinitialisation du mot de passe, iront désormais à la nouvelle adresse.\n" +
			"Si vous n'êtes pas à l'origine de ce changement, prévenez sans attendre le secrétariat de votre commission ou l'administrateur de la plateforme.\n\n" +
			"— Séance, portail de la commission départementale\n",
		Kind: "email_changed", CommissionID: ch.User.CommissionIDOrZero(), Actor: ch.By,
	}
}
