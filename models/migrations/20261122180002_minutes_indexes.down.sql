DROP INDEX minutes_commission_submitted_idx;
--bun:split
DROP INDEX minutes_meeting_version_uq;
