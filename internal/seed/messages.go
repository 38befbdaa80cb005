package seed

import (
	"math/rand/v2"
	"strings"
)

// The messages of a ticket, assembled from the brand's topic texts and the
// language's phrasebook. Paragraphs are separated by blank lines, as people
// write mail, so the HTML body gets one <p> per paragraph.

func (s *slots) customerMessage(r *rand.Rand, pb *phrasebook, ask string, c customer, phone bool) string {
	var b strings.Builder
	if phone {
		if c.en {
			b.WriteString("[Phone call] The customer called about the following.\n\n")
		} else {
			b.WriteString("【電話受付】お客様より以下のお問い合わせをいただきました。\n\n")
		}
	} else if op := pick(r, pb.openers); op != "" && (c.org != "" || !strings.Contains(op, "{org}")) {
		s.expand(&b, op)
		b.WriteString("\n\n")
	}
	s.expand(&b, ask)
	if !phone {
		b.WriteString("\n\n")
		s.expand(&b, pick(r, pb.closers))
		if c.en {
			b.WriteString("\n" + c.family)
		}
	}
	return b.String()
}

func (s *slots) agentReply(r *rand.Rand, pb *phrasebook, tx *texts, c customer, first, solving bool) string {
	var b strings.Builder
	op := pick(r, pb.agentOpen)
	if c.org == "" && strings.Contains(op, "{org}") {
		op = pb.agentOpen[0]
	}
	s.expand(&b, op)
	b.WriteString("\n\n")
	if first {
		s.expand(&b, pick(r, pb.agentHello))
		b.WriteString("\n\n")
	}
	s.expand(&b, pick(r, tx.answers))
	b.WriteString("\n\n")
	if solving {
		s.expand(&b, pick(r, pb.solvedClose))
		b.WriteString("\n")
	}
	s.expand(&b, pick(r, pb.agentClose))
	return b.String()
}

func (s *slots) note(r *rand.Rand, pb *phrasebook, tx *texts) string {
	if r.IntN(10) < 6 {
		return s.text(pick(r, tx.notes))
	}
	return s.text(pick(r, pb.notes))
}

func (s *slots) followUp(r *rand.Rand, pb *phrasebook, tx *texts, stillOpen bool) string {
	var b strings.Builder
	switch {
	case !stillOpen && r.IntN(3) == 0:
		s.expand(&b, pick(r, pb.thanks))
	case r.IntN(10) < 6:
		s.expand(&b, pick(r, tx.follows))
	default:
		s.expand(&b, pick(r, pb.follows))
	}
	return b.String()
}

// weighted is a choice with its relative frequency.
type weighted[T any] struct {
	v T
	w int
}

func pickWeighted[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return ws[len(ws)-1].v
}
