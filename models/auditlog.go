package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// AuditFilter selects audit records for the journal page and its export.
type AuditFilter struct {
	CommissionID int64     // 0: every commission (the administrator)
	From, Until  time.Time // At in [From, Until); zero: unbounded
	ActorID      int64     // 0: anybody
	Action       string    // an action code, or a prefix ending with "." ("file.")
	Object       string    // "kind:id", or a kind alone ("file")
	BeforeID     int64     // keyset paging: records older than this one; 0 from the newest
}

// AuditPageSize bounds a page of the journal.
const AuditPageSize = 50

// ListAuditPage returns at most limit records matching f, newest first, and whether
// older ones remain.
func ListAuditPage(ctx context.Context, db bun.IDB, f AuditFilter, limit int) ([]AuditRecord, bool, error) {
	var rs []AuditRecord
	q := db.NewSelect().Model(&rs).Order("id DESC").Limit(int64(limit) + 1)
	if f.CommissionID != 0 {
		q = q.Where("commission_id = ?", f.CommissionID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", Stamp(f.From))
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", Stamp(f.Until))
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		q = q.Where("action LIKE ?", f.Action+"%")
	case f.Action != "":
		q = q.Where("action = ?", f.Action)
	}
	switch {
	case strings.Contains(f.Object, ":"):
		q = q.Where("object = ?", f.Object)
	case f.Object != "":
		q = q.Where("object LIKE ?", f.Object+":%")
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list audit: %w", err)
	}
	if len(rs) > limit {
		return rs[:limit], true, nil
	}
	return rs, false, nil
}

// AuditActor is a person who appears in the journal, for its filter.
type AuditActor struct {
	ID    int64  `bun:"id"`
	Label string `bun:"label"`
}

// AuditActors lists the accounts that appear in the journal of commission cid (0: all),
// by name, in one GROUP BY.
func AuditActors(ctx context.Context, db bun.IDB, cid int64) ([]AuditActor, error) {
	var out []AuditActor
	q := db.NewSelect().TableExpr("audit_log AS a").Join("JOIN users AS u ON u.id = a.actor_id").
		ColumnExpr("u.id AS id, u.name AS label").Where("a.actor_id <> 0").
		GroupExpr("u.id, u.name").OrderExpr("u.name ASC, u.id ASC")
	if cid != 0 {
		q = q.Where("a.commission_id = ?", cid)
	}
	if err := q.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("audit actors: %w", err)
	}
	return out, nil
}

// AuditNames names the people and the objects of records in a handful of queries (one
// per kind of object): "Compte de Jean Dupont", "Dossier 31-2026-0012", "Séance du
// 24/11/2026" (in loc). Actors are keyed by ID; objects by their "kind:id" reference.
// A reference that names nothing known is left out: the page shows it as recorded.
func AuditNames(ctx context.Context, db bun.IDB, rs []AuditRecord, loc *time.Location) (actors map[int64]string, objects map[string]string, err error) {
	actors, objects = map[int64]string{}, map[string]string{}
	ids := map[string][]int64{}
	for _, r := range rs {
		if r.ActorID != 0 {
			ids["user"] = append(ids["user"], r.ActorID)
		}
		kind, id, ok := strings.Cut(r.Object, ":")
		if n, err := strconv.ParseInt(id, 10, 64); ok && err == nil {
			ids[kind] = append(ids[kind], n)
		}
	}
	type row struct {
		ID    int64     `bun:"id"`
		Name  string    `bun:"name"`
		At    time.Time `bun:"at"`
		Extra string    `bun:"extra"`
	}
	queries := map[string]struct {
		table, columns string
		name           func(row) string
	}{
		"user":    {"users", "id, name, email AS extra", func(r row) string { return "Compte de " + r.Name }},
		"file":    {"files", "id, reference AS name", func(r row) string { return "Dossier " + r.Name }},
		"meeting": {"meetings", "id, starts_at AS at", func(r row) string { return "Séance du " + r.At.In(loc).Format("02/01/2006") }},
		"minutes": {"minutes AS pv JOIN meetings AS m ON m.id = pv.meeting_id", "pv.id AS id, m.starts_at AS at", func(r row) string {
			return "Procès-verbal de la séance du " + r.At.In(loc).Format("02/01/2006")
		}},
		"vote":         {"sitting_votes", "id, question AS name", func(r row) string { return "Vote : " + r.Name }},
		"deliberation": {"written_deliberations AS d JOIN agenda_items AS ai ON ai.id = d.agenda_item_id", "d.id AS id, ai.title AS name", func(r row) string { return "Délibération écrite : " + r.Name }},
		"association":  {"associations", "id, name", func(r row) string { return r.Name }},
		"commission":   {"commissions", "id, name", func(r row) string { return "Commission " + r.Name }},
		"parcours":     {"parcours", "id", func(r row) string { return fmt.Sprintf("Parcours n° %d", r.ID) }},
	}
	for kind, list := range ids {
		qd, ok := queries[kind]
		if !ok {
			continue
		}
		var rows []row
		key := strings.TrimSuffix(strings.Fields(qd.columns)[0], ",") // the first column is the object's ID
		if err := db.NewSelect().TableExpr(qd.table).ColumnExpr(qd.columns).Where(key+" IN (?)", bun.In(list)).Scan(ctx, &rows); err != nil {
			return nil, nil, fmt.Errorf("audit names %s: %w", kind, err)
		}
		for _, r := range rows {
			objects[ObjectRef(kind, r.ID)] = qd.name(r)
			if kind == "user" {
				actors[r.ID] = r.Name
			}
		}
	}
	return actors, objects, nil
}
