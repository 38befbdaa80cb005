package views

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Input is a create or update; nil fields are left as they are.
type Input struct {
	Title       *string
	Description *string
	Active      *bool
	Position    *int
	Conditions  *store.ViewConditions
	Execution   *ExecutionInput
	// RestrictionSet with a nil Restriction clears it (everyone may use it).
	RestrictionSet bool
	Restriction    *Restriction
}

// ExecutionInput is Zendesk's "output" (or "execution") of a view.
type ExecutionInput struct {
	Columns    []string // nil: unchanged
	GroupBy    *string
	GroupOrder *string
	SortBy     *string
	SortOrder  *string
}

// Restriction limits a view to groups or to one user.
type Restriction struct {
	Type string
	IDs  []int64
}

// Columns a view can show, with their titles (English / Japanese).
var Columns = map[string]string{
	"nice_id": "ID", "subject": "Subject / 件名", "requester": "Requester / 依頼者", "assignee": "Assignee / 担当者",
	"submitter": "Submitter / 送信者", "group": "Group / グループ", "organization": "Organization / 組織", "brand": "Brand / ブランド",
	"status": "Status / ステータス", "priority": "Priority / 優先度", "type": "Type / タイプ",
	"created": "Requested / 作成日時", "updated": "Updated / 更新日時", "solved": "Solved / 解決日時", "due_date": "Due date / 期日",
}

// DefaultColumns are what a view shows when it names none.
var DefaultColumns = []string{"status", "subject", "requester", "created", "assignee", "group"}

const maxColumns = 10

// mustTest: Zendesk requires a view's "all" conditions to test one of these.
var mustTest = []string{"status", "type", "group_id", "assignee_id", "requester_id"}

// Create stores a new view after validating it.
func (s *Service) Create(ctx context.Context, actor *model.User, in Input) (*store.View, error) {
	var v *store.View
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		vw, err := s.viewer(tx, actor)
		if err != nil {
			return err
		}
		now := s.Now()
		v = &store.View{Active: true, Execution: store.ViewExecution{Columns: DefaultColumns, SortBy: "nice_id", SortOrder: "asc"},
			CreatedAt: now, UpdatedAt: now}
		if in.Title == nil {
			return errs.Invalidf("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
		}
		if in.Conditions == nil {
			in.Conditions = &store.ViewConditions{}
		}
		if err := s.apply(tx, v, in); err != nil {
			return err
		}
		if err := vw.mayEdit(v); err != nil {
			return err
		}
		if in.Position == nil {
			p, err := tx.MaxViewPosition()
			if err != nil {
				return err
			}
			v.Position = p + 1
		}
		return tx.InsertView(v)
	})
	return v, err
}

// Update changes a view actor may edit.
func (s *Service) Update(ctx context.Context, actor *model.User, id int64, in Input) (*store.View, error) {
	var v *store.View
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		vw, err := s.viewer(tx, actor)
		if err != nil {
			return err
		}
		if v, err = tx.View(id); err != nil {
			return err
		}
		if !vw.visible(v) {
			return errs.ErrNotFound
		}
		if err := vw.mayEdit(v); err != nil {
			return err
		}
		if err := s.apply(tx, v, in); err != nil {
			return err
		}
		if err := vw.mayEdit(v); err != nil { // also after: an agent may not share a view
			return err
		}
		v.UpdatedAt = s.Now()
		return tx.UpdateView(v)
	})
	if err == nil {
		s.Counts.Forget(id)
	}
	return v, err
}

// Preview validates conditions and execution for an unsaved view
// (POST /views/preview) and returns it, never stored.
func (s *Service) Preview(ctx context.Context, in Input) (*store.View, error) {
	v := &store.View{Active: true, Execution: store.ViewExecution{Columns: DefaultColumns, SortBy: "nice_id", SortOrder: "asc"}}
	title := "Preview / プレビュー"
	if in.Title == nil {
		in.Title = &title
	}
	if in.Conditions == nil {
		in.Conditions = &store.ViewConditions{}
	}
	err := s.Store.Read(ctx, func(tx *store.Tx) error { return s.apply(tx, v, in) })
	return v, err
}

// apply copies in onto v and validates the result, reporting every problem
// together as Zendesk's RecordInvalid does.
func (s *Service) apply(tx *store.Tx, v *store.View, in Input) error {
	var bad errs.Invalid
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		switch {
		case t == "":
			bad.Add("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
		case utf8.RuneCountInString(t) > 255:
			bad.Add("title", "TooLong", "Title: is too long (maximum is 255 characters) / タイトルは 255 文字以内です")
		}
		v.Title, v.RawTitle = t, t
	}
	if in.Description != nil {
		v.Description = *in.Description
	}
	if in.Active != nil {
		v.Active = *in.Active
	}
	if in.Position != nil {
		v.Position = *in.Position
	}
	fields, err := tx.TicketFields()
	if err != nil {
		return err
	}
	if in.Conditions != nil {
		v.Conditions = *in.Conditions
		checkConditions(tx, v.Conditions, fields, &bad)
	}
	if in.Execution != nil {
		applyExecution(&v.Execution, *in.Execution, fields, &bad)
	}
	if in.RestrictionSet {
		if err := checkRestriction(tx, v, in.Restriction, &bad); err != nil {
			return err
		}
	}
	return bad.OrNil()
}

func checkConditions(tx *store.Tx, c store.ViewConditions, fields []*model.TicketField, bad *errs.Invalid) {
	if err := tx.CheckViewConditions(c); err != nil {
		var ce *store.ViewConditionError
		if errors.As(err, &ce) {
			bad.Add("conditions", "InvalidValue", ce.Error())
		} else {
			bad.Add("conditions", "InvalidValue", err.Error())
		}
		return
	}
	for _, list := range [][]store.ViewCondition{c.All, c.Any} {
		for _, cond := range list {
			if id, ok := strings.CutPrefix(cond.Field, "custom_fields_"); ok && fieldByID(fields, id) == nil {
				bad.Addf("conditions", "InvalidValue", "%s: no ticket field with id %s / チケットフィールド %s は存在しません", cond.Field, id, id)
			}
		}
	}
	if !slices.ContainsFunc(c.All, func(x store.ViewCondition) bool { return slices.Contains(mustTest, x.Field) }) {
		bad.Add("conditions", "InvalidValue", "View must test for at least one of the following ticket properties in the ALL conditions section: Status, Type, Group, Assignee, Requester / ビューの「すべて」の条件に、ステータス・タイプ・グループ・担当者・依頼者のいずれかが必要です")
	}
}

func fieldByID(fields []*model.TicketField, id string) *model.TicketField {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	for _, f := range fields {
		if f.ID == n {
			return f
		}
	}
	return nil
}

func applyExecution(e *store.ViewExecution, in ExecutionInput, fields []*model.TicketField, bad *errs.Invalid) {
	if in.Columns != nil {
		if len(in.Columns) > maxColumns {
			bad.Addf("columns", "TooMany", "A view shows at most %d columns / 列は %d 個までです", maxColumns, maxColumns)
		}
		cols := []string{}
		for _, c := range in.Columns {
			if Columns[c] == "" && fieldByID(fields, c) == nil {
				bad.Addf("columns", "InvalidValue", "%q is not a view column or ticket field id / %q はビューの列にできません", c, c)
				continue
			}
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
		e.Columns = cols
	}
	set := func(dst *string, v *string, field string, ok func(string) bool, allowed string) {
		if v == nil {
			return
		}
		if *v != "" && !ok(*v) {
			bad.Addf(field, "InvalidValue", "%q cannot be used for %s; use one of %s / %s に %q は使えません", *v, field, allowed, field, *v)
			return
		}
		*dst = *v
	}
	order := func(s string) bool { return s == "asc" || s == "desc" }
	set(&e.GroupBy, in.GroupBy, "group_by", store.ViewGroupable, "status, priority, type, assignee, requester, group, organization, brand, created, updated, solved, due_date")
	set(&e.GroupOrder, in.GroupOrder, "group_order", order, "asc, desc")
	set(&e.SortBy, in.SortBy, "sort_by", store.ViewSortable, "nice_id, subject, status, priority, type, assignee, requester, submitter, group, organization, brand, created, updated, solved, due_date")
	set(&e.SortOrder, in.SortOrder, "sort_order", order, "asc, desc")
}

func checkRestriction(tx *store.Tx, v *store.View, r *Restriction, bad *errs.Invalid) error {
	if r == nil {
		v.RestrictionType, v.RestrictionIDs = "", nil
		return nil
	}
	switch r.Type {
	case RestrictGroup:
		if len(r.IDs) == 0 {
			bad.Add("restriction", "BlankValue", "A Group restriction needs id or ids / グループ制限には id が必要です")
			return nil
		}
		for _, id := range r.IDs {
			if _, err := tx.Group(id); errors.Is(err, store.ErrNotFound) {
				bad.Addf("restriction", "InvalidValue", "No group with id %d / グループ %d は存在しません", id, id)
			} else if err != nil {
				return err
			}
		}
	case RestrictUser:
		if len(r.IDs) != 1 {
			bad.Add("restriction", "InvalidValue", "A User restriction names exactly one user id / ユーザー制限には ID を 1 つ指定します")
			return nil
		}
		u, err := tx.User(r.IDs[0])
		if errors.Is(err, store.ErrNotFound) || (err == nil && !u.IsStaff()) {
			bad.Add("restriction", "InvalidValue", fmt.Sprintf("No agent with id %d / エージェント %d は存在しません", r.IDs[0], r.IDs[0]))
			return nil
		} else if err != nil {
			return err
		}
	default:
		bad.Addf("restriction", "InvalidValue", "restriction.type must be Group or User, not %q / restriction.type は Group か User です", r.Type)
		return nil
	}
	v.RestrictionType, v.RestrictionIDs = r.Type, slices.Compact(slices.Sorted(slices.Values(r.IDs)))
	return nil
}
