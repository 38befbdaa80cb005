// Package assign decides who works on a ticket: each group's or inbox's
// assignment rule (manual, claim, random, round-robin, least-loaded,
// skill-based), agents' availability, capacity and skills, claiming, the
// "I'll own it to the end" flag and returning tickets to the pool. Every
// decision is written to the ticket's audit trail with its reason.
package assign

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Assignment modes.
const (
	ModeManual      = "manual"
	ModeClaim       = "claim"
	ModeRandom      = "random"
	ModeRoundRobin  = "round_robin"
	ModeLeastLoaded = "least_loaded"
	ModeSkillBased  = "skill_based"
)

// Modes lists every mode; the first two never assign automatically.
var Modes = []string{ModeManual, ModeClaim, ModeRandom, ModeRoundRobin, ModeLeastLoaded, ModeSkillBased}

// When a customer's reply sends a ticket back to its pool.
const (
	ReturnUnavailable = "unavailable" // only when the assignee is away or offline
	ReturnAlways      = "always"      // every customer reply (seed 001's team)
	ReturnNever       = "never"
)

// Availability statuses.
const (
	Online  = "online"
	Away    = "away"
	Offline = "offline"
)

// DefaultCapacity applies to agents who never saved a status.
const DefaultCapacity = 10

// RuleSource marks the changes this package makes (tickets.Change.RuleSource).
const RuleSource = "assignment"

// System is the author of automatic changes, as Zendesk shows rule changes
// with author -1.
var System = &model.User{ID: -1, Name: "Kizuna", Role: model.RoleAdmin, Active: true}

// Source gives random numbers in [0, n); *math/rand/v2.Rand satisfies it.
type Source interface{ IntN(n int) int }

// Service assigns tickets.
type Service struct {
	Store   store.Store
	Tickets *tickets.Service
	Now     func() time.Time
	// Zone is where "today" starts for the team-load panel.
	Zone *time.Location

	mu  sync.Mutex
	rnd Source
}

// New returns a service drawing from crypto/rand, so no one can predict
// (and game) who gets the next ticket.
func New(st store.Store, tk *tickets.Service) *Service {
	zone, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		zone = time.FixedZone("JST", 9*3600)
	}
	return &Service{Store: st, Tickets: tk, Now: time.Now, Zone: zone, rnd: mrand.New(cryptoSource{})}
}

// SetRand replaces the random source (tests use a seeded one).
func (s *Service) SetRand(r Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rnd = r
}

func (s *Service) intN(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.IntN(n)
}

// cryptoSource is a math/rand/v2 Source over the operating system's CSPRNG;
// rand.Rand's IntN on top of it is unbiased.
type cryptoSource struct{}

func (cryptoSource) Uint64() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:]) // never fails on supported platforms (Go 1.24+)
	return binary.LittleEndian.Uint64(b[:])
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// statusOf returns an agent's saved status or the default: offline, so a
// desk assigns nothing automatically to people who never said they work.
func statusOf(m map[int64]*store.AgentStatus, id int64) *store.AgentStatus {
	if st := m[id]; st != nil {
		return st
	}
	return &store.AgentStatus{UserID: id, Availability: Offline, Capacity: DefaultCapacity, Skills: []string{}}
}

// ruleFor finds the rule of a ticket: its group's, else its inbox's.
func ruleFor(tx *store.Tx, tk *model.Ticket) (*store.AssignmentRule, error) {
	if tk.GroupID != 0 {
		r, err := tx.AssignmentRuleFor(tk.GroupID, 0)
		if !errors.Is(err, store.ErrNotFound) {
			return r, err
		}
	}
	if tk.InboxID != 0 {
		r, err := tx.AssignmentRuleFor(0, tk.InboxID)
		if !errors.Is(err, store.ErrNotFound) {
			return r, err
		}
	}
	return nil, nil
}

// automatic reports whether a mode picks an agent by itself.
func automatic(mode string) bool { return mode != ModeManual && mode != ModeClaim }
