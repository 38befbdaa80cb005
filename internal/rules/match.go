package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
)

func init() {
	// Facts the SLA and automation areas compute; they may register more.
	RegisterFact("sla_next_breach_hours")
	for _, f := range []string{"created", "updated", "open", "pending", "hold", "solved", "closed", "assigned",
		"requester_updated", "assignee_updated", "due_date"} {
		RegisterFact("hours_since_"+f, "automation", "view", "sla")
		RegisterFact("business_hours_since_"+f, "automation", "view", "sla")
	}
	RegisterFact("hours_until_due_date", "automation", "view", "sla")
}

// Match reports whether s satisfies c. An unknown field or operator is an
// error (rules are validated when saved, so this means a stored rule went
// stale, and it must not match silently).
func Match(c Conditions, s *Subject) (bool, error) {
	for _, cd := range c.All {
		ok, err := matchOne(cd, s)
		if err != nil || !ok {
			return false, err
		}
	}
	if len(c.Any) == 0 {
		return true, nil
	}
	for _, cd := range c.Any {
		ok, err := matchOne(cd, s)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func matchOne(cd Condition, s *Subject) (bool, error) {
	field := canonicalField(cd.Field)
	spec, ok := lookup(field)
	if !ok {
		if _, has := s.Extra[field]; has {
			spec, ok = fieldSpec{kind: kFact}, true
		}
	}
	if !ok {
		return false, fmt.Errorf("rules: unknown condition field %q", cd.Field)
	}
	op := canonicalOp(cd.Operator)
	if !slices.Contains(operators[spec.kind], op) {
		return false, fmt.Errorf("rules: operator %q does not apply to %q", cd.Operator, cd.Field)
	}
	tk := s.Ticket
	if tk == nil {
		tk = &model.Ticket{}
	}
	want := valueString(cd.Value)
	switch spec.kind {
	case kOrdered, kEnum, kID:
		cur, old := scalar(field, tk, s), ""
		if s.Old != nil {
			old = scalar(field, s.Old, s)
		}
		if spec.kind == kID {
			want = resolveID(field, want, s)
		}
		return compareScalar(field, op, cur, old, want), nil
	case kVia:
		got := tk.Via
		if field == "current_via_id" {
			got = s.currentVia()
		}
		name, _ := viaName(want)
		return (got == name) == (op == "is"), nil
	case kTags:
		return matchTags(tagsOf(field, tk, s), want, op == "includes"), nil
	case kText:
		return matchText(s.text(field), want, op), nil
	case kBool:
		return matchBool(field, op, want, s), nil
	case kString:
		return (stringFact(field, s, want)) == (op == "is"), nil
	case kCustom:
		id := strings.TrimPrefix(field, "custom_fields_")
		cur := customValue(tk, id)
		var old any
		if s.Old != nil {
			old = customValue(s.Old, id)
		}
		return matchCustom(op, cur, old, cd.Value), nil
	case kProperty:
		return matchProperty(op, property(field, s), cd.Value), nil
	case kFact:
		v, has := s.Extra[field]
		return matchFact(op, v, has, cd.Value), nil
	}
	return false, nil
}

// scalar is a ticket field as text; ids are decimal, none is "".
func scalar(field string, tk *model.Ticket, s *Subject) string {
	id := func(v int64) string {
		if v == 0 {
			return ""
		}
		return fmt.Sprint(v)
	}
	switch field {
	case "status":
		return tk.Status
	case "priority":
		return tk.Priority
	case "type":
		return tk.Type
	case "group_id":
		return id(tk.GroupID)
	case "assignee_id":
		return id(tk.AssigneeID)
	case "requester_id":
		return id(tk.RequesterID)
	case "organization_id":
		return id(tk.OrganizationID)
	case "brand_id":
		return id(tk.BrandID)
	case "inbox_id":
		return id(tk.InboxID)
	}
	return ""
}

// resolveID turns "current_user" and "assignee_id" into ids.
func resolveID(field, want string, s *Subject) string {
	switch {
	case want == "current_user" && s.Actor != nil:
		return fmt.Sprint(s.Actor.ID)
	case want == "assignee_id" && field == "requester_id" && s.Ticket != nil:
		if s.Ticket.AssigneeID == 0 {
			return "-"
		}
		return fmt.Sprint(s.Ticket.AssigneeID)
	}
	return want
}

func compareScalar(field, op, cur, old, want string) bool {
	switch op {
	case "is":
		return cur == want
	case "is_not":
		return cur != want
	case "less_than", "greater_than":
		order := model.Statuses
		if field == "priority" {
			order = model.Priorities
		}
		c, w := slices.Index(order, cur), slices.Index(order, want)
		if op == "less_than" {
			return c < w
		}
		return c > w
	case "changed":
		return cur != old
	case "not_changed":
		return cur == old
	case "value":
		return cur != old && cur == want
	case "value_previous":
		return cur != old && old == want
	case "not_value":
		return !(cur != old && cur == want)
	case "not_value_previous":
		return !(cur != old && old == want)
	}
	return false
}

func tagsOf(field string, tk *model.Ticket, s *Subject) []string {
	switch field {
	case "requester.tags":
		if s.Requester != nil {
			return s.Requester.Tags
		}
	case "organization.tags":
		if s.Org != nil {
			return s.Org.Tags
		}
	default:
		return tk.Tags
	}
	return nil
}

// matchTags: includes = has at least one of the tags; not_includes = none.
func matchTags(have []string, want string, includes bool) bool {
	for _, w := range strings.Fields(strings.ToLower(want)) {
		if slices.Contains(have, w) {
			return includes
		}
	}
	return !includes
}

// text returns the comment or subject normalised (NFKC, case folded), once
// per Subject: two hundred rules must not normalise the same text again.
func (s *Subject) text(field string) string {
	if field == "subject_includes_word" {
		if s.normSubject == nil && s.Ticket != nil {
			n := search.Normalize(s.Ticket.Subject)
			s.normSubject = &n
		}
		if s.normSubject == nil {
			return ""
		}
		return *s.normSubject
	}
	if s.normComment == nil {
		n := ""
		if s.Comment != nil {
			n = search.Normalize(s.Comment.Body)
		}
		s.normComment = &n
	}
	return *s.normComment
}

// matchText: includes = contains at least one of the words, not_includes =
// none of them, is = contains the phrase, is_not = does not. Japanese is
// written without spaces, so a word matches anywhere in the text after
// NFKC (ｶﾀｶﾅ = カタカナ, ＡＢＣ = abc); words are separated by spaces,
// full-width ones included.
func matchText(text, want, op string) bool {
	w := search.Normalize(want)
	switch op {
	case "is", "is_not":
		phrase := strings.Join(strings.Fields(w), " ")
		return strings.Contains(strings.Join(strings.Fields(text), " "), phrase) == (op == "is")
	}
	for _, word := range strings.Fields(w) {
		if strings.Contains(text, word) {
			return op == "includes"
		}
	}
	return op != "includes"
}

func matchBool(field, op, want string, s *Subject) bool {
	var got bool
	switch field {
	case "comment_is_public":
		switch want {
		case "not_relevant":
			return op == "is"
		case "requester_can_see_comment", "true":
			got = s.Comment != nil && s.Comment.Public
			want = "true"
		default:
			got = !(s.Comment != nil && s.Comment.Public)
			want = "true"
			if s.Comment == nil {
				got = false
			}
		}
	case "within_business_hours":
		now := s.Now
		if now.IsZero() {
			now = time.Now()
		}
		got = s.BusinessHours == nil || s.BusinessHours(now)
	}
	return (fmt.Sprint(got) == want) == (op == "is")
}

func stringFact(field string, s *Subject, want string) bool {
	switch field {
	case "update_type":
		got := "Change"
		if s.Event == "create" {
			got = "Create"
		}
		return got == want
	case "role":
		switch {
		case s.Actor == nil:
			return false
		case want == "end_user":
			return s.Actor.Role == model.RoleEndUser
		case want == "admin":
			return s.Actor.Role == model.RoleAdmin
		default: // an admin is an agent too
			return s.Actor.IsStaff()
		}
	case "requester.locale":
		if s.Requester == nil {
			return want == ""
		}
		l, w := strings.ToLower(s.Requester.Locale), strings.ToLower(want)
		return l == w || strings.HasPrefix(l, w+"-")
	case "requester.role":
		if s.Requester == nil {
			return false
		}
		return strings.ReplaceAll(s.Requester.Role, "-", "_") == want
	}
	return false
}

func customValue(tk *model.Ticket, id string) any {
	for _, f := range tk.CustomFields {
		if fmt.Sprint(f.ID) == id {
			return f.Value
		}
	}
	return nil
}

func property(field string, s *Subject) any {
	if key, ok := strings.CutPrefix(field, "requester.custom_fields."); ok && s.Requester != nil {
		return s.Requester.Fields[key]
	}
	if key, ok := strings.CutPrefix(field, "organization.custom_fields."); ok && s.Org != nil {
		return s.Org.Fields[key]
	}
	return nil
}

func matchCustom(op string, cur, old, want any) bool {
	c, o, w := valueString(cur), valueString(old), valueString(want)
	switch op {
	case "present", "not_present", "is", "is_not", "includes", "not_includes":
		return matchProperty(op, cur, want)
	case "less_than", "greater_than":
		return compareOrdered(op, cur, want)
	}
	return compareScalar("", op, c, o, w)
}

func matchProperty(op string, cur, want any) bool {
	c, w := valueString(cur), valueString(want)
	switch op {
	case "present":
		return c != ""
	case "not_present":
		return c == ""
	case "is":
		return c == w
	case "is_not":
		return c != w
	case "includes", "not_includes":
		have := strings.Fields(c)
		for _, x := range strings.Fields(w) {
			if slices.Contains(have, x) {
				return op == "includes"
			}
		}
		return op == "not_includes"
	}
	return false
}

// compareOrdered compares numbers as numbers, times as times and anything
// else as text (dates written YYYY-MM-DD order correctly as text).
func compareOrdered(op string, cur, want any) bool {
	var d int
	if t, ok := cur.(time.Time); ok {
		wt, err := time.Parse(time.RFC3339, valueString(want))
		if err != nil {
			return false
		}
		d = t.Compare(wt)
	} else if c, ok := valueNumber(cur); ok {
		w, ok := valueNumber(want)
		if !ok {
			return false
		}
		switch {
		case c < w:
			d = -1
		case c > w:
			d = 1
		}
	} else {
		if valueString(cur) == "" {
			return false
		}
		d = strings.Compare(valueString(cur), valueString(want))
	}
	switch op {
	case "less_than":
		return d < 0
	case "greater_than":
		return d > 0
	case "less_than_or_equal":
		return d <= 0
	case "greater_than_or_equal":
		return d >= 0
	case "is":
		return d == 0
	case "is_not":
		return d != 0
	}
	return false
}

// matchFact compares a fact from Subject.Extra; a missing fact matches
// only not_present.
func matchFact(op string, v any, has bool, want any) bool {
	if !has || v == nil {
		return op == "not_present"
	}
	switch op {
	case "present":
		return true
	case "not_present":
		return false
	case "is", "is_not":
		if _, ok := valueNumber(v); ok {
			if _, ok := valueNumber(want); ok {
				return compareOrdered(op, v, want)
			}
		}
		return (valueString(v) == valueString(want)) == (op == "is")
	}
	return compareOrdered(op, v, want)
}
