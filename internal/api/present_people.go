package api

import (
	"fmt"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// JSON shapes of people and reference data, after Zendesk's.

type userJSON struct {
	ID                   int64          `json:"id"`
	URL                  string         `json:"url"`
	Name                 string         `json:"name"`
	Email                *string        `json:"email"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
	TimeZone             string         `json:"time_zone"`
	IANATimeZone         string         `json:"iana_time_zone"`
	Phone                *string        `json:"phone"`
	SharedPhoneNumber    *bool          `json:"shared_phone_number"`
	Photo                any            `json:"photo"`
	LocaleID             *int64         `json:"locale_id"`
	Locale               string         `json:"locale"`
	OrganizationID       *int64         `json:"organization_id"`
	Role                 string         `json:"role"`
	Verified             bool           `json:"verified"`
	ExternalID           *string        `json:"external_id"`
	Tags                 []string       `json:"tags"`
	Alias                string         `json:"alias"`
	Active               bool           `json:"active"`
	Shared               bool           `json:"shared"`
	SharedAgent          bool           `json:"shared_agent"`
	LastLoginAt          *string        `json:"last_login_at"`
	TwoFactorAuthEnabled bool           `json:"two_factor_auth_enabled"`
	Signature            *string        `json:"signature"`
	Details              string         `json:"details"`
	Notes                string         `json:"notes"`
	RoleType             *int64         `json:"role_type"`
	CustomRoleID         *int64         `json:"custom_role_id"`
	Moderator            bool           `json:"moderator"`
	TicketRestriction    *string        `json:"ticket_restriction"`
	OnlyPrivateComments  bool           `json:"only_private_comments"`
	RestrictedAgent      bool           `json:"restricted_agent"`
	Suspended            bool           `json:"suspended"`
	DefaultGroupID       *int64         `json:"default_group_id"`
	ReportCSV            bool           `json:"report_csv"`
	UserFields           map[string]any `json:"user_fields"`
	// ApprovalRequired is our extension: public replies need an approver.
	ApprovalRequired bool `json:"approval_required"`
}

func presentUser(base string, u *model.User) userJSON {
	j := userJSON{
		ID: u.ID, URL: fmt.Sprintf("%s/api/v2/users/%d.json", base, u.ID), Name: u.Name, Email: strPtr(u.Email),
		CreatedAt: isoTime(u.CreatedAt), UpdatedAt: isoTime(u.UpdatedAt),
		TimeZone: users.RailsZone(u.TimeZone), IANATimeZone: u.TimeZone, Phone: strPtr(u.Phone),
		LocaleID: users.LocaleID(u.Locale), Locale: u.Locale, OrganizationID: idPtr(u.OrganizationID),
		Role: users.PublicRole(u), Verified: u.Verified, ExternalID: strPtr(u.ExternalID), Tags: strs(u.Tags),
		Alias: u.Alias, Active: u.Active, LastLoginAt: timePtr(u.LastLoginAt), Details: u.Details, Notes: u.Notes,
		RoleType: users.RoleType(u), Moderator: u.Role == model.RoleAdmin,
		OnlyPrivateComments: u.Role == model.RoleLightAgent, RestrictedAgent: !u.IsStaff(), Suspended: u.Suspended,
		DefaultGroupID: idPtr(u.DefaultGroupID), ReportCSV: u.Role == model.RoleAdmin, UserFields: u.Fields,
		ApprovalRequired: u.ApprovalRequired,
	}
	if u.Phone != "" {
		shared := false
		j.SharedPhoneNumber = &shared
	}
	if u.IsStaff() {
		j.Signature = &u.Signature
	} else {
		restriction := "requested"
		j.TicketRestriction = &restriction
	}
	if j.UserFields == nil {
		j.UserFields = map[string]any{}
	}
	return j
}

// forViewer blanks what agents record about a person when a customer looks.
func (j userJSON) forViewer(viewer *model.User) userJSON {
	if users.HideInternal(viewer) {
		j.Notes, j.Details, j.Tags, j.UserFields = "", "", []string{}, map[string]any{}
	}
	return j
}

func presentUsers(base string, list []*model.User) []userJSON {
	out := make([]userJSON, len(list))
	for i, u := range list {
		out[i] = presentUser(base, u)
	}
	return out
}

type identityJSON struct {
	URL                string `json:"url"`
	ID                 int64  `json:"id"`
	UserID             int64  `json:"user_id"`
	Type               string `json:"type"`
	Value              string `json:"value"`
	Verified           bool   `json:"verified"`
	Primary            bool   `json:"primary"`
	CreatedAt          string `json:"created_at"`
	UpdatedAt          string `json:"updated_at"`
	UndeliverableCount int    `json:"undeliverable_count"`
	DeliverableState   string `json:"deliverable_state"`
}

func presentIdentity(base string, i *model.Identity) identityJSON {
	return identityJSON{URL: fmt.Sprintf("%s/api/v2/users/%d/identities/%d.json", base, i.UserID, i.ID), ID: i.ID,
		UserID: i.UserID, Type: i.Type, Value: i.Value, Verified: i.Verified, Primary: i.Primary,
		CreatedAt: isoTime(i.CreatedAt), UpdatedAt: isoTime(i.UpdatedAt), DeliverableState: "deliverable"}
}

func presentIdentities(base string, list []*model.Identity) []identityJSON {
	out := make([]identityJSON, len(list))
	for i, id := range list {
		out[i] = presentIdentity(base, id)
	}
	return out
}

type orgJSON struct {
	URL                string         `json:"url"`
	ID                 int64          `json:"id"`
	Name               string         `json:"name"`
	SharedTickets      bool           `json:"shared_tickets"`
	SharedComments     bool           `json:"shared_comments"`
	ExternalID         *string        `json:"external_id"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	DomainNames        []string       `json:"domain_names"`
	Details            string         `json:"details"`
	Notes              string         `json:"notes"`
	GroupID            *int64         `json:"group_id"`
	Tags               []string       `json:"tags"`
	OrganizationFields map[string]any `json:"organization_fields"`
}

func presentOrg(base string, o *model.Organization) orgJSON {
	j := orgJSON{URL: fmt.Sprintf("%s/api/v2/organizations/%d.json", base, o.ID), ID: o.ID, Name: o.Name,
		SharedTickets: o.SharedTickets, SharedComments: o.SharedComment, ExternalID: strPtr(o.ExternalID),
		CreatedAt: isoTime(o.CreatedAt), UpdatedAt: isoTime(o.UpdatedAt), DomainNames: strs(o.DomainNames),
		Details: o.Details, Notes: o.Notes, GroupID: idPtr(o.GroupID), Tags: strs(o.Tags), OrganizationFields: o.Fields}
	if j.OrganizationFields == nil {
		j.OrganizationFields = map[string]any{}
	}
	return j
}

// forViewer blanks what agents record about an organization when a
// customer looks.
func (j orgJSON) forViewer(viewer *model.User) orgJSON {
	if users.HideInternal(viewer) {
		j.Notes, j.Details, j.Tags, j.OrganizationFields, j.GroupID = "", "", []string{}, map[string]any{}, nil
	}
	return j
}

func presentOrgs(base string, list []*model.Organization) []orgJSON {
	out := make([]orgJSON, len(list))
	for i, o := range list {
		out[i] = presentOrg(base, o)
	}
	return out
}

type groupJSON struct {
	URL         string `json:"url"`
	ID          int64  `json:"id"`
	IsPublic    bool   `json:"is_public"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"default"`
	Deleted     bool   `json:"deleted"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

func presentGroup(base string, g *model.Group) groupJSON {
	return groupJSON{URL: fmt.Sprintf("%s/api/v2/groups/%d.json", base, g.ID), ID: g.ID, IsPublic: true, Name: g.Name,
		Description: g.Description, Default: g.Default, Deleted: g.Deleted, CreatedAt: isoTime(g.CreatedAt), UpdatedAt: isoTime(g.UpdatedAt)}
}

type membershipJSON struct {
	URL       string `json:"url"`
	ID        int64  `json:"id"`
	UserID    int64  `json:"user_id"`
	GroupID   int64  `json:"group_id"`
	Default   bool   `json:"default"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func presentMembership(base string, m *model.GroupMembership) membershipJSON {
	return membershipJSON{URL: fmt.Sprintf("%s/api/v2/group_memberships/%d.json", base, m.ID), ID: m.ID, UserID: m.UserID,
		GroupID: m.GroupID, Default: m.Default, CreatedAt: isoTime(m.CreatedAt), UpdatedAt: isoTime(m.UpdatedAt)}
}

func presentMemberships(base string, list []*model.GroupMembership) []membershipJSON {
	out := make([]membershipJSON, len(list))
	for i, m := range list {
		out[i] = presentMembership(base, m)
	}
	return out
}

type fieldJSON struct {
	URL                 string              `json:"url"`
	ID                  int64               `json:"id"`
	Type                string              `json:"type"`
	Title               string              `json:"title"`
	RawTitle            string              `json:"raw_title"`
	Description         string              `json:"description"`
	RawDescription      string              `json:"raw_description"`
	AgentDescription    *string             `json:"agent_description"`
	Position            int                 `json:"position"`
	Active              bool                `json:"active"`
	Required            bool                `json:"required"`
	CollapsedForAgents  bool                `json:"collapsed_for_agents"`
	RegexpForValidation *string             `json:"regexp_for_validation"`
	TitleInPortal       string              `json:"title_in_portal"`
	RawTitleInPortal    string              `json:"raw_title_in_portal"`
	VisibleInPortal     bool                `json:"visible_in_portal"`
	EditableInPortal    bool                `json:"editable_in_portal"`
	RequiredInPortal    bool                `json:"required_in_portal"`
	Tag                 *string             `json:"tag"`
	CreatedAt           string              `json:"created_at"`
	UpdatedAt           string              `json:"updated_at"`
	Removable           bool                `json:"removable"`
	Key                 *string             `json:"key"`
	CustomFieldOptions  []model.FieldOption `json:"custom_field_options,omitempty"`
}

func presentField(base string, f directory.Field) fieldJSON {
	title := f.Settings.TitleInPortal
	if title == "" {
		title = f.Title
	}
	j := fieldJSON{URL: fmt.Sprintf("%s/api/v2/ticket_fields/%d.json", base, f.ID), ID: f.ID, Type: f.Type,
		Title: f.Title, RawTitle: f.Title, Description: f.Description, RawDescription: f.Description,
		AgentDescription: strPtr(f.Settings.AgentDescription), Position: f.Position, Active: f.Active,
		Required: f.Required, CollapsedForAgents: f.Settings.CollapsedForAgents, RegexpForValidation: strPtr(f.Regexp),
		TitleInPortal: title, RawTitleInPortal: title, VisibleInPortal: f.Settings.VisibleInPortal,
		EditableInPortal: f.Settings.EditableInPortal, RequiredInPortal: f.Settings.RequiredInPortal,
		Tag: strPtr(f.Tag), CreatedAt: isoTime(f.CreatedAt), UpdatedAt: isoTime(f.UpdatedAt), Removable: true,
		Key: strPtr(f.Settings.Key)}
	if f.Type == "tagger" || f.Type == "multiselect" {
		j.CustomFieldOptions = f.Options
		if j.CustomFieldOptions == nil {
			j.CustomFieldOptions = []model.FieldOption{}
		}
	}
	return j
}

type brandJSON struct {
	URL               string  `json:"url"`
	ID                int64   `json:"id"`
	Name              string  `json:"name"`
	BrandURL          string  `json:"brand_url"`
	Subdomain         string  `json:"subdomain"`
	HostMapping       *string `json:"host_mapping"`
	HasHelpCenter     bool    `json:"has_help_center"`
	HelpCenterState   string  `json:"help_center_state"`
	Active            bool    `json:"active"`
	Default           bool    `json:"default"`
	IsDeleted         bool    `json:"is_deleted"`
	Logo              any     `json:"logo"`
	TicketFormIDs     []int64 `json:"ticket_form_ids"`
	SignatureTemplate string  `json:"signature_template"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
}

// presentBrand: brand_url is the brand's own host when mapped, else this
// desk's address (Kizuna has no per-brand subdomains of its own).
func presentBrand(base string, b *model.Brand) brandJSON {
	brandURL := base
	if b.HostMapping != "" {
		brandURL = "https://" + b.HostMapping
	}
	return brandJSON{URL: fmt.Sprintf("%s/api/v2/brands/%d.json", base, b.ID), ID: b.ID, Name: b.Name, BrandURL: brandURL,
		Subdomain: b.Subdomain, HostMapping: strPtr(b.HostMapping), HasHelpCenter: true, HelpCenterState: "enabled",
		Active: b.Active, Default: b.Default, TicketFormIDs: []int64{}, SignatureTemplate: "{{agent.signature}}",
		CreatedAt: isoTime(b.CreatedAt), UpdatedAt: isoTime(b.UpdatedAt)}
}
