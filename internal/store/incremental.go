package store

import "github.com/kizuna-desk/kizuna/internal/model"

// Incremental exports walk records in (updated_at, id) order. A cursor holds
// the last (updated_at in ms, id) seen, so records sharing one updated_at are
// neither skipped nor repeated across pages; until (ms, exclusive) keeps out
// writes too recent to be safely ordered (see api/incremental.go).

// TicketsChangedSince lists tickets after the cursor and updated before
// until, soft-deleted ones included unless excludeDeleted.
func (t *Tx) TicketsChangedSince(after Cursor, until int64, limit int, excludeDeleted bool) ([]*model.Ticket, error) {
	q := "SELECT " + ticketCols + " FROM tickets t WHERE (t.updated_at, t.id) > (?, ?) AND t.updated_at < ?"
	if excludeDeleted {
		q += " AND t.deleted_at IS NULL"
	}
	return queryAll(t, scanTicket, q+" ORDER BY t.updated_at, t.id LIMIT ?", after.Value, after.ID, until, limit)
}

// UsersChangedSince is TicketsChangedSince for users.
func (t *Tx) UsersChangedSince(after Cursor, until int64, limit int) ([]*model.User, error) {
	return queryAll(t, scanUser, "SELECT "+userCols+" FROM users u WHERE (u.updated_at, u.id) > (?, ?) AND u.updated_at < ? ORDER BY u.updated_at, u.id LIMIT ?",
		after.Value, after.ID, until, limit)
}

// OrganizationsChangedSince is TicketsChangedSince for organizations.
func (t *Tx) OrganizationsChangedSince(after Cursor, until int64, limit int) ([]*model.Organization, error) {
	orgs, err := queryAll(t, scanOrg, "SELECT "+orgCols+" FROM organizations o WHERE (o.updated_at, o.id) > (?, ?) AND o.updated_at < ? ORDER BY o.updated_at, o.id LIMIT ?",
		after.Value, after.ID, until, limit)
	if err != nil {
		return nil, err
	}
	return orgs, t.loadDomains(orgs)
}
