package files

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
)

// MaxAttachmentSize is the largest attachment accepted: 20 MB.
const MaxAttachmentSize = 20 << 20

// AttachmentKind is what an attachment is.
type AttachmentKind string

// The kinds of attachment.
const (
	AttachmentIdentity     AttachmentKind = "identity"     // identity document
	AttachmentFollowUp     AttachmentKind = "followup"     // signed document de suivi (R121-12-12)
	AttachmentReport       AttachmentKind = "report"       // the association's report
	AttachmentObservations AttachmentKind = "observations" // the person's observations
	AttachmentDecision     AttachmentKind = "decision"     // decision and notification letters
	AttachmentOther        AttachmentKind = "other"
)

// AttachmentKinds lists the kinds in display order.
var AttachmentKinds = []AttachmentKind{AttachmentIdentity, AttachmentFollowUp, AttachmentReport, AttachmentObservations, AttachmentDecision, AttachmentOther}

// Label is the French name of the kind.
func (k AttachmentKind) Label() string {
	switch k {
	case AttachmentIdentity:
		return "Pièce d'identité"
	case AttachmentFollowUp:
		return "Document de suivi signé"
	case AttachmentReport:
		return "Rapport de l'association"
	case AttachmentObservations:
		return "Observations de la personne"
	case AttachmentDecision:
		return "Décision et notification"
	case AttachmentOther:
		return "Autre pièce"
	}
	return string(k)
}

// Attachment is a document of a file. Its name and content are stored sealed in the
// database itself (aad "attachment:<id>:name" and "attachment:<id>"), so that a backup,
// a restore or several instances need nothing else.
type Attachment struct {
	bun.BaseModel `bun:"table:attachments"`

	ID           int64          `bun:",pk,autoincrement"`
	CommissionID int64          `bun:",notnull"`
	FileID       int64          `bun:",notnull"`
	Kind         AttachmentKind `bun:",notnull"`
	NameSealed   string         `bun:",notnull" json:"-"`
	ContentType  string         `bun:",notnull"` // detected from the content
	Size         int64          `bun:",notnull"` // of the plaintext
	Content      []byte         `bun:",notnull" json:"-"`
	UploadedBy   int64          `bun:",notnull"`
	CreatedAt    time.Time      `bun:",notnull"`

	// Name is the opened name, filled by ListAttachments and OpenAttachment (masked for
	// viewers who may not see the person's identity).
	Name string `bun:"-"`
}

// AttachmentAAD and AttachmentNameAAD bind a sealed attachment's content and name to its row.
func AttachmentAAD(id int64) string     { return fmt.Sprintf("attachment:%d", id) }
func AttachmentNameAAD(id int64) string { return fmt.Sprintf("attachment:%d:name", id) }

// The accepted types, as stored in ContentType.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
)

// acceptedTypes is the French list shown when a file is refused.
const acceptedTypes = "PDF, PNG, JPEG, Word (docx), Excel (xlsx), OpenDocument (odt, ods)"

// SniffAttachment returns the type of content, detected from its bytes and never from its
// name, or a French error naming the detected type when it is not accepted.
func SniffAttachment(content []byte) (string, error) {
	switch {
	case len(content) == 0:
		return "", models.FieldErrors{"file": "Le fichier est vide."}.Err()
	case len(content) > MaxAttachmentSize:
		return "", models.FieldErrors{"file": fmt.Sprintf("Le fichier fait %.1f Mo : la taille maximale est de 20 Mo.", float64(len(content))/(1<<20))}.Err()
	}
	detected := http.DetectContentType(content)
	switch detected {
	case TypePDF, TypePNG, TypeJPEG:
		return detected, nil
	case "application/zip":
		return sniffZip(content)
	}
	return "", models.FieldErrors{"file": fmt.Sprintf("Type de fichier refusé : %s détecté. Formats acceptés : %s.", describeType(detected), acceptedTypes)}.Err()
}

// sniffZip recognises office documents, which are zip archives: OpenDocument names its
// type in a first "mimetype" entry, Office Open XML has "[Content_Types].xml" and its main
// part. Documents with macros are refused.
func sniffZip(content []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return "", models.FieldErrors{"file": "Le fichier est une archive ZIP illisible."}.Err()
	}
	entries := map[string]*zip.File{}
	for _, e := range zr.File {
		entries[e.Name] = e
		if strings.HasSuffix(strings.ToLower(e.Name), "vbaproject.bin") || strings.HasPrefix(e.Name, "Basic/") {
			return "", models.FieldErrors{"file": "Type de fichier refusé : document contenant des macros. Enregistrez-le sans macros ou en PDF."}.Err()
		}
	}
	if e := entries["mimetype"]; e != nil {
		rc, err := e.Open()
		if err != nil {
			return "", models.FieldErrors{"file": "Le fichier est une archive ZIP illisible."}.Err()
		}
		raw, err := io.ReadAll(io.LimitReader(rc, 100))
		rc.Close()
		if err != nil {
			return "", models.FieldErrors{"file": "Le fichier est une archive ZIP illisible."}.Err()
		}
		mt := strings.TrimSpace(string(raw))
		if mt == TypeODT || mt == TypeODS {
			return mt, nil
		}
		return "", models.FieldErrors{"file": fmt.Sprintf("Type de fichier refusé : %s détecté. Formats acceptés : %s.", describeType(mt), acceptedTypes)}.Err()
	}
	if entries["[Content_Types].xml"] != nil {
		switch {
		case entries["word/document.xml"] != nil:
			return TypeDOCX, nil
		case entries["xl/workbook.xml"] != nil:
			return TypeXLSX, nil
		}
		return "", models.FieldErrors{"file": fmt.Sprintf("Type de fichier refusé : document Office non pris en charge (PowerPoint ou autre) détecté. Formats acceptés : %s.", acceptedTypes)}.Err()
	}
	return "", models.FieldErrors{"file": fmt.Sprintf("Type de fichier refusé : archive ZIP détectée. Formats acceptés : %s.", acceptedTypes)}.Err()
}

// describeType names a detected type for a French message.
func describeType(mt string) string {
	base, _, _ := strings.Cut(mt, ";")
	switch base {
	case "text/plain":
		return "texte brut"
	case "text/html":
		return "page HTML"
	case "application/octet-stream":
		return "fichier binaire non reconnu (application/octet-stream)"
	case "image/gif":
		return "image GIF"
	case "image/webp":
		return "image WebP"
	case "image/bmp":
		return "image BMP"
	case "application/x-gzip":
		return "archive GZIP"
	case "application/x-rar-compressed":
		return "archive RAR"
	}
	return base
}

// cleanName keeps the base name of an uploaded file, trimmed and at most 200 characters.
func cleanName(name string) string {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "." || name == "/" || name == "" {
		name = "document"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// mayChangeAttachments reports whether actor may add or remove attachments of f: the
// instructing association while the file is a draft or incomplete, the secretariat until
// the decision; nobody once the file is anonymised.
func mayChangeAttachments(actor *models.User, f *File) bool {
	if f.AnonymisedOn != nil {
		return false
	}
	switch actor.Role {
	case models.RoleAssociation:
		return actor.AssociationID != nil && *actor.AssociationID == f.AssociationID && (f.State == StateDraft || f.State == StateIncomplete)
	case models.RoleSecretariat:
		return actor.CommissionIDOrZero() == f.CommissionID && f.State != StateDecided
	}
	return false
}

// AddAttachment checks, seals and stores a document of a file, and records it in the
// history and the audit chain.
func AddAttachment(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, fileID int64, kind AttachmentKind, name string, content []byte, now time.Time) (*Attachment, error) {
	if !slices.Contains(AttachmentKinds, kind) {
		return nil, models.FieldErrors{"kind": "Choisissez le type de pièce."}.Err()
	}
	ct, err := SniffAttachment(content)
	if err != nil {
		return nil, err
	}
	a := &Attachment{Kind: kind, ContentType: ct, Size: int64(len(content)), Content: []byte{}, UploadedBy: actor.ID, CreatedAt: now.UTC(), Name: cleanName(name)}
	err = models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		f, _, err := findFileFor(ctx, tx, actor, fileID, AccessFull, now)
		if err != nil {
			return err
		}
		if !mayChangeAttachments(actor, f) {
			return models.Refuse("Les pièces du dossier %s ne peuvent plus être modifiées dans l'état « %s ».", f.Reference, f.State.Label())
		}
		a.CommissionID, a.FileID = f.CommissionID, f.ID
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("add attachment: %w", err)
		}
		a.NameSealed = kr.Seal([]byte(a.Name), AttachmentNameAAD(a.ID))
		a.Content = kr.SealBytes(content, AttachmentAAD(a.ID))
		if _, err := tx.NewUpdate().Model(a).Column("name_sealed", "content").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("seal attachment: %w", err)
		}
		details := map[string]any{"attachment_id": a.ID, "kind": string(kind), "type": ct, "size": a.Size}
		if err := AddEvent(ctx, tx, actor, f, "attachment_add", f.State, f.State, details, now); err != nil {
			return err
		}
		details["reference"] = f.Reference
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: f.CommissionID, Actor: models.ActorFor(actor), Action: "file.attachment_add", Object: models.ObjectRef("file", f.ID), Details: details})
	})
	if err != nil {
		return nil, err
	}
	a.Content = nil
	return a, nil
}

// SizeLabel formats a size in bytes for people: "740 ko", "3,2 Mo".
func SizeLabel(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d o", n)
	case n < 1<<20:
		return fmt.Sprintf("%d ko", (n+1<<9)>>10)
	}
	return strings.Replace(fmt.Sprintf("%.1f Mo", float64(n)/(1<<20)), ".", ",", 1)
}

// TypeLabel names an accepted attachment type for people ("PDF", "Word"…).
func TypeLabel(ct string) string {
	switch ct {
	case TypePDF:
		return "PDF"
	case TypePNG:
		return "Image PNG"
	case TypeJPEG:
		return "Image JPEG"
	case TypeDOCX:
		return "Word"
	case TypeXLSX:
		return "Excel"
	case TypeODT:
		return "Texte OpenDocument"
	case TypeODS:
		return "Tableur OpenDocument"
	}
	return ct
}

// typeExtensions gives the file name extension of each accepted type.
var typeExtensions = map[string]string{
	TypePDF: ".pdf", TypePNG: ".png", TypeJPEG: ".jpg", TypeDOCX: ".docx", TypeXLSX: ".xlsx", TypeODT: ".odt", TypeODS: ".ods",
}

// TypeLabel names the attachment's type.
func (a Attachment) TypeLabel() string { return TypeLabel(a.ContentType) }

// SizeLabel gives the attachment's size for people.
func (a Attachment) SizeLabel() string { return SizeLabel(a.Size) }

// maskedName is what a viewer who may not see the identity reads instead of the
// uploaded name, which often carries the person's name: "Pièce n° 2 (PDF, 740 ko)".
func (a Attachment) maskedName(k int) string {
	return fmt.Sprintf("Pièce n° %d (%s, %s)", k, a.TypeLabel(), a.SizeLabel())
}

// ListAttachments returns the attachments of a file, with their names but without their
// content, to a viewer who may see them. A viewer who may not reveal the identity of the
// person (AccessProposal: the president) gets masked names (maskedName).
func ListAttachments(ctx context.Context, db bun.IDB, kr *keyring.Keyring, viewer *models.User, fileID int64, now time.Time) ([]Attachment, error) {
	f, acc, err := findFileFor(ctx, db, viewer, fileID, AccessProposal, now)
	if err != nil {
		return nil, err
	}
	return attachmentsOf(ctx, db, kr, f, acc)
}

// attachmentsOf lists the attachments of f without their content, named as a viewer with
// access acc (at least AccessProposal) sees them.
func attachmentsOf(ctx context.Context, db bun.IDB, kr *keyring.Keyring, f *File, acc Access) ([]Attachment, error) {
	as, err := attachmentRows(ctx, db, f.ID)
	if err != nil {
		return nil, err
	}
	return nameAttachments(kr, as, acc)
}

// attachmentRows lists the attachments of file fileID without their content; their
// names stay sealed.
func attachmentRows(ctx context.Context, db bun.IDB, fileID int64) ([]Attachment, error) {
	var as []Attachment
	if err := db.NewSelect().Model(&as).ExcludeColumn("content").Where("file_id = ?", fileID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	return as, nil
}

// nameAttachments returns a copy of rows named as a viewer with access acc sees them:
// opened for AccessFull, masked below.
func nameAttachments(kr *keyring.Keyring, rows []Attachment, acc Access) ([]Attachment, error) {
	as := slices.Clone(rows)
	for i := range as {
		if acc < AccessFull {
			as[i].Name = as[i].maskedName(i + 1)
			continue
		}
		name, err := kr.Open(as[i].NameSealed, AttachmentNameAAD(as[i].ID))
		if err != nil {
			return nil, fmt.Errorf("open attachment name %d: %w", as[i].ID, err)
		}
		as[i].Name = string(name)
	}
	return as, nil
}

// OpenAttachment returns an attachment and its decrypted content to a viewer who may see
// it, after recording the display in the audit chain.
func OpenAttachment(ctx context.Context, db bun.IDB, kr *keyring.Keyring, viewer *models.User, attachmentID int64, now time.Time) (*Attachment, []byte, error) {
	a := new(Attachment)
	err := db.NewSelect().Model(a).Where("id = ? AND commission_id = ?", attachmentID, viewer.CommissionIDOrZero()).Scan(ctx)
	if err != nil {
		return nil, nil, models.NotFound(err, "find attachment")
	}
	f, acc, err := findFileFor(ctx, db, viewer, a.FileID, AccessProposal, now)
	if err != nil {
		return nil, nil, err
	}
	content, err := kr.OpenBytes(a.Content, AttachmentAAD(a.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("open attachment %d: %w", a.ID, err)
	}
	if acc < AccessFull {
		// The uploaded name may carry the person's name: the download is named after the
		// file's reference and the attachment's rank instead.
		k, err := db.NewSelect().Model((*Attachment)(nil)).Where("file_id = ? AND id <= ?", f.ID, a.ID).Count(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("open attachment %d: %w", a.ID, err)
		}
		a.Name = fmt.Sprintf("%s-piece-%d%s", f.Reference, k, typeExtensions[a.ContentType])
	} else {
		name, err := kr.Open(a.NameSealed, AttachmentNameAAD(a.ID))
		if err != nil {
			return nil, nil, fmt.Errorf("open attachment name %d: %w", a.ID, err)
		}
		a.Name = string(name)
	}
	a.Content = nil
	err = models.Audit(ctx, db, now, models.AuditEntry{
		CommissionID: f.CommissionID, Actor: models.ActorFor(viewer), Action: "file.attachment_view", Object: models.ObjectRef("file", f.ID),
		Details: map[string]any{"reference": f.Reference, "attachment_id": a.ID},
	})
	if err != nil {
		return nil, nil, err
	}
	return a, content, nil
}

// DeleteAttachment removes an attachment while the actor may still change the file's
// documents (see AddAttachment).
func DeleteAttachment(ctx context.Context, db bun.IDB, actor *models.User, attachmentID int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		a := new(Attachment)
		err := tx.NewSelect().Model(a).ExcludeColumn("content").Where("id = ? AND commission_id = ?", attachmentID, actor.CommissionIDOrZero()).Scan(ctx)
		if err != nil {
			return models.NotFound(err, "find attachment")
		}
		f, _, err := findFileFor(ctx, tx, actor, a.FileID, AccessFull, now)
		if err != nil {
			return err
		}
		if !mayChangeAttachments(actor, f) {
			return models.Refuse("Les pièces du dossier %s ne peuvent plus être modifiées dans l'état « %s ».", f.Reference, f.State.Label())
		}
		if _, err := tx.NewDelete().Model((*Attachment)(nil)).Where("id = ?", a.ID).Exec(ctx); err != nil {
			return fmt.Errorf("delete attachment: %w", err)
		}
		details := map[string]any{"attachment_id": a.ID, "kind": string(a.Kind)}
		if err := AddEvent(ctx, tx, actor, f, "attachment_delete", f.State, f.State, details, now); err != nil {
			return err
		}
		details["reference"] = f.Reference
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: f.CommissionID, Actor: models.ActorFor(actor), Action: "file.attachment_delete", Object: models.ObjectRef("file", f.ID), Details: details})
	})
}
