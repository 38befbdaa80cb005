-- Times are unix milliseconds (INTEGER) in both dialects so ordering and
-- comparisons are portable; 0 or NULL means "not set".
CREATE TABLE brands (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  subdomain TEXT NOT NULL UNIQUE,
  host_mapping TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE agent_groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  is_default INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  external_id TEXT UNIQUE,
  details TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  group_id INTEGER,
  shared_tickets INTEGER NOT NULL DEFAULT 0,
  shared_comments INTEGER NOT NULL DEFAULT 0,
  tags TEXT NOT NULL DEFAULT '',
  fields TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX organizations_updated ON organizations(updated_at, id);

CREATE TABLE organization_domains (
  domain TEXT PRIMARY KEY,
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
);
CREATE INDEX organization_domains_org ON organization_domains(organization_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT UNIQUE,
  role TEXT NOT NULL,
  locale TEXT NOT NULL DEFAULT 'ja',
  time_zone TEXT NOT NULL DEFAULT 'Asia/Tokyo',
  phone TEXT NOT NULL DEFAULT '',
  external_id TEXT UNIQUE,
  organization_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  default_group_id INTEGER,
  alias TEXT NOT NULL DEFAULT '',
  signature TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '',
  fields TEXT NOT NULL DEFAULT '{}',
  active INTEGER NOT NULL DEFAULT 1,
  suspended INTEGER NOT NULL DEFAULT 0,
  verified INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_login_at INTEGER
);
CREATE INDEX users_updated ON users(updated_at, id);
CREATE INDEX users_org ON users(organization_id);
CREATE INDEX users_role ON users(role);

CREATE TABLE user_identities (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  is_primary INTEGER NOT NULL DEFAULT 0,
  verified INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (type, value)
);
CREATE INDEX user_identities_user ON user_identities(user_id);

CREATE TABLE group_memberships (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_id INTEGER NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (user_id, group_id)
);
CREATE INDEX group_memberships_group ON group_memberships(group_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE ticket_fields (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  required INTEGER NOT NULL DEFAULT 0,
  options TEXT NOT NULL DEFAULT '[]',
  regexp TEXT NOT NULL DEFAULT '',
  tag TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  external_id TEXT,
  subject TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  priority TEXT,
  type TEXT,
  requester_id INTEGER NOT NULL REFERENCES users(id),
  submitter_id INTEGER NOT NULL REFERENCES users(id),
  assignee_id INTEGER REFERENCES users(id),
  group_id INTEGER REFERENCES agent_groups(id),
  organization_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  brand_id INTEGER REFERENCES brands(id),
  inbox_id INTEGER,
  via TEXT NOT NULL,
  via_source TEXT NOT NULL DEFAULT '{}',
  recipient TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '',
  custom_fields TEXT NOT NULL DEFAULT '[]',
  collaborator_ids TEXT NOT NULL DEFAULT '[]',
  followup_ids TEXT NOT NULL DEFAULT '[]',
  via_followup_source_id INTEGER,
  problem_id INTEGER,
  is_public INTEGER NOT NULL DEFAULT 1,
  due_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  solved_at INTEGER,
  deleted_at INTEGER
);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at);
CREATE INDEX tickets_assignee_status ON tickets(assignee_id, status, updated_at);
CREATE INDEX tickets_group_status ON tickets(group_id, status, updated_at);
CREATE INDEX tickets_requester ON tickets(requester_id, updated_at);
CREATE INDEX tickets_org ON tickets(organization_id, updated_at);
CREATE INDEX tickets_updated ON tickets(updated_at, id);
CREATE INDEX tickets_created ON tickets(created_at);
CREATE INDEX tickets_external ON tickets(external_id);

CREATE TABLE ticket_tags (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (ticket_id, tag)
) WITHOUT ROWID;
CREATE INDEX ticket_tags_tag ON ticket_tags(tag, ticket_id);

CREATE TABLE audits (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL,
  via TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  events TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX audits_ticket ON audits(ticket_id, id);

CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  audit_id INTEGER NOT NULL,
  author_id INTEGER NOT NULL REFERENCES users(id),
  public INTEGER NOT NULL,
  body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  via TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);
CREATE INDEX comments_ticket ON comments(ticket_id, id);

CREATE TABLE uploads (
  token TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
  upload_token TEXT,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  inline INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX attachments_comment ON attachments(comment_id);
CREATE INDEX attachments_upload ON attachments(upload_token);

-- Full-text indexes hold our own tokens (see internal/search): CJK bigrams
-- and normalised Latin words, space separated. Contentless: the text lives
-- in the tables above; rowid is the owning row's id.
CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, content='', contentless_delete=1, tokenize='ascii', prefix='1');
CREATE VIRTUAL TABLE user_fts USING fts5(doc, content='', contentless_delete=1, tokenize='ascii', prefix='1');
CREATE VIRTUAL TABLE organization_fts USING fts5(doc, content='', contentless_delete=1, tokenize='ascii', prefix='1');
