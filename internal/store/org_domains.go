package store

import "strings"

// OrganizationIDByDomain returns the organization that owns an email domain.
func (t *Tx) OrganizationIDByDomain(domain string) (int64, error) {
	return t.int64Row("SELECT organization_id FROM organization_domains WHERE domain = ?", strings.ToLower(domain))
}
