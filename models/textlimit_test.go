package models_test

import (
	"strings"
	"testing"

	"seance/models"
)

func TestCheckLineAndCheckText(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		multiline   bool
		want        string // "" when accepted
	}{
		{"plain line", "Bilan de l'année", false, ""},
		{"tab in a line", "Bilan\tannuel", false, ""},
		{"accents count as one character", strings.Repeat("é", 20), false, ""},
		{"too long by one", strings.Repeat("é", 21), false, "ne peut dépasser 20 caractères (21 saisis)"},
		{"CR LF in a line", "Bilan\r\nBcc: x@y.fr", false, "tient sur une seule ligne"},
		{"NUL in a line", "a\x00b", false, "tient sur une seule ligne"},
		{"DEL in a line", "a\x7fb", false, "tient sur une seule ligne"},
		{"C1 NEL in a line", "a\u0085b", false, "tient sur une seule ligne"},
		{"line separator in a line", "a\u2028b", false, "tient sur une seule ligne"},
		{"invalid UTF-8", "a\xffb", false, "caractères illisibles"},
		{"lines in a text", "L1\r\nL2\n\tsuite", true, ""},
		{"escape in a text", "Ligne\x1b[31m", true, "caractère de contrôle"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fe := models.FieldErrors{}
			if tt.multiline {
				models.CheckText(fe, "f", "Champ", tt.value, 20)
			} else {
				models.CheckLine(fe, "f", "Champ", tt.value, 20)
			}
			switch {
			case tt.want == "" && len(fe) > 0:
				t.Errorf("refused %q: %v", tt.value, fe)
			case tt.want != "" && (!strings.Contains(fe["f"], tt.want) || !strings.Contains(fe["f"], "« Champ »")):
				t.Errorf("message for %q = %q, want it to name the field and say %q", tt.value, fe["f"], tt.want)
			}
		})
	}
}
