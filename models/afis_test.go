package models_test

import (
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
)

// TestAFISAmountByNumberOfChildren checks the versioned scale (D121-12-14).
func TestAFISAmountByNumberOfChildren(t *testing.T) {
	w := newWorld(t)
	for _, tt := range []struct {
		on       time.Time
		children int
		want     int64
	}{
		{date(2026, 3, 1), 0, 34320},
		{date(2026, 3, 1), 1, 44928},
		{date(2026, 3, 1), 2, 55536},
		{date(2026, 3, 1), 3, 66144},
		{date(2026, 3, 1), 4, 76752}, // + 106,08 € per extra child
		{date(2026, 3, 1), 6, 97968},
		{date(2022, 7, 1), 0, 34320},
		{date(2022, 6, 30), 0, 33000}, // the 2017 scale
		{date(2020, 1, 1), 2, 53400},
	} {
		got, err := files.AFISAmount(w.ctx, w.db, tt.children, tt.on)
		if err != nil || got != tt.want {
			t.Errorf("AFISAmount(%d children, %s) = %s, %v; want %s", tt.children, tt.on.Format(time.DateOnly), files.FormatEuros(got), err, files.FormatEuros(tt.want))
		}
	}
	_, err := files.AFISAmount(w.ctx, w.db, 0, date(2017, 1, 1))
	wantRefusal(t, err, models.FormLevel, "barème")
	// A revaluation applies from its date only.
	s := &files.AFISScale{EffectiveFrom: date(2027, 1, 1), SingleCents: 63571, PerChildCents: 10608, Source: "Revalorisation (test)"}
	if err := files.AddAFISScale(w.ctx, w.db, models.SystemActor("test"), s, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	if got, _ := files.AFISAmount(w.ctx, w.db, 1, date(2026, 12, 31)); got != 44928 {
		t.Errorf("amount the day before the revaluation = %d, want 44928", got)
	}
	if got, _ := files.AFISAmount(w.ctx, w.db, 1, date(2027, 1, 1)); got != 74179 {
		t.Errorf("amount from the revaluation = %d, want 74179", got)
	}
	wantRefusal(t, files.AddAFISScale(w.ctx, w.db, models.SystemActor("test"), s, modelstest.Epoch()), "effective_from", "déjà")
	if got := files.FormatEuros(55536); got != "555,36 €" {
		t.Errorf("FormatEuros(55536) = %q", got)
	}
	// An authorised entry with AFIS gets the amount for its children.
	in := modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Afis", "Lou", 1990), 0)
	in.Children = 2
	f := w.create(t, in, date(2026, 3, 2))
	w.driveTo(t, f.ID, files.StateExamined, "", date(2026, 3, 2))
	dec := inputFor(files.StateDecided, files.DecisionAuthorised, date(2026, 3, 2))
	dec.Decision.AFISGranted = true
	w.move(t, "secretariat", f.ID, files.StateDecided, dec, date(2026, 3, 2))
	per := w.parcours(t, w.file(t, f.ID), date(2026, 3, 2)).LastPeriod()
	if !per.AFISGranted || per.AFISMonthlyCents != 55536 || !per.AFISFrom.Equal(date(2026, 3, 1)) {
		t.Fatalf("period AFIS = %v, %d from %v; want 555,36 € from 2026-03-01", per.AFISGranted, per.AFISMonthlyCents, per.AFISFrom)
	}
	// An AFIS review with one more child changes the amount from the decision's month.
	rev := modelstest.CompleteInput(files.KindAFIS, nil, *w.file(t, f.ID).ParcoursID)
	rev.Children = 3
	r := w.create(t, rev, date(2026, 5, 11))
	w.driveTo(t, r.ID, files.StateExamined, "", date(2026, 5, 11))
	dec = inputFor(files.StateDecided, files.DecisionAuthorised, date(2026, 5, 11))
	dec.Decision.AFISGranted = true
	w.move(t, "secretariat", r.ID, files.StateDecided, dec, date(2026, 5, 11))
	per = w.parcours(t, w.file(t, f.ID), date(2026, 5, 11)).LastPeriod()
	if per.AFISMonthlyCents != 66144 || per.AFISChildren != 3 || !per.AFISFrom.Equal(date(2026, 5, 1)) {
		t.Fatalf("after review: %d cents for %d children from %v; want 661,44 € for 3 from 2026-05-01", per.AFISMonthlyCents, per.AFISChildren, per.AFISFrom)
	}
}

// TestMonthArithmetic checks the clamped month additions behind period ends.
func TestMonthArithmetic(t *testing.T) {
	for _, tt := range []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{date(2025, 8, 31), 6, date(2026, 2, 28)},
		{date(2027, 8, 31), 6, date(2028, 2, 29)},
		{date(2026, 1, 10), 6, date(2026, 7, 10)},
		{date(2026, 12, 15), 3, date(2027, 3, 15)},
	} {
		if got := files.AddMonths(tt.start, tt.n); !got.Equal(tt.want) {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.start.Format(time.DateOnly), tt.n, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
	}
	if got := files.MonthsSpanned(date(2024, 1, 10), date(2024, 3, 20)); got != 3 {
		t.Errorf("MonthsSpanned(10 Jan, 20 Mar) = %d, want 3", got)
	}
	if got := files.MonthsSpanned(date(2024, 1, 10), date(2024, 3, 10)); got != 2 {
		t.Errorf("MonthsSpanned(10 Jan, 10 Mar) = %d, want 2", got)
	}
	if got := files.FirstOfNextMonth(date(2026, 12, 31)); !got.Equal(date(2027, 1, 1)) {
		t.Errorf("FirstOfNextMonth(31 Dec) = %s", got)
	}
}
