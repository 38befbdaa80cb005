package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestAttachments: files with Japanese names go up through /uploads, are
// claimed by a comment, and come back byte for byte to those allowed.
func TestAttachments(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		content := []byte("%PDF-1.4 見積書の中身 \x00\x01\x02")
		r := d.Do(d.Customer, "POST", "/api/v2/uploads.json?filename="+url.QueryEscape("見積書①.pdf"), content)
		if r.Status != 201 || r.Str("upload.attachment.file_name") != "見積書①.pdf" || r.Int("upload.attachment.size") != int64(len(content)) {
			t.Fatalf("upload: %d %s", r.Status, r.Raw)
		}
		token := r.Str("upload.token")
		r2 := d.Do(d.Customer, "POST", "/api/v2/uploads.json?filename=photo.png&token="+token, []byte("\x89PNG..."))
		if r2.Len("upload.attachments") != 2 {
			t.Fatalf("second file on the same token: %s", r2.Raw)
		}
		// Someone else's token cannot be used.
		if r := d.Do(d.Agent, "POST", "/api/v2/uploads.json?filename=x.txt&token="+token, []byte("x")); r.Status != 400 {
			t.Fatalf("foreign token accepted: %d", r.Status)
		}
		tk := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "見積書を添付します", "comment": map[string]any{"body": "添付をご確認ください", "uploads": []string{token}}}})
		atts := tk.Get("audit.events.0.attachments").([]any)
		if len(atts) != 2 {
			t.Fatalf("comment attachments: %s", tk.Raw)
		}
		contentURL := atts[0].(map[string]any)["content_url"].(string)
		get := func(u *apptest.User) (int, []byte, string) {
			req, _ := http.NewRequest("GET", contentURL, nil)
			req.SetBasicAuth(u.Email+"/token", u.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			return resp.StatusCode, b, params["filename"]
		}
		status, body, fname := get(d.Agent)
		if status != 200 || !bytes.Equal(body, content) || fname != "見積書①.pdf" {
			t.Fatalf("download: %d %q %q", status, body, fname)
		}
		other := d.AddUser("other@customer.co.jp", "別の 顧客", "end-user")
		if status, _, _ := get(other); status != 404 {
			t.Fatalf("another customer downloaded it: %d", status)
		}
		// The same bytes uploaded again are stored once (content-addressed).
		again := d.Do(d.Agent, "POST", "/api/v2/uploads.json?filename=copy.pdf", content)
		if again.Status != 201 {
			t.Fatal(again.Status)
		}
		d.Must(204, d.Agent, "DELETE", fmt.Sprintf("/api/v2/uploads/%s.json", again.Str("upload.token")), nil)
		d.Must(400, d.Agent, "POST", "/api/v2/uploads.json", []byte("no name"))
	})
}
