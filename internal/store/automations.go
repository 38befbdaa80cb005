package store

import (
	"database/sql"
	"errors"
	"time"
)

// Automation is a stored time-based rule. Conditions and actions stay JSON
// text here (Zendesk's shapes); internal/automations parses and checks them.
type Automation struct {
	ID         int64
	Title      string
	Active     bool
	Position   int64
	Conditions string // {"all":[…],"any":[…]}
	Actions    string // [{"field":…,"value":…}]
	Default    bool
	DefaultKey string // names a shipped automation; "" for the desk's own
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const automationCols = `id, title, active, position, conditions, actions, is_default, default_key, created_at, updated_at`

func scanAutomation(sc scanner) (*Automation, error) {
	var (
		a                Automation
		key              sql.NullString
		created, updated int64
	)
	if err := sc.Scan(&a.ID, &a.Title, &a.Active, &a.Position, &a.Conditions, &a.Actions, &a.Default, &key, &created, &updated); err != nil {
		return nil, err
	}
	a.DefaultKey, a.CreatedAt, a.UpdatedAt = key.String, fromMS(created), fromMS(updated)
	return &a, nil
}

// AutomationFilter narrows ListAutomations; zero values match everything.
type AutomationFilter struct {
	Active *bool
	IDs    []int64
	Sort   string // position (default), title, created_at, updated_at
	Desc   bool
}

func (f AutomationFilter) where() (string, []any) {
	w := &where{}
	if f.Active != nil {
		w.add("active = ?", *f.Active)
	}
	if len(f.IDs) > 0 {
		w.add("id IN ("+placeholders(len(f.IDs))+")", int64Args(f.IDs)...)
	}
	return w.sql(), w.args
}

// ListAutomations returns automations in the asked order, ids breaking ties.
func (t *Tx) ListAutomations(f AutomationFilter) ([]*Automation, error) {
	order := "position"
	switch f.Sort {
	case "title", "created_at", "updated_at":
		order = f.Sort
	}
	dir := ""
	if f.Desc {
		dir = " DESC"
	}
	w, args := f.where()
	return queryAll(t, scanAutomation, "SELECT "+automationCols+" FROM automations"+w+" ORDER BY "+order+dir+", id"+dir, args...)
}

// Automation loads one automation.
func (t *Tx) Automation(id int64) (*Automation, error) {
	a, err := scanAutomation(t.queryRow("SELECT "+automationCols+" FROM automations WHERE id = ?", id))
	return a, t.wrap(err)
}

// InsertAutomation stores a new automation and sets its ID.
func (t *Tx) InsertAutomation(a *Automation) error {
	id, err := t.insert(`INSERT INTO automations (title, active, position, conditions, actions, is_default, default_key, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Title, a.Active, a.Position, a.Conditions, a.Actions, a.Default, nullStr(a.DefaultKey),
		ms(a.CreatedAt), ms(a.UpdatedAt))
	a.ID = id
	return err
}

// UpdateAutomation writes every column of a.
func (t *Tx) UpdateAutomation(a *Automation) error {
	res, err := t.exec(`UPDATE automations SET title = ?, active = ?, position = ?, conditions = ?, actions = ?, updated_at = ? WHERE id = ?`,
		a.Title, a.Active, a.Position, a.Conditions, a.Actions, ms(a.UpdatedAt), a.ID)
	return affectedOne(res, err)
}

// DeleteAutomation removes an automation and its firing records.
func (t *Tx) DeleteAutomation(id int64) error {
	res, err := t.exec(`DELETE FROM automations WHERE id = ?`, id)
	if err := affectedOne(res, err); err != nil {
		return err
	}
	_, err = t.exec(`DELETE FROM automation_fires WHERE automation_id = ?`, id)
	return err
}

// MaxAutomationPosition is the highest position in use (0 when none), so a
// new automation goes last, as in Zendesk.
func (t *Tx) MaxAutomationPosition() (int64, error) {
	return t.count(`SELECT COALESCE(MAX(position), 0) FROM automations`)
}

// AutomationSetting reads a setting of the automations area ("" if unset).
func (t *Tx) AutomationSetting(name string) (string, error) {
	var v string
	err := t.queryRow(`SELECT value FROM automation_settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, t.wrap(err)
}

// SetAutomationSetting writes a setting of the automations area.
func (t *Tx) SetAutomationSetting(name, value string) error {
	_, err := t.exec(`INSERT INTO automation_settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}

func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
