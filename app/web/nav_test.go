package web

import (
	"testing"

	"seance/models"
)

// TestNavMinutesPageHighlightsProcesVerbaux: a session's procès-verbal highlights
// « Procès-verbaux », not « Séances » (issue 16, point 6).
func TestNavMinutesPageHighlightsProcesVerbaux(t *testing.T) {
	u := &models.User{Role: models.RoleSecretariat}
	for _, tt := range []struct{ path, want string }{
		{"/seances/12/pv", "Procès-verbaux"},
		{"/seances/12/pv/soumettre", "Procès-verbaux"},
		{"/seances/12", "Séances"},
		{"/proces-verbaux", "Procès-verbaux"},
		{"/", "Tableau de bord"},
	} {
		var current []string
		for _, it := range navFor(u, tt.path) {
			if it.Current {
				current = append(current, it.Label)
			}
		}
		if len(current) != 1 || current[0] != tt.want {
			t.Errorf("navFor(%s) current = %v, want [%s]", tt.path, current, tt.want)
		}
	}
}
