package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type sitting20261122 struct {
	bun.BaseModel `bun:"table:meeting_sittings"`

	MeetingID           int64     `bun:",pk"`
	CommissionID        int64     `bun:",notnull"`
	ChairUserID         int64     `bun:",notnull"`
	OpenedAt            time.Time `bun:",notnull"`
	OpenedBy            int64     `bun:",notnull"`
	CurrentItemID       *int64    `bun:",nullzero"`
	ClosedAt            *time.Time
	ClosedBy            *int64    `bun:",nullzero"`
	QuorumFailed        bool      `bun:",notnull"`
	SecondConvocationID *int64    `bun:",nullzero"`
	UpdatedAt           time.Time `bun:",notnull"`
}

type presenceEvent20261122 struct {
	bun.BaseModel `bun:"table:sitting_presence_events"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	MeetingID    int64     `bun:",notnull"`
	SeatID       int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	Kind         string    `bun:",notnull"`
	Remote       bool      `bun:",notnull"`
	AgendaItemID *int64    `bun:",nullzero"`
	At           time.Time `bun:",notnull"`
	RecordedBy   int64     `bun:",notnull"`
}

type vote20261122 struct {
	bun.BaseModel `bun:"table:sitting_votes"`

	ID                int64     `bun:",pk,autoincrement"`
	CommissionID      int64     `bun:",notnull"`
	MeetingID         int64     `bun:",notnull"`
	AgendaItemID      int64     `bun:",notnull"`
	Written           bool      `bun:",notnull"`
	Question          string    `bun:",notnull"`
	ProposedAvis      string    `bun:",notnull"`
	Status            string    `bun:",notnull"`
	OpenedAt          time.Time `bun:",notnull"`
	OpenedBy          int64     `bun:",notnull"`
	ClosesAt          *time.Time
	ClosedAt          *time.Time
	ClosedBy          *int64 `bun:",nullzero"`
	ChairUserID       *int64 `bun:",nullzero"`
	NoQuorumRequired  bool   `bun:",notnull"`
	Members           int    `bun:",notnull"`
	QuorumRequired    int    `bun:",notnull"`
	QuorumPresent     int    `bun:",notnull"`
	QuorumRepresented int    `bun:",notnull"`
	Recused           int    `bun:",notnull"`
	Eligible          int    `bun:",notnull"`
	Yes               int    `bun:",notnull"`
	No                int    `bun:",notnull"`
	Abstentions       int    `bun:",notnull"`
	RoomCounted       bool   `bun:",notnull"`
	RoomYes           int    `bun:",notnull"`
	RoomNo            int    `bun:",notnull"`
	RoomAbstentions   int    `bun:",notnull"`
	Participants      int    `bun:",notnull"`
	Outcome           string `bun:",notnull"`
	Tie               bool   `bun:",notnull"`
	CastingVote       string `bun:",notnull"`
	Avis              string `bun:",notnull"`
	ReasoningSealed   string `bun:",notnull"`
	ConditionsSealed  string `bun:",notnull"`
	RecommendedMonths int    `bun:",notnull"`
	AvisRecordedAt    *time.Time
	UpdatedAt         time.Time `bun:",notnull"`
}

type voteVoter20261122 struct {
	bun.BaseModel `bun:"table:sitting_vote_voters"`

	ID                int64  `bun:",pk,autoincrement"`
	CommissionID      int64  `bun:",notnull"`
	VoteID            int64  `bun:",notnull"`
	VoterUserID       int64  `bun:",notnull"`
	RepresentedUserID *int64 `bun:",nullzero"`
	SeatID            *int64 `bun:",nullzero"`
	Chair             bool   `bun:",notnull"`
}

type ballot20261122 struct {
	bun.BaseModel `bun:"table:sitting_ballots"`

	ID                int64     `bun:",pk,autoincrement"`
	CommissionID      int64     `bun:",notnull"`
	VoteID            int64     `bun:",notnull"`
	VoterUserID       int64     `bun:",notnull"`
	RepresentedUserID *int64    `bun:",nullzero"`
	SeatID            *int64    `bun:",nullzero"`
	Chair             bool      `bun:",notnull"`
	Choice            string    `bun:",notnull"`
	Channel           string    `bun:",notnull"`
	RecordedBy        int64     `bun:",notnull"`
	Receipt           string    `bun:",notnull"`
	Changes           int       `bun:",notnull"`
	CastAt            time.Time `bun:",notnull"`
	UpdatedAt         time.Time `bun:",notnull"`
}

type receipt20261122 struct {
	bun.BaseModel `bun:"table:sitting_receipts"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	Receipt      string    `bun:",notnull"`
	BallotID     int64     `bun:",notnull"`
	VoteID       int64     `bun:",notnull"`
	VoterUserID  int64     `bun:",notnull"`
	Choice       string    `bun:",notnull"`
	AuditHash    string    `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
}

type dissent20261122 struct {
	bun.BaseModel `bun:"table:sitting_dissents"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	VoteID       int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	TextSealed   string    `bun:",notnull"`
	RecordedBy   int64     `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
}

type deliberation20261122 struct {
	bun.BaseModel `bun:"table:written_deliberations"`

	ID             int64     `bun:",pk,autoincrement"`
	CommissionID   int64     `bun:",notnull"`
	MeetingID      int64     `bun:",notnull"`
	AgendaItemID   int64     `bun:",notnull"`
	Status         string    `bun:",notnull"`
	StartsAt       time.Time `bun:",notnull"`
	Deadline       time.Time `bun:",notnull"`
	VotingHours    int       `bun:",notnull"`
	MeansChecked   bool      `bun:",notnull"`
	AnnouncedAt    time.Time `bun:",notnull"`
	AnnouncedBy    int64     `bun:",notnull"`
	OpenedAt       *time.Time
	DebateClosedAt *time.Time
	Extensions     int       `bun:",notnull"`
	VoteID         *int64    `bun:",nullzero"`
	UpdatedAt      time.Time `bun:",notnull"`
}

type contribution20261122 struct {
	bun.BaseModel `bun:"table:written_contributions"`

	ID             int64     `bun:",pk,autoincrement"`
	CommissionID   int64     `bun:",notnull"`
	DeliberationID int64     `bun:",notnull"`
	UserID         int64     `bun:",notnull"`
	ReplyToID      *int64    `bun:",nullzero"`
	Kind           string    `bun:",notnull"`
	BodySealed     string    `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
}

func init() {
	cm := "(commission_id) REFERENCES commissions (id)"
	tables := []table{
		{model: (*sitting20261122)(nil), fks: []string{
			cm, "(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE", "(chair_user_id) REFERENCES users (id)",
			"(opened_by) REFERENCES users (id)", "(closed_by) REFERENCES users (id)",
			"(current_item_id) REFERENCES agenda_items (id) ON DELETE SET NULL",
			"(second_convocation_id) REFERENCES meetings (id)",
		}},
		{model: (*presenceEvent20261122)(nil), fks: []string{
			cm, "(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE", "(seat_id) REFERENCES seats (id)",
			"(user_id) REFERENCES users (id)", "(agenda_item_id) REFERENCES agenda_items (id) ON DELETE SET NULL",
			"(recorded_by) REFERENCES users (id)",
		}},
		{model: (*vote20261122)(nil), fks: []string{
			cm, "(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE", "(agenda_item_id) REFERENCES agenda_items (id) ON DELETE CASCADE",
			"(opened_by) REFERENCES users (id)", "(closed_by) REFERENCES users (id)", "(chair_user_id) REFERENCES users (id)",
		}},
		{model: (*voteVoter20261122)(nil), fks: []string{
			cm, "(vote_id) REFERENCES sitting_votes (id) ON DELETE CASCADE", "(voter_user_id) REFERENCES users (id)",
			"(represented_user_id) REFERENCES users (id)", "(seat_id) REFERENCES seats (id)",
		}},
		{model: (*ballot20261122)(nil), fks: []string{
			cm, "(vote_id) REFERENCES sitting_votes (id) ON DELETE CASCADE", "(voter_user_id) REFERENCES users (id)",
			"(represented_user_id) REFERENCES users (id)", "(seat_id) REFERENCES seats (id)", "(recorded_by) REFERENCES users (id)",
		}},
		{model: (*receipt20261122)(nil), fks: []string{
			cm, "(ballot_id) REFERENCES sitting_ballots (id) ON DELETE CASCADE", "(vote_id) REFERENCES sitting_votes (id) ON DELETE CASCADE",
			"(voter_user_id) REFERENCES users (id)",
		}},
		{model: (*dissent20261122)(nil), fks: []string{
			cm, "(vote_id) REFERENCES sitting_votes (id) ON DELETE CASCADE", "(user_id) REFERENCES users (id)", "(recorded_by) REFERENCES users (id)",
		}},
		{model: (*deliberation20261122)(nil), fks: []string{
			cm, "(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE", "(agenda_item_id) REFERENCES agenda_items (id) ON DELETE CASCADE",
			"(announced_by) REFERENCES users (id)", "(vote_id) REFERENCES sitting_votes (id)",
		}},
		{model: (*contribution20261122)(nil), fks: []string{
			cm, "(deliberation_id) REFERENCES written_deliberations (id) ON DELETE CASCADE", "(user_id) REFERENCES users (id)",
			"(reply_to_id) REFERENCES written_contributions (id)",
		}},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return createTables(ctx, tx, tables...) })
	}, func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error { return dropTables(ctx, tx, tables...) })
	})
}
