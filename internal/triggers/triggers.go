// Package triggers keeps Zendesk's triggers — business rules checked on
// every ticket create and update, in position order — and runs them from
// a tickets.Service BeforeCommit hook, inside the write's transaction.
package triggers

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Trigger is one business rule.
type Trigger struct {
	ID          int64
	Title       string
	RawTitle    string
	Description string
	Active      bool
	Position    int64
	Default     bool
	CategoryID  string
	Conditions  rules.Conditions
	Actions     []rules.Action
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Service stores triggers and runs them.
type Service struct {
	Store   store.Store
	Tickets *tickets.Service
	Engine  *rules.Engine
	Log     *slog.Logger
	Now     func() time.Time

	mu     sync.Mutex
	stamp  string     // store.TriggerStamp of the cached list
	active []*Trigger // parsed active triggers in firing order
	// whether any active trigger reads requester / organization properties
	needRequester, needOrg bool
	needFacts              bool // a trigger looks at a fact of Engine.Facts (SLA)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Input is a create or update; nil fields stay as they are.
type Input struct {
	Title       *string
	RawTitle    *string
	Description *string
	Active      *bool
	Position    *int64
	CategoryID  *string
	Conditions  *rules.Conditions
	Actions     *[]rules.Action
}

func fromRow(r *store.TriggerRow) (*Trigger, error) {
	t := &Trigger{ID: r.ID, Title: r.Title, RawTitle: r.RawTitle, Description: r.Description, Active: r.Active, Position: r.Position,
		Default: r.Default, CategoryID: r.CategoryID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.Conditions), &t.Conditions); err != nil {
		return nil, fmt.Errorf("trigger %d: conditions: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Actions), &t.Actions); err != nil {
		return nil, fmt.Errorf("trigger %d: actions: %w", r.ID, err)
	}
	return t, nil
}

func toRow(t *Trigger) *store.TriggerRow {
	conds, _ := json.Marshal(t.Conditions)
	acts := t.Actions
	if acts == nil {
		acts = []rules.Action{}
	}
	actions, _ := json.Marshal(acts)
	return &store.TriggerRow{ID: t.ID, Title: t.Title, RawTitle: t.RawTitle, Description: t.Description, Active: t.Active,
		Position: t.Position, Default: t.Default, CategoryID: t.CategoryID, Conditions: string(conds), Actions: string(actions),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// Get returns one trigger.
func Get(tx *store.Tx, id int64) (*Trigger, error) {
	r, err := tx.Trigger(id)
	if err != nil {
		return nil, err
	}
	return fromRow(r)
}

// List returns a page of triggers and the total.
func List(tx *store.Tx, f store.TriggerFilter, sortBy string, desc bool, offset, limit int) ([]*Trigger, int64, error) {
	rows, err := tx.ListTriggers(f, sortBy, desc, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	n, err := tx.CountTriggers(f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*Trigger, 0, len(rows))
	for _, r := range rows {
		t, err := fromRow(r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, n, nil
}

// Create stores a new trigger, last in order unless a position is given.
func (s *Service) Create(tx *store.Tx, in Input) (*Trigger, error) {
	now := s.now()
	t := &Trigger{Active: true, CreatedAt: now, UpdatedAt: now}
	if in.Title == nil {
		empty := ""
		in.Title = &empty
	}
	if in.Conditions == nil {
		in.Conditions = &rules.Conditions{}
	}
	if in.Actions == nil {
		in.Actions = &[]rules.Action{}
	}
	if err := apply(tx, t, in); err != nil {
		return nil, err
	}
	if in.Position == nil {
		max, err := tx.MaxTriggerPosition()
		if err != nil {
			return nil, err
		}
		t.Position = max + 1
	}
	row := toRow(t)
	if err := tx.InsertTrigger(row); err != nil {
		return nil, err
	}
	t.ID = row.ID
	return t, nil
}

// Update changes trigger id.
func (s *Service) Update(tx *store.Tx, id int64, in Input) (*Trigger, error) {
	t, err := Get(tx, id)
	if err != nil {
		return nil, err
	}
	if err := apply(tx, t, in); err != nil {
		return nil, err
	}
	t.UpdatedAt = s.now()
	if err := tx.UpdateTrigger(toRow(t)); err != nil {
		return nil, err
	}
	return t, nil
}

// Delete removes trigger id.
func (s *Service) Delete(tx *store.Tx, id int64) error { return tx.DeleteTrigger(id) }

// Reorder gives the listed triggers positions 1, 2, … in that order; the
// triggers not listed keep their order after them.
func (s *Service) Reorder(tx *store.Tx, ids []int64) error {
	all, err := tx.ListTriggers(store.TriggerFilter{}, "position", false, 0, 100000)
	if err != nil {
		return err
	}
	byID := map[int64]*store.TriggerRow{}
	for _, r := range all {
		byID[r.ID] = r
	}
	var v errs.Invalid
	seen := map[int64]bool{}
	for _, id := range ids {
		if byID[id] == nil {
			v.Addf("trigger_ids", "InvalidValue", "Trigger ids: trigger %d does not exist / トリガ %d は存在しません", id, id)
		}
		if seen[id] {
			v.Addf("trigger_ids", "InvalidValue", "Trigger ids: %d is listed twice / %d が重複しています", id, id)
		}
		seen[id] = true
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	order := make([]*store.TriggerRow, 0, len(all))
	for _, id := range ids {
		order = append(order, byID[id])
	}
	for _, r := range all {
		if !seen[r.ID] {
			order = append(order, r)
		}
	}
	now := s.now()
	for i, r := range order {
		if r.Position == int64(i+1) {
			continue
		}
		r.Position, r.UpdatedAt = int64(i+1), now
		if err := tx.UpdateTrigger(r); err != nil {
			return err
		}
	}
	return nil
}

// apply validates in and copies it onto t; every problem is reported at
// once, as Zendesk's RecordInvalid does.
func apply(tx *store.Tx, t *Trigger, in Input) error {
	var v errs.Invalid
	if in.Title != nil {
		title := strings.TrimSpace(*in.Title)
		switch {
		case title == "":
			v.Add("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
		case utf8.RuneCountInString(title) > 255:
			v.Add("title", "TooLong", "Title: is too long (maximum is 255 characters) / タイトルは255文字以内にしてください")
		}
		t.Title = title
		if in.RawTitle == nil {
			t.RawTitle = title
		}
	}
	if in.RawTitle != nil {
		t.RawTitle = *in.RawTitle
	}
	if in.Description != nil {
		t.Description = *in.Description
	}
	if in.Active != nil {
		t.Active = *in.Active
	}
	if in.Position != nil {
		if *in.Position < 0 {
			v.Add("position", "InvalidValue", "Position: must be 0 or more / 位置は0以上にしてください")
		}
		t.Position = *in.Position
	}
	if in.CategoryID != nil {
		t.CategoryID = *in.CategoryID
	}
	if in.Conditions != nil {
		t.Conditions = *in.Conditions
	}
	if in.Actions != nil {
		t.Actions = *in.Actions
	}
	if t.Conditions.Empty() {
		v.Add("conditions", "BlankValue", "Conditions: at least one condition is required / 条件を1つ以上指定してください")
	} else {
		merge(&v, rules.ValidateConditions(t.Conditions, "trigger"))
	}
	merge(&v, rules.ValidateActions(t.Actions, "trigger"))
	if err := checkReferences(tx, &v, t.Actions); err != nil {
		return err
	}
	return v.OrNil()
}

// checkReferences reports webhooks, groups and users an action names
// that do not exist.
func checkReferences(tx *store.Tx, v *errs.Invalid, actions []rules.Action) error {
	for i, a := range actions {
		var list []any
		switch x := a.Value.(type) {
		case []any:
			list = x
		default:
			list = []any{x}
		}
		if len(list) == 0 {
			continue
		}
		id, err := idOf(list[0])
		if err != nil || id == 0 {
			continue
		}
		var lookErr error
		what := ""
		switch a.Field {
		case "notification_webhook", "notification_slack":
			_, lookErr = tx.Webhook(id)
			what = "webhook"
		case "group_id", "notification_group":
			_, lookErr = tx.Group(id)
			what = "group"
		case "assignee_id", "notification_user":
			_, lookErr = tx.User(id)
			what = "user"
		default:
			continue
		}
		if errors.Is(lookErr, store.ErrNotFound) {
			v.Addf("actions", "InvalidValue", "Actions[%d]: %s %d does not exist / %s %d は存在しません", i, what, id, what, id)
		} else if lookErr != nil {
			return lookErr
		}
	}
	return nil
}

func idOf(v any) (int64, error) {
	var id int64
	switch x := v.(type) {
	case float64:
		return int64(x), nil
	case json.Number:
		return x.Int64()
	case string:
		_, err := fmt.Sscanf(x, "%d", &id)
		if err != nil || fmt.Sprint(id) != strings.TrimSpace(x) {
			return 0, errors.New("not an id")
		}
		return id, nil
	}
	return 0, errors.New("not an id")
}

func merge(v *errs.Invalid, err error) {
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		for f, ds := range inv.Details {
			for _, d := range ds {
				v.Add(f, d.Error, d.Description)
			}
		}
	}
}
