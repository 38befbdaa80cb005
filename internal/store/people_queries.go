package store

import "github.com/kizuna-desk/kizuna/internal/model"

// Queries for people and reference data beyond the basic CRUD in users.go,
// organizations.go, groups.go and brands.go.

// Identity returns one identity of a user.
func (t *Tx) Identity(userID, id int64) (*model.Identity, error) {
	i, err := scanIdentity(t.queryRow("SELECT "+identityCols+" FROM user_identities WHERE user_id = ? AND id = ?", userID, id))
	return i, t.wrap(err)
}

// SetPrimaryIdentity makes one identity the primary of its type for its user.
func (t *Tx) SetPrimaryIdentity(userID, id int64) error {
	i, err := t.Identity(userID, id)
	if err != nil {
		return err
	}
	if _, err := t.exec("UPDATE user_identities SET is_primary = ? WHERE user_id = ? AND type = ? AND id <> ?", false, userID, i.Type, id); err != nil {
		return err
	}
	return t.affectOne("UPDATE user_identities SET is_primary = ? WHERE id = ?", true, id)
}

// DeleteUserMemberships takes a user out of every group and clears their
// default group (a user who is no longer an agent, or is deleted).
func (t *Tx) DeleteUserMemberships(userID int64) error {
	if _, err := t.exec("DELETE FROM group_memberships WHERE user_id = ?", userID); err != nil {
		return err
	}
	_, err := t.exec("UPDATE users SET default_group_id = NULL WHERE id = ?", userID)
	return err
}

// DeleteGroupMemberships empties a group and clears it as anyone's default.
func (t *Tx) DeleteGroupMemberships(groupID int64) error {
	if _, err := t.exec("DELETE FROM group_memberships WHERE group_id = ?", groupID); err != nil {
		return err
	}
	_, err := t.exec("UPDATE users SET default_group_id = NULL WHERE default_group_id = ?", groupID)
	return err
}

// ClearDefaultGroup leaves a user without a default group.
func (t *Tx) ClearDefaultGroup(userID int64) error {
	_, err := t.exec("UPDATE users SET default_group_id = NULL WHERE id = ?", userID)
	return err
}

// ClearOtherDefaultGroups unsets the default flag on every group but keepID.
func (t *Tx) ClearOtherDefaultGroups(keepID int64) error {
	_, err := t.exec("UPDATE agent_groups SET is_default = ? WHERE id <> ? AND is_default = ?", false, keepID, true)
	return err
}

// ClearOtherDefaultBrands unsets the default flag on every brand but keepID.
func (t *Tx) ClearOtherDefaultBrands(keepID int64) error {
	_, err := t.exec("UPDATE brands SET is_default = ? WHERE id <> ? AND is_default = ?", false, keepID, true)
	return err
}

// TicketTagCountsPage returns ticket tags by decreasing use, one page at a time.
func (t *Tx) TicketTagCountsPage(offset, limit int) ([]TagCount, error) {
	return queryAll(t, func(sc scanner) (TagCount, error) {
		var c TagCount
		return c, sc.Scan(&c.Name, &c.Count)
	}, `SELECT tag, COUNT(*) FROM ticket_tags GROUP BY tag ORDER BY COUNT(*) DESC, tag LIMIT ? OFFSET ?`, limit, offset)
}

// CountTicketTags counts distinct ticket tags.
func (t *Tx) CountTicketTags() (int64, error) {
	return t.count("SELECT COUNT(DISTINCT tag) FROM ticket_tags")
}

// FieldSettings are a ticket field's portal and display attributes
// (ticket_field_settings); a field without a row has the zero value.
type FieldSettings struct {
	TitleInPortal      string
	VisibleInPortal    bool
	EditableInPortal   bool
	RequiredInPortal   bool
	CollapsedForAgents bool
	AgentDescription   string
	Key                string
}

// SaveFieldSettings writes a field's settings; ErrConflict if Key is taken.
func (t *Tx) SaveFieldSettings(fieldID int64, s FieldSettings) error {
	if _, err := t.exec("DELETE FROM ticket_field_settings WHERE field_id = ?", fieldID); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO ticket_field_settings (field_id, title_in_portal, visible_in_portal, editable_in_portal,
		required_in_portal, collapsed_for_agents, agent_description, field_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		fieldID, s.TitleInPortal, s.VisibleInPortal, s.EditableInPortal, s.RequiredInPortal, s.CollapsedForAgents,
		s.AgentDescription, nullStr(s.Key))
	return err
}

// FieldSettingsByID returns the settings of every field that has them.
func (t *Tx) FieldSettingsByID() (map[int64]FieldSettings, error) {
	type row struct {
		id int64
		s  FieldSettings
	}
	rows, err := queryAll(t, func(sc scanner) (row, error) {
		var (
			r   row
			key nullString
		)
		err := sc.Scan(&r.id, &r.s.TitleInPortal, &r.s.VisibleInPortal, &r.s.EditableInPortal, &r.s.RequiredInPortal,
			&r.s.CollapsedForAgents, &r.s.AgentDescription, &key)
		r.s.Key = key.String
		return r, err
	}, `SELECT field_id, title_in_portal, visible_in_portal, editable_in_portal, required_in_portal, collapsed_for_agents,
		agent_description, field_key FROM ticket_field_settings`)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]FieldSettings, len(rows))
	for _, r := range rows {
		out[r.id] = r.s
	}
	return out, nil
}
