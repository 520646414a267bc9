DROP INDEX calendar_feeds_user_idx;
--bun:split
DROP INDEX convocation_recipients_convocation_idx;
--bun:split
DROP INDEX convocation_recipients_meeting_user_idx;
--bun:split
DROP INDEX convocations_meeting_number_uq;
