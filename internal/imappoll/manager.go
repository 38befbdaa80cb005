package imappoll

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Manager runs one Poller per active IMAP inbox and follows inbox changes
// without a restart: it re-reads the inbox list periodically and starts,
// stops or restarts pollers whose settings changed.
type Manager struct {
	Store  store.Store
	Spool  Deliverer
	Open   func(sealed string) (string, error) // opens sealed passwords (secrets.Box.Open)
	Log    *slog.Logger
	Config Config

	mu      sync.Mutex
	running map[int64]*running
	bad     map[int64]string // settings already reported as unusable
	wg      sync.WaitGroup
}

type running struct {
	key    string
	cancel context.CancelFunc
}

// Run reloads the inbox list every Config.Reload until ctx ends, then stops every
// poller and waits for them.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(m.Config.withDefaults().Reload)
	defer t.Stop()
	for {
		if err := m.Reload(ctx); err != nil && ctx.Err() == nil {
			m.log().Error("IMAP: cannot read inboxes", "err", err)
		}
		select {
		case <-ctx.Done():
			m.stopAll()
			return nil
		case <-t.C:
		}
	}
}

// Reload brings the running pollers in line with the inboxes now stored.
func (m *Manager) Reload(ctx context.Context) error {
	var list []*model.Inbox
	if err := m.Store.Read(ctx, func(tx *store.Tx) (err error) { list, err = tx.Inboxes(); return }); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running == nil {
		m.running, m.bad = map[int64]*running{}, map[int64]string{}
	}
	want := map[int64]bool{}
	for _, ib := range list {
		if !IsIMAP(ib) {
			continue
		}
		want[ib.ID] = true
		key := settingsKey(ib)
		if r := m.running[ib.ID]; r != nil && r.key == key {
			continue
		} else if r != nil {
			r.cancel() // settings changed: restart with the new ones
			delete(m.running, ib.ID)
		}
		s, err := ParseSettings(ib, m.Open)
		if err != nil {
			if m.bad[ib.ID] != key {
				m.bad[ib.ID] = key
				m.log().Error("IMAP settings unusable; inbox not polled / IMAP 設定に誤りがあるため受信しません", "inbox_id", ib.ID, "err", err)
			}
			continue
		}
		delete(m.bad, ib.ID)
		pctx, cancel := context.WithCancel(ctx)
		m.running[ib.ID] = &running{key: key, cancel: cancel}
		p := &Poller{Inbox: ib, Settings: s, Store: m.Store, Spool: m.Spool, Log: m.log(), Config: m.Config}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			p.Run(pctx)
		}()
	}
	for id, r := range m.running {
		if !want[id] {
			r.cancel()
			delete(m.running, id)
		}
	}
	return nil
}

// Running lists the inboxes being polled, for tests and status pages.
func (m *Manager) Running() []int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []int64
	for id := range m.running {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (m *Manager) stopAll() {
	m.mu.Lock()
	for id, r := range m.running {
		r.cancel()
		delete(m.running, id)
	}
	m.mu.Unlock()
	m.wg.Wait()
}

func (m *Manager) log() *slog.Logger {
	if m.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Log
}

// settingsKey identifies the settings a poller was started with; the sealed
// password is included, so a new password restarts the poller.
func settingsKey(ib *model.Inbox) string {
	b, _ := json.Marshal(ib.Incoming) // map keys are sorted
	return string(b)
}
