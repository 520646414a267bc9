CREATE INDEX outbox_messages_commission_idx ON outbox_messages (commission_id, id);
