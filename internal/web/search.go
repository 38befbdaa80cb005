package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/finder"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// searchSection bounds the users and organizations listed.
const searchSection = 20

// maxCommentHits bounds the comments listed (of the tickets shown).
const maxCommentHits = 20

// searchData is the search page: the query and what it found of each
// record type.
type searchData struct {
	Query    string
	Error    string
	Searched bool
	Rows     []queueRow
	More     bool // more than PageSize tickets
	Users    []userHit
	NUsers   int64
	Orgs     []orgHit
	NOrgs    int64
	Comments []commentHit
	// Which kinds the query can find (type: narrows it to one).
	TicketsOn, UsersOn, OrgsOn bool
}

// userHit is a user found, with a link to their tickets.
type userHit struct {
	ID                int64
	Name, Email, Role string
	Initials          string
	Colour            int
	TicketsURL        string
	RoleLabel         string
}

// orgHit is an organization found, with a link to its tickets.
type orgHit struct {
	ID         int64
	Name       string
	Domains    string
	TicketsURL string
}

// commentHit is a comment of a found ticket that has the words searched.
type commentHit struct {
	TicketID  int64
	Subject   string
	Public    bool
	Author    string
	Snippet   string
	When, ISO string
}

// searchPage finds tickets, users and organizations with the API's
// Zendesk-style query language (status:open assignee:me 配送, type:user
// email:…, see internal/finder), best match first unless order_by: says
// otherwise, and the comments of the tickets found that contain the
// words. Only the first page of each is shown; counting every matching
// ticket of a common word at 1M tickets costs more than the page is
// worth, so tickets say "50+" instead. ?partial=1 answers the results
// alone (search.js fetches them as the agent types).
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	raw := strings.TrimSpace(r.URL.Query().Get("q"))
	d := searchData{Query: raw}
	v := s.view(r)
	v.Title = v.T("search.title")
	v.Data = &d
	status := http.StatusOK
	switch {
	case raw == "":
	case len(raw) > 1000 || !utf8.ValidString(raw):
		d.Error, status = v.T("search.too_long"), http.StatusUnprocessableEntity
	default:
		d.Searched = true
		err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			q, err := search.Parse(raw)
			if err != nil {
				return err
			}
			plan, err := finder.Compile(tx, currentUser(r), q, s.Now())
			if err != nil {
				return err
			}
			return s.findAll(tx, v, plan, q, &d)
		})
		var se *search.SyntaxError
		switch {
		case errors.As(err, &se) || errors.Is(err, finder.ErrInvalid):
			d.Error, status = err.Error(), http.StatusUnprocessableEntity
		case err != nil:
			return err
		}
	}
	if r.URL.Query().Get("partial") == "1" {
		var buf bytes.Buffer
		if err := pages["search"].ExecuteTemplate(&buf, "results", v); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		w.Write(buf.Bytes())
		return nil
	}
	s.render(w, status, "search", v)
	return nil
}

// findAll runs each record type's part of plan.
func (s *Server) findAll(tx *store.Tx, v *view, plan *finder.Plan, q search.Query, d *searchData) error {
	d.TicketsOn, d.UsersOn, d.OrgsOn = plan.Tickets != nil, plan.Users != nil, plan.Orgs != nil
	var list []*model.Ticket
	if plan.Tickets != nil {
		var err error
		if list, err = tx.ListTickets(*plan.Tickets, plan.Order, store.Page{Limit: PageSize + 1}); err != nil {
			return err
		}
		if len(list) > PageSize {
			list, d.More = list[:PageSize], true
		}
		if d.Rows, err = withPeople(tx, list, v); err != nil {
			return err
		}
		if d.Comments, err = matchingComments(tx, v, list, q.Terms); err != nil {
			return err
		}
	}
	order := finder.UserOrder(plan.Order)
	if plan.Users != nil {
		users, err := tx.SearchUsers(*plan.Users, order, store.Page{Limit: searchSection})
		if err != nil {
			return err
		}
		if d.NUsers, err = tx.CountUsers(*plan.Users); err != nil {
			return err
		}
		for _, u := range users {
			h := userHit{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Initials: Initials(u.Name), Colour: Colour(u.ID),
				RoleLabel: v.T(searchRoleKey(u.Role))}
			if u.Email != "" {
				h.TicketsURL = "/search?" + url.Values{"q": {"requester:" + u.Email}}.Encode()
			}
			d.Users = append(d.Users, h)
		}
	}
	if plan.Orgs != nil {
		orgs, err := tx.SearchOrganizations(*plan.Orgs, order, store.Page{Limit: searchSection})
		if err != nil {
			return err
		}
		if d.NOrgs, err = tx.CountOrganizations(*plan.Orgs); err != nil {
			return err
		}
		for _, o := range orgs {
			d.Orgs = append(d.Orgs, orgHit{ID: o.ID, Name: o.Name, Domains: strings.Join(o.DomainNames, ", "),
				TicketsURL: "/search?" + url.Values{"q": {`organization:"` + o.Name + `"`}}.Encode()})
		}
	}
	return nil
}

// searchRoleKey is the catalog key of a role in search results (unknown
// roles read as customers).
func searchRoleKey(role string) string {
	switch role {
	case model.RoleAdmin, model.RoleAgent, model.RoleLightAgent:
		return "queue.search.role." + role
	}
	return "queue.search.role.end-user"
}

// matchingComments finds, among the comments of the tickets shown, those
// that contain every word searched for (compared as the search index does:
// NFKC and case folded, so ｶﾀｶﾅ finds カタカナ). One query for the page.
func matchingComments(tx *store.Tx, v *view, list []*model.Ticket, terms []search.Term) ([]commentHit, error) {
	var words []string
	for _, t := range terms {
		if !t.Negate && strings.TrimSpace(t.Text) != "" {
			words = append(words, search.Normalize(t.Text))
		}
	}
	if len(words) == 0 || len(list) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(list))
	subject := map[int64]string{}
	for i, tk := range list {
		ids[i] = tk.ID
		subject[tk.ID] = tk.Subject
	}
	all, err := tx.CommentsOfTickets(ids, 1000)
	if err != nil {
		return nil, err
	}
	var hits []*store.CommentHit
	var authors []int64
	for _, c := range all {
		body := search.Normalize(c.Body)
		ok := true
		for _, w := range words {
			if !strings.Contains(body, w) {
				ok = false
				break
			}
		}
		if ok {
			hits = append(hits, c)
			authors = append(authors, c.AuthorID)
			if len(hits) == maxCommentHits {
				break
			}
		}
	}
	users, err := tx.UsersByID(authors)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	out := make([]commentHit, len(hits))
	for i, c := range hits {
		out[i] = commentHit{TicketID: c.TicketID, Subject: subject[c.TicketID], Public: c.Public, Author: names[c.AuthorID],
			Snippet: snippet(c.Body, words[0]), When: v.When(c.CreatedAt), ISO: v.ISO(c.CreatedAt)}
	}
	return out, nil
}

// snippet is up to about 120 characters of body around the first match of
// word (normalized), or its start.
func snippet(body, word string) string {
	body = strings.Join(strings.Fields(body), " ")
	runes := []rune(body)
	start := 0
	norm := []rune(search.Normalize(body))
	if len(norm) == len(runes) { // positions line up: centre on the word
		if i := strings.Index(string(norm), word); i >= 0 {
			start = max(0, utf8.RuneCountInString(string(norm)[:i])-40)
		}
	}
	end := min(len(runes), start+120)
	out := string(runes[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(runes) {
		out += "…"
	}
	return out
}
