package seed

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// Who writes a comment.
const (
	byCustomer = iota
	byReply    // an agent's public reply
	byNote     // an agent's internal note
)

// outcome is where a ticket's story ends.
type outcome int

const (
	untouched outcome = iota // still new
	active                   // open
	waiting                  // pending: the agent asked the customer something
	onHold                   // hold: waiting for a third party
	resolved                 // solved, and closed four days later
)

// autoClose is how long a solved ticket stays solved before the
// automation closes it (Zendesk's default rule).
const autoClose = 4 * 24 * time.Hour

var viaWeights = []weighted[string]{{"email", 45}, {"web", 30}, {"chat", 10}, {"voice", 8}, {"api", 4}, {"mobile", 3}}

var commentCounts = []weighted[int]{{1, 12}, {2, 22}, {3, 30}, {4, 21}, {5, 15}}

var extraTags = []string{"要対応", "vip", "escalated", "follow_up", "csat_low", "macro_used"}

// ticket writes one ticket's whole story: the customer's first message, the
// agents' replies and notes, the customer's answers and the status changes
// in between, each as an audit with the events the tickets domain records.
func (g *generator) ticket(created time.Time) store.BulkTicket {
	r, w := g.r, &g.w
	kit := pickWeighted(r, g.brandWeights)
	tp := pickWeighted(r, g.topicWeights[kit])
	cust := g.customerAt(created)
	s := &g.slots
	s.reset(r, kit, cust.en, created)
	s.fixed["family"], s.fixed["given"], s.fixed["org"] = cust.family, cust.family, cust.org
	tx := &tp.ja
	pb := &jaPhrases
	if cust.en {
		tx, pb = &tp.en, &enPhrases
	}
	group := w.groups[tp.group]
	team := w.agents[tp.group]
	if len(team) == 0 {
		team = w.allAgents
	}
	assignee := pick(r, team)
	s.fixed["agent"], s.fixed["agent2"] = assignee.family, pick(r, w.allAgents).family

	via := pickWeighted(r, viaWeights)
	// The i-th subject goes with the i-th request text; now and then a
	// customer picks a vaguer one.
	ask := r.IntN(len(tx.asks))
	subject := tx.subjects[ask%len(tx.subjects)]
	if r.IntN(5) == 0 {
		subject = pick(r, tx.subjects)
	}
	tk := &model.Ticket{Subject: s.text(subject), Status: model.StatusNew, Via: via, RequesterID: cust.id,
		SubmitterID: cust.id, OrganizationID: cust.orgID, BrandID: w.brandIDs[kit], IsPublic: true, CreatedAt: created, UpdatedAt: created,
		Tags: users.NormalizeTags(append([]string{strings.ReplaceAll(kit.subdomain, "-", "_")}, tp.tags...))}
	if via == "email" {
		tk.Recipient = "support@" + kit.subdomain + ".example.jp"
	}
	author := cust.id
	if via == "voice" { // an agent logs the call on the caller's behalf
		author = pick(r, w.allAgents).id
		tk.SubmitterID = author
	}
	first := s.customerMessage(r, pb, tx.asks[ask], cust, via == "voice")
	tk.Description = first

	end := g.outcomeFor(g.until.Sub(created))
	n := pickWeighted(r, commentCounts)
	switch {
	case end == untouched:
		n = 1
	case n == 1:
		n = 2
	}
	roles := commentRoles(r, n, end)
	times := g.timeline(created, n, end)

	bt := store.BulkTicket{Ticket: tk}
	createEvents := tickets.DiffEvents(nil, tk)
	bt.Audits = append(bt.Audits, g.audit(author, via, created, createEvents, first, true))

	finalPriority, finalType := tp.prio, tp.typ
	switch x := r.IntN(100); {
	case x < 15:
		finalPriority = ""
	case x < 22:
		finalPriority = pick(r, model.Priorities)
	}
	if r.IntN(5) == 0 {
		finalType = ""
	}
	finalTags := tk.Tags
	if r.IntN(5) == 0 {
		finalTags = users.NormalizeTags(append(slices.Clone(tk.Tags), pick(r, extraTags)))
	}
	for k := 1; k < n; k++ {
		old := *tk
		last := k == n-1
		role := roles[k]
		if role != byCustomer && tk.AssigneeID == 0 {
			tk.AssigneeID, tk.GroupID = assignee.id, group.ID
			tk.Priority, tk.Type, tk.Tags = finalPriority, finalType, finalTags
		}
		switch role {
		case byCustomer:
			switch tk.Status { // a customer's reply reopens the ticket
			case model.StatusPending, model.StatusHold, model.StatusSolved:
				tk.Status = model.StatusOpen
			}
		default:
			switch {
			case last && end == resolved:
				tk.Status = model.StatusSolved
			case last && end == onHold:
				tk.Status = model.StatusHold
			case last && end == waiting, role == byReply && !last && r.IntN(10) < 7:
				tk.Status = model.StatusPending
			default:
				tk.Status = model.StatusOpen
			}
		}
		at := times[k]
		switch { // the domain's rule for solved_at
		case tk.Status == model.StatusSolved && old.Status != model.StatusSolved:
			tk.SolvedAt = at
		case tk.Status != model.StatusSolved && tk.Status != model.StatusClosed:
			tk.SolvedAt = time.Time{}
		}
		tk.UpdatedAt = at
		var body, cvia string
		var by int64
		switch role {
		case byCustomer:
			body, by, cvia = s.followUp(r, pb, tx, last && end == active), cust.id, via
			if via == "voice" {
				cvia = "email"
			}
		case byReply:
			body, by, cvia = s.agentReply(r, pb, tx, cust, k == 1, tk.Status == model.StatusSolved), tk.AssigneeID, "web"
		default:
			body, by, cvia = s.note(r, pb, tx), tk.AssigneeID, "web"
		}
		bt.Audits = append(bt.Audits, g.audit(by, cvia, at, tickets.DiffEvents(&old, tk), body, role != byNote))
	}
	if end == resolved && tk.Status == model.StatusSolved {
		if closeAt := tk.SolvedAt.Add(autoClose + time.Duration(r.IntN(12*3600))*time.Second); closeAt.Before(g.until) {
			old := *tk
			tk.Status, tk.UpdatedAt = model.StatusClosed, closeAt
			bt.Audits = append(bt.Audits, store.BulkAudit{Audit: &model.Audit{AuthorID: tk.AssigneeID, Via: "rule", CreatedAt: closeAt,
				Events: tickets.DiffEvents(&old, tk)}})
		}
	}
	return bt
}

func (g *generator) audit(author int64, via string, at time.Time, events []model.AuditEvent, body string, public bool) store.BulkAudit {
	return store.BulkAudit{
		Audit:   &model.Audit{AuthorID: author, Via: via, CreatedAt: at, Events: events},
		Comment: &model.Comment{AuthorID: author, Public: public, Body: body, HTMLBody: richtext.FromPlain(body), Via: via, CreatedAt: at},
	}
}

// commentRoles decides who writes each comment. The first is always the
// customer's request and the second the first agent's response; the last
// fits the outcome (a reply that asks something leaves the ticket pending).
func commentRoles(r *rand.Rand, n int, end outcome) []int {
	roles := make([]int, n)
	for k := 1; k < n; k++ {
		prev, last := roles[k-1], k == n-1
		switch {
		case k == 1:
			roles[k] = byReply
			if r.IntN(5) == 0 && !(last && end == waiting) {
				roles[k] = byNote
			}
		case last && end == active:
			roles[k] = byCustomer
		case last && end == waiting:
			roles[k] = byReply
		case last:
			roles[k] = byReply
			if r.IntN(5) == 0 {
				roles[k] = byNote
			}
		case prev == byCustomer:
			roles[k] = byReply
			if r.IntN(4) == 0 {
				roles[k] = byNote
			}
		case prev == byNote:
			roles[k] = byReply
		default:
			roles[k] = byCustomer
			if r.IntN(10) < 3 {
				roles[k] = byNote
			}
		}
	}
	return roles
}

// outcomeFor picks where a ticket of this age ends up: recent ones are
// still being worked, almost all older ones are solved and closed.
func (g *generator) outcomeFor(age time.Duration) outcome {
	var ws []weighted[outcome]
	switch {
	case age <= 2*24*time.Hour:
		ws = []weighted[outcome]{{untouched, 25}, {active, 30}, {waiting, 15}, {onHold, 5}, {resolved, 25}}
	case age <= 30*24*time.Hour:
		ws = []weighted[outcome]{{untouched, 2}, {active, 12}, {waiting, 10}, {onHold, 4}, {resolved, 72}}
	default:
		ws = []weighted[outcome]{{untouched, 3}, {active, 20}, {waiting, 15}, {onHold, 12}, {resolved, 950}}
	}
	return pickWeighted(g.r, ws)
}

// timeline spaces a ticket's comments: a first response within hours,
// customers answering within a day, all squeezed to fit before g.until.
func (g *generator) timeline(created time.Time, n int, end outcome) []time.Time {
	r := g.r
	gaps := make([]float64, n)
	total := 0.0
	for k := 1; k < n; k++ {
		mean := 10 * 3600.0 // the customer answers
		if k == 1 {
			mean = 3 * 3600
		}
		gaps[k] = 60 + r.ExpFloat64()*mean
		total += gaps[k]
	}
	room := g.until.Sub(created).Seconds() * 0.9
	if end == resolved {
		room = math.Max(room-autoClose.Seconds(), room*0.5)
	}
	scale := 1.0
	if total > room && total > 0 {
		scale = room / total
	}
	times := make([]time.Time, n)
	times[0] = created
	for k := 1; k < n; k++ {
		d := time.Duration(gaps[k]*scale*1000) * time.Millisecond
		times[k] = times[k-1].Add(max(d, time.Millisecond))
	}
	return times
}
