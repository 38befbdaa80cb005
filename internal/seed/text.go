package seed

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// slots fills a ticket's {placeholders}. Values are drawn on first use and
// then kept, so every message of one ticket names the same order, product
// or domain.
type slots struct {
	r       *rand.Rand
	kit     *brandKit
	en      bool
	created time.Time
	fixed   map[string]string // brand, org, family, given, agent, agent2, domain
	drawn   map[string]string
}

func (s *slots) reset(r *rand.Rand, kit *brandKit, en bool, created time.Time) {
	s.r, s.kit, s.en, s.created = r, kit, en, created
	clear(s.fixed)
	clear(s.drawn)
	if s.fixed == nil {
		s.fixed, s.drawn = map[string]string{}, map[string]string{}
	}
	if en {
		s.fixed["brand"] = kit.nameEN
	} else {
		s.fixed["brand"] = kit.name
	}
}

// expand writes tpl with its slots filled to b.
func (s *slots) expand(b *strings.Builder, tpl string) {
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			return
		}
		b.WriteString(tpl[:i])
		b.WriteString(s.value(tpl[i+1 : i+j]))
		tpl = tpl[i+j+1:]
	}
}

func (s *slots) text(tpl string) string {
	var b strings.Builder
	s.expand(&b, tpl)
	return b.String()
}

func (s *slots) value(name string) string {
	if v, ok := s.fixed[name]; ok {
		return v
	}
	if v, ok := s.drawn[name]; ok {
		return v
	}
	v := s.draw(name)
	s.drawn[name] = v
	return v
}

var (
	carriers   = [][2]string{{"ヤマト運輸", "Yamato Transport"}, {"佐川急便", "Sagawa Express"}, {"日本郵便", "Japan Post"}}
	payMethods = []string{"クレジットカード", "コンビニ払い", "代金引換", "銀行振込", "PayPay", "後払い"}
	monthsEN   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// draw makes up a value for a slot; paired slots (product/productEN,
// date/dateEN, …) are drawn together so both languages agree.
func (s *slots) draw(name string) string {
	r := s.r
	switch name {
	case "order":
		switch s.kit {
		case ecBrand:
			return fmt.Sprintf("SM-%08d", r.IntN(100000000))
		case marketBrand:
			return fmt.Sprintf("#%07d", r.IntN(10000000))
		}
		return fmt.Sprintf("ORD-%06d", r.IntN(1000000))
	case "invoice":
		return fmt.Sprintf("INV-%d-%06d", s.created.Year(), r.IntN(1000000))
	case "err":
		if s.kit == hostingBrand {
			return fmt.Sprintf("sv%04d", r.IntN(10000))
		}
		return fmt.Sprintf("E-%04d", r.IntN(10000))
	case "n":
		return strconv.Itoa(2 + r.IntN(8))
	case "macro":
		return macros[r.IntN(len(macros))]
	case "pay":
		return payMethods[r.IntN(len(payMethods))]
	case "domain":
		return s.kit.subdomain + ".example.jp"
	case "product", "productEN":
		s.pair("product", ecProducts)
	case "item", "itemEN":
		s.pair("item", marketItems)
	case "carrier", "carrierEN":
		s.pair("carrier", carriers)
	case "plan", "planEN":
		if s.kit == hostingBrand {
			s.pair("plan", hostingPlans)
		} else {
			s.pair("plan", saasPlans)
		}
	case "amount", "amountEN":
		yen := (5 + r.IntN(400)) * 100
		if r.IntN(3) == 0 {
			yen -= 20 // ¥3,980-style prices
		}
		v := "¥" + commas(yen)
		s.drawn["amount"], s.drawn["amountEN"] = v, "JPY "+commas(yen)
	case "date", "dateEN":
		d := s.created.In(jst).AddDate(0, 0, r.IntN(9)-4)
		s.drawn["date"] = fmt.Sprintf("%d月%d日", d.Month(), d.Day())
		s.drawn["dateEN"] = fmt.Sprintf("%s %d", monthsEN[d.Month()-1], d.Day())
	default:
		return "{" + name + "}"
	}
	return s.drawn[name]
}

// pair draws one entry of a Japanese/English list into both slots.
func (s *slots) pair(base string, list [][2]string) {
	p := list[s.r.IntN(len(list))]
	s.drawn[base], s.drawn[base+"EN"] = p[0], p[1]
	if s.en {
		s.drawn[base] = p[1]
	}
}

func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var jst = time.FixedZone("JST", 9*3600)

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }
