package store

import (
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Macro is a saved reply with ticket actions (Zendesk's macro). The macros
// package validates and applies it; the store only keeps it.
type Macro struct {
	ID          int64
	Title       string
	Description string
	Active      bool
	Position    int64
	Actions     []MacroAction
	// RestrictionType is "" (shared with every agent), "Group" (members of
	// RestrictionIDs) or "User" (personal: RestrictionIDs holds the owner).
	RestrictionType string
	RestrictionIDs  []int64
	SearchText      string // normalized title and description
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// MacroAction is one {"field": …, "value": …} of a macro.
type MacroAction struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// MacroUsage is how often a macro was used in each window.
type MacroUsage struct{ H1, H24, D7, D30 int64 }

const macroCols = "id, title, description, active, position, actions, restriction_type, restriction_ids, search_text, created_at, updated_at"

func scanMacro(sc scanner) (*Macro, error) {
	var (
		m                Macro
		actions, ids     string
		created, updated int64
	)
	err := sc.Scan(&m.ID, &m.Title, &m.Description, &m.Active, &m.Position, &actions, &m.RestrictionType, &ids,
		&m.SearchText, &created, &updated)
	m.Actions = fromJSON[[]MacroAction](actions)
	if m.Actions == nil {
		m.Actions = []MacroAction{}
	}
	m.RestrictionIDs = fromJSON[[]int64](ids)
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return &m, err
}

func macroIDs(ids []int64) string {
	if ids == nil {
		return "[]"
	}
	return jsonText(ids)
}

// InsertMacro stores a new macro and sets its id.
func (t *Tx) InsertMacro(m *Macro) error {
	id, err := t.insert("INSERT INTO macros (title, description, active, position, actions, restriction_type, restriction_ids, search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		m.Title, m.Description, m.Active, m.Position, jsonText(m.Actions), m.RestrictionType, macroIDs(m.RestrictionIDs),
		m.SearchText, ms(m.CreatedAt), ms(m.UpdatedAt))
	m.ID = id
	return err
}

// UpdateMacro rewrites a macro.
func (t *Tx) UpdateMacro(m *Macro) error {
	return t.affectOne("UPDATE macros SET title = ?, description = ?, active = ?, position = ?, actions = ?, restriction_type = ?, restriction_ids = ?, search_text = ?, updated_at = ? WHERE id = ?",
		m.Title, m.Description, m.Active, m.Position, jsonText(m.Actions), m.RestrictionType, macroIDs(m.RestrictionIDs),
		m.SearchText, ms(m.UpdatedAt), m.ID)
}

// DeleteMacro removes a macro and its usage counts.
func (t *Tx) DeleteMacro(id int64) error {
	if _, err := t.exec("DELETE FROM macro_usage WHERE macro_id = ?", id); err != nil {
		return err
	}
	return t.affectOne("DELETE FROM macros WHERE id = ?", id)
}

// Macro returns one macro.
func (t *Tx) Macro(id int64) (*Macro, error) {
	m, err := scanMacro(t.queryRow("SELECT "+macroCols+" FROM macros WHERE id = ?", id))
	return m, t.wrap(err)
}

// MacroFilter narrows Macros: Active (nil for both), and Contains, words
// that must all occur in SearchText (already normalized by the caller).
type MacroFilter struct {
	Active   *bool
	Contains []string
}

// Macros returns the macros matching f by position, then id. Desks keep
// hundreds, not millions, so callers check visibility in memory; the text
// filter runs here so a search decodes only the macros that match.
func (t *Tx) Macros(f MacroFilter) ([]*Macro, error) {
	q := "SELECT " + macroCols + " FROM macros WHERE 1 = 1"
	var args []any
	if f.Active != nil {
		q += " AND active = ?"
		args = append(args, *f.Active)
	}
	for _, w := range f.Contains {
		q += ` AND search_text LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(w)+"%")
	}
	return queryAll(t, scanMacro, q+" ORDER BY position, id", args...)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// MaxMacroPosition is the highest position in use (0 with no macros).
func (t *Tx) MaxMacroPosition() (int64, error) {
	return t.count("SELECT COALESCE(MAX(position), 0) FROM macros")
}

// macroUsageKeep is how long hourly counts are kept: the widest window
// (30 days) plus a day.
const macroUsageKeep = 31 * 24

// RecordMacroUse counts one use of a macro in the hour of at and drops the
// macro's counts that have left every window.
func (t *Tx) RecordMacroUse(id int64, at time.Time) error {
	hour := at.Unix() / 3600
	if _, err := t.exec(`INSERT INTO macro_usage (macro_id, hour, uses) VALUES (?, ?, 1)
		ON CONFLICT (macro_id, hour) DO UPDATE SET uses = macro_usage.uses + 1`, id, hour); err != nil {
		return err
	}
	_, err := t.exec("DELETE FROM macro_usage WHERE macro_id = ? AND hour < ?", id, hour-macroUsageKeep)
	return err
}

// MacroUsages sums every macro's uses over the last hour (the current and
// previous clock hour), 24 hours, 7 days and 30 days before now.
func (t *Tx) MacroUsages(now time.Time) (map[int64]MacroUsage, error) {
	h := now.Unix() / 3600
	rows, err := t.query(`SELECT macro_id,
		CAST(SUM(CASE WHEN hour >= ? THEN uses ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN hour >= ? THEN uses ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN hour >= ? THEN uses ELSE 0 END) AS BIGINT),
		CAST(SUM(uses) AS BIGINT)
		FROM macro_usage WHERE hour >= ? AND hour <= ? GROUP BY macro_id`, h-1, h-23, h-7*24+1, h-30*24+1, h)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]MacroUsage{}
	for rows.Next() {
		var id int64
		var u MacroUsage
		if err := rows.Scan(&id, &u.H1, &u.H24, &u.D7, &u.D30); err != nil {
			return nil, err
		}
		out[id] = u
	}
	return out, rows.Err()
}

// GroupIDsOf returns the ids of the groups a user belongs to.
func (t *Tx) GroupIDsOf(userID int64) (map[int64]bool, error) {
	rows, err := t.query("SELECT group_id FROM group_memberships WHERE user_id = ?", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// MacroAssignees lists active agents and admins by name, the people a
// macro's assignee action may name.
func (t *Tx) MacroAssignees(limit int) ([]*model.User, error) {
	return queryAll(t, scanUser, "SELECT "+userCols+" FROM users u WHERE u.role IN (?, ?) AND u.active = ? ORDER BY u.name, u.id LIMIT ?",
		model.RoleAgent, model.RoleAdmin, true, limit)
}
