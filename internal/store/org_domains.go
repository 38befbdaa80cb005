package store

import "strings"

// OrganizationIDByDomain returns the organization that owns an email domain.
func (t *Tx) OrganizationIDByDomain(domain string) (int64, error) {
	var id int64
	err := t.queryRow("SELECT organization_id FROM organization_domains WHERE domain = ?", strings.ToLower(domain)).Scan(&id)
	return id, t.wrap(err)
}
