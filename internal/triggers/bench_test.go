package triggers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/triggers"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// realistic returns the i-th of 200 triggers shaped like a Japanese desk's:
// routing by inbox, channel and words, tagging, SLA-style priorities. None
// matches the benchmark's update unless match is set for it.
func realistic(i int, match bool) triggers.Input {
	words := []string{"返金", "請求書", "ログイン", "配送遅延", "パスワード", "領収書", "解約", "キャンセル"}
	var c rules.Conditions
	switch i % 5 {
	case 0:
		c.All = []rules.Condition{{Field: "update_type", Operator: "is", Value: "Change"},
			{Field: "comment_includes_word", Operator: "includes", Value: fmt.Sprintf("%s%d 至急%d", words[i%len(words)], i, i)}}
	case 1:
		c.All = []rules.Condition{{Field: "status", Operator: "changed_to", Value: "solved"}, {Field: "current_tags", Operator: "includes", Value: fmt.Sprintf("vip%d", i)}}
	case 2:
		c.All = []rules.Condition{{Field: "inbox_id", Operator: "is", Value: fmt.Sprint(1000 + i)}, {Field: "via_id", Operator: "is", Value: "email"}}
		c.Any = []rules.Condition{{Field: "priority", Operator: "is", Value: "high"}, {Field: "priority", Operator: "is", Value: "urgent"}}
	case 3:
		c.All = []rules.Condition{{Field: "group_id", Operator: "is", Value: fmt.Sprint(500 + i)}, {Field: "assignee_id", Operator: "changed", Value: nil},
			{Field: "requester.tags", Operator: "includes", Value: "enterprise"}}
	case 4:
		c.All = []rules.Condition{{Field: "subject_includes_word", Operator: "includes", Value: fmt.Sprintf("障害%d", i)},
			{Field: "role", Operator: "is", Value: "end_user"}, {Field: "custom_fields_77", Operator: "is", Value: fmt.Sprintf("plan%d", i)}}
	}
	actions := []rules.Action{{Field: "current_tags", Value: fmt.Sprintf("rule%d", i)}, {Field: "priority", Value: "high"}}
	if match {
		c = rules.Conditions{All: []rules.Condition{{Field: "comment_includes_word", Operator: "includes", Value: "至急"}}}
		actions = []rules.Action{{Field: "priority", Value: "urgent"}}
	}
	title := fmt.Sprintf("ルール %d", i)
	return triggers.Input{Title: &title, Conditions: &c, Actions: &actions}
}

// BenchmarkTriggers measures one ticket update (an internal note with a
// priority change) with no triggers, with 200 active triggers none of
// which match, and with 200 of which one matches and changes the ticket
// (a second, rule-made update in the same transaction). trigger-ns/op is
// the time the trigger pass adds to the update, measured around the hook.
func BenchmarkTriggers(b *testing.B) {
	for _, c := range []struct {
		name  string
		n     int
		match int // index of the matching trigger, -1 for none
	}{{"none", 0, -1}, {"200_no_match", 200, -1}, {"200_one_match", 200, 150}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.SQLite(b)
			svc := tickets.New(st)
			trig := &triggers.Service{Store: st, Tickets: svc, Engine: &rules.Engine{BaseURL: "http://localhost"}}
			// The hook's own time is summed apart: with SQLite's fsync per
			// commit dominating the update, the difference of two timings is
			// noise on a shared machine.
			var inHook time.Duration
			svc.BeforeCommit = append(svc.BeforeCommit, func(tx *store.Tx, r tickets.Result) error {
				if c.n == 0 || (r.Change != nil && r.Change.RuleSource != "") {
					return nil
				}
				start := time.Now()
				err := trig.BeforeCommit(tx, r)
				inHook += time.Since(start)
				return err
			})
			var agent *model.User
			var id int64
			err := st.Write(ctx, func(tx *store.Tx) error {
				now := time.Now()
				agent = &model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAdmin}
				if err := users.Create(tx, agent, now); err != nil {
					return err
				}
				cust := &model.User{Name: "佐藤 花子", Email: "hanako@customer.co.jp", Role: model.RoleEndUser}
				if err := users.Create(tx, cust, now); err != nil {
					return err
				}
				for i := 0; i < c.n; i++ {
					if _, err := trig.Create(tx, realistic(i, i == c.match)); err != nil {
						return err
					}
				}
				subj := "配送状況を教えてください"
				res, err := svc.CreateTx(tx, agent, tickets.Change{Subject: &subj, RequesterID: &cust.ID,
					Comment: &tickets.CommentInput{Body: "注文①の配送状況を教えてください。"}})
				if err != nil {
					return err
				}
				id = res.Ticket.ID
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			public := false
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := "normal"
				if _, err := svc.Update(ctx, agent, id, tickets.Change{Priority: &p,
					Comment: &tickets.CommentInput{Body: fmt.Sprintf("至急確認します (%d)", i), Public: &public}}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(inHook.Nanoseconds())/float64(b.N), "trigger-ns/op")
			if c.match >= 0 {
				var tk *model.Ticket
				_ = st.Read(ctx, func(tx *store.Tx) error { tk, err = tx.Ticket(id); return err })
				if tk.Priority != "urgent" {
					b.Fatalf("the matching trigger did not fire: %q", tk.Priority)
				}
			}
		})
	}
}
