package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// fieldTypes are the types the form offers, in the order shown.
var fieldTypes = []string{"text", "textarea", "integer", "decimal", "date", "checkbox", "tagger", "multiselect", "regexp"}

type fieldForm struct {
	ID                                         int64
	Type, Title, Description, Options, Tag, RE string
	Position                                   string
	Required, Active                           bool
}

type fieldsData struct {
	Fields  []directory.Field
	Types   []string
	Form    fieldForm
	Errors  []string
	Changed bool
}

// optionLines shows drop-down options one a line as "name | value".
func optionLines(opts []model.FieldOption) string {
	var b strings.Builder
	for _, o := range opts {
		fmt.Fprintf(&b, "%s | %s\n", o.Name, o.Value)
	}
	return b.String()
}

// parseOptions reads "name | value" lines; a line with only a name gets
// the name as its value, spaces made underscores (values are tags).
func parseOptions(s string) []model.FieldOption {
	var out []model.FieldOption
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "|")
		name = strings.TrimSpace(name)
		if ok {
			value = strings.TrimSpace(value)
		} else {
			value = strings.ToLower(strings.Join(strings.Fields(name), "_"))
		}
		out = append(out, model.FieldOption{Name: name, Value: value})
	}
	return out
}

func (s *Server) showFields(w http.ResponseWriter, r *http.Request, status int, d fieldsData) error {
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error { var err error; d.Fields, err = directory.ListFields(tx); return err }); err != nil {
		return err
	}
	d.Types = fieldTypes
	v := s.view(r)
	v.Title = v.T("admin.fields")
	v.Data = d
	s.render(w, status, "admin_fields", v)
	return nil
}

func (s *Server) fieldsPage(w http.ResponseWriter, r *http.Request) error {
	d := fieldsData{Form: fieldForm{Type: "text", Active: true}, Changed: r.URL.Query().Get("changed") == "1"}
	if id, ok := formNumber(r.URL.Query().Get("edit")); ok && id > 0 {
		var f *directory.Field
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) error { var err error; f, err = directory.GetField(tx, id); return err }); err != nil {
			return err
		}
		d.Form = fieldForm{ID: f.ID, Type: f.Type, Title: f.Title, Description: f.Description, Options: optionLines(f.Options), Tag: f.Tag,
			RE: f.Regexp, Position: fmt.Sprint(f.Position), Required: f.Required, Active: f.Active}
	}
	return s.showFields(w, r, http.StatusOK, d)
}

func (s *Server) fieldSave(w http.ResponseWriter, r *http.Request) error {
	f := fieldForm{Type: r.FormValue("type"), Title: r.FormValue("title"), Description: r.FormValue("description"), Options: r.FormValue("options"),
		Tag: r.FormValue("tag"), RE: r.FormValue("regexp"), Position: r.FormValue("position"), Required: checked(r, "required"), Active: checked(r, "active")}
	var err error
	if f.ID, err = optionalPathID(r, "id"); err != nil {
		return err
	}
	in := directory.FieldInput{Title: ptr(f.Title), Description: ptr(f.Description), Required: ptr(f.Required), Active: ptr(f.Active)}
	if f.ID == 0 {
		in.Type = ptr(f.Type)
	}
	if pos, ok := formNumber(f.Position); ok && strings.TrimSpace(f.Position) != "" {
		in.Position = &pos
	} else if !ok {
		return s.showFields(w, r, http.StatusUnprocessableEntity, fieldsData{Form: f, Errors: []string{s.view(r).T("admin.field_bad_position")}})
	}
	switch f.Type {
	case "tagger", "multiselect":
		in.Options = ptr(parseOptions(f.Options))
	case "checkbox":
		in.Tag = ptr(f.Tag)
	case "regexp":
		in.Regexp = ptr(f.RE)
	}
	me, now := currentUser(r), s.Now().UTC()
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if f.ID == 0 {
			_, err = directory.CreateField(tx, me, in, now)
		} else {
			_, err = directory.UpdateField(tx, me, f.ID, in, now)
		}
		return err
	})
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showFields(w, r, http.StatusUnprocessableEntity, fieldsData{Form: f, Errors: msgs})
	}
	http.Redirect(w, r, "/settings/fields?changed=1", http.StatusSeeOther)
	return nil
}

func (s *Server) fieldDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return directory.DeleteField(tx, currentUser(r), id) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/fields?changed=1", http.StatusSeeOther)
	return nil
}

// FieldType is a field type's name as the page shows it.
func (v *view) FieldType(t string) string { return v.T(fieldTypeKeys[t]) }

var fieldTypeKeys = map[string]string{
	"text": "admin.ftype_text", "textarea": "admin.ftype_textarea", "integer": "admin.ftype_integer", "decimal": "admin.ftype_decimal",
	"date": "admin.ftype_date", "checkbox": "admin.ftype_checkbox", "tagger": "admin.ftype_tagger", "multiselect": "admin.ftype_multiselect",
	"regexp": "admin.ftype_regexp",
}
