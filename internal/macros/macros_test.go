package macros_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func TestApplyChange(t *testing.T) {
	db := storetest.SQLite(t)
	agent := &model.User{ID: 5, Name: "山田 太郎", Role: model.RoleAgent}
	m := &store.Macro{ID: 1, Title: "お詫び", Actions: []store.MacroAction{
		{Field: "status", Value: "solved"},
		{Field: "type", Value: nil},
		{Field: "assignee_id", Value: "current_user"},
		{Field: "group_id", Value: ""},
		{Field: "set_tags", Value: []any{"a b", "c"}},
		{Field: "remove_tags", Value: "b"},
		{Field: "custom_fields_9", Value: "x"},
		{Field: "custom_fields_9", Value: "y"},
		{Field: "comment_value", Value: "{{current_user.name}}です。"},
		{Field: "comment_value", Value: []any{"channel:all", "以上"}},
		{Field: "comment_mode_is_public", Value: false},
	}}
	tk := &model.Ticket{ID: 3, Status: "open", Tags: []string{"z"}, GroupID: 4, Type: "task"}
	var ch tickets.Change
	var c *macros.Comment
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
		ch, c, err = macros.Apply(tx, m, tk, agent, "https://desk.example.jp")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if *ch.Status != "solved" || *ch.Type != "" || *ch.AssigneeID != 5 || *ch.GroupID != 0 || !slices.Equal(*ch.Tags, []string{"a", "b", "c"}) ||
		!slices.Equal(ch.RemoveTags, []string{"b"}) || len(ch.CustomFields) != 1 || ch.CustomFields[0].Value != "y" || ch.RuleSource != "" {
		t.Fatalf("change %+v", ch)
	}
	if c == nil || c.Body != "山田 太郎です。\n以上" || c.Public || ch.Comment == nil || *ch.Comment.Public || ch.Comment.Body != c.Body {
		t.Fatalf("comment %+v / %+v", c, ch.Comment)
	}
	after := macros.Preview(tk, ch)
	if after.Status != "solved" || after.Type != "" || after.GroupID != 0 || !slices.Equal(after.Tags, []string{"a", "c"}) || tk.Status != "open" {
		t.Fatalf("preview %+v (original %+v)", after, tk)
	}
	changed := macros.Changed(ch)
	if changed["status"] != "solved" || changed["group_id"] != nil || changed["type"] != nil || changed["assignee_id"] != int64(5) {
		t.Fatalf("changed %v", changed)
	}
	// A light agent's comment is always internal.
	light := &model.User{ID: 6, Role: model.RoleLightAgent}
	m.Actions = []store.MacroAction{{Field: "comment_value", Value: "メモ"}}
	_ = db.Read(context.Background(), func(tx *store.Tx) (err error) {
		_, c, err = macros.Apply(tx, m, nil, light, "")
		return err
	})
	if c == nil || c.Public {
		t.Fatalf("light agent comment %+v", c)
	}
}

func TestAccess(t *testing.T) {
	admin := &model.User{ID: 1, Role: model.RoleAdmin}
	agent := &model.User{ID: 2, Role: model.RoleAgent}
	light := &model.User{ID: 3, Role: model.RoleLightAgent}
	customer := &model.User{ID: 4, Role: model.RoleEndUser}
	shared := &store.Macro{}
	group := &store.Macro{RestrictionType: macros.Group, RestrictionIDs: []int64{10, 11}}
	mine := &store.Macro{RestrictionType: macros.User, RestrictionIDs: []int64{2}}
	in11 := map[int64]bool{11: true}
	cases := []struct {
		u                *model.User
		m                *store.Macro
		groups           map[int64]bool
		use, see, manage bool
	}{
		{admin, shared, nil, true, true, true},
		{admin, group, nil, true, true, true},
		{admin, mine, nil, false, true, true},
		{agent, shared, nil, true, true, false},
		{agent, group, nil, false, false, false},
		{agent, group, in11, true, true, false},
		{agent, mine, nil, true, true, true},
		{light, shared, nil, true, true, false},
		{light, mine, nil, false, false, false},
		{customer, shared, nil, false, false, false},
	}
	for i, c := range cases {
		if got := [3]bool{macros.CanUse(c.u, c.m, c.groups), macros.CanSee(c.u, c.m, c.groups), macros.CanManage(c.u, c.m)}; got != [3]bool{c.use, c.see, c.manage} {
			t.Errorf("case %d (%s): use/see/manage = %v", i, c.u.Role, got)
		}
	}
}

// seed500 stores 500 macros with Japanese titles, a tenth of them group
// restricted, and returns an agent in one of the groups.
func seed500(tb testing.TB, db *store.DB) *model.User {
	now := time.Now()
	agent := &model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAgent, Active: true, CreatedAt: now, UpdatedAt: now}
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		if err := tx.InsertUser(agent); err != nil {
			return err
		}
		topics := []string{"配送", "返金", "請求", "ログイン", "解約", "交換", "ｷｬﾝﾍﾟｰﾝ"}
		for i := range 500 {
			title := fmt.Sprintf("%s::%s についてのご案内 その%d", topics[i%len(topics)], topics[(i/7)%len(topics)], i)
			m := &store.Macro{Title: title, Description: "お客様へのご連絡テンプレート", Active: i%10 != 9, Position: int64(i),
				Actions:    []store.MacroAction{{Field: "comment_value", Value: "{{ticket.requester.name}} 様\n\nお問い合わせありがとうございます。"}, {Field: "status", Value: "pending"}},
				SearchText: macros.SearchText(title, "お客様へのご連絡テンプレート"), CreatedAt: now, UpdatedAt: now}
			if i%10 == 3 {
				m.RestrictionType, m.RestrictionIDs = macros.Group, []int64{int64(1 + i%3)}
			}
			if err := tx.InsertMacro(m); err != nil {
				return err
			}
			if i%5 == 0 {
				if err := tx.RecordMacroUse(m.ID, now.Add(-time.Duration(i)*time.Hour)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return agent
}

func TestSearchFiveHundred(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		agent := seed500(t, db)
		var res *macros.Listed
		err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
			res, err = macros.List(tx, agent, macros.Query{Text: "返金 キャンペーン", SortBy: "usage_7d"}, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Titles pair two topics; 返金 and ｷｬﾝﾍﾟｰﾝ (found as キャンペーン) meet in some of them,
		// minus the group-restricted ones the agent is not in.
		if len(res.Macros) == 0 || len(res.Macros) > 40 {
			t.Fatalf("found %d", len(res.Macros))
		}
		for _, m := range res.Macros {
			if m.RestrictionType != "" {
				t.Fatalf("restricted macro %d visible", m.ID)
			}
		}
		for i := 1; i < len(res.Macros); i++ {
			if res.Usage[res.Macros[i-1].ID].D7 < res.Usage[res.Macros[i].ID].D7 {
				t.Fatal("not sorted by usage_7d")
			}
		}
	})
}

// BenchmarkSearch500 is one macro search as the API runs it: load the 500
// macros, check visibility, match Japanese text, sort by 7-day usage.
func BenchmarkSearch500(b *testing.B) {
	db := storetest.SQLite(b)
	agent := seed500(b, db)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		err := db.Read(ctx, func(tx *store.Tx) error {
			res, err := macros.List(tx, agent, macros.Query{Text: "返金 ご案内", SortBy: "usage_7d", Active: new(true)}, time.Now())
			if err == nil && len(res.Macros) == 0 {
				b.Fatal("nothing found")
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList500 lists all 500 macros sorted by 7-day usage (no text
// filter, so every macro is read and decoded).
func BenchmarkList500(b *testing.B) {
	db := storetest.SQLite(b)
	agent := seed500(b, db)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		err := db.Read(ctx, func(tx *store.Tx) error {
			_, err := macros.List(tx, agent, macros.Query{SortBy: "usage_7d"}, time.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
