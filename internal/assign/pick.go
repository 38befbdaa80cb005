package assign

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// pool is the set of agents a rule may pick from.
type pool struct {
	groupID int64  // the team; 0 = every agent
	label   string // the team's name for reasons
	agents  []*model.User
}

// poolOf returns the team a ticket is assigned within: its group, else the
// rule's inbox's default group, else every agent.
func poolOf(tx *store.Tx, rule *store.AssignmentRule, tk *model.Ticket) (*pool, error) {
	p := &pool{groupID: tk.GroupID}
	if p.groupID == 0 && rule.InboxID != 0 {
		in, err := tx.Inbox(rule.InboxID)
		if err != nil {
			return nil, err
		}
		p.groupID = in.DefaultGroupID
	}
	var users []*model.User
	if p.groupID != 0 {
		g, err := tx.Group(p.groupID)
		if err != nil {
			return nil, err
		}
		p.label = g.Name
		ms, err := tx.Memberships(0, p.groupID)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(ms))
		for i, m := range ms {
			ids[i] = m.UserID
		}
		if users, err = tx.UsersByID(ids); err != nil {
			return nil, err
		}
	} else {
		p.label = "all agents / 全エージェント"
		var err error
		users, err = tx.ListUsers(store.UserFilter{Roles: []string{model.RoleAgent, model.RoleAdmin}}, 0, 0, 5000, false)
		if err != nil {
			return nil, err
		}
	}
	for _, u := range users {
		if u.IsAgent() && u.Active && !u.Suspended {
			p.agents = append(p.agents, u)
		}
	}
	slices.SortFunc(p.agents, func(a, b *model.User) int { return cmp.Compare(a.ID, b.ID) })
	return p, nil
}

// candidate is an agent who may take the ticket now.
type candidate struct {
	user   *model.User
	status *store.AgentStatus
	load   int64
	score  int // skill overlap
}

// candidates keeps the online agents below capacity, except exclude.
func candidates(tx *store.Tx, p *pool, exclude int64) (list []candidate, away, full int, err error) {
	ids := make([]int64, len(p.agents))
	for i, u := range p.agents {
		ids[i] = u.ID
	}
	statuses, err := tx.AgentStatuses(ids)
	if err != nil {
		return nil, 0, 0, err
	}
	loads, err := tx.AgentLoads(ids, store.WorkingStatuses, time.Time{})
	if err != nil {
		return nil, 0, 0, err
	}
	for _, u := range p.agents {
		st := statusOf(statuses, u.ID)
		switch {
		case u.ID == exclude:
		case st.Availability != Online:
			away++
		case loads[u.ID] >= int64(st.Capacity):
			full++
		default:
			list = append(list, candidate{user: u, status: st, load: loads[u.ID]})
		}
	}
	return list, away, full, nil
}

// decision is who gets a ticket and why.
type decision struct {
	agent  *model.User
	group  int64 // set on a ticket that had no group
	reason string
}

// decide picks an agent under rule; agent is nil when no one can take it.
func (s *Service) decide(tx *store.Tx, rule *store.AssignmentRule, tk *model.Ticket, exclude int64) (*decision, error) {
	p, err := poolOf(tx, rule, tk)
	if err != nil {
		return nil, err
	}
	d := &decision{}
	if tk.GroupID == 0 {
		d.group = p.groupID
	}
	cands, away, full, err := candidates(tx, p, exclude)
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		d.reason = fmt.Sprintf("%s: no online agent with free capacity in %s (%d away/offline, %d at capacity); left in the queue / 対応可能なエージェントがいないため未割り当てのままです",
			rule.Mode, p.label, away, full)
		return d, nil
	}
	n := len(cands)
	var pick candidate
	switch rule.Mode {
	case ModeRandom:
		pick = cands[s.intN(n)]
		d.reason = fmt.Sprintf("random among %d online agents in %s / %sのオンラインのエージェント%d人から無作為に選びました", n, p.label, p.label, n)
	case ModeRoundRobin:
		locked, err := tx.LockAssignmentRule(rule.ID) // the cursor another node may just have moved
		if err != nil {
			return nil, err
		}
		pick = cands[0]
		for _, c := range cands {
			if c.user.ID > locked.Cursor {
				pick = c
				break
			}
		}
		if err := tx.SetAssignmentCursor(rule.ID, pick.user.ID); err != nil {
			return nil, err
		}
		d.reason = fmt.Sprintf("round robin among %d online agents in %s / %sのラウンドロビン(%d人)", n, p.label, p.label, n)
	case ModeLeastLoaded:
		pick = s.leastLoaded(cands)
		d.reason = fmt.Sprintf("least loaded among %d online agents in %s: %d open of capacity %d / %sで担当中のチケットが最も少ない(%d件、上限%d件)",
			n, p.label, pick.load, pick.status.Capacity, p.label, pick.load, pick.status.Capacity)
	case ModeSkillBased:
		want := ticketTerms(tk)
		best := 0
		for i := range cands {
			cands[i].score = overlap(want, cands[i].status.Skills)
			best = max(best, cands[i].score)
		}
		top := slices.DeleteFunc(slices.Clone(cands), func(c candidate) bool { return c.score < best })
		pick = s.leastLoaded(top)
		if best == 0 {
			d.reason = fmt.Sprintf("skill based: no skill matches the ticket's tags or type; least loaded of %d online agents in %s / スキルの一致なし、担当件数が最少", n, p.label)
		} else {
			d.reason = fmt.Sprintf("skill based: %d matching skills (%s) in %s, least loaded of %d such agents / スキル一致: %s",
				best, strings.Join(matched(want, pick.status.Skills), ", "), p.label, len(top), strings.Join(matched(want, pick.status.Skills), "、"))
		}
	default:
		return nil, fmt.Errorf("assign: mode %q does not pick agents", rule.Mode)
	}
	d.agent = pick.user
	return d, nil
}

// leastLoaded returns the candidate with the fewest working tickets; ties
// are drawn at random so no one is always first.
func (s *Service) leastLoaded(cands []candidate) candidate {
	low := cands[0].load
	for _, c := range cands {
		low = min(low, c.load)
	}
	tied := slices.DeleteFunc(slices.Clone(cands), func(c candidate) bool { return c.load > low })
	if len(tied) == 1 {
		return tied[0]
	}
	return tied[s.intN(len(tied))]
}

// normTerm folds a skill, tag or type for matching: NFKC (so ﾍﾝｷﾝ matches
// ヘンキン and ＥＮＧＬＩＳＨ matches english), lower case, trimmed.
func normTerm(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
}

// ticketTerms are what skills are matched against: tags and type.
func ticketTerms(tk *model.Ticket) map[string]bool {
	m := map[string]bool{}
	for _, t := range tk.Tags {
		m[normTerm(t)] = true
	}
	if tk.Type != "" {
		m[normTerm(tk.Type)] = true
	}
	return m
}

func overlap(want map[string]bool, skills []string) int {
	return len(matched(want, skills))
}

func matched(want map[string]bool, skills []string) []string {
	var out []string
	for _, sk := range skills {
		if want[normTerm(sk)] && !slices.Contains(out, sk) {
			out = append(out, sk)
		}
	}
	return out
}
