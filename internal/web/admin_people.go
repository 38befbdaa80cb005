package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// staffRoles are the roles the agents page offers.
var staffRoles = []string{model.RoleAdmin, model.RoleAgent, model.RoleLightAgent}

// agentRow is one line of the agents page.
type agentRow struct {
	*model.User
	Groups []string
}

// agentForm is the "add an agent" form.
type agentForm struct {
	Name, Email, Role string
	Groups            []int64
	Invite            bool // mail a link to set a password
}

type agentsData struct {
	Agents  []agentRow
	Groups  []*model.Group
	Roles   []string
	Form    agentForm
	Errors  []string
	Admin   bool
	Created string
	Invited string // "sent", "no_inbox" or ""
	Changed bool
}

func (s *Server) loadTeam(tx *store.Tx) ([]*model.User, []*model.Group, error) {
	staff, err := tx.ListUsers(store.UserFilter{Roles: staffRoles}, 0, 0, 2000, false)
	if err != nil {
		return nil, nil, err
	}
	groups, err := tx.Groups(false)
	return staff, groups, err
}

func (s *Server) showAgents(w http.ResponseWriter, r *http.Request, status int, d agentsData) error {
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		staff, groups, err := s.loadTeam(tx)
		if err != nil {
			return err
		}
		d.Groups = groups
		names := map[int64]string{}
		for _, g := range groups {
			names[g.ID] = g.Name
		}
		for _, u := range staff {
			ms, err := tx.Memberships(u.ID, 0)
			if err != nil {
				return err
			}
			row := agentRow{User: u}
			for _, m := range ms {
				if n, ok := names[m.GroupID]; ok {
					row.Groups = append(row.Groups, n)
				}
			}
			d.Agents = append(d.Agents, row)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if d.Form.Role == "" {
		d.Form.Role = model.RoleAgent
	}
	d.Roles, d.Admin = staffRoles, isAdmin(currentUser(r))
	v := s.view(r)
	v.Title = v.T("admin.agents")
	v.Data = d
	s.render(w, status, "admin_agents", v)
	return nil
}

func (s *Server) agentsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return s.showAgents(w, r, http.StatusOK, agentsData{Created: q.Get("created"), Invited: q.Get("invited"), Changed: q.Get("changed") == "1",
		Form: agentForm{Invite: true}})
}

// roleInput is the domain's input for one of the page's roles: a full
// agent is asked for with role_type 0, or a light agent would stay light.
func roleInput(role string) (users.Input, error) {
	if !slices.Contains(staffRoles, role) {
		return users.Input{}, errBadInput
	}
	in := users.Input{Role: ptr(role)}
	if role == model.RoleAgent {
		in.RoleType = ptr(int64(users.RoleTypeCustomAgent))
	}
	return in, nil
}

// agentCreate adds a staff member (and their groups). They set their
// password through "forgot password" with their address.
func (s *Server) agentCreate(w http.ResponseWriter, r *http.Request) error {
	f := agentForm{Name: strings.TrimSpace(r.FormValue("name")), Email: strings.TrimSpace(r.FormValue("email")), Role: r.FormValue("role"),
		Invite: checked(r, "invite")}
	for _, g := range r.Form["groups"] {
		id, ok := formNumber(g)
		if !ok || id <= 0 {
			return errBadInput
		}
		f.Groups = append(f.Groups, id)
	}
	in, err := roleInput(f.Role)
	if err != nil {
		return err
	}
	in.Name, in.Email = ptr(f.Name), ptr(f.Email)
	me, now := currentUser(r), s.Now().UTC()
	var (
		u       *model.User
		invited string
	)
	base := s.absoluteBase(r)
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if u, err = users.CreateBy(tx, me, in, now); err != nil {
			return err
		}
		for _, gid := range f.Groups {
			if _, err := directory.AddMember(tx, me, u.ID, gid, false, now); err != nil {
				return err
			}
		}
		if f.Invite {
			invited, err = s.invite(tx, u, base, now)
		}
		return err
	})
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showAgents(w, r, http.StatusUnprocessableEntity, agentsData{Form: f, Errors: msgs})
	}
	http.Redirect(w, r, "/settings/agents?created="+urlQueryEscape(u.Name)+"&invited="+invited, http.StatusSeeOther)
	return nil
}

// InviteValid is how long an invitation's link to set a password works.
const InviteValid = 72 * time.Hour

// invite mails a new staff member a link to set their password (the
// password reset page, with a longer-lived token). It reports "sent", or
// "no_inbox" when no inbox has an address to send from (the mail would be
// dropped; they can still use "forgot password" later).
func (s *Server) invite(tx *store.Tx, u *model.User, base string, now time.Time) (string, error) {
	list, err := tx.Inboxes()
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(list, func(ib *model.Inbox) bool { return ib.Active && len(ib.Addresses) > 0 }) || s.Mail == nil {
		return "no_inbox", nil
	}
	token := auth.NewSecret()
	if err := tx.InsertPasswordReset(auth.HashSecret(token), u.ID, now, now.Add(InviteValid)); err != nil {
		return "", err
	}
	lang := langOf(u.Locale)
	if lang == "" {
		lang = "ja"
	}
	body := fmt.Sprintf(translate(lang, "admin.invite_body"), u.Name, base+"/password/reset/"+token, int(InviteValid/time.Hour))
	return "sent", s.Mail(tx, u.Email, translate(lang, "admin.invite_subject"), body)
}

func (s *Server) agentUpdate(w http.ResponseWriter, r *http.Request, in users.Input) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		u, err := tx.User(id)
		if err != nil {
			return err
		}
		if !u.IsStaff() {
			return errNotFound
		}
		_, err = users.UpdateBy(tx, currentUser(r), id, in, s.Now().UTC())
		return err
	})
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showAgents(w, r, http.StatusUnprocessableEntity, agentsData{Errors: msgs})
	}
	http.Redirect(w, r, "/settings/agents?changed=1", http.StatusSeeOther)
	return nil
}

func (s *Server) agentRole(w http.ResponseWriter, r *http.Request) error {
	in, err := roleInput(r.FormValue("role"))
	if err != nil {
		return err
	}
	return s.agentUpdate(w, r, in)
}

// agentApproval turns "needs approval to send (trainee)" on or off: the
// same users.UpdateBy field as the API's approval_required.
func (s *Server) agentApproval(w http.ResponseWriter, r *http.Request) error {
	return s.agentUpdate(w, r, users.Input{ApprovalRequired: ptr(checked(r, "approval_required"))})
}

func (s *Server) agentSuspend(w http.ResponseWriter, r *http.Request) error {
	return s.agentUpdate(w, r, users.Input{Suspended: ptr(checked(r, "suspended"))})
}

// groupRow is a group with its members.
type groupRow struct {
	*model.Group
	Members []memberRow
	Others  []*model.User // staff not in the group, for "add"
}

type memberRow struct {
	ID      int64 // membership
	User    *model.User
	Default bool // the member's default group
}

type groupForm struct {
	ID                int64
	Name, Description string
	Default           bool
}

type groupsData struct {
	Groups  []groupRow
	Form    groupForm
	Errors  []string
	Admin   bool
	Changed bool
}

func (s *Server) showGroups(w http.ResponseWriter, r *http.Request, status int, d groupsData) error {
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		staff, groups, err := s.loadTeam(tx)
		if err != nil {
			return err
		}
		byID := map[int64]*model.User{}
		for _, u := range staff {
			byID[u.ID] = u
		}
		for _, g := range groups {
			ms, err := tx.Memberships(0, g.ID)
			if err != nil {
				return err
			}
			row := groupRow{Group: g}
			in := map[int64]bool{}
			for _, m := range ms {
				if u := byID[m.UserID]; u != nil {
					row.Members = append(row.Members, memberRow{ID: m.ID, User: u, Default: m.Default})
					in[u.ID] = true
				}
			}
			for _, u := range staff {
				if !in[u.ID] && u.Active {
					row.Others = append(row.Others, u)
				}
			}
			d.Groups = append(d.Groups, row)
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.Admin = isAdmin(currentUser(r))
	v := s.view(r)
	v.Title = v.T("admin.groups")
	v.Data = d
	s.render(w, status, "admin_groups", v)
	return nil
}

func (s *Server) groupsPage(w http.ResponseWriter, r *http.Request) error {
	d := groupsData{Changed: r.URL.Query().Get("changed") == "1"}
	if id, ok := formNumber(r.URL.Query().Get("edit")); ok && id > 0 {
		var g *model.Group
		err := s.Store.Read(r.Context(), func(tx *store.Tx) error { var err error; g, err = tx.Group(id); return err })
		if err != nil {
			return err
		}
		d.Form = groupForm{ID: g.ID, Name: g.Name, Description: g.Description, Default: g.Default}
	}
	return s.showGroups(w, r, http.StatusOK, d)
}

// groupsDone redirects after a change, or shows the page again with the
// domain's objections.
func (s *Server) groupsDone(w http.ResponseWriter, r *http.Request, err error, f groupForm) error {
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showGroups(w, r, http.StatusUnprocessableEntity, groupsData{Form: f, Errors: msgs})
	}
	http.Redirect(w, r, "/settings/groups?changed=1", http.StatusSeeOther)
	return nil
}

func (s *Server) groupSave(w http.ResponseWriter, r *http.Request) error {
	f := groupForm{Name: r.FormValue("name"), Description: r.FormValue("description"), Default: checked(r, "default")}
	var err error
	if f.ID, err = optionalPathID(r, "id"); err != nil {
		return err
	}
	in := directory.GroupInput{Name: ptr(f.Name), Description: ptr(f.Description), Default: ptr(f.Default)}
	me, now := currentUser(r), s.Now().UTC()
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if f.ID == 0 {
			_, err = directory.CreateGroup(tx, me, in, now)
		} else {
			_, err = directory.UpdateGroup(tx, me, f.ID, in, now)
		}
		return err
	})
	return s.groupsDone(w, r, err, f)
}

func (s *Server) groupDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error { return directory.DeleteGroup(tx, currentUser(r), id, s.Now().UTC()) })
	return s.groupsDone(w, r, err, groupForm{})
}

func (s *Server) memberAdd(w http.ResponseWriter, r *http.Request) error {
	gid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	uid, err := formID(r, "user_id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := directory.AddMember(tx, currentUser(r), uid, gid, checked(r, "default"), s.Now().UTC())
		return err
	})
	return s.groupsDone(w, r, err, groupForm{})
}

// membership finds membership mid of group id.
func membership(tx *store.Tx, r *http.Request) (*model.GroupMembership, error) {
	gid, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return nil, err
	}
	m, err := tx.Membership(mid)
	if err != nil {
		return nil, err
	}
	if m.GroupID != gid {
		return nil, errNotFound
	}
	return m, nil
}

func (s *Server) memberRemove(w http.ResponseWriter, r *http.Request) error {
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		m, err := membership(tx, r)
		if err != nil {
			return err
		}
		return directory.RemoveMember(tx, currentUser(r), m.ID)
	})
	return s.groupsDone(w, r, err, groupForm{})
}

func (s *Server) memberDefault(w http.ResponseWriter, r *http.Request) error {
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		m, err := membership(tx, r)
		if err != nil {
			return err
		}
		_, err = directory.MakeDefaultMember(tx, currentUser(r), m.UserID, m.ID)
		return err
	})
	return s.groupsDone(w, r, err, groupForm{})
}

// roleKey is the catalog key of a role's name.
func roleKey(role string) string {
	switch role {
	case model.RoleAdmin:
		return "admin.role_admin"
	case model.RoleLightAgent:
		return "admin.role_light_agent"
	}
	return "admin.role_agent"
}

// RoleName is a role as the page shows it.
func (v *view) RoleName(role string) string { return v.T(roleKey(role)) }
