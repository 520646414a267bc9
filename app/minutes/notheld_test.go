package minutes_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"seance/app/servertest"
	"seance/models"
	"seance/models/meetings"
	"seance/models/modelstest"
)

// TestMinutesOfASessionNotHeldIsAClearRefusal: the procès-verbal page of a session
// that was never held answers a French 404, never a server error, for every reader.
func TestMinutesOfASessionNotHeldIsAClearRefusal(t *testing.T) {
	env := servertest.New(t)
	m, err := meetings.CreateMeeting(context.Background(), env.DB, models.SystemActor("test"), env.Commission.ID, meetings.MeetingInput{
		Kind: meetings.MeetingPolicy, Mode: meetings.ModeOnSite, StartsAt: modelstest.Day(20).Add(13 * time.Hour), Place: "Préfecture", Capacity: 5}, env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []models.Role{models.RoleSecretariat, models.RolePresident, models.RolePrefecture, models.RoleMember} {
		c := env.Client()
		c.SignIn(t, role)
		for _, p := range []string{"", ".pdf", ".xlsx"} {
			path := fmt.Sprintf("/seances/%d/pv%s", m.ID, p)
			if r := c.Get(t, path); r.Status >= http.StatusInternalServerError {
				t.Errorf("%s GET %s = %d, want a refusal", role, path, r.Status)
			}
		}
	}
}
