package store

import (
	"errors"
	"slices"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
)

const userCols = `u.id, u.name, u.email, u.role, u.locale, u.time_zone, u.phone, u.external_id, u.organization_id,
	u.default_group_id, u.alias, u.signature, u.details, u.notes, u.tags, u.fields, u.active, u.suspended,
	u.verified, u.password_hash, u.created_at, u.updated_at, u.last_login_at, u.approval_required`

func scanUser(sc scanner) (*model.User, error) {
	var (
		u                 model.User
		email, extID      nullString
		org, group, login nullInt
		tags, fields      string
		created, updated  int64
	)
	err := sc.Scan(&u.ID, &u.Name, &email, &u.Role, &u.Locale, &u.TimeZone, &u.Phone, &extID, &org,
		&group, &u.Alias, &u.Signature, &u.Details, &u.Notes, &tags, &fields, &u.Active, &u.Suspended,
		&u.Verified, &u.PasswordHash, &created, &updated, &login, &u.ApprovalRequired)
	if err != nil {
		return nil, err
	}
	u.Email, u.ExternalID = email.String, extID.String
	u.OrganizationID, u.DefaultGroupID = org.Int64, group.Int64
	u.Tags = tagList(tags)
	u.Fields = fromJSON[map[string]any](fields)
	u.CreatedAt, u.UpdatedAt, u.LastLoginAt = fromMS(created), fromMS(updated), fromNullMS(login)
	return &u, nil
}

const userWriteCols = `name, email, role, locale, time_zone, phone, external_id, organization_id, default_group_id,
	alias, signature, details, notes, tags, fields, active, suspended, verified, password_hash, created_at, updated_at, last_login_at,
	approval_required`

// userOrgArg is the place of organization_id in userWriteCols, and
// userValuesJoiningDomain the VALUES of an insert that looks it up by the
// email's domain, given in its place.
var userOrgArg, userValuesJoiningDomain = func() (int, string) {
	cols := strings.Fields(strings.ReplaceAll(userWriteCols, ",", " "))
	at := slices.Index(cols, "organization_id")
	vals := strings.Split(placeholders(len(cols)), ", ")
	vals[at] = "(SELECT organization_id FROM organization_domains WHERE domain = ?)"
	return at, strings.Join(vals, ", ")
}()

func userArgs(u *model.User) []any {
	return []any{u.Name, nullStr(strings.ToLower(u.Email)), u.Role, u.Locale, u.TimeZone, u.Phone, nullStr(u.ExternalID),
		nullID(u.OrganizationID), nullID(u.DefaultGroupID), u.Alias, u.Signature, u.Details, u.Notes, tagText(u.Tags),
		jsonText(orEmptyMap(u.Fields)), u.Active, u.Suspended, u.Verified, u.PasswordHash, ms(u.CreatedAt), ms(u.UpdatedAt),
		nullMS(u.LastLoginAt), u.ApprovalRequired}
}

// InsertUser stores a new user, its email identity and its search document.
func (t *Tx) InsertUser(u *model.User) error { return t.insertUser(u, false) }

// InsertUserJoiningDomain is InsertUser for a user who, having no
// organization, joins the one owning their email's domain, if any
// (organization domains, as in Zendesk). On PostgreSQL the lookup goes
// inside the INSERT: every ticket from a new requester makes one round
// trip fewer.
func (t *Tx) InsertUserJoiningDomain(u *model.User) error { return t.insertUser(u, true) }

func (t *Tx) insertUser(u *model.User, joinDomain bool) error {
	u.Email = strings.ToLower(u.Email)
	_, domain, _ := strings.Cut(u.Email, "@")
	joinDomain = joinDomain && u.OrganizationID == 0 && domain != ""
	// On SQLite the lookup costs no round trip, and a plain insert is
	// cheaper than one with RETURNING (stmt_cache.go).
	if _, sqlite := t.d.(lastInsertIDer); joinDomain && sqlite {
		org, err := t.OrganizationIDByDomain(domain)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		u.OrganizationID, joinDomain = org, false
	}
	args := userArgs(u)
	var (
		id  int64
		err error
	)
	if joinDomain {
		var org nullInt
		args[userOrgArg] = strings.ToLower(domain)
		err = t.scanOne("INSERT INTO users ("+userWriteCols+") VALUES ("+userValuesJoiningDomain+") RETURNING id, organization_id", args, &id, &org)
		u.OrganizationID = org.Int64
	} else {
		id, err = t.insert("INSERT INTO users ("+userWriteCols+") VALUES ("+placeholders(len(args))+")", args...)
	}
	if err != nil {
		return err
	}
	u.ID = id
	if u.Email != "" {
		// Nobody needs the identity's id: on PostgreSQL the row travels
		// with the next statement sent. A clash on its unique value (an
		// address another user holds as a secondary identity) is then that
		// statement's, or the commit's, ErrConflict.
		err := t.execLater("INSERT INTO user_identities (user_id, type, value, is_primary, verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, "email", u.Email, true, u.Verified, ms(u.CreatedAt), ms(u.UpdatedAt))
		if err != nil {
			return err
		}
	}
	return t.indexUser(u)
}

// UpdateUser rewrites a user; a changed primary email updates its identity.
func (t *Tx) UpdateUser(u *model.User) error {
	old, err := t.User(u.ID)
	if err != nil {
		return err
	}
	u.Email = strings.ToLower(u.Email)
	cols := strings.Split(userWriteCols, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c) + " = ?"
	}
	if _, err := t.exec("UPDATE users SET "+strings.Join(cols, ", ")+" WHERE id = ?", append(userArgs(u), u.ID)...); err != nil {
		return err
	}
	if old.Email != u.Email {
		if old.Email != "" {
			if _, err := t.exec("UPDATE user_identities SET is_primary = ? WHERE user_id = ? AND type = 'email' AND value = ?", false, u.ID, old.Email); err != nil {
				return err
			}
		}
		if u.Email != "" {
			if owner, err := t.UserIDByIdentity("email", u.Email); err == nil && owner != u.ID {
				return ErrConflict
			} else if err == ErrNotFound {
				if err := t.InsertIdentity(&model.Identity{UserID: u.ID, Type: "email", Value: u.Email, Primary: true, CreatedAt: u.UpdatedAt, UpdatedAt: u.UpdatedAt}); err != nil {
					return err
				}
			} else if err != nil {
				return err
			} else if _, err := t.exec("UPDATE user_identities SET is_primary = ? WHERE user_id = ? AND type = 'email' AND value = ?", true, u.ID, u.Email); err != nil {
				return err
			}
		}
	}
	return t.indexUser(u)
}

func (t *Tx) indexUser(u *model.User) error {
	return t.index(docUser, u.ID, userSections(u))
}

// userSections is what a user's search document is made of.
func userSections(u *model.User) []string {
	return []string{u.Name, u.Email, u.Phone, u.ExternalID, u.Alias, u.Details, u.Notes, strings.Join(u.Tags, " ")}
}

// DeleteUser removes a user who has no tickets.
func (t *Tx) DeleteUser(id int64) error {
	if err := t.d.unindex(t, docUser, id); err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM users WHERE id = ?", id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// User returns one user.
func (t *Tx) User(id int64) (*model.User, error) {
	u, err := scanUser(t.queryRow("SELECT "+userCols+" FROM users u WHERE u.id = ?", id))
	return u, t.wrap(err)
}

// UsersByID returns the users among ids, in id order.
func (t *Tx) UsersByID(ids []int64) ([]*model.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(t, scanUser, "SELECT "+userCols+" FROM users u WHERE u.id IN ("+placeholders(len(ids))+") ORDER BY u.id", int64Args(ids)...)
}

// UserByEmail finds a user by any of their email identities, in one query
// (a customer's every mail and form post asks).
func (t *Tx) UserByEmail(email string) (*model.User, error) {
	u, err := scanUser(t.queryRow("SELECT "+userCols+" FROM user_identities i JOIN users u ON u.id = i.user_id WHERE i.type = 'email' AND i.value = ?",
		strings.ToLower(strings.TrimSpace(email))))
	return u, t.wrap(err)
}

// EndUserByPhone finds the one end-user whose phone number is phone;
// ErrNotFound when there is none or more than one.
func (t *Tx) EndUserByPhone(phone string) (*model.User, error) {
	list, err := queryAll(t, scanUser, "SELECT "+userCols+" FROM users u WHERE u.phone = ? AND u.role = ? ORDER BY u.id LIMIT 2", phone, model.RoleEndUser)
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, ErrNotFound
	}
	return list[0], nil
}

// UserByExternalID finds a user by the id another system gave them.
func (t *Tx) UserByExternalID(extID string) (*model.User, error) {
	u, err := scanUser(t.queryRow("SELECT "+userCols+" FROM users u WHERE u.external_id = ?", extID))
	return u, t.wrap(err)
}

// UserIDByIdentity returns the owner of an identity.
func (t *Tx) UserIDByIdentity(typ, value string) (int64, error) {
	return t.int64Row("SELECT user_id FROM user_identities WHERE type = ? AND value = ?", typ, value)
}

// UserFilter selects users; values within a field are alternatives.
type UserFilter struct {
	IDs             []int64
	Roles           []string
	OrganizationIDs []int64
	GroupIDs        []int64
	ExternalIDs     []string
	Emails          []string
	Tags            []string
	Text            search.TextQuery
	Created         TimeRange
	Updated         TimeRange
}

func (t *Tx) userWhere(f UserFilter) *where {
	w := &where{}
	if len(f.IDs) > 0 {
		w.add("u.id IN ("+placeholders(len(f.IDs))+")", int64Args(f.IDs)...)
	}
	w.strIn("u.role", f.Roles, false)
	w.idIn("u.organization_id", f.OrganizationIDs, false)
	w.strIn("u.external_id", f.ExternalIDs, false)
	if len(f.Emails) > 0 {
		emails := make([]string, len(f.Emails))
		for i, e := range f.Emails {
			emails[i] = strings.ToLower(e)
		}
		w.add("u.id IN (SELECT user_id FROM user_identities WHERE type = 'email' AND value IN ("+placeholders(len(emails))+"))", stringArgs(emails)...)
	}
	if len(f.GroupIDs) > 0 {
		w.add("u.id IN (SELECT user_id FROM group_memberships WHERE group_id IN ("+placeholders(len(f.GroupIDs))+"))", int64Args(f.GroupIDs)...)
	}
	for _, tag := range f.Tags {
		// tags are space separated words on the row
		w.add("(' ' || u.tags || ' ') LIKE ?", "% "+tag+" %")
	}
	w.timeRange("u.created_at", f.Created)
	w.timeRange("u.updated_at", f.Updated)
	if len(f.Text.Clauses) > 0 {
		join, jargs, cond, cargs := t.textCondition(docUser, "u.id", f.Text)
		w.join, w.joinArgs = join, jargs
		if cond != "" {
			w.add(cond, cargs...)
		}
	}
	return w
}

// ListUsers returns users matching f ordered by id (or relevance for text
// queries), after the given id.
func (t *Tx) ListUsers(f UserFilter, afterID int64, offset, limit int, desc bool) ([]*model.User, error) {
	w := t.userWhere(f)
	order := " ORDER BY u.id"
	if desc {
		order += " DESC"
	}
	if w.join != "" {
		order = " ORDER BY fs.rank DESC, u.id"
	}
	if afterID > 0 {
		if desc {
			w.add("u.id < ?", afterID)
		} else {
			w.add("u.id > ?", afterID)
		}
	}
	q := "SELECT " + userCols + " FROM users u" + w.join + w.sql() + order + " LIMIT ? OFFSET ?"
	args := append(append(w.joinArgs, w.args...), limit, offset)
	return queryAll(t, scanUser, q, args...)
}

// CountUsers counts users matching f.
func (t *Tx) CountUsers(f UserFilter) (int64, error) {
	w := t.userWhere(f)
	return t.count("SELECT COUNT(*) FROM users u"+w.join+w.sql(), append(w.joinArgs, w.args...)...)
}

// UsersUpdatedSince lists users for the incremental export, ordered by
// (updated_at, id) after the given position.
func (t *Tx) UsersUpdatedSince(afterMS, afterID int64, limit int) ([]*model.User, error) {
	return queryAll(t, scanUser, "SELECT "+userCols+" FROM users u WHERE u.updated_at > ? OR (u.updated_at = ? AND u.id > ?) ORDER BY u.updated_at, u.id LIMIT ?",
		afterMS, afterMS, afterID, limit)
}

const identityCols = "id, user_id, type, value, is_primary, verified, created_at, updated_at"

func scanIdentity(sc scanner) (*model.Identity, error) {
	var (
		i                model.Identity
		created, updated int64
	)
	if err := sc.Scan(&i.ID, &i.UserID, &i.Type, &i.Value, &i.Primary, &i.Verified, &created, &updated); err != nil {
		return nil, err
	}
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(updated)
	return &i, nil
}

// InsertIdentity adds a way to recognise a user; ErrConflict if another user
// already has it.
func (t *Tx) InsertIdentity(i *model.Identity) error {
	if i.Type == "email" {
		i.Value = strings.ToLower(strings.TrimSpace(i.Value))
	}
	id, err := t.insert("INSERT INTO user_identities (user_id, type, value, is_primary, verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		i.UserID, i.Type, i.Value, i.Primary, i.Verified, ms(i.CreatedAt), ms(i.UpdatedAt))
	i.ID = id
	return err
}

// Identities returns a user's identities.
func (t *Tx) Identities(userID int64) ([]*model.Identity, error) {
	return queryAll(t, scanIdentity, "SELECT "+identityCols+" FROM user_identities WHERE user_id = ? ORDER BY id", userID)
}

// DeleteIdentity removes one identity of a user.
func (t *Tx) DeleteIdentity(userID, id int64) error {
	res, err := t.exec("DELETE FROM user_identities WHERE user_id = ? AND id = ?", userID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CountUserTickets counts tickets a user requested (live or deleted), so a
// user with history is never hard-deleted.
func (t *Tx) CountUserTickets(userID int64) (int64, error) {
	return t.count("SELECT COUNT(*) FROM tickets WHERE requester_id = ? OR submitter_id = ? OR assignee_id = ?", userID, userID, userID)
}
