package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

var draftFileRe = regexp.MustCompile(`href="/approvals/(\d+)/files/(\d+)">(?:<img[^>]*> )?📎 ([^<]+)</a>`)

// TestApprovalPageFiles: over HTTP, a trainee's reply mode (the default of
// their composer) posts the text and two files as a draft; the approver
// sees both with size and link, downloads one, removes the other while
// sending on the trainee's behalf, and the customer's reply carries exactly
// the kept file. /approvals says who may approve.
func TestApprovalPageFiles(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := addTrainee(t, d)
		id := newTicket(t, d, "見積と請求について", "見積書と請求書を送ってください。")
		path := fmt.Sprintf("/tickets/%d", id)

		tb := newBrowser(t, d, "ja")
		tb.login(trainee.Email, "password-agent", false)
		p := tb.do("GET", path, nil)
		p.has(t, "trainee's composer", `id="mode-approval" checked`, "返信（承認を依頼）", `id="mode-note">`)
		p.lacks(t, "trainee's composer", `id="mode-public"`)
		csrf := p.csrf(t)

		// The composer in reply mode, with files: a draft, not a reply.
		r := tb.postFiles(path, map[string]string{"csrf": csrf, "mode": "approval", "body": "佐藤様\n見積書と請求書を添付いたします。"},
			map[string]string{"見積書.pdf": "%PDF-1.4 見積書", "請求書（11月分）.xlsx": "PK\x03\x04 請求書"})
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "approval=submitted") {
			t.Fatalf("reply mode with files: %d %q\n%s", r.status, r.loc, r.body)
		}
		if got := agentReplies(t, d, id); len(got) != 0 {
			t.Fatalf("the customer already sees %q", got)
		}
		p = tb.do("GET", r.loc, nil)
		// Listed once (not again in the folded revise form): each file's
		// "remove" box sits in that one list and belongs to the revise form.
		files := draftFileRe.FindAllStringSubmatch(p.body, -1)
		if len(files) == 2 && files[0][3] == "請求書（11月分）.xlsx" { // the upload's order is the form's
			files[0], files[1] = files[1], files[0]
		}
		if len(files) != 2 || files[0][3] != "見積書.pdf" || files[1][3] != "請求書（11月分）.xlsx" {
			t.Fatalf("trainee's panel files: %q", files)
		}
		for _, name := range []string{"見積書.pdf", "請求書（11月分）.xlsx"} {
			if n := strings.Count(p.body, name); n != 1 {
				t.Errorf("the trainee's page names %s %d times, want once", name, n)
			}
		}
		draft, pdf, xlsx := files[0][1], files[0][2], files[1][2]
		p.has(t, "trainee's remove box", `name="remove" value="`+pdf+`" form="draft-revise-form-`+draft+`"`, `id="draft-revise-form-`+draft+`"`)
		// The note mode stays a note, files and all.
		if r := tb.do("POST", path, url.Values{"csrf": {csrf}, "mode": {"note"}, "body": {"先輩に確認をお願いしました。"}}); r.status != http.StatusSeeOther || strings.Contains(r.loc, "approval=") {
			t.Fatalf("note: %d %q", r.status, r.loc)
		}

		// The approver sees the files and downloads one.
		ab := newBrowser(t, d, "ja")
		ab.login(d.Agent.Email, "password-agent", false)
		p = ab.do("GET", path, nil)
		p.has(t, "approver's panel", `id="decide-`+draft+`"`, `enctype="multipart/form-data"`, `name="remove" value="`+pdf+`"`, "請求書（11月分）.xlsx", "外す")
		acsrf := p.csrf(t)
		dl := ab.do("GET", "/approvals/"+draft+"/files/"+xlsx, nil)
		if dl.status != 200 || dl.body != "PK\x03\x04 請求書" || !strings.Contains(dl.header.Get("Content-Disposition"), "filename*=utf-8''"+url.PathEscape("請求書（11月分）.xlsx")) {
			t.Fatalf("download: %d %q %q", dl.status, dl.body, dl.header.Get("Content-Disposition"))
		}
		if r := ab.do("GET", "/approvals/"+draft+"/files/999999", nil); r.status != http.StatusNotFound {
			t.Errorf("a file not on the draft: %d", r.status)
		}
		// Signed out: no file.
		if r := newBrowser(t, d, "ja").do("GET", "/approvals/"+draft+"/files/"+xlsx, nil); r.status == 200 {
			t.Errorf("signed out download: %d", r.status)
		}

		// Send on behalf without the PDF.
		final := "佐藤様\n請求書を添付いたします。"
		r = ab.postFiles("/approvals/"+draft, map[string]string{"csrf": acsrf, "action": "send", "body": final, "remove": pdf}, nil)
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "approval=sent_on_behalf") {
			t.Fatalf("send: %d %q\n%s", r.status, r.loc, r.body)
		}
		if got := agentReplies(t, d, id); len(got) != 1 || got[0] != final {
			t.Fatalf("customer sees %q", got)
		}
		cs := d.Must(200, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
		last := fmt.Sprintf("comments.%d", cs.Len("comments")-1)
		if cs.Len(last+".attachments") != 1 || cs.Str(last+".attachments.0.file_name") != "請求書（11月分）.xlsx" {
			t.Fatalf("the reply's files: %s", cs.Raw)
		}
		// The reply's file is served as the conversation's.
		p = ab.do("GET", path, nil)
		p.has(t, "conversation", fmt.Sprintf(`/tickets/%d/attachments/%s`, id, xlsx))
		resp, err := ab.c.Get(d.URL + fmt.Sprintf("/tickets/%d/attachments/%s", id, pdf))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the removed PDF is served: %d", resp.StatusCode)
		}

		// /approvals says who may approve: the agent and the admin, not the trainee.
		q := ab.do("GET", "/approvals", nil)
		q.has(t, "approvals page", "承認できる人", "管理者と、承認不要のエージェント", "山田 太郎")
		list := regexp.MustCompile(`(?s)<ul id="approver-list">(.*?)</ul>`).FindStringSubmatch(q.body)
		if list == nil || strings.Contains(list[1], "新人 次郎") || !strings.Contains(list[1], "山田 太郎") || !strings.Contains(list[1], "管理者") {
			t.Fatalf("approvers: %q", list)
		}
	})
}
