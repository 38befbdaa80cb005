package tickets

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Timeline entry kinds, in the order they sort among entries at the same
// instant: a ticket's latest activity, then comments, then mails.
const (
	EntryTicket  = "ticket"
	EntryComment = "comment"
	EntryMail    = "mail"
)

var entryRank = map[string]int{EntryTicket: 0, EntryComment: 1, EntryMail: 2}

// TimelineQuery asks for one page of a customer's timeline.
type TimelineQuery struct {
	UserID              int64
	IncludeOrganization bool            // also tickets of the user's organization
	After               *TimelineCursor // nil: from the newest entry
	Limit               int
}

// TimelineCursor is the position of an entry in the timeline order.
type TimelineCursor struct {
	At   time.Time
	Kind string
	ID   int64
}

// TimelineEntry is one item: a ticket (at its latest activity, with its
// newest comment), a comment, or a mail in or out.
type TimelineEntry struct {
	Kind     string
	At       time.Time
	ID       int64 // ticket, comment or mail id
	TicketID int64
	Ticket   *model.Ticket      // EntryTicket
	Latest   *model.Comment     // EntryTicket: newest comment, if any
	Comment  *model.Comment     // EntryComment
	Mail     *model.MailMessage // EntryMail
}

// Cursor returns the entry's position, for the next page.
func (e TimelineEntry) Cursor() TimelineCursor {
	return TimelineCursor{At: e.At, Kind: e.Kind, ID: e.ID}
}

// TimelinePage is one page, newest first.
type TimelinePage struct {
	User    *model.User
	Entries []TimelineEntry
	HasMore bool
}

// Timeline lists everything that happened with a customer across inboxes:
// their tickets, the comments on them and the mails in and out, merged into
// one newest-first list. Staff only.
func (s *Service) Timeline(ctx context.Context, actor *model.User, q TimelineQuery) (*TimelinePage, error) {
	if !actor.IsStaff() {
		return nil, errs.Forbiddenf("agents only / エージェントのみ利用できます")
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	if q.After != nil {
		if _, ok := entryRank[q.After.Kind]; !ok {
			return nil, errs.Invalidf("page[after]", "InvalidValue", "page[after]: not a timeline cursor / カーソルが正しくありません")
		}
	}
	page := &TimelinePage{}
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		u, err := tx.User(q.UserID)
		if err != nil {
			return err
		}
		page.User = u
		scope := store.TimelineScope{RequesterID: u.ID}
		if q.IncludeOrganization {
			scope.OrganizationID = u.OrganizationID
		}
		n := q.Limit + 1
		// Each kind is read newest first up to the page size after the
		// cursor; the page is the newest n of their union.
		tks, err := tx.TimelineTickets(scope, boundFor(q.After, EntryTicket), n)
		if err != nil {
			return err
		}
		cs, err := tx.TimelineComments(scope, boundFor(q.After, EntryComment), n)
		if err != nil {
			return err
		}
		ms, err := tx.TimelineMails(scope, boundFor(q.After, EntryMail), n)
		if err != nil {
			return err
		}
		var all []TimelineEntry
		for _, t := range tks {
			all = append(all, TimelineEntry{Kind: EntryTicket, At: t.UpdatedAt, ID: t.ID, TicketID: t.ID, Ticket: t})
		}
		for _, c := range cs {
			all = append(all, TimelineEntry{Kind: EntryComment, At: c.CreatedAt, ID: c.ID, TicketID: c.TicketID, Comment: c})
		}
		for _, m := range ms {
			all = append(all, TimelineEntry{Kind: EntryMail, At: m.CreatedAt, ID: m.ID, TicketID: m.TicketID, Mail: m})
		}
		slices.SortFunc(all, compareEntries)
		if len(all) > q.Limit {
			all, page.HasMore = all[:q.Limit], true
		}
		page.Entries = all
		var ticketIDs []int64
		for _, e := range all {
			if e.Kind == EntryTicket {
				ticketIDs = append(ticketIDs, e.ID)
			}
		}
		latest, err := tx.LatestComments(ticketIDs)
		for i := range page.Entries {
			if e := &page.Entries[i]; e.Kind == EntryTicket {
				e.Latest = latest[e.ID]
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// compareEntries orders newest first; at the same instant by kind, then
// newest id first, so the order is total and a cursor is exact.
func compareEntries(a, b TimelineEntry) int {
	if c := b.At.Compare(a.At); c != 0 {
		return c
	}
	if c := entryRank[a.Kind] - entryRank[b.Kind]; c != 0 {
		return c
	}
	switch {
	case a.ID > b.ID:
		return -1
	case a.ID < b.ID:
		return 1
	}
	return 0
}

// boundFor turns a cursor into the keyset bound of one kind: entries of a
// later-sorting kind at the cursor's instant are all still to come, those
// of an earlier-sorting kind were all shown.
func boundFor(c *TimelineCursor, kind string) *store.TimelineBound {
	if c == nil {
		return nil
	}
	b := &store.TimelineBound{At: c.At, ID: c.ID}
	switch r, cr := entryRank[kind], entryRank[c.Kind]; {
	case r > cr:
		b.ID = math.MaxInt64
	case r < cr:
		b.ID = 0
	}
	return b
}

// Excerpt shortens a comment body to one line of at most max characters.
func Excerpt(body string, max int) string {
	s := strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
