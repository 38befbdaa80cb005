package store

import "strings"

// Credentials version. Callers that keep what a credential lookup
// returned (auth's API token cache) must drop it when a user or an API
// token changes. A plain INSERT makes a new row that no lookup has seen
// yet, so only other writes count: a ticket from a new requester, the most
// common write of all, leaves cached lookups alone.

// credentialTables are the tables a credential lookup reads.
var credentialTables = map[string]bool{"users": true, "api_tokens": true}

// CredentialsVersion changes after every commit in this process that
// updated or deleted a user or an API token. A value loaded after reading
// version v is current while the version is still v. Changes made by other
// processes (another node on the same PostgreSQL, a command-line run) do
// not move it: a cache must also bound how long it serves a value.
func (db *DB) CredentialsVersion() int64 { return db.cfg.credentials.Load() }

// credentialsChanged moves the version once t has committed. Moving it
// after the commit, with readers reading the version before they look up,
// means a value read before the commit is never taken as current after it.
// A bulk load's Tx has no cfg; bulk loads (the seed) only insert.
func (t *Tx) credentialsChanged(query string) {
	if t.credentials || t.cfg == nil || plainInsert(query) {
		return
	}
	t.credentials = true
	c := t.cfg
	t.AfterCommit(func() { c.credentials.Add(1) })
}

// plainInsert reports an INSERT that can only add rows: not INSERT OR
// REPLACE, not an upsert.
func plainInsert(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n")
	if len(q) < 7 || !strings.EqualFold(q[:7], "INSERT ") {
		return false
	}
	u := strings.ToUpper(q)
	return !strings.Contains(u, "ON CONFLICT") && !strings.HasPrefix(strings.TrimLeft(u[7:], " "), "OR ")
}
