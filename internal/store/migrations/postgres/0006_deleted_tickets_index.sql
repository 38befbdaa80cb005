-- Soft-deleted tickets are few; this partial index lists them without
-- touching the live ones. Counting a word's matches uses it to subtract
-- deleted tickets instead of looking up every matching ticket (see
-- store/relevance.go), and the deleted-tickets view uses it directly.
CREATE INDEX tickets_deleted ON tickets(id) WHERE deleted_at IS NOT NULL;
