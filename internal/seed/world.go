package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// world is everything tickets refer to: brands, teams, agents, customers.
type world struct {
	brandIDs  map[*brandKit]int64
	groups    []*model.Group
	agents    [][]*agent // by group: agents and admins who take tickets
	allAgents []*agent
	orgs      []*model.Organization
	customers []customer
	custTimes []time.Time // when each customer signed up, ascending
}

type agent struct {
	id           int64
	family, name string // how they sign replies (family name, or given for English)
}

type customer struct {
	id, orgID    int64
	org          string
	family, name string // how agents address them
	en           bool
}

// seedMarker is the subdomain of the first seeded brand; finding it means
// the database was seeded before.
const seedMarker = "sakura-market"

func (g *generator) buildWorld(ctx context.Context, db *store.DB) error {
	w := &g.w
	start := g.start
	err := db.Write(ctx, func(tx *store.Tx) error {
		all, err := tx.Brands()
		if err != nil {
			return err
		}
		for _, b := range all {
			if b.Subdomain == seedMarker {
				return fmt.Errorf("this database has already been seeded; use an empty data directory / このデータベースには投入済みのデモデータがあります。空のデータディレクトリを使ってください")
			}
		}
		w.brandIDs = map[*brandKit]int64{}
		for _, k := range brands {
			b := &model.Brand{Name: k.name, Subdomain: k.subdomain, Active: true, CreatedAt: start.AddDate(0, -3, 0), UpdatedAt: start.AddDate(0, -3, 0)}
			if err := tx.InsertBrand(b); err != nil {
				return err
			}
			w.brandIDs[k] = b.ID
		}
		for _, gn := range groupNames {
			grp := &model.Group{Name: gn.name, Description: gn.desc, CreatedAt: start.AddDate(0, -3, 0), UpdatedAt: start.AddDate(0, -3, 0)}
			if err := tx.InsertGroup(grp); err != nil {
				return err
			}
			w.groups = append(w.groups, grp)
		}
		w.agents = make([][]*agent, len(w.groups))
		if err := g.addAgents(tx); err != nil {
			return err
		}
		return g.addOrgs(tx)
	})
	if err != nil {
		return err
	}
	return g.addCustomers(ctx, db)
}

func (g *generator) addAgents(tx *store.Tx) error {
	w, r := &g.w, g.r
	n := min(max(g.opt.Tickets/12000, 8), 120)
	joined := g.start.AddDate(0, -2, 0)
	for i := range n + 5 {
		role := model.RoleAgent
		switch {
		case i < 2:
			role = model.RoleAdmin // team leads who take over hard cases
		case i >= n:
			role = model.RoleLightAgent // sales and engineering, notes only
		}
		fam, giv := pick(r, jaFamily), pick(r, jaGiven)
		name, sign := fam[0]+" "+giv[0], fam[0]
		local := giv[1] + "." + fam[1]
		if r.IntN(10) == 0 {
			f, l := pick(r, enFirst), pick(r, enLast)
			name, sign, local = f+" "+l, f, strings.ToLower(f+"."+l)
		}
		gi := i % len(w.groups)
		if role == model.RoleLightAgent {
			gi = len(w.groups) - 1
		}
		grp := w.groups[gi]
		u := &model.User{Name: name, Email: fmt.Sprintf("%s.%d@support.kizuna.example.jp", local, i+1), Role: role,
			DefaultGroupID: grp.ID, Verified: true, CreatedAt: joined}
		if err := users.Create(tx, u, joined); err != nil {
			return err
		}
		if err := tx.InsertMembership(&model.GroupMembership{UserID: u.ID, GroupID: grp.ID, Default: true, CreatedAt: joined, UpdatedAt: joined}); err != nil {
			return err
		}
		if role == model.RoleLightAgent {
			continue
		}
		a := &agent{id: u.ID, family: sign, name: name}
		w.allAgents = append(w.allAgents, a)
		w.agents[gi] = append(w.agents[gi], a)
		if si := r.IntN(len(w.groups)); si != gi && r.IntN(10) < 3 { // some agents also help a second team
			if err := tx.InsertMembership(&model.GroupMembership{UserID: u.ID, GroupID: w.groups[si].ID, CreatedAt: joined, UpdatedAt: joined}); err != nil {
				return err
			}
			w.agents[si] = append(w.agents[si], a)
		}
	}
	return nil
}

func (g *generator) addOrgs(tx *store.Tx) error {
	w, r := &g.w, g.r
	n := min(max(g.opt.Tickets/500, 5), 3000)
	seen := map[string]bool{}
	for i := 0; len(w.orgs) < n; i++ {
		var name, slug, tld string
		if r.IntN(10) == 0 {
			k := pick(r, enOrgKinds)
			stem := pick(r, enOrgStems)
			name = stem + " " + k[0] + " Inc."
			slug, tld = strings.ToLower(strings.ReplaceAll(stem, " ", ""))+"-"+k[1], "example.com"
		} else {
			st, k := pick(r, orgStems), pick(r, orgKinds)
			name = fmt.Sprintf(pick(r, orgForms), st[0]+k[0])
			slug, tld = st[1]+"-"+k[1], "example.jp"
		}
		if seen[name] {
			name = fmt.Sprintf("%s %s", name, pick(r, []string{"東日本", "西日本", "九州", "北海道", "関西", "Japan"}))
			if seen[name] {
				continue
			}
		}
		seen[name] = true
		at := g.start.AddDate(0, 0, -r.IntN(365)-1)
		o := &model.Organization{Name: name, DomainNames: []string{fmt.Sprintf("%s-%d.%s", slug, len(w.orgs)+1, tld)},
			Details: "デモデータ / demo data", Tags: orgTags(r), Fields: map[string]any{}, CreatedAt: at, UpdatedAt: at}
		if err := tx.InsertOrganization(o); err != nil {
			return err
		}
		w.orgs = append(w.orgs, o)
	}
	return nil
}

func orgTags(r *rand.Rand) []string {
	var tags []string
	switch x := r.IntN(100); {
	case x < 5:
		tags = append(tags, "vip")
	case x < 20:
		tags = append(tags, "enterprise")
	case x < 30:
		tags = append(tags, "trial")
	}
	return users.NormalizeTags(tags)
}

// addCustomers makes the end-users who write in: about one for every five
// tickets, 40% at an organization's domain, one in six writing in English.
// They sign up over the whole period, mostly as the tickets grow.
func (g *generator) addCustomers(ctx context.Context, db *store.DB) error {
	w, r := &g.w, g.r
	n := max(g.opt.Tickets/5, 20)
	w.customers = make([]customer, 0, n)
	w.custTimes = make([]time.Time, n)
	first := g.start.AddDate(0, -2, 0)
	span := g.until.Sub(first)
	for i := range n {
		w.custTimes[i] = first.Add(time.Duration(growthInverse(float64(i)/float64(n)) * float64(span)))
	}
	batch := make([]*model.User, 0, 20000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := db.WriteBulk(ctx, func(tx *store.Tx) error { return tx.InsertUsersBulk(batch) }); err != nil {
			return err
		}
		base := len(w.customers) - len(batch)
		for k, u := range batch {
			w.customers[base+k].id = u.ID
		}
		batch = batch[:0]
		return nil
	}
	for i := range n {
		c := customer{en: r.IntN(6) == 0}
		var name, local string
		if c.en {
			f, l := pick(r, enFirst), pick(r, enLast)
			name, c.family, local = f+" "+l, f, strings.ToLower(f+"."+l)
		} else {
			fam, giv := pick(r, jaFamily), pick(r, jaGiven)
			name, c.family, local = fam[0]+" "+giv[0], fam[0], giv[1]+"."+fam[1]
		}
		c.name = name
		domain := pick(r, freeMailDomains)
		if len(w.orgs) > 0 && r.IntN(10) < 4 {
			o := w.orgs[r.IntN(len(w.orgs))]
			c.orgID, c.org, domain = o.ID, o.Name, o.DomainNames[0]
		}
		at := w.custTimes[i]
		locale := users.DefaultLocale
		if c.en {
			locale = "en-US"
		}
		// What users.FindOrCreate stores for someone whose first mail
		// arrives: an active, unverified end-user.
		u := &model.User{Name: name, Email: fmt.Sprintf("%s.%d@%s", local, i+1, domain), Role: model.RoleEndUser, Locale: locale,
			TimeZone: users.DefaultTimeZone, OrganizationID: c.orgID, Active: true, Tags: []string{}, Fields: map[string]any{},
			CreatedAt: at, UpdatedAt: at}
		w.customers = append(w.customers, c)
		batch = append(batch, u)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
			g.progress("customers %d/%d", i+1, n)
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return err
		}
		g.progress("customers %d/%d", n, n)
	}
	return nil
}
