package store

import (
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
)

const orgCols = "o.id, o.name, o.external_id, o.details, o.notes, o.group_id, o.shared_tickets, o.shared_comments, o.tags, o.fields, o.created_at, o.updated_at"

func scanOrg(sc scanner) (*model.Organization, error) {
	var (
		o                model.Organization
		extID            nullString
		group            nullInt
		tags, fields     string
		created, updated int64
	)
	if err := sc.Scan(&o.ID, &o.Name, &extID, &o.Details, &o.Notes, &group, &o.SharedTickets, &o.SharedComment, &tags, &fields, &created, &updated); err != nil {
		return nil, err
	}
	o.ExternalID, o.GroupID = extID.String, group.Int64
	o.Tags = tagList(tags)
	o.Fields = fromJSON[map[string]any](fields)
	o.CreatedAt, o.UpdatedAt = fromMS(created), fromMS(updated)
	o.DomainNames = []string{}
	return &o, nil
}

// orgNameKey makes organization names unique regardless of case, as Zendesk does.
func orgNameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func orgArgs(o *model.Organization) []any {
	return []any{o.Name, orgNameKey(o.Name), nullStr(o.ExternalID), o.Details, o.Notes, nullID(o.GroupID), o.SharedTickets, o.SharedComment,
		tagText(o.Tags), jsonText(orEmptyMap(o.Fields)), ms(o.CreatedAt), ms(o.UpdatedAt)}
}

const orgWriteCols = "name, name_key, external_id, details, notes, group_id, shared_tickets, shared_comments, tags, fields, created_at, updated_at"

// InsertOrganization stores a new organization with its domains.
func (t *Tx) InsertOrganization(o *model.Organization) error {
	args := orgArgs(o)
	id, err := t.insert("INSERT INTO organizations ("+orgWriteCols+") VALUES ("+placeholders(len(args))+")", args...)
	if err != nil {
		return err
	}
	o.ID = id
	return t.saveOrgExtras(o)
}

// UpdateOrganization rewrites an organization and replaces its domains.
func (t *Tx) UpdateOrganization(o *model.Organization) error {
	cols := strings.Split(orgWriteCols, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c) + " = ?"
	}
	if err := t.affectOne("UPDATE organizations SET "+strings.Join(cols, ", ")+" WHERE id = ?", append(orgArgs(o), o.ID)...); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM organization_domains WHERE organization_id = ?", o.ID); err != nil {
		return err
	}
	return t.saveOrgExtras(o)
}

func (t *Tx) saveOrgExtras(o *model.Organization) error {
	for _, d := range o.DomainNames {
		if _, err := t.exec("INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)", strings.ToLower(d), o.ID); err != nil {
			return err
		}
	}
	return t.index(docOrganization, o.ID, []string{o.Name, o.ExternalID, strings.Join(o.DomainNames, " "), o.Details, o.Notes, strings.Join(o.Tags, " ")})
}

// DeleteOrganization removes an organization; its users and tickets keep
// existing without it.
func (t *Tx) DeleteOrganization(id int64) error {
	if err := t.d.unindex(t, docOrganization, id); err != nil {
		return err
	}
	// Explicit rather than ON DELETE SET NULL: PostgreSQL and SQLite then
	// behave the same even with foreign keys off.
	if _, err := t.exec("UPDATE users SET organization_id = NULL WHERE organization_id = ?", id); err != nil {
		return err
	}
	if _, err := t.exec("UPDATE tickets SET organization_id = NULL WHERE organization_id = ?", id); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM organization_domains WHERE organization_id = ?", id); err != nil {
		return err
	}
	return t.affectOne("DELETE FROM organizations WHERE id = ?", id)
}

// Organization returns one organization with its domains.
func (t *Tx) Organization(id int64) (*model.Organization, error) {
	o, err := scanOrg(t.queryRow("SELECT "+orgCols+" FROM organizations o WHERE o.id = ?", id))
	if err != nil {
		return nil, t.wrap(err)
	}
	return o, t.loadDomains([]*model.Organization{o})
}

// OrganizationByName finds an organization by name, ignoring case.
func (t *Tx) OrganizationByName(name string) (*model.Organization, error) {
	o, err := scanOrg(t.queryRow("SELECT "+orgCols+" FROM organizations o WHERE o.name_key = ?", orgNameKey(name)))
	if err != nil {
		return nil, t.wrap(err)
	}
	return o, t.loadDomains([]*model.Organization{o})
}

// OrganizationByExternalID finds an organization by another system's id.
func (t *Tx) OrganizationByExternalID(extID string) (*model.Organization, error) {
	o, err := scanOrg(t.queryRow("SELECT "+orgCols+" FROM organizations o WHERE o.external_id = ?", extID))
	if err != nil {
		return nil, t.wrap(err)
	}
	return o, t.loadDomains([]*model.Organization{o})
}

// OrgFilter selects organizations.
type OrgFilter struct {
	IDs         []int64
	ExternalIDs []string
	Text        search.TextQuery
	Tags        []string
}

func (t *Tx) orgWhere(f OrgFilter) *where {
	w := &where{}
	if len(f.IDs) > 0 {
		w.add("o.id IN ("+placeholders(len(f.IDs))+")", int64Args(f.IDs)...)
	}
	w.strIn("o.external_id", f.ExternalIDs, false)
	for _, tag := range f.Tags {
		w.add("(' ' || o.tags || ' ') LIKE ?", "% "+tag+" %")
	}
	if len(f.Text.Clauses) > 0 {
		join, jargs, cond, cargs := t.textCondition(docOrganization, "o.id", f.Text)
		w.join, w.joinArgs = join, jargs
		if cond != "" {
			w.add(cond, cargs...)
		}
	}
	return w
}

// ListOrganizations returns organizations matching f by id (relevance for
// text), after afterID, with their domains.
func (t *Tx) ListOrganizations(f OrgFilter, afterID int64, offset, limit int, desc bool) ([]*model.Organization, error) {
	w := t.orgWhere(f)
	order := " ORDER BY o.id"
	if desc {
		order += " DESC"
	}
	if w.join != "" {
		order = " ORDER BY fs.rank DESC, o.id"
	}
	if afterID > 0 {
		if desc {
			w.add("o.id < ?", afterID)
		} else {
			w.add("o.id > ?", afterID)
		}
	}
	orgs, err := queryAll(t, scanOrg, "SELECT "+orgCols+" FROM organizations o"+w.join+w.sql()+order+" LIMIT ? OFFSET ?",
		append(append(w.joinArgs, w.args...), limit, offset)...)
	if err != nil {
		return nil, err
	}
	return orgs, t.loadDomains(orgs)
}

// CountOrganizations counts organizations matching f.
func (t *Tx) CountOrganizations(f OrgFilter) (int64, error) {
	w := t.orgWhere(f)
	return t.count("SELECT COUNT(*) FROM organizations o"+w.join+w.sql(), append(w.joinArgs, w.args...)...)
}

func (t *Tx) loadDomains(orgs []*model.Organization) error {
	if len(orgs) == 0 {
		return nil
	}
	ids := make([]int64, len(orgs))
	byID := make(map[int64]*model.Organization, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
		byID[o.ID] = o
	}
	type pair struct {
		domain string
		org    int64
	}
	pairs, err := queryAll(t, func(sc scanner) (pair, error) {
		var p pair
		return p, sc.Scan(&p.domain, &p.org)
	}, "SELECT domain, organization_id FROM organization_domains WHERE organization_id IN ("+placeholders(len(ids))+") ORDER BY domain", int64Args(ids)...)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		o := byID[p.org]
		o.DomainNames = append(o.DomainNames, p.domain)
	}
	return nil
}
