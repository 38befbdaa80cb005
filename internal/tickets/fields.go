package tickets

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// customFields validates values against their definitions and stores them
// in the shapes Zendesk returns: strings, booleans, null, string arrays.
func (a *applier) customFields(tk *model.Ticket, values []model.FieldValue) error {
	defs, err := a.tx.TicketFields()
	if err != nil {
		return err
	}
	byID := make(map[int64]*model.TicketField, len(defs))
	for _, d := range defs {
		byID[d.ID] = d
	}
	for _, fv := range values {
		def, ok := byID[fv.ID]
		key := "custom_fields." + strconv.FormatInt(fv.ID, 10)
		if !ok {
			a.v.Addf(key, "InvalidValue", "Custom field %d does not exist", fv.ID)
			continue
		}
		val, err := normalizeFieldValue(def, fv.Value)
		if err != nil {
			a.v.Addf(key, "InvalidValue", "%s: %v", def.Title, err)
			continue
		}
		setField(tk, fv.ID, val)
	}
	return nil
}

func setField(tk *model.Ticket, id int64, val any) {
	for i := range tk.CustomFields {
		if tk.CustomFields[i].ID == id {
			tk.CustomFields[i].Value = val
			return
		}
	}
	tk.CustomFields = append(tk.CustomFields, model.FieldValue{ID: id, Value: val})
}

// normalizeFieldValue checks v against def's type and returns the stored
// shape; nil and "" clear the field.
func normalizeFieldValue(def *model.TicketField, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && s == "" && def.Type != "checkbox" {
		return nil, nil
	}
	switch def.Type {
	case "checkbox":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(x)
			if err != nil && x != "" {
				return nil, fmt.Errorf("%q is not true or false", x)
			}
			return b, nil
		}
		return nil, fmt.Errorf("expected true or false")
	case "multiselect":
		var vals []string
		switch x := v.(type) {
		case []string:
			vals = x
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("expected a list of option values")
				}
				vals = append(vals, s)
			}
		case string:
			vals = []string{x}
		default:
			return nil, fmt.Errorf("expected a list of option values")
		}
		for _, s := range vals {
			if !hasOption(def, s) {
				return nil, fmt.Errorf("%q is not an option", s)
			}
		}
		return vals, nil
	}
	s, err := scalarString(v)
	if err != nil {
		return nil, err
	}
	switch def.Type {
	case "integer", "decimal", "date":
		// Typed on a Japanese keyboard, digits are often full-width
		// (１２８０, ２０２６－０４－０１): kept as the ASCII they mean.
		s = width.Narrow.String(s)
	}
	switch def.Type {
	case "integer":
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return nil, fmt.Errorf("%q is not a whole number", s)
		}
	case "decimal":
		// ParseFloat also takes NaN, Inf and hex floats; a decimal field
		// holds a plain number (what views compare and reports sum).
		if f, err := strconv.ParseFloat(s, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(s, "xXpP_") {
			return nil, fmt.Errorf("%q is not a number", s)
		}
	case "date":
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, fmt.Errorf("%q is not a date like 2026-04-01", s)
		}
	case "tagger":
		if !hasOption(def, s) {
			return nil, fmt.Errorf("%q is not an option", s)
		}
	case "regexp":
		re, err := regexp.Compile(def.Regexp)
		if err == nil && !re.MatchString(s) {
			return nil, fmt.Errorf("%q does not match the required format", s)
		}
	}
	return s, nil
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("expected a single value")
}

func hasOption(def *model.TicketField, v string) bool {
	return slices.ContainsFunc(def.Options, func(o model.FieldOption) bool { return o.Value == v })
}
