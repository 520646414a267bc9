package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"seance/models"
	"seance/models/keyring"
	"seance/models/retention"
)

// Retention anonymises, each day, the files whose retention period after the person's
// last activity has passed (REGLES.md requirement 15, models.AnonymiseFile), and tells
// the secretariat RetentionPreviewDays ahead, once per file and date, of each file
// about to be anonymised. Files of a person with an open parcours or a pending request
// are never touched.
type Retention struct {
	Notices
	Keyring *keyring.Keyring
}

// Name names the job.
func (j *Retention) Name() string { return "retention" }

// Run anonymises the files due and announces the coming ones; the items are the files
// anonymised plus the notices sent.
func (j *Retention) Run(ctx context.Context) error {
	if j.Keyring == nil {
		return fmt.Errorf("retention: no keyring")
	}
	now := j.Now()
	anonymised := 0
	err := eachCommission(ctx, j.DB, func(cid int64) (int, error) {
		n, err := j.anonymise(ctx, cid, now)
		anonymised += n
		if err != nil {
			return n, err
		}
		sent, err := j.announce(ctx, cid, now)
		return n + sent, err
	})
	if anonymised > 0 {
		if serr := retention.ScrubFreedSpace(context.WithoutCancel(ctx), j.DB); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

// anonymise anonymises the files of commission cid that are due.
func (j *Retention) anonymise(ctx context.Context, cid int64, now time.Time) (int, error) {
	due, err := retention.FilesDueForAnonymisation(ctx, j.DB, cid, now)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, f := range due {
		n, err := retention.AnonymiseFile(ctx, j.DB, j.Keyring, models.SystemActor("retention"), cid, f.FileID, now)
		done += n
		if err != nil {
			return done, fmt.Errorf("anonymise %s: %w", f.Reference, err)
		}
	}
	return done, nil
}

// announce tells the secretariat of the files anonymised within RetentionPreviewDays.
func (j *Retention) announce(ctx context.Context, cid int64, now time.Time) (int, error) {
	us, err := models.ActiveUsersWithRole(ctx, j.DB, cid, models.RoleSecretariat)
	if err != nil || len(us) == 0 {
		return 0, err
	}
	today := models.CalendarDay(now)
	coming, err := retention.RetentionSchedule(ctx, j.DB, cid, today.AddDate(0, 0, retention.RetentionPreviewDays), now)
	if err != nil {
		return 0, err
	}
	staff := accounts(us)
	sent := 0
	for _, f := range coming {
		if !f.AnonymiseOn.After(today) {
			continue // due today: anonymised by this run
		}
		n, err := j.Notifier.send(ctx, notice{
			CommissionID: cid, Kind: "retention-30", Object: models.ObjectRef("file", f.FileID),
			Occurrence: "on:" + f.AnonymiseOn.Format(time.DateOnly), Link: "/commissions/" + strconv.FormatInt(cid, 10) + "/conservation",
			Subject: fmt.Sprintf("Dossier %s : anonymisation prévue le %s", f.Reference, frDay(f.AnonymiseOn)),
			Text: fmt.Sprintf("Le dossier %s (%s) n'a connu aucune activité depuis le %s. Au terme de la durée de conservation, "+
				"il sera anonymisé le %s (%s) : identité de la personne, pièces jointes et textes libres détruits, données "+
				"statistiques conservées.\nUne nouvelle activité sur le dossier ou le parcours de la personne repousse cette date.",
				f.Reference, f.Kind.Label(), frDay(f.LastActivity), frDay(f.AnonymiseOn), inDays(daysBetween(today, f.AnonymiseOn))),
		}, staff, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
