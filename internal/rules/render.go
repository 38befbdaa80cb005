package rules

import (
	"encoding/json"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/liquid"
	"github.com/kizuna-desk/kizuna/internal/placeholders"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// render renders a template of a rule with s's ticket. asJSON escapes
// every value for use inside a JSON string, so that a customer's quote or
// line break in a subject can never break (or inject into) a webhook's
// JSON body.
func render(tx *store.Tx, src string, s *Subject, asJSON bool) (string, error) {
	if !strings.Contains(src, "{{") && !strings.Contains(src, "{%") {
		return src, nil
	}
	data, err := s.templateData(tx)
	if err != nil {
		return "", err
	}
	if asJSON {
		data = jsonEscaped(data).(map[string]any)
	}
	return liquid.Render(src, data)
}

// templateData is built once per ticket state and reused by every template
// of the pass.
func (s *Subject) templateData(tx *store.Tx) (map[string]any, error) {
	if s.data != nil && s.dataFor == s.Ticket {
		return s.data, nil
	}
	data, err := placeholders.ForTicket(tx, s.Ticket, s.Actor, s.BaseURL)
	if err != nil {
		return nil, err
	}
	s.data, s.dataFor = data, s.Ticket
	return data, nil
}

// jsonEscaped copies v with every string escaped as inside a JSON string
// literal (without the surrounding quotes).
func jsonEscaped(v any) any {
	switch x := v.(type) {
	case string:
		b, _ := json.Marshal(x)
		return string(b[1 : len(b)-1])
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonEscaped(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = jsonEscaped(e)
		}
		return l
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = jsonEscaped(e)
		}
		return l
	}
	return v
}

// checkTemplate returns a parse error of src in English / Japanese, or "".
func checkTemplate(what, src string) string {
	if _, err := liquid.Parse(src); err != nil {
		return what + ": " + err.Error()
	}
	return ""
}
