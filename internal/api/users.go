package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/users", s.listUsers)
		s.handle("GET /api/v2/users/count", s.countUsers)
		s.handle("GET /api/v2/users/me", s.showMe)
		s.handle("GET /api/v2/users/show_many", s.showManyUsers)
		s.handle("GET /api/v2/users/search", s.searchUsers)
		s.handle("GET /api/v2/users/autocomplete", s.autocompleteUsers)
		s.handle("GET /api/v2/users/{id}", s.showUser)
		s.handle("POST /api/v2/users", s.createUser)
		s.handle("POST /api/v2/users/create_or_update", s.createOrUpdateUser)
		s.handle("POST /api/v2/users/create_many", s.createManyUsers(false))
		s.handle("POST /api/v2/users/create_or_update_many", s.createManyUsers(true))
		s.handle("PUT /api/v2/users/{id}", s.updateUser)
		s.handle("DELETE /api/v2/users/{id}", s.deleteUser)
	})
}

// userIn is the "user" object clients send, with Zendesk's names.
type userIn struct {
	Name           optString      `json:"name"`
	Email          optString      `json:"email"`
	Role           optString      `json:"role"`
	RoleType       optInt         `json:"role_type"`
	Locale         optString      `json:"locale"`
	LocaleID       optInt         `json:"locale_id"`
	TimeZone       optString      `json:"time_zone"`
	IANATimeZone   optString      `json:"iana_time_zone"`
	Phone          optString      `json:"phone"`
	ExternalID     optString      `json:"external_id"`
	Alias          optString      `json:"alias"`
	Signature      optString      `json:"signature"`
	Details        optString      `json:"details"`
	Notes          optString      `json:"notes"`
	OrganizationID optInt         `json:"organization_id"`
	DefaultGroupID optInt         `json:"default_group_id"`
	Tags           *[]string      `json:"tags"`
	UserFields     map[string]any `json:"user_fields"`
	Verified       *bool          `json:"verified"`
	Suspended      *bool          `json:"suspended"`
	// ApprovalRequired is our extension (approval before sending).
	ApprovalRequired *bool `json:"approval_required"`
	Identities       []struct {
		Type     string `json:"type"`
		Value    string `json:"value"`
		Verified bool   `json:"verified"`
	} `json:"identities"`
}

func (in *userIn) input() users.Input {
	out := users.Input{
		Name: in.Name.ptr(), Email: in.Email.ptr(), Role: in.Role.ptr(), Locale: in.Locale.ptr(), TimeZone: in.TimeZone.ptr(),
		Phone: in.Phone.ptr(), ExternalID: in.ExternalID.ptr(), Alias: in.Alias.ptr(), Signature: in.Signature.ptr(),
		Details: in.Details.ptr(), Notes: in.Notes.ptr(), RoleType: in.RoleType.ptr(), OrganizationID: in.OrganizationID.ptr(),
		DefaultGroupID: in.DefaultGroupID.ptr(), Tags: in.Tags, Fields: in.UserFields, Verified: in.Verified, Suspended: in.Suspended,
		ApprovalRequired: in.ApprovalRequired,
	}
	if out.TimeZone == nil {
		out.TimeZone = in.IANATimeZone.ptr()
	}
	if in.LocaleID.V != 0 {
		out.LocaleID = in.LocaleID.ptr()
	}
	for _, id := range in.Identities {
		out.Identities = append(out.Identities, model.Identity{Type: id.Type, Value: id.Value, Verified: id.Verified})
		if id.Type == "email" && out.Email == nil {
			email := id.Value
			out.Email = &email
		}
	}
	return out
}

func (s *Server) decodeUser(w http.ResponseWriter, r *http.Request) (users.Input, error) {
	var in struct {
		User *userIn `json:"user"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return users.Input{}, err
	}
	if in.User == nil {
		return users.Input{}, badRequest("InvalidValue", `The body must be {"user": {...}}. / {"user": {...}} の形式で送ってください。`)
	}
	return in.User.input(), nil
}

func (s *Server) writeUser(w http.ResponseWriter, r *http.Request, status int, u *model.User) error {
	writeJSON(w, status, map[string]any{"user": presentUser(baseURL(r), u).forViewer(currentUser(r))})
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	q := r.URL.Query()
	var f store.UserFilter
	for _, role := range append(q["role"], q["role[]"]...) {
		for _, part := range strings.Split(role, ",") {
			f.Roles = append(f.Roles, rolesFor(strings.TrimSpace(part))...)
		}
	}
	if v := q.Get("external_id"); v != "" {
		f.ExternalIDs = []string{v}
	}
	return s.respondUsers(w, r, f, true)
}

// rolesFor maps a Zendesk role filter to our roles: "agent" includes light
// agents, whom Zendesk shows as agents.
func rolesFor(role string) []string {
	role = strings.ReplaceAll(role, "_", "-")
	if role == model.RoleAgent {
		return []string{model.RoleAgent, model.RoleLightAgent}
	}
	return []string{role}
}

// respondUsers writes one page of users in either pagination style.
func (s *Server) respondUsers(w http.ResponseWriter, r *http.Request, f store.UserFilter, cursorOK bool) error {
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	if p.Cursor && !cursorOK {
		return badRequest("InvalidPaginationParameter", "Search results use page and per_page. / 検索結果は page と per_page でページングします。")
	}
	body := map[string]any{}
	var list []*model.User
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = pageByID(p, body, func(u *model.User) int64 { return u.ID },
			func(after int64, offset, limit int) ([]*model.User, error) {
				return tx.ListUsers(f, after, offset, limit, false)
			},
			func() (int64, error) { return tx.CountUsers(f) })
		return err
	})
	if err != nil {
		return err
	}
	body["users"] = presentUsers(baseURL(r), list)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) countUsers(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var f store.UserFilter
	for _, role := range append(r.URL.Query()["role"], r.URL.Query()["role[]"]...) {
		f.Roles = append(f.Roles, rolesFor(role)...)
	}
	var n int64
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		n, err = tx.CountUsers(f)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": map[string]any{"value": n, "refreshed_at": isoTime(s.Now())}})
	return nil
}

func (s *Server) showMe(w http.ResponseWriter, r *http.Request) error {
	return s.writeUser(w, r, http.StatusOK, currentUser(r))
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var u *model.User
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		u, err = tx.User(id)
		return err
	})
	if err != nil {
		return err
	}
	if !users.CanView(currentUser(r), u) {
		return errs.Forbiddenf("you can see only your own profile / 自分のプロフィールのみ閲覧できます")
	}
	return s.writeUser(w, r, http.StatusOK, u)
}

func (s *Server) showManyUsers(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	q := r.URL.Query()
	var f store.UserFilter
	if ext := q.Get("external_ids"); ext != "" {
		for _, e := range strings.Split(ext, ",") {
			if e = strings.TrimSpace(e); e != "" {
				f.ExternalIDs = append(f.ExternalIDs, e)
			}
		}
		if len(f.ExternalIDs) > 100 {
			return badRequest("TooManyValues", "At most 100 external ids per request. / 一度に指定できるのは100件までです。")
		}
	} else {
		ids, err := idList(q.Get("ids"))
		if err != nil {
			return err
		}
		f.IDs = ids
	}
	var list []*model.User
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = tx.ListUsers(f, 0, 0, 100, false)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": presentUsers(baseURL(r), list), "count": len(list), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeUser(w, r)
	if err != nil {
		return err
	}
	var u *model.User
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		u, err = users.CreateBy(tx, currentUser(r), in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", presentUser(baseURL(r), u).URL)
	return s.writeUser(w, r, http.StatusCreated, u)
}

func (s *Server) createOrUpdateUser(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeUser(w, r)
	if err != nil {
		return err
	}
	var (
		u       *model.User
		created bool
	)
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		u, created, err = users.CreateOrUpdate(tx, currentUser(r), in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.writeUser(w, r, status, u)
}

// createManyUsers answers with a job status; each user is its own
// transaction, so one bad record does not undo the others.
func (s *Server) createManyUsers(orUpdate bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAgent(r); err != nil {
			return err
		}
		var in struct {
			Users []userIn `json:"users"`
		}
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
		if len(in.Users) == 0 || len(in.Users) > 100 {
			return badRequest("InvalidValue", "users must hold 1 to 100 users. / users には1〜100件を指定してください。")
		}
		results := make([]map[string]any, 0, len(in.Users))
		for i := range in.Users {
			var (
				u       *model.User
				created = true
			)
			err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
				var err error
				if orUpdate {
					u, created, err = users.CreateOrUpdate(tx, currentUser(r), in.Users[i].input(), s.nowMS())
				} else {
					u, err = users.CreateBy(tx, currentUser(r), in.Users[i].input(), s.nowMS())
				}
				return err
			})
			if err != nil {
				results = append(results, jobError(i, 0, err))
				continue
			}
			status := "Created"
			if !created {
				status = "Updated"
			}
			res := map[string]any{"index": i, "id": u.ID, "status": status, "success": true, "email": strPtr(u.Email)}
			if u.ExternalID != "" {
				res["external_id"] = u.ExternalID
			}
			results = append(results, res)
		}
		return s.finishJob(w, r, results)
	}
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeUser(w, r)
	if err != nil {
		return err
	}
	var u *model.User
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		u, err = users.UpdateBy(tx, currentUser(r), id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	return s.writeUser(w, r, http.StatusOK, u)
}

// deleteUser is Zendesk's soft delete: 200 with the now inactive user.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var u *model.User
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		u, err = users.Deactivate(tx, currentUser(r), id, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	return s.writeUser(w, r, http.StatusOK, u)
}

// nowMS is the server clock at the store's millisecond precision, so the
// times a write returns equal those read back later.
func (s *Server) nowMS() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }
