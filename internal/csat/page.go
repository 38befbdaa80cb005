package csat

import (
	"errors"
	"html/template"
	"io"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

var pageTemplate = template.Must(template.ParseFS(templateFS, "templates/page.html"))

// ErrSurveyClosed means a survey link belongs to an earlier solve: the
// ticket has been solved again since (and has a newer survey).
var ErrSurveyClosed = errors.New("this survey is closed / このアンケートは終了しました")

// Survey is what a survey link opens.
type Survey struct {
	Rating *store.SatisfactionRating
	Ticket *model.Ticket
	Open   bool // false: a newer solve has its own survey
}

// LoadSurvey finds the survey a token opens; store.ErrNotFound when the
// token is unknown (or its ticket is gone).
func LoadSurvey(tx *store.Tx, token string) (*Survey, error) {
	if len(token) < 20 || len(token) > 100 {
		return nil, store.ErrNotFound
	}
	r, err := tx.SatisfactionRatingByToken(HashToken(token))
	if err != nil {
		return nil, err
	}
	tk, err := tx.Ticket(r.TicketID)
	if err != nil {
		return nil, err
	}
	if !tk.DeletedAt.IsZero() {
		return nil, store.ErrNotFound
	}
	latest, err := tx.LatestSatisfactionRatings([]int64{tk.ID})
	if err != nil {
		return nil, err
	}
	open := latest[tk.ID] != nil && latest[tk.ID].ID == r.ID && (!finished(tk) || tk.SolvedAt.Equal(r.SolvedAt))
	return &Survey{Rating: r, Ticket: tk, Open: open}, nil
}

// RateByToken stores the requester's answer through a survey link.
func RateByToken(tx *store.Tx, token string, a Answer, now time.Time) (*store.SatisfactionRating, error) {
	sv, err := LoadSurvey(tx, token)
	if err != nil {
		return nil, err
	}
	if !sv.Open {
		return nil, ErrSurveyClosed
	}
	// Lock the ticket as every ticket write does, so the rating's audit is
	// ordered with the others (metrics fold audits in id order).
	tk, err := tx.TicketForUpdate(sv.Ticket.ID)
	if err != nil {
		return nil, err
	}
	requester, err := tx.User(sv.Rating.RequesterID)
	if err != nil {
		return nil, err
	}
	if a.Via == "" {
		a.Via = "web"
	}
	return Rate(tx, tk, requester, a, now)
}

// Page is what the survey page shows.
type Page struct {
	Lang       string // "ja" or "en"
	State      string // "form", "thanks", "closed", "notfound"
	Action     string // the form's target (the page's own path)
	OtherLang  string // the same page in the other language
	TicketID   int64
	Subject    string
	Score      string // chosen or preselected
	Comment    string
	ReasonCode int
	Errors     []string
}

type reasonOption struct {
	Code     int
	Label    string
	Selected bool
}

type pageView struct {
	Page
	JA      bool
	Reasons []reasonOption
}

// RenderPage writes the survey page: plain HTML that works without
// JavaScript and carries none.
func RenderPage(w io.Writer, p Page) error {
	v := pageView{Page: p, JA: p.Lang != "en"}
	for _, r := range Reasons {
		label := r.English
		if v.JA {
			label = r.Japan
		}
		v.Reasons = append(v.Reasons, reasonOption{r.Code, label, r.Code == p.ReasonCode})
	}
	return pageTemplate.Execute(w, v)
}
