package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// QuorumRule says how many members must be present (on site, by telephone or video)
// or represented by a proxy for the commission to deliberate (CRPA R133-10).
type QuorumRule string

// The quorum rules a commission may choose.
const (
	// QuorumHalfVoting: at least half of the seats with a voting right (R133-10, the default).
	QuorumHalfVoting QuorumRule = "half_voting"
	// QuorumMajorityVoting: more than half of the seats with a voting right.
	QuorumMajorityVoting QuorumRule = "majority_voting"
	// QuorumHalfAll: at least half of all seats, with or without a voting right.
	QuorumHalfAll QuorumRule = "half_all"
)

// QuorumRules lists the rules in display order.
var QuorumRules = []QuorumRule{QuorumHalfVoting, QuorumMajorityVoting, QuorumHalfAll}

// Label is the French description of the rule.
func (r QuorumRule) Label() string {
	switch r {
	case QuorumHalfVoting:
		return "La moitié au moins des membres ayant voix délibérative, présents, à distance ou représentés (R133-10)"
	case QuorumMajorityVoting:
		return "Plus de la moitié des membres ayant voix délibérative, présents, à distance ou représentés"
	case QuorumHalfAll:
		return "La moitié au moins de l'ensemble des membres, présents, à distance ou représentés"
	}
	return string(r)
}

// AbstentionRule says whether abstentions count as votes cast when the majority is computed.
type AbstentionRule string

// The abstention rules a commission may choose (R133-11 does not settle the point).
const (
	// AbstentionsNotCast: abstentions are not votes cast; the default.
	AbstentionsNotCast AbstentionRule = "not_cast"
	// AbstentionsCast: abstentions count as votes cast, so they weigh like votes against.
	AbstentionsCast AbstentionRule = "cast"
)

// AbstentionRules lists the rules in display order.
var AbstentionRules = []AbstentionRule{AbstentionsNotCast, AbstentionsCast}

// Label is the French description of the rule.
func (r AbstentionRule) Label() string {
	switch r {
	case AbstentionsNotCast:
		return "Les abstentions ne sont pas comptées comme suffrages exprimés"
	case AbstentionsCast:
		return "Les abstentions sont comptées comme suffrages exprimés"
	}
	return string(r)
}

// Defaults of the commission settings.
const (
	DefaultNoticeDays         = 5  // R133-8: convocation at least 5 days before the meeting
	DefaultMaxFilesPerSession = 20 // a session's agenda; the arrêté may set another figure
	DefaultMinCellSize        = 5  // published statistics mask counts below this
	// DefaultRetentionMonths: files are kept 2 years after the person's last contact
	// (CNIL référentiel on social support, délibération 2021-028), then anonymised.
	DefaultRetentionMonths = 24
)

// The bounds of the retention period a commission may set, in months.
const (
	MinRetentionMonths = 6
	MaxRetentionMonths = 120
)

// CommissionSettings holds how a commission works, beyond what Commission records
// (its name, department and the reference of the arrêté of composition).
// A commission that never saved its settings uses DefaultSettings.
type CommissionSettings struct {
	bun.BaseModel `bun:"table:commission_settings"`

	CommissionID int64 `bun:",pk"`
	// ArreteDate is the date of the current arrêté of composition (Commission.ArreteRef).
	ArreteDate     *time.Time
	QuorumRule     QuorumRule     `bun:",notnull"`
	AbstentionRule AbstentionRule `bun:",notnull"`
	// NoticeDays is the minimum number of days between convocation and meeting.
	NoticeDays         int `bun:",notnull"`
	MaxFilesPerSession int `bun:",notnull"`
	// PresidentVotes: the président votes, and so has the casting vote on a tie (R133-11).
	PresidentVotes bool `bun:",notnull"`
	// MinCellSize: statistics never show a count below it (REGLES requirement 14).
	MinCellSize int `bun:",notnull"`
	// TOTPRequiredForMembers makes two-factor sign-in compulsory for members too.
	TOTPRequiredForMembers bool `bun:",notnull"`
	// RetentionMonths is how long a file is kept after the person's last contact
	// before the retention job anonymises it (see LastActivity).
	RetentionMonths int       `bun:",notnull"`
	UpdatedAt       time.Time `bun:",notnull"`
}

// DefaultSettings returns the settings of a commission that has not changed them.
func DefaultSettings(cid int64) *CommissionSettings {
	return &CommissionSettings{
		CommissionID: cid, QuorumRule: QuorumHalfVoting, AbstentionRule: AbstentionsNotCast,
		NoticeDays: DefaultNoticeDays, MaxFilesPerSession: DefaultMaxFilesPerSession,
		PresidentVotes: true, MinCellSize: DefaultMinCellSize, RetentionMonths: DefaultRetentionMonths,
	}
}

// QuorumRequired returns how many members must be present or represented, given the
// number of seats with a voting right and of all seats (vacant seats included: the
// quorum counts the members "composant la commission").
func (s *CommissionSettings) QuorumRequired(votingSeats, allSeats int) int {
	switch s.QuorumRule {
	case QuorumMajorityVoting:
		return votingSeats/2 + 1
	case QuorumHalfAll:
		return (allSeats + 1) / 2
	default:
		return (votingSeats + 1) / 2
	}
}

// Outcome applies the majority rule (R133-11) to a count of votes: adopted when the
// votes for exceed half the votes cast; tie when they are exactly half, in which case
// the président's vote decides if PresidentVotes.
func (s *CommissionSettings) Outcome(yes, no, abstentions int) (adopted, tie bool) {
	cast := yes + no
	if s.AbstentionRule == AbstentionsCast {
		cast += abstentions
	}
	return 2*yes > cast, cast > 0 && 2*yes == cast
}

// Validate checks the settings; messages are keyed by form field.
func (s *CommissionSettings) Validate() FieldErrors {
	fe := FieldErrors{}
	if !slices.Contains(QuorumRules, s.QuorumRule) {
		fe.Add("quorum_rule", "Choisissez une règle de quorum.")
	}
	if !slices.Contains(AbstentionRules, s.AbstentionRule) {
		fe.Add("abstention_rule", "Choisissez comment les abstentions sont comptées.")
	}
	if s.NoticeDays < 0 || s.NoticeDays > 60 {
		fe.Add("notice_days", "Le délai de convocation doit être compris entre 0 et 60 jours.")
	} else if s.NoticeDays < DefaultNoticeDays {
		fe.Add("notice_days", "Le délai de convocation ne peut pas être inférieur à 5 jours (R133-8) ; l'urgence se déclare séance par séance.")
	}
	if s.MaxFilesPerSession < 1 || s.MaxFilesPerSession > 200 {
		fe.Add("max_files_per_session", "Le nombre maximal de dossiers par séance doit être compris entre 1 et 200.")
	}
	if s.MinCellSize < 1 || s.MinCellSize > 50 {
		fe.Add("min_cell_size", "Le seuil de masquage des statistiques doit être compris entre 1 et 50.")
	}
	if s.RetentionMonths < MinRetentionMonths || s.RetentionMonths > MaxRetentionMonths {
		fe.Add("retention_months", fmt.Sprintf("La durée de conservation doit être comprise entre %d et %d mois après le dernier contact (24 mois recommandés par le référentiel de la CNIL sur l'accompagnement social).",
			MinRetentionMonths, MaxRetentionMonths))
	}
	return fe
}

// FindSettings returns the settings of commission cid, or DefaultSettings when it never
// saved any. It returns ErrNotFound when the commission does not exist.
func FindSettings(ctx context.Context, db bun.IDB, cid int64) (*CommissionSettings, error) {
	if _, err := FindCommission(ctx, db, cid); err != nil {
		return nil, err
	}
	s := new(CommissionSettings)
	err := db.NewSelect().Model(s).Where("commission_id = ?", cid).Scan(ctx)
	if err := NotFound(err, "find settings"); err == ErrNotFound {
		return DefaultSettings(cid), nil
	} else if err != nil {
		return nil, err
	}
	return s, nil
}

// UpdateSettings saves the commission's name, department and arrêté reference (from c,
// whose ID names the commission) and its settings s, after validating both. Validation
// errors come back as FieldErrors keyed "name", "department", "arrete_ref",
// "quorum_rule", "abstention_rule", "notice_days", "max_files_per_session",
// "min_cell_size" and "retention_months".
func UpdateSettings(ctx context.Context, db bun.IDB, actor Actor, c *Commission, s *CommissionSettings, now time.Time) error {
	c.Region = "" // follows the department
	fe := c.validate()
	maps.Copy(fe, s.Validate())
	if c.ArreteRef == "" && s.ArreteDate != nil {
		fe.Add("arrete_ref", "Indiquez la référence de l'arrêté de composition.")
	}
	CheckLine(fe, "name", "Nom de la commission", c.Name, MaxLineLength)
	CheckLine(fe, "arrete_ref", "Arrêté de composition", c.ArreteRef, MaxLineLength)
	if s.ArreteDate != nil {
		d := DateOnly(*s.ArreteDate)
		s.ArreteDate = &d
	}
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := FindCommission(ctx, tx, c.ID); err != nil {
			return err
		}
		if err := checkDepartmentFree(ctx, tx, c, fe); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Model((*Commission)(nil)).
			Set("name = ?", c.Name).Set("department = ?", c.Department).Set("region = ?", c.Region).Set("arrete_ref = ?", c.ArreteRef).
			Where("id = ?", c.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update settings: %w", err)
		}
		s.CommissionID, s.UpdatedAt = c.ID, now
		_, err = tx.NewInsert().Model(s).On("CONFLICT (commission_id) DO UPDATE").
			Set("arrete_date = EXCLUDED.arrete_date").Set("quorum_rule = EXCLUDED.quorum_rule").
			Set("abstention_rule = EXCLUDED.abstention_rule").Set("notice_days = EXCLUDED.notice_days").
			Set("max_files_per_session = EXCLUDED.max_files_per_session").Set("president_votes = EXCLUDED.president_votes").
			Set("min_cell_size = EXCLUDED.min_cell_size").Set("totp_required_for_members = EXCLUDED.totp_required_for_members").
			Set("retention_months = EXCLUDED.retention_months").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
		if err != nil {
			return fmt.Errorf("update settings: %w", err)
		}
		details := map[string]any{
			"name": c.Name, "department": c.Department, "arrete_ref": c.ArreteRef,
			"quorum_rule": string(s.QuorumRule), "abstention_rule": string(s.AbstentionRule),
			"notice_days": s.NoticeDays, "max_files_per_session": s.MaxFilesPerSession,
			"president_votes": s.PresidentVotes, "min_cell_size": s.MinCellSize,
			"totp_required_for_members": s.TOTPRequiredForMembers, "retention_months": s.RetentionMonths,
		}
		if s.ArreteDate != nil {
			details["arrete_date"] = s.ArreteDate.Format(time.DateOnly)
		}
		return Audit(ctx, tx, now, AuditEntry{
			CommissionID: c.ID, Actor: actor, Action: "commission.settings", Object: ObjectRef("commission", c.ID), Details: details,
		})
	})
}
