package mail

import (
	"strings"
	"testing"
)

func TestSplitQuote(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		text                    string
		body, signature, quoted string
	}{
		{
			name: "gmail ja attribution and > quote",
			text: "山田様\n\nご回答ありがとうございます。\n\n2026年11月20日(金) 10:00 山田太郎 <yamada@example.jp>:\n> 配送状況を確認いたします。\n> よろしくお願いします。\n",
			body: "山田様\n\nご回答ありがとうございます。", quoted: "2026年11月20日(金) 10:00 山田太郎 <yamada@example.jp>:\n> 配送状況を確認いたします。\n> よろしくお願いします。",
		},
		{
			name: "thunderbird ja のメール",
			text: "承知しました。\n\n2026/11/20 10:00、山田太郎 のメール:\n> 明日発送します。",
			body: "承知しました。", quoted: "2026/11/20 10:00、山田太郎 のメール:\n> 明日発送します。",
		},
		{
			name: "full-width and ＞ quoting without attribution",
			text: "了解です。\n\n＞ 明日発送します。\n＞ 山田",
			body: "了解です。", quoted: "＞ 明日発送します。\n＞ 山田",
		},
		{
			name: "「> 」 quoting, inline answers stay",
			text: "> 在庫はありますか？\nございます。\n> 納期は？\n三日後です。",
			body: "> 在庫はありますか？\nございます。\n> 納期は？\n三日後です。",
		},
		{
			name: "outlook japanese header block",
			text: "佐藤です。添付の通りです。\n\n________________________________\n差出人: 山田 太郎 <yamada@example.jp>\n送信日時: 2026年11月20日 10:00\n宛先: 佐藤 花子 <hanako@customer.co.jp>\n件名: Re: 見積書\n\n見積書をお送りします。",
			body: "佐藤です。添付の通りです。", quoted: "________________________________\n差出人: 山田 太郎 <yamada@example.jp>\n送信日時: 2026年11月20日 10:00\n宛先: 佐藤 花子 <hanako@customer.co.jp>\n件名: Re: 見積書\n\n見積書をお送りします。",
		},
		{
			name: "original message separator",
			text: "Thanks!\n\n-----Original Message-----\nFrom: support@example.jp\nSubject: hello",
			body: "Thanks!", quoted: "-----Original Message-----\nFrom: support@example.jp\nSubject: hello",
		},
		{
			name: "english wrapped attribution",
			text: "See below.\n\nOn Fri, Nov 20, 2026 at 10:00 AM 山田 太郎 <yamada@example.jp>\nwrote:\n> hello",
			body: "See below.", quoted: "On Fri, Nov 20, 2026 at 10:00 AM 山田 太郎 <yamada@example.jp>\nwrote:\n> hello",
		},
		{
			name: "signature then quote",
			text: "よろしくお願いします。\n\n-- \n佐藤 花子\n株式会社さくら\n\n2026年11月20日(金) 10:00 山田太郎 <yamada@example.jp>:\n> 前回の内容",
			body: "よろしくお願いします。", signature: "佐藤 花子\n株式会社さくら", quoted: "2026年11月20日(金) 10:00 山田太郎 <yamada@example.jp>:\n> 前回の内容",
		},
		{
			name: "signature only",
			text: "ありがとうございます。\n--\n髙橋 ｻﾄｼ\nTEL 03-1234-5678",
			body: "ありがとうございます。", signature: "髙橋 ｻﾄｼ\nTEL 03-1234-5678",
		},
		{
			name: "a date in the text is no attribution",
			text: "2026年12月1日に発送予定です。\nよろしくお願いします。",
			body: "2026年12月1日に発送予定です。\nよろしくお願いします。",
		},
		{
			name: "all quote: nothing split",
			text: "> 全部引用です",
			body: "> 全部引用です",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := SplitQuote(tc.text)
			if p.Body != tc.body || p.Signature != tc.signature || p.Quoted != tc.quoted {
				t.Errorf("SplitQuote:\n body %q\n  sig %q\nquote %q\nwant\n body %q\n  sig %q\nquote %q", p.Body, p.Signature, p.Quoted, tc.body, tc.signature, tc.quoted)
			}
		})
	}
}

func TestSplitQuoteHTML(t *testing.T) {
	for _, tc := range []struct {
		name, html, body, quoteHas string
	}{
		{"gmail", `<div dir="ltr">承知しました。</div><br><div class="gmail_quote"><div class="gmail_attr">2026年11月20日(金) 10:00 山田太郎 &lt;yamada@example.jp&gt;:<br></div><blockquote class="gmail_quote">前回の内容</blockquote></div>`,
			`<div dir="ltr">承知しました。</div><br/>`, "前回の内容"},
		{"thunderbird", `<p>了解です。</p><div class="moz-cite-prefix">2026/11/20 10:00、山田太郎 のメール:<br></div><blockquote type="cite">明日発送します。</blockquote>`,
			`<p>了解です。</p>`, "明日発送します。"},
		{"outlook ja header without ids", `<div><p>佐藤です。</p></div><hr><div><b>差出人:</b> 山田 太郎<br><b>送信日時:</b> 2026年11月20日 10:00<br><b>件名:</b> 見積書</div><div><p>見積書をお送りします。</p></div>`,
			`<div><p>佐藤です。</p></div>`, "見積書をお送りします。"},
		{"trailing blockquote with attribution", `<p>Thanks</p><p>On Fri, 山田 wrote:</p><blockquote>old</blockquote>`,
			`<p>Thanks</p>`, "old"},
		{"blockquote in the middle stays", `<p>a</p><blockquote>前回のご回答</blockquote><p>よろしくお願いいたします。</p>`,
			`<p>a</p><blockquote>前回のご回答</blockquote><p>よろしくお願いいたします。</p>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, q := SplitQuoteHTML(tc.html)
			if b != tc.body || (tc.quoteHas == "" && q != "") || !strings.Contains(q, tc.quoteHas) {
				t.Errorf("SplitQuoteHTML:\n body %q\nquote %q", b, q)
			}
		})
	}
}

func TestRawCharset(t *testing.T) {
	for raw, want := range map[string]string{
		"Subject: x\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$3$s\x1b(B":                               "iso-2022-jp",
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=\"Shift_JIS\"\r\n": "shift_jis",
		"Subject: x\r\n\r\n日本語":       "utf-8",
		"Subject: x\r\n\r\n日本語"[:18]:  "utf-8", // a head cut inside 語
		"Subject: x\r\n\r\n\xe9t\xe9": "iso-8859-1",
	} {
		if got := RawCharset([]byte(raw)); got != want {
			t.Errorf("RawCharset(%q) = %q, want %q", raw, got, want)
		}
	}
}
