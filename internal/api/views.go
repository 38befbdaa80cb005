package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// Views: Zendesk's /api/v2/views (saved ticket filters), see docs/views.md.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/views", s.listViews(false))
		s.handle("GET /api/v2/views/active", s.listViews(true))
		s.handle("GET /api/v2/views/compact", s.compactViews)
		s.handle("GET /api/v2/views/search", s.listViews(false))
		s.handle("GET /api/v2/views/show_many", s.showManyViews)
		s.handle("GET /api/v2/views/count_many", s.countManyViews)
		s.handle("GET /api/v2/views/{id}", s.showView)
		s.handle("POST /api/v2/views", s.createView)
		s.handle("PUT /api/v2/views/update_many", s.updateManyViews)
		s.handle("PUT /api/v2/views/{id}", s.updateView)
		s.handle("PATCH /api/v2/views/{id}", s.updateView)
		s.handle("DELETE /api/v2/views/destroy_many", s.destroyManyViews)
		s.handle("DELETE /api/v2/views/{id}", s.deleteView)
		s.handle("GET /api/v2/views/{id}/execute", s.executeView)
		s.handle("GET /api/v2/views/{id}/tickets", s.viewTickets)
		s.handle("GET /api/v2/views/{id}/count", s.countView)
		s.handle("POST /api/v2/views/preview", s.previewView)
		s.handle("POST /api/v2/views/preview/count", s.previewCount)
	})
}

// viewServices holds the views service the app built for each server
// (UseViews); a server built without the app gets its own.
var viewServices sync.Map

// UseViews makes s answer view requests with v (its count cache is shared
// with the background refresher and the tickets service's hooks).
func UseViews(s *Server, v *views.Service) { viewServices.Store(s, v) }

func (s *Server) views() *views.Service {
	if v, ok := viewServices.Load(s); ok {
		return v.(*views.Service)
	}
	v, _ := viewServices.LoadOrStore(s, views.New(s.Store, s.Log))
	return v.(*views.Service)
}

func (s *Server) listViews(onlyActive bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireStaff(r); err != nil {
			return err
		}
		q := r.URL.Query()
		f := views.ListFilter{Access: q.Get("access"), SortBy: q.Get("sort_by"), SortDesc: q.Get("sort_order") == "desc", Query: q.Get("query")}
		if strings.HasSuffix(r.URL.Path, "/search") && strings.TrimSpace(f.Query) == "" {
			return badRequest("InvalidValue", "query is required, e.g. query=未割り当て / query を指定してください")
		}
		switch f.Access {
		case "", "personal", "shared", "account":
		default:
			return badRequest("InvalidValue", "access must be personal, shared or account / access は personal・shared・account のいずれかです")
		}
		if v := q.Get("active"); v != "" || onlyActive {
			b := v != "false"
			f.Active = &b
		}
		if v := q.Get("group_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return badRequest("InvalidValue", "group_id must be a group id / group_id はグループ ID です")
			}
			f.GroupID = id
		}
		p, err := parsePager(r)
		if err != nil {
			return err
		}
		list, err := s.views().List(r.Context(), currentUser(r), f)
		if err != nil {
			return err
		}
		body := map[string]any{}
		list, err = pageSlice(p, body, list)
		if err != nil {
			return err
		}
		body["views"] = s.presentViews(r, list)
		writeJSON(w, http.StatusOK, body)
		return nil
	}
}

// pageSlice pages an in-memory list: offset style, or cursor style with
// the position encoded in the cursor.
func pageSlice[T any](p *pager, body map[string]any, list []T) ([]T, error) {
	if !p.Cursor {
		page := sliceFrom(list, p.offset())
		if len(page) > p.Size {
			page = page[:p.Size]
		}
		p.offsetLinks(body, int64(len(list)), len(page))
		return page, nil
	}
	start := 0
	if p.After != "" {
		v, _, err := decodeCursor(p.After)
		if err != nil {
			return nil, err
		}
		start = int(max(0, v))
	}
	page := sliceFrom(list, start)
	hasMore := len(page) > p.Size
	if hasMore {
		page = page[:p.Size]
	}
	p.cursorLinks(body, hasMore, encodeCursor(int64(start+len(page)), -1), encodeCursor(int64(start), -1))
	return page, nil
}

func (s *Server) compactViews(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	active := true
	list, err := s.views().List(r.Context(), currentUser(r), views.ListFilter{Active: &active})
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	base := baseURL(r)
	for i, v := range list {
		out[i] = map[string]any{"url": viewURL(base, v.ID), "id": v.ID, "title": v.Title, "raw_title": v.RawTitle,
			"active": v.Active, "position": v.Position, "default": v.DefaultKey != "", "restriction": restrictionJSON(v)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"views": out, "count": len(out), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) showManyViews(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	ids, err := idList(r.URL.Query().Get("ids"))
	if err != nil {
		return err
	}
	list, err := s.views().List(r.Context(), currentUser(r), views.ListFilter{IDs: ids})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"views": s.presentViews(r, list), "count": len(list), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) viewFromPath(r *http.Request) (*store.View, error) {
	if err := requireStaff(r); err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.views().Get(r.Context(), currentUser(r), id)
}

func (s *Server) showView(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewFromPath(r)
	if err != nil {
		return err
	}
	return s.writeView(w, r, http.StatusOK, v)
}

func (s *Server) writeView(w http.ResponseWriter, r *http.Request, status int, v *store.View) error {
	var defs []*model.TicketField
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		defs, err = tx.TicketFields()
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, status, map[string]any{"view": presentView(baseURL(r), v, defs)})
	return nil
}

func (s *Server) createView(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	in, err := s.decodeView(w, r)
	if err != nil {
		return err
	}
	v, err := s.views().Create(r.Context(), currentUser(r), in)
	if err != nil {
		return err
	}
	return s.writeView(w, r, http.StatusCreated, v)
}

func (s *Server) updateView(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeView(w, r)
	if err != nil {
		return err
	}
	v, err := s.views().Update(r.Context(), currentUser(r), id, in)
	if err != nil {
		return err
	}
	return s.writeView(w, r, http.StatusOK, v)
}

func (s *Server) deleteView(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.views().Delete(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) destroyManyViews(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	ids, err := idList(r.URL.Query().Get("ids"))
	if err != nil {
		return err
	}
	if err := s.views().DestroyMany(r.Context(), currentUser(r), ids); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) updateManyViews(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var body struct {
		Views []struct {
			ID       optInt `json:"id"`
			Position *int   `json:"position"`
			Active   *bool  `json:"active"`
		} `json:"views"`
	}
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	if len(body.Views) == 0 || len(body.Views) > 100 {
		return badRequest("InvalidValue", "views must list 1 to 100 views with id and position / views に 1〜100 件のビューを指定してください")
	}
	ups := make([]views.PositionUpdate, len(body.Views))
	for i, v := range body.Views {
		if v.ID.V == 0 {
			return badRequest("InvalidValue", "every entry of views needs an id / views の各要素に id が必要です")
		}
		ups[i] = views.PositionUpdate{ID: v.ID.V, Position: v.Position, Active: v.Active}
	}
	list, err := s.views().UpdateMany(r.Context(), currentUser(r), ups)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"views": s.presentViews(r, list)})
	return nil
}

// viewBody is a view as clients send it: Zendesk's create and update take
// all/any and output at the top level; conditions and execution (the read
// shape) are accepted too, so a view read back can be written back.
type viewBody struct {
	View *struct {
		Title       *string                `json:"title"`
		Description *string                `json:"description"`
		Active      *bool                  `json:"active"`
		Position    *int                   `json:"position"`
		All         *[]store.ViewCondition `json:"all"`
		Any         *[]store.ViewCondition `json:"any"`
		Conditions  *store.ViewConditions  `json:"conditions"`
		Output      *outputJSON            `json:"output"`
		Execution   *outputJSON            `json:"execution"`
		Restriction json.RawMessage        `json:"restriction"`
	} `json:"view"`
}

type outputJSON struct {
	Columns    []json.RawMessage `json:"columns"`
	GroupBy    optString         `json:"group_by"`
	GroupOrder optString         `json:"group_order"`
	SortBy     optString         `json:"sort_by"`
	SortOrder  optString         `json:"sort_order"`
}
