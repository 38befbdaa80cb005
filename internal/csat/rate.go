package csat

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Reason is one of Zendesk's system reasons for a bad rating.
type Reason struct {
	Code    int
	English string
	Japan   string
}

// Reasons are Zendesk's default reason codes with Japanese wording.
var Reasons = []Reason{
	{0, "No reason provided", "理由の指定なし"},
	{5, "The issue took too long to resolve", "解決までに時間がかかりすぎた"},
	{6, "The issue was not resolved", "問題が解決しなかった"},
	{7, "The agent's knowledge is unsatisfactory", "担当者の知識が不十分だった"},
	{8, "The agent's attitude is unsatisfactory", "担当者の対応・態度に不満がある"},
	{100, "Some other reason", "その他の理由"},
}

// ReasonByCode returns the reason with code, if any.
func ReasonByCode(code int) (Reason, bool) {
	for _, r := range Reasons {
		if r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}

// MaxCommentRunes caps a rating's comment.
const MaxCommentRunes = 2000

// Answer is a requester's rating.
type Answer struct {
	Score      string
	Comment    string
	ReasonCode int
	Via        string // channel for the audit: "api" or "web" (the survey page)
}

func (a *Answer) validate() error {
	v := &errs.Invalid{}
	a.Comment = strings.TrimSpace(strings.ReplaceAll(a.Comment, "\r\n", "\n"))
	if a.Score != ScoreGood && a.Score != ScoreBad {
		v.Add("score", "InvalidValue", "Score must be good or bad / 評価は good または bad で指定してください")
	}
	if !utf8.ValidString(a.Comment) {
		v.Add("comment", "InvalidValue", "Comment is not valid UTF-8 / コメントの文字コードが正しくありません")
	} else if utf8.RuneCountInString(a.Comment) > MaxCommentRunes {
		v.Addf("comment", "TooLong", "Comment is too long (maximum is %d characters) / コメントは %d 文字以内で入力してください", MaxCommentRunes, MaxCommentRunes)
	}
	if _, ok := ReasonByCode(a.ReasonCode); !ok {
		v.Addf("reason_code", "InvalidValue", "Reason code %d is not known / 理由コード %d は存在しません", a.ReasonCode, a.ReasonCode)
	}
	if a.Score == ScoreGood {
		a.ReasonCode = 0 // reasons explain bad ratings only
	}
	return v.OrNil()
}

// Rate records a's rating of tk by its requester. A solved or closed
// ticket is rated for its current solve (offered or not); a ticket that
// was solved, surveyed and then reopened may still be rated for that
// survey, as Zendesk allows. Rating again changes the answer. The rating
// is recorded in the ticket's audit trail.
func Rate(tx *store.Tx, tk *model.Ticket, rater *model.User, a Answer, now time.Time) (*store.SatisfactionRating, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Millisecond)
	latest, err := tx.LatestSatisfactionRatings([]int64{tk.ID})
	if err != nil {
		return nil, err
	}
	r := latest[tk.ID]
	switch {
	case finished(tk) && (r == nil || !r.SolvedAt.Equal(tk.SolvedAt)):
		r = &store.SatisfactionRating{TicketID: tk.ID, SolvedAt: tk.SolvedAt, Score: ScoreUnoffered, CreatedAt: now, UpdatedAt: now}
		snapshot(r, tk)
		if _, err := tx.InsertSatisfactionRating(r); err != nil {
			return nil, err
		}
	case !finished(tk) && (r == nil || r.Score == ScoreUnoffered):
		return nil, errs.Invalidf("ticket", "InvalidValue", "Only a solved ticket can be rated / 解決済みのチケットのみ評価できます")
	}
	prev := r.Score
	r.Score, r.Comment, r.ReasonCode = a.Score, a.Comment, a.ReasonCode
	r.RatedAt, r.UpdatedAt, r.DueAt = now, now, time.Time{}
	r.Locale = rater.Locale
	snapshot(r, tk)
	if err := tx.UpdateSatisfactionRating(r); err != nil {
		return nil, err
	}
	audit := &model.Audit{TicketID: tk.ID, AuthorID: rater.ID, Via: via(a.Via), CreatedAt: now,
		Metadata: map[string]any{"satisfaction_rating_id": r.ID},
		Events:   []model.AuditEvent{{Type: "SatisfactionRating", FieldName: "satisfaction_score", Value: a.Score, PreviousValue: prev}}}
	if err := tx.InsertAudit(audit); err != nil {
		return nil, err
	}
	return r, nil
}

func via(v string) string {
	if v == "" {
		return "web"
	}
	return v
}
