package tickets_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Hooks run one after another inside a write, and one may update the
// ticket again (a rule's nested write). Result.Current must hand later
// hooks the ticket as it now is; when nothing was written since, it skips
// the read and must then hold exactly what the read would return.
func TestResultCurrent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		type seen struct {
			unchanged, fresh bool
			current, read    *model.Ticket
		}
		var got []seen
		nest := false
		f.svc.BeforeCommit = []func(tx *store.Tx, r tickets.Result) error{
			func(tx *store.Tx, r tickets.Result) error { // as a trigger would
				if nest && r.Old == nil {
					_, err := f.svc.UpdateTx(tx, f.agent, r.Ticket.ID, tickets.Change{Priority: ptr("urgent"), AddTags: []string{"至急"}})
					return err
				}
				return nil
			},
			func(tx *store.Tx, r tickets.Result) error {
				cur, err := r.Current(tx)
				if err != nil {
					return err
				}
				read, err := tx.Ticket(r.Ticket.ID)
				if err != nil {
					return err
				}
				got = append(got, seen{r.Unchanged(tx), r.Fresh(tx), cur, read})
				return nil
			},
		}
		same := func(s seen) {
			t.Helper()
			if a, b := normalized(s.current), normalized(s.read); !reflect.DeepEqual(a, b) {
				t.Fatalf("current ticket differs from the stored one:\n current %+v\n stored  %+v", a, b)
			}
		}

		res, err := f.svc.Create(ctx, f.cus, tickets.Change{
			Subject: ptr("ログインできません"),
			Comment: &tickets.CommentInput{Body: "パスワードを再設定してもログインできません。"},
			Via:     "web",
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].unchanged || !got[0].fresh {
			t.Fatalf("a plain create: %d hook calls %+v; want one, unchanged and fresh", len(got), got)
		}
		same(got[0])

		got = nil
		if _, err := f.svc.Update(ctx, f.agent, res.Ticket.ID, tickets.Change{Status: ptr(model.StatusPending), AssigneeID: &f.agent.ID,
			Comment: &tickets.CommentInput{Body: "確認いたします。少々お待ちください。"}}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].unchanged || got[0].fresh {
			t.Fatalf("a plain update: got %d hook calls %+v; want one, unchanged and not fresh", len(got), got)
		}
		same(got[0])

		// A rule updates the new ticket inside the create: the hook of the
		// nested write sees it unchanged since, the outer one must not.
		got, nest = nil, true
		if _, err := f.svc.Create(ctx, f.cus, tickets.Change{
			Subject: ptr("至急：サーバーが停止しています"),
			Comment: &tickets.CommentInput{Body: "本番サーバーに接続できません。"},
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !got[0].unchanged || got[1].unchanged || got[0].fresh || got[1].fresh {
			t.Fatalf("nested write: got %d hook calls %+v; want the nested one unchanged, the outer one not", len(got), got)
		}
		for _, s := range got {
			same(s)
			if s.current.Priority != "urgent" || !reflect.DeepEqual(s.current.Tags, []string{"至急"}) {
				t.Fatalf("the outer hook got the ticket before the rule's write: %+v", s.current)
			}
		}
	})
}

// normalized makes a ticket comparable with one read back: empty and nil
// collections, and times in one location.
func normalized(tk *model.Ticket) model.Ticket {
	n := *tk
	if len(n.Tags) == 0 {
		n.Tags = nil
	}
	if len(n.CustomFields) == 0 {
		n.CustomFields = nil
	}
	if len(n.CollaboratorIDs) == 0 {
		n.CollaboratorIDs = nil
	}
	if len(n.FollowupIDs) == 0 {
		n.FollowupIDs = nil
	}
	if len(n.ViaSource) == 0 {
		n.ViaSource = nil
	}
	for _, p := range []*time.Time{&n.CreatedAt, &n.UpdatedAt, &n.SolvedAt, &n.DueAt, &n.DeletedAt} {
		if !p.IsZero() {
			*p = p.UTC()
		}
	}
	return n
}
