DROP INDEX meeting_attendance_seat_uq;
--bun:split
DROP INDEX agenda_items_file_idx;
--bun:split
DROP INDEX agenda_items_meeting_idx;
--bun:split
DROP INDEX meetings_commission_starts_idx;
