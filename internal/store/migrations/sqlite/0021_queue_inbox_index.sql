-- The web sidebar lists each inbox's unsolved tickets, newest update
-- first: without this every such page walked the unsolved range of the
-- status index and read each row for its inbox.
CREATE INDEX tickets_inbox_status ON tickets(inbox_id, status, updated_at);
