package jobs

import (
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"seance/app/mail"
	"seance/models/keyring"
	"seance/models/kvstore"
)

// Deps is what the portal's jobs need; main builds it once.
type Deps struct {
	DB       *bun.DB
	Log      *slog.Logger
	Now      func() time.Time
	Location *time.Location
	// Schedules overrides default schedules by job name (SEANCE_JOB_SCHEDULES).
	Schedules map[string]string
	Mailer    *mail.Mailer
	// CheckpointDir receives the audit chain's checkpoint (SEANCE_CHECKPOINT_DIR).
	CheckpointDir string
	// BackupDir receives the SQLite backups (SEANCE_BACKUP_DIR).
	BackupDir string
	// BaseURL is the portal's absolute address, for the links of the notices.
	BaseURL string
	// Keys seals the messages the jobs post (a written deliberation's opening).
	Keys *keyring.Keyring
	// AnnualWorkbook generates a commission's annual workbook (app/stats.AnnualWorkbook).
	AnnualWorkbook WorkbookFunc
}

// Portal returns the registry of the portal's jobs with their default schedules
// (cron, in d.Location).
func Portal(d Deps) (*Registry, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	nt := Notices{DB: d.DB, Notifier: &Notifier{DB: d.DB, Mailer: d.Mailer, BaseURL: d.BaseURL}, Now: d.Now}
	return NewRegistry(d.DB, d.Log, d.Now, d.Location, d.Schedules,
		Entry{Job: &MailDelivery{Mailer: d.Mailer}, Title: "Envoi des courriels en attente (nouvelles tentatives espacées)",
			Schedule: "* * * * *", Timeout: 5 * time.Minute},
		Entry{Job: &Cleanup{Storage: kvstore.NewStorage(d.DB, d.Now)}, Title: "Suppression des sessions et compteurs expirés",
			Schedule: "*/15 * * * *", Timeout: time.Minute},
		Entry{Job: &Housekeeping{DB: d.DB, Now: d.Now}, Title: "Purge des liens expirés, des courriels de plus de 90 jours et de l'historique des tâches",
			Schedule: "40 3 * * *", Timeout: 10 * time.Minute},
		Entry{Job: &AuditCheckpoint{DB: d.DB, Dir: d.CheckpointDir, Now: d.Now, Log: d.Log}, Title: "Point de contrôle de la chaîne d'audit écrit hors de la base",
			Schedule: "7 * * * *", Timeout: time.Minute},
		Entry{Job: &Backup{DB: d.DB, Dir: d.BackupDir, Now: d.Now, Location: d.Location, Log: d.Log}, Title: "Sauvegarde de la base SQLite (7 quotidiennes, 4 hebdomadaires)",
			Schedule: "15 2 * * *", Timeout: 30 * time.Minute},
		Entry{Job: &ConvocationFollowUp{Notices: nt, Location: d.Location},
			Title: "Relance des convoqués sans réponse la veille, alerte de quorum deux jours avant", Schedule: "0 9 * * *", Timeout: 5 * time.Minute},
		Entry{Job: &Renewals{nt},
			Title: "Périodes de droits s'achevant dans 45 puis 15 jours sans demande de renouvellement", Schedule: "0 7 * * *", Timeout: 5 * time.Minute},
		Entry{Job: &Terms{nt},
			Title: "Mandats et agréments s'achevant dans les 90 jours", Schedule: "10 7 * * *", Timeout: 5 * time.Minute},
		Entry{Job: &Deliberations{Notices: nt, Keys: d.Keys, Location: d.Location},
			Title: "Délibérations écrites : ouverture à l'heure annoncée, relances, clôture du vote et envoi des résultats", Schedule: "*/5 * * * *", Timeout: 5 * time.Minute},
		Entry{Job: &AnnualReport{DB: d.DB, Now: d.Now, Location: d.Location, Workbook: d.AnnualWorkbook},
			Title: "Rapport annuel définitif de l'année écoulée, pour chaque commission (1er février, repris jusqu'au 7 en cas d'arrêt)", Schedule: "30 5 1-7 2 *", Timeout: 30 * time.Minute},
		Entry{Job: &Retention{Notices: nt, Keyring: d.Keys},
			Title: "Anonymisation des dossiers au terme de la durée de conservation, préavis de 30 jours au secrétariat", Schedule: "30 4 * * *", Timeout: 30 * time.Minute},
	)
}
