-- A caller is found by phone number when an agent records a call
-- (store.EndUserByPhone): index the numbers that are there.
CREATE INDEX users_phone ON users (phone) WHERE phone <> '';
