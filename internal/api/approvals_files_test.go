package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// mailFileNames returns the file names of a raw mail's attachments, as a
// mail program reads them (RFC 2231 decoded).
func mailFileNames(t *testing.T, raw []byte) []string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("outgoing mail: %v", err)
	}
	var names []string
	var walk func(ctype string, body io.Reader)
	walk = func(ctype string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil || !strings.HasPrefix(mt, "multipart/") {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return
			}
			if disp, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && disp == "attachment" {
				names = append(names, dp["filename"])
			}
			walk(p.Header.Get("Content-Type"), p)
		}
	}
	walk(m.Header.Get("Content-Type"), m.Body)
	return names
}

// uploadFile posts one file to /uploads with its own content type (the
// test client would say JSON) and returns the token.
func uploadFile(t *testing.T, d *apptest.Desk, u *apptest.User, name, token string, data []byte) string {
	t.Helper()
	q := "?filename=" + url.QueryEscape(name)
	if token != "" {
		q += "&token=" + token
	}
	req, _ := http.NewRequest("POST", d.URL+"/api/v2/uploads.json"+q, bytes.NewReader(data))
	req.Header.Set("Content-Type", mime.TypeByExtension(filepath.Ext(name)))
	req.SetBasicAuth(u.Email+"/token", u.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Upload struct {
			Token string `json:"token"`
		} `json:"upload"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 201 {
		t.Fatalf("upload %s: %d %v", name, resp.StatusCode, err)
	}
	return out.Upload.Token
}

// TestApprovalDraftFiles: a trainee submits a draft with two files
// (見積書.pdf, 請求書（11月分）.xlsx) through upload tokens; the approver
// sees and can download both, removes one and sends on the trainee's
// behalf; the public comment carries exactly the kept file, and the
// outgoing mail has it, its Japanese name RFC 2231-encoded. Tokens are the
// uploader's own and are used once.
func TestApprovalDraftFiles(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := d.AddUser("shinjin@example.jp", "新人 次郎", model.RoleAgent)
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", trainee.ID), map[string]any{"user": map[string]any{"approval_required": true}})
		inbox := addInbox(t, d, "サポート窓口", "support@example.jp")
		tk := mailTicket(t, d, d.Customer, inbox, "見積と請求について", "見積書と請求書を送ってください。", nil)

		token := uploadFile(t, d, trainee, "見積書.pdf", "", []byte("%PDF-1.4 見積書 ㈱髙島屋"))
		uploadFile(t, d, trainee, "請求書（11月分）.xlsx", token, []byte("PK\x03\x04 請求書"))

		// Someone else's token is refused.
		other := d.Must(201, d.Agent, "POST", "/api/v2/uploads.json?filename=x.txt", []byte("x")).Str("upload.token")
		d.Must(422, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": "添付します。", "uploads": []string{other}}})

		r := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk),
			map[string]any{"draft": map[string]any{"body": "見積書と請求書を添付いたします。", "uploads": []string{token}}})
		id := r.Int("draft.id")
		if r.Len("draft.attachments") != 2 || r.Str("draft.attachments.0.file_name") != "見積書.pdf" || r.Str("draft.attachments.1.file_name") != "請求書（11月分）.xlsx" {
			t.Fatalf("draft attachments: %s", r.Raw)
		}
		pdf, xlsx := r.Int("draft.attachments.0.id"), r.Int("draft.attachments.1.id")
		// The same token cannot feed a second draft (nor a comment meanwhile).
		d.Must(422, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": "再依頼", "uploads": []string{token}}})
		if n := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/drafts/%d", id), nil).Len("draft.attachments"); n != 2 {
			t.Fatalf("after a refused resubmit the draft has %d files", n)
		}

		// The approver sees and downloads the files; the customer cannot.
		a := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), nil)
		if a.Len("drafts.0.attachments") != 2 {
			t.Fatalf("approver's view: %s", a.Raw)
		}
		if content := d.Do(d.Agent, "GET", fmt.Sprintf("/api/v2/attachments/%d/content", xlsx), nil); content.Status != 200 || string(content.Raw) != "PK\x03\x04 請求書" {
			t.Fatalf("download: %d %q", content.Status, content.Raw)
		}
		if r := d.Do(d.Customer, "GET", fmt.Sprintf("/api/v2/attachments/%d/content", xlsx), nil); r.Status != 404 {
			t.Fatalf("customer downloads a draft's file: %d", r.Status)
		}

		// Remove one: a file not on the draft is refused; then send on behalf.
		d.Must(422, d.Agent, "PUT", fmt.Sprintf("/api/v2/drafts/%d", id), map[string]any{"draft": map[string]any{"body": "見積書と請求書を添付いたします。", "remove_attachment_ids": []int64{999999}}})
		e := d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/drafts/%d", id),
			map[string]any{"draft": map[string]any{"body": "請求書を添付いたします。", "remove_attachment_ids": []int64{pdf}}})
		if e.Len("draft.attachments") != 1 || e.Int("draft.attachments.0.id") != xlsx {
			t.Fatalf("after removing: %s", e.Raw)
		}
		s := d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id), nil)
		if s.Str("draft.state") != "sent" || s.Len("draft.attachments") != 1 {
			t.Fatalf("sent: %s", s.Raw)
		}

		// The public comment carries exactly the kept file.
		cs := d.Must(200, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", tk), nil)
		last := fmt.Sprintf("comments.%d", cs.Len("comments")-1)
		if cs.Str(last+".body") != "請求書を添付いたします。" || cs.Len(last+".attachments") != 1 ||
			cs.Str(last+".attachments.0.file_name") != "請求書（11月分）.xlsx" || cs.Int(last+".attachments.0.id") != xlsx {
			t.Fatalf("public comment: %s", cs.Raw)
		}
		// The customer now downloads it through the comment.
		if r := d.Do(d.Customer, "GET", fmt.Sprintf("/api/v2/attachments/%d/content", xlsx), nil); r.Status != 200 {
			t.Fatalf("customer download after sending: %d", r.Status)
		}
		if r := d.Do(d.Agent, "GET", fmt.Sprintf("/api/v2/attachments/%d/content", pdf), nil); r.Status != 404 {
			t.Fatalf("the removed file is still served: %d", r.Status)
		}

		// The outgoing mail includes it, with the RFC 2231 Japanese name.
		mails := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/mail_messages", tk), nil)
		var raw []byte
		for i := 0; i < mails.Len("mail_messages"); i++ {
			if mails.Str(fmt.Sprintf("mail_messages.%d.direction", i)) == model.MailOut {
				if raw != nil {
					t.Fatal("two outgoing mails")
				}
				rr := d.Do(d.Agent, "GET", fmt.Sprintf("/api/v2/mail_messages/%d/raw", mails.Int(fmt.Sprintf("mail_messages.%d.id", i))), nil)
				if rr.Status != 200 {
					t.Fatalf("raw mail: %d", rr.Status)
				}
				raw = rr.Raw
			}
		}
		if raw == nil {
			t.Fatal("no outgoing mail")
		}
		if names := mailFileNames(t, raw); len(names) != 1 || names[0] != "請求書（11月分）.xlsx" {
			t.Fatalf("mail attachments: %q", names)
		}
		if !bytes.Contains(raw, []byte("filename*=utf-8''"+url.PathEscape("請求書（11月分）.xlsx"))) {
			t.Errorf("no RFC 2231 filename in:\n%s", raw)
		}
	})
}
