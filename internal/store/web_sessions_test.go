package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func TestWebSessionsAndResets(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		var u, other *model.User
		var a, b, c *store.WebSession
		err := db.Write(ctx, func(tx *store.Tx) error {
			u = &model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAgent, Active: true, CreatedAt: now, UpdatedAt: now}
			other = &model.User{Name: "佐藤 花子", Email: "sato@example.jp", Role: model.RoleAgent, Active: true, CreatedAt: now, UpdatedAt: now}
			for _, x := range []*model.User{u, other} {
				if err := tx.InsertUser(x); err != nil {
					return err
				}
			}
			a = &store.WebSession{UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), UserAgent: "Firefox ①"}
			b = &store.WebSession{UserID: u.ID, CreatedAt: now, LastSeenAt: now.Add(time.Minute), ExpiresAt: now.Add(30 * 24 * time.Hour), Remember: true}
			c = &store.WebSession{UserID: other.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
			for i, s := range []*store.WebSession{a, b, c} {
				if err := tx.InsertWebSession(s, "hash-"+string(rune('a'+i))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		read := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Read(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		write := func(fn func(tx *store.Tx) error) error { return db.Write(ctx, fn) }

		read(func(tx *store.Tx) error {
			s, err := tx.WebSessionByHash("hash-b", now)
			if err != nil || s.ID != b.ID || !s.Remember || s.UserID != u.ID || !s.ExpiresAt.Equal(b.ExpiresAt) {
				t.Errorf("by hash: %+v %v", s, err)
			}
			if _, err := tx.WebSessionByHash("hash-a", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired session found: %v", err)
			}
			list, err := tx.WebSessions(u.ID, now)
			if err != nil || len(list) != 2 || list[0].ID != b.ID || list[1].UserAgent != "Firefox ①" {
				t.Errorf("list: %v %v", list, err)
			}
			return nil
		})
		// Touch moves the idle expiry.
		if err := write(func(tx *store.Tx) error {
			return tx.TouchWebSession(a.ID, now.Add(30*time.Minute), now.Add(3*time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		read(func(tx *store.Tx) error {
			if _, err := tx.WebSessionByHash("hash-a", now.Add(2*time.Hour)); err != nil {
				t.Errorf("touched session: %v", err)
			}
			return nil
		})
		// Revoking: only one's own sessions; "others" keeps the current one.
		if err := write(func(tx *store.Tx) error { return tx.DeleteWebSession(u.ID, c.ID) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking another user's session: %v", err)
		}
		if err := write(func(tx *store.Tx) error { return tx.DeleteWebSessionsExcept(u.ID, b.ID) }); err != nil {
			t.Fatal(err)
		}
		read(func(tx *store.Tx) error {
			if list, _ := tx.WebSessions(u.ID, now); len(list) != 1 || list[0].ID != b.ID {
				t.Errorf("after revoking others: %v", list)
			}
			if list, _ := tx.WebSessions(other.ID, now); len(list) != 1 {
				t.Errorf("another user's sessions were touched: %v", list)
			}
			return nil
		})

		// Password resets: single use, expire, counted per user.
		if err := write(func(tx *store.Tx) error {
			if err := tx.InsertPasswordReset("r1", u.ID, now, now.Add(time.Hour)); err != nil {
				return err
			}
			return tx.InsertPasswordReset("r2", u.ID, now.Add(-2*time.Hour), now.Add(-time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		read(func(tx *store.Tx) error {
			if id, err := tx.PasswordResetUser("r1", now); err != nil || id != u.ID {
				t.Errorf("reset user: %d %v", id, err)
			}
			if _, err := tx.PasswordResetUser("r2", now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired reset: %v", err)
			}
			if n, _ := tx.CountRecentPasswordResets(u.ID, now.Add(-time.Hour)); n != 1 {
				t.Errorf("recent resets: %d", n)
			}
			return nil
		})
		if err := write(func(tx *store.Tx) error { return tx.UsePasswordReset("r1", now) }); err != nil {
			t.Fatal(err)
		}
		if err := write(func(tx *store.Tx) error { return tx.UsePasswordReset("r1", now) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second use of a reset: %v", err)
		}
		// Purge drops what expired.
		if err := write(func(tx *store.Tx) error { return tx.PurgeWebSessions(now.Add(2 * time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		read(func(tx *store.Tx) error {
			if _, err := tx.WebSessionByHash("hash-c", now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("purged session found: %v", err)
			}
			if _, err := tx.WebSessionByHash("hash-b", now); err != nil {
				t.Errorf("remembered session purged: %v", err)
			}
			return nil
		})
	})
}

func TestWebQueueCountsAndLoad(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
		day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
		var me, she, cust *model.User
		err := db.Write(ctx, func(tx *store.Tx) error {
			me = &model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAgent, Active: true, CreatedAt: now, UpdatedAt: now}
			she = &model.User{Name: "髙橋 ｻﾄｺ", Email: "takahashi@example.jp", Role: model.RoleAdmin, Active: true, CreatedAt: now, UpdatedAt: now}
			cust = &model.User{Name: "佐藤 花子", Email: "hanako@customer.co.jp", Role: model.RoleEndUser, Active: true, CreatedAt: now, UpdatedAt: now}
			gone := &model.User{Name: "退職 者", Email: "gone@example.jp", Role: model.RoleAgent, Active: false, CreatedAt: now, UpdatedAt: now}
			for _, u := range []*model.User{me, she, cust, gone} {
				if err := tx.InsertUser(u); err != nil {
					return err
				}
			}
			for _, tk := range []struct {
				status   string
				assignee int64
				created  time.Time
				updated  time.Time
				deleted  bool
			}{
				{"new", 0, now, now, false},
				{"open", 0, now.Add(-48 * time.Hour), now, false},
				{"open", me.ID, now, now, false},
				{"pending", me.ID, now.Add(-48 * time.Hour), now, false},
				{"hold", she.ID, now.Add(-48 * time.Hour), now, false},
				{"solved", me.ID, now, now, false},                                                      // recently solved
				{"solved", she.ID, now.Add(-30 * 24 * time.Hour), now.Add(-20 * 24 * time.Hour), false}, // long ago
				{"closed", me.ID, now, now, false},
				{"open", me.ID, now, now, true}, // deleted
			} {
				x := &model.Ticket{Subject: "配送状況を教えてください", Status: tk.status, RequesterID: cust.ID, SubmitterID: cust.ID,
					AssigneeID: tk.assignee, Via: "web", IsPublic: true, CreatedAt: tk.created, UpdatedAt: tk.updated}
				if tk.deleted {
					x.DeletedAt = now
				}
				if err := tx.InsertTicket(x); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			c, err := tx.WebQueueCounts(me.ID, now.Add(-7*24*time.Hour))
			if err != nil {
				return err
			}
			want := store.QueueCounts{Unassigned: 2, Mine: 2, Unsolved: 5, Pending: 1, SolvedRecently: 1}
			if c != want {
				t.Errorf("counts = %+v, want %+v", c, want)
			}
			load, err := tx.WebAgentLoad(day)
			if err != nil {
				return err
			}
			got := map[int64][2]int64{}
			for _, l := range load {
				got[l.UserID] = [2]int64{l.Unsolved, l.NewToday}
			}
			if len(got) != 2 || got[me.ID] != [2]int64{2, 1} || got[she.ID] != [2]int64{1, 0} {
				t.Errorf("load = %v", got)
			}
			staff, err := tx.StaffUsers(10)
			if err != nil {
				return err
			}
			if len(staff) != 2 {
				t.Errorf("staff = %v (customers and inactive agents must not be listed)", staff)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestWebQueuePage: the merged per-status read gives exactly what the
// general list gives, in order, on every page, with ties in updated_at.
func TestWebQueuePage(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
		var me, cust *model.User
		err := db.Write(ctx, func(tx *store.Tx) error {
			me = &model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAgent, Active: true, CreatedAt: base, UpdatedAt: base}
			cust = &model.User{Name: "佐藤 花子", Email: "hanako@customer.co.jp", Role: model.RoleEndUser, Active: true, CreatedAt: base, UpdatedAt: base}
			for _, u := range []*model.User{me, cust} {
				if err := tx.InsertUser(u); err != nil {
					return err
				}
			}
			statuses := []string{"new", "open", "pending", "hold", "solved", "closed", "open"}
			for i := range 90 {
				x := &model.Ticket{Subject: "①配送", Status: statuses[i%len(statuses)], RequesterID: cust.ID, SubmitterID: cust.ID,
					Via: "email", IsPublic: true, CreatedAt: base, UpdatedAt: base.Add(time.Duration(i%23) * time.Minute)}
				if i%3 == 0 {
					x.AssigneeID = me.ID
				}
				if i%17 == 0 {
					x.DeletedAt = base
				}
				if err := tx.InsertTicket(x); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		unsolved := []string{"new", "open", "pending", "hold"}
		none := int64(0)
		since := base.Add(10 * time.Minute)
		for name, c := range map[string]struct {
			q store.WebQueue
			f store.TicketFilter
		}{
			"unsolved":   {store.WebQueue{Statuses: unsolved}, store.TicketFilter{Statuses: unsolved}},
			"unassigned": {store.WebQueue{Statuses: unsolved, Assignee: &none}, store.TicketFilter{Statuses: unsolved, AssigneeIDs: []int64{0}}},
			"mine":       {store.WebQueue{Statuses: unsolved, Assignee: &me.ID}, store.TicketFilter{Statuses: unsolved, AssigneeIDs: []int64{me.ID}}},
			"solved":     {store.WebQueue{Statuses: []string{"solved"}, Since: since}, store.TicketFilter{Statuses: []string{"solved"}, Updated: store.TimeRange{From: since}}},
		} {
			for _, desc := range []bool{true, false} {
				for _, pg := range []struct{ limit, offset int }{{7, 0}, {7, 7}, {7, 35}, {50, 0}, {5, 200}} {
					var got, want []*model.Ticket
					err := db.Read(ctx, func(tx *store.Tx) error {
						var err error
						if got, err = tx.WebQueuePage(c.q, desc, pg.limit, pg.offset); err != nil {
							return err
						}
						want, err = tx.ListTickets(c.f, store.TicketOrder{Field: "updated_at", Desc: desc}, store.Page{Limit: pg.limit, Offset: pg.offset})
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(want) {
						t.Fatalf("%s desc=%v %+v: %d tickets, want %d", name, desc, pg, len(got), len(want))
					}
					for i := range got {
						if got[i].ID != want[i].ID || got[i].Subject != "①配送" {
							t.Fatalf("%s desc=%v %+v: #%d is %d, want %d", name, desc, pg, i, got[i].ID, want[i].ID)
						}
					}
				}
			}
		}
	})
}
