package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestRequesterByPhone: a ticket's requester object may name a caller by
// phone number only (our extension): the first ticket creates the end
// user with that number, the next finds the same one; two customers
// sharing a number make a new one rather than guess; with an email the
// phone is saved on the new requester; neither email nor phone is a 422.
func TestRequesterByPhone(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		create := func(requester map[string]any) int64 {
			t.Helper()
			tk := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
				"subject": "お電話でのお問い合わせ", "comment": map[string]any{"body": "配送日を変更したいとのこと。", "public": false},
				"requester": requester}})
			return tk.Int("ticket.requester_id")
		}
		user := func(id int64) *apptest.Response {
			return d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/users/%d.json", id), nil)
		}
		first := create(map[string]any{"name": "田中 三郎", "phone": "090-1111-2222"})
		if u := user(first); u.Str("user.phone") != "090-1111-2222" || u.Str("user.role") != "end-user" || u.Str("user.name") != "田中 三郎" {
			t.Fatalf("caller created as %s", u.Raw)
		}
		if again := create(map[string]any{"name": "田中", "phone": "090-1111-2222"}); again != first {
			t.Errorf("the same number made another requester: %d != %d", again, first)
		}
		// A second customer with the same number: the number no longer
		// names one person, so a new caller is created.
		other := create(map[string]any{"name": "田中 花子", "email": "hanako@example.jp", "phone": "090-1111-2222"})
		if other == first || user(other).Str("user.phone") != "090-1111-2222" {
			t.Errorf("email and phone: requester %d (first %d), %s", other, first, user(other).Raw)
		}
		if third := create(map[string]any{"name": "田中", "phone": "090-1111-2222"}); third == first || third == other {
			t.Errorf("a shared number picked an existing customer: %d", third)
		}
		d.Must(422, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "名前だけ", "comment": map[string]any{"body": "連絡先不明"}, "requester": map[string]any{"name": "匿名"}}})
	})
}
