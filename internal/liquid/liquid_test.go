package liquid

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func data() map[string]any {
	return map[string]any{
		"ticket": map[string]any{
			"id":       int64(42),
			"title":    "配送状況を教えてください",
			"status":   "open",
			"priority": "high",
			"tags":     []string{"vip", "配送"},
			"requester": map[string]any{
				"name":       "佐藤 花子",
				"first_name": "花子",
				"email":      "hanako@example.jp",
			},
			"created_at":        time.Date(2026, 4, 1, 15, 30, 0, 0, time.UTC),
			"ticket_field_1001": "12",
			"assignee":          nil,
		},
		"current_user": map[string]any{"name": "髙橋 一郎", "signature": "㈱キズナ サポート"},
		"nums":         []any{int64(3), int64(1), int64(2)},
		"ids":          []int64{7, 8},
		"empty_list":   []any{},
		"blank_str":    "   ",
		"html":         `<b>"ｶﾀｶﾅ" & ①</b>`,
	}
}

func TestRender(t *testing.T) {
	now = func() time.Time { return time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC) }
	defer func() { now = time.Now }()
	cases := []struct{ name, src, want string }{
		{"plain", "こんにちは", "こんにちは"},
		{"var", "{{ticket.requester.name}} 様", "佐藤 花子 様"},
		{"spaces", "{{  ticket.id  }}", "42"},
		{"unknown", "[{{ ticket.nope.deeper }}][{{ nothing }}]", "[][]"},
		{"nil member", "[{{ ticket.assignee.name }}]", "[]"},
		{"index", "{{ ticket.tags[1] }} {{ ticket.tags[-1] }} {{ nums[0] }} {{ ids[1] }}", "配送 配送 3 8"},
		{"string key", `{{ ticket["status"] }}`, "open"},
		{"size member", "{{ ticket.tags.size }} {{ ticket.title.size }}", "2 12"},
		{"first last members", "{{ nums.first }}{{ nums.last }}", "32"},
		{"list print", "{{ nums }}", "312"},
		{"upcase", "{{ ticket.status | upcase }}", "OPEN"},
		{"downcase", "{{ 'ABC' | downcase }}", "abc"},
		{"capitalize", "{{ 'hello WORLD' | capitalize }}", "Hello world"},
		{"default nil", `{{ ticket.assignee.name | default: "未割り当て" }}`, "未割り当て"},
		{"default empty", `{{ "" | default: "x" }}`, "x"},
		{"default present", `{{ ticket.status | default: "x" }}`, "open"},
		{"escape", "{{ html | escape }}", "&lt;b&gt;&#34;ｶﾀｶﾅ&#34; &amp; ①&lt;/b&gt;"},
		{"strip", "[{{ '  a b  ' | strip }}]", "[a b]"},
		{"truncate ja", "{{ ticket.title | truncate: 8 }}", "配送状況を..."},
		{"truncate ell", `{{ ticket.title | truncate: 5, "…" }}`, "配送状況…"},
		{"truncate short", "{{ 'abc' | truncate: 10 }}", "abc"},
		{"date ja", `{{ ticket.created_at | date: "%Y年%m月%d日 %H:%M" }}`, "2026年04月02日 00:30"},
		{"date nopad", `{{ "2026-01-05" | date: "%-m月%-d日(%a)" }}`, "1月5日(Mon)"},
		{"date now", `{{ "now" | date: "%F" }}`, "2026-11-24"},
		{"date unix", `{{ 0 | date: "%Y" }}`, "1970"},
		{"date bad", `{{ "someday" | date: "%Y" }}`, "someday"},
		{"split join", `{{ "a,b,c" | split: "," | join: " / " }}`, "a / b / c"},
		{"join default", `{{ ticket.tags | join }}`, "vip 配送"},
		{"size filter", `{{ ticket.tags | size }} {{ "ｶﾀｶﾅ" | size }}`, "2 4"},
		{"first last", `{{ nums | first }}{{ nums | last }}{{ "x" | first }}`, "32"},
		{"replace", `{{ "お問い合わせ お問い合わせ" | replace: "お問い合わせ", "ご質問" }}`, "ご質問 ご質問"},
		{"replace empty old", `{{ "abc" | replace: "", "x" }}`, "abc"},
		{"append prepend", `{{ "様" | prepend: ticket.requester.name | append: "へ" }}`, "佐藤 花子様へ"},
		{"if true", "{% if ticket.status == 'open' %}対応中{% endif %}", "対応中"},
		{"if else", "{% if ticket.status == 'solved' %}解決{% else %}未解決{% endif %}", "未解決"},
		{"elsif", "{% if ticket.priority == 'low' %}L{% elsif ticket.priority == 'high' %}H{% else %}N{% endif %}", "H"},
		{"ne", "{% if ticket.status != 'open' %}x{% else %}y{% endif %}", "y"},
		{"lt num", "{% if ticket.id < 100 %}small{% endif %}", "small"},
		{"ge num", "{% if ticket.id >= 42 %}ge{% endif %}{% if ticket.id > 42 %}gt{% endif %}{% if ticket.id <= 42 %}le{% endif %}", "gele"},
		{"numeric string", "{% if ticket.ticket_field_1001 > 9 %}big{% endif %}", "big"},
		{"contains str", "{% if ticket.title contains '配送' %}yes{% endif %}", "yes"},
		{"contains list", "{% if ticket.tags contains 'vip' %}VIP{% endif %}{% if ticket.tags contains 'x' %}no{% endif %}", "VIP"},
		{"and or", "{% if ticket.status == 'open' and ticket.priority == 'low' or ticket.id == 42 %}ok{% endif %}", "ok"},
		{"and false", "{% if ticket.status == 'open' and ticket.priority == 'low' %}ok{% else %}ng{% endif %}", "ng"},
		{"truthy unknown", "{% if ticket.assignee %}a{% else %}none{% endif %}", "none"},
		{"truthy empty string", "{% if '' %}t{% endif %}", "t"},
		{"empty", "{% if empty_list == empty %}e{% endif %}{% if ticket.tags == empty %}x{% endif %}", "e"},
		{"blank", "{% if blank_str == blank %}b{% endif %}{% if nothing == blank %}n{% endif %}", "bn"},
		{"nil cmp", "{% if nothing == nil %}nil{% endif %}", "nil"},
		{"unless", "{% unless ticket.status == 'solved' %}まだ{% endunless %}", "まだ"},
		{"unless else", "{% unless ticket.status == 'open' %}a{% else %}b{% endunless %}", "b"},
		{"for", "{% for t in ticket.tags %}[{{ t }}]{% endfor %}", "[vip][配送]"},
		{"forloop", "{% for n in nums %}{{ forloop.index }}:{{ n }}{% unless forloop.last %},{% endunless %}{% endfor %}", "1:3,2:1,3:2"},
		{"for else", "{% for n in empty_list %}x{% else %}なし{% endfor %}", "なし"},
		{"for range", "{% for i in (1..3) %}{{ i }}{% endfor %}", "123"},
		{"for range var", "{% for i in (1..nums.size) %}{{ i }}{% endfor %}", "123"},
		{"for limit offset", "{% for n in nums limit: 1 offset: 1 %}{{ n }}{% endfor %}", "1"},
		{"for reversed", "{% for n in nums reversed %}{{ n }}{% endfor %}", "213"},
		{"nested for", "{% for a in (1..2) %}{% for b in (1..2) %}{{a}}{{b}} {% endfor %}{% endfor %}", "11 12 21 22 "},
		{"comment", "a{% comment %}{{ broken {% if %}{% endcomment %}b", "ab"},
		{"raw", "{% raw %}{{ ticket.id }}{% if %}{% endraw %}", "{{ ticket.id }}{% if %}"},
		{"assign", `{% assign n = ticket.requester.name | append: " 様" %}{{ n }}`, "佐藤 花子 様"},
		{"trim", "a  {{- 'b' -}}  c", "abc"},
		{"trim tag", "x\n{%- if true -%}\n y \n{%- endif -%}\nz", "xyz"},
		{"braces alone", "{ } } {", "{ } } {"},
		{"float", "{{ 1.5 }} {{ 2.0 }}", "1.5 2.0"},
		{"bool", "{{ true }}", "true"},
		{"zendesk custom", "{{ticket.ticket_field_1001}}", "12"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Render(c.src, data())
			if err != nil {
				t.Fatalf("Render(%q): %v", c.src, err)
			}
			if got != c.want {
				t.Fatalf("Render(%q) = %q, want %q", c.src, got, c.want)
			}
		})
	}
}

func TestRenderHTMLEscapesValues(t *testing.T) {
	tpl, err := Parse(`<p>{{ html }}</p>`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.RenderHTML(data())
	if err != nil {
		t.Fatal(err)
	}
	if want := "<p>&lt;b&gt;&#34;ｶﾀｶﾅ&#34; &amp; ①&lt;/b&gt;</p>"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	plain, _ := tpl.Render(data())
	if !strings.Contains(plain, "<b>") {
		t.Fatalf("Render should not escape: %q", plain)
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		frag      string
	}{
		{"unclosed output", "abc\nde {{ ticket.id", 2, 4, "'{{' is not closed"},
		{"unclosed tag", "{% if x", 1, 1, "'{%' is not closed"},
		{"unknown filter", "{{ x | shout }}", 1, 8, "unknown filter 'shout'"},
		{"unknown tag", "\n  {% frobnicate %}", 2, 6, "unknown tag 'frobnicate'"},
		{"missing endif", "{% if true %}x", 1, 1, "endif"},
		{"missing endfor", "日本語{% for a in b %}", 1, 4, "endfor"},
		{"stray endif", "x{% endif %}", 1, 2, "unexpected"},
		{"empty output", "{{ }}", 1, 1, "empty"},
		{"bad string", `{{ "abc }}`, 1, 4, "string is not closed"},
		{"filter args", "{{ x | truncate }}", 1, 8, "wrong number of arguments"},
		{"filter too many", "{{ x | upcase: 1 }}", 1, 8, "wrong number"},
		{"trailing", "{{ a b }}", 1, 6, "unexpected 'b'"},
		{"bad char", "{{ a; }}", 1, 5, "unexpected character"},
		{"for syntax", "{% for in x %}{% endfor %}", 1, 11, "expected 'in'"},
		{"unclosed raw", "{% raw %}abc", 1, 1, "endraw"},
		{"unclosed comment", "{% comment %}abc", 1, 1, "endcomment"},
		{"if missing value", "{% if %}{% endif %}", 1, 6, "value is missing"},
		{"bang", "{% if a ! b %}{% endif %}", 1, 9, "'!'"},
		{"else without endif", "{% if a %}{% else %}x", 1, 11, "endif"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.src)
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("Parse(%q) = %v, want *Error", c.src, err)
			}
			if le.Line != c.line || le.Col != c.col || !strings.Contains(le.Msg, c.frag) {
				t.Fatalf("Parse(%q) = line %d col %d %q; want %d:%d containing %q", c.src, le.Line, le.Col, le.Msg, c.line, c.col, c.frag)
			}
			if le.MsgJa == "" || !strings.Contains(err.Error(), " / ") {
				t.Fatalf("no Japanese message: %v", err)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	_, err := Render("{% for i in (1..100000) %}x{% endfor %}", nil)
	if err == nil || !strings.Contains(err.Error(), "too many") {
		t.Fatalf("big loop: %v", err)
	}
	// Nested loops share one budget.
	_, err = Render("{% for i in (1..200) %}{% for j in (1..200) %}{% endfor %}{% endfor %}", nil)
	if err == nil {
		t.Fatal("nested loop budget not enforced")
	}
	// A range that cannot be allocated is still fine when limited.
	out, err := Render("{% for i in (1..9000000000000) limit: 2 %}{{i}}{% endfor %}", nil)
	if err != nil || out != "12" {
		t.Fatalf("limited range: %q %v", out, err)
	}
	big := strings.Repeat("あ", 300000) // 900 KB
	_, err = Render("{{ s }}{{ s }}", map[string]any{"s": big})
	if err == nil || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("output limit: %v", err)
	}
	_, err = Render(`{% assign a = s | append: s %}`, map[string]any{"s": big})
	if err == nil {
		t.Fatal("append limit not enforced")
	}
	_, err = Render(`{{ s | replace: "あ", "ああああ" }}`, map[string]any{"s": big})
	if err == nil {
		t.Fatal("replace limit not enforced")
	}
	deep := strings.Repeat("{% if true %}", MaxDepth+5) + strings.Repeat("{% endif %}", MaxDepth+5)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Fatalf("depth: %v", err)
	}
	if _, err := Parse("{{ " + strings.Repeat("a[", 10000) + "0" + strings.Repeat("]", 10000) + " }}"); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Fatalf("index depth: %v", err)
	}
	if _, err := Parse(strings.Repeat("x", MaxSource+1)); err == nil {
		t.Fatal("source limit not enforced")
	}
}

func TestConcurrentRender(t *testing.T) {
	tpl, err := Parse("{% for t in ticket.tags %}{{ t }}{% endfor %}{% assign x = 1 %}{{ x }}")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	for range 8 {
		go func() { s, _ := tpl.Render(data()); done <- s }()
	}
	for range 8 {
		if s := <-done; s != "vip配送1" {
			t.Fatalf("got %q", s)
		}
	}
}

func TestErrorPositionCountsCharacters(t *testing.T) {
	_, err := Parse("配送のお詫び {{ x | nope }}")
	var le *Error
	if !errors.As(err, &le) || le.Col != 15 {
		t.Fatalf("got %v", err)
	}
}
