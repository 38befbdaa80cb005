package search

import (
	"errors"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{"", Query{}},
		{"   ", Query{}},
		{"配送 遅延", Query{Terms: []Term{{Text: "配送"}, {Text: "遅延"}}}},
		{"status:open", Query{Filters: []Filter{{Field: "status", Op: ":", Value: "open"}}}},
		{"Status:Open", Query{Filters: []Filter{{Field: "status", Op: ":", Value: "Open"}}}},
		{"status<solved priority>=high created>4hours updated<=2026-01-01 due_date>2026-01-01T10:00:00Z",
			Query{Filters: []Filter{
				{Field: "status", Op: "<", Value: "solved"},
				{Field: "priority", Op: ">=", Value: "high"},
				{Field: "created", Op: ">", Value: "4hours"},
				{Field: "updated", Op: "<=", Value: "2026-01-01"},
				{Field: "due_date", Op: ">", Value: "2026-01-01T10:00:00Z"},
			}}},
		{"created:>2026-01-01", Query{Filters: []Filter{{Field: "created", Op: ">", Value: "2026-01-01"}}}},
		{`subject:"返金 申請" -tags:vip`, Query{Filters: []Filter{
			{Field: "subject", Op: ":", Value: "返金 申請"},
			{Field: "tags", Op: ":", Value: "vip", Negate: true},
		}}},
		{"status:open status:pending tags:a tags:b", Query{Filters: []Filter{
			{Field: "status", Op: ":", Value: "open"}, {Field: "status", Op: ":", Value: "pending"},
			{Field: "tags", Op: ":", Value: "a"}, {Field: "tags", Op: ":", Value: "b"},
		}}},
		{`"返金 申請" -"refund request" -配送 iPhone`, Query{Terms: []Term{
			{Text: "返金 申請", Phrase: true},
			{Text: "refund request", Phrase: true, Negate: true},
			{Text: "配送", Negate: true},
			{Text: "iPhone"},
		}}},
		{"type:ticket status:open", Query{Type: "ticket", Filters: []Filter{{Field: "status", Op: ":", Value: "open"}}}},
		{"type:user 山田", Query{Type: "user", Terms: []Term{{Text: "山田"}}}},
		{"type:organization", Query{Type: "organization"}},
		{"type:question", Query{Filters: []Filter{{Field: "type", Op: ":", Value: "question"}}}},
		{"ticket_type:incident", Query{Filters: []Filter{{Field: "ticket_type", Op: ":", Value: "incident"}}}},
		{"order_by:updated_at sort:asc 返金", Query{OrderBy: "updated_at", Sort: "asc", Terms: []Term{{Text: "返金"}}}},
		{"custom_field_123:abc my_field:x", Query{Filters: []Filter{
			{Field: "custom_field_123", Op: ":", Value: "abc"}, {Field: "my_field", Op: ":", Value: "x"},
		}}},
		{"refu* 配送*", Query{Terms: []Term{{Text: "refu*"}, {Text: "配送*"}}}},
		// IME input: full-width colon, space, letters and quotes.
		{"status：open　tags：ｖｉｐ", Query{Filters: []Filter{
			{Field: "status", Op: ":", Value: "open"}, {Field: "tags", Op: ":", Value: "vip"},
		}}},
		{"ｓｔａｔｕｓ＜ｓｏｌｖｅｄ　－配送", Query{
			Filters: []Filter{{Field: "status", Op: "<", Value: "solved"}},
			Terms:   []Term{{Text: "配送", Negate: true}},
		}},
		{"subject：”返金　申請”", Query{Filters: []Filter{{Field: "subject", Op: ":", Value: "返金 申請"}}}},
		{"“refund request”", Query{Terms: []Term{{Text: "refund request", Phrase: true}}}},
		// Things that look like filters but are text.
		{"件名:返金 10:30 https://example.com/a foo@example.com", Query{Terms: []Term{
			{Text: "件名:返金"}, {Text: "10:30"}, {Text: "https://example.com/a"}, {Text: "foo@example.com"},
		}}},
		{"- 配送 \"\"", Query{Terms: []Term{{Text: "配送"}}}},
		{`foo"bar baz"`, Query{Terms: []Term{{Text: "foo"}, {Text: "bar baz", Phrase: true}}}},
		{"requester:yamada@example.com", Query{Filters: []Filter{{Field: "requester", Op: ":", Value: "yamada@example.com"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		`"返金 申請`,
		`subject:"返金`,
		`配送 "`,
		"status:",
		"status: open",
		`subject:""`,
		"priority>=",
		"sort:up",
		"-sort:asc",
		"order_by>x",
		"type:ticket type:user",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := Parse(in)
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", in, err)
			}
			if se.Msg == "" || err.Error() == "" {
				t.Error("empty error message")
			}
		})
	}
}

func TestStatusPriorityRank(t *testing.T) {
	for s, want := range map[string]int{"new": 0, "open": 1, "pending": 2, "hold": 3, "solved": 4, "Closed": 5} {
		if got, ok := StatusRank(s); !ok || got != want {
			t.Errorf("StatusRank(%q) = %d, %v", s, got, ok)
		}
	}
	for p, want := range map[string]int{"low": 1, "normal": 2, "HIGH": 3, "urgent": 4} {
		if got, ok := PriorityRank(p); !ok || got != want {
			t.Errorf("PriorityRank(%q) = %d, %v", p, got, ok)
		}
	}
	if _, ok := StatusRank("未対応"); ok {
		t.Error("unknown status accepted")
	}
	if _, ok := PriorityRank(""); ok {
		t.Error("empty priority accepted")
	}
}
