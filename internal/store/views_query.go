package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// ViewQuery is a view's conditions bound to who runs it and when: the
// "current_user" value and "hours since" conditions depend on both.
type ViewQuery struct {
	Conditions    ViewConditions
	CurrentUser   int64
	CurrentGroups []int64
	Now           time.Time
}

// ViewConditionError names the condition a view cannot use and why, in
// English / Japanese.
type ViewConditionError struct {
	List    string // "all" or "any"
	Index   int
	Field   string
	Message string
}

func (e *ViewConditionError) Error() string {
	return fmt.Sprintf("conditions.%s[%d] (%s): %s", e.List, e.Index, e.Field, e.Message)
}

// ViaIDs maps Zendesk's numeric via_id values to our channel names.
var ViaIDs = map[int64]string{0: "web", 4: "email", 5: "api", 8: "rule", 29: "chat", 34: "voice", 55: "mobile", 57: "sms", 75: "side_conversation"}

// idFields are the conditions on an id column; 0 / "" / null means none.
var idFields = map[string]string{
	"group_id": "t.group_id", "assignee_id": "t.assignee_id", "requester_id": "t.requester_id",
	"submitter_id": "t.submitter_id", "organization_id": "t.organization_id", "brand_id": "t.brand_id", "inbox_id": "t.inbox_id",
}

// hoursFields are the "hours since" conditions: Zendesk's names and ours.
var hoursFields = map[string]string{
	"NEW": "t.created_at", "created_at": "t.created_at", "hours_since_created": "t.created_at",
	"updated_at": "t.updated_at", "hours_since_updated": "t.updated_at",
	"SOLVED": "t.solved_at", "solved_at": "t.solved_at", "hours_since_solved": "t.solved_at",
}

// slaRiskHours is how close to its due time an SLA target counts as at
// risk when a condition does not give the hours.
const slaRiskHours = 1

// compileView turns conditions into a WHERE over tickets t. Every value is
// a bound argument; only column names chosen here reach the SQL text.
func (t *Tx) compileView(q ViewQuery) (*where, error) {
	w := &where{}
	w.add("t.deleted_at IS NULL")
	for i, c := range q.Conditions.All {
		sql, args, err := t.viewCond(c, q)
		if err != nil {
			return nil, condErr("all", i, c.Field, err)
		}
		w.add(sql, args...)
	}
	var alts []string
	var altArgs []any
	for i, c := range q.Conditions.Any {
		sql, args, err := t.viewCond(c, q)
		if err != nil {
			return nil, condErr("any", i, c.Field, err)
		}
		alts = append(alts, sql)
		altArgs = append(altArgs, args...)
	}
	if len(alts) > 0 {
		w.add("("+strings.Join(alts, " OR ")+")", altArgs...)
	}
	return w, nil
}

func condErr(list string, i int, field string, err error) error {
	return &ViewConditionError{List: list, Index: i, Field: field, Message: err.Error()}
}

// CheckViewConditions reports the first condition that cannot be compiled.
func (t *Tx) CheckViewConditions(c ViewConditions) error {
	_, err := t.compileView(ViewQuery{Conditions: c, CurrentUser: 1, Now: time.Now()})
	return err
}

func badOp(op string, allowed ...string) error {
	return fmt.Errorf("operator %q is not allowed here; use %s / この条件には %s を使えます", op, strings.Join(allowed, ", "), strings.Join(allowed, ", "))
}

func (t *Tx) viewCond(c ViewCondition, q ViewQuery) (string, []any, error) {
	f, op := c.Field, c.Operator
	switch {
	case f == "status":
		return orderedCond("t.status", model.Statuses, op, c.Value, false)
	case f == "priority":
		return orderedCond("t.priority", model.Priorities, op, c.Value, true)
	case f == "type":
		if op != "is" && op != "is_not" {
			return "", nil, badOp(op, "is", "is_not")
		}
		return orderedCond("t.type", model.TicketTypes, op, c.Value, true)
	case f == "via_id":
		return viaCond(op, c.Value)
	case idFields[f] != "":
		return idCond(idFields[f], f, op, c.Value, q)
	case f == "current_tags":
		return tagsCond(op, c.Value)
	case hoursFields[f] != "":
		return hoursCond(hoursFields[f], op, c.Value, q.Now)
	case strings.HasPrefix(f, "custom_fields_"):
		id, err := strconv.ParseInt(strings.TrimPrefix(f, "custom_fields_"), 10, 64)
		if err != nil || id <= 0 {
			return "", nil, fmt.Errorf("custom field conditions are named custom_fields_<field id> / カスタムフィールドは custom_fields_<ID> で指定します")
		}
		return t.customFieldCond(id, op, c.Value)
	case f == "snoozed":
		b, err := boolValue(op, c.Value)
		if err != nil {
			return "", nil, err
		}
		// Few tickets are snoozed: the subquery's ids are listed once, and
		// each ticket is checked against that list.
		sql := "t.id IN (SELECT sz.ticket_id FROM ticket_snoozes sz WHERE sz.until_at > ?)"
		if !b {
			sql = "t.id NOT IN (SELECT sz.ticket_id FROM ticket_snoozes sz WHERE sz.until_at > ?)"
		}
		return sql, []any{ms(q.Now)}, nil
	case f == "sla_at_risk":
		return slaCond(op, c.Value, q.Now)
	}
	return "", nil, fmt.Errorf("unknown condition field %q / 不明な条件フィールドです", f)
}

// orderedCond handles enumerations with a life-cycle order (Zendesk's
// status order new < open < pending < hold < solved < closed).
func orderedCond(col string, order []string, op string, v any, nullable bool) (string, []any, error) {
	s, ok := v.(string)
	if !ok {
		return "", nil, fmt.Errorf("value must be one of %s / 値は %s のいずれかです", strings.Join(order, ", "), strings.Join(order, ", "))
	}
	s = strings.ToLower(strings.TrimSpace(s))
	pos := slices.Index(order, s)
	if pos < 0 && !(nullable && s == "") {
		return "", nil, fmt.Errorf("%q is not one of %s / %q は使えません（%s）", s, strings.Join(order, ", "), s, strings.Join(order, ", "))
	}
	if s == "" { // "-": not set
		switch op {
		case "is":
			return col + " IS NULL", nil, nil
		case "is_not":
			return col + " IS NOT NULL", nil, nil
		}
		return "", nil, badOp(op, "is", "is_not")
	}
	var in []string
	switch op {
	case "is":
		return col + " = ?", []any{s}, nil
	case "is_not":
		return "(" + col + " IS NULL OR " + col + " <> ?)", []any{s}, nil
	case "less_than":
		in = order[:pos]
	case "greater_than":
		in = order[pos+1:]
	default:
		return "", nil, badOp(op, "is", "is_not", "less_than", "greater_than")
	}
	if len(in) == 0 {
		return "1 = 0", nil, nil
	}
	return col + " IN (" + placeholders(len(in)) + ")", stringArgs(in), nil
}

func viaCond(op string, v any) (string, []any, error) {
	if op != "is" && op != "is_not" {
		return "", nil, badOp(op, "is", "is_not")
	}
	ch, ok := v.(string)
	if n, isNum := intValue(v); isNum {
		ch, ok = ViaIDs[n]
	}
	if !ok || (!slices.Contains(model.Channels, ch)) {
		return "", nil, fmt.Errorf("via_id must be a Zendesk via id (0 web, 4 email, 5 api, 29 chat, …) or a channel name / via_id はチャネル ID かチャネル名です")
	}
	if op == "is" {
		return "t.via = ?", []any{ch}, nil
	}
	return "t.via <> ?", []any{ch}, nil
}

func idCond(col, field, op string, v any, q ViewQuery) (string, []any, error) {
	if op != "is" && op != "is_not" {
		return "", nil, badOp(op, "is", "is_not")
	}
	neg := op == "is_not"
	if s, ok := v.(string); ok {
		switch strings.TrimSpace(s) {
		case "current_user":
			if field != "assignee_id" && field != "requester_id" && field != "submitter_id" {
				break
			}
			return eqID(col, q.CurrentUser, neg)
		case "current_groups":
			if field != "group_id" {
				break
			}
			if len(q.CurrentGroups) == 0 {
				if neg {
					return "1 = 1", nil, nil
				}
				return "1 = 0", nil, nil
			}
			in := col + " IN (" + placeholders(len(q.CurrentGroups)) + ")"
			if neg {
				in = "(" + col + " IS NULL OR NOT " + in + ")"
			}
			return in, int64Args(q.CurrentGroups), nil
		}
	}
	if v == nil {
		return eqID(col, 0, neg)
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
		return eqID(col, 0, neg)
	}
	id, ok := intValue(v)
	if !ok || id < 0 {
		return "", nil, fmt.Errorf("value must be an id, \"\" for none, or current_user / 値は ID・空文字（なし）・current_user のいずれかです")
	}
	return eqID(col, id, neg)
}

func eqID(col string, id int64, neg bool) (string, []any, error) {
	switch {
	case id == 0 && !neg:
		return col + " IS NULL", nil, nil
	case id == 0:
		return col + " IS NOT NULL", nil, nil
	case !neg:
		return col + " = ?", []any{id}, nil
	}
	return "(" + col + " IS NULL OR " + col + " <> ?)", []any{id}, nil
}

func tagsCond(op string, v any) (string, []any, error) {
	s, ok := v.(string)
	var tags []string
	if ok {
		tags = strings.Fields(s)
	} else if list, isList := v.([]any); isList {
		for _, x := range list {
			if xs, ok := x.(string); ok {
				tags = append(tags, strings.Fields(xs)...)
			}
		}
	}
	if len(tags) == 0 {
		return "", nil, fmt.Errorf("value must list one or more tags separated by spaces / タグを空白区切りで指定してください")
	}
	for i := range tags {
		tags[i] = strings.ToLower(tags[i])
	}
	in := "(" + placeholders(len(tags)) + ")"
	switch op {
	case "includes": // from the tag index: tickets with a tag are few
		return "t.id IN (SELECT tt.ticket_id FROM ticket_tags tt WHERE tt.tag IN " + in + ")", stringArgs(tags), nil
	case "not_includes":
		return "NOT EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag IN " + in + ")", stringArgs(tags), nil
	}
	return "", nil, badOp(op, "includes", "not_includes")
}

func hoursCond(col, op string, v any, now time.Time) (string, []any, error) {
	h, ok := floatValue(v)
	if !ok || h < 0 {
		return "", nil, fmt.Errorf("value must be a number of hours / 値は時間数（数値）です")
	}
	at := func(hours float64) int64 { return ms(now) - int64(hours*float64(time.Hour/time.Millisecond)) }
	switch op {
	case "less_than":
		return col + " > ?", []any{at(h)}, nil
	case "greater_than":
		return col + " < ?", []any{at(h)}, nil
	case "is": // within that whole hour, as Zendesk rounds down
		return "(" + col + " <= ? AND " + col + " > ?)", []any{at(h), at(h + 1)}, nil
	}
	return "", nil, badOp(op, "is", "less_than", "greater_than")
}

// slaCond: a ticket is at risk while one of its SLA targets is active
// (not fulfilled) and either breached or due within the hours given.
func slaCond(op string, v any, now time.Time) (string, []any, error) {
	hours := float64(slaRiskHours)
	neg := false
	switch op {
	case "is":
		b, err := boolValue(op, v)
		if err != nil {
			return "", nil, err
		}
		neg = !b
	case "less_than":
		h, ok := floatValue(v)
		if !ok || h < 0 {
			return "", nil, fmt.Errorf("value must be a number of hours / 値は時間数（数値）です")
		}
		hours = h
	default:
		return "", nil, badOp(op, "is", "less_than")
	}
	horizon := ms(now) + int64(hours*float64(time.Hour/time.Millisecond))
	if neg {
		return "NOT EXISTS (SELECT 1 FROM sla_targets st WHERE st.ticket_id = t.id AND st.fulfilled_at IS NULL AND (st.breached_at IS NOT NULL OR st.due_at <= ?))", []any{horizon}, nil
	}
	// Start from the active targets (a partial index) rather than probing
	// every ticket.
	return "t.id IN (SELECT st.ticket_id FROM sla_targets st WHERE st.fulfilled_at IS NULL AND (st.breached_at IS NOT NULL OR st.due_at <= ?))", []any{horizon}, nil
}
