package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/finder"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Zendesk's Search API. Differences from Zendesk, on purpose:
//   - no 1,000-result cap: page/per_page reach every result, and
//     page[size]/page[after] (cursor pagination) work on /search as well as
//     on /search/export;
//   - records are searchable as soon as the write that made them returns;
//   - a query without type: lists matching tickets first, then users, then
//     organizations, each group in the requested order.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/search", s.search)
		s.handle("GET /api/v2/search/count", s.searchCount)
		s.handle("GET /api/v2/search/export", s.searchExport)
	})
}

// maxQueryBytes bounds a search query; real queries are a few dozen bytes.
const maxQueryBytes = 4096

// maxExportPageSize is Zendesk's page[size] cap for /search/export.
const maxExportPageSize = 1000

// searchKind numbers the result types in listing order; mixed-type cursors
// carry it.
type searchKind int64

const (
	kindTicket searchKind = iota
	kindUser
	kindOrg
)

// hit is one result with its keyset position.
type hit struct {
	kind   searchKind
	cursor store.Cursor
	body   any
}

type ticketResult struct {
	ticketJSON
	ResultType string `json:"result_type"`
}

type userResult struct {
	userJSON
	ResultType string `json:"result_type"`
}

type orgResult struct {
	orgJSON
	ResultType string `json:"result_type"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	body := map[string]any{"facets": nil}
	var hits []hit
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		plan, err := s.compileSearch(tx, r, "")
		if err != nil {
			return err
		}
		sr := &searcher{tx: tx, base: baseURL(r), plan: plan}
		if p.Cursor {
			hits, err = sr.cursorPage(p, body)
			return err
		}
		hits, err = sr.offsetPage(p, body)
		return err
	})
	if err != nil {
		return err
	}
	body["results"] = hitBodies(hits)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) searchCount(w http.ResponseWriter, r *http.Request) error {
	var total int64
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		plan, err := s.compileSearch(tx, r, "")
		if err != nil {
			return err
		}
		sr := &searcher{tx: tx, plan: plan}
		for _, k := range sr.kinds() {
			n, err := sr.count(k)
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": total})
	return nil
}

// searchExport is Zendesk's Export Search Results: one record type
// (filter[type]), cursor pages of up to 1,000.
func (s *Server) searchExport(w http.ResponseWriter, r *http.Request) error {
	typ := r.URL.Query().Get("filter[type]")
	switch typ {
	case finder.TypeTicket, finder.TypeUser, finder.TypeOrganization:
	case "":
		return badRequest("InvalidValue", "filter[type] is required: ticket, user or organization. / filter[type] を指定してください。")
	default:
		return badRequest("InvalidValue", "filter[type] must be ticket, user or organization. / filter[type] の値が正しくありません。")
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	if v := r.URL.Query().Get("page[size]"); v != "" {
		n, _ := strconv.Atoi(v) // parsePager validated it
		p.Size = min(n, maxExportPageSize)
	}
	body := map[string]any{"facets": nil}
	var hits []hit
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		plan, err := s.compileSearch(tx, r, typ)
		if err != nil {
			return err
		}
		sr := &searcher{tx: tx, base: baseURL(r), plan: plan}
		hits, err = sr.cursorPage(p, body)
		return err
	})
	if err != nil {
		return err
	}
	body["results"] = hitBodies(hits)
	writeJSON(w, http.StatusOK, body)
	return nil
}

// compileSearch parses ?query= (with sort_by/sort_order overriding the
// query's order_by:/sort:) and compiles it for the signed-in user. typ, if
// set, restricts the search to one record type.
func (s *Server) compileSearch(tx *store.Tx, r *http.Request, typ string) (*finder.Plan, error) {
	qs := r.URL.Query()
	raw := qs.Get("query") // valid UTF-8 without NULs: ServeHTTP checked every parameter
	switch {
	case strings.TrimSpace(raw) == "":
		return nil, badRequest("InvalidValue", "query is required, e.g. query=type:ticket status:open. / 検索条件 query を指定してください。")
	case len(raw) > maxQueryBytes:
		return nil, badRequest("InvalidValue", "The search query is too long. / 検索条件が長すぎます。")
	}
	q, err := search.Parse(raw)
	if err != nil {
		return nil, searchQueryError(err)
	}
	if typ != "" {
		if q.Type != "" && q.Type != typ {
			return nil, &apiError{status: http.StatusUnprocessableEntity, code: "InvalidSearchQuery",
				msg: "type:" + q.Type + " in the query contradicts filter[type]=" + typ + ". / type: と filter[type] が食い違っています。"}
		}
		q.Type = typ
	}
	if v := qs.Get("sort_by"); v != "" {
		q.OrderBy = v
	}
	if v := qs.Get("sort_order"); v != "" {
		q.Sort = v
	}
	plan, err := finder.Compile(tx, currentUser(r), q, s.Now())
	if err != nil {
		return nil, searchQueryError(err)
	}
	return plan, nil
}

// searchQueryError answers a malformed query with 422, as Zendesk does,
// naming the problem; other errors pass through.
func searchQueryError(err error) error {
	var se *search.SyntaxError
	switch {
	case errors.As(err, &se):
		return &apiError{status: http.StatusUnprocessableEntity, code: "InvalidSearchQuery",
			msg: "Invalid search query: " + se.Msg + " near " + strconv.Quote(se.Near) + ". / 検索条件の書き方が正しくありません。"}
	case errors.Is(err, finder.ErrInvalid):
		return &apiError{status: http.StatusUnprocessableEntity, code: "InvalidSearchQuery", msg: err.Error()}
	}
	return err
}

func hitBodies(hits []hit) []any {
	out := make([]any, len(hits))
	for i, h := range hits {
		out[i] = h.body
	}
	return out
}

// searcher lists one compiled query's results.
type searcher struct {
	tx   *store.Tx
	base string
	plan *finder.Plan
	defs []*model.TicketField
	// defsLoaded: ticket field definitions are read once, when needed
	defsLoaded bool
}

func (sr *searcher) kinds() []searchKind {
	var ks []searchKind
	if sr.plan.Tickets != nil {
		ks = append(ks, kindTicket)
	}
	if sr.plan.Users != nil {
		ks = append(ks, kindUser)
	}
	if sr.plan.Orgs != nil {
		ks = append(ks, kindOrg)
	}
	return ks
}

func (sr *searcher) count(k searchKind) (int64, error) {
	switch k {
	case kindTicket:
		return sr.tx.CountTickets(*sr.plan.Tickets)
	case kindUser:
		return sr.tx.CountUsers(*sr.plan.Users)
	}
	return sr.tx.CountOrganizations(*sr.plan.Orgs)
}

// fetch returns one page of results of kind k.
func (sr *searcher) fetch(k searchKind, order store.TicketOrder, page store.Page) ([]hit, error) {
	var hits []hit
	switch k {
	case kindTicket:
		if !sr.defsLoaded {
			defs, err := sr.tx.TicketFields()
			if err != nil {
				return nil, err
			}
			sr.defs, sr.defsLoaded = defs, true
		}
		list, err := sr.tx.ListTickets(*sr.plan.Tickets, order, page)
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			hits = append(hits, hit{kindTicket, store.CursorFor(t, order.Field), ticketResult{presentTicket(sr.base, t, sr.defs), "ticket"}})
		}
	case kindUser:
		order = finder.UserOrder(order)
		list, err := sr.tx.SearchUsers(*sr.plan.Users, order, page)
		if err != nil {
			return nil, err
		}
		for _, u := range list {
			hits = append(hits, hit{kindUser, store.RecordCursor(u.ID, u.CreatedAt, u.UpdatedAt, order.Field), userResult{presentUser(sr.base, u), "user"}})
		}
	case kindOrg:
		order = finder.UserOrder(order)
		list, err := sr.tx.SearchOrganizations(*sr.plan.Orgs, order, page)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			hits = append(hits, hit{kindOrg, store.RecordCursor(o.ID, o.CreatedAt, o.UpdatedAt, order.Field), orgResult{presentOrg(sr.base, o), "organization"}})
		}
	}
	return hits, nil
}

// offsetPage lists page p of the concatenation tickets, users,
// organizations, with Zendesk's count/next_page/previous_page.
func (sr *searcher) offsetPage(p *pager, body map[string]any) ([]hit, error) {
	var total int64
	skip, want := int64(p.offset()), p.Size
	var hits []hit
	for _, k := range sr.kinds() {
		n, err := sr.count(k)
		if err != nil {
			return nil, err
		}
		total += n
		if want == 0 || skip >= n {
			skip -= min(skip, n)
			continue
		}
		hs, err := sr.fetch(k, sr.plan.Order, store.Page{Limit: want, Offset: int(skip)})
		if err != nil {
			return nil, err
		}
		hits = append(hits, hs...)
		want -= len(hs)
		skip = 0
	}
	p.offsetLinks(body, total, len(hits))
	return hits, nil
}

// cursorPage lists the page after p.After in a keyset order: the requested
// created_at/updated_at/id order for one record type, id order for mixed
// results (whose cursor also names the record type it stopped in).
func (sr *searcher) cursorPage(p *pager, body map[string]any) ([]hit, error) {
	if p.Before != "" {
		return nil, badRequest("InvalidPaginationParameter", "Search results page forward only: use page[after]. / 検索結果は page[after] で順に取得してください。")
	}
	kinds := sr.kinds()
	mixed := len(kinds) > 1
	order, err := sr.cursorOrder(mixed)
	if err != nil {
		return nil, err
	}
	start, after := kindTicket, (*store.Cursor)(nil)
	if p.After != "" {
		v, id, err := decodeCursor(p.After)
		if err != nil {
			return nil, err
		}
		after = &store.Cursor{Value: v, ID: id}
		if mixed {
			if v < int64(kindTicket) || v > int64(kindOrg) {
				return nil, badRequest("InvalidPaginationParameter", "The page cursor is not valid; use the value from meta.after_cursor or links.next.")
			}
			start, after = searchKind(v), &store.Cursor{Value: id, ID: id}
		}
	}
	var hits []hit
	for _, k := range kinds {
		if k < start || len(hits) > p.Size {
			continue
		}
		page := store.Page{Limit: p.Size + 1 - len(hits)}
		if k == start {
			page.After = after
		}
		hs, err := sr.fetch(k, order, page)
		if err != nil {
			return nil, err
		}
		hits = append(hits, hs...)
	}
	hasMore := len(hits) > p.Size
	if hasMore {
		hits = hits[:p.Size]
	}
	next := ""
	if len(hits) > 0 {
		last := hits[len(hits)-1]
		next = encodeCursor(last.cursor.Value, last.cursor.ID)
		if mixed {
			next = encodeCursor(int64(last.kind), last.cursor.ID)
		}
	}
	p.cursorLinks(body, hasMore, next, "")
	return hits, nil
}

func (sr *searcher) cursorOrder(mixed bool) (store.TicketOrder, error) {
	o := sr.plan.Order
	if !sr.plan.OrderGiven || o.Field == "relevance" {
		return store.TicketOrder{Field: "id"}, nil
	}
	if mixed && o.Field != "id" {
		return o, badRequest("InvalidValue", "Cursor pages over tickets, users and organizations together are ordered by id; add type:ticket to sort by created_at or updated_at. / 種類を混在させた検索のカーソル取得は id 順です。")
	}
	if !store.KeysetOrder(o.Field) {
		return o, badRequest("InvalidValue", "Cursor pagination sorts by created_at, updated_at or id; use page and per_page to sort by priority, status or ticket_type. / カーソル取得で使える並べ替えは created_at、updated_at、id です。")
	}
	return o, nil
}
