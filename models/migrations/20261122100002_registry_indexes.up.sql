CREATE INDEX seats_commission_idx ON seats (commission_id, category, position);
--bun:split
CREATE INDEX seats_association_idx ON seats (association_id);
--bun:split
CREATE INDEX mandates_commission_idx ON mandates (commission_id, starts_on);
--bun:split
CREATE INDEX mandates_seat_idx ON mandates (seat_id);
--bun:split
CREATE INDEX mandates_user_idx ON mandates (user_id);
--bun:split
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
--bun:split
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);
--bun:split
CREATE INDEX second_factor_failures_user_idx ON second_factor_failures (user_id, at);
