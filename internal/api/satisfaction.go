package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Satisfaction ratings (Zendesk's legacy CSAT API) and our survey
// settings extension.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/satisfaction_ratings", s.listRatings)
		s.handle("GET /api/v2/satisfaction_ratings/count", s.countRatings)
		s.handle("GET /api/v2/satisfaction_ratings/{id}", s.showRating)
		s.handle("POST /api/v2/tickets/{id}/satisfaction_rating", s.rateTicket)
		s.handle("GET /api/v2/satisfaction_reasons", s.listReasons)
		s.handle("GET /api/v2/satisfaction_reasons/{id}", s.showReason)
		s.handle("GET /api/v2/satisfaction_settings", s.listSatisfactionSettings)
		s.handle("PUT /api/v2/satisfaction_settings", s.saveSatisfactionSetting)
		s.handle("DELETE /api/v2/satisfaction_settings/{scope}/{id}", s.deleteSatisfactionSetting)
	})
}

type ratingJSON struct {
	URL         string  `json:"url"`
	ID          int64   `json:"id"`
	AssigneeID  *int64  `json:"assignee_id"`
	GroupID     *int64  `json:"group_id"`
	RequesterID int64   `json:"requester_id"`
	TicketID    int64   `json:"ticket_id"`
	Score       string  `json:"score"`
	Comment     *string `json:"comment"`
	Reason      *string `json:"reason"`
	ReasonCode  *int    `json:"reason_code"`
	ReasonID    *int64  `json:"reason_id"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	// Kizuna extensions: the ticket as it was when rated, for reports.
	TicketType *string  `json:"ticket_type"`
	Tags       []string `json:"tags"`
	BrandID    *int64   `json:"brand_id"`
	InboxID    *int64   `json:"inbox_id"`
	OfferedAt  *string  `json:"offered_at"`
	RatedAt    *string  `json:"rated_at"`
}

// reasonID is the id a reason code's record has (Zendesk gives reasons
// their own ids; ours are derived so they never change).
func reasonID(code int) int64 { return 1000 + int64(code) }

func presentRating(base string, r *store.SatisfactionRating, viewer *model.User) ratingJSON {
	j := ratingJSON{URL: fmt.Sprintf("%s/api/v2/satisfaction_ratings/%d.json", base, r.ID), ID: r.ID,
		AssigneeID: idPtr(r.AssigneeID), GroupID: idPtr(r.GroupID), RequesterID: r.RequesterID, TicketID: r.TicketID,
		Score: r.Score, Comment: strPtr(r.Comment), CreatedAt: isoTime(r.CreatedAt), UpdatedAt: isoTime(r.UpdatedAt),
		TicketType: strPtr(r.TicketType), Tags: strs(r.Tags), BrandID: idPtr(r.BrandID), InboxID: idPtr(r.InboxID),
		OfferedAt: timePtr(r.OfferedAt), RatedAt: timePtr(r.RatedAt)}
	if r.Score == csat.ScoreBad {
		if reason, ok := csat.ReasonByCode(r.ReasonCode); ok {
			text := reasonText(reason, viewer)
			code, id := reason.Code, reasonID(reason.Code)
			j.Reason, j.ReasonCode, j.ReasonID = &text, &code, &id
		}
	}
	return j
}

func reasonText(r csat.Reason, viewer *model.User) string {
	if viewer != nil && csat.Japanese(viewer.Locale) {
		return r.Japan
	}
	return r.English
}

// ratingFilter reads Zendesk's score, start_time and end_time parameters.
func ratingFilter(r *http.Request) (store.RatingFilter, error) {
	q := r.URL.Query()
	var f store.RatingFilter
	yes, no := true, false
	switch q.Get("score") {
	case "":
	case "offered", "unoffered", "good", "bad":
		f.Scores = []string{q.Get("score")}
	case "received":
		f.Scores = []string{csat.ScoreGood, csat.ScoreBad}
	case "received_with_comment":
		f.Scores, f.WithComment = []string{csat.ScoreGood, csat.ScoreBad}, &yes
	case "received_without_comment":
		f.Scores, f.WithComment = []string{csat.ScoreGood, csat.ScoreBad}, &no
	case "good_with_comment", "bad_with_comment":
		f.Scores, f.WithComment = []string{q.Get("score")[:len(q.Get("score"))-len("_with_comment")]}, &yes
	case "good_without_comment", "bad_without_comment":
		f.Scores, f.WithComment = []string{q.Get("score")[:len(q.Get("score"))-len("_without_comment")]}, &no
	default:
		return f, badRequest("InvalidValue", "score must be one of offered, unoffered, received, received_with_comment, received_without_comment, good, good_with_comment, good_without_comment, bad, bad_with_comment, bad_without_comment.")
	}
	for name, dst := range map[string]*time.Time{"start_time": &f.Since, "end_time": &f.Until} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return f, badRequest("InvalidValue", name+" must be a Unix time in seconds. / "+name+" は Unix 時刻（秒）で指定してください。")
			}
			*dst = time.Unix(n, 0).UTC()
		}
	}
	return f, nil
}

func (s *Server) listRatings(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	f, err := ratingFilter(r)
	if err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	body := map[string]any{}
	var rows []*store.SatisfactionRating
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		rows, err = pageByID(p, body, func(x *store.SatisfactionRating) int64 { return x.ID },
			func(after int64, offset, limit int) ([]*store.SatisfactionRating, error) {
				return tx.ListSatisfactionRatings(f, after, offset, limit)
			}, func() (int64, error) { return tx.CountSatisfactionRatings(f) })
		return err
	})
	if err != nil {
		return err
	}
	base, viewer := baseURL(r), currentUser(r)
	out := make([]ratingJSON, len(rows))
	for i, x := range rows {
		out[i] = presentRating(base, x, viewer)
	}
	body["satisfaction_ratings"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) countRatings(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	f, err := ratingFilter(r)
	if err != nil {
		return err
	}
	var n int64
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		n, err = tx.CountSatisfactionRatings(f)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": map[string]any{"value": n, "refreshed_at": isoTime(s.Now())}})
	return nil
}

func (s *Server) showRating(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var x *store.SatisfactionRating
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		x, err = tx.SatisfactionRating(id)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"satisfaction_rating": presentRating(baseURL(r), x, currentUser(r))})
	return nil
}

// rateTicket is Zendesk's "Create a Satisfaction Rating": only the
// ticket's requester rates it; the answer is 200 with the rating.
func (s *Server) rateTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Rating *struct {
			Score      string `json:"score"`
			Comment    string `json:"comment"`
			ReasonCode int    `json:"reason_code"`
		} `json:"satisfaction_rating"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Rating == nil {
		return errs.Invalidf("satisfaction_rating", "BlankValue", "satisfaction_rating is required / satisfaction_rating を指定してください")
	}
	me := currentUser(r)
	var x *store.SatisfactionRating
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		tk, err := tx.TicketForUpdate(id)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() || (!me.IsStaff() && tk.RequesterID != me.ID) {
			return store.ErrNotFound
		}
		if tk.RequesterID != me.ID {
			return errs.Forbiddenf("only the requester can rate a ticket / チケットを評価できるのはリクエスターのみです")
		}
		x, err = csat.Rate(tx, tk, me, csat.Answer{Score: in.Rating.Score, Comment: in.Rating.Comment,
			ReasonCode: in.Rating.ReasonCode, Via: "api"}, s.Now())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"satisfaction_rating": presentRating(baseURL(r), x, me)})
	return nil
}

type reasonJSON struct {
	URL        string  `json:"url"`
	ID         int64   `json:"id"`
	ReasonCode int     `json:"reason_code"`
	Value      string  `json:"value"`
	RawValue   string  `json:"raw_value"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
	DeletedAt  *string `json:"deleted_at"`
}

// reasonsEpoch is when the built-in reasons "were created".
var reasonsEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func presentReason(base string, x csat.Reason, viewer *model.User) reasonJSON {
	return reasonJSON{URL: fmt.Sprintf("%s/api/v2/satisfaction_reasons/%d.json", base, reasonID(x.Code)), ID: reasonID(x.Code),
		ReasonCode: x.Code, Value: reasonText(x, viewer), RawValue: x.English,
		CreatedAt: isoTime(reasonsEpoch), UpdatedAt: isoTime(reasonsEpoch)}
}

func (s *Server) listReasons(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	out := make([]reasonJSON, len(csat.Reasons))
	for i, x := range csat.Reasons {
		out[i] = presentReason(baseURL(r), x, currentUser(r))
	}
	writeJSON(w, http.StatusOK, map[string]any{"reasons": out, "count": len(out), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) showReason(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, ok := csat.ReasonByCode(int(id - 1000))
	if !ok || id < 1000 {
		return store.ErrNotFound
	}
	writeJSON(w, http.StatusOK, map[string]any{"reason": presentReason(baseURL(r), x, currentUser(r))})
	return nil
}
