// Package seed fills a desk with realistic demo data: four services of one
// company (an online shop, a business SaaS, a hosting company and a skill
// marketplace), their support teams, customer companies, customers writing
// in Japanese and English, and two years of tickets with replies, internal
// notes and audit trails. `kizuna seed --tickets N` runs it; the same
// --seed and --until always give the same data.
//
// Tickets are written through the store's bulk path (store.InsertTicketsBulk)
// rather than the tickets domain, which would take hours for a million; the
// generator therefore follows the domain's rules itself (status life cycle,
// solved tickets have an assignee and solved_at, the description is the
// first comment, audits record each change) and the tests check them.
package seed

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// Options says how much to make.
type Options struct {
	Tickets   int
	Seed      uint64
	Until     time.Time // tickets span the two years before; zero = now
	BatchSize int       // tickets per transaction; 0 = 10,000
	Progress  io.Writer // progress lines; nil = quiet
}

// Stats is what Run made.
type Stats struct {
	Tickets, Comments, Audits, Customers, Agents, Organizations int
	Elapsed                                                     time.Duration
}

type generator struct {
	opt          Options
	r            *rand.Rand
	start, until time.Time
	began        time.Time
	w            world
	slots        slots
	brandWeights []weighted[*brandKit]
	topicWeights map[*brandKit][]weighted[*topic]
	custCursor   int
}

// Run seeds db. The database must not have been seeded before.
func Run(ctx context.Context, db *store.DB, opt Options) (*Stats, error) {
	if opt.Tickets < 0 {
		return nil, fmt.Errorf("--tickets must not be negative")
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 10000
	}
	if opt.Until.IsZero() {
		opt.Until = time.Now()
	}
	g := &generator{opt: opt, r: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x6b697a756e61)), began: time.Now(),
		until: opt.Until.UTC().Truncate(time.Millisecond), topicWeights: map[*brandKit][]weighted[*topic]{}}
	g.start = g.until.AddDate(-2, 0, 0)
	for _, k := range brands {
		g.brandWeights = append(g.brandWeights, weighted[*brandKit]{k, k.weight})
		for i := range k.topics {
			g.topicWeights[k] = append(g.topicWeights[k], weighted[*topic]{&k.topics[i], k.topics[i].weight})
		}
	}
	if err := g.buildWorld(ctx, db); err != nil {
		return nil, err
	}
	st := &Stats{Customers: len(g.w.customers), Agents: len(g.w.allAgents), Organizations: len(g.w.orgs)}
	if err := g.tickets(ctx, db, st); err != nil {
		return nil, err
	}
	g.progress("finishing: merging the search index, statistics for the query planner, checkpoint")
	if err := db.FinishBulk(ctx); err != nil {
		return nil, err
	}
	st.Elapsed = time.Since(g.began)
	return st, nil
}

// tickets generates batches on one goroutine while the other writes them,
// so generating text and writing rows use both cores.
func (g *generator) tickets(ctx context.Context, db *store.DB, st *Stats) error {
	times := g.ticketTimes(g.opt.Tickets)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []store.BulkTicket, 2)
	go func() {
		defer close(batches)
		for i := 0; i < len(times); i += g.opt.BatchSize {
			part := times[i:min(i+g.opt.BatchSize, len(times))]
			batch := make([]store.BulkTicket, len(part))
			for j, at := range part {
				batch[j] = g.ticket(at)
			}
			db.PrepareTicketsBulk(batch) // tokenize here, off the writing goroutine
			select {
			case batches <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()
	wrote := time.Now()
	for batch := range batches {
		if err := db.WriteBulk(ctx, func(tx *store.Tx) error { return tx.InsertTicketsBulk(batch) }); err != nil {
			return err
		}
		st.Tickets += len(batch)
		for _, b := range batch {
			st.Audits += len(b.Audits)
			for _, a := range b.Audits {
				if a.Comment != nil {
					st.Comments++
				}
			}
		}
		rate := float64(st.Tickets) / time.Since(wrote).Seconds()
		eta := time.Duration(float64(g.opt.Tickets-st.Tickets)/rate) * time.Second
		g.progress("tickets %d/%d (%.0f%%), %d comments, %.0f tickets/s, about %s to go",
			st.Tickets, g.opt.Tickets, 100*float64(st.Tickets)/float64(max(g.opt.Tickets, 1)), st.Comments, rate, eta.Round(time.Second))
	}
	return ctx.Err()
}

// ticketTimes spreads n creation times over the two years: volume grows
// (twice as many tickets a day at the end as at the start), weekends are
// quieter and most mail arrives in Japanese office hours. Sorted, so ids
// follow creation order as they would in a real desk.
func (g *generator) ticketTimes(n int) []time.Time {
	r := g.r
	span := g.until.Sub(g.start)
	days := int(span.Hours() / 24)
	out := make([]time.Time, 0, n)
	for len(out) < n {
		day := min(int(growthInverse(r.Float64())*float64(days)), days-1)
		d := g.start.In(jst).AddDate(0, 0, day)
		if wd := d.Weekday(); (wd == time.Saturday || wd == time.Sunday) && r.IntN(100) >= 45 {
			continue
		}
		hour := pickWeighted(r, hourWeights)
		t := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, jst).Add(time.Duration(r.IntN(3600_000)) * time.Millisecond)
		if t.Before(g.start) || !t.Before(g.until) {
			continue
		}
		out = append(out, t.UTC())
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

var hourWeights = func() []weighted[int] {
	w := []int{10, 5, 3, 2, 2, 3, 8, 20, 40, 80, 100, 100, 80, 90, 100, 90, 80, 70, 50, 40, 35, 30, 25, 15}
	out := make([]weighted[int], len(w))
	for h, x := range w {
		out[h] = weighted[int]{h, x}
	}
	return out
}()

// growthInverse maps a uniform u in [0,1) to a position in [0,1) under a
// density rising linearly to twice its starting value: the inverse of
// F(x) = (x + x²/2) / 1.5.
func growthInverse(u float64) float64 { return -1 + math.Sqrt(1+3*u) }

// customerAt picks the requester of a ticket created at t among customers
// who had signed up by then; a few regulars write far more than the rest.
func (g *generator) customerAt(t time.Time) customer {
	w := &g.w
	for g.custCursor < len(w.custTimes) && !w.custTimes[g.custCursor].After(t) {
		g.custCursor++
	}
	n := max(g.custCursor, 1)
	if g.r.IntN(10) == 0 {
		return w.customers[g.r.IntN(max(n/50, 1))]
	}
	return w.customers[g.r.IntN(n)]
}

func (g *generator) progress(format string, args ...any) {
	if g.opt.Progress == nil {
		return
	}
	fmt.Fprintf(g.opt.Progress, "[%6.1fs] "+format+"\n", append([]any{time.Since(g.began).Seconds()}, args...)...)
}
