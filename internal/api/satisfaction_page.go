package api

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// The survey page is public: the token in its address is the only key, so
// it needs no login. Opening it stores nothing (mail scanners open links);
// the requester confirms with the form, which works without JavaScript.

// SurveyRoutes adds the survey page to the desk's root mux.
func (s *Server) SurveyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /csat/{token}", s.surveyPage)
	mux.HandleFunc("POST /csat/{token}", s.surveySubmit)
}

// maxSurveyForm caps a posted survey form.
const maxSurveyForm = 64 << 10

func surveyLang(r *http.Request, locale string) string {
	switch v := r.FormValue("lang"); v {
	case "ja", "en":
		return v
	}
	if csat.Japanese(locale) {
		return "ja"
	}
	return "en"
}

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	var sv *csat.Survey
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		sv, err = csat.LoadSurvey(tx, token)
		return err
	})
	p := csat.Page{Action: "/csat/" + token, State: "form"}
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.Lang, p.State = surveyLang(r, ""), "notfound"
		s.writeSurvey(w, r, http.StatusNotFound, p)
		return
	case err != nil:
		s.surveyFailed(w, r, err)
		return
	}
	x := sv.Rating
	p.Lang, p.TicketID, p.Subject = surveyLang(r, x.Locale), sv.Ticket.ID, sv.Ticket.Subject
	p.Score, p.Comment, p.ReasonCode = x.Score, x.Comment, x.ReasonCode
	if v := r.FormValue("score"); v == csat.ScoreGood || v == csat.ScoreBad {
		p.Score = v
	}
	if !sv.Open {
		p.State = "closed"
	}
	s.writeSurvey(w, r, http.StatusOK, p)
}

func (s *Server) surveySubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, maxSurveyForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form / フォームの内容が正しくありません", http.StatusBadRequest)
		return
	}
	code, _ := strconv.Atoi(r.PostFormValue("reason_code"))
	a := csat.Answer{Score: r.PostFormValue("score"), Comment: r.PostFormValue("comment"), ReasonCode: code, Via: "web"}
	p := csat.Page{Action: "/csat/" + token, State: "thanks", Lang: surveyLang(r, ""), Score: a.Score, Comment: a.Comment, ReasonCode: code}
	var x *store.SatisfactionRating
	var sv *csat.Survey
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if sv, err = csat.LoadSurvey(tx, token); err != nil {
			return err
		}
		x, err = csat.RateByToken(tx, token, a, s.Now())
		return err
	})
	if sv != nil {
		p.TicketID, p.Subject = sv.Ticket.ID, sv.Ticket.Subject
	}
	var inv *errs.Invalid
	switch {
	case err == nil:
		p.Score, p.Comment = x.Score, x.Comment
		s.writeSurvey(w, r, http.StatusOK, p)
	case errors.Is(err, store.ErrNotFound):
		p.State = "notfound"
		s.writeSurvey(w, r, http.StatusNotFound, p)
	case errors.Is(err, csat.ErrSurveyClosed):
		p.State = "closed"
		s.writeSurvey(w, r, http.StatusConflict, p)
	case errors.As(err, &inv):
		p.State = "form"
		for _, ds := range inv.Details {
			for _, d := range ds {
				p.Errors = append(p.Errors, d.Description)
			}
		}
		s.writeSurvey(w, r, http.StatusUnprocessableEntity, p)
	default:
		s.surveyFailed(w, r, err)
	}
}

func (s *Server) writeSurvey(w http.ResponseWriter, r *http.Request, status int, p csat.Page) {
	other := "ja"
	if p.Lang == "ja" {
		other = "en"
	}
	p.OtherLang = p.Action + "?lang=" + other
	if p.Score == csat.ScoreGood || p.Score == csat.ScoreBad {
		p.OtherLang += "&score=" + p.Score
	}
	var buf bytes.Buffer
	if err := csat.RenderPage(&buf, p); err != nil {
		s.surveyFailed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The token is in the address: never send it on as a Referer, never
	// cache the page, never frame it; and no script runs here at all.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) surveyFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("survey page failed", "path", r.URL.Path, "err", err)
	http.Error(w, "Something went wrong; please try again later. / エラーが発生しました。しばらくしてからもう一度お試しください。", http.StatusInternalServerError)
}
