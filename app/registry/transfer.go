package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	registrymodel "seance/models/registry"
)

// Export downloads the composition as an Excel workbook, in the columns the import reads.
func (h *Handler) Export(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	ctx, now, u := c.UserContext(), h.Now(), web.User(c)
	rows, err := registrymodel.CompositionRows(ctx, h.DB, cm.ID, now)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteComposition(&buf, rows); err != nil {
		return err
	}
	err = models.Audit(ctx, h.DB, now, models.AuditEntry{
		CommissionID: cm.ID, Actor: models.ActorFor(u), Action: "registry.export", Object: models.ObjectRef("commission", cm.ID),
		Details: map[string]any{"rows": len(rows)},
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Attachment(fmt.Sprintf("composition-%s-%s.xlsx", cm.Department, models.CalendarDay(now).Format(time.DateOnly)))
	return c.Send(buf.Bytes())
}

// MaxImportBytes bounds an uploaded composition workbook.
const MaxImportBytes = 5 << 20

// importTTL is how long an uploaded file waits for its confirmation.
const importTTL = 30 * time.Minute

// pendingImport is an uploaded file between its preview and its confirmation, kept
// server-side (sealed with the keyring) and bound to the user and commission.
type pendingImport struct {
	UserID       int64                     `json:"user_id"`
	CommissionID int64                     `json:"commission_id"`
	FileName     string                    `json:"file_name"`
	SHA256       string                    `json:"sha256"`
	Rows         []registrymodel.ImportRow `json:"rows"`
}

func importKey(id string) string { return "registry:import:" + id }
func importAAD(id string) string { return "registry-import:" + id }

// importIDRe matches the identifiers made by models.NewSecretToken.
var importIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// ImportForm shows the upload form.
func (h *Handler) ImportForm(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	return h.renderUpload(c, cm, fiber.StatusOK, nil)
}

func (h *Handler) renderUpload(c *fiber.Ctx, cm *models.Commission, status int, fe models.FieldErrors) error {
	return render(c, cm, status, "registry/import", fiber.Map{"Title": "Importer la composition", "Headers": Headers(), "Errors": fe})
}

// UploadImport reads the uploaded workbook and previews what importing it would do;
// nothing is written to the composition until ConfirmImport.
func (h *Handler) UploadImport(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return h.renderUpload(c, cm, fiber.StatusUnprocessableEntity, models.FieldErrors{"file": "Choisissez le fichier Excel (.xlsx) de la composition."})
	}
	if fh.Size > MaxImportBytes {
		return h.renderUpload(c, cm, fiber.StatusUnprocessableEntity, models.FieldErrors{"file": "Le fichier dépasse 5 Mo : ce n'est pas une composition."})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportBytes+1))
	if err != nil {
		return err
	}
	rows, err := ParseComposition(bytes.NewReader(data))
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderUpload(c, cm, fiber.StatusUnprocessableEntity, fe)
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	p := pendingImport{UserID: web.User(c).ID, CommissionID: cm.ID, FileName: fh.Filename, SHA256: hex.EncodeToString(sum[:]), Rows: rows}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	id := models.NewSecretToken()
	if err := h.Storage.Set(importKey(id), []byte(h.Keys.Seal(raw, importAAD(id))), importTTL); err != nil {
		return err
	}
	return h.renderPreview(c, cm, fiber.StatusOK, id, &p, "")
}

func (h *Handler) renderPreview(c *fiber.Ctx, cm *models.Commission, status int, id string, p *pendingImport, alert string) error {
	preview, err := registrymodel.PreviewImport(c.UserContext(), h.DB, cm.ID, p.Rows, h.Now())
	if err != nil {
		return err
	}
	return render(c, cm, status, "registry/preview", fiber.Map{
		"Title": "Aperçu de l'import", "Preview": preview, "ImportID": id, "File": p.FileName, "SHA256": p.SHA256, "Alert": alert,
	})
}

// loadImport returns the commission and the upload named by the form's "import" field,
// checked against the user and commission; a nil upload when there is none to use.
func (h *Handler) loadImport(c *fiber.Ctx) (*models.Commission, string, *pendingImport, error) {
	cm, err := h.commission(c)
	if err != nil {
		return nil, "", nil, err
	}
	id := c.FormValue("import")
	if !importIDRe.MatchString(id) {
		return cm, "", nil, nil
	}
	sealed, err := h.Storage.Get(importKey(id))
	if err != nil || sealed == nil {
		return cm, "", nil, err
	}
	raw, err := h.Keys.Open(string(sealed), importAAD(id))
	if err != nil {
		return nil, "", nil, err
	}
	var p pendingImport
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, "", nil, err
	}
	if p.UserID != web.User(c).ID || p.CommissionID != cm.ID {
		return cm, "", nil, nil
	}
	return cm, id, &p, nil
}

// expiredImport answers a confirmation whose upload is gone (expired, cancelled, already
// imported, or another user's).
func expiredImport(c *fiber.Ctx, cm *models.Commission) error {
	web.FlashError(c, "Cet aperçu n'est plus disponible (délai de 30 minutes dépassé, import déjà confirmé ou annulé) : déposez de nouveau le fichier.")
	return c.Redirect(Base(cm.ID)+"/import", fiber.StatusSeeOther)
}

// ConfirmImport applies the previewed upload in one transaction and e-mails the
// invitations of the accounts it created.
func (h *Handler) ConfirmImport(c *fiber.Ctx) error {
	cm, id, p, err := h.loadImport(c)
	if err != nil {
		return err
	}
	if p == nil {
		return expiredImport(c, cm)
	}
	actor := models.ActorFor(web.User(c))
	res, err := registrymodel.ApplyImport(c.UserContext(), h.DB, actor, cm.ID, p.Rows, h.Now())
	if errors.Is(err, registrymodel.ErrImportInvalid) {
		return h.renderPreview(c, cm, fiber.StatusUnprocessableEntity, id, p,
			"La composition a changé depuis l'aperçu et certaines lignes ne sont plus valables : rien n'a été enregistré. Corrigez le fichier et déposez-le de nouveau.")
	}
	if err != nil {
		return err
	}
	if err := h.Storage.Delete(importKey(id)); err != nil {
		return err
	}
	pv := res.Preview
	web.FlashSuccess(c, fmt.Sprintf("Import enregistré : %d création(s), %d modification(s), %d ligne(s) sans changement, %d fin(s) de mandat.",
		pv.Created, pv.Changed, pv.Unchanged, len(pv.Ended)))
	failed := 0
	for _, inv := range res.Invitations {
		if h.invite(c.UserContext(), actor, cm, inv.User, inv.Secret) != nil {
			failed++
		}
	}
	if n := len(res.Invitations); n > 0 {
		msg := fmt.Sprintf("%d invitation(s) envoyée(s) aux nouveaux comptes.", n-failed)
		if failed > 0 {
			msg += fmt.Sprintf(" %d n'ont pas pu partir : renvoyez-les depuis la fiche des personnes.", failed)
			web.AddFlash(c, "warning", msg)
		} else {
			web.AddFlash(c, "info", msg)
		}
	}
	return c.Redirect(Base(cm.ID)+"/composition", fiber.StatusSeeOther)
}

// CancelImport forgets the previewed upload.
func (h *Handler) CancelImport(c *fiber.Ctx) error {
	cm, id, p, err := h.loadImport(c)
	if err != nil {
		return err
	}
	if p != nil {
		if err := h.Storage.Delete(importKey(id)); err != nil {
			return err
		}
	}
	web.AddFlash(c, "info", "Import annulé : la composition n'a pas changé.")
	return c.Redirect(Base(cm.ID)+"/composition", fiber.StatusSeeOther)
}
