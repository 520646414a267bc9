DROP INDEX second_factor_failures_user_idx;
--bun:split
DROP INDEX recovery_codes_user_idx;
--bun:split
DROP INDEX account_tokens_user_idx;
--bun:split
DROP INDEX mandates_user_idx;
--bun:split
DROP INDEX mandates_seat_idx;
--bun:split
DROP INDEX mandates_commission_idx;
--bun:split
DROP INDEX seats_association_idx;
--bun:split
DROP INDEX seats_commission_idx;
