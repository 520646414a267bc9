package demo

import (
	"context"
	"fmt"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
)

// seedSessions plans the coming sessions (the past ones, with their votes, belong to the
// sitting's demo step):
//   - in 7 days, a files session already convened (yesterday), whose agenda holds the files
//     scheduled by the files step, with replies from some members and read receipts;
//   - in 4 weeks, a files session whose agenda was built from the proposal, ready to be
//     convened, two admissible files left for the secretariat to try the builder;
//   - in about 6 weeks, a policy session with its standing items.
func seedSessions(ctx context.Context, s *Seeder) error {
	sec, pres := s.Users[EmailSecretariat], s.Users[EmailPresident]
	if sec == nil || pres == nil {
		return fmt.Errorf("demo sessions need the secretariat and the president")
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	today := models.CalendarDay(s.Now)
	at := func(days, hour, minute int) time.Time {
		d := today.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, paris)
	}
	cid := s.Commission.ID
	plan := func(kind meetings.MeetingKind, mode meetings.MeetingMode, start time.Time, hours int, link string) (*meetings.Meeting, error) {
		return meetings.CreateMeeting(ctx, s.DB, models.ActorFor(sec), cid, meetings.MeetingInput{
			Kind: kind, Mode: mode, StartsAt: start, EndsAt: start.Add(time.Duration(hours) * time.Hour),
			Place: "Préfecture de la Haute-Garonne, salle du Conseil, 1 place Saint-Étienne, Toulouse", RemoteLink: link,
		}, s.Now.AddDate(0, 0, -20))
	}

	// The convened session: the files the files step scheduled for that day.
	coming, err := plan(meetings.MeetingFiles, meetings.ModeHybrid, at(7, 14, 0), 3, "https://webconf.example.gouv.fr/cdlp31-demo")
	if err != nil {
		return fmt.Errorf("coming session: %w", err)
	}
	scheduled, err := files.ListFiles(ctx, s.DB, sec, files.FileFilter{States: []files.State{files.StateScheduled}}, s.Now)
	if err != nil {
		return err
	}
	for i := len(scheduled) - 1; i >= 0; i-- {
		f, _, err := files.FindFile(ctx, s.DB, sec, scheduled[i].ID, s.Now)
		if err != nil {
			return err
		}
		if f.SessionID != nil {
			continue
		}
		if _, err := meetings.AddAgendaFile(ctx, s.DB, sec, cid, coming.ID, f.ID, "Inscrit pour la séance du "+files.FormatDate(today.AddDate(0, 0, 7))+".", s.Now.AddDate(0, 0, -2)); err != nil {
			return fmt.Errorf("coming session: %s: %w", f.Reference, err)
		}
	}
	if _, err := meetings.AddStandingItems(ctx, s.DB, sec, cid, coming.ID, s.Now); err != nil {
		return err
	}
	res, err := meetings.Convoke(ctx, s.DB, pres, cid, coming.ID, meetings.ConvokeInput{}, s.Now.AddDate(0, 0, -1))
	if err != nil {
		return fmt.Errorf("convene the coming session: %w", err)
	}
	if err := s.demoReplies(ctx, coming, res); err != nil {
		return err
	}

	// The next files session, agenda built from the proposal (all but the last two files).
	next, err := plan(meetings.MeetingFiles, meetings.ModeOnSite, at(28, 14, 0), 3, "")
	if err != nil {
		return fmt.Errorf("next session: %w", err)
	}
	p, err := meetings.ProposeAgenda(ctx, s.DB, cid, next.ID)
	if err != nil {
		return err
	}
	var ids []int64
	for i, pf := range p.Proposed {
		if i < len(p.Proposed)-2 {
			ids = append(ids, pf.File.ID)
		}
	}
	if err := meetings.AcceptProposal(ctx, s.DB, sec, cid, next.ID, ids, s.Now); err != nil {
		return fmt.Errorf("next session agenda: %w", err)
	}
	if _, err := meetings.AddStandingItems(ctx, s.DB, sec, cid, next.ID, s.Now); err != nil {
		return err
	}

	// The policy session.
	policy, err := plan(meetings.MeetingPolicy, meetings.ModeHybrid, at(45, 9, 30), 3, "https://webconf.example.gouv.fr/cdlp31-pleniere")
	if err != nil {
		return fmt.Errorf("policy session: %w", err)
	}
	if _, err := meetings.AddStandingItems(ctx, s.DB, sec, cid, policy.ID, s.Now); err != nil {
		return err
	}
	for _, it := range []meetings.ItemInput{
		{Kind: meetings.ItemPolicy, Title: "Bilan annuel des parcours de sortie de la prostitution", Notes: "Entrées, renouvellements, sorties ; AFIS et APS accordées (données agrégées)."},
		{Kind: meetings.ItemPolicy, Title: "Coordination de la prise en charge des mineurs (décret du 30 décembre 2025)"},
		{Kind: meetings.ItemOther, Title: "Questions diverses"},
	} {
		if _, err := meetings.AddAgendaItem(ctx, s.DB, sec, cid, policy.ID, it, s.Now); err != nil {
			return err
		}
	}
	return nil
}

// demoReplies records the answers of some members to the convened session, and the
// opening of their personal links.
func (s *Seeder) demoReplies(ctx context.Context, m *meetings.Meeting, res *meetings.ConvocationResult) error {
	member := func(n int) *models.User { return s.Users[MemberEmail(n)] }
	for _, r := range []struct {
		n      int
		status meetings.AttendanceStatus
		proxy  int
	}{
		{1, meetings.AttPresentOnSite, 0}, {2, meetings.AttPresentRemote, 0}, {3, meetings.AttSubstituted, 0},
		{4, meetings.AttPresentOnSite, 0}, {6, meetings.AttPresentOnSite, 0}, {9, meetings.AttProxy, 4},
		{10, meetings.AttPresentRemote, 0}, {12, meetings.AttAbsent, 0}, {13, meetings.AttPresentOnSite, 0},
		{14, meetings.AttPresentOnSite, 0}, {15, meetings.AttPresentRemote, 0}, {17, meetings.AttPresentOnSite, 0},
	} {
		u := member(r.n)
		in := meetings.ReplyInput{Status: r.status}
		if r.proxy != 0 {
			in.ProxyHolderUserID = member(r.proxy).ID
		}
		if _, err := meetings.Reply(ctx, s.DB, models.ActorFor(u), s.Commission.ID, m.ID, u.ID, in, s.Now.Add(-time.Duration(20-r.n)*time.Hour)); err != nil {
			return fmt.Errorf("reply of %s: %w", u.Email, err)
		}
	}
	opened := 0
	for _, r := range res.Recipients {
		if r.Kind != meetings.RecipientTitulaire || opened == 7 {
			continue
		}
		opened++
		if _, err := meetings.OpenConvocationLink(ctx, s.DB, r.Token, s.Now.Add(-time.Duration(22-opened)*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}
