package store

import (
	"context"
	"errors"
)

var errLivePayload = errors.New("store: live payload too large")

// Live events between nodes. Several `kizuna serve` nodes on one
// PostgreSQL database tell each other about ticket changes and presence
// (who is viewing or replying) so that every open page sees them, whichever
// node it is connected to. PostgreSQL carries them with NOTIFY/LISTEN; the
// embedded SQLite database has one node, so there is nothing to carry.

// MaxLivePayload is the largest payload Publish takes (PostgreSQL's NOTIFY
// limit is 8000 bytes).
const MaxLivePayload = 7900

// Publish sends payload to the Subscribe callbacks of every node on this
// database (the sender's own included).
func (db *DB) Publish(ctx context.Context, channel string, payload []byte) error {
	if len(payload) > MaxLivePayload {
		return errLivePayload
	}
	return db.d.notify(ctx, db.writer, channel+"_"+db.liveScope, string(payload))
}

// Subscribe calls fn with every payload published on channel until ctx
// ends, reconnecting after a lost connection. Payloads published while it
// was reconnecting are lost: live events are hints to reload, not records.
func (db *DB) Subscribe(ctx context.Context, channel string, fn func(payload []byte)) error {
	return db.d.listen(ctx, db.writer, channel+"_"+db.liveScope, func(s string) { fn([]byte(s)) })
}

// Clustered reports whether other nodes may share this database.
func (db *DB) Clustered() bool { return db.d.clustered() }
