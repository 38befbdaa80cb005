package search

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ｶﾀｶﾅ", "カタカナ"},
		{"ﾎﾟｲﾝﾄ", "ポイント"},
		{"ＡＢＣ", "abc"},
		{"ABC", "abc"},
		{"１２３", "123"},
		{"Straße", "strasse"},
		{"Cafe\u0301", "café"},
		{"㈱ｷｽﾞﾅ", "(株)キズナ"},
		{"配送状況", "配送状況"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIndexTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"配送状況", []string{"配送", "送状", "状況", "況"}},
		{"配", []string{"配"}},
		{"手配", []string{"手配", "配"}},
		{"ﾎﾟｲﾝﾄ", []string{"ポイ", "イン", "ント", "ト"}},
		{"コーヒー", []string{"コー", "ーヒ", "ヒー", "ー"}},
		{"ＡＢＣ abc", []string{"abc", "abc"}},
		{"iPhone15の配送", []string{"iphone15", "の配", "配送", "送"}},
		{"foo@example.com", []string{"foo", "example", "com"}},
		{"don't", []string{"don", "t"}},
		{"返金、申請", []string{"返金", "金", "申請", "請"}},
		{"返金　申請", []string{"返金", "金", "申請", "請"}},
		{"3月5日", []string{"3", "月", "5", "日"}},
		{"葛\U000E0100飾区", []string{"葛飾", "飾区", "区"}}, // IVS dropped
		{"〆切", []string{"〆切", "切"}},
		{"人々", []string{"人々", "々"}},
		{"ヶ月", []string{"ヶ月", "月"}},
		{"🎉配送🎉", []string{"配送", "送"}},
		{"Cafe\u0301 Straße", []string{"café", "strasse"}},
		{"co\u00ADoperate", []string{"cooperate"}},
		{"서울에서", []string{"서울", "울에", "에서", "서"}},
		{"Москва", []string{"москва"}},
		{"", nil},
		{"!!! ？ 「」", nil},
	}
	for _, tt := range tests {
		if got := IndexTokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("IndexTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIndexTokensClean(t *testing.T) {
	in := "「返金」'quote' \"dq\" a\\b <tag> (x) 1.5 配送:状況 ﾎﾟｲﾝﾄ*"
	for _, tok := range IndexTokens(in) {
		if tok == "" || strings.ContainsAny(tok, " \t\"'\\*:()<>!&|-.,@") {
			t.Errorf("token %q contains a special character", tok)
		}
	}
}

func TestTokenTruncation(t *testing.T) {
	long := strings.Repeat("a", 300) + " " + strings.Repeat("あ", 10)
	for _, tok := range IndexTokens(long) {
		if len(tok) > maxTokenBytes {
			t.Errorf("token of %d bytes", len(tok))
		}
	}
	// Index and query agree on truncated words.
	q := ParseText([]Term{{Text: strings.Repeat("A", 300)}})
	if q.Clauses[0].Tokens[0] != IndexTokens(long)[0] {
		t.Error("query and index truncate differently")
	}
	mb := strings.Repeat("é", 150) // 2 bytes each: cut must respect runes
	if tok := IndexTokens(mb)[0]; len(tok) != maxTokenBytes || !strings.HasPrefix(mb, tok) {
		t.Errorf("bad truncation: %d bytes", len(tok))
	}
}
