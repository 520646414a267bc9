package registry_test

import (
	"bytes"
	"testing"
	"time"

	"seance/app/registry"
	"seance/models"
	registrymodel "seance/models/registry"
)

// FuzzParseComposition: any uploaded file (a real workbook, a truncated one, a zip bomb,
// garbage) gives rows or a refusal with a French message keyed "file", never a panic,
// and never more rows than the import accepts.
func FuzzParseComposition(f *testing.F) {
	var buf bytes.Buffer
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	rows := []registrymodel.CompositionRow{
		{Category: registrymodel.SeatCategory(1), Organisation: "Préfecture", Quality: "Directrice de cabinet", Kind: registrymodel.MandateTitulaire,
			Name: "Claire Exemple", Email: "claire@exemple.fr", StartsOn: start, TermEndsOn: start.AddDate(3, 0, 0), ArreteRef: "arrêté 31-2026-001", VotingRight: true},
		{Category: registrymodel.SeatCategory(2), Organisation: "=HYPERLINK(\"http://x\")", Quality: "@SUM(A1)", Kind: registrymodel.MandateSuppleant,
			Name: "+33 6 00", Email: "x@exemple.fr", StartsOn: start},
	}
	if err := registry.WriteComposition(&buf, rows); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("Catégorie;Nom\n1;Claire"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := registry.ParseComposition(bytes.NewReader(data))
		if err != nil {
			if fe, ok := models.AsFieldErrors(err); !ok || fe["file"] == "" {
				t.Fatalf("refusal without a French message for the file: %v", err)
			}
			return
		}
		if len(got) > 2000 {
			t.Fatalf("%d rows accepted", len(got))
		}
	})
}
