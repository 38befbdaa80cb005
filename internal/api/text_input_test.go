package api_test

import (
	"testing"

	"fmt"

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
