package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// Zendesk's Incremental Export API: records changed since a time, oldest
// change first, in (updated_at, id) order.
//
// Positions are (updated_at in ms, id) pairs, so records sharing one
// updated_at second are never skipped or repeated between pages. Time-based
// next_page links therefore carry a Kizuna cursor= as well as start_time=
// (a client building start_time=end_time itself may see the last second's
// records again, as Zendesk warns, but never misses one).
//
// As in Zendesk, changes from the last minute are left out until they are a
// minute old: a transaction that took its timestamp earlier may commit
// later, and an export that had already passed that timestamp would skip it.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/incremental/tickets/cursor", s.cursorExport(ticketExport))
		s.handle("GET /api/v2/incremental/tickets", s.timeExport(ticketExport))
		s.handle("GET /api/v2/incremental/users/cursor", s.cursorExport(userExport))
		s.handle("GET /api/v2/incremental/users", s.timeExport(userExport))
		s.handle("GET /api/v2/incremental/organizations", s.timeExport(orgExport))
	})
}

// exportSettle is how old a change must be before it is exported.
const exportSettle = time.Minute

// maxExportPerPage is Zendesk's per_page cap (and default) for exports.
const maxExportPerPage = 1000

type exportRow struct {
	pos  store.Cursor
	body any
}

// exportSource lists one record type: key names the response list.
type exportSource struct {
	key  string
	rows func(tx *store.Tx, r *http.Request, after store.Cursor, until int64, limit int) ([]exportRow, error)
}

var ticketExport = exportSource{key: "tickets", rows: func(tx *store.Tx, r *http.Request, after store.Cursor, until int64, limit int) ([]exportRow, error) {
	defs, err := tx.TicketFields()
	if err != nil {
		return nil, err
	}
	list, err := tx.TicketsChangedSince(after, until, limit, r.URL.Query().Get("exclude_deleted") == "true")
	if err != nil {
		return nil, err
	}
	base := baseURL(r)
	out := make([]exportRow, len(list))
	for i, t := range list {
		j := presentTicket(base, t, defs)
		if !t.DeletedAt.IsZero() {
			j.Status = "deleted" // Zendesk exports deleted tickets this way
		}
		out[i] = exportRow{store.CursorFor(t, "updated_at"), j}
	}
	return out, nil
}}

var userExport = exportSource{key: "users", rows: func(tx *store.Tx, r *http.Request, after store.Cursor, until int64, limit int) ([]exportRow, error) {
	list, err := tx.UsersChangedSince(after, until, limit)
	if err != nil {
		return nil, err
	}
	base := baseURL(r)
	out := make([]exportRow, len(list))
	for i, u := range list {
		out[i] = exportRow{store.RecordCursor(u.ID, u.CreatedAt, u.UpdatedAt, "updated_at"), presentUser(base, u)}
	}
	return out, nil
}}

var orgExport = exportSource{key: "organizations", rows: func(tx *store.Tx, r *http.Request, after store.Cursor, until int64, limit int) ([]exportRow, error) {
	list, err := tx.OrganizationsChangedSince(after, until, limit)
	if err != nil {
		return nil, err
	}
	base := baseURL(r)
	out := make([]exportRow, len(list))
	for i, o := range list {
		out[i] = exportRow{store.RecordCursor(o.ID, o.CreatedAt, o.UpdatedAt, "updated_at"), presentOrg(base, o)}
	}
	return out, nil
}}

// cursorExport serves .../cursor?start_time= (first page) and ?cursor=
// (the after_cursor of the previous page). after_cursor is always set, so a
// client keeps it to resume at end_of_stream.
func (s *Server) cursorExport(src exportSource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAgent(r); err != nil {
			return err
		}
		limit, err := exportPerPage(r)
		if err != nil {
			return err
		}
		now := s.Now()
		from, err := exportCursor(r, now)
		if err != nil {
			return err
		}
		rows, more, err := s.exportPage(r, src, from, now, limit)
		if err != nil {
			return err
		}
		last := from
		if len(rows) > 0 {
			last = rows[len(rows)-1].pos
		}
		after := encodeCursor(last.Value, last.ID)
		writeJSON(w, http.StatusOK, map[string]any{
			src.key:         rowBodies(rows),
			"after_cursor":  after,
			"after_url":     exportURL(r, "cursor", after),
			"before_cursor": nil, // exports only go forward
			"before_url":    nil,
			"end_of_stream": !more,
		})
		return nil
	}
}

// timeExport serves the time-based exports (?start_time=). next_page starts
// at end_time and carries the exact position in cursor=.
func (s *Server) timeExport(src exportSource) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAgent(r); err != nil {
			return err
		}
		limit, err := exportPerPage(r)
		if err != nil {
			return err
		}
		now := s.Now()
		from, err := exportCursor(r, now)
		if err != nil {
			return err
		}
		rows, more, err := s.exportPage(r, src, from, now, limit)
		if err != nil {
			return err
		}
		last := from
		if len(rows) > 0 {
			last = rows[len(rows)-1].pos
		}
		end := last.Value / 1000
		next := exportURL(r, "start_time", strconv.FormatInt(end, 10), "cursor", encodeCursor(last.Value, last.ID))
		writeJSON(w, http.StatusOK, map[string]any{
			src.key:         rowBodies(rows),
			"next_page":     next,
			"count":         len(rows),
			"end_time":      end,
			"end_of_stream": !more,
		})
		return nil
	}
}

func (s *Server) exportPage(r *http.Request, src exportSource, from store.Cursor, now time.Time, limit int) ([]exportRow, bool, error) {
	until := now.Add(-exportSettle).UnixMilli()
	var rows []exportRow
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		rows, err = src.rows(tx, r, from, until, limit+1)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return rows, more, nil
}

// exportCursor reads the starting position: cursor= if given, else
// start_time= (Unix seconds, required, not in the future).
func exportCursor(r *http.Request, now time.Time) (store.Cursor, error) {
	q := r.URL.Query()
	if c := q.Get("cursor"); c != "" {
		v, id, err := decodeCursor(c)
		if err != nil {
			return store.Cursor{}, badRequest("InvalidValue", "cursor is not valid; use after_cursor or after_url from the previous page. / cursor の値が正しくありません。")
		}
		return store.Cursor{Value: v, ID: id}, nil
	}
	v := q.Get("start_time")
	if v == "" {
		return store.Cursor{}, badRequest("InvalidValue", "start_time is required: a Unix time in seconds, e.g. start_time=1735657200. / start_time（UNIX 時刻・秒）を指定してください。")
	}
	st, err := strconv.ParseInt(v, 10, 64)
	if err != nil || st < 0 || st > 1<<40 {
		return store.Cursor{}, badRequest("InvalidValue", "start_time must be a Unix time in seconds. / start_time は UNIX 時刻（秒）で指定してください。")
	}
	if st > now.Unix() {
		return store.Cursor{}, &apiError{status: http.StatusUnprocessableEntity, code: "InvalidValue",
			msg: "start_time is in the future; use a time in the past. / start_time が未来の時刻です。"}
	}
	// (start ms, id 0): every record updated at or after start_time.
	return store.Cursor{Value: st * 1000}, nil
}

func exportPerPage(r *http.Request) (int, error) {
	v := r.URL.Query().Get("per_page")
	if v == "" {
		return maxExportPerPage, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badRequest("InvalidPaginationParameter", "per_page must be a whole number from 1 to 1000.")
	}
	return min(n, maxExportPerPage), nil
}

// exportURL is the request's URL with the position parameters replaced.
func exportURL(r *http.Request, kv ...string) string {
	u := absoluteURL(r)
	q := u.Query()
	q.Del("cursor")
	q.Del("start_time")
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func rowBodies(rows []exportRow) []any {
	out := make([]any, len(rows))
	for i, row := range rows {
		out[i] = row.body
	}
	return out
}
