package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TriggerRow is a stored trigger; Conditions and Actions are the JSON the
// rules package reads (the store does not interpret them).
type TriggerRow struct {
	ID          int64
	Title       string
	RawTitle    string
	Description string
	Active      bool
	Position    int64
	Default     bool
	CategoryID  string
	Conditions  string
	Actions     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const triggerCols = "id, title, raw_title, description, active, position, is_default, category_id, conditions, actions, created_at, updated_at"

func scanTrigger(sc scanner) (*TriggerRow, error) {
	var (
		r                TriggerRow
		created, updated int64
	)
	err := sc.Scan(&r.ID, &r.Title, &r.RawTitle, &r.Description, &r.Active, &r.Position, &r.Default, &r.CategoryID,
		&r.Conditions, &r.Actions, &created, &updated)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, err
}

// InsertTrigger stores a new trigger.
func (t *Tx) InsertTrigger(r *TriggerRow) error {
	id, err := t.insert(`INSERT INTO triggers (title, raw_title, description, active, position, is_default, category_id, conditions, actions, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Title, r.RawTitle, r.Description, r.Active, r.Position, r.Default, r.CategoryID,
		r.Conditions, r.Actions, ms(r.CreatedAt), ms(r.UpdatedAt))
	r.ID = id
	return err
}

// UpdateTrigger rewrites a trigger.
func (t *Tx) UpdateTrigger(r *TriggerRow) error {
	return t.affectOne(`UPDATE triggers SET title = ?, raw_title = ?, description = ?, active = ?, position = ?, is_default = ?, category_id = ?,
		conditions = ?, actions = ?, updated_at = ? WHERE id = ?`, r.Title, r.RawTitle, r.Description, r.Active, r.Position, r.Default,
		r.CategoryID, r.Conditions, r.Actions, ms(r.UpdatedAt), r.ID)
}

// DeleteTrigger removes a trigger.
func (t *Tx) DeleteTrigger(id int64) error {
	return t.affectOne("DELETE FROM triggers WHERE id = ?", id)
}

// Trigger returns one trigger.
func (t *Tx) Trigger(id int64) (*TriggerRow, error) {
	r, err := scanTrigger(t.queryRow("SELECT "+triggerCols+" FROM triggers WHERE id = ?", id))
	return r, t.wrap(err)
}

// TriggerFilter selects triggers for the list and search endpoints.
type TriggerFilter struct {
	Active     *bool
	CategoryID string
	Query      string // in the title, case-insensitive
}

func triggerWhere(f TriggerFilter) *where {
	w := &where{}
	if f.Active != nil {
		w.add("active = ?", *f.Active)
	}
	if f.CategoryID != "" {
		w.add("category_id = ?", f.CategoryID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		w.add("LOWER(title) LIKE ? ESCAPE '\\'", "%"+likeEscape(strings.ToLower(q))+"%")
	}
	return w
}

// triggerOrder maps Zendesk's sort_by to columns; position by default.
var triggerOrder = map[string]string{
	"": "position", "position": "position", "alphabetical": "title", "title": "title",
	"created_at": "created_at", "updated_at": "updated_at", "usage_1h": "position", "usage_24h": "position", "usage_7d": "position", "usage_30d": "position",
}

// ListTriggers returns a page of triggers.
func (t *Tx) ListTriggers(f TriggerFilter, sortBy string, desc bool, offset, limit int) ([]*TriggerRow, error) {
	col, ok := triggerOrder[sortBy]
	if !ok {
		return nil, fmt.Errorf("store: bad trigger order %q", sortBy)
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	w := triggerWhere(f)
	return queryAll(t, scanTrigger, "SELECT "+triggerCols+" FROM triggers"+w.sql()+" ORDER BY "+col+dir+", id"+dir+" LIMIT ? OFFSET ?",
		append(w.args, limit, offset)...)
}

// CountTriggers counts the triggers f selects.
func (t *Tx) CountTriggers(f TriggerFilter) (int64, error) {
	w := triggerWhere(f)
	return t.count("SELECT COUNT(*) FROM triggers"+w.sql(), w.args...)
}

// ActiveTriggers lists the active triggers in firing order.
func (t *Tx) ActiveTriggers() ([]*TriggerRow, error) {
	return queryAll(t, scanTrigger, "SELECT "+triggerCols+" FROM triggers WHERE active = ? ORDER BY position, id", true)
}

// TriggerStamp tells a node whether its cached triggers are still current,
// whichever node made the last change: config_stamp gets a new value in
// every transaction that changes a trigger (config_cache.go).
func (t *Tx) TriggerStamp() (string, error) {
	s, err := t.configStamp()
	return "config:" + strconv.FormatInt(s, 10), err
}

// MaxTriggerPosition is the highest position in use (0 with no trigger).
func (t *Tx) MaxTriggerPosition() (int64, error) {
	return t.count("SELECT COALESCE(MAX(position), 0) FROM triggers")
}
