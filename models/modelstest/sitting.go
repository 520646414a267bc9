package modelstest

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// ConveneForTests marks a planned session convened, as the sessions feature does when
// it sends the convocation, without sending anything.
func ConveneForTests(t testing.TB, db bun.IDB, m *models.Meeting, at time.Time) {
	t.Helper()
	at = at.UTC()
	_, err := db.NewUpdate().Model((*models.Meeting)(nil)).Set("status = ?", models.MeetingConvened).Set("convened_at = ?", at).
		Where("id = ?", m.ID).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m.Status, m.ConvenedAt = models.MeetingConvened, &at
}

// AppendAgendaItemForTests appends an item to a session's agenda, as the agenda builder
// does; fileID is 0 for items that are not files.
func AppendAgendaItemForTests(t testing.TB, db bun.IDB, m *models.Meeting, kind models.AgendaItemKind, fileID int64, title string) *models.AgendaItem {
	t.Helper()
	ctx := context.Background()
	n, err := db.NewSelect().Model((*models.AgendaItem)(nil)).Where("meeting_id = ?", m.ID).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	it := &models.AgendaItem{CommissionID: m.CommissionID, MeetingID: m.ID, Position: int(n) + 1, Kind: kind, Title: title, CreatedAt: Epoch()}
	if fileID != 0 {
		it.FileID = &fileID
	}
	if _, err := db.NewInsert().Model(it).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return it
}

// ScheduledFile creates a complete entry request of the association account assoc,
// takes it through submission and admissibility and schedules it on session m (the
// state the agenda builder leaves it in), then returns it.
func ScheduledFile(t testing.TB, db bun.IDB, kr *models.Keyring, assoc, secretariat *models.User, m *models.Meeting, in models.FileInput, at time.Time) *models.File {
	t.Helper()
	ctx := context.Background()
	f, err := models.CreateFile(ctx, db, kr, assoc, in, at)
	if err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	if err := models.Transition(ctx, db, kr, assoc, f.ID, models.StateSubmitted, models.TransitionInput{}, at); err != nil {
		t.Fatalf("submit: %v", err)
	}
	if err := models.Transition(ctx, db, kr, secretariat, f.ID, models.StateAdmissible, models.TransitionInput{}, at); err != nil {
		t.Fatalf("admissible: %v", err)
	}
	if err := models.MarkScheduled(ctx, db, secretariat, f.ID, m.ID, m.StartsAt, at); err != nil {
		t.Fatalf("schedule: %v", err)
	}
	got, _, err := models.FindFile(ctx, db, secretariat, f.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
