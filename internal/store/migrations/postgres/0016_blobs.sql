-- Small blobs (raw mails, most attachments) live here rather than as files:
-- creating a file costs more than the rest of storing a mail (see
-- internal/blob). Large ones stay files under the data dir.
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  data BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);
