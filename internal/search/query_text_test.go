package search

import (
	"reflect"
	"testing"
)

func TestParseText(t *testing.T) {
	tests := []struct {
		name  string
		terms []Term
		want  []Clause
	}{
		{"two kanji", []Term{{Text: "配送"}}, []Clause{{Tokens: []string{"配送"}}}},
		{"one kanji is a prefix", []Term{{Text: "配"}}, []Clause{{Tokens: []string{"配"}, Prefix: true}}},
		{"long run: bigrams only", []Term{{Text: "配送状況"}}, []Clause{{Tokens: []string{"配送", "送状", "状況"}}}},
		{"half-width kana", []Term{{Text: "ﾎﾟｲﾝﾄ"}}, []Clause{{Tokens: []string{"ポイ", "イン", "ント"}}}},
		{"full-width latin", []Term{{Text: "ＡＢＣ"}}, []Clause{{Tokens: []string{"abc"}}}},
		{"japanese phrase keeps inner unigram", []Term{{Text: "返金 申請", Phrase: true}},
			[]Clause{{Tokens: []string{"返金", "金", "申請"}}}},
		{"english phrase", []Term{{Text: "Refund Request", Phrase: true}},
			[]Clause{{Tokens: []string{"refund", "request"}}}},
		{"latin then one kanji", []Term{{Text: "iPhone配"}}, []Clause{{Tokens: []string{"iphone", "配"}, Prefix: true}}},
		{"kanji then latin", []Term{{Text: "配送abc"}}, []Clause{{Tokens: []string{"配送", "送", "abc"}}}},
		{"email", []Term{{Text: "foo@example.com"}}, []Clause{{Tokens: []string{"foo", "example", "com"}}}},
		{"wildcard", []Term{{Text: "refu*"}}, []Clause{{Tokens: []string{"refu"}, Prefix: true}}},
		{"wildcard after kanji", []Term{{Text: "配送*"}}, []Clause{{Tokens: []string{"配送"}}}},
		{"detached star", []Term{{Text: "foo *", Phrase: true}}, []Clause{{Tokens: []string{"foo"}}}},
		{"negation", []Term{{Text: "配送", Negate: true}}, []Clause{{Tokens: []string{"配送"}, Negate: true}}},
		{"no tokens dropped", []Term{{Text: "!!!"}, {Text: "ok"}}, []Clause{{Tokens: []string{"ok"}}}},
		{"mixed AND", []Term{{Text: "iPhone"}, {Text: "配送"}},
			[]Clause{{Tokens: []string{"iphone"}}, {Tokens: []string{"配送"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseText(tt.terms)
			if !reflect.DeepEqual(got.Clauses, tt.want) {
				t.Errorf("got %+v, want %+v", got.Clauses, tt.want)
			}
		})
	}
}

func TestQueryStrings(t *testing.T) {
	tests := []struct {
		name      string
		q         TextQuery
		fts5, tsq string
	}{
		{"empty", TextQuery{}, "", ""},
		{"single", TextQuery{[]Clause{{Tokens: []string{"配送"}}}}, `"配送"`, `'配送'`},
		{"prefix", TextQuery{[]Clause{{Tokens: []string{"配"}, Prefix: true}}}, `"配"*`, `'配':*`},
		{"phrase and", TextQuery{[]Clause{
			{Tokens: []string{"返金", "金", "申請"}},
			{Tokens: []string{"iphone"}},
		}}, `"返金 金 申請" AND "iphone"`, `('返金' <-> '金' <-> '申請') & 'iphone'`},
		{"phrase prefix", TextQuery{[]Clause{{Tokens: []string{"iphone", "配"}, Prefix: true}}},
			`"iphone 配"*`, `('iphone' <-> '配':*)`},
		{"negation", TextQuery{[]Clause{
			{Tokens: []string{"a"}}, {Tokens: []string{"b"}},
			{Tokens: []string{"c", "d"}, Negate: true}, {Tokens: []string{"e"}, Prefix: true, Negate: true},
		}}, `("a" AND "b") NOT "c d" NOT "e"*`, `'a' & 'b' & !('c' <-> 'd') & !'e':*`},
		{"only negative", TextQuery{[]Clause{{Tokens: []string{"配送"}, Negate: true}}}, "", `!'配送'`},
		{"escaping", TextQuery{[]Clause{{Tokens: []string{`a"b`, `c'd\`}}}}, `"a""b c'd\"`, `('a"b' <-> 'c''d\\')`},
		{"empty clause ignored", TextQuery{[]Clause{{}, {Tokens: []string{"x"}}}}, `"x"`, `'x'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.FTS5(); got != tt.fts5 {
				t.Errorf("FTS5() = %s, want %s", got, tt.fts5)
			}
			if got := tt.q.TSQuery(); got != tt.tsq {
				t.Errorf("TSQuery() = %s, want %s", got, tt.tsq)
			}
		})
	}
}

func TestDocuments(t *testing.T) {
	if got, want := FTS5Document("配送状況", "", "Refund!"), "配送 送状 状況 況 \uE000 refund"; got != want {
		t.Errorf("FTS5Document = %q, want %q", got, want)
	}
	if got := FTS5Document("", "!!"); got != "" {
		t.Errorf("FTS5Document of nothing = %q", got)
	}
	got := TSVector(Section{"返金 申請", 'A'}, Section{"", 'B'}, Section{"It's", 'x'}, Section{"配", 'c'})
	want := `'返金':1A '金':2A '申請':3A '請':4A 'it':6D 's':7D '配':9C`
	if got != want {
		t.Errorf("TSVector = %s, want %s", got, want)
	}
}

func TestTSVectorLimits(t *testing.T) {
	// Distinct kanji so that almost every bigram is a new lexeme.
	var long []rune
	for i := range 400_000 {
		long = append(long, rune(0x4E00+(i*7919)%20000))
	}
	v := TSVector(Section{Text: string(long), Weight: 'D'})
	if len(v) > maxTSVectorBytes+1000 {
		t.Errorf("tsvector literal is %d bytes", len(v))
	}
	if want := ":16383D"; v[len(v)-len(want):] != want {
		t.Errorf("positions not clamped: ...%s", v[len(v)-30:])
	}
}
