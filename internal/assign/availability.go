package assign

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Availability is an agent's status with their current load.
type Availability struct {
	Agent       *model.User
	Status      string
	Capacity    int
	Skills      []string
	UpdatedAt   time.Time // zero: never set
	OpenTickets int64     // new, open, pending and on-hold tickets assigned: what capacity counts
	NewToday    int64     // assigned tickets created since midnight (Asia/Tokyo)
	GroupIDs    []int64
}

// AvailabilityInput changes an agent's status; nil fields stay as they are.
type AvailabilityInput struct {
	Status            *string
	Capacity          *int
	Skills            *[]string
	ReturnOpenTickets bool // also return their open tickets to the pool
}

// Limits on what an agent may declare.
const (
	MaxCapacity  = 1000
	maxSkills    = 50
	maxSkillLen  = 64
	maxReturnRun = 1000
)

// Availabilities lists every active agent and admin with their load, for
// the team-load panel.
func (s *Service) Availabilities(ctx context.Context, actor *model.User) ([]*Availability, error) {
	if !actor.IsStaff() {
		return nil, errs.Forbiddenf("agents only / エージェントのみ利用できます")
	}
	var out []*Availability
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		agents, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleAgent, model.RoleAdmin}}, 0, 0, 5000, false)
		if err != nil {
			return err
		}
		agents = slices.DeleteFunc(agents, func(u *model.User) bool { return !u.Active || u.Suspended })
		out, err = s.load(tx, agents)
		return err
	})
	return out, err
}

// GetAvailability returns one agent's status; staff may read anyone's.
func (s *Service) GetAvailability(ctx context.Context, actor *model.User, agentID int64) (*Availability, error) {
	if !actor.IsStaff() {
		return nil, errs.Forbiddenf("agents only / エージェントのみ利用できます")
	}
	var out *Availability
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		u, err := agent(tx, agentID)
		if err != nil {
			return err
		}
		list, err := s.load(tx, []*model.User{u})
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, err
}

// SetAvailability changes an agent's status: agents their own, admins
// anyone's. It returns the ids of tickets sent back to the pool.
func (s *Service) SetAvailability(ctx context.Context, actor *model.User, agentID int64, in AvailabilityInput) (*Availability, []int64, error) {
	if !actor.IsAgent() || (actor.ID != agentID && actor.Role != model.RoleAdmin) {
		return nil, nil, errs.Forbiddenf("agents set their own availability; admins anyone's / 自分の状態のみ変更できます(管理者は全員分)")
	}
	var (
		out      *Availability
		returned []int64
	)
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		u, err := agent(tx, agentID)
		if err != nil {
			return err
		}
		cur, err := tx.AgentStatuses([]int64{u.ID})
		if err != nil {
			return err
		}
		st := statusOf(cur, u.ID)
		if err := applyInput(st, in); err != nil {
			return err
		}
		st.UpdatedAt = s.now()
		if err := tx.SaveAgentStatus(st); err != nil {
			return err
		}
		if in.ReturnOpenTickets {
			if returned, err = s.returnTx(tx, u); err != nil {
				return err
			}
		}
		list, err := s.load(tx, []*model.User{u})
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, returned, err
}

func applyInput(st *store.AgentStatus, in AvailabilityInput) error {
	var v errs.Invalid
	if in.Status != nil {
		switch *in.Status {
		case Online, Away, Offline:
			st.Availability = *in.Status
		default:
			v.Addf("status", "InvalidValue", "Status: %q is not one of online, away, offline / 状態は online・away・offline のいずれかです", *in.Status)
		}
	}
	if in.Capacity != nil {
		if *in.Capacity < 0 || *in.Capacity > MaxCapacity {
			v.Addf("capacity", "InvalidValue", "Capacity: must be between 0 and %d / 上限件数は0〜%dです", MaxCapacity, MaxCapacity)
		} else {
			st.Capacity = *in.Capacity
		}
	}
	if in.Skills != nil {
		skills := []string{}
		for _, sk := range *in.Skills {
			sk = strings.Join(strings.Fields(sk), " ")
			switch {
			case sk == "":
			case !utf8.ValidString(sk) || utf8.RuneCountInString(sk) > maxSkillLen:
				v.Addf("skills", "InvalidValue", "Skills: %q is longer than %d characters / スキル名が長すぎます", sk, maxSkillLen)
			case !slices.ContainsFunc(skills, func(x string) bool { return normTerm(x) == normTerm(sk) }):
				skills = append(skills, sk)
			}
		}
		if len(skills) > maxSkills {
			v.Addf("skills", "TooLong", "Skills: at most %d / スキルは%d個までです", maxSkills, maxSkills)
		}
		st.Skills = skills
	}
	return v.OrNil()
}

// ReturnTickets sends an agent's open tickets (except those they own to the
// end) back to the pool, each re-run through its rule without them.
func (s *Service) ReturnTickets(ctx context.Context, actor *model.User, agentID int64) ([]int64, error) {
	if !actor.IsAgent() || (actor.ID != agentID && actor.Role != model.RoleAdmin) {
		return nil, errs.Forbiddenf("agents return their own tickets; admins anyone's / 自分のチケットのみ戻せます(管理者は全員分)")
	}
	var returned []int64
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		u, err := agent(tx, agentID)
		if err != nil {
			return err
		}
		returned, err = s.returnTx(tx, u)
		return err
	})
	return returned, err
}

func (s *Service) returnTx(tx *store.Tx, u *model.User) ([]int64, error) {
	ids, err := tx.AssignedTicketIDs(u.ID, []string{model.StatusNew, model.StatusOpen}, maxReturnRun)
	if err != nil {
		return nil, err
	}
	st, err := tx.AgentStatuses([]int64{u.ID})
	if err != nil {
		return nil, err
	}
	av := statusOf(st, u.ID).Availability
	returned := []int64{}
	for _, id := range ids {
		if own, _, err := tx.OwnToEnd(id); err != nil {
			return nil, err
		} else if own {
			continue
		}
		tk, err := tx.TicketForUpdate(id)
		if err != nil {
			return nil, err
		}
		back := &model.AuditEvent{Type: "Assignment", FieldName: "assignee_id", Reason: fmt.Sprintf(
			"%s is %s: open tickets returned to the pool / %sが%sのためプールに戻しました", u.Name, av, u.Name, jaAvailability(av))}
		if _, err := s.assignTx(tx, tk, back, u.ID); err != nil {
			return nil, err
		}
		returned = append(returned, id)
	}
	return returned, nil
}

// load adds statuses, loads and group memberships to agents.
func (s *Service) load(tx *store.Tx, agents []*model.User) ([]*Availability, error) {
	ids := make([]int64, len(agents))
	for i, u := range agents {
		ids[i] = u.ID
	}
	statuses, err := tx.AgentStatuses(ids)
	if err != nil {
		return nil, err
	}
	open, err := tx.AgentLoads(ids, store.WorkingStatuses, time.Time{})
	if err != nil {
		return nil, err
	}
	y, m, d := s.Now().In(s.Zone).Date()
	today, err := tx.AgentLoads(ids, nil, time.Date(y, m, d, 0, 0, 0, 0, s.Zone))
	if err != nil {
		return nil, err
	}
	member := int64(0) // one agent: just theirs; else every membership
	if len(agents) == 1 {
		member = agents[0].ID
	}
	ms, err := tx.Memberships(member, 0)
	if err != nil {
		return nil, err
	}
	groups := map[int64][]int64{}
	for _, m := range ms {
		groups[m.UserID] = append(groups[m.UserID], m.GroupID)
	}
	out := make([]*Availability, len(agents))
	for i, u := range agents {
		st := statusOf(statuses, u.ID)
		out[i] = &Availability{Agent: u, Status: st.Availability, Capacity: st.Capacity, Skills: st.Skills, UpdatedAt: st.UpdatedAt,
			OpenTickets: open[u.ID], NewToday: today[u.ID], GroupIDs: groups[u.ID]}
	}
	return out, nil
}

// agent loads a user who can be assigned tickets.
func agent(tx *store.Tx, id int64) (*model.User, error) {
	u, err := tx.User(id)
	if err != nil {
		return nil, err
	}
	if !u.IsAgent() {
		return nil, errs.Invalidf("agent_id", "InvalidValue", "User %d is not an agent or admin; only they can be assigned tickets / チケットを担当できるのはエージェントと管理者のみです", id)
	}
	return u, nil
}
