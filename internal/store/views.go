package store

import (
	"strings"
	"time"
)

// View is a saved ticket filter with its columns and order (Zendesk's view).
type View struct {
	ID          int64
	Title       string
	RawTitle    string
	Description string
	Active      bool
	Position    int
	Conditions  ViewConditions
	Execution   ViewExecution
	// RestrictionType is "" (everyone), "Group" or "User"; RestrictionIDs
	// are the groups or the one user who may use the view.
	RestrictionType string
	RestrictionIDs  []int64
	DefaultKey      string // a shipped default's name; "" for views people made
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// ViewCondition is one condition in Zendesk's shape.
type ViewCondition struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// ViewConditions: every one of All and at least one of Any (when Any is
// not empty) must hold.
type ViewConditions struct {
	All []ViewCondition `json:"all"`
	Any []ViewCondition `json:"any"`
}

// ViewExecution is how a view shows its tickets. Columns are column names
// ("subject", "requester", …) or custom field ids in decimal.
type ViewExecution struct {
	GroupBy    string   `json:"group_by,omitempty"`
	GroupOrder string   `json:"group_order,omitempty"`
	SortBy     string   `json:"sort_by,omitempty"`
	SortOrder  string   `json:"sort_order,omitempty"`
	Columns    []string `json:"columns"`
}

// Personal reports whether the view belongs to one user.
func (v *View) Personal() bool { return v.RestrictionType == "User" }

const viewCols = "id, title, raw_title, description, active, position, conditions, execution, restriction_type, restriction_ids, default_key, created_at, updated_at"

func scanView(sc scanner) (*View, error) {
	var (
		v                  View
		conds, exec, restr string
		defKey             nullString
		created, updated   int64
	)
	err := sc.Scan(&v.ID, &v.Title, &v.RawTitle, &v.Description, &v.Active, &v.Position, &conds, &exec,
		&v.RestrictionType, &restr, &defKey, &created, &updated)
	v.Conditions = fromJSON[ViewConditions](conds)
	v.Execution = fromJSON[ViewExecution](exec)
	v.RestrictionIDs = fromJSON[[]int64](restr)
	v.DefaultKey = defKey.String
	v.CreatedAt, v.UpdatedAt = fromMS(created), fromMS(updated)
	return &v, err
}

func viewArgs(v *View) []any {
	ids := v.RestrictionIDs
	if ids == nil {
		ids = []int64{}
	}
	c := v.Conditions
	if c.All == nil {
		c.All = []ViewCondition{}
	}
	if c.Any == nil {
		c.Any = []ViewCondition{}
	}
	return []any{v.Title, v.RawTitle, v.Description, v.Active, v.Position, jsonText(c), jsonText(v.Execution),
		v.RestrictionType, jsonText(ids), nullStr(v.DefaultKey), ms(v.CreatedAt), ms(v.UpdatedAt)}
}

// InsertView stores a new view and sets its id.
func (t *Tx) InsertView(v *View) error {
	id, err := t.insert("INSERT INTO views (title, raw_title, description, active, position, conditions, execution, restriction_type, restriction_ids, default_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		viewArgs(v)...)
	v.ID = id
	return err
}

// UpdateView rewrites a view.
func (t *Tx) UpdateView(v *View) error {
	return t.affectOne("UPDATE views SET title = ?, raw_title = ?, description = ?, active = ?, position = ?, conditions = ?, execution = ?, restriction_type = ?, restriction_ids = ?, default_key = ?, created_at = ?, updated_at = ? WHERE id = ?",
		append(viewArgs(v), v.ID)...)
}

// DeleteView removes a view.
func (t *Tx) DeleteView(id int64) error {
	return t.affectOne("DELETE FROM views WHERE id = ?", id)
}

// View returns one view.
func (t *Tx) View(id int64) (*View, error) {
	v, err := scanView(t.queryRow("SELECT "+viewCols+" FROM views WHERE id = ?", id))
	return v, t.wrap(err)
}

// ViewByDefaultKey returns the shipped default view with that key.
func (t *Tx) ViewByDefaultKey(key string) (*View, error) {
	v, err := scanView(t.queryRow("SELECT "+viewCols+" FROM views WHERE default_key = ?", key))
	return v, t.wrap(err)
}

// Views lists every view in position order. A desk has hundreds at most,
// so visibility is decided by the caller over the whole list.
func (t *Tx) Views() ([]*View, error) {
	return queryAll(t, scanView, "SELECT "+viewCols+" FROM views ORDER BY position, id")
}

// MaxViewPosition is the highest position in use (0 when there are none).
func (t *Tx) MaxViewPosition() (int, error) {
	n, err := t.count("SELECT COALESCE(MAX(position), 0) FROM views")
	return int(n), err
}

// NameLookup returns id → name for users, groups, organizations or brands,
// to fill view rows' columns without a join per row.
func (t *Tx) NameLookup(kind string, ids []int64) (map[int64]string, error) {
	table := map[string]string{"users": "users", "groups": "agent_groups", "organizations": "organizations", "brands": "brands"}[kind]
	out := map[int64]string{}
	if table == "" || len(ids) == 0 {
		return out, nil
	}
	type pair struct {
		id   int64
		name string
	}
	rows, err := queryAll(t, func(sc scanner) (pair, error) {
		var p pair
		err := sc.Scan(&p.id, &p.name)
		return p, err
	}, "SELECT id, name FROM "+table+" WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	for _, p := range rows {
		out[p.id] = strings.TrimSpace(p.name)
	}
	return out, err
}

// UserGroupIDs lists the groups a user belongs to.
func (t *Tx) UserGroupIDs(userID int64) ([]int64, error) {
	return queryAll(t, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, "SELECT group_id FROM group_memberships WHERE user_id = ? ORDER BY group_id", userID)
}
