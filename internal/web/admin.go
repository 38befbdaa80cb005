package web

import (
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// The settings area (/settings and /settings/…): the index, and the admin
// pages for people (agents, groups, brands), mail (inboxes, signatures)
// and tickets (custom fields, CSAT). Every change goes through the same
// domain calls as the API (internal/inboxes, internal/users,
// internal/directory, internal/csat), so the rules and validation messages
// are the API's; the pages show the message in the reader's language.

// adminRoutes mounts the settings pages; page is Routes' signed-in wrapper.
func (s *Server) adminRoutes(page func(string, func(http.ResponseWriter, *http.Request) error)) {
	admin := func(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
		return func(w http.ResponseWriter, r *http.Request) error {
			if !isAdmin(currentUser(r)) {
				return errForbidden
			}
			return h(w, r)
		}
	}
	page("GET /settings", s.settingsIndex)

	page("GET /settings/inboxes", admin(s.inboxList))
	page("GET /settings/inboxes/new", admin(s.inboxNew))
	page("POST /settings/inboxes", admin(s.inboxSave))
	page("GET /settings/inboxes/{id}", admin(s.inboxEdit))
	page("POST /settings/inboxes/{id}", admin(s.inboxSave))
	page("POST /settings/inboxes/{id}/active", admin(s.inboxActive))

	// Staff see the team read-only; only admins change it.
	page("GET /settings/agents", s.agentsPage)
	page("POST /settings/agents", admin(s.agentCreate))
	page("POST /settings/agents/{id}/role", admin(s.agentRole))
	page("POST /settings/agents/{id}/suspend", admin(s.agentSuspend))
	page("POST /settings/agents/{id}/approval", admin(s.agentApproval))
	page("GET /settings/groups", s.groupsPage)
	page("POST /settings/groups", admin(s.groupSave))
	page("POST /settings/groups/{id}", admin(s.groupSave))
	page("POST /settings/groups/{id}/delete", admin(s.groupDelete))
	page("POST /settings/groups/{id}/members", admin(s.memberAdd))
	page("POST /settings/groups/{id}/members/{mid}/remove", admin(s.memberRemove))
	page("POST /settings/groups/{id}/members/{mid}/default", admin(s.memberDefault))

	page("GET /settings/brands", admin(s.brandsPage))
	page("POST /settings/brands", admin(s.brandSave))
	page("POST /settings/brands/{id}", admin(s.brandSave))

	page("GET /settings/signatures", s.signaturesPage)
	page("POST /settings/signatures", s.signatureSave)

	page("GET /settings/fields", admin(s.fieldsPage))
	page("POST /settings/fields", admin(s.fieldSave))
	page("POST /settings/fields/{id}", admin(s.fieldSave))
	page("POST /settings/fields/{id}/delete", admin(s.fieldDelete))

	page("GET /settings/csat", admin(s.csatPage))
	page("POST /settings/csat", admin(s.csatSave))
	page("POST /settings/csat/{scope}/{id}/delete", admin(s.csatDelete))
}

func isAdmin(u *model.User) bool { return u != nil && u.Role == model.RoleAdmin }

// settingsLink is one entry of the settings index.
type settingsLink struct{ Href, Label, Hint string }

// settingsSection is a group of links on the index.
type settingsSection struct {
	Title string
	Links []settingsLink
}

func (s *Server) settingsIndex(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	sections := []settingsSection{{Title: "admin.sec_account", Links: []settingsLink{
		{"/settings/sessions", "admin.link_sessions", "admin.hint_sessions"},
		{"/settings/signatures", "admin.link_signatures", "admin.hint_signatures"},
	}}}
	sections = append(sections, settingsSection{Title: "admin.sec_people", Links: []settingsLink{
		{"/settings/agents", "admin.link_agents", "admin.hint_agents"},
		{"/settings/groups", "admin.link_groups", "admin.hint_groups"},
	}})
	if isAdmin(me) {
		sections[1].Links = append(sections[1].Links, settingsLink{"/settings/brands", "admin.link_brands", "admin.hint_brands"})
		sections = append(sections,
			settingsSection{Title: "admin.sec_mail", Links: []settingsLink{
				{"/settings/inboxes", "admin.link_inboxes", "admin.hint_inboxes"},
			}},
			settingsSection{Title: "admin.sec_tickets", Links: []settingsLink{
				{"/settings/fields", "admin.link_fields", "admin.hint_fields"},
				{"/settings/csat", "admin.link_csat", "admin.hint_csat"},
			}},
			settingsSection{Title: "admin.sec_rules", Links: []settingsLink{
				{"/settings/macros", "admin.link_macros", "admin.hint_macros"},
				{"/settings/triggers", "admin.link_triggers", "admin.hint_triggers"},
				{"/settings/automations", "admin.link_automations", "admin.hint_automations"},
				{"/settings/slas", "admin.link_slas", "admin.hint_slas"},
				{"/settings/business-hours", "admin.link_business_hours", "admin.hint_business_hours"},
				{"/settings/views", "admin.link_views", "admin.hint_views"},
			}},
			settingsSection{Title: "admin.sec_customers", Links: []settingsLink{
				{"/settings/customer-links", "admin.link_customer_links", "admin.hint_customer_links"},
			}})
	}
	v := s.view(r)
	v.Title = v.T("admin.settings")
	v.Data = map[string]any{"Sections": sections, "Admin": isAdmin(me)}
	s.render(w, http.StatusOK, "admin_index", v)
	return nil
}

// problems turns a domain refusal into messages for the form, in the
// reader's language; any other error is returned as it is.
func (s *Server) problems(r *http.Request, err error) ([]string, error) {
	v := s.view(r)
	var inv *errs.Invalid
	switch {
	case errors.As(err, &inv):
		fields := make([]string, 0, len(inv.Details))
		for f := range inv.Details {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		var out []string
		for _, f := range fields {
			for _, d := range inv.Details[f] {
				out = append(out, localize(v.Lang, d.Description))
			}
		}
		return out, nil
	case errors.Is(err, errs.ErrForbidden):
		return []string{v.T("error.forbidden")}, nil
	case errors.Is(err, errs.ErrConflict):
		return []string{v.T("admin.conflict")}, nil
	}
	return nil, err
}

var leadingQuote = regexp.MustCompile(`^"([^"]*)"`)

// localize picks one language out of the domain's "English / 日本語"
// messages. The Japanese half does not repeat a value the English half
// starts with ("x@" is not a valid email address), so it is put in front.
func localize(lang, msg string) string {
	i := strings.LastIndex(msg, " / ")
	if i < 0 {
		return msg
	}
	en, ja := strings.TrimSpace(msg[:i]), strings.TrimSpace(msg[i+3:])
	if lang != "ja" {
		return en
	}
	if m := leadingQuote.FindStringSubmatch(en); m != nil && !strings.Contains(ja, m[1]) {
		return "「" + m[1] + "」: " + ja
	}
	return ja
}

// formID reads an optional id from a select ("" and "0" are none).
func formID(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, errBadInput
	}
	return id, nil
}

// formNumber reads a whole number typed by a person (full-width digits
// from an IME work); ok is false when something else was typed.
func formNumber(s string) (n int64, ok bool) {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s))
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func checked(r *http.Request, name string) bool {
	v := r.FormValue(name)
	return v != "" && v != "0" && v != "false"
}

func ptr[T any](v T) *T { return &v }
