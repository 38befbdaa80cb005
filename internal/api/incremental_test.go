package api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// exported is one record of an export page.
type exported struct {
	id      int64
	updated string
	status  string
}

func exportedList(r *apptest.Response, key string) []exported {
	var out []exported
	list, _ := r.Get(key).([]any)
	for _, x := range list {
		m := x.(map[string]any)
		st, _ := m["status"].(string)
		out = append(out, exported{int64(m["id"].(float64)), m["updated_at"].(string), st})
	}
	return out
}

// walkExport follows after_url (cursor) or next_page (time-based) until
// end_of_stream, checking the envelope of every page.
func walkExport(t *testing.T, d *apptest.Desk, first, key string, cursor bool) (all []exported, pages int) {
	t.Helper()
	next := first
	for {
		pages++
		if pages > 1000 {
			t.Fatal("export does not end")
		}
		r := d.Must(200, d.Admin, "GET", next, nil)
		recs := exportedList(r, key)
		all = append(all, recs...)
		eos, ok := r.Get("end_of_stream").(bool)
		if !ok {
			t.Fatalf("no end_of_stream: %s", r.Raw)
		}
		if cursor {
			next = r.Str("after_url")
			if r.Str("after_cursor") == "" || !strings.Contains(next, "cursor="+url.QueryEscape(r.Str("after_cursor"))) {
				t.Fatalf("after_cursor/after_url: %s", r.Raw)
			}
			if _, ok := r.JSON["before_cursor"]; !ok {
				t.Fatalf("before_cursor missing: %s", r.Raw)
			}
		} else {
			next = r.Str("next_page")
			if r.Int("count") != int64(len(recs)) || next == "" {
				t.Fatalf("count/next_page: %s", r.Raw)
			}
			if len(recs) > 0 {
				last, _ := time.Parse(time.RFC3339, recs[len(recs)-1].updated)
				if r.Int("end_time") != last.Unix() {
					t.Fatalf("end_time %d, last updated_at %s", r.Int("end_time"), recs[len(recs)-1].updated)
				}
			}
		}
		if eos {
			return all, pages
		}
		if len(recs) == 0 {
			t.Fatalf("empty page before end_of_stream: %s", r.Raw)
		}
	}
}

func exportedIDs(recs []exported) []int64 {
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.id
	}
	return ids
}

// TestIncrementalTickets: 250 tickets share one updated_at; small pages
// must return each exactly once, in (updated_at, id) order.
func TestIncrementalTickets(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ctx := context.Background()
		same := time.Date(2026, 2, 3, 4, 5, 6, 789e6, time.UTC)
		earlier := same.Add(-time.Hour)
		var want []int64
		err := d.App.Store.Write(ctx, func(tx *store.Tx) error {
			first := "前日の問い合わせ"
			res, err := d.App.Tickets.CreateTx(tx, d.Agent.User, tickets.Change{Subject: &first, Comment: &tickets.CommentInput{Body: "一件目"}, CreatedAt: earlier})
			if err != nil {
				return err
			}
			want = append(want, res.Ticket.ID)
			for i := range 250 {
				subject := fmt.Sprintf("同時刻の問い合わせ %d", i)
				res, err := d.App.Tickets.CreateTx(tx, d.Agent.User, tickets.Change{Subject: &subject, Comment: &tickets.CommentInput{Body: "同じ秒"}, CreatedAt: same})
				if err != nil {
					return err
				}
				want = append(want, res.Ticket.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A deletion long enough ago to be exported: Zendesk lists it as "deleted".
		past := tickets.New(d.App.Store)
		past.Now = func() time.Time { return same.Add(time.Hour) }
		deleted := want[1]
		if err := past.Delete(ctx, d.Agent.User, deleted); err != nil {
			t.Fatal(err)
		}
		want = append(slices.Delete(slices.Clone(want), 1, 2), deleted)
		// A change from the last minute is held back, as in Zendesk.
		recent := d.Must(201, d.Agent, "POST", "/api/v2/tickets", searchTicket("直近の問い合わせ", "まだ出力されない", nil)).Int("ticket.id")

		start := earlier.Add(-time.Second).Unix()
		for _, tc := range []struct {
			name, path string
			cursor     bool
		}{
			{"cursor", fmt.Sprintf("/api/v2/incremental/tickets/cursor.json?start_time=%d&per_page=7", start), true},
			{"time-based", fmt.Sprintf("/api/v2/incremental/tickets.json?start_time=%d&per_page=7", start), false},
		} {
			recs, pages := walkExport(t, d, tc.path, "tickets", tc.cursor)
			if got := exportedIDs(recs); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %d records %v…, want %d", tc.name, len(got), got[:min(len(got), 5)], len(want))
			}
			if pages != (len(want)+6)/7 {
				t.Errorf("%s: %d pages for %d records of 7", tc.name, pages, len(want))
			}
			last := recs[len(recs)-1]
			if last.id != deleted || last.status != "deleted" || recs[0].status != "new" {
				t.Errorf("%s: deleted ticket exported as %+v", tc.name, last)
			}
			if slices.Contains(exportedIDs(recs), recent) {
				t.Errorf("%s: a change from the last minute was exported", tc.name)
			}
		}

		// exclude_deleted, and a start_time after everything.
		recs, _ := walkExport(t, d, fmt.Sprintf("/api/v2/incremental/tickets/cursor?start_time=%d&exclude_deleted=true", start), "tickets", true)
		if len(recs) != len(want)-1 || slices.Contains(exportedIDs(recs), deleted) {
			t.Errorf("exclude_deleted: %d records", len(recs))
		}
		r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/incremental/tickets.json?start_time=%d", same.Add(2*time.Hour).Unix()), nil)
		if r.Len("tickets") != 0 || r.Get("end_of_stream") != true || r.Int("end_time") != same.Add(2*time.Hour).Unix() {
			t.Errorf("empty export: %s", r.Raw)
		}
		// Resuming from the saved after_cursor finds only later changes.
		r = d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/incremental/tickets/cursor?start_time=%d", start), nil)
		saved := r.Str("after_cursor")
		if r.Len("tickets") != len(want) || r.Get("end_of_stream") != true {
			t.Fatalf("one page of 1000: %d tickets", r.Len("tickets"))
		}
		later := tickets.New(d.App.Store)
		later.Now = func() time.Time { return time.Now().Add(-2 * time.Minute) }
		if _, err := later.Update(ctx, d.Agent.User, want[5], tickets.Change{AddTags: []string{"再送"}}); err != nil {
			t.Fatal(err)
		}
		r = d.Must(200, d.Admin, "GET", "/api/v2/incremental/tickets/cursor?cursor="+url.QueryEscape(saved), nil)
		if fmt.Sprint(exportedIDs(exportedList(r, "tickets"))) != fmt.Sprint([]int64{want[5]}) {
			t.Errorf("resume: %s", r.Raw)
		}

		// Errors and permissions.
		future := time.Now().Add(time.Hour).Unix()
		for _, tc := range []struct {
			as     *apptest.User
			path   string
			status int
		}{
			{d.Admin, "/api/v2/incremental/tickets/cursor", 400},
			{d.Admin, "/api/v2/incremental/tickets.json?start_time=abc", 400},
			{d.Admin, fmt.Sprintf("/api/v2/incremental/tickets.json?start_time=%d", future), 422},
			{d.Admin, fmt.Sprintf("/api/v2/incremental/users/cursor?start_time=%d", future), 422},
			{d.Admin, "/api/v2/incremental/tickets/cursor?cursor=bm9wZQ", 400},
			{d.Admin, "/api/v2/incremental/tickets/cursor?start_time=0&per_page=0", 400},
			{d.Agent, "/api/v2/incremental/tickets/cursor?start_time=0", 200},
			{d.Light, "/api/v2/incremental/tickets/cursor?start_time=0", 403},
			{d.Customer, "/api/v2/incremental/organizations?start_time=0", 403},
		} {
			r := d.Do(tc.as, "GET", tc.path, nil)
			if r.Status != tc.status || (r.Status != 200 && r.Str("description") == "") {
				t.Errorf("%s as %s: %d, want %d: %s", tc.path, tc.as.Role, r.Status, tc.status, r.Raw)
			}
		}
	})
}

// TestIncrementalPeople exports users (cursor and time-based) and
// organizations changed at the same instant, in small pages.
func TestIncrementalPeople(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		var userIDs, orgIDs []int64
		err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error {
			for i := range 12 {
				u := &model.User{Name: fmt.Sprintf("顧客 %d号", i), Email: fmt.Sprintf("kokyaku%d@example.jp", i), Role: model.RoleEndUser,
					Locale: "ja", TimeZone: "Asia/Tokyo", Active: true, CreatedAt: at, UpdatedAt: at}
				if err := tx.InsertUser(u); err != nil {
					return err
				}
				userIDs = append(userIDs, u.ID)
				o := &model.Organization{Name: fmt.Sprintf("㈱取引先%d", i), Tags: []string{"取引先"}, CreatedAt: at, UpdatedAt: at}
				if err := tx.InsertOrganization(o); err != nil {
					return err
				}
				orgIDs = append(orgIDs, o.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		start := at.Add(-time.Minute).Unix()
		for _, tc := range []struct {
			path, key string
			cursor    bool
			want      []int64
		}{
			{fmt.Sprintf("/api/v2/incremental/users/cursor?start_time=%d&per_page=5", start), "users", true, userIDs},
			{fmt.Sprintf("/api/v2/incremental/users?start_time=%d&per_page=5", start), "users", false, userIDs},
			{fmt.Sprintf("/api/v2/incremental/organizations?start_time=%d&per_page=5", start), "organizations", false, orgIDs},
		} {
			recs, pages := walkExport(t, d, tc.path, tc.key, tc.cursor)
			if got := exportedIDs(recs); fmt.Sprint(got) != fmt.Sprint(tc.want) || pages != 3 {
				t.Errorf("%s: %v in %d pages, want %v in 3", tc.path, got, pages, tc.want)
			}
		}
		r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/incremental/organizations?start_time=%d&per_page=1", start), nil)
		if r.Str("organizations.0.name") != "㈱取引先0" || r.Str("organizations.0.tags.0") != "取引先" || r.Get("end_of_stream") != false {
			t.Errorf("organization shape: %s", r.Raw)
		}
		r = d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/incremental/users?start_time=%d&per_page=1", start), nil)
		if r.Str("users.0.name") != "顧客 0号" || r.Str("users.0.email") != "kokyaku0@example.jp" || r.Str("users.0.role") != "end-user" {
			t.Errorf("user shape: %s", r.Raw)
		}
	})
}
