package outbound

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// testReply is a reply from 山田 太郎 on ticket 42 of the サポート inbox.
func testReply(t *testing.T) (*Reply, *blob.Store) {
	t.Helper()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &Reply{
		Inbox: &model.Inbox{ID: 1, Name: "サポート", Addresses: []string{"support@example.jp", "help@example.jp"},
			TicketToken: "both", Signature: "株式会社キズナ サポート窓口\nTEL 03-0000-0000"},
		Brand:     &model.Brand{Name: "キズナ"},
		Ticket:    &model.Ticket{ID: 42, Subject: "配送状況を教えてください"},
		Comment:   &model.Comment{ID: 7, Body: "佐藤様\n\nお問い合わせありがとうございます。①㈱髙ｶﾀｶﾅ", HTMLBody: "<p>佐藤様</p><p>お問い合わせありがとうございます。①㈱髙ｶﾀｶﾅ</p>"},
		Author:    &model.User{Name: "山田 太郎", Signature: "山田"},
		Requester: &model.User{Name: "佐藤 花子", Email: "hanako@customer.co.jp"},
		CCs:       []*model.User{{Name: "鈴木 一郎", Email: "suzuki@customer.co.jp"}, {Name: "dup", Email: "hanako@customer.co.jp"}, {Name: "loop", Email: "support@example.jp"}},
		Thread: []*model.MailMessage{
			{Direction: model.MailIn, MessageID: "first@customer.co.jp", State: model.MailProcessed},
			{Direction: model.MailOut, MessageID: "kz.42.3.aa@example.jp", State: model.MailSent},
			{Direction: model.MailOut, MessageID: "kz.42.4.bb@example.jp", State: StateCancelled},
			{Direction: model.MailIn, MessageID: "second@customer.co.jp", State: model.MailProcessed},
		},
		Date: time.Date(2026, 4, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600)),
	}, blobs
}

func withPDF(t *testing.T, r *Reply, blobs *blob.Store) {
	t.Helper()
	sum, size, err := blobs.Put(bytes.NewReader([]byte("%PDF-1.4 見積書\n")), 0)
	if err != nil {
		t.Fatal(err)
	}
	r.Comment.Attachments = []model.Attachment{{FileName: "見積書.pdf", ContentType: "application/pdf", SHA256: sum, Size: size}}
}

// parsed is a reply read back with the standard library.
type parsed struct {
	msg   *mail.Message
	texts map[string]string // content type → decoded text
	files map[string][]byte // file name → bytes
}

func parse(t *testing.T, raw []byte) *parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the reply: %v\n%s", err, raw)
	}
	p := &parsed{msg: msg, texts: map[string]string{}, files: map[string][]byte{}}
	p.walk(t, textprotoHeader(msg.Header), msg.Body)
	return p
}

type header interface{ Get(string) string }

func textprotoHeader(h mail.Header) header { return h }

func (p *parsed) walk(t *testing.T, h header, body io.Reader) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p.walk(t, part.Header, part)
		}
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("Content-Transfer-Encoding") == "base64" {
		if data, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data))); err != nil {
			t.Fatalf("base64 part: %v", err)
		}
	}
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
		p.files[dp["filename"]] = data
		return
	}
	switch strings.ToLower(params["charset"]) {
	case "iso-2022-jp":
		if data, err = japanese.ISO2022JP.NewDecoder().Bytes(data); err != nil {
			t.Fatalf("ISO-2022-JP part does not decode: %v", err)
		}
	case "utf-8":
	default:
		t.Fatalf("unexpected charset %q", params["charset"])
	}
	p.texts[mt] = strings.ReplaceAll(string(data), "\r\n", "\n")
}

var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, in io.Reader) (io.Reader, error) {
	if strings.EqualFold(charset, "iso-2022-jp") {
		return japanese.ISO2022JP.NewDecoder().Reader(in), nil
	}
	return nil, io.EOF
}}

func TestComposeUTF8(t *testing.T) {
	r, blobs := testReply(t)
	withPDF(t, r, blobs)
	raw, id, err := Compose(r, blobs)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line longer than 998 octets: %q", line[:80])
		}
	}
	p := parse(t, raw)
	h := p.msg.Header
	from, err := (&mail.AddressParser{WordDecoder: wordDecoder}).Parse(h.Get("From"))
	if err != nil || from.Name != "山田 太郎 via キズナ" || from.Address != "support@example.jp" {
		t.Errorf("From = %q → %+v, %v", h.Get("From"), from, err)
	}
	to, _ := h.AddressList("To")
	if len(to) != 1 || to[0].Name != "佐藤 花子" || to[0].Address != "hanako@customer.co.jp" {
		t.Errorf("To = %q", h.Get("To"))
	}
	cc, _ := h.AddressList("Cc")
	if len(cc) != 1 || cc[0].Address != "suzuki@customer.co.jp" || cc[0].Name != "鈴木 一郎" {
		t.Errorf("Cc = %q: want only 鈴木 (no requester twice, no own address)", h.Get("Cc"))
	}
	if got := h.Get("Reply-To"); got != "<support+t42@example.jp>" {
		t.Errorf("Reply-To = %q", got)
	}
	if subj, _ := wordDecoder.DecodeHeader(h.Get("Subject")); subj != "Re: 配送状況を教えてください [#42]" {
		t.Errorf("Subject = %q", subj)
	}
	if h.Get("Message-ID") != "<"+id+">" || !strings.HasPrefix(id, "kz.42.7.") || !strings.HasSuffix(id, "@example.jp") {
		t.Errorf("Message-ID = %q, id %q", h.Get("Message-ID"), id)
	}
	if got := h.Get("In-Reply-To"); got != "<second@customer.co.jp>" {
		t.Errorf("In-Reply-To = %q", got)
	}
	if got := strings.Join(strings.Fields(h.Get("References")), " "); got != "<first@customer.co.jp> <kz.42.3.aa@example.jp> <second@customer.co.jp>" {
		t.Errorf("References = %q (a recalled mail must not be referenced)", got)
	}
	if d, err := h.Date(); err != nil || !d.Equal(r.Date) {
		t.Errorf("Date = %q", h.Get("Date"))
	}
	if h.Get("MIME-Version") != "1.0" || h.Get("Auto-Submitted") != "" {
		t.Errorf("MIME-Version %q, Auto-Submitted %q", h.Get("MIME-Version"), h.Get("Auto-Submitted"))
	}
	text := p.texts["text/plain"]
	if !strings.Contains(text, "お問い合わせありがとうございます。①㈱髙ｶﾀｶﾅ") || !strings.Contains(text, "\n-- \n株式会社キズナ サポート窓口") || !strings.Contains(text, "\n山田\n") {
		t.Errorf("text body = %q", text)
	}
	if !strings.Contains(p.texts["text/html"], "<p>お問い合わせありがとうございます。①㈱髙ｶﾀｶﾅ</p>") || !strings.Contains(p.texts["text/html"], "株式会社キズナ サポート窓口<br>TEL") {
		t.Errorf("html body = %q", p.texts["text/html"])
	}
	if got := string(p.files["見積書.pdf"]); got != "%PDF-1.4 見積書\n" {
		t.Errorf("attachment 見積書.pdf = %q; files %v", got, p.files)
	}
	if !strings.Contains(string(raw), "filename*=utf-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf") {
		t.Error("attachment name is not RFC 2231 encoded")
	}
	pythonReads(t, raw, "Re: 配送状況を教えてください [#42]", "見積書.pdf")
}

func TestComposeSubjectAndTokens(t *testing.T) {
	cases := []struct {
		subject, token, want, replyTo string
		first                         bool // no mail on the ticket yet
	}{
		{"配送状況を教えてください", "subject", "Re: 配送状況を教えてください [#42]", "<support@example.jp>", false},
		{"ご注文の確認", "subject", "ご注文の確認 [#42]", "<support@example.jp>", true},
		{"Re: 配送状況を教えてください [#42]", "both", "Re: 配送状況を教えてください [#42]", "<support+t42@example.jp>", false},
		{"RE：請求書の件 [#42]", "subject", "RE：請求書の件 [#42]", "<support@example.jp>", false},
		{"請求書の件", "address", "Re: 請求書の件", "<support+t42@example.jp>", false},
	}
	for _, c := range cases {
		r, blobs := testReply(t)
		r.Ticket.Subject, r.Inbox.TicketToken = c.subject, c.token
		if c.first {
			r.Thread = nil
		}
		raw, _, err := Compose(r, blobs)
		if err != nil {
			t.Fatal(err)
		}
		h := parse(t, raw).msg.Header
		if subj, _ := wordDecoder.DecodeHeader(h.Get("Subject")); subj != c.want {
			t.Errorf("%q/%s: Subject = %q, want %q", c.subject, c.token, subj, c.want)
		}
		if h.Get("Reply-To") != c.replyTo {
			t.Errorf("%q/%s: Reply-To = %q, want %q", c.subject, c.token, h.Get("Reply-To"), c.replyTo)
		}
	}
}

func TestComposeISO2022JP(t *testing.T) {
	r, blobs := testReply(t)
	r.Inbox.LegacyCharset = "iso-2022-jp"
	r.Comment.Body = "佐藤様\n\nいつもお世話になっております。長い行" + strings.Repeat("あ", 40)
	r.Comment.HTMLBody = "<p>ご注文ありがとうございます 🎉 ①㈱髙ｶﾀｶﾅ</p>" // none of these is in JIS X 0208
	r.Auto = true
	raw, _, err := Compose(r, blobs)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range raw {
		if b >= 0x80 {
			t.Fatal("an ISO-2022-JP reply must be 7-bit")
		}
	}
	s := string(raw)
	if !strings.Contains(s, "Subject: =?ISO-2022-JP?B?") || !strings.Contains(s, "text/plain; charset=ISO-2022-JP") || !strings.Contains(s, "text/html; charset=UTF-8") {
		t.Fatalf("want ISO-2022-JP subject and text, UTF-8 html (emoji):\n%s", s)
	}
	p := parse(t, raw)
	if subj, err := wordDecoder.DecodeHeader(p.msg.Header.Get("Subject")); err != nil || subj != "Re: 配送状況を教えてください [#42]" {
		t.Errorf("Subject = %q, %v", subj, err)
	}
	from, err := (&mail.AddressParser{WordDecoder: wordDecoder}).Parse(p.msg.Header.Get("From"))
	if err != nil || from.Name != "山田 太郎 via キズナ" {
		t.Errorf("From = %q → %+v, %v", p.msg.Header.Get("From"), from, err)
	}
	if !strings.Contains(p.texts["text/plain"], "いつもお世話になっております。長い行"+strings.Repeat("あ", 40)) {
		t.Errorf("text = %q", p.texts["text/plain"])
	}
	if !strings.Contains(p.texts["text/html"], "🎉 ①㈱髙ｶﾀｶﾅ") {
		t.Errorf("html = %q", p.texts["text/html"])
	}
	if p.msg.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Error("automatic mail lacks Auto-Submitted: auto-generated")
	}
	// Vendor extensions of ISO-2022-JP are not used: a part with ① or
	// half-width kana goes as UTF-8 instead.
	r.Comment.Body = "①番の商品ｶﾀｶﾅ"
	if raw, _, err = Compose(r, blobs); err != nil {
		t.Fatal(err)
	}
	if s := string(raw); !strings.Contains(s, "text/plain; charset=UTF-8") || strings.Contains(s, "\x1b(I") {
		t.Errorf("a body with ① and half-width kana must fall back to UTF-8:\n%s", s)
	}
	if got := parse(t, raw).texts["text/plain"]; !strings.Contains(got, "①番の商品ｶﾀｶﾅ") {
		t.Errorf("text = %q", got)
	}
	// A long subject is split into several self-contained encoded words.
	r.Ticket.Subject = strings.Repeat("配送状況を教えてください", 6)
	raw, _, err = Compose(r, blobs)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).msg.Header
	if subj, err := wordDecoder.DecodeHeader(h.Get("Subject")); err != nil || subj != "Re: "+r.Ticket.Subject+" [#42]" {
		t.Errorf("long Subject = %q, %v", subj, err)
	}
	pythonReads(t, raw, "Re: "+r.Ticket.Subject+" [#42]", "")
}

// pythonReads checks the reply with Python's email package, a parser that is
// not ours, when python3 is installed.
func pythonReads(t *testing.T, raw []byte, subject, file string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not installed; skipping the cross-check")
		return
	}
	f := t.TempDir() + "/m.eml"
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
print(str(m['subject']))
for p in m.walk():
    if p.get_filename():
        print(p.get_filename())
    elif p.get_content_type() == 'text/plain':
        p.get_content()
`
	out, err := exec.Command(py, "-c", script, f).CombinedOutput()
	if err != nil {
		t.Fatalf("python email: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[0] != subject || (file != "" && (len(lines) < 2 || lines[1] != file)) {
		t.Errorf("python email read %q", lines)
	}
}
