package files

import (
	"fmt"
	"io"
	"mime"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	filesmodel "seance/models/files"
)

// Upload adds an attachment to a file. The form's "retour" field says where it was sent
// from: "pieces" for step 4 of the wizard, otherwise the file page. The type is detected
// from the content, never from the name; at most 20 MB are read.
func (h *Handler) Upload(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	kind := c.FormValue("kind")
	fe := models.FieldErrors{}
	var content []byte
	fh, err := c.FormFile("file")
	switch {
	case err != nil:
		fe.Add("file", "Choisissez le fichier à joindre.")
	case fh.Size > filesmodel.MaxAttachmentSize:
		fe.Add("file", fmt.Sprintf("Le fichier fait %s : la taille maximale est de 20 Mo. Réduisez-le (par exemple en l'enregistrant en PDF) ou envoyez-le en plusieurs parties.", filesmodel.SizeLabel(fh.Size)))
	default:
		r, err := fh.Open()
		if err != nil {
			return err
		}
		content, err = io.ReadAll(io.LimitReader(r, filesmodel.MaxAttachmentSize+1))
		r.Close()
		if err != nil {
			return err
		}
	}
	fe, err = attempt(fe, func() error {
		_, err := filesmodel.AddAttachment(ctx, h.DB, h.Keys, u, id, filesmodel.AttachmentKind(kind), fh.Filename, content, now)
		return err
	})
	if err != nil {
		return err
	}
	back := c.FormValue("retour") == "pieces"
	if len(fe) > 0 {
		if back {
			c.Status(fiber.StatusUnprocessableEntity)
			return h.renderAttachments(c, id, fiber.Map{"Errors": fe, "UploadKind": kind})
		}
		return h.failed(c, id, "upload", fe, func(f *ShowForms) { f.UploadKind = kind })
	}
	sum, _, err := filesmodel.FindFileSummary(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	// The file's name may contain the person's name: it stays out of the message.
	web.FlashSuccess(c, "Pièce ajoutée au dossier "+sum.Reference+" : "+filesmodel.AttachmentKind(kind).Label()+".")
	return c.Redirect(attachmentsBack(id, back), fiber.StatusSeeOther)
}

func attachmentsBack(id int64, wizard bool) string {
	if wizard {
		return fileURL(id) + "/pieces"
	}
	return fileURL(id) + "#pieces"
}

// DeleteAttachment removes an attachment while the file's documents may still change.
func (h *Handler) DeleteAttachment(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	aid, err := web.ParamID(c, "aid")
	if err != nil {
		return err
	}
	err = filesmodel.DeleteAttachment(c.UserContext(), h.DB, web.User(c), aid, h.Now())
	if text := web.RefusalText(err); text != "" {
		web.FlashError(c, text) // every message of the refusal, not only its first
		err = nil
	} else if err == nil {
		web.FlashSuccess(c, "La pièce est retirée du dossier.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(attachmentsBack(id, c.FormValue("retour") == "pieces"), fiber.StatusSeeOther)
}

// Download sends an attachment after recording the display in the audit chain: as a
// download, with the type detected at upload and no sniffing by the browser.
func (h *Handler) Download(c *fiber.Ctx) error {
	aid, err := web.ParamID(c, "aid")
	if err != nil {
		return err
	}
	a, content, err := filesmodel.OpenAttachment(c.UserContext(), h.DB, h.Keys, web.User(c), aid, h.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if disposition == "" {
		disposition = `attachment; filename="piece-jointe"`
	}
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(content)
}
