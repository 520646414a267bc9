CREATE INDEX meetings_commission_starts_idx ON meetings (commission_id, starts_at);
--bun:split
CREATE INDEX agenda_items_meeting_idx ON agenda_items (meeting_id, position);
--bun:split
CREATE INDEX agenda_items_file_idx ON agenda_items (file_id);
--bun:split
CREATE UNIQUE INDEX meeting_attendance_seat_uq ON meeting_attendance (meeting_id, seat_id);
