CREATE UNIQUE INDEX convocations_meeting_number_uq ON convocations (meeting_id, number);
--bun:split
CREATE INDEX convocation_recipients_meeting_user_idx ON convocation_recipients (meeting_id, user_id);
--bun:split
CREATE INDEX convocation_recipients_convocation_idx ON convocation_recipients (convocation_id);
--bun:split
CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (user_id);
