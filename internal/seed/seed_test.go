package seed

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/users"
)

var until = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// seeded is one seeded ticket with everything the database holds for it.
type seeded struct {
	t        *model.Ticket
	comments []*model.Comment
	audits   []*model.Audit
}

func load(t *testing.T, db *store.DB) []seeded {
	t.Helper()
	var out []seeded
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		list, err := tx.ListTickets(store.TicketFilter{}, store.TicketOrder{Field: "id"}, store.Page{Limit: 100000})
		if err != nil {
			return err
		}
		for _, tk := range list {
			s := seeded{t: tk}
			if s.comments, err = tx.Comments(tk.ID, false, 0, 0, false); err != nil {
				return err
			}
			if s.audits, err = tx.Audits(tk.ID, 0, 0, false); err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSeedInvariants(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, err := Run(ctx, db, Options{Tickets: 200, Seed: 42, Until: until, BatchSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		all := load(t, db)
		if len(all) != 200 || st.Tickets != 200 {
			t.Fatalf("got %d tickets (stats %d), want 200", len(all), st.Tickets)
		}
		comments, statuses := 0, map[string]int{}
		for _, s := range all {
			checkTicket(t, db, s)
			comments += len(s.comments)
			statuses[s.t.Status]++
		}
		if comments != st.Comments || comments < 2*200 || comments > 4*200 {
			t.Errorf("%d comments (stats %d): want about 3 per ticket", comments, st.Comments)
		}
		if statuses[model.StatusClosed] < 100 || statuses[model.StatusClosed] == 200 {
			t.Errorf("status mix %v: most, not all, tickets should be closed", statuses)
		}
		checkRequesters(t, db, all)
		checkSearch(t, db, all, "配送")
		checkSearch(t, db, all, "ログイン")
		checkSearch(t, db, all, "refund")
		if _, err := Run(ctx, db, Options{Tickets: 1, Until: until}); err == nil || !strings.Contains(err.Error(), "already been seeded") {
			t.Errorf("seeding twice: err = %v, want already been seeded", err)
		}
	})
}

// checkTicket holds a seeded ticket to the rules the tickets domain keeps.
func checkTicket(t *testing.T, db *store.DB, s seeded) {
	t.Helper()
	tk := s.t
	if !slices.Contains(model.Statuses, tk.Status) {
		t.Fatalf("ticket %d: status %q", tk.ID, tk.Status)
	}
	switch tk.Status {
	case model.StatusNew:
		if tk.AssigneeID != 0 {
			t.Errorf("ticket %d is new but assigned", tk.ID)
		}
	case model.StatusSolved, model.StatusClosed:
		if tk.AssigneeID == 0 || tk.SolvedAt.IsZero() || tk.SolvedAt.After(tk.UpdatedAt) {
			t.Errorf("ticket %d is %s: assignee %d, solved_at %v", tk.ID, tk.Status, tk.AssigneeID, tk.SolvedAt)
		}
	default:
		if !tk.SolvedAt.IsZero() {
			t.Errorf("ticket %d is %s but has solved_at", tk.ID, tk.Status)
		}
	}
	if tk.Priority != "" && !slices.Contains(model.Priorities, tk.Priority) || tk.Type != "" && !slices.Contains(model.TicketTypes, tk.Type) {
		t.Errorf("ticket %d: priority %q type %q", tk.ID, tk.Priority, tk.Type)
	}
	if n := len(s.comments); n < 1 || n > 5 {
		t.Fatalf("ticket %d has %d comments", tk.ID, n)
	}
	if tk.Description != s.comments[0].Body || tk.Subject == "" || !s.comments[0].Public {
		t.Errorf("ticket %d: description is not the first public comment", tk.ID)
	}
	if len(s.audits) < len(s.comments) {
		t.Fatalf("ticket %d: %d audits for %d comments", tk.ID, len(s.audits), len(s.comments))
	}
	first := s.audits[0]
	if !hasEvent(first, "Create", "subject") || !hasEvent(first, "Create", "status") || !first.CreatedAt.Equal(tk.CreatedAt) {
		t.Errorf("ticket %d: first audit is not its creation: %+v", tk.ID, first.Events)
	}
	last := s.audits[len(s.audits)-1]
	if !last.CreatedAt.Equal(tk.UpdatedAt) {
		t.Errorf("ticket %d: updated_at %v, last audit %v", tk.ID, tk.UpdatedAt, last.CreatedAt)
	}
	byAudit := map[int64]*model.Audit{}
	for _, a := range s.audits {
		byAudit[a.ID] = a
	}
	for i, c := range s.comments {
		a := byAudit[c.AuditID]
		if a == nil || len(a.Events) == 0 || a.Events[0].Type != "Comment" || a.Events[0].CommentID != c.ID {
			t.Fatalf("ticket %d comment %d: audit %d does not record it", tk.ID, c.ID, c.AuditID)
		}
		if c.HTMLBody == "" || strings.Contains(c.HTMLBody, "<script") || (i > 0 && !c.CreatedAt.After(s.comments[i-1].CreatedAt)) {
			t.Errorf("ticket %d comment %d: bad html or order", tk.ID, c.ID)
		}
	}
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		for _, tag := range tk.Tags {
			n, err := tx.CountTickets(store.TicketFilter{IDs: []int64{tk.ID}, Tags: []string{tag}})
			if err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("ticket %d: tag %q has no ticket_tags row", tk.ID, tag)
			}
		}
		if tk.AssigneeID != 0 {
			ok, err := tx.IsGroupMember(tk.AssigneeID, tk.GroupID)
			if err != nil {
				return err
			}
			u, err := tx.User(tk.AssigneeID)
			if err != nil {
				return err
			}
			if !ok || !u.IsAgent() {
				t.Errorf("ticket %d: assignee %d (%s) is not an agent of group %d", tk.ID, u.ID, u.Role, tk.GroupID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func hasEvent(a *model.Audit, typ, field string) bool {
	return slices.ContainsFunc(a.Events, func(e model.AuditEvent) bool { return e.Type == typ && e.FieldName == field })
}

// checkRequesters: requesters are end-users exactly as users.Prepare would
// store them, and a ticket's organization is its requester's.
func checkRequesters(t *testing.T, db *store.DB, all []seeded) {
	t.Helper()
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		for _, s := range all[:20] {
			u, err := tx.User(s.t.RequesterID)
			if err != nil {
				return err
			}
			if u.Role != model.RoleEndUser || !u.Active || u.OrganizationID != s.t.OrganizationID {
				t.Errorf("ticket %d: requester %+v", s.t.ID, u)
			}
			again := *u
			again.OrganizationID = 0 // Prepare finds it again from the email domain
			if err := users.Prepare(tx, &again, u.UpdatedAt); err != nil {
				return err
			}
			if again.OrganizationID != u.OrganizationID || again.Email != u.Email || again.Name != u.Name || again.Locale != u.Locale || again.TimeZone != u.TimeZone {
				t.Errorf("requester %d differs from what users.Prepare makes: %+v vs %+v", u.ID, again, *u)
			}
			found, err := tx.ListUsers(store.UserFilter{Text: search.ParseText([]search.Term{{Text: u.Email}})}, 0, 0, 10, false)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(found, func(f *model.User) bool { return f.ID == u.ID }) {
				t.Errorf("requester %d not found by searching their email", u.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkSearch: the search index finds exactly the tickets whose subject or
// comments contain the word.
func checkSearch(t *testing.T, db *store.DB, all []seeded, word string) {
	t.Helper()
	q := search.ParseText([]search.Term{{Text: word}})
	want := map[int64]bool{}
	for _, s := range all {
		texts := []string{s.t.Subject}
		for _, c := range s.comments {
			texts = append(texts, c.Body)
		}
		for _, x := range texts {
			if containsTokens(search.IndexTokens(x), q.Clauses[0].Tokens) {
				want[s.t.ID] = true
			}
		}
	}
	var got []*model.Ticket
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		got, err = tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "relevance"}, store.Page{Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatalf("no seeded ticket mentions %q", word)
	}
	if len(got) != len(want) {
		t.Errorf("search %q found %d tickets, want %d", word, len(got), len(want))
	}
	for _, tk := range got {
		if !want[tk.ID] {
			t.Errorf("search %q found ticket %d, which does not mention it", word, tk.ID)
		}
	}
}

func containsTokens(toks, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// TestSeedDeterministic: the same seed gives the same desk.
func TestSeedDeterministic(t *testing.T) {
	digest := func() []string {
		db := storetest.SQLite(t)
		if _, err := Run(context.Background(), db, Options{Tickets: 60, Seed: 7, Until: until}); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range load(t, db) {
			out = append(out, s.t.Subject+"|"+s.t.Status+"|"+s.t.UpdatedAt.String()+"|"+s.comments[len(s.comments)-1].Body)
		}
		return out
	}
	if a, b := digest(), digest(); !slices.Equal(a, b) {
		t.Error("two runs with the same seed differ")
	}
}
