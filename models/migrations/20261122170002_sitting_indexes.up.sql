CREATE INDEX sitting_presence_meeting_idx ON sitting_presence_events (meeting_id, id);
--bun:split
CREATE UNIQUE INDEX sitting_votes_item_uq ON sitting_votes (agenda_item_id);
--bun:split
CREATE INDEX sitting_votes_meeting_idx ON sitting_votes (meeting_id);
--bun:split
CREATE UNIQUE INDEX sitting_vote_voters_uq ON sitting_vote_voters (vote_id, voter_user_id, COALESCE(represented_user_id, 0));
--bun:split
CREATE INDEX sitting_vote_voters_user_idx ON sitting_vote_voters (voter_user_id);
--bun:split
CREATE UNIQUE INDEX sitting_ballots_uq ON sitting_ballots (vote_id, voter_user_id, COALESCE(represented_user_id, 0));
--bun:split
CREATE UNIQUE INDEX sitting_ballots_seat_uq ON sitting_ballots (vote_id, seat_id);
--bun:split
CREATE INDEX sitting_ballots_voter_idx ON sitting_ballots (voter_user_id);
--bun:split
CREATE UNIQUE INDEX sitting_receipts_receipt_uq ON sitting_receipts (receipt);
--bun:split
CREATE INDEX sitting_receipts_voter_idx ON sitting_receipts (voter_user_id);
--bun:split
CREATE UNIQUE INDEX sitting_dissents_uq ON sitting_dissents (vote_id, user_id);
--bun:split
CREATE UNIQUE INDEX written_deliberations_item_uq ON written_deliberations (agenda_item_id);
--bun:split
CREATE INDEX written_contributions_deliberation_idx ON written_contributions (deliberation_id, id);
