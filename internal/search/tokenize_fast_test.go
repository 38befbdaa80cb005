package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// referenceTokens is IndexTokens without the fast paths.
func referenceTokens(s string) []string {
	var out []string
	for _, r := range segment(normalizeSlow(s)) {
		out = appendRunTokens(out, r, false)
	}
	return out
}

// TestStableRunes checks stableRune exhaustively: each such character
// normalises to itself, and no canonical composition joins two of them.
func TestStableRunes(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !stableRune(r) {
			continue
		}
		if got := normalizeSlow(string(r)); got != string(r) {
			t.Errorf("stableRune(%U) but it normalises to %q", r, got)
		}
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		d := norm.NFD.String(string(r))
		if d == string(r) || utf8.RuneCountInString(d) < 2 {
			continue
		}
		all := true
		for _, x := range d {
			all = all && (stableRune(x) || x < utf8.RuneSelf)
		}
		if all {
			t.Errorf("%U decomposes into stable characters %q: they would compose", r, d)
		}
	}
	for c := rune(0); c < utf8.RuneSelf; c++ {
		want := normalizeSlow(string(c))
		if got, ok := normalizeFast(string(c)); !ok || got != want {
			t.Errorf("normalizeFast(%q) = %q, %v; want %q", c, got, ok, want)
		}
	}
}

func TestKanaOrKanji(t *testing.T) {
	for r := rune(0x3000); r <= 0x9FFF; r++ {
		if isKanaOrKanji(r) && !isCJK(r) {
			t.Errorf("isKanaOrKanji(%U) but not isCJK", r)
		}
	}
}

// TestFastTokensMatchReference compares the fast paths with the general
// ones on the unit tests' inputs, awkward cases and random mixtures.
func TestFastTokensMatchReference(t *testing.T) {
	inputs := []string{
		"配送状況", "ｶﾀｶﾅ ﾎﾟｲﾝﾄ", "iPhone15の配送", "葛\U000E0100飾区", "配\uFE0F\u0301送", "a\u200Bb", "ab\u200B\u0301c",
		"Cafe\u0301 Straße", "co\u00ADoperate", "서울에서", "Москва", "㈱キズナ", "①②③", "髙橋 𠮷田", "\xff\xfe配送", "e\u0301\u0301",
		"\u0301配", "配\u0301\u0302送", "ＡＢＣ abc", "UPPER lower 混在", strings.Repeat("a", 300) + "配" + strings.Repeat("あ", 120),
		"お問い合わせいただきありがとうございます。\n\nさくらマーケットの髙橋でございます。注文番号SM-00012345の件、¥3,980を返金いたしました。",
	}
	alphabet := []rune("aZ9 .,@-_配送返金ポイントﾎﾟｲﾝﾄｰー々〆「」、。\u200B\u00AD\uFE0F\U000E0100\u0301\u3099か\u309Aﾊ\uFF9EＡ１é서ñß①㈱\U00020BB7\n\t")
	r := rand.New(rand.NewPCG(7, 11))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	for _, in := range inputs {
		if got, want := Normalize(in), normalizeSlow(in); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q", in, got, want)
		}
		if got, want := IndexTokens(in), referenceTokens(in); !slices.Equal(got, want) {
			t.Fatalf("IndexTokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFastTokens(f *testing.F) {
	for _, s := range []string{"配送状況", "ab\u200B\u0301c", "配\uFE0F\u0301送", "ﾎﾟｲﾝﾄ ABC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IndexTokens(s), referenceTokens(s); !slices.Equal(got, want) {
			t.Fatalf("IndexTokens(%q) = %q, want %q", s, got, want)
		}
	})
}

func BenchmarkIndexTokens(b *testing.B) {
	doc := strings.Repeat("お問い合わせいただきありがとうございます。さくらマーケットの髙橋でございます。ご注文SM-00012345の配送状況を確認いたしました。", 4)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		IndexTokens(doc)
	}
}
