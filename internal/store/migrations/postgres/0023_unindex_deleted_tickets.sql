-- The search index holds live tickets only (store.IndexTicket): a
-- soft-deleted ticket leaves it when deleted, so counting a word's matches
-- needs no per-ticket subtraction. Tickets deleted before this migration
-- leave it here.
DELETE FROM ticket_search WHERE ticket_id IN (SELECT id FROM tickets WHERE deleted_at IS NOT NULL);
