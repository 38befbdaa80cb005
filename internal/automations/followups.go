package automations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/liquid"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// FollowupInput is a follow-up create or update; nil fields stay.
type FollowupInput struct {
	Title, UserField, Subject, Body, Priority *string
	Active                                    *bool
	Days, GroupID                             *int64
	Tags                                      *[]string
}

// SaveFollowup validates in onto f (a new rule when f.ID is 0) and stores it.
func SaveFollowup(tx *store.Tx, f *store.Followup, in FollowupInput, actor *model.User, now time.Time) error {
	before := *f
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&f.Title, in.Title)
	set(&f.UserField, in.UserField)
	set(&f.Subject, in.Subject)
	set(&f.Priority, in.Priority)
	if in.Body != nil {
		f.Body = *in.Body
	}
	if in.Active != nil {
		f.Active = *in.Active
	}
	if in.Days != nil {
		f.Days = *in.Days
	}
	if in.GroupID != nil {
		f.GroupID = *in.GroupID
	}
	if in.Tags != nil {
		f.Tags = users.NormalizeTags(*in.Tags)
	}
	var v errs.Invalid
	if f.Title == "" {
		v.Add("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
	}
	if f.UserField == "" || utf8.RuneCountInString(f.UserField) > 64 {
		v.Add("user_field", "BlankValue", "User field: give the key of the user field holding the date, e.g. signup_date / 日付を持つユーザーフィールドのキーを指定してください")
	}
	if f.Days < 0 || f.Days > 3650 {
		v.Add("days", "InvalidValue", "Days: must be from 0 to 3650 / 日数は0〜3650で指定してください")
	}
	if f.Subject == "" {
		v.Add("subject", "BlankValue", "Subject: cannot be blank / 件名を入力してください")
	}
	if strings.TrimSpace(f.Body) == "" {
		v.Add("body", "BlankValue", "Body: cannot be blank / 本文を入力してください")
	}
	for name, src := range map[string]string{"subject": f.Subject, "body": f.Body} {
		if _, err := liquid.Parse(src); err != nil {
			v.Addf(name, "InvalidValue", "%s: %v", strings.ToUpper(name[:1])+name[1:], err)
		}
	}
	if f.Priority != "" && !slices.Contains(model.Priorities, f.Priority) {
		v.Addf("priority", "InvalidValue", "Priority: %q is not one of low, normal, high, urgent / 優先度が正しくありません", f.Priority)
	}
	if f.GroupID != 0 {
		g, err := tx.Group(f.GroupID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && g.Deleted) {
			v.Addf("group_id", "InvalidValue", "Group: %d does not exist / グループ %d は存在しません", f.GroupID, f.GroupID)
		} else if err != nil {
			return err
		}
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	f.UpdatedAt = now
	if f.ID == 0 {
		f.CreatedAt, f.CreatedBy = now, actor.ID
		return tx.InsertFollowup(f)
	}
	return tx.UpdateFollowup(f, before.UserField != f.UserField || before.Days != f.Days)
}

// DueDate is when a user with date value v in the rule's field is due: v
// is a date (2026-04-01, 2026/04/01: midnight in the user's time zone) or
// a time (RFC 3339), plus the rule's days.
func DueDate(v any, days int64, tz string) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	s = strings.TrimSpace(s)
	loc, err := bizhours.Zone(tz)
	if err != nil || tz == "" {
		loc, _ = bizhours.Zone("Asia/Tokyo")
	}
	var at time.Time
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		at = t
	} else {
		parsed := false
		for _, layout := range []string{"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2"} {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				at, parsed = t, true
				break
			}
		}
		if !parsed {
			return time.Time{}, false
		}
	}
	return at.In(loc).AddDate(0, 0, int(days)).UTC(), true
}

// followups runs every active follow-up rule: it schedules users whose
// date changed, then opens the tickets that are due.
func (s *Service) followups(ctx context.Context, now time.Time, st *Stats) error {
	var list []*store.Followup
	if err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		list, err = tx.Followups(true)
		return err
	}); err != nil {
		return err
	}
	for _, f := range list {
		if err := s.scanUsers(ctx, f); err != nil {
			return err
		}
		if err := s.openDue(ctx, f, now, st); err != nil {
			return err
		}
	}
	return nil
}

// scanUsers brings the rule's schedule up to date with users changed since
// its last scan, a bounded number per round.
func (s *Service) scanUsers(ctx context.Context, f *store.Followup) error {
	const page = 1000
	for range 20 {
		n := 0
		err := s.Store.Write(ctx, func(tx *store.Tx) error {
			us, err := tx.UsersUpdatedSince(f.ScanUpdatedAt, f.ScanUserID, page)
			if err != nil {
				return err
			}
			n = len(us)
			for _, u := range us {
				f.ScanUpdatedAt, f.ScanUserID = u.UpdatedAt.UnixMilli(), u.ID
				due, ok := DueDate(u.Fields[f.UserField], f.Days, u.TimeZone)
				if ok && u.Role == model.RoleEndUser {
					err = tx.ScheduleFollowup(f.ID, u.ID, due)
				} else {
					err = tx.UnscheduleFollowup(f.ID, u.ID)
				}
				if err != nil {
					return err
				}
			}
			return tx.SetFollowupScan(f.ID, f.ScanUpdatedAt, f.ScanUserID)
		})
		if err != nil || n < page {
			return err
		}
	}
	return nil
}

// openDue opens the task tickets of users now due, each exactly once: the
// ticket and the "done" mark commit together, and a second runner's mark
// finds the row already done and rolls its ticket back.
func (s *Service) openDue(ctx context.Context, f *store.Followup, now time.Time, st *Stats) error {
	for {
		n := 0
		err := s.Store.Write(ctx, func(tx *store.Tx) error {
			due, err := tx.DueFollowups(f.ID, now, 50)
			if err != nil {
				return err
			}
			n = len(due)
			actor, err := followupActor(tx, f)
			if err != nil {
				return err
			}
			for _, d := range due {
				var id int64
				err := tx.Savepoint(func() error {
					var err error
					if id, err = s.openFollowup(tx, f, d, actor); err != nil {
						return err
					}
					done, err := tx.FinishFollowup(f.ID, d.UserID, id, now)
					if err == nil && !done {
						err = errSkip
					}
					return err
				})
				var inv *errs.Invalid
				switch {
				case err == nil:
					if id != 0 {
						st.Followups++
					}
				case errors.Is(err, errSkip):
				case errors.As(err, &inv), errors.Is(err, errs.ErrForbidden):
					s.log().Warn("follow-up ticket not opened", "followup", f.ID, "user", d.UserID, "err", err)
					if _, err := tx.FinishFollowup(f.ID, d.UserID, 0, now); err != nil {
						return err
					}
				default:
					return err
				}
			}
			return nil
		})
		if err != nil || n < 50 {
			return err
		}
	}
}

// followupActor is who opens the tickets: the admin or agent who made the
// rule, or the first admin when they no longer can.
func followupActor(tx *store.Tx, f *store.Followup) (*model.User, error) {
	u, err := tx.User(f.CreatedBy)
	if err == nil && u.IsAgent() && u.Active && !u.Suspended {
		return u, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	admins, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleAdmin}}, 0, 0, 1, false)
	if err != nil {
		return nil, err
	}
	if len(admins) == 0 {
		return nil, errors.New("follow-ups: no admin to open tickets as")
	}
	return admins[0], nil
}

// openFollowup opens the task ticket for one user; 0 when the user can no
// longer be followed up (deleted, suspended, no longer a customer).
func (s *Service) openFollowup(tx *store.Tx, f *store.Followup, d store.FollowupDue, actor *model.User) (int64, error) {
	u, err := tx.User(d.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if u.Suspended || !u.Active || u.Role != model.RoleEndUser {
		return 0, nil
	}
	first, _, _ := strings.Cut(u.Name, " ")
	data := map[string]any{
		"user": map[string]any{"id": u.ID, "name": u.Name, "first_name": first, "email": u.Email, "user_fields": u.Fields,
			"date": fmt.Sprint(u.Fields[f.UserField])},
		"followup": map[string]any{"id": f.ID, "title": f.Title, "days": f.Days},
	}
	subject, err := liquid.Render(f.Subject, data)
	if err != nil {
		return 0, errs.Invalidf("subject", "InvalidValue", "Subject: %v", err)
	}
	body, err := liquid.Render(f.Body, data)
	if err != nil {
		return 0, errs.Invalidf("body", "InvalidValue", "Body: %v", err)
	}
	private := false
	typ := "task"
	source := "followup:" + strconv.FormatInt(f.ID, 10)
	ch := tickets.Change{Subject: &subject, Type: &typ, RequesterID: &u.ID, Via: "rule", RuleSource: source,
		ViaSource: map[string]any{"rel": "followup", "from": map[string]any{"id": f.ID, "title": f.Title}},
		Comment:   &tickets.CommentInput{Body: body, Public: &private, Metadata: map[string]any{"rule": source}}}
	if f.GroupID != 0 {
		ch.GroupID = &f.GroupID
	}
	if f.Priority != "" {
		ch.Priority = &f.Priority
	}
	if len(f.Tags) > 0 {
		ch.AddTags = slices.Clone(f.Tags)
	}
	res, err := s.Tickets.CreateTx(tx, actor, ch)
	if err != nil {
		return 0, err
	}
	return res.Ticket.ID, nil
}
