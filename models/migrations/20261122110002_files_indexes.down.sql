DROP INDEX file_interests_file_user_idx;
--bun:split
DROP INDEX file_access_grants_user_idx;
--bun:split
DROP INDEX file_access_grants_file_user_idx;
--bun:split
DROP INDEX attachments_file_idx;
--bun:split
DROP INDEX file_events_file_idx;
--bun:split
DROP INDEX parcours_periods_parcours_idx;
--bun:split
DROP INDEX files_parcours_idx;
--bun:split
DROP INDEX files_association_idx;
--bun:split
DROP INDEX files_person_idx;
--bun:split
DROP INDEX files_commission_state_idx;
--bun:split
DROP INDEX parcours_commission_idx;
--bun:split
DROP INDEX parcours_person_idx;
--bun:split
DROP INDEX persons_commission_idx;
