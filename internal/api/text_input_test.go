package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// A backslash escaped in JSON followed by u0000 is text, not a NUL: it is
// stored and read back as written, on both databases.
func TestEscapedBackslashIsNotNUL(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		r := d.Must(201, d.Agent, "POST", "/api/v2/tickets",
			`{"ticket": {"subject": "C:\\u0000 の設定", "comment": {"body": "パス C:\\\\u0000 を確認"}}}`)
		if got := r.Str("ticket.subject"); got != `C:\u0000 の設定` {
			t.Fatalf("subject %q", got)
		}
		got := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments", r.Int("ticket.id")), nil)
		if body := got.Str("comments.0.body"); body != `パス C:\\u0000 を確認` {
			t.Fatalf("comment body %q", body)
		}
	})
}

// A tag or an external id of 255 characters is kept on both databases; one
// more is refused (TestBadInput), as is adding a long tag to a ticket.
func TestLongTicketKeys(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		tag, ext := strings.Repeat("配", 255), strings.Repeat("外", 255)
		r := d.Must(201, d.Agent, "POST", "/api/v2/tickets",
			fmt.Sprintf(`{"ticket": {"subject": "長いタグ", "tags": [%q], "external_id": %q, "comment": {"body": "x"}}}`, tag, ext))
		if got := fmt.Sprint(r.Get("ticket.tags")); got != "["+tag+"]" || r.Str("ticket.external_id") != ext {
			t.Fatalf("tags %s, external id %q", got, r.Str("ticket.external_id"))
		}
		path := fmt.Sprintf("/api/v2/tickets/%d", r.Int("ticket.id"))
		bad := d.Do(d.Agent, "PUT", path, fmt.Sprintf(`{"ticket": {"additional_tags": [%q]}}`, tag+"配"))
		if bad.Status != 422 || bad.Get("details.tags") == nil {
			t.Fatalf("a long added tag: %d %s", bad.Status, bad.Raw)
		}
		d.Must(200, d.Agent, "PUT", path, `{"ticket": {"additional_tags": ["短い", "two words"]}}`)
	})
}
