CREATE INDEX users_commission_idx ON users (commission_id);
--bun:split
CREATE INDEX audit_log_commission_idx ON audit_log (commission_id, id);
--bun:split
CREATE INDEX kv_store_expires_idx ON kv_store (expires_at);
--bun:split
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
--bun:split
CREATE INDEX associations_commission_idx ON associations (commission_id);
