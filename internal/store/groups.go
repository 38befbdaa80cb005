package store

import "github.com/kizuna-desk/kizuna/internal/model"

const groupCols = "id, name, description, is_default, deleted, created_at, updated_at"

func scanGroup(sc scanner) (*model.Group, error) {
	var (
		g                model.Group
		created, updated int64
	)
	err := sc.Scan(&g.ID, &g.Name, &g.Description, &g.Default, &g.Deleted, &created, &updated)
	g.CreatedAt, g.UpdatedAt = fromMS(created), fromMS(updated)
	return &g, err
}

// InsertGroup stores a new group.
func (t *Tx) InsertGroup(g *model.Group) error {
	id, err := t.insert("INSERT INTO agent_groups (name, description, is_default, deleted, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		g.Name, g.Description, g.Default, g.Deleted, ms(g.CreatedAt), ms(g.UpdatedAt))
	g.ID = id
	return err
}

// UpdateGroup rewrites a group.
func (t *Tx) UpdateGroup(g *model.Group) error {
	return t.affectOne("UPDATE agent_groups SET name = ?, description = ?, is_default = ?, deleted = ?, updated_at = ? WHERE id = ?",
		g.Name, g.Description, g.Default, g.Deleted, ms(g.UpdatedAt), g.ID)
}

// Group returns one group, deleted ones included.
func (t *Tx) Group(id int64) (*model.Group, error) {
	g, err := scanGroup(t.queryRow("SELECT "+groupCols+" FROM agent_groups WHERE id = ?", id))
	return g, t.wrap(err)
}

// GroupByName finds a live group by exact name.
func (t *Tx) GroupByName(name string) (*model.Group, error) {
	g, err := scanGroup(t.queryRow("SELECT "+groupCols+" FROM agent_groups WHERE name = ? AND deleted = ? ORDER BY id LIMIT 1", name, false))
	return g, t.wrap(err)
}

// Groups lists groups by id; deleted ones only when asked.
func (t *Tx) Groups(includeDeleted bool) ([]*model.Group, error) {
	if includeDeleted {
		return queryAll(t, scanGroup, "SELECT "+groupCols+" FROM agent_groups ORDER BY id")
	}
	return queryAll(t, scanGroup, "SELECT "+groupCols+" FROM agent_groups WHERE deleted = ? ORDER BY id", false)
}

const membershipCols = "id, user_id, group_id, is_default, created_at, updated_at"

func scanMembership(sc scanner) (*model.GroupMembership, error) {
	var (
		m                model.GroupMembership
		created, updated int64
	)
	err := sc.Scan(&m.ID, &m.UserID, &m.GroupID, &m.Default, &created, &updated)
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return &m, err
}

// InsertMembership puts a user in a group; ErrConflict if already there.
func (t *Tx) InsertMembership(m *model.GroupMembership) error {
	id, err := t.insert("INSERT INTO group_memberships (user_id, group_id, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		m.UserID, m.GroupID, m.Default, ms(m.CreatedAt), ms(m.UpdatedAt))
	m.ID = id
	return err
}

// Membership returns one membership.
func (t *Tx) Membership(id int64) (*model.GroupMembership, error) {
	m, err := scanMembership(t.queryRow("SELECT "+membershipCols+" FROM group_memberships WHERE id = ?", id))
	return m, t.wrap(err)
}

// DeleteMembership removes a user from a group.
func (t *Tx) DeleteMembership(id int64) error {
	return t.affectOne("DELETE FROM group_memberships WHERE id = ?", id)
}

// SetDefaultMembership makes one membership the user's default and clears
// the flag on the others.
func (t *Tx) SetDefaultMembership(userID, id int64) error {
	if _, err := t.exec("UPDATE group_memberships SET is_default = (id = ?) WHERE user_id = ?", id, userID); err != nil {
		return err
	}
	var gid int64
	if err := t.queryRow("SELECT group_id FROM group_memberships WHERE id = ?", id).Scan(&gid); err != nil {
		return t.wrap(err)
	}
	_, err := t.exec("UPDATE users SET default_group_id = ? WHERE id = ?", gid, userID)
	return err
}

// Memberships lists memberships, filtered by user and/or group when non-zero.
func (t *Tx) Memberships(userID, groupID int64) ([]*model.GroupMembership, error) {
	w := &where{}
	if userID != 0 {
		w.add("user_id = ?", userID)
	}
	if groupID != 0 {
		w.add("group_id = ?", groupID)
	}
	return queryAll(t, scanMembership, "SELECT "+membershipCols+" FROM group_memberships"+w.sql()+" ORDER BY id", w.args...)
}

// IsGroupMember reports whether a user belongs to a group.
func (t *Tx) IsGroupMember(userID, groupID int64) (bool, error) {
	n, err := t.count("SELECT COUNT(*) FROM group_memberships WHERE user_id = ? AND group_id = ?", userID, groupID)
	return n > 0, err
}

// affectOne runs a write that must touch exactly one row.
func (t *Tx) affectOne(query string, args ...any) error {
	res, err := t.exec(query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
