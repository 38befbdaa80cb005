package tickets

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// DiffEvents lists what changed between old and tk as audit events: Create
// events for a new ticket's set fields, Change events (with the previous
// value) for an update. Values use the API's shapes so audits read the same
// as the ticket JSON.
func DiffEvents(old, tk *model.Ticket) []model.AuditEvent {
	var evs []model.AuditEvent
	creating := old == nil
	if creating {
		old = &model.Ticket{}
	}
	add := func(field string, prev, cur any, changed bool) {
		switch {
		case creating && !isEmpty(cur):
			evs = append(evs, model.AuditEvent{Type: "Create", FieldName: field, Value: cur})
		case !creating && changed:
			evs = append(evs, model.AuditEvent{Type: "Change", FieldName: field, Value: cur, PreviousValue: prev})
		}
	}
	add("subject", old.Subject, tk.Subject, old.Subject != tk.Subject)
	add("status", old.Status, tk.Status, old.Status != tk.Status)
	add("priority", old.Priority, tk.Priority, old.Priority != tk.Priority)
	add("type", old.Type, tk.Type, old.Type != tk.Type)
	add("requester_id", idValue(old.RequesterID), idValue(tk.RequesterID), old.RequesterID != tk.RequesterID)
	add("assignee_id", idValue(old.AssigneeID), idValue(tk.AssigneeID), old.AssigneeID != tk.AssigneeID)
	add("group_id", idValue(old.GroupID), idValue(tk.GroupID), old.GroupID != tk.GroupID)
	add("organization_id", idValue(old.OrganizationID), idValue(tk.OrganizationID), old.OrganizationID != tk.OrganizationID)
	add("brand_id", idValue(old.BrandID), idValue(tk.BrandID), old.BrandID != tk.BrandID)
	add("inbox_id", idValue(old.InboxID), idValue(tk.InboxID), old.InboxID != tk.InboxID)
	add("external_id", old.ExternalID, tk.ExternalID, old.ExternalID != tk.ExternalID)
	add("due_at", timeValue(old.DueAt), timeValue(tk.DueAt), !old.DueAt.Equal(tk.DueAt))
	add("problem_id", idValue(old.ProblemID), idValue(tk.ProblemID), old.ProblemID != tk.ProblemID)
	add("tags", orEmpty(old.Tags), orEmpty(tk.Tags), !slices.Equal(old.Tags, tk.Tags))
	add("collaborator_ids", orEmptyIDs(old.CollaboratorIDs), orEmptyIDs(tk.CollaboratorIDs), !slices.Equal(old.CollaboratorIDs, tk.CollaboratorIDs))
	for _, f := range tk.CustomFields {
		prev := fieldValue(old.CustomFields, f.ID)
		add(strconv.FormatInt(f.ID, 10), prev, f.Value, !sameValue(prev, f.Value))
	}
	return evs
}

func fieldValue(fs []model.FieldValue, id int64) any {
	for _, f := range fs {
		if f.ID == id {
			return f.Value
		}
	}
	return nil
}

func sameValue(a, b any) bool {
	as, aok := stringList(a)
	bs, bok := stringList(b)
	if aok || bok {
		return aok && bok && slices.Equal(as, bs)
	}
	return a == b
}

// stringList reads a multi-select value: []string when set by this
// process, []any once read back from the stored JSON. Slices must never
// reach == (comparing them panics).
func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out, true
	}
	return nil, false
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []int64:
		return len(x) == 0
	}
	return false
}

// idValue renders an optional id as the API does: null when unset.
func idValue(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyIDs(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}
