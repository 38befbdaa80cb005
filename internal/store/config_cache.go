package store

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Configuration cache. Every ticket write reads the desk's configuration:
// the default brand, the business schedule, the SLA policies, the
// triggers, and every ticket shown needs the custom field definitions. Each read is a statement in the single SQLite writer's
// transaction (together about 9 % of its time per ticket created), and
// the configuration almost never changes. A change to any of those tables
// sets config_stamp to a new random value in its own transaction (SQL
// triggers, migration 0026), wherever it comes from: this process,
// another node on the same PostgreSQL, a command-line run.
//
// A value is cached under the stamp its transaction read before loading
// it, and served only to transactions reading the same stamp. A change
// rolled back leaves a stamp nobody will read again. The stamp is read
// once per transaction (once per group of writes on SQLite) and read again
// after the transaction itself writes a configuration table or rolls a
// savepoint back.

// configTables are the tables whose writes change config_stamp.
var configTables = map[string]bool{"brands": true, "business_schedules": true, "business_holidays": true,
	"sla_policies": true, "triggers": true, "ticket_fields": true}

const stampQuery = "SELECT stamp FROM config_stamp WHERE id = 1"

// configCache holds the values loaded under one stamp.
type configCache struct {
	mu    sync.Mutex
	stamp int64
	vals  map[string]any
	// credentials counts the commits in this process that changed a user
	// or an API token (CredentialsVersion).
	credentials atomic.Int64
}

func newConfigCache() *configCache { return &configCache{vals: map[string]any{}} }

// stampMemo is a transaction's reading of config_stamp; the writes of one
// SQLite group share it, as they share the transaction.
type stampMemo struct {
	stamp int64
	ok    bool
	// pending: a PostgreSQL write has queued a read of the stamp
	// (pipeline_postgres.go); a configuration write before it is sent
	// makes its answer stale, and it is then ignored.
	pending bool
}

// ConfigCached returns the value load returns for key, loaded once per
// configuration stamp. load must read only the configuration tables and
// its value must never be modified by anyone once returned.
func (t *Tx) ConfigCached(key string, load func() (any, error)) (any, error) {
	if t.cfg == nil {
		return load()
	}
	stamp, err := t.configStamp()
	if err != nil {
		return nil, err
	}
	c := t.cfg
	c.mu.Lock()
	v, ok := c.vals[key]
	hit := ok && c.stamp == stamp
	c.mu.Unlock()
	if hit {
		return v, nil
	}
	if v, err = load(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.stamp != stamp {
		c.stamp = stamp
		clear(c.vals)
	}
	c.vals[key] = v
	c.mu.Unlock()
	return v, nil
}

func (t *Tx) configStamp() (int64, error) {
	if t.stamp == nil {
		t.stamp = &stampMemo{}
	}
	if t.stamp.ok {
		return t.stamp.stamp, nil
	}
	if t.stamp.pending { // queued at the write's start: send it
		if err := t.flush(); err != nil {
			return 0, err
		}
		if t.stamp.ok {
			return t.stamp.stamp, nil
		}
	}
	s, err := t.int64Row(stampQuery)
	if err != nil {
		return 0, err
	}
	t.stamp.stamp, t.stamp.ok = s, true
	return s, nil
}

// forgetStamp makes the next configuration read ask for the stamp again.
func (t *Tx) forgetStamp() {
	if t.stamp != nil {
		t.stamp.ok, t.stamp.pending = false, false
	}
}

// noteStatement sees every statement before it runs. A write to tickets
// or audits counts for TicketWrites; a write to a configuration table
// forgets the stamp (its SQL trigger has just set a new one in this
// transaction); a change to a user or an API token moves
// CredentialsVersion once the transaction has committed.
func (t *Tx) noteStatement(query string) {
	table := writtenTable(query)
	switch {
	case table == "":
	case table == "tickets" || table == "audits":
		t.ticketWrites++
	case credentialTables[table]:
		t.credentialsChanged(query)
	case t.stamp != nil && (t.stamp.ok || t.stamp.pending) && configTables[table]:
		t.stamp.ok, t.stamp.pending = false, false
	}
}

// writtenTable is the table an INSERT, UPDATE, DELETE or REPLACE writes
// ("" for anything else), read from the statement's first words without
// allocating: it runs for every statement.
func writtenTable(q string) string {
	word := func() string {
		q = strings.TrimLeft(q, " \t\r\n")
		i := strings.IndexAny(q, " \t\r\n(")
		if i < 0 {
			i = len(q)
		}
		w := q[:i]
		q = q[i:]
		return w
	}
	first := word()
	switch {
	case strings.EqualFold(first, "UPDATE"):
		w := word()
		if strings.EqualFold(w, "OR") {
			word()
			w = word()
		}
		return strings.ToLower(strings.Trim(w, `"`))
	case strings.EqualFold(first, "DELETE"):
		word() // FROM
	case strings.EqualFold(first, "INSERT"), strings.EqualFold(first, "REPLACE"):
		for w := word(); w != "" && !strings.EqualFold(w, "INTO"); w = word() {
		} // OR REPLACE … INTO
	default:
		return ""
	}
	return strings.ToLower(strings.Trim(word(), `"`))
}
