-- An inbox's first address is the one replies are sent from, so the order
-- the admin gave must survive a reload.
ALTER TABLE inbox_addresses ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
