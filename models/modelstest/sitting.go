package modelstest

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
)

// ConveneForTests marks a planned session convened, as the sessions feature does when
// it sends the convocation, without sending anything.
func ConveneForTests(t testing.TB, db bun.IDB, m *meetings.Meeting, at time.Time) {
	t.Helper()
	at = at.UTC()
	_, err := db.NewUpdate().Model((*meetings.Meeting)(nil)).Set("status = ?", meetings.MeetingConvened).Set("convened_at = ?", at).
		Where("id = ?", m.ID).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m.Status, m.ConvenedAt = meetings.MeetingConvened, &at
}

// AppendAgendaItemForTests appends an item to a session's agenda, as the agenda builder
// does; fileID is 0 for items that are not files.
func AppendAgendaItemForTests(t testing.TB, db bun.IDB, m *meetings.Meeting, kind meetings.AgendaItemKind, fileID int64, title string) *meetings.AgendaItem {
	t.Helper()
	ctx := context.Background()
	n, err := db.NewSelect().Model((*meetings.AgendaItem)(nil)).Where("meeting_id = ?", m.ID).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	it := &meetings.AgendaItem{CommissionID: m.CommissionID, MeetingID: m.ID, Position: int(n) + 1, Kind: kind, Title: title, CreatedAt: Epoch()}
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
func ScheduledFile(t testing.TB, db bun.IDB, kr *keyring.Keyring, assoc, secretariat *models.User, m *meetings.Meeting, in files.FileInput, at time.Time) *files.File {
	t.Helper()
	ctx := context.Background()
	f, err := files.CreateFile(ctx, db, kr, assoc, in, at)
	if err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	if err := files.Transition(ctx, db, kr, assoc, f.ID, files.StateSubmitted, files.TransitionInput{}, at); err != nil {
		t.Fatalf("submit: %v", err)
	}
	if err := files.Transition(ctx, db, kr, secretariat, f.ID, files.StateAdmissible, files.TransitionInput{}, at); err != nil {
		t.Fatalf("admissible: %v", err)
	}
	if err := files.MarkScheduled(ctx, db, secretariat, f.ID, m.ID, m.StartsAt, at); err != nil {
		t.Fatalf("schedule: %v", err)
	}
	got, _, err := files.FindFile(ctx, db, secretariat, f.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
