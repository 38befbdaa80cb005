package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Condition values arrive as JSON (json.Number from the API, float64 once
// stored) or as strings, as Zendesk clients send ids and hours both ways.

func boolValue(op string, v any) (bool, error) {
	if op != "is" {
		return false, badOp(op, "is")
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		switch strings.ToLower(b) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
	}
	return false, fmt.Errorf("value must be true or false / 値は true か false です")
}

func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == float64(int64(n))
	case int:
		return int64(n), true
	case int64:
		return n, true
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}

func floatValue(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	}
	return 0, false
}

// customFieldCond matches a custom field's value inside the ticket's JSON
// list of {id, value}; the JSON functions differ per dialect.
func (t *Tx) customFieldCond(id int64, op string, v any) (string, []any, error) {
	var (
		sql  string
		args []any
	)
	switch op {
	case "is", "is_not":
		var want any
		switch x := v.(type) {
		case bool:
			want = x
		case string:
			want = x
		case json.Number:
			want = x.String()
		case float64:
			want = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			return "", nil, fmt.Errorf("value must be a string, number or true/false / 値は文字列・数値・true/false です")
		}
		sql, args = t.d.customFieldIs(id, want)
	case "present", "not_present":
		sql, args = t.d.customFieldPresent(id)
	default:
		return "", nil, badOp(op, "is", "is_not", "present", "not_present")
	}
	if op == "is_not" || op == "not_present" {
		sql = "NOT " + sql
	}
	return sql, args, nil
}
