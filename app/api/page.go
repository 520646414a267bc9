package api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/models/meetings"
)

// Page sizes of the lists.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// List is a page of a list: its items and, when more follow, the link to the next page.
type List[T any] struct {
	Data       []T        `json:"data"`
	Pagination Pagination `json:"pagination"`
	Links      Links      `json:"links"`
}

// Pagination tells the size of the page asked.
type Pagination struct {
	ElementsPerPage int `json:"elementsPerPage"`
}

// Links are the links of a page; Next is absent on the last page.
type Links struct {
	Next string `json:"next,omitempty"`
}

var (
	errLimit  = fiber.NewError(fiber.StatusBadRequest, "Le paramètre limit doit être un nombre entier de 1 à "+itoa(MaxLimit)+".")
	errCursor = fiber.NewError(fiber.StatusBadRequest, "Le paramètre cursor n'est pas valide : suivez le lien « next » de la page précédente.")
)

// pageParams reads ?limit= (DefaultLimit when absent) and ?cursor= (decoded, "" for the
// first page).
func pageParams(c *fiber.Ctx) (int, string, error) {
	limit := DefaultLimit
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxLimit {
			return 0, "", errLimit
		}
		limit = n
	}
	raw := c.Query("cursor")
	if raw == "" {
		return limit, "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) == 0 {
		return 0, "", errCursor
	}
	return limit, string(b), nil
}

// next is the link to the page after cursor.
func next(path string, limit int, cursor string) string {
	q := url.Values{"limit": {strconv.Itoa(limit)}, "cursor": {base64.RawURLEncoding.EncodeToString([]byte(cursor))}}
	return path + "?" + q.Encode()
}

// bodyCursor resumes the list of commissions after a department code.
func bodyCursor(department string) string { return "d:" + department }

func parseBodyCursor(s string) (string, error) {
	dep, ok := strings.CutPrefix(s, "d:")
	if !ok || dep == "" {
		return "", errCursor
	}
	return dep, nil
}

// meetingCursor resumes the list of sessions after m.
func meetingCursor(m *meetings.Meeting) string {
	return "m:" + strconv.FormatInt(m.StartsAt.UnixMicro(), 10) + ":" + itoa(m.ID)
}

func parseMeetingCursor(s string) (*meetings.MeetingCursor, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] != "m" {
		return nil, errCursor
	}
	at, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return nil, errCursor
	}
	return &meetings.MeetingCursor{StartsAt: time.UnixMicro(at).UTC(), ID: id}, nil
}

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }
