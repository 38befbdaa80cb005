package auth

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// API token cache. Every API request looks its token up: on SQLite a read
// transaction (46 µs of CPU under load, 120 µs for a lone client, whose
// reader finds its page cache reset by each commit), on PostgreSQL a round
// trip. A user loaded for a token is served again while nothing in this
// process has changed a user or an API token since
// (store.Store.CredentialsVersion), so a revoked token, a suspended user
// or a new role takes effect at once here. Changes made elsewhere (another
// node on the same PostgreSQL, a command-line run on the same data) are
// seen within tokenCacheTTL.

const (
	tokenCacheTTL = 2 * time.Second
	// tokenCacheMax bounds the memory a stream of distinct tokens can
	// take; past it the cache starts over.
	tokenCacheMax = 4096
)

type tokenCache struct {
	mu sync.Mutex
	m  map[string]tokenEntry // by token hash
}

type tokenEntry struct {
	user    *model.User
	version int64 // CredentialsVersion read before the lookup
	at      time.Time
}

// get returns a copy of the user cached for hash, or nil.
func (c *tokenCache) get(hash string, version int64, now time.Time) *model.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok {
		return nil
	}
	if e.version != version || now.Sub(e.at) >= tokenCacheTTL || now.Before(e.at) {
		delete(c.m, hash)
		return nil
	}
	return cloneUser(e.user)
}

// put caches u, looked up after reading version, for hash.
func (c *tokenCache) put(hash string, u *model.User, version int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= tokenCacheMax {
		c.m = make(map[string]tokenEntry)
	}
	c.m[hash] = tokenEntry{user: cloneUser(u), version: version, at: now}
}

// cloneUser copies u so that a caller changing its user changes nobody
// else's.
func cloneUser(u *model.User) *model.User {
	c := *u
	c.Tags = slices.Clone(u.Tags)
	c.Fields = maps.Clone(u.Fields)
	return &c
}
