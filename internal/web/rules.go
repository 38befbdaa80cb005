package web

import (
	"html/template"
	"net/http"
	"strings"
)

// Rule settings (/settings/macros, triggers, automations, slas,
// business-hours, views): lists everyone on staff may read and forms only
// admins may post. Every write goes through the domain package the API
// uses (macros, triggers, automations, sla, bizhours, views), so its
// validation is the one place rules are checked; its messages are shown
// in the page's language (ruleErrors).

// The rows editor and the other fragments live in rules_parts.html, parsed
// into every rules_* page here, so view.go's page list stays as it is.
func init() {
	for name, t := range pages {
		if strings.HasPrefix(name, "rules_") && name != "rules_parts" {
			template.Must(t.ParseFS(templateFS, "templates/rules_parts.html"))
		}
	}
}

// rulesNav is the row of links over every rule settings page.
var rulesNav = []struct{ Path, Label string }{
	{"/settings/macros", "rules.macros"},
	{"/settings/triggers", "rules.triggers"},
	{"/settings/automations", "rules.automations"},
	{"/settings/slas", "rules.slas"},
	{"/settings/business-hours", "rules.hours"},
	{"/settings/views", "rules.views"},
}

type rulesNavItem struct {
	Path, Label string
	Current     bool
}

// rulesPage is what every rule settings page carries besides its own data.
type rulesPage struct {
	V      *view
	Items  []rulesNavItem
	Admin  bool
	Notice string   // translation key of what was just done
	Errors []string // validation messages, in the page's language
}

var rulesDoneKeys = map[string]string{
	"saved": "rules.done_saved", "deleted": "rules.done_deleted", "moved": "rules.done_moved",
	"active": "rules.done_active", "imported": "rules.done_imported",
}

// rulesChrome prepares the shared part of a rule settings page under path.
func (s *Server) rulesChrome(r *http.Request, v *view, path string) rulesPage {
	p := rulesPage{V: v, Admin: rulesCanEdit(r), Notice: rulesDoneKeys[r.URL.Query().Get("done")]}
	for _, n := range rulesNav {
		p.Items = append(p.Items, rulesNavItem{Path: n.Path, Label: n.Label, Current: n.Path == path})
	}
	return p
}

// rulesDone sends the browser back to path with a notice (POST/redirect/GET).
func rulesDone(w http.ResponseWriter, r *http.Request, path, what string) error {
	http.Redirect(w, r, path+"?done="+what, http.StatusSeeOther)
	return nil
}

// rulesRoutes mounts the rule settings pages with page (signed in, CSRF
// checked on POST).
func (s *Server) rulesRoutes(page func(string, func(http.ResponseWriter, *http.Request) error)) {
	for _, a := range s.ruleAreas() {
		a := a
		page("GET "+a.Path, func(w http.ResponseWriter, r *http.Request) error { return s.ruleList(w, r, a) })
		page("GET "+a.Path+"/new", func(w http.ResponseWriter, r *http.Request) error { return s.ruleForm(w, r, a, 0) })
		page("POST "+a.Path+"/new", func(w http.ResponseWriter, r *http.Request) error { return s.ruleSave(w, r, a, 0) })
		page("GET "+a.Path+"/{id}", func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			return s.ruleForm(w, r, a, id)
		})
		page("POST "+a.Path+"/{id}", func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			return s.ruleSave(w, r, a, id)
		})
	}
	// The row buttons (delete, (de)activate, move) and the holiday forms:
	// rules_writes.go.
	for _, rw := range s.ruleWrites() {
		page(rw.route, rw.handle)
	}
	page("GET /settings/macros", s.macroSettings)
	page("GET /settings/macros/new", s.macroNew)
	page("POST /settings/macros/new", s.macroSave)
	page("GET /settings/macros/{id}", s.macroEdit)
	page("POST /settings/macros/{id}", s.macroSave)

	page("GET /settings/slas", s.slaList)
	page("GET /settings/slas/new", s.slaForm)
	page("POST /settings/slas/new", s.slaSave)
	page("GET /settings/slas/{id}", s.slaForm)
	page("POST /settings/slas/{id}", s.slaSave)

	page("GET /settings/business-hours", s.hoursList)
	page("POST /settings/business-hours/new", s.scheduleSave)
	page("GET /settings/business-hours/{id}", s.scheduleForm)
	page("POST /settings/business-hours/{id}", s.scheduleSave)

	page("GET /settings/views", s.viewList)
	page("GET /settings/views/new", s.viewForm)
	page("POST /settings/views/new", s.viewSave)
	page("GET /settings/views/{id}", s.viewForm)
	page("POST /settings/views/{id}", s.viewSave)
}

// Inc is i+1, for numbering rows in templates.
func (p rulesPage) Inc(i int) int { return i + 1 }
