package minutes_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"seance/app/minutes"
	"seance/models"
	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
	"seance/models/modelstest"
)

// A procès-verbal stored, approved and locked in the database exports with its free
// texts, its approval and its hash; the stored content is the encoded view-model.
func TestRule11_LockedRecordExportsWithItsHash(t *testing.T) {
	ctx := context.Background()
	db := modelstest.NewDB(t)
	kr := modelstest.Keyring(t)
	c := modelstest.Commission(t, db, "31")
	president := modelstest.User(t, db, c, models.RolePresident, nil)
	actor := models.ActorFor(modelstest.User(t, db, c, models.RoleSecretariat, nil))
	planned := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	meeting := func(at time.Time, status meetings.MeetingStatus) *meetings.Meeting {
		m, err := meetings.CreateMeeting(ctx, db, actor, c.ID, meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: at, Place: "Préfecture", Capacity: 5}, planned)
		if err != nil {
			t.Fatal(err)
		}
		// Sittings are opened and closed by the sitting feature; here the test sets it.
		if _, err := db.NewUpdate().Model((*meetings.Meeting)(nil)).Set("status = ?", status).Where("id = ?", m.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return m
	}
	held := meeting(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC), meetings.MeetingClosed)
	next := meeting(time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC), meetings.MeetingConvened)

	view := sample()
	view.Session.MeetingID = held.ID
	content, err := minutes.Encode(view)
	if err != nil {
		t.Fatal(err)
	}
	r, err := minutesmodel.CreateMinutesDraft(ctx, db, kr, actor, c.ID, held.ID, content, held.EndsAt)
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() (*minutesmodel.Minutes, error){
		func() (*minutesmodel.Minutes, error) {
			return minutesmodel.UpdateMinutesTexts(ctx, db, actor, c.ID, r.ID, minutesmodel.MinutesTexts{GeneralItems: view.GeneralItems, Observations: view.Observations}, held.EndsAt)
		},
		func() (*minutesmodel.Minutes, error) {
			return minutesmodel.ValidateMinutes(ctx, db, president, c.ID, r.ID, held.EndsAt)
		},
		func() (*minutesmodel.Minutes, error) {
			return minutesmodel.SubmitMinutes(ctx, db, actor, c.ID, r.ID, next.ID, held.EndsAt)
		},
		func() (*minutesmodel.Minutes, error) {
			return minutesmodel.ApproveMinutes(ctx, db, kr, actor, c.ID, r.ID, minutesmodel.ApprovalInput{Reference: "séance du 8 décembre 2026, point 1", Lock: true}, next.StartsAt.Add(time.Hour))
		},
	}
	for _, step := range steps {
		if r, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	stored, err := minutesmodel.FindMinutes(ctx, db, c.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := stored.Snapshot(kr); err != nil || string(got) != string(content) || stored.ClearContent != "" {
		t.Fatalf("the database did not keep the content byte for byte, sealed: %v", err)
	}
	m, err := minutes.FromRecord(stored, kr)
	if err != nil {
		t.Fatal(err)
	}
	if m.Record.Status != minutesmodel.MinutesLocked || m.Record.Hash != stored.ContentHash || m.GeneralItems != view.GeneralItems {
		t.Fatalf("FromRecord = %+v", m.Record)
	}
	f, _ := workbook(t, m)
	banner, _ := f.GetCellValue(minutes.SheetMinutes, "A1")
	for _, want := range []string{"approuvé le 08/12/2026 (séance du 8 décembre 2026, point 1)", "verrouillé, empreinte " + stored.ContentHash[:16]} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner %q lacks %q", banner, want)
		}
	}
	if !strings.Contains(sheetText(t, f, minutes.SheetMinutes), "Calendrier 2027") {
		t.Error("the workbook lacks the general items stored with the record")
	}
	if body := pdfBody(t, pdfBytes(t, m)); !strings.Contains(body, "Calendrier 2027") {
		t.Error("the PDF lacks the general items stored with the record")
	}
}
