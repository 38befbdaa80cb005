package api_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestNoRouteAnswers500: every API route, given ids that do not exist,
// junk in its path, nonsense query parameters and a body of the wrong
// shape, answers with a 4xx (or a 2xx), never a 5xx, on both databases.
func TestNoRouteAnswers500(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ticket := d.Must(201, d.Agent, "POST", "/api/v2/tickets", `{"ticket": {"subject": "経路の確認", "comment": {"body": "本文"}}}`)
		wildcard := regexp.MustCompile(`\{[^}]*\}`)
		patterns := d.App.API.Patterns()
		if len(patterns) < 100 {
			t.Fatalf("only %d routes registered", len(patterns))
		}
		queries := []string{"", "?page=abc&per_page=-1&sort_by=%E9%85%8D&include=users,%E9&ids=a,b&query=%22&start_time=x&cursor=zz&page[size]=0"}
		bodies := []string{`{"x": [1, {"y": null}]}`, `{"ticket": [], "user": "山田", "organization": 1, "group": {"name": ["x"]}}`}
		seen, statuses := 0, map[int]int{}
		for _, p := range patterns {
			method, path, _ := strings.Cut(p, " ")
			path = strings.TrimSuffix(path, "{$}")
			for _, id := range []string{"424242", fmt.Sprint(ticket.Int("ticket.id")), "配送"} {
				target := wildcard.ReplaceAllStringFunc(path, func(w string) string {
					if strings.Contains(w, "id") {
						return id
					}
					return "x%E3%81%82"
				})
				for _, q := range queries {
					for _, body := range bodies {
						var b any
						if method != "GET" && method != "DELETE" {
							b = body
						}
						r := d.Do(d.Admin, method, target+q, b)
						seen++
						statuses[r.Status]++
						if r.Status >= 500 {
							t.Errorf("%s %s%s: %d %s", method, target, q, r.Status, r.Raw)
						}
						if method == "GET" || method == "DELETE" {
							break // no body to vary
						}
					}
				}
			}
		}
		t.Logf("%d requests over %d routes: %v", seen, len(patterns), statuses)
	})
}
