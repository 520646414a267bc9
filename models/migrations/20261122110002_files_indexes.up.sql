CREATE INDEX persons_commission_idx ON persons (commission_id);
--bun:split
CREATE INDEX parcours_person_idx ON parcours (person_id);
--bun:split
CREATE INDEX parcours_commission_idx ON parcours (commission_id);
--bun:split
CREATE INDEX files_commission_state_idx ON files (commission_id, state);
--bun:split
CREATE INDEX files_person_idx ON files (person_id);
--bun:split
CREATE INDEX files_association_idx ON files (association_id);
--bun:split
CREATE INDEX files_parcours_idx ON files (parcours_id);
--bun:split
CREATE INDEX parcours_periods_parcours_idx ON parcours_periods (parcours_id, seq);
--bun:split
CREATE INDEX file_events_file_idx ON file_events (file_id, id);
--bun:split
CREATE INDEX attachments_file_idx ON attachments (file_id);
--bun:split
CREATE INDEX file_access_grants_file_user_idx ON file_access_grants (file_id, user_id);
--bun:split
CREATE INDEX file_access_grants_user_idx ON file_access_grants (user_id, valid_until);
--bun:split
CREATE UNIQUE INDEX file_interests_file_user_idx ON file_interests (file_id, user_id);
