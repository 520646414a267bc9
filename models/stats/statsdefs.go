package stats

// StatDef is the written definition of one indicator of the annual report, in French for
// the page and the workbook and in English for the code's readers and a later API.
type StatDef struct {
	Key   string
	Label string
	FR    string
	EN    string
}

// statDefs is the one place where the indicators are defined; the page, the workbook
// and their tests read them from here.
var statDefs = []StatDef{
	{"sessions", "Séances tenues",
		"Séances ouvertes dans l'année civile (date de la séance), par objet (politique et coordination, ou examen des dossiers individuels) et par mode (présentiel, mixte, à distance, délibération écrite). Les séances annulées ou seulement planifiées ne sont pas comptées.",
		"Sessions opened in the calendar year, by kind and mode; cancelled or planned sessions are left out."},
	{"attendance", "Présence des membres",
		"Pour les séances tenues : sièges convoqués (un par siège et par séance), membres présents sur place ou à distance ou remplacés par leur suppléant, membres ayant donné procuration. Taux de présence = (présents + représentés) ÷ sièges convoqués, par catégorie de membres (R121-12-7).",
		"For held sessions: seats convened (one per seat and session), present (on site, remote or by their suppléant), represented by proxy. Attendance rate = (present + represented) / seats."},
	{"governance", "Autres indicateurs de fonctionnement",
		"Secondes convocations (séances reconvoquées sans condition de quorum, R133-10), convocations en urgence (délai de 5 jours non respecté, R133-8), procurations données, suppléants ayant siégé, avis acquis par la voix prépondérante du président (R133-11) et opinions divergentes consignées au procès-verbal (R133-13), dans l'année.",
		"Second convocations, urgent convocations, proxies given, suppléants sitting, avis settled by the casting vote and dissents recorded in the year."},
	{"files", "Dossiers reçus et examinés",
		"Dossiers reçus : demandes déposées par une association agréée dans l'année (date de dépôt), par nature. Dossiers examinés : avis rendus par la commission dans l'année (date de l'avis), favorables, favorables avec réserves ou défavorables.",
		"Files received: requests submitted in the year, by kind. Files examined: commission avis given in the year, by outcome."},
	{"decisions", "Décisions du préfet",
		"Décisions d'autorisation ou de refus prises par le préfet dans l'année (date de la décision, R121-12-10). Taux de refus = refus ÷ décisions, séparément pour les premières demandes (engagement) et les renouvellements.",
		"Préfet's decisions in the year; refusal rate = refused / decided, separately for first requests and renewals."},
	{"delays", "Délais d'instruction",
		"Délais en jours calendaires, médiane et 90e centile (rang le plus proche), pour les étapes achevées dans l'année : dépôt → dossier déclaré complet (recevable) ; complet → avis de la commission ; avis → décision du préfet ; décision → notification à la personne.",
		"Delays in calendar days, median and 90th percentile (nearest rank), of steps completed in the year."},
	{"parcours", "Parcours",
		"Entrées : parcours ouverts dans l'année (début de la première période de droits). Renouvellements : périodes de droits suivantes ayant commencé dans l'année. En cours : parcours ayant des droits le 31 décembre (ou à la date du jour pour l'année en cours), ni terminés ni suspendus.",
		"Entries: parcours started in the year. Renewals: later periods of rights started in the year. In progress: parcours with rights on 31 December (today for the current year)."},
	{"exits", "Sorties de parcours",
		"Parcours terminés dans l'année (date de fin des droits), par motif : durée maximale de 24 mois atteinte, non-renouvellement, non-respect des engagements, départ de la personne, départ du département.",
		"Parcours ended in the year, by reason."},
	{"duration", "Durée cumulée des parcours en cours",
		"Pour les parcours en cours au 31 décembre : total des mois de droits accordés par les périodes commencées à cette date, interruptions exclues (R121-12-10 : 24 mois au plus), par tranche de 6 mois.",
		"For parcours in progress on 31 December: months of rights granted by the periods started by then, in 6-month bands."},
	{"beneficiaries", "Profil des bénéficiaires",
		"Personnes entrées dans un parcours dans l'année, et personnes en parcours au 31 décembre, par sexe, tranche d'âge (âge atteint dans l'année ; la première tranche compte aussi les moins de 18 ans), nationalité (les 10 plus fréquentes, nommées avec leur code ISO, puis « Autres » ; XX : inconnue ou apatride) et nombre d'enfants à charge déclaré dans la demande.",
		"Persons who entered a parcours in the year and persons in a parcours on 31 December, by gender, age band, nationality (10 most frequent, then others) and dependent children."},
	{"aps", "Autorisations provisoires de séjour",
		"Périodes de droits dont l'APS (CESEDA L425-4) a pris effet dans l'année : première APS du parcours, ou APS renouvelée.",
		"Periods whose APS took effect in the year: the parcours' first APS, or a renewed one."},
	{"afis", "Aide financière (AFIS)",
		"Bénéficiaires : parcours ayant au moins un mois d'AFIS versé dans l'année. Mois : mensualités dues dans l'année (du premier mois versé jusqu'à l'arrêt ou la fin de la période). Montant : mensualités × montant mensuel du barème (D121-12-14).",
		"Beneficiaries: parcours with at least one AFIS month paid in the year; months due in the year; amount = months × monthly amount."},
	{"housing", "Solutions de logement",
		"Périodes de droits commencées dans l'année pour lesquelles une solution de logement ou d'hébergement a été obtenue, par type.",
		"Periods started in the year with a housing solution obtained, by type."},
	{"associations", "Activité des associations agréées",
		"Par association : dossiers déposés dans l'année, avis de la commission rendus dans l'année (favorables, y compris avec réserves, et défavorables), parcours qu'elle suit ayant eu des droits pendant l'année.",
		"Per approved association: files submitted, avis given, parcours followed with rights during the year."},
	{"monthly", "Série mensuelle",
		"Par mois de l'année : dossiers reçus, avis favorables (y compris avec réserves) et défavorables, décisions d'autorisation et de refus, parcours commencés, selon les mêmes dates que les tableaux annuels.",
		"By month: files received, avis, decisions and parcours started, on the same dates as the annual tables."},
	{"departments", "Comparaison des départements",
		"Pour une région (ou l'ensemble des commissions) : les principaux indicateurs de chaque commission départementale côte à côte, avec les mêmes définitions que dans son propre rapport, et leur total, compté sur l'ensemble des commissions. Le secret statistique est appliqué à tous les tableaux ensemble avec le seuil le plus élevé des commissions : un effectif masqué d'un département ne peut pas être recalculé à partir du total régional et des autres départements.",
		"For a region (or every commission): each departmental commission's main indicators side by side, with their total over all of them; secrecy across all the tables with the highest threshold, so that a department's masked count cannot be recovered from the regional total and the other departments."},
	{"secrecy", "Secret statistique",
		"Pour la préfecture et la région, les effectifs de personnes de 1 au seuil moins un sont remplacés par « < seuil » (secret primaire) ; d'autres cases sont masquées (« s », secret secondaire) pour qu'aucune case masquée ne puisse être recalculée par différence avec un total d'une ligne, d'une colonne ou d'un autre tableau du rapport. Les taux, délais et montants calculés sur moins de personnes que le seuil sont masqués. Zéro est affiché. Les séances et la présence des membres ne concernent pas les personnes et ne sont pas masquées.",
		"Person counts from 1 to threshold-1 are masked, with secondary suppression across rows, columns and tables; rates, delays and amounts on a small base are masked; zero is shown."},
}

// StatDefinitions returns the definitions of the indicators in report order.
func StatDefinitions() []StatDef { return statDefs }

// StatDefinition returns the definition with key, or a zero StatDef.
func StatDefinition(key string) StatDef {
	for _, d := range statDefs {
		if d.Key == key {
			return d
		}
	}
	return StatDef{}
}
