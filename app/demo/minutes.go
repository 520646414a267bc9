package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"seance/app/minutes"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
)

// seedMinutes gives the sessions held before today their procès-verbal: every one but
// the latest validated, submitted to a session under way, approved and locked; the
// latest one a draft the secretariat can complete.
func seedMinutes(ctx context.Context, s *Seeder) error {
	sec, pres := s.Users[EmailSecretariat], s.Users[EmailPresident]
	if sec == nil || pres == nil {
		return fmt.Errorf("demo minutes need the secretariat and the président")
	}
	cid, now := s.Commission.ID, s.Now.UTC()
	ms, err := meetings.ListMeetings(ctx, s.DB, cid, now.AddDate(-2, 0, 0), now.AddDate(1, 0, 0))
	if err != nil {
		return err
	}
	held := slices.DeleteFunc(slices.Clone(ms), func(m meetings.Meeting) bool { return m.Status != meetings.MeetingClosed })
	// The approving session: the first one under way that started before today's demo time.
	var approving *meetings.Meeting
	for i := range ms {
		if ms[i].Status == meetings.MeetingOpen && !ms[i].StartsAt.After(now) {
			approving = &ms[i]
			break
		}
	}
	for i, m := range held {
		view, err := minutes.BuildMinutes(ctx, s.DB, s.Keys, cid, m.ID, m.EndsAt)
		if err != nil {
			return err
		}
		content, err := minutes.Encode(view)
		if err != nil {
			return err
		}
		r, err := minutesmodel.CreateMinutesDraft(ctx, s.DB, s.Keys, models.ActorFor(sec), cid, m.ID, content, m.EndsAt)
		if err != nil {
			return err
		}
		if i == len(held)-1 || approving == nil {
			continue
		}
		texts := minutesmodel.MinutesTexts{GeneralItems: "Le secrétariat rappelle la confidentialité des débats et des pièces des dossiers."}
		if _, err := minutesmodel.UpdateMinutesTexts(ctx, s.DB, models.ActorFor(sec), cid, r.ID, texts, m.EndsAt); err != nil {
			return err
		}
		if _, err := minutesmodel.ValidateMinutes(ctx, s.DB, pres, cid, r.ID, m.EndsAt.Add(24*time.Hour)); err != nil {
			return err
		}
		if _, err := minutesmodel.SubmitMinutes(ctx, s.DB, models.ActorFor(sec), cid, r.ID, approving.ID, m.EndsAt.Add(48*time.Hour)); err != nil {
			return err
		}
		ref := "Séance du " + files.FormatDate(approving.StartsAt) + ", approbation des procès-verbaux"
		if _, err := minutesmodel.ApproveMinutes(ctx, s.DB, s.Keys, models.ActorFor(pres), cid, r.ID, minutesmodel.ApprovalInput{Reference: ref, Lock: true}, now); err != nil {
			return err
		}
	}
	return nil
}
