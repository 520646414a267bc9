package minutes_test

import (
	"time"

	"seance/app/minutes"
	"seance/models/files"
	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
	"seance/models/registry"
)

// concerned are the identities of the persons concerned by the sample's files, as the
// files feature keeps them sealed: none of them may appear in any output.
var concerned = map[string][]string{
	"31-2026-0042": {"Okafor", "Blessing", "17/05/1994", "1994-05-17"},
	"31-2026-0057": {"Popescu", "Mariana", "03/02/1999", "1999-02-03"},
	"31-2026-0061": {"Ekwueme", "Precious", "28/11/1990", "1990-11-28"},
}

func day(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func ptr[T any](v T) *T { return &v }

// sample is a hybrid session of the Haute-Garonne commission: 12 seats, three files
// (a renewal, an entry decided by the chair's casting vote, an end) and an information
// item, with recusals, dissents, named ballots and a proxy.
func sample() *minutes.Minutes {
	return &minutes.Minutes{
		Commission: minutes.Commission{
			Name:       "Commission départementale de lutte contre la prostitution, le proxénétisme et la traite des êtres humains aux fins d'exploitation sexuelle de la Haute-Garonne",
			Department: "31", Authority: "Préfet de la Haute-Garonne", ArreteRef: "n° 31-2026-03-12-001 du 12 mars 2026",
		},
		Session: minutes.Session{
			MeetingID: 12, Kind: meetings.MeetingFiles.Label(), Mode: meetings.ModeHybrid.Label(),
			Place:    "Préfecture de la Haute-Garonne, salle Capitole, 1 place Saint-Étienne, Toulouse",
			StartsAt: day(2026, 11, 24, 13, 0), EndsAt: day(2026, 11, 24, 15, 35), ConvenedOn: ptr(day(2026, 11, 16, 9, 0)),
		},
		Chair:     minutes.Person{Name: "Claire Vidal", Quality: "Sous-préfète, directrice de cabinet, représentant le préfet de la Haute-Garonne"},
		Secretary: minutes.Person{Name: "Julien Mercier", Quality: "Secrétariat de la commission (DDETS de la Haute-Garonne)"},
		Attendance: []minutes.Attendee{
			{Name: "Hélène Garcia", Quality: "Vice-présidente chargée de l'application des peines, tribunal judiciaire de Toulouse", Category: 1, CategoryLabel: registry.CategoryMagistrate.Label(), Status: meetings.AttPresentOnSite, ProxyFrom: "Thomas Roux"},
			{Name: "Marc Dubois", Quality: "Directeur départemental de l'emploi, du travail et des solidarités", Category: 2, CategoryLabel: registry.CategoryDDETS.Label(), Status: meetings.AttSubstituted, SubstituteName: "Sophie Lefèvre"},
			{Name: "Nadia Benali", Quality: "Directrice départementale de la sécurité publique", Category: 3, CategoryLabel: registry.CategoryDDSP.Label(), Status: meetings.AttPresentRemote},
			{Name: "Thomas Roux", Quality: "Chef de l'office central pour la répression de la traite, antenne de Toulouse", Category: 4, CategoryLabel: registry.CategoryJudicialPolice.Label(), Status: meetings.AttProxy, ProxyTo: "Hélène Garcia"},
			{Name: "Pierre Lambert", Quality: "Commandant du groupement de gendarmerie départementale", Category: 5, CategoryLabel: registry.CategoryGendarmerie.Label(), Status: meetings.AttPresentOnSite},
			{Name: "Anne Moreau", Quality: "Cheffe du service de l'immigration et de l'intégration, préfecture", Category: 6, CategoryLabel: registry.CategoryForeignersService.Label(), Status: meetings.AttPresentOnSite},
			{Name: "Sylvie Bonnet", Quality: "Responsable de l'unité départementale du travail", Category: 7, CategoryLabel: registry.CategoryWorkUnit.Label(), Status: meetings.AttPresentOnSite},
			{Name: "François Petit", Quality: "Directeur académique adjoint des services de l'éducation nationale", Category: 8, CategoryLabel: registry.CategoryDASEN.Label(), Status: meetings.AttExcused},
			{Name: "Élise Fournier", Quality: "Médecin désignée par le conseil départemental de l'ordre des médecins", Category: 9, CategoryLabel: registry.CategoryDoctor.Label(), Status: meetings.AttPresentOnSite},
			{Name: "Jean-Luc Martin", Quality: "Conseiller départemental de la Haute-Garonne", Category: 10, CategoryLabel: registry.CategoryLocalAuthority.Label(), Status: meetings.AttNoReply},
			{Name: "Laure Nguyen", Quality: "Représentante de l'Amicale du Nid 31", Category: 11, CategoryLabel: registry.CategoryAssociation.Label(), Status: meetings.AttPresentOnSite},
			{Name: "Karim Haddad", Quality: "Représentant du Mouvement du Nid, délégation de la Haute-Garonne", Category: 11, CategoryLabel: registry.CategoryAssociation.Label(), Status: meetings.AttPresentRemote},
		},
		Others: []minutes.Person{{Name: "Inès Caron", Quality: "Intervenante sociale de l'Amicale du Nid 31, entendue sur le point 1"}},
		Quorum: minutes.Quorum{Members: 12, Present: 9, Represented: 1, Required: 6, Reached: true},
		Items: []minutes.Item{
			{
				Number: 1, Kind: files.KindRenewal.Label(), Reference: "31-2026-0042", Association: "Amicale du Nid 31", AssociationRecused: true,
				Recusals: []string{"Élise Fournier (intérêt déclaré)"},
				Tally:    &minutes.Tally{Pour: 6, Contre: 1, Abstention: 1},
				Avis:     "Favorable",
				Reasoning: "Les engagements du premier semestre ont été tenus : hébergement stable en CHRS, suivi médical régulier et formation « français langue étrangère » en cours. " +
					"La commission salue l'œuvre d'accompagnement conduite par l'association.",
				Conditions: "Maintien de l'AFIS au montant de 449,28 € par mois (un enfant) ; point d'étape à trois mois sur la recherche d'emploi.",
				Dissents:   []minutes.Dissent{{Name: "Anne Moreau", Text: "Je demande que soit consigné que la situation au regard du séjour devra être réexaminée avant tout nouveau renouvellement."}},
			},
			{
				Number: 2, Kind: files.KindEngagement.Label(), Reference: "31-2026-0057", Association: "Mouvement du Nid, délégation de la Haute-Garonne", AssociationRecused: true,
				Tally:     &minutes.Tally{Pour: 4, Contre: 4, Abstention: 1, CastingVote: true},
				Avis:      "Favorable",
				Reasoning: "La demande répond aux conditions de l'article L121-9 du CASF ; le projet d'insertion est construit avec la personne.",
				Dissents: []minutes.Dissent{
					{Name: "Pierre Lambert", Text: "Avis défavorable maintenu : les éléments relatifs à la sécurité de la personne ne sont pas suffisamment documentés."},
					{Name: "Nadia Benali", Text: "Je rejoins l'opinion du commandant Lambert sur la protection de la personne."},
				},
				Ballots: []minutes.NamedBallot{
					{Name: "Hélène Garcia", Choice: minutes.ChoicePour}, {Name: "Hélène Garcia", Choice: minutes.ChoiceContre, OnBehalfOf: "Thomas Roux"},
					{Name: "Sophie Lefèvre", Choice: minutes.ChoicePour}, {Name: "Nadia Benali", Choice: minutes.ChoiceContre},
					{Name: "Pierre Lambert", Choice: minutes.ChoiceContre}, {Name: "Anne Moreau", Choice: minutes.ChoiceContre},
					{Name: "Élise Fournier", Choice: minutes.ChoicePour}, {Name: "Laure Nguyen", Choice: minutes.ChoicePour},
					{Name: "Sylvie Bonnet", Choice: minutes.ChoiceAbstention},
				},
			},
			{
				Number: 3, Kind: files.KindEnd.Label(), Reference: "31-2026-0061", Association: "Amicale du Nid 31", AssociationRecused: true,
				Tally: &minutes.Tally{Pour: 8, Contre: 0, Abstention: 0}, Avis: "Favorable à la fin du parcours",
				Reasoning: "La personne a quitté le département ; son accompagnement est repris par une association agréée du lieu de résidence.",
			},
			{Number: 4, Kind: meetings.ItemInformation.Label(), Title: "Bilan du partenariat avec la caisse d'allocations familiales"},
		},
		GeneralItems: "Calendrier 2027 : séances les 19 janvier, 16 mars et 11 mai 2027.\nLe secrétariat rappelle la confidentialité des débats.",
		Observations: "Procès-verbal établi par le secrétariat de la commission.",
		GeneratedAt:  day(2026, 11, 24, 16, 0),
		TimeZone:     "Europe/Paris",
		Record:       minutes.Record{ID: 7, Version: 1, Status: minutesmodel.MinutesDraft},
	}
}

// sampleWritten is a written electronic deliberation on one file, with contributions.
func sampleWritten() *minutes.Minutes {
	m := sample()
	m.Session.Mode = meetings.ModeWritten.Label()
	m.Session.Place = ""
	m.Items = m.Items[:1]
	m.Written = &minutes.Written{
		OpensAt: day(2026, 11, 24, 8, 0), EarliestCloseAt: day(2026, 11, 26, 17, 0), ClosesAt: day(2026, 11, 27, 17, 0), Extended: true,
		VoteOpensAt: day(2026, 11, 27, 17, 0), VoteClosesAt: day(2026, 11, 28, 17, 0), Members: 12, Participants: 9,
		Contributions: []minutes.Contribution{
			{At: day(2026, 11, 24, 9, 12), Name: "Anne Moreau", Item: 1, Text: "Le titre de séjour arrive à échéance en février : un point d'étape est nécessaire."},
			{At: day(2026, 11, 25, 14, 40), Name: "Laure Nguyen", Item: 1, Text: "L'association confirme l'hébergement en CHRS jusqu'en juin et le coût de 1 250 € pour la formation."},
		},
	}
	return m
}

// sampleLocked is the sample as approved and locked.
func sampleLocked() *minutes.Minutes {
	m := sample()
	m.Record = minutes.Record{
		ID: 7, Version: 1, Status: minutesmodel.MinutesLocked, ApprovedAt: ptr(day(2026, 12, 8, 14, 0)), ApprovalRef: "séance du 8 décembre 2026, point 1",
		LockedAt: ptr(day(2026, 12, 8, 14, 5)), Hash: "5f2b9c0e7a1d43b8a6c2e9f0d1b7a3c45f2b9c0e7a1d43b8a6c2e9f0d1b7a3c4",
	}
	return m
}
