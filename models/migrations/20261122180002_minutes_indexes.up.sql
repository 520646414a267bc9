CREATE UNIQUE INDEX minutes_meeting_version_uq ON minutes (meeting_id, version);
--bun:split
CREATE INDEX minutes_commission_submitted_idx ON minutes (commission_id, submitted_to_meeting_id);
