package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Queries behind Zendesk-style search (package finder and /api/v2/search):
// name look-ups for filters such as assignee:山田, and user/organization
// listings with a chosen order and keyset pages.

// UserIDsByName returns users named name (ignoring case), or, when nobody
// has exactly that name, users whose name contains it; at most limit.
func (t *Tx) UserIDsByName(name string, limit int) ([]int64, error) {
	return t.idsByName("users", "name", "", name, limit)
}

// GroupIDsByName is UserIDsByName for live groups.
func (t *Tx) GroupIDsByName(name string, limit int) ([]int64, error) {
	return t.idsByName("agent_groups", "name", "deleted = ?", name, limit, false)
}

// OrganizationIDsByName is UserIDsByName for organizations.
func (t *Tx) OrganizationIDsByName(name string, limit int) ([]int64, error) {
	return t.idsByName("organizations", "name_key", "", name, limit)
}

// BrandIDsByName is UserIDsByName for brands.
func (t *Tx) BrandIDsByName(name string, limit int) ([]int64, error) {
	return t.idsByName("brands", "name", "", name, limit)
}

// idsByName prefers an exact match so that group:サポート does not also pick
// "サポート二次対応" when a group called サポート exists.
func (t *Tx) idsByName(table, col, extra, name string, limit int, extraArgs ...any) ([]int64, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		return nil, nil
	}
	cond := ""
	if extra != "" {
		cond = " AND " + extra
	}
	scan := func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}
	run := func(match string, arg any) ([]int64, error) {
		args := append(append([]any{arg}, extraArgs...), limit)
		return queryAll(t, scan, "SELECT id FROM "+table+" WHERE LOWER("+col+") "+match+cond+" ORDER BY id LIMIT ?", args...)
	}
	ids, err := run("= ?", key)
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	return run(`LIKE ? ESCAPE '\'`, "%"+likeEscape(key)+"%")
}

// likeEscape makes % and _ in s match literally in a LIKE … ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SearchUsers returns one page of users matching f. Order fields: id,
// created_at, updated_at, or relevance (best text match first; newest first
// when f has no text). Page.After needs a keyset field (not relevance).
func (t *Tx) SearchUsers(f UserFilter, o TicketOrder, p Page) ([]*model.User, error) {
	w := t.userWhere(f)
	q, args, err := recordPageSQL("u", "users", userCols, w, o, p)
	if err != nil {
		return nil, err
	}
	return queryAll(t, scanUser, q, args...)
}

// SearchOrganizations is SearchUsers for organizations, domains included.
func (t *Tx) SearchOrganizations(f OrgFilter, o TicketOrder, p Page) ([]*model.Organization, error) {
	w := t.orgWhere(f)
	q, args, err := recordPageSQL("o", "organizations", orgCols, w, o, p)
	if err != nil {
		return nil, err
	}
	orgs, err := queryAll(t, scanOrg, q, args...)
	if err != nil {
		return nil, err
	}
	return orgs, t.loadDomains(orgs)
}

func recordPageSQL(alias, table, cols string, w *where, o TicketOrder, p Page) (string, []any, error) {
	dir := " ASC"
	if o.Desc {
		dir = " DESC"
	}
	var order string
	switch o.Field {
	case "relevance":
		if w.join != "" {
			if p.After != nil {
				return "", nil, fmt.Errorf("relevance order cannot be paged with a cursor")
			}
			order = "fs.rank DESC, " + alias + ".id DESC"
			break
		}
		o = TicketOrder{Field: "updated_at", Desc: true}
		dir = " DESC"
		fallthrough
	case "id", "created_at", "updated_at":
		col := alias + "." + o.Field
		order = col + dir
		if o.Field != "id" {
			order += ", " + alias + ".id" + dir
		}
		if p.After != nil {
			op := ">"
			if o.Desc {
				op = "<"
			}
			w.add(fmt.Sprintf("(%s %s ? OR (%s = ? AND %s.id %s ?))", col, op, col, alias, op), p.After.Value, p.After.Value, p.After.ID)
		}
	default:
		return "", nil, fmt.Errorf("cannot sort %s by %q", table, o.Field)
	}
	q := "SELECT " + cols + " FROM " + table + " " + alias + w.join + w.sql() + " ORDER BY " + order
	args := append(append([]any{}, w.joinArgs...), w.args...)
	if p.Limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, p.Limit, p.Offset)
	}
	return q, args, nil
}

// RecordCursor is CursorFor for users and organizations.
func RecordCursor(id int64, created, updated time.Time, field string) Cursor {
	switch field {
	case "created_at":
		return Cursor{Value: ms(created), ID: id}
	case "updated_at":
		return Cursor{Value: ms(updated), ID: id}
	}
	return Cursor{Value: id, ID: id}
}
