DROP INDEX associations_commission_idx;
--bun:split
DROP INDEX api_tokens_user_idx;
--bun:split
DROP INDEX kv_store_expires_idx;
--bun:split
DROP INDEX audit_log_commission_idx;
--bun:split
DROP INDEX users_commission_idx;
