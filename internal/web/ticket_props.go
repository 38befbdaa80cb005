package web

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// The ticket page's other properties: type, inbox (moving a ticket keeps
// its history) and the desk's custom fields, each an input named cf_<id>.
// The domain validates the values (tickets/fields.go) and its messages are
// shown like any other invalid change.

func init() {
	for k, v := range propMessages {
		messages[k] = v
	}
}

var propMessages = map[string][2]string{
	"props.type":          {"種別", "Type"},
	"props.type_question": {"質問", "Question"},
	"props.type_incident": {"インシデント", "Incident"},
	"props.type_problem":  {"問題", "Problem"},
	"props.type_task":     {"タスク", "Task"},
	"props.inbox":         {"受信箱（移動）", "Inbox (move)"},
	"props.fields":        {"カスタムフィールド", "Custom fields"},
	"props.new_subject":   {"件名の変更（保存で反映）: %s", "New subject (applied on save): %s"},
	"props.multi_hint":    {"Ctrl（⌘）を押しながら複数選択できます。", "Hold Ctrl (⌘) to choose several."},
}

// fieldInput is one custom field as the property form shows it.
type fieldInput struct {
	*model.TicketField
	Text     string          // text, number, date, dropdown
	Checked  bool            // checkbox
	Selected map[string]bool // multi-select
}

// InputType is the HTML input type for a one-line field.
func (f fieldInput) InputType() string {
	switch f.Type {
	case "integer", "decimal":
		return "number"
	case "date":
		return "date"
	}
	return "text"
}

// loadProps fills the type, inbox and custom-field choices of d.
func loadProps(tx *store.Tx, d *ticketData) error {
	d.Types = model.TicketTypes
	inboxes, err := tx.Inboxes()
	if err != nil {
		return err
	}
	for _, ib := range inboxes {
		if ib.Active || ib.ID == d.Form.InboxID {
			d.Inboxes = append(d.Inboxes, ib)
		}
	}
	defs, err := tx.TicketFields()
	if err != nil {
		return err
	}
	for _, def := range defs {
		if def.Active {
			d.Fields = append(d.Fields, fieldInput{TicketField: def})
		}
	}
	fieldValues(d)
	return nil
}

// fieldValues shows d.Form's custom-field values in the inputs (again
// after a macro changed the form).
func fieldValues(d *ticketData) {
	for i := range d.Fields {
		in := &d.Fields[i]
		in.Text, in.Checked, in.Selected = "", false, map[string]bool{}
		switch v := currentField(d.Form, in.ID).(type) {
		case string:
			in.Text = v
		case bool:
			in.Checked = v
		case []string:
			for _, s := range v {
				in.Selected[s] = true
			}
		}
	}
}

// currentField is tk's value of field id, a multi-select's as []string
// whichever way it was decoded.
func currentField(tk *model.Ticket, id int64) any {
	for _, fv := range tk.CustomFields {
		if fv.ID != id {
			continue
		}
		if l, ok := fv.Value.([]any); ok {
			out := make([]string, 0, len(l))
			for _, e := range l {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		return fv.Value
	}
	return nil
}

// propsChange copies type, inbox and custom fields from the form onto ch
// where they differ from cur; defs are the desk's field definitions.
func propsChange(r *http.Request, cur *model.Ticket, defs []*model.TicketField, ch *tickets.Change) error {
	// A macro's new subject comes as a hidden field of the form.
	if v, ok := formValue(r, "subject"); ok && v != "" && v != cur.Subject {
		ch.Subject = &v
	}
	if v, ok := formValue(r, "type"); ok && v != cur.Type {
		if v != "" && !slices.Contains(model.TicketTypes, v) {
			return errBadInput
		}
		ch.Type = &v
	}
	if v, ok := formValue(r, "inbox_id"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if v == "" {
			n, err = 0, nil
		}
		if err != nil || n < 0 {
			return errBadInput
		}
		if n != cur.InboxID {
			ch.InboxID = &n
		}
	}
	for _, def := range defs {
		vals, ok := formValues(r, "cf_"+strconv.FormatInt(def.ID, 10))
		if !ok {
			continue
		}
		var val any
		switch def.Type {
		case "checkbox":
			val = vals[len(vals)-1] == "true" // a hidden "false" comes first
		case "multiselect":
			list := []string{}
			for _, s := range vals {
				if s != "" { // the hidden marker that says the field was on the form
					list = append(list, s)
				}
			}
			val = list
		default:
			val = strings.TrimSpace(vals[len(vals)-1])
		}
		if !sameField(currentField(cur, def.ID), val) {
			ch.CustomFields = append(ch.CustomFields, model.FieldValue{ID: def.ID, Value: val})
		}
	}
	return nil
}

// sameField compares a stored value with a form's: unset equals "", false
// and an empty list.
func sameField(stored, form any) bool {
	empty := func(v any) bool {
		switch x := v.(type) {
		case nil:
			return true
		case string:
			return x == ""
		case bool:
			return !x
		case []string:
			return len(x) == 0
		}
		return false
	}
	if empty(stored) && empty(form) {
		return true
	}
	return reflect.DeepEqual(stored, form)
}

// hasFieldInputs reports whether the form carries any custom field, so
// the definitions are read only when needed.
func hasFieldInputs(r *http.Request) bool {
	for _, m := range []map[string][]string{r.Form, multipartValues(r)} {
		for k := range m {
			if strings.HasPrefix(k, "cf_") {
				return true
			}
		}
	}
	return false
}

func multipartValues(r *http.Request) map[string][]string {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.Value
}

func formValues(r *http.Request, name string) ([]string, bool) {
	if v, ok := r.Form[name]; ok && len(v) > 0 {
		return v, true
	}
	if v, ok := multipartValues(r)[name]; ok && len(v) > 0 {
		return v, true
	}
	return nil, false
}
