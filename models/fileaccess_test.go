package models_test

import (
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/modelstest"
	"seance/models/registry"
)

// TestFileAccessMatrix checks what each role sees of a file of association 1, with
// grants present, absent, expired or not yet valid, declared interests, and the files of
// another commission.
func TestFileAccessMatrix(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2).Add(10 * time.Hour)
	f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Acces", "Mia", 1990), 0), now)
	w.driveTo(t, f.ID, files.StateScheduled, "", now)
	if _, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, files.AttachmentReport, "rapport.pdf", pdfBytes("rapport"), now); err != nil {
		t.Fatal(err)
	}
	other := modelstest.User(t, w.db, w.c2, models.RoleSecretariat, nil)
	otherFile, err := files.CreateFile(w.ctx, w.db, w.kr, w.users["association_c2"], modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Ailleurs", "Noa", 1990), 0), now)
	if err != nil {
		t.Fatal(err)
	}
	extra := map[string]*models.User{}
	for _, name := range []string{"member_granted", "member_expired", "member_future", "member_interest", "member_a1_granted", "president_granted", "president_interest"} {
		role := models.RoleMember
		if name[0] == 'p' {
			role = models.RolePresident
		}
		var a *registry.Association
		if name == "member_a1_granted" {
			a = w.a1
		}
		extra[name] = modelstest.User(t, w.db, w.c, role, a)
	}
	grant := func(u *models.User, from, until time.Time) {
		g := &files.FileAccessGrant{CommissionID: w.c.ID, FileID: f.ID, UserID: u.ID, ValidFrom: from, ValidUntil: until, Reason: "Convocation (test)"}
		if err := files.GrantFileAccess(w.ctx, w.db, models.SystemActor("test"), g, now); err != nil {
			t.Fatal(err)
		}
	}
	session := now.AddDate(0, 0, 7)
	for _, name := range []string{"member_granted", "member_interest", "member_a1_granted", "president_granted", "president_interest"} {
		grant(extra[name], now.AddDate(0, 0, -3), session.Add(files.MemberAccessAfterSession))
	}
	grant(extra["member_expired"], now.AddDate(0, -3, 0), now.AddDate(0, 0, -1))
	grant(extra["member_future"], now.AddDate(0, 0, 1), session.Add(files.MemberAccessAfterSession))
	for _, name := range []string{"member_interest", "president_interest"} {
		if err := files.DeclareInterest(w.ctx, w.db, models.ActorFor(extra[name]), w.c.ID, f.ID, extra[name].ID, "Lien familial", now); err != nil {
			t.Fatal(err)
		}
	}
	err = files.GrantFileAccess(w.ctx, w.db, models.SystemActor("test"),
		&files.FileAccessGrant{CommissionID: w.c.ID, FileID: f.ID, UserID: w.users["prefecture"].ID, ValidFrom: now, ValidUntil: session, Reason: "x"}, now)
	wantRefusal(t, err, models.FormLevel, "membres")

	// One record read once, viewed by every user below: the views open what they may see
	// for themselves only.
	rec, err := files.ReadFileRecord(w.ctx, w.db, w.c.ID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user string
		want files.Access
	}{
		{"secretariat", files.AccessFull},
		{"association", files.AccessFull},
		{"association2", files.AccessNone},
		{"president", files.AccessSummary},
		{"president_granted", files.AccessProposal},
		{"president_interest", files.AccessSummary},
		{"member", files.AccessNone},
		{"member_granted", files.AccessSummary},
		{"member_expired", files.AccessNone},
		{"member_future", files.AccessNone},
		{"member_interest", files.AccessNone},
		{"member_a1_granted", files.AccessNone}, // their association instructs the file
		{"prefecture", files.AccessNone},
		{"region", files.AccessNone},
		{"admin", files.AccessNone},
		{"secretariat_c2", files.AccessNone},
		{"association_c2", files.AccessNone},
	} {
		t.Run(tt.user, func(t *testing.T) {
			u := w.users[tt.user]
			if u == nil {
				u = extra[tt.user]
			}
			got, err := files.FileAccess(w.ctx, w.db, u, f.ID, now)
			if got != tt.want || (tt.want == files.AccessNone) != isNotFound(err) {
				t.Fatalf("FileAccess = %v, %v; want %v", got, err, tt.want)
			}
			_, _, err = files.FindFileSummary(w.ctx, w.db, u, f.ID, now)
			if (tt.want >= files.AccessSummary) != (err == nil) {
				t.Errorf("FindFileSummary error = %v with access %v", err, tt.want)
			}
			_, err = files.FileProposal(w.ctx, w.db, w.kr, u, f.ID, now)
			if (tt.want >= files.AccessProposal) != (err == nil) || (err != nil && !isNotFound(err)) {
				t.Errorf("FileProposal error = %v with access %v", err, tt.want)
			}
			as, err := files.ListAttachments(w.ctx, w.db, w.kr, u, f.ID, now)
			if (tt.want >= files.AccessProposal) != (err == nil) {
				t.Errorf("ListAttachments error = %v with access %v", err, tt.want)
			}
			if err == nil {
				if _, content, err := files.OpenAttachment(w.ctx, w.db, w.kr, u, as[0].ID, now); err != nil || len(content) == 0 {
					t.Errorf("OpenAttachment = %d bytes, %v", len(content), err)
				}
			}
			// The file page's read (its record, then the viewer's view) gives each part at the
			// same access.
			v, err := viewFile(w, u, f.ID, now)
			switch {
			case (tt.want >= files.AccessSummary) != (err == nil), err != nil && !isNotFound(err):
				t.Errorf("view error = %v with access %v", err, tt.want)
			case err != nil:
			case v.Access != tt.want || v.Summary.ID != f.ID:
				t.Errorf("view = access %v, summary of file %d; want %v, %d", v.Access, v.Summary.ID, tt.want, f.ID)
			case (v.File != nil) != (tt.want >= files.AccessProposal), (v.Proposal != nil) != (v.File != nil), (len(v.Attachments) == 1) != (v.File != nil), (len(v.History) > 0) != (v.File != nil):
				t.Errorf("view with access %v: file %v, proposal %v, %d attachments, %d events", tt.want, v.File != nil, v.Proposal != nil, len(v.Attachments), len(v.History))
			case v.File != nil && (v.Attachments[0].Name == "rapport.pdf") != (tt.want == files.AccessFull):
				t.Errorf("view with access %v names the attachment %q", tt.want, v.Attachments[0].Name)
			}
			if rv, err := files.ViewRecord(w.ctx, w.db, w.kr, u, rec, now); (err == nil) != (tt.want >= files.AccessSummary) || (err == nil && rv.Access != tt.want) {
				t.Errorf("ViewRecord of the shared record = %v, %v; want access %v", rv, err, tt.want)
			}
			if rec.Attachments[0].Name != "" || rec.File.ProposalSealed == "" {
				t.Fatalf("after %s's view the shared record holds the name %q (or lost its sealed proposal)", tt.user, rec.Attachments[0].Name)
			}
			_, err = files.RevealIdentity(w.ctx, w.db, w.kr, u, f.ID, now)
			if (tt.want == files.AccessFull) != (err == nil) || (err != nil && !isNotFound(err)) {
				t.Errorf("RevealIdentity error = %v with access %v", err, tt.want)
			}
			list, err := files.ListFiles(w.ctx, w.db, u, files.FileFilter{}, now)
			if err != nil {
				t.Fatal(err)
			}
			listed := false
			for _, s := range list {
				listed = listed || s.ID == f.ID
				if s.ID == otherFile.ID && u.CommissionIDOrZero() == w.c.ID {
					t.Errorf("ListFiles shows the file of another commission")
				}
			}
			if listed != (tt.want >= files.AccessSummary) {
				t.Errorf("ListFiles lists the file = %v with access %v", listed, tt.want)
			}
		})
	}
	// Another commission's file does not exist for this commission's secretariat, and vice versa.
	if _, err := files.FileAccess(w.ctx, w.db, w.users["secretariat"], otherFile.ID, now); !isNotFound(err) {
		t.Fatalf("FileAccess to another commission's file error = %v, want ErrNotFound", err)
	}
	// It is a draft: its own secretariat does not see it yet (issue 11 point 9); its association does.
	if _, err := files.FileAccess(w.ctx, w.db, other, otherFile.ID, now); !isNotFound(err) {
		t.Fatalf("FileAccess of its own secretariat to a draft error = %v, want ErrNotFound", err)
	}
	if acc, err := files.FileAccess(w.ctx, w.db, w.users["association_c2"], otherFile.ID, now); err != nil || acc != files.AccessFull {
		t.Fatalf("FileAccess of its association = %v, %v", acc, err)
	}
	// A deactivated account sees nothing.
	if err := models.SetUserActive(w.ctx, w.db, models.SystemActor("test"), w.users["secretariat"].ID, false, now); err != nil {
		t.Fatal(err)
	}
	inactive, _ := models.FindUser(w.ctx, w.db, w.users["secretariat"].ID)
	if _, err := files.FileAccess(w.ctx, w.db, inactive, f.ID, now); !isNotFound(err) {
		t.Fatalf("FileAccess of a deactivated account error = %v, want ErrNotFound", err)
	}
}

// TestEveryDisplayOfIdentityOrAttachmentIsAudited checks the audit records of displays.
func TestEveryDisplayOfIdentityOrAttachmentIsAudited(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Audit", "Olga", 1990), 0), now)
	a, err := files.AddAttachment(w.ctx, w.db, w.kr, w.users["association"], f.ID, files.AttachmentIdentity, "piece.png", pngBytes(), now)
	if err != nil {
		t.Fatal(err)
	}
	w.move(t, "association", f.ID, files.StateSubmitted, files.TransitionInput{}, now) // a draft is the association's alone
	for range 2 {
		if _, err := files.RevealIdentity(w.ctx, w.db, w.kr, w.users["secretariat"], f.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := files.OpenAttachment(w.ctx, w.db, w.kr, w.users["association"], a.ID, now); err != nil {
		t.Fatal(err)
	}
	recs, err := models.ListAudit(w.ctx, w.db, w.c.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range recs {
		if r.Object == models.ObjectRef("file", f.ID) {
			count[r.Action+"/"+r.ActorLabel]++
		}
	}
	if count["file.identity_view/"+w.users["secretariat"].Email] != 2 || count["file.attachment_view/"+w.users["association"].Email] != 1 {
		t.Fatalf("audit of displays = %v, want 2 identity views by the secretariat and 1 attachment view by the association", count)
	}
}

// TestRule6_InstructingAssociationAndInterestedMembersExcluded checks the exclusions the
// voting feature and the minutes use.
func TestRule6_InstructingAssociationAndInterestedMembersExcluded(t *testing.T) {
	w := newWorld(t)
	now := date(2026, 3, 2)
	f := w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Conflit", "Paz", 1990), 0), now)
	if err := files.DeclareInterest(w.ctx, w.db, models.ActorFor(w.users["member"]), w.c.ID, f.ID, w.users["member"].ID, "Employeur de la personne", now); err != nil {
		t.Fatal(err)
	}
	err := files.DeclareInterest(w.ctx, w.db, models.ActorFor(w.users["member"]), w.c.ID, f.ID, w.users["member"].ID, "encore", now)
	wantRefusal(t, err, models.FormLevel, "déjà")
	ex, err := files.FileExclusions(w.ctx, w.db, w.c.ID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, e := range ex {
		got[e.UserID] = e.Reason
	}
	want := map[int64]string{
		w.users["association"].ID: "Association qui instruit le dossier",
		w.users["member_a1"].ID:   "Association qui instruit le dossier",
		w.users["member"].ID:      "Intérêt déclaré : Employeur de la personne",
	}
	if len(got) != len(want) {
		t.Fatalf("exclusions = %v, want %v", got, want)
	}
	for id, reason := range want {
		if got[id] != reason {
			t.Errorf("exclusion of user %d = %q, want %q", id, got[id], reason)
		}
	}
	recs, err := models.ListAudit(w.ctx, w.db, w.c.ID, 5)
	if err != nil || recs[0].Action != "file.interest" {
		t.Fatalf("last audit record = %v, %v; want file.interest", recs[0].Action, err)
	}
	if _, err := files.FileExclusions(w.ctx, w.db, w.c2.ID, f.ID); !isNotFound(err) {
		t.Fatalf("FileExclusions from another commission error = %v, want ErrNotFound", err)
	}
}

// viewFile reads the record of file id in u's commission and views it as u, as the file
// page does.
func viewFile(w *world, u *models.User, id int64, now time.Time) (*files.FileView, error) {
	rec, err := files.ReadFileRecord(w.ctx, w.db, u.CommissionIDOrZero(), id)
	if err != nil {
		return nil, err
	}
	return files.ViewRecord(w.ctx, w.db, w.kr, u, rec, now)
}
