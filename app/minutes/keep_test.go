package minutes_test

import (
	"bytes"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"github.com/valyala/fasthttp"

	"seance/app/minutes"
	"seance/models"
	"seance/models/meetings"
	minutesmodel "seance/models/minutes"
	"seance/models/modelstest"
	"seance/views"
)

// TestMinutesPageKeepsItsDocumentSealed checks what the procès-verbal page keeps of a
// version between requests (issue 17): its rendering, sealed with the keyring, never the
// plaintext; the next request opens the same document, and another version is rendered
// on its own.
func TestMinutesPageKeepsItsDocumentSealed(t *testing.T) {
	kr := modelstest.Keyring(t)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	h := minutes.NewHandler(minutes.Handler{Keys: kr, Now: func() time.Time { return now }}, &models.Writes{}, time.Hour)
	doc, err := fs.ReadFile(views.FS, "minutes/document.html")
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{Views: html.NewFileSystem(http.FS(fstest.MapFS{"minutes/document.html": {Data: doc}}), ".html")})
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	version := func(id int64, m *minutes.Minutes) *minutesmodel.Minutes {
		content, err := minutes.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		return &minutesmodel.Minutes{ID: id, MeetingID: 3, Version: 1, Status: minutesmodel.MinutesDraft, ClearContent: string(content)}
	}
	session := &meetings.Meeting{ID: 3}
	const dissent = "devra être réexaminée avant tout nouveau renouvellement"
	first, err := h.Document(c, session, version(7, sampleWritten()))
	if err != nil || !strings.Contains(string(first), dissent) || !strings.Contains(string(first), `href="/seances/3/pv.pdf"`) {
		t.Fatalf("Document = %.300q, %v; want the procès-verbal with its dissent and its downloads", first, err)
	}
	kept := minutes.KeptDocument(h, 7, now)
	if len(kept) == 0 {
		t.Fatal("nothing kept of the rendered version")
	}
	for _, plain := range []string{"seance-pv", "Anne Moreau", "réexaminée"} {
		if bytes.Contains(kept, []byte(plain)) {
			t.Fatalf("the kept rendering holds %q in clear", plain)
		}
	}
	if again, err := h.Document(c, session, version(7, sampleWritten())); err != nil || again != first {
		t.Fatalf("the second request's document differs from the first (%v)", err)
	}
	other := sampleWritten()
	other.Written.Contributions = nil
	other.Items[0].Dissents = nil
	if second, err := h.Document(c, session, version(8, other)); err != nil || strings.Contains(string(second), dissent) {
		t.Fatalf("version 8 shows version 7's dissent (%v)", err)
	}
}
