-- One-click links from the ticket page's customer panel into the company's
-- own systems (CRM, admin tools): a name and a URL template with
-- {{email}}, {{phone}}, {{external_id}}, … filled in per customer.
CREATE TABLE customer_links (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  url_template TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
