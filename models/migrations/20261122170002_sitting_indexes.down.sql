DROP INDEX IF EXISTS written_contributions_deliberation_idx;
--bun:split
DROP INDEX IF EXISTS written_deliberations_item_uq;
--bun:split
DROP INDEX IF EXISTS sitting_dissents_uq;
--bun:split
DROP INDEX IF EXISTS sitting_receipts_voter_idx;
--bun:split
DROP INDEX IF EXISTS sitting_receipts_receipt_uq;
--bun:split
DROP INDEX IF EXISTS sitting_ballots_voter_idx;
--bun:split
DROP INDEX IF EXISTS sitting_ballots_seat_uq;
--bun:split
DROP INDEX IF EXISTS sitting_ballots_uq;
--bun:split
DROP INDEX IF EXISTS sitting_vote_voters_user_idx;
--bun:split
DROP INDEX IF EXISTS sitting_vote_voters_uq;
--bun:split
DROP INDEX IF EXISTS sitting_votes_meeting_idx;
--bun:split
DROP INDEX IF EXISTS sitting_votes_item_uq;
--bun:split
DROP INDEX IF EXISTS sitting_presence_meeting_idx;
