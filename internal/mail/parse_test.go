package mail

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/model"
)

func sjis(s string) string {
	b, err := japanese.ShiftJIS.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseJapaneseEdgeCases(t *testing.T) {
	cases := []struct {
		name                string
		raw                 string
		subject, from, text string
		warn                bool
	}{
		{
			name: "ISO-2022-JP with NEC row 13 and half-width kana",
			raw: "Subject: =?ISO-2022-JP?B?GyRCLSEtahsoQg==?=\r\nFrom: a@example.jp\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" +
				"\x1b$B-!-j\x1b(B \x1b(I6@6E\x1b(B\r\n",
			subject: "①㈱", from: "", text: "①㈱ ｶﾀｶﾅ",
		},
		{
			name:    "raw 8-bit Shift_JIS headers and body without labels",
			raw:     "Subject: " + sjis("髙橋様①のお問い合わせ") + "\nFrom: " + sjis("髙橋 ㈱") + " <t@example.jp>\n\n" + sjis("本文ｶﾀｶﾅ") + "\n",
			subject: "髙橋様①のお問い合わせ", from: "髙橋 ㈱", text: "本文ｶﾀｶﾅ", warn: true,
		},
		{
			name:    "raw UTF-8 headers are fine as they are",
			raw:     "Subject: 配送状況を教えてください\nFrom: 佐藤 花子 <hanako@example.com>\n\n本文\n",
			subject: "配送状況を教えてください", from: "佐藤 花子", text: "本文",
		},
		{
			name: "Q encoded words split inside a character, text between kept",
			raw: "Subject: =?UTF-8?Q?=E9=85=8D=E9?= =?UTF-8?Q?=80=81?= x =?ISO-2022-JP?B?GyRCJCIbKEI=?=\n" +
				"From: \"=?UTF-8?B?5L2Q6Jek?=\" <s@example.jp>\n\nok\n",
			subject: "配送 x あ", from: "佐藤", text: "ok",
		},
		{
			name:    "us-ascii label on EUC-JP bytes",
			raw:     "From: e@example.jp\nContent-Type: text/plain; charset=us-ascii\n\n" + mustEUC("ログインできません") + "\n",
			subject: "", text: "ログインできません", warn: true,
		},
		{
			name:    "quoted-printable Shift_JIS, soft line breaks",
			raw:     "From: q@example.jp\nContent-Type: text/plain; charset=shift_jis\nContent-Transfer-Encoding: quoted-printable\n\n" + qp(sjis("①㈱髙ｶﾀｶﾅ")) + "\n",
			subject: "", text: "①㈱髙ｶﾀｶﾅ",
		},
		{
			name: "ISO-2022-JP with a byte damaged on the way still reads",
			raw: "Subject: =?ISO-2022-JP?B?GyRCJFskMhsoQg==?=\r\nFrom: j@example.jp\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" +
				"\x1b$B$3$s$K$A$O\x1b(B \x1b$B\xff$9\x1b(B\r\n",
			subject: "ほげ", text: "こんにちは \uFFFDす", warn: true,
		},
		{
			name: "HTML that names its charset in a meta tag",
			raw: "From: h@example.jp\nContent-Type: text/html\n\n<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"></head><body><p>" +
				sjis("髙橋です。ログインできません") + "</p></body></html>\n",
			subject: "", text: "髙橋です。ログインできません",
		},
		{
			name:    "UTF-8 cut inside a character stays UTF-8",
			raw:     "From: c@example.jp\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + "6YWN6YCB54q25rOB"[:14] + "!!@@\n",
			subject: "", text: "配送状\uFFFD", warn: true,
		},
		{
			name:    "an encoded word that is not base64 is shown as written",
			raw:     "Subject: =?UTF-8?B?!!!notbase64?= =?UTF-8?B?6YWN6YCB?=\nFrom: b@example.jp\n\nok\n",
			subject: "=?UTF-8?B?!!!notbase64?= 配送", text: "ok",
		},
		{
			name:    "unknown charset is best effort with a warning",
			raw:     "From: u@example.jp\nContent-Type: text/plain; charset=x-foo\n\n" + sjis("請求書") + "\n",
			subject: "", text: "請求書", warn: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := Parse([]byte(c.raw))
			if m.Subject != c.subject || m.From.Name != c.from || m.Text != c.text {
				t.Errorf("got subject %q from %q text %q; want %q %q %q", m.Subject, m.From.Name, m.Text, c.subject, c.from, c.text)
			}
			if c.warn != (len(m.Warnings) > 0) {
				t.Errorf("warnings %q, want some: %v", m.Warnings, c.warn)
			}
		})
	}
}

func mustEUC(s string) string {
	b, err := japanese.EUCJP.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func qp(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && i%10 == 0 {
			b.WriteString("=\n")
		}
		b.WriteString("=" + strings.ToUpper(string("0123456789abcdef"[s[i]>>4])+string("0123456789abcdef"[s[i]&15])))
	}
	return b.String()
}

func TestParseStructure(t *testing.T) {
	raw := "From: 佐藤 <a@example.jp>\nTo: support+t42@example.jp, \"Kato, Ken\" <kato@example.com>\nCc: undisclosed-recipients:;\n" +
		"Message-ID: <m1@example.jp>\nIn-Reply-To: <r1@example.jp>\nReferences: <r0@example.jp>\n <r1@example.jp>\n" +
		"Content-Type: multipart/mixed; boundary=XX\n\n" +
		"preamble\n--XX\nContent-Type: text/html; charset=utf-8\n\n<p onclick=\"evil()\">本文<script>x()</script><img src=\"http://t.example/p.gif\"><img src=\"cid:i1\"></p>\n" +
		"--XX\nContent-Type: image/png\nContent-ID: <i1>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n" +
		"--XX\nContent-Type: application/octet-stream; name*=UTF-8''%E8%A6%8B%E7%A9%8D.pdf\nContent-Transfer-Encoding: base64\n\nAAEC\nAwQ\n"
	// No closing delimiter, and a base64 part without padding.
	m := Parse([]byte(raw))
	if m.MessageID != "m1@example.jp" || m.InReplyTo != "r1@example.jp" || strings.Join(m.References, " ") != "r0@example.jp r1@example.jp" {
		t.Errorf("ids: %q %q %q", m.MessageID, m.InReplyTo, m.References)
	}
	if len(m.To) != 2 || m.To[1].Name != "Kato, Ken" || m.To[0].Address != "support+t42@example.jp" || len(m.Cc) != 0 {
		t.Errorf("to/cc: %+v %+v", m.To, m.Cc)
	}
	if strings.Contains(m.HTML, "script") || strings.Contains(m.HTML, "onclick") || strings.Contains(m.HTML, "t.example") ||
		!strings.Contains(m.HTML, `src="cid:i1"`) {
		t.Errorf("html not sanitized right: %s", m.HTML)
	}
	if !strings.HasPrefix(m.Text, "本文") {
		t.Errorf("text from html: %q", m.Text)
	}
	if len(m.Attachments) != 2 || m.Attachments[0].ContentID != "i1" || m.Attachments[0].FileName != "image-1.png" ||
		m.Attachments[1].FileName != "見積.pdf" || !bytes.Equal(m.Attachments[1].Data, []byte{0, 1, 2, 3, 4}) {
		t.Errorf("attachments: %+v", m.Attachments)
	}
}

func TestQuoteStart(t *testing.T) {
	cases := []struct{ text, quoted string }{
		{"ありがとうございます。\n\nOn Mon, Jan 1, 2024 at 10:00 AM Support <s@example.jp> wrote:\n> 前回の返信", "On Mon"},
		{"了解しました。\n\n2024年1月1日(月) 10:00 サポート <s@example.jp>:\n> 前回", "2024年1月1日"},
		{"承知しました。\n\n佐藤さんは書きました:\n> 以前", "佐藤さん"},
		{"確認します。\n\n-----Original Message-----\nFrom: a", "-----Original"},
		{"確認します。\n\n-----元のメッセージ-----\n差出人: a", "-----元の"},
		{"本文です。\n-- \n株式会社きずな\n佐藤", "-- \n"},
		{"引用なしの本文です。\n二行目", ""},
	}
	for _, c := range cases {
		q := quoteStart(c.text)
		if c.quoted == "" {
			if q != -1 {
				t.Errorf("%q: quote at %d, want none", c.text, q)
			}
			continue
		}
		if q < 0 || !strings.HasPrefix(c.text[q:], c.quoted) {
			t.Errorf("%q: quote at %d, want at %q", c.text, q, c.quoted)
		}
	}
}

func TestLoopsAndAutoReply(t *testing.T) {
	inbox := &model.Inbox{AutoAck: true, Active: true, Addresses: []string{"support@example.jp"}}
	ours := []string{"support@example.jp", "billing@example.jp"}
	cases := []struct {
		raw  string
		want bool
	}{
		{"From: 佐藤 <hanako@example.com>\n\nhi\n", true},
		{"From: hanako@example.com\nAuto-Submitted: auto-replied\n\nooo\n", false},
		{"From: hanako@example.com\nAuto-Submitted: no\n\nhi\n", true},
		{"From: hanako@example.com\nPrecedence: bulk\n\nnews\n", false},
		{"From: hanako@example.com\nPrecedence: junk\n\nx\n", false},
		{"From: hanako@example.com\nX-Autoreply: yes\n\nx\n", false},
		{"From: hanako@example.com\nX-Autorespond: yes\n\nx\n", false},
		{"From: hanako@example.com\nList-Id: <users.lists.example.com>\n\nx\n", false},
		{"From: MAILER-DAEMON@mx.example.jp\n\nx\n", false},
		{"From: postmaster@example.com\n\nx\n", false},
		{"From: billing+t12@example.jp\n\nx\n", false},
		{"From: Support <SUPPORT@example.jp>\n\nx\n", false},
		{"Subject: no sender\n\nx\n", false},
		{"From: hanako@example.com\nX-Auto-Response-Suppress: All\n\nx\n", false},
	}
	for _, c := range cases {
		if got := ShouldAutoReply(Parse([]byte(c.raw)), inbox, ours); got != c.want {
			t.Errorf("%q: ShouldAutoReply = %v, want %v", c.raw, got, c.want)
		}
	}
	if m := Parse([]byte("From: a@example.com\nX-Auto-Response-Suppress: OOF\n\nx\n")); m.AutoSubmitted || len(m.LoopSignals) != 1 {
		t.Errorf("suppress request: auto-submitted %v, signals %v", m.AutoSubmitted, m.LoopSignals)
	}
	off := *inbox
	off.AutoAck = false
	if ShouldAutoReply(Parse([]byte(cases[0].raw)), &off, ours) {
		t.Error("auto-ack off still replies")
	}
}

func TestAckLimiter(t *testing.T) {
	l := NewAckLimiter(3, time.Hour)
	t0 := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.Allow("Hanako@example.com", t0.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("ack %d refused", i)
		}
	}
	if l.Allow("hanako+x@example.com", t0.Add(10*time.Minute)) {
		t.Error("fourth ack within the hour allowed")
	}
	if !l.Allow("other@example.com", t0.Add(10*time.Minute)) {
		t.Error("another sender limited")
	}
	if !l.Allow("hanako@example.com", t0.Add(61*time.Minute)) {
		t.Error("ack refused after the window moved on")
	}
}

func TestParseNeverFails(t *testing.T) {
	deep := strings.Repeat("Content-Type: multipart/mixed; boundary=b\n\n--b\n", 200)
	for _, raw := range []string{"", "\n\n", "garbage without headers", "Content-Type: multipart/mixed\n\nno boundary",
		"Content-Type: text/plain; charset=\"\n\n\xff\xfe", "Subject: =?x?Q?=ZZ?= =?utf-8?B?@@@?=\n\n", deep,
		"Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=ZZ=\n=E3=81"} {
		m := Parse([]byte(raw))
		if m == nil {
			t.Fatalf("nil for %q", raw)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("Subject: =?ISO-2022-JP?B?GyRCLSEbKEI=?=\nFrom: a@b\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain; charset=shift_jis\n\nhi\n--x--\n"))
	f.Add([]byte("From: \"a, b\" <a@b>\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@y\nAction: failed\n\n--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: <o@x>\n--r--\n"))
	f.Add([]byte("Content-Type: text/html\nContent-Transfer-Encoding: base64\n\nPGltZyBzcmM9Imh0dHA6Ly94Ij4=\n"))
	f.Add([]byte("Content-Disposition: attachment; filename*0*=Shift_JIS''%8C%DA; filename*1=x.csv\n\nabc"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := Parse(raw)
		if m == nil {
			t.Fatal("nil message")
		}
		for _, w := range m.Warnings {
			if strings.HasPrefix(w, "the message could not be read completely") {
				t.Fatalf("Parse panicked (recovered): %s", w)
			}
		}
		if m.QuoteStart > len(m.Text) {
			t.Fatalf("quote start %d beyond text %d", m.QuoteStart, len(m.Text))
		}
		for what, s := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML, "from": m.From.Name} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", what, s)
			}
		}
	})
}

func TestPlainBounceWithoutDSN(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example.jp\nSubject: failure notice\n\nSorry, I couldn't deliver your message.\n\n--- Below this line is a copy of the message.\n\n" +
		"Message-ID: <out-9@kizuna.example.jp>\nSubject: Re\n\nhello\n"
	m := Parse([]byte(raw))
	if m.Bounce == nil || m.Bounce.OriginalMessageID != "out-9@kizuna.example.jp" || !m.Bounce.Permanent() {
		t.Errorf("bounce = %+v", m.Bounce)
	}
	if m := Parse([]byte("From: hanako@example.com\n\nMessage-ID: <x@y>\n")); m.Bounce != nil {
		t.Error("a person quoting headers is not a bounce")
	}
}

func BenchmarkParse(b *testing.B) {
	raw := []byte("From: " + "=?ISO-2022-JP?B?GyRCOjRGIyEhMlZOJBsoQg==?=" + " <hanako@example.com>\r\nTo: support@example.jp\r\n" +
		"Subject: =?ISO-2022-JP?B?GyRCR1s/OT51Nz0kcjY1JCgkRiQvJEAkNSQkGyhC?=\r\nMessage-ID: <bench@example.com>\r\n" +
		"Content-Type: multipart/alternative; boundary=A\r\n\r\n--A\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" +
		strings.Repeat(jisText("お世話になっております。注文番号１２３の配送状況を教えてください。\r\n"), 10) +
		"\r\n--A\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64(strings.Repeat("<p>お世話になっております。<b>注文番号</b>の配送状況を教えてください。</p>", 10)) + "\r\n--A--\r\n")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if m := Parse(raw); m.Subject == "" || m.Text == "" {
			b.Fatal("not parsed")
		}
	}
}

func jisText(s string) string {
	b, _ := japanese.ISO2022JP.NewEncoder().String(s)
	return b
}

// A message attached whole is named after its subject, as mail clients
// name a forwarded message; one without a subject keeps a numbered name.
func TestForwardedMessageName(t *testing.T) {
	part := func(subject string) string {
		return "--F\r\nContent-Type: message/rfc822\r\n\r\nFrom: orig@example.jp\r\n" + subject +
			"Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B86$NK\\J8\x1b(B\r\n"
	}
	raw := "From: f@example.jp\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=F\r\n\r\n" +
		"--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n転送します\r\n" +
		part("Subject: =?UTF-8?B?5YWD44Gu5Lu25ZCN?= A/B\r\n") + part("") + "--F--\r\n"
	m := Parse([]byte(raw))
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.FileName)
	}
	if len(names) != 2 || names[0] != "元の件名 A_B.eml" || names[1] != "attachment-1.eml" {
		t.Fatalf("attachment names %q", names)
	}
}
