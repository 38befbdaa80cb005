package liquid

import (
	"testing"
	"unicode/utf8"
)

func FuzzRender(f *testing.F) {
	seeds := []string{
		"{{ticket.requester.name}} 様",
		"{% if ticket.status == 'open' and ticket.id > 3 or x contains 'a' %}a{% elsif b %}b{% else %}c{% endif %}",
		"{% unless x %}{% for t in ticket.tags reversed limit: 2 offset: 1 %}{{ forloop.index }}{{ t | upcase }}{% else %}-{% endfor %}{% endunless %}",
		"{% for i in (1..5) %}{{ i | append: ',' }}{% endfor %}",
		"{% comment %}{{ x {% endcomment %}{% raw %}{% if %}{% endraw %}",
		`{{ ticket.created_at | date: "%Y年%m月%d日 %-H時" | truncate: 5, "…" | split: "年" | join: "/" | size }}`,
		`{{ "a" | replace: "a", "bb" | prepend: "x" | default: "y" | escape | strip | capitalize | downcase | first | last }}`,
		"{%- assign n = ticket.tags | first -%}{{ n[0] }}{{ ticket['id'] }}",
		"{{", "{%", "}}", "{% if %}", "{% for %}", "{{ a | }}", "{{ a.b. }}", "{{ 1..2 }}", "{% endfor %}",
		"{{ \"unterminated }}", "{% for i in (1..99999999999999999999) %}{% endfor %}", "\xff{{\xfe}}",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	d := data()
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Parse(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("non-*Error: %T %v", err, err)
			}
			return
		}
		out, err := tpl.Render(d)
		if err == errPanic {
			t.Fatalf("render panicked on %q", src)
		}
		if _, err := tpl.RenderHTML(d); err == errPanic {
			t.Fatalf("HTML render panicked on %q", src)
		}
		if err == nil && len(out) > MaxOutput {
			t.Fatalf("output %d bytes over the limit", len(out))
		}
		if err == nil && utf8.ValidString(src) && !utf8.ValidString(out) {
			t.Fatalf("valid template rendered invalid UTF-8: %q", out)
		}
	})
}
