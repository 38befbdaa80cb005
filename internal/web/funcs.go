package web

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"colour":   Colour,
	"initials": Initials,
	"viaIcon":  viaIcon,
	"ua":       uaSummary,
	"size":     humanSize,
	"isImage":  previewable,
	"event":    eventText,
	// pair passes the view and one value to a sub-template.
	"pair": func(v, c any) map[string]any { return map[string]any{"V": v, "C": c} },
	// args passes named values to a sub-template: args "V" $ "Name" x ….
	"args": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("args: a value without a name")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("args: name %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

// viaIcons are small line icons of the channels, inline SVG (markup, so
// the CSP allows it; an emoji font is not on every agent's machine).
var viaIcons = map[string]string{
	"email":  `<path d="M3 5h18v14H3z"/><path d="M3 6l9 7 9-7"/>`,
	"web":    `<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3.5 3.5 3.5 14.5 0 18M12 3c-3.5 3.5-3.5 14.5 0 18"/>`,
	"chat":   `<path d="M4 5h16v11H10l-5 4v-4H4z"/>`,
	"voice":  `<path d="M6 3l4 4-2 3c1 3 3 5 6 6l3-2 4 4-3 3C10 20 4 14 3 6z"/>`,
	"api":    `<path d="M8 6l-5 6 5 6M16 6l5 6-5 6"/>`,
	"mobile": `<rect x="7" y="2" width="10" height="20" rx="2"/><path d="M11 18h2"/>`,
	"rule":   `<path d="M13 2L4 14h7l-1 8 9-12h-7z"/>`,
}

// viaIcon is a channel's icon; the templates give it a translated label.
func viaIcon(via string) template.HTML {
	p, ok := viaIcons[via]
	switch {
	case via == "sms":
		p = viaIcons["mobile"]
	case !ok:
		p = `<circle cx="12" cy="12" r="4"/>`
	}
	return template.HTML(`<svg class="ico" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" aria-hidden="true" focusable="false">` + p + `</svg>`)
}

// uaSummary shortens a User-Agent for the session list: browser and system.
func uaSummary(ua string) string {
	browser, system := "", ""
	for _, b := range []struct{ key, name string }{{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"HeadlessChrome/", "Headless Chrome"}, {"Chrome/", "Chrome"}, {"Version/", "Safari"}} {
		if i := strings.Index(ua, b.key); i >= 0 {
			v := ua[i+len(b.key):]
			if j := strings.IndexAny(v, ". "); j > 0 {
				v = v[:j]
			}
			browser = b.name + " " + v
			break
		}
	}
	for _, o := range []struct{ key, name string }{{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, o.key) {
			system = o.name
			break
		}
	}
	switch {
	case browser == "" && system == "":
		return truncate(ua, 60)
	case system == "":
		return browser
	case browser == "":
		return system
	}
	return browser + " · " + system
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// eventText renders one audit event for the history in the viewer's
// language: "ステータス: 新規 → オープン".
func eventText(v *view, names map[string]string, e model.AuditEvent) string {
	switch e.Type {
	case "Create":
		if e.FieldName == "" {
			return v.T("event.created")
		}
		return v.T("field."+e.FieldName) + ": " + eventValue(v, names, e.FieldName, e.Value)
	case "Change":
		label := v.T("field." + e.FieldName)
		if strings.HasPrefix(label, "field.") {
			label = e.FieldName
		}
		return label + ": " + eventValue(v, names, e.FieldName, e.PreviousValue) + " → " + eventValue(v, names, e.FieldName, e.Value)
	case "Snooze":
		if t, err := time.Parse(time.RFC3339, fmt.Sprint(e.Value)); err == nil {
			return v.T("event.snoozed", v.Full(t))
		}
	case "Unsnooze":
		return v.T("event.unsnoozed")
	}
	s := e.Type
	if e.FieldName != "" {
		s += " " + e.FieldName
	}
	return s
}

func eventValue(v *view, names map[string]string, field string, val any) string {
	if val == nil || val == "" {
		return v.T("event.none")
	}
	s := fmt.Sprint(val)
	switch field {
	case "own_to_end":
		if b, ok := val.(bool); ok && b {
			return v.T("event.yes")
		} else if ok {
			return v.T("event.no")
		}
	case "status":
		return v.T("status." + s)
	case "priority":
		return v.T("priority." + s)
	case "assignee_id":
		if n, ok := names["user:"+s]; ok {
			return n
		}
	case "group_id":
		if n, ok := names["group:"+s]; ok {
			return n
		}
	case "tags":
		if list, ok := val.([]any); ok {
			parts := make([]string, len(list))
			for i, x := range list {
				parts[i] = fmt.Sprint(x)
			}
			return strings.Join(parts, " ")
		}
	}
	return s
}

// previewable: attachments shown inline as a small preview (and served
// inline, see attachment).
func previewable(ctype string) bool {
	switch ctype {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}
